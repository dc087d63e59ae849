import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { PaperVenue } from '../../venues/paper/paper-venue';
import { VenueRejection } from '../../venues/venue';
import { BAR_MS, FixtureMarket, bars } from '../fixtures/fixture-market';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';

const T0 = 1_689_696_000_000 - 10 * BAR_MS; // 10 bars before a funding time
const FEE = 0.0005;
const SLIP = 0.0002;

describe('paper venue', function () {
  let db: Kysely<Database>;
  let database: MigratedTestDatabase;
  let account = 0;

  before(async () => {
    database = await createMigratedTestDatabase(4);
    db = database.db;
    await db.insertInto('agents').values({
      id: 'agent-x', name: 'x', provider: 'rule_based', model: 'ema_trend', venue: 'paper', account: 'x',
      initial_balance: 10_000, config: '{}',
    }).execute();
  });
  after(async () => {
    await database.close();
  });

  /** A fresh paper account per test, on its own scripted market. */
  function setup(btc: Array<[number, number, number, number]>, funding: Array<{ time: number; rate: number }> = []) {
    const market = new FixtureMarket({ BTCUSDT: bars(T0, btc) }, { BTCUSDT: funding });
    const name = `acct-${++account}`;
    return (barsClosed: number) => new PaperVenue({
      db, market, account: name, initialBalance: 10_000, takerFeeRate: FEE, slippageRate: SLIP,
      asOf: T0 + barsClosed * BAR_MS,
    });
  }

  const flat: Array<[number, number, number, number]> = [[30000, 30000, 30000, 30000], [30000, 30000, 30000, 30000]];

  it('fills a market order at the last close plus slippage, takes margin and the taker fee', async () => {
    const at = setup([...flat, [30000, 30100, 29900, 30000]]);
    const venue = at(3);
    await venue.setLeverage('BTCUSDT', 10);
    const order = await venue.placeOrder({ clientOrderId: 'o1', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    assert.equal(order.status, 'FILLED');
    assert.equal(order.avgPrice, 30006); // 30000 x 1.0002
    assert.ok(Math.abs(order.fee - 1.5003) < 1e-9);
    const balance = await venue.balance();
    assert.ok(Math.abs(balance.marginUsed - 300.06) < 1e-9);
    assert.ok(Math.abs(balance.availableBalance - (10_000 - 300.06 - 1.5003)) < 1e-9);
    assert.ok(Math.abs(balance.unrealizedPnl - 0.1 * (30000 - 30006)) < 1e-9);
    assert.ok(Math.abs(balance.equity - (balance.availableBalance + balance.marginUsed + balance.unrealizedPnl)) < 1e-9);
    const [position] = await venue.positions();
    assert.equal(position!.side, 'long');
    assert.equal(position!.leverage, 10);
  });

  it('triggers a stop-loss on the next bar low, fills at the stop, cancels the take-profit', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000], [29900, 29950, 29400, 29600]]);
    const venue = at(3);
    await venue.setLeverage('BTCUSDT', 10);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    await venue.placeOrder({ clientOrderId: 'sl', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '29500.0', closePosition: true });
    await venue.placeOrder({ clientOrderId: 'tp', symbol: 'BTCUSDT', side: 'SELL', type: 'TAKE_PROFIT_MARKET', stopPrice: '31000.0', closePosition: true });

    const later = at(4);
    assert.deepEqual(await later.positions(), []);
    const sl = await later.getOrder('BTCUSDT', 'sl');
    assert.equal(sl!.status, 'FILLED');
    assert.ok(Math.abs(sl!.avgPrice! - 29500 * (1 - SLIP)) < 1e-9);
    assert.ok(Math.abs(sl!.realizedPnl - 0.1 * (29500 * (1 - SLIP) - 30006)) < 1e-9);
    assert.equal((await later.getOrder('BTCUSDT', 'tp'))!.status, 'EXPIRED');
    const balance = await later.balance();
    const expectedCash = 10_000 - 1.5003 + 0.1 * (29494.1 - 30006) - 0.1 * 29494.1 * FEE;
    assert.ok(Math.abs(balance.equity - expectedCash) < 1e-9, `equity ${balance.equity} vs ${expectedCash}`);
    assert.equal(balance.marginUsed, 0);
  });

  it('fills a stop at the open when the bar gaps through it', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000], [29300, 29350, 29200, 29250]]);
    const venue = at(3);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    await venue.placeOrder({ clientOrderId: 'sl', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '29500.0', closePosition: true });
    const sl = await at(4).getOrder('BTCUSDT', 'sl');
    assert.ok(Math.abs(sl!.avgPrice! - 29300 * (1 - SLIP)) < 1e-9);
  });

  it('takes profit on a short when the bar low reaches the target', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000], [29900, 29950, 28900, 29000]]);
    const venue = at(3);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1' });
    await venue.placeOrder({ clientOrderId: 'sl', symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', stopPrice: '30600.0', closePosition: true });
    await venue.placeOrder({ clientOrderId: 'tp', symbol: 'BTCUSDT', side: 'BUY', type: 'TAKE_PROFIT_MARKET', stopPrice: '29000.0', closePosition: true });
    const later = at(4);
    const tp = await later.getOrder('BTCUSDT', 'tp');
    assert.equal(tp!.status, 'FILLED');
    const entry = 30000 * (1 - SLIP);
    const exit = 29000 * (1 + SLIP);
    assert.ok(Math.abs(tp!.realizedPnl - 0.1 * (entry - exit)) < 1e-9, 'short PnL is quantity x (entry - exit), no leverage');
    assert.equal((await later.getOrder('BTCUSDT', 'sl'))!.status, 'EXPIRED');
  });

  it('settles funding at the 8h mark into the isolated margin (longs pay a positive rate)', async () => {
    const closes = Array.from({ length: 12 }, (): [number, number, number, number] => [30000, 30010, 29990, 30000]);
    const fundingTime = T0 + 10 * BAR_MS;
    const at = setup(closes, [{ time: fundingTime, rate: 0.0001 }]);
    const venue = at(3);
    await venue.setLeverage('BTCUSDT', 5);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.2' });
    const before = (await venue.positions())[0]!.margin;
    const later = at(12);
    const after = (await later.positions())[0]!.margin;
    assert.ok(Math.abs(before - after - 0.2 * 30000 * 0.0001) < 1e-9, `margin ${before} -> ${after}`);
    const funding = (await later.income(0)).filter((i) => i.type === 'FUNDING_FEE');
    assert.equal(funding.length, 1);
    assert.equal(funding[0]!.time, fundingTime);
  });

  it('liquidates an isolated position whose margin is gone, losing the margin only', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000], [29800, 29800, 29000, 29100]]);
    const venue = at(3);
    await venue.setLeverage('BTCUSDT', 50);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    const [position] = await venue.positions();
    assert.ok(position!.liquidationPrice > 29000 && position!.liquidationPrice < 30006);
    const later = at(4);
    assert.deepEqual(await later.positions(), []);
    const [liquidation] = (await later.filledOrders(0, ['BTCUSDT'])).filter((o) => o.type === 'LIQUIDATION');
    assert.ok(liquidation, 'a liquidation fill is reported');
    assert.ok(Math.abs(liquidation!.avgPrice! - position!.liquidationPrice) < 1e-6);
    const balance = await later.balance();
    assert.ok(Math.abs(balance.equity - (10_000 - position!.margin - 0.1 * 30006 * FEE)) < 1e-6);
  });

  it('refuses what a real venue refuses, with a reason', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000]]);
    const venue = at(3);
    const refused = async (request: Parameters<PaperVenue['placeOrder']>[0], code: string) => {
      await assert.rejects(venue.placeOrder(request), (err: unknown) => err instanceof VenueRejection && err.code === code);
    };
    await refused({ clientOrderId: 'a', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }, 'MIN_NOTIONAL');
    await refused({ clientOrderId: 'b', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0009' }, 'QUANTITY_BELOW_MIN');
    await refused({ clientOrderId: 'c', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '5' }, 'INSUFFICIENT_MARGIN');
    await refused({ clientOrderId: 'd', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1', reduceOnly: true }, 'REDUCE_ONLY_REJECTED');
    await refused({ clientOrderId: 'e', symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }, 'UNKNOWN_SYMBOL');
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    await refused({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' }, 'DUPLICATE_CLIENT_ORDER_ID');
    await refused({ clientOrderId: 'f', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '30500.0', closePosition: true }, 'WOULD_IMMEDIATELY_TRIGGER');
    // Off-tick prices and off-step quantities are rounded (stop to the nearest tick, quantity down), as every adapter does.
    const stop = await venue.placeOrder({ clientOrderId: 'g', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '29500.06', closePosition: true });
    assert.equal(stop.stopPrice, 29500.1);
    const more = await venue.placeOrder({ clientOrderId: 'h', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0109' });
    assert.equal(more.executedQty, 0.01);
    assert.equal((await venue.balance()).marginUsed > 0, true);
  });
});
