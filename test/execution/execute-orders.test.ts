import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { ExecutionPlan, executeOrders } from '../../execution/execute-orders';
import { FencingRejected } from '../../execution/fencing';
import type { OrderRequest, Venue } from '../../venues/venue';
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
const flat: Array<[number, number, number, number]> = Array.from({ length: 3 }, () => [30000, 30000, 30000, 30000]);
const plan = openBtcPlan;

describe('order execution (paper venue, real Postgres)', () => {
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

  const grant = (lockId: string, token: number, leaseMs: number) => grantLock(db, lockId, token, leaseMs);

  async function context(ohlc: Array<[number, number, number, number]>, barsClosed = 4, venueWrapper?: (v: Venue) => Venue) {
    const market = new FixtureMarket({ BTCUSDT: bars(T0, [...flat, ...ohlc]) });
    const { account, venueAt } = await paperAgentAccount(db, market, `exec-${++accounts}`);
    const at = (n: number) => venueAt(T0 + n * BAR_MS);
    const venue = venueWrapper ? venueWrapper(at(barsClosed)) : at(barsClosed);
    const ctx = executionContext(db, venue, account, ++cycle, await grant(`lock-${account}`, 1, 60_000));
    return { ctx, at };
  }

  const paperOrders = (account: string) =>
    db.selectFrom('paper_orders').selectAll().where('account_id', '=', account).orderBy('order_id').execute();

  it('places each order once however often it runs, and protects the position', async () => {
    const { ctx } = await context([[30000, 30000, 30000, 30000]]);
    const first = await executeOrders(ctx, plan());
    const again = await executeOrders(ctx, plan());
    assert.deepEqual(again, first);
    assert.deepEqual(
      first.map((r) => [r.leg, r.status]),
      [
        ['open', 'filled'],
        ['stop_loss', 'placed'],
        ['take_profit', 'placed'],
      ],
    );
    assert.equal((await paperOrders(ctx.venue.account)).length, 3);
    const trades = await db.selectFrom('trades').selectAll().where('open_order_id', '=', first[0]!.clientOrderId).execute();
    assert.equal(trades.length, 1);
  });

  it('closes the position at once when its protection is refused', async () => {
    const { ctx } = await context([[30000, 30000, 30000, 30000]]);
    // A long's stop-loss above the price would trigger at once: the venue refuses it.
    const results = await executeOrders(ctx, plan({ stopLoss: '31000.0' }));
    assert.deepEqual(
      results.map((r) => [r.leg, r.status]),
      [
        ['open', 'filled'],
        ['stop_loss', 'rejected'],
        ['emergency_close', 'filled'],
      ],
    );
    assert.match(results[2]!.error!, /stop-loss could not be placed/);
    assert.deepEqual(await ctx.venue.positions(), []);
    const [closed] = await reconcile(db, ctx.venue, ctx.ledger.agentId, ctx.cycleNo);
    assert.equal(closed!.reason, 'signal');
  });

  it('retries a protection that fails for a passing reason, then closes the position if it keeps failing', async () => {
    let conditionalCalls = 0;
    const flaky = (venue: Venue): Venue =>
      Object.assign(Object.create(venue), {
        placeOrder: (request: OrderRequest) => {
          if (request.type !== 'MARKET') {
            conditionalCalls += 1;
            return Promise.reject(new Error('ECONNRESET'));
          }
          return venue.placeOrder(request);
        },
      });
    const { ctx } = await context([[30000, 30000, 30000, 30000]], 4, flaky);
    const results = await executeOrders(ctx, plan());
    assert.equal(conditionalCalls, 3, 'three attempts');
    assert.deepEqual(
      results.map((r) => [r.leg, r.status]),
      [
        ['open', 'filled'],
        ['stop_loss', 'rejected'],
        ['emergency_close', 'filled'],
      ],
    );
    assert.match(results[2]!.error!, /failed 3 times: ECONNRESET/);
    assert.deepEqual(await ctx.venue.positions(), []);
  });

  it('an open whose answer was lost is recorded and protected by the next run, even when the settings now fail', async () => {
    let lostAnswers = 1;
    let settingsFail = false;
    const settings: string[] = [];
    const lossy = (venue: Venue): Venue =>
      Object.assign(Object.create(venue), {
        placeOrder: async (request: OrderRequest) => {
          const order = await venue.placeOrder(request);
          if (request.type === 'MARKET' && lostAnswers-- > 0) throw Object.assign(new Error('reply lost'), { name: 'VenueOutcomeUnknown' });
          return order;
        },
        setLeverage: (symbol: string, leverage: number) => {
          settings.push(`leverage ${leverage}`);
          return settingsFail ? Promise.reject(new Error('ECONNRESET')) : venue.setLeverage(symbol, leverage);
        },
      });
    const { ctx } = await context([[30000, 30000, 30000, 30000]], 4, lossy);
    await assert.rejects(executeOrders(ctx, plan()), /reply lost/);
    assert.equal((await ctx.venue.positions()).length, 1, 'the venue opened it');

    // The activity's retry: the open is found by its client id, the settings are not touched again.
    settingsFail = true;
    const results = await executeOrders(ctx, plan());
    assert.deepEqual(
      results.map((r) => [r.leg, r.status]),
      [
        ['open', 'filled'],
        ['stop_loss', 'placed'],
        ['take_profit', 'placed'],
      ],
    );
    assert.deepEqual(settings, ['leverage 5']);
    const recorded = await db.selectFrom('orders').select('purpose').where('client_order_id', '=', results[0]!.clientOrderId).execute();
    assert.deepEqual(recorded, [{ purpose: 'open' }]);
  });

  it('protects an open from an earlier attempt before anything that may fail, such as a leftover cancel', async () => {
    let lostAnswers = 1;
    let cancels = 0;
    const lossy = (venue: Venue): Venue =>
      Object.assign(Object.create(venue), {
        placeOrder: async (request: OrderRequest) => {
          const order = await venue.placeOrder(request);
          if (request.type === 'MARKET' && lostAnswers-- > 0) throw Object.assign(new Error('reply lost'), { name: 'VenueOutcomeUnknown' });
          return order;
        },
        cancelOrder: () => {
          cancels += 1;
          return Promise.reject(new Error('ECONNRESET'));
        },
      });
    const { ctx } = await context([[30000, 30000, 30000, 30000]], 4, lossy);
    const withLeftover: ExecutionPlan = { ...plan(), cancel: [{ symbol: 'ETHUSDT', clientOrderId: 'leftover-stop' }] };
    // First attempt: the cancel fails before the open is even sent.
    await assert.rejects(executeOrders(ctx, { ...withLeftover, cancel: [] }), /reply lost/);
    await assert.rejects(executeOrders(ctx, withLeftover), /ECONNRESET/);
    assert.equal(cancels, 3, 'the cancel was tried three times');
    const resting = (await ctx.venue.openOrders()).map((o) => o.type).sort();
    assert.deepEqual(resting, ['STOP_MARKET', 'TAKE_PROFIT_MARKET'], 'the open is protected although the attempt failed');
    const recorded = await db.selectFrom('orders').select('purpose').where('agent_id', '=', ctx.ledger.agentId).execute();
    assert.deepEqual(recorded.map((r) => r.purpose).sort(), ['open', 'stop_loss', 'take_profit']);
  });

  it('sets leverage again when its answer was lost (a setting is idempotent), and refuses the open on a refusal', async () => {
    let failures = 2;
    const settings: string[] = [];
    const flaky = (venue: Venue): Venue =>
      Object.assign(Object.create(venue), {
        setLeverage: (symbol: string, leverage: number) => {
          settings.push(`leverage ${leverage}`);
          return failures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : venue.setLeverage(symbol, leverage);
        },
      });
    const { ctx } = await context([[30000, 30000, 30000, 30000]], 4, flaky);
    const results = await executeOrders(ctx, plan());
    assert.deepEqual(settings, ['leverage 5', 'leverage 5', 'leverage 5']);
    assert.equal(results[0]!.status, 'filled');

    const { ctx: other } = await context([[30000, 30000, 30000, 30000]]);
    const refused = await executeOrders(other, plan({ leverage: 500 }));
    assert.deepEqual(
      refused.map((r) => [r.leg, r.status]),
      [['open', 'rejected']],
    );
  });

  it('protects again a position found without its stop-loss and take-profit', async () => {
    const { ctx } = await context([[30000, 30000, 30000, 30000]]);
    await executeOrders(ctx, plan());
    for (const o of await ctx.venue.openOrders('BTCUSDT')) await ctx.venue.cancelOrder('BTCUSDT', o.clientOrderId);
    const again = { ...ctx, cycleNo: ++cycle };
    const results = await executeOrders(again, {
      orders: [],
      cancel: [],
      protect: [{ symbol: 'BTCUSDT', side: 'long', quantity: 0.1, stopLoss: '29000.0', takeProfit: '32000.0' }],
    });
    assert.deepEqual(
      results.map((r) => [r.leg, r.status]),
      [
        ['stop_loss', 'placed'],
        ['take_profit', 'placed'],
      ],
    );
    assert.deepEqual((await ctx.venue.openOrders('BTCUSDT')).map((o) => o.type).sort(), ['STOP_MARKET', 'TAKE_PROFIT_MARKET']);
  });

  it('cancels leftover protection once a symbol is flat, and only then', async () => {
    const { ctx } = await context([[30000, 30000, 30000, 30000]]);
    await executeOrders(ctx, plan());
    // A reduce-only target with a quantity (placed by hand, say) outlives the position on the venue.
    await ctx.venue.placeOrder({
      clientOrderId: 'by-hand',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'TAKE_PROFIT_MARKET',
      stopPrice: '33000.0',
      quantity: '0.05',
      reduceOnly: true,
    });
    const holding = await executeOrders({ ...ctx, cycleNo: ++cycle }, { orders: [], protect: [], cancel: [] });
    assert.deepEqual(holding, [], 'nothing is cancelled on a symbol that still holds a position');
    const results = await executeOrders(
      { ...ctx, cycleNo: ++cycle },
      {
        orders: [{ kind: 'close', symbol: 'BTCUSDT', side: 'long', quantity: '0.1', leverage: 5, referencePrice: 30000 }],
        protect: [],
        cancel: [],
      },
    );
    assert.deepEqual(
      results.map((r) => [r.leg, r.status]),
      [
        ['close', 'filled'],
        ['cancel', 'canceled'],
      ],
    );
    assert.equal(results[1]!.clientOrderId, 'by-hand');
    assert.deepEqual(await ctx.venue.openOrders('BTCUSDT'), [], 'nothing left on a flat symbol');
  });

  it('refuses to touch the venue with an expired lease or a superseded token', async () => {
    const { ctx } = await context([[30000, 30000, 30000, 30000]]);
    const stale = await grant(ctx.fence.lockId, 1, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(
      executeOrders(executionContext(db, ctx.venue, ctx.ledger.agentId, ctx.cycleNo, stale), plan()),
      (err: unknown) => err instanceof FencingRejected && /lease of token 1 has expired/.test(err.message),
    );
    await grant(ctx.fence.lockId, 2, 60_000);
    await assert.rejects(
      executeOrders(executionContext(db, ctx.venue, ctx.ledger.agentId, ctx.cycleNo, { lockId: ctx.fence.lockId, token: 1 }), plan()),
      (err: unknown) => err instanceof FencingRejected && /superseded by 2/.test(err.message),
    );
    assert.equal((await paperOrders(ctx.venue.account)).length, 0, 'no order reached the venue');
    const results = await executeOrders(
      executionContext(db, ctx.venue, ctx.ledger.agentId, ctx.cycleNo, { lockId: ctx.fence.lockId, token: 2 }),
      plan(),
    );
    assert.equal(results[0]!.status, 'filled');
  });

  it('books a stop-loss hit between cycles with the venue exit price and reason', async () => {
    const { ctx, at } = await context([
      [30000, 30000, 30000, 30000],
      [29900, 29950, 28800, 28900],
    ]);
    await executeOrders(ctx, plan());
    const [closed] = await reconcile(db, at(5), ctx.ledger.agentId, ctx.cycleNo + 1);
    assert.equal(closed!.reason, 'stop_loss');
    assert.ok(Math.abs(closed!.exitPrice - 29000 * (1 - SLIP)) < 1e-9);
    const [trade] = await db
      .selectFrom('trades')
      .selectAll()
      .where('close_order_id', '=', (await at(5).filledOrders(0, ['BTCUSDT'])).at(-1)!.clientOrderId)
      .execute();
    const entry = 30000 * (1 + SLIP);
    const exit = 29000 * (1 - SLIP);
    const fees = 0.1 * entry * FEE + 0.1 * exit * FEE;
    assert.equal(trade!.status, 'closed');
    assert.equal(trade!.close_cycle, ctx.cycleNo + 1);
    assert.ok(Math.abs(Number(trade!.pnl) - (0.1 * (exit - entry) - fees)) < 1e-9, 'PnL = qty x (exit - entry) - fees, never x leverage');
    const stopOrder = await db
      .selectFrom('orders')
      .selectAll()
      .where('client_order_id', '=', trade!.close_order_id!)
      .executeTakeFirstOrThrow();
    assert.equal(stopOrder.status, 'FILLED', 'our record of the stop-loss follows the venue');
  });

  it('books a position closed by hand, or liquidated, with that reason and the venue fill', async () => {
    const byHand = await context([[30000, 30000, 30000, 30000]]);
    await executeOrders(byHand.ctx, plan());
    await byHand.ctx.venue.placeOrder({
      clientOrderId: 'phone-app',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.1',
      reduceOnly: true,
    });
    const [manual] = await reconcile(db, byHand.ctx.venue, byHand.ctx.ledger.agentId, byHand.ctx.cycleNo + 1);
    assert.equal(manual!.reason, 'manual');
    assert.ok(Math.abs(manual!.exitPrice - 30000 * (1 - SLIP)) < 1e-9);

    const crash = await context([
      [30000, 30000, 30000, 30000],
      [29000, 29000, 27000, 27500],
    ]);
    // 20x with a stop far below the liquidation price: the liquidation comes first.
    await executeOrders(crash.ctx, plan({ leverage: 20, stopLoss: '20000.0', takeProfit: '50000.0' }));
    const [liquidated] = await reconcile(db, crash.at(5), crash.ctx.ledger.agentId, crash.ctx.cycleNo + 1);
    assert.equal(liquidated!.reason, 'liquidation');
    const [trade] = await db.selectFrom('trades').selectAll().where('agent_id', '=', crash.ctx.ledger.agentId).execute();
    const margin = Number(trade!.margin);
    const entryFee = 0.1 * 30000 * (1 + SLIP) * FEE;
    assert.ok(Math.abs(Number(trade!.pnl) - (-margin - entryFee)) < 1e-6, `a liquidation loses the margin and the fees: ${trade!.pnl}`);
  });
});
