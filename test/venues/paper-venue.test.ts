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
    await db
      .insertInto('agents')
      .values({
        id: 'agent-x',
        name: 'x',
        provider: 'rule_based',
        model: 'ema_trend',
        venue: 'paper',
        account: 'x',
        initial_balance: 10_000,
        config: '{}',
      })
      .execute();
  });
  after(async () => {
    await database.close();
  });

  /** A fresh paper account per test, on its own scripted market. */
  function setup(btc: Array<[number, number, number, number]>, funding: Array<{ time: number; rate: number }> = []) {
    const market = new FixtureMarket({ BTCUSDT: bars(T0, btc) }, { BTCUSDT: funding });
    const name = `acct-${++account}`;
    return (barsClosed: number) =>
      new PaperVenue({
        books: PaperVenue.postgresBooks(db),
        market,
        account: name,
        initialBalance: 10_000,
        takerFeeRate: FEE,
        slippageRate: SLIP,
        asOf: T0 + barsClosed * BAR_MS,
      });
  }

  const flat: Array<[number, number, number, number]> = [
    [30000, 30000, 30000, 30000],
    [30000, 30000, 30000, 30000],
  ];

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
    await venue.placeOrder({
      clientOrderId: 'sl',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '29500.0',
      closePosition: true,
    });
    await venue.placeOrder({
      clientOrderId: 'tp',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_MARKET',
      stopPrice: '31000.0',
      closePosition: true,
    });

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
    await venue.placeOrder({
      clientOrderId: 'sl',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '29500.0',
      closePosition: true,
    });
    const sl = await at(4).getOrder('BTCUSDT', 'sl');
    assert.ok(Math.abs(sl!.avgPrice! - 29300 * (1 - SLIP)) < 1e-9);
  });

  it('takes profit on a short when the bar low reaches the target', async () => {
    const at = setup([...flat, [30000, 30000, 30000, 30000], [29900, 29950, 28900, 29000]]);
    const venue = at(3);
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1' });
    await venue.placeOrder({
      clientOrderId: 'sl',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_MARKET',
      stopPrice: '30600.0',
      closePosition: true,
    });
    await venue.placeOrder({
      clientOrderId: 'tp',
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'TAKE_PROFIT_MARKET',
      stopPrice: '29000.0',
      closePosition: true,
    });
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

  describe('funding at the scheduled instant', () => {
    const F = T0 + 10 * BAR_MS; // 2023-07-18 16:00 UTC: the bar with index 9 closes at it
    const RATE = 0.0001;
    // The bar closing at F closes at 30,100; the next one at 30,200 (the price the old code used).
    const path = (): Array<[number, number, number, number]> =>
      Array.from({ length: 14 }, (_, i) =>
        i === 9 ? [30000, 30100, 30000, 30100] : i === 10 ? [30100, 30200, 30100, 30200] : [30000, 30000, 30000, 30000],
      );
    const fundingOf = async (venue: PaperVenue) => (await venue.income(0)).filter((i) => i.type === 'FUNDING_FEE');

    for (const [label, stamp] of [
      ['exactly at the mark', F],
      ['2 ms past the mark', F + 2],
    ] as const) {
      it(`a row stamped ${label} is settled at the mark, at the close of the bar that closes at it`, async () => {
        const at = setup(path(), [{ time: stamp, rate: RATE }]);
        await at(3).setLeverage('BTCUSDT', 5);
        await at(3).placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.2' });
        const funding = await fundingOf(at(14));
        // A long pays 0.2 x 30,100 x 0.0001 = 0.602 at 16:00:00.000.
        assert.deepEqual(
          funding.map((f) => [f.time, f.amount]),
          [[F, -0.602]],
        );
      });
    }

    it('a position closed by the cycle at the mark pays that funding; one opened by it does not', async () => {
      const funding = [{ time: F + 2, rate: RATE }];
      const closing = setup(path(), funding);
      await closing(3).placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.2' });
      // The cycle at 16:00 (market time F): the market is settled up to F, funding included, before its order.
      await closing(10).placeOrder({
        clientOrderId: 'close',
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.2',
        reduceOnly: true,
      });
      const rows = (await closing(12).income(F)).map((i) => [i.type, i.time, i.clientOrderId]);
      assert.deepEqual(rows, [
        ['FUNDING_FEE', F, null],
        ['REALIZED_PNL', F, 'close'],
        ['COMMISSION', F, 'close'],
      ]);
      assert.equal((await fundingOf(closing(12)))[0]!.amount, -0.602);

      const opening = setup(path(), funding);
      await opening(10).placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.2' });
      const margin = (await opening(10).positions())[0]!.margin;
      assert.deepEqual(await fundingOf(opening(14)), []);
      assert.equal((await opening(14).positions())[0]!.margin, margin);
    });
  });

  describe('maintenance margin brackets', () => {
    const at60k = () => setup(Array.from({ length: 4 }, (): [number, number, number, number] => [60000, 60000, 60000, 60000]));

    it("liquidation prices in two of BTCUSDT's brackets", async () => {
      // 0.1 BTC at 60,012 (60,000 + 0.02 %), 50x: margin 120.024, first bracket (0.4 %, cum 0):
      // (120.024 + 0 - 6,001.2) / (0.1 x 0.004 - 0.1) = 59,047.95 (the flat 0.5 % gave 59,107.30).
      const small = at60k()(3);
      await small.setLeverage('BTCUSDT', 50);
      await small.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
      const [first] = await small.positions();
      assert.ok(Math.abs(first!.liquidationPrice - 59_047.95) < 0.005, String(first!.liquidationPrice));
      // 1 BTC at 60,012, 100x: margin 600.12, second bracket (0.5 %, cum 50):
      // (600.12 + 50 - 60,012) / (0.005 - 1) = 59,660.18.
      const large = at60k()(3);
      await large.setLeverage('BTCUSDT', 100);
      await large.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' });
      const [second] = await large.positions();
      assert.ok(Math.abs(second!.liquidationPrice - 59_660.18) < 0.005, String(second!.liquidationPrice));
      assert.equal((await large.symbolRules('BTCUSDT')).marginBrackets?.[1]?.maintMarginRatio, 0.005);
    });

    it('a bracket caps the leverage: no position beyond its notional, no leverage above it', async () => {
      const venue = at60k()(3);
      const refused = (code: string) => (err: unknown) => err instanceof VenueRejection && err.code === code;
      await venue.setLeverage('BTCUSDT', 125);
      // 1 BTC is 60,012 USDT: 125x allows 50,000.
      await assert.rejects(
        venue.placeOrder({ clientOrderId: 'a', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }),
        refused('POSITION_LIMIT_EXCEEDED'),
      );
      await venue.setLeverage('BTCUSDT', 100);
      await venue.placeOrder({ clientOrderId: 'b', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' });
      await assert.rejects(venue.setLeverage('BTCUSDT', 125), refused('POSITION_LIMIT_EXCEEDED'));
      await assert.rejects(venue.setLeverage('BTCUSDT', 126), refused('INVALID_LEVERAGE'));
      await venue.setLeverage('BTCUSDT', 100);
    });
  });

  describe('gaps through the stop and the liquidation price', () => {
    const flat: Array<[number, number, number, number]> = Array.from({ length: 4 }, () => [60000, 60000, 60000, 60000]);

    /** 0.1 BTC long at 60,012, 50x: margin 120.024, fee 3.0006, liquidation 59,047.95; a stop at `stop`. */
    async function protectedLong(bar: [number, number, number, number], stop: string) {
      const at = setup([...flat, bar]);
      await at(3).setLeverage('BTCUSDT', 50);
      await at(3).placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
      await at(3).placeOrder({
        clientOrderId: 'sl',
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_MARKET',
        stopPrice: stop,
        closePosition: true,
      });
      return at(5);
    }

    it('a bar that opens beyond the liquidation price liquidates: the isolated margin is lost, not more', async () => {
      // The case: the stop at 59,500 used to fill at the open, 58,000 - 0.02 %: a loss of 202.36 plus fee.
      const later = await protectedLong([58000, 58100, 57900, 58050], '59500.0');
      assert.deepEqual(await later.positions(), []);
      assert.equal((await later.getOrder('BTCUSDT', 'sl'))!.status, 'EXPIRED');
      const [liquidation] = (await later.filledOrders(0, ['BTCUSDT'])).filter((o) => o.type === 'LIQUIDATION');
      assert.ok(Math.abs(liquidation!.avgPrice! - 59_047.951807) < 1e-5);
      // Realised 0.1 x (59,047.951807 - 60,012) = -96.404819; the rest of the margin, 23.619181, to the insurance fund.
      const rows = (await later.income(0)).filter((i) => i.clientOrderId === liquidation!.clientOrderId);
      assert.deepEqual(
        rows.map((i) => i.type),
        ['REALIZED_PNL', 'INSURANCE_CLEAR'],
      );
      assert.ok(Math.abs(rows[0]!.amount + 96.404819) < 1e-6);
      assert.ok(Math.abs(rows[1]!.amount + 23.619181) < 1e-6);
      const balance = await later.balance();
      assert.ok(Math.abs(balance.equity - (10_000 - 3.0006 - 120.024)) < 1e-9, String(balance.equity));
    });

    it('inside a bar the stop fills first when it lies before the liquidation price; a stop beyond it never fills', async () => {
      const bar: [number, number, number, number] = [59900, 59950, 58500, 58600];
      const stopped = await protectedLong(bar, '59200.0');
      const sl = await stopped.getOrder('BTCUSDT', 'sl');
      assert.equal(sl!.status, 'FILLED');
      assert.ok(Math.abs(sl!.avgPrice! - 59_188.16) < 1e-9); // 59,200 - 0.02 %
      assert.ok(Math.abs(sl!.realizedPnl - 0.1 * (59_188.16 - 60_012)) < 1e-9);

      const liquidated = await protectedLong(bar, '58900.0');
      assert.equal((await liquidated.getOrder('BTCUSDT', 'sl'))!.status, 'EXPIRED');
      const fills = await liquidated.filledOrders(0, ['BTCUSDT']);
      assert.deepEqual(
        fills.map((o) => o.type),
        ['MARKET', 'LIQUIDATION'],
      );
    });
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
    await refused(
      { clientOrderId: 'd', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1', reduceOnly: true },
      'REDUCE_ONLY_REJECTED',
    );
    await refused({ clientOrderId: 'e', symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }, 'UNKNOWN_SYMBOL');
    await venue.placeOrder({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    await refused({ clientOrderId: 'open', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' }, 'DUPLICATE_CLIENT_ORDER_ID');
    await refused(
      { clientOrderId: 'f', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: '30500.0', closePosition: true },
      'WOULD_IMMEDIATELY_TRIGGER',
    );
    // Off-tick prices and off-step quantities are rounded (stop to the nearest tick, quantity down), as every adapter does.
    const stop = await venue.placeOrder({
      clientOrderId: 'g',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '29500.06',
      closePosition: true,
    });
    assert.equal(stop.stopPrice, 29500.1);
    const more = await venue.placeOrder({ clientOrderId: 'h', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0109' });
    assert.equal(more.executedQty, 0.01);
    assert.equal((await venue.balance()).marginUsed > 0, true);
  });
});
