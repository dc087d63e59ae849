import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { ExecutionPlan, executeOrders } from '../../execution/execute-orders';
import * as fillsMigration from '../../migrations/004_fills';
import { BAR_MS, FixtureMarket, bars } from '../fixtures/fixture-market';
import {
  PAPER_FEE as FEE,
  PAPER_SLIPPAGE as SLIP,
  executionContext,
  grantLock,
  openBtcPlan,
  paperAgentAccount,
  reconcile,
} from '../fixtures/paper-account';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';

const T0 = 1_689_696_000_000 - 10 * BAR_MS;
const flat: Array<[number, number, number, number]> = Array.from({ length: 4 }, () => [30000, 30000, 30000, 30000]);
const open = openBtcPlan;
const close: ExecutionPlan = {
  orders: [{ kind: 'close', symbol: 'BTCUSDT', side: 'long', quantity: '0.1', leverage: 5, referencePrice: 30000 }],
  protect: [],
  cancel: [],
};

describe('fills (paper venue, real Postgres)', () => {
  let db: Kysely<Database>;
  let database: MigratedTestDatabase;
  let accounts = 0;
  let cycle = 0;

  before(async () => {
    database = await createMigratedTestDatabase(4);
    db = database.db;
  });
  after(async () => {
    await database.close();
  });

  /** One agent on its own paper account; `at(n)` is the venue after n bars of `later` have closed. */
  async function context(later: Array<[number, number, number, number]> = []) {
    const market = new FixtureMarket({ BTCUSDT: bars(T0, [...flat, ...later]) });
    const { account, venueAt } = await paperAgentAccount(db, market, `fills-${++accounts}`);
    const at = (n: number) => venueAt(T0 + (4 + n) * BAR_MS);
    await grantLock(db, `lock-${account}`, 1, 3_600_000);
    const ctx = (n: number) => executionContext(db, at(n), account, ++cycle, { lockId: `lock-${account}`, token: 1 });
    return { account, at, ctx };
  }

  const fillsOf = (agentId: string) =>
    db.selectFrom('fills').selectAll().where('agent_id', '=', agentId).orderBy('time').orderBy('client_order_id').execute();

  it('records the fill of an open once, however often the order phase runs', async () => {
    const { account, ctx } = await context();
    const c = ctx(0);
    const first = await executeOrders(c, open());
    await executeOrders(c, open());
    await executeOrders(c, open());
    const fills = await fillsOf(account);
    assert.equal(fills.length, 1, 'the stop-loss and take-profit are placed, not filled: no fill for them');
    const [fill] = fills;
    assert.equal(fill!.client_order_id, first[0]!.clientOrderId);
    assert.deepEqual([fill!.venue, fill!.account, fill!.symbol, fill!.side], ['paper', account, 'BTCUSDT', 'BUY']);
    assert.equal(Number(fill!.quantity), 0.1);
    assert.ok(Math.abs(Number(fill!.price) - 30000 * (1 + SLIP)) < 1e-9);
    assert.ok(Math.abs(Number(fill!.fee) - 0.1 * 30000 * (1 + SLIP) * FEE) < 1e-9);
    assert.equal(Number(fill!.realized_pnl), 0);
    assert.equal(fill!.time.getTime(), T0 + 4 * BAR_MS, 'market time of the fill, not the wall clock');
    assert.ok(Math.abs(fill!.recorded_at.getTime() - Date.now()) < 60_000);
  });

  it('records our close when it is placed, and the reconciliation does not add it again', async () => {
    const { account, ctx, at } = await context([[30000, 30000, 30000, 30000]]);
    await executeOrders(ctx(0), open());
    const closing = ctx(1);
    const [closed] = await executeOrders(closing, close);
    for (let i = 0; i < 2; i++) await reconcile(db, at(1), account, closing.cycleNo);
    const fills = await fillsOf(account);
    assert.deepEqual(
      fills.map((f) => f.side),
      ['BUY', 'SELL'],
    );
    assert.equal(fills[1]!.client_order_id, closed!.clientOrderId);
    const [trade] = await db.selectFrom('trades').selectAll().where('agent_id', '=', account).execute();
    assert.equal(Number(fills[1]!.realized_pnl), Number(trade!.realized_pnl), 'the gross PnL the trade booked');
  });

  it('records a stop-loss the venue filled between cycles once, across repeated reconciliations', async () => {
    const { account, ctx, at } = await context([[29900, 29950, 28800, 28900]]);
    const [opened] = await executeOrders(ctx(0), open());
    for (let i = 0; i < 3; i++) await reconcile(db, at(1), account, ++cycle);
    const fills = await fillsOf(account);
    assert.equal(fills.length, 2);
    const [entry, stop] = fills;
    assert.equal(entry!.client_order_id, opened!.clientOrderId);
    const [trade] = await db.selectFrom('trades').selectAll().where('agent_id', '=', account).execute();
    assert.equal(trade!.close_reason, 'stop_loss');
    assert.equal(stop!.client_order_id, trade!.close_order_id);
    assert.equal(stop!.side, 'SELL');
    assert.ok(Math.abs(Number(stop!.price) - 29000 * (1 - SLIP)) < 1e-9);
    assert.ok(Math.abs(Number(stop!.realized_pnl) - 0.1 * (29000 * (1 - SLIP) - 30000 * (1 + SLIP))) < 1e-9);
    assert.equal(stop!.time.getTime(), trade!.closed_at!.getTime());
    const order = await db.selectFrom('orders').select('purpose').where('client_order_id', '=', stop!.client_order_id).executeTakeFirst();
    assert.equal(order?.purpose, 'stop_loss', 'the fill of our own stop-loss order');
  });

  it('records a liquidation and a close by hand, which never were our orders', async () => {
    const crash = await context([[29000, 29000, 27000, 27500]]);
    await executeOrders(crash.ctx(0), open({ leverage: 20, stopLoss: '20000.0', takeProfit: '50000.0' }));
    await reconcile(db, crash.at(1), crash.account, ++cycle);
    const liquidation = (await fillsOf(crash.account))[1];
    assert.match(liquidation!.client_order_id, /^liquidation-BTCUSDT-/);

    const byHand = await context();
    await executeOrders(byHand.ctx(0), open());
    await byHand
      .at(0)
      .placeOrder({ clientOrderId: 'phone-app', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1', reduceOnly: true });
    await reconcile(db, byHand.at(0), byHand.account, ++cycle);
    await reconcile(db, byHand.at(0), byHand.account, ++cycle);
    assert.deepEqual((await fillsOf(byHand.account)).map((f) => f.client_order_id).slice(1), ['phone-app']);
  });

  it('the migration rebuilds the same fills from the paper books of a database that had none', async () => {
    const recorded = await db.selectFrom('fills').selectAll().orderBy('agent_id').orderBy('client_order_id').execute();
    assert.ok(recorded.length >= 8);
    await fillsMigration.down(db as unknown as Kysely<any>);
    await fillsMigration.up(db as unknown as Kysely<any>);
    const rebuilt = await db.selectFrom('fills').selectAll().orderBy('agent_id').orderBy('client_order_id').execute();
    const comparable = (rows: typeof recorded) =>
      rows.map(({ recorded_at: _, ...f }) => ({
        ...f,
        quantity: Number(f.quantity),
        price: Number(f.price),
        fee: Number(f.fee),
        realized_pnl: Number(f.realized_pnl),
      }));
    assert.deepEqual(comparable(rebuilt), comparable(recorded));
  });
});
