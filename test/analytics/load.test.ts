import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database } from '../../db/schema';
import {
  analyticsOf, loadAnalytics, loadClosedTrades, loadCurve, loadLeaderboard, loadLlmCost, loadPerformance, performanceOf,
  type AgentHead, type Range,
} from '../../analytics/load';
import { HOUR_MS, fillBars, toBars, type EquityCurve } from '../../analytics/metrics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { at, initialBalance, llmCalls, pureTrades, seedHistory, snapshots } from './fixture';

/** What the pure functions make of the fixture's own arrays over a range. */
function pureCurve(agent: string, range: Range = {}): EquityCurve {
  const inRange = (t: number) => (!range.from || t >= range.from.getTime()) && (!range.to || t < range.to.getTime());
  const all = snapshots[agent]!;
  const before = range.from ? all.filter((s) => s.time < range.from!.getTime()).at(-1) : undefined;
  return { opening: before?.equity ?? initialBalance[agent]!, bars: fillBars(toBars(all.filter((s) => inRange(s.time)))), intervalMs: HOUR_MS };
}

function pureClosed(agent: string, range: Range = {}) {
  return pureTrades(agent).filter((t) => (!range.from || t.closedAt >= range.from.getTime()) && (!range.to || t.closedAt < range.to.getTime()));
}

const head = (id: string): AgentHead => ({ id, name: id.toUpperCase(), provider: 'openai', model: `${id}-model`, initial_balance: initialBalance[id]! });

describe('analytics loaders (Postgres)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: Kysely<Database>;

  before(async () => {
    database = await createTestDatabase();
    db = createDb(database.url);
    await migrateToLatest(db);
    await seedHistory(db);
  });
  after(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const ranges: Array<[string, Range]> = [
    ['all time', {}],
    ['a range inside the history', { from: new Date(at('01T01:00')), to: new Date(at('02T01:00')) }],
    ['from only', { from: new Date(at('01T05:00')) }],
    ['a range after the history', { from: new Date(at('10T00:00')) }],
  ];

  for (const [label, range] of ranges) {
    it(`samples the curve in SQL exactly as toBars + fillBars do (${label})`, async () => {
      assert.deepEqual(await loadCurve(db, head('alpha'), range), pureCurve('alpha', range));
    });

    it(`performance equals the pure functions over the same data (${label})`, async () => {
      const cost = llmCalls.alpha!.filter((c) => {
        const t = snapshots.alpha!.find((s) => s.cycle === c.cycle)!.time;
        return (!range.from || t >= range.from.getTime()) && (!range.to || t < range.to.getTime());
      }).reduce((s, c) => s + c.cost, 0);
      const expected = performanceOf(head('alpha'), range, pureCurve('alpha', range), pureClosed('alpha', range), Number(cost.toFixed(10)));
      assert.deepEqual(await loadPerformance(db, 'alpha', range), expected);
    });

    it(`analytics equal the pure functions over the same data (${label})`, async () => {
      assert.deepEqual(await loadAnalytics(db, 'alpha', range), analyticsOf(head('alpha'), range, pureCurve('alpha', range), pureClosed('alpha', range)));
    });
  }

  it('reads closed trades only, in close order, with the booked PnL', async () => {
    const trades = await loadClosedTrades(db, 'alpha');
    assert.deepEqual(trades, pureTrades('alpha'));
    assert.deepEqual(trades.map((t) => t.pnl), [197.4, -206.1, 47.675, -21.49, 19.59]);
  });

  it('sums the model cost, over a range by the cycles in it', async () => {
    assert.equal(await loadLlmCost(db, 'alpha'), 0.06);
    assert.equal(await loadLlmCost(db, 'alpha', { from: new Date(at('01T05:00')), to: new Date(at('02T00:00')) }), 0.02);
    assert.equal(await loadLlmCost(db, 'idle'), 0);
  });

  it('the figures by hand for alpha, all time', async () => {
    const p = (await loadPerformance(db, 'alpha'))!;
    // trades: +197.4, −206.1, +47.675, −21.49, +19.59
    assert.equal(p.total_trades, 5);
    assert.equal(p.win_rate, 60);
    assert.equal(p.total_pnl, 37.075); // 197.4 − 206.1 + 47.675 − 21.49 + 19.59
    assert.equal(p.gross_profit, 264.665); // 197.4 + 47.675 + 19.59
    assert.equal(p.gross_loss, -227.59); // −206.1 − 21.49
    assert.equal(p.largest_loss, -206.1);
    assert.equal(p.current_streak, 1);
    assert.equal(p.fees_paid, 14.275); // 4.1 + 6.1 + 2.075 + 1.49 + 0.51
    assert.equal(p.funding_paid, -1.35); // −(1.5 − 0.25 + 0.1): received on balance
    // equity 10,000 → 10,250.5
    assert.equal(p.start_equity, 10000);
    assert.equal(p.end_equity, 10250.5);
    assert.equal(p.equity_pnl, 250.5);
    assert.equal(p.return_pct, 2.505);
    // hourly closes: 00h 10050, 01h 9980, 02h–04h 9980 (filled), 05h 9900, … 23h 10200; day 2: 00h 10150, 02h 10250.5
    // deepest fall: 10,050 → 9,900 = 150 = 1.4925 %, recovered at 23h (10,200 ≥ 10,050): 23 h
    assert.equal(p.max_drawdown, 150);
    assert.ok(Math.abs(p.max_drawdown_pct! - 15000 / 10050) < 1e-12);
    assert.equal(p.max_drawdown_duration_seconds, 23 * 3600);
    assert.equal(p.max_drawdown_recovered, true);
    assert.equal(p.snapshots, 9);
    assert.equal(p.daily_pnl_date, '2025-03-02');
    assert.equal(p.daily_pnl, 50.5); // 10,250.5 − 10,200
    assert.equal(p.llm_cost_usd, 0.06);
  });

  it('an agent without history: zeros and nulls; an unknown agent: undefined', async () => {
    const p = (await loadPerformance(db, 'idle'))!;
    assert.equal(p.total_trades, 0);
    assert.equal(p.sharpe_ratio, null);
    assert.equal(p.max_drawdown, null);
    assert.equal(p.end_equity, 1000);
    assert.equal(p.return_pct, 0);
    assert.ok(!JSON.stringify(p).includes('NaN'));
    assert.equal(await loadPerformance(db, 'nobody'), undefined);
    assert.equal(await loadAnalytics(db, 'nobody'), undefined);
  });

  it('analytics by hand: per symbol, per close reason, long vs short', async () => {
    const a = (await loadAnalytics(db, 'alpha'))!;
    // BTCUSDT: +197.4 and +47.675 = 245.075 (2 wins); XRPUSDT +19.59; SOLUSDT −21.49; ETHUSDT −206.1
    assert.deepEqual(a.by_symbol.map((g) => [g.symbol, g.trades, g.win_rate, g.total_pnl]),
      [['BTCUSDT', 2, 100, 245.075], ['XRPUSDT', 1, 100, 19.59], ['SOLUSDT', 1, 0, -21.49], ['ETHUSDT', 1, 0, -206.1]]);
    // take_profit 197.4 + 19.59 = 216.99; signal 47.675; stop_loss −206.1 − 21.49 = −227.59
    assert.deepEqual(a.by_close_reason.map((g) => [g.close_reason, g.trades, g.total_pnl]),
      [['take_profit', 2, 216.99], ['signal', 1, 47.675], ['stop_loss', 2, -227.59]]);
    // longs 197.4 − 21.49 + 19.59 = 195.5; shorts −206.1 + 47.675 = −158.425
    assert.deepEqual(a.by_side.map((g) => [g.side, g.trades, g.total_pnl]), [['long', 3, 195.5], ['short', 2, -158.425]]);
    assert.deepEqual(a.daily.map((d) => [d.date, d.close_equity, d.pnl]), [['2025-03-01', 10200, 200], ['2025-03-02', 10250.5, 50.5]]);
    assert.equal(a.drawdowns.worst[0]!.amount, 150);
  });

  it('the leaderboard: by return, with PnL, Sharpe, drawdown, win rate, trades and model cost', async () => {
    const board = await loadLeaderboard(db);
    // beta 5,000 → 5,500 = 10 %; alpha 2.505 %; idle 0 %
    assert.deepEqual(board.map((r) => [r.rank, r.agent_id, r.return_pct, r.pnl, r.trades, r.llm_cost_usd]), [
      [1, 'beta', 10, 500, 1, 0], [2, 'alpha', 2.505, 250.5, 5, 0.06], [3, 'idle', 0, 0, 0, 0],
    ]);
    const alpha = (await loadPerformance(db, 'alpha'))!;
    assert.deepEqual(board[1], {
      rank: 2, agent_id: 'alpha', name: 'ALPHA', provider: 'openai', model: 'alpha-model', initial_balance: 10000,
      equity: 10250.5, return_pct: 2.505, pnl: 250.5, sharpe_ratio: alpha.sharpe_ratio, max_drawdown_pct: alpha.max_drawdown_pct,
      win_rate: 60, trades: 5, llm_cost_usd: 0.06,
    });
  });
});
