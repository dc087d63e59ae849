import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database } from '../../db/schema';
import { analyticsOf, performanceOf, type AgentHead, type Range } from '../../analytics/answers';
import { cachedAnalytics } from '../../analytics/cache';
import { NOT_COMPUTED, type ChanceQuery } from '../../analytics/chance';
import {
  loadAnalytics,
  loadClosedTrades,
  loadCurve,
  loadLeaderboard,
  loadLlmCost,
  loadOpenTrades,
  loadPerformance,
  loadWindow,
} from '../../analytics/load';
import { HOUR_MS, fillBars, toBars, type EquityCurve } from '../../analytics/metrics';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { at, initialBalance, llmCalls, pureOpen, pureTrades, pureWindow, seedHistory, snapshots } from './fixture';

/** What the pure functions make of the fixture's own arrays over a range. */
function pureCurve(agent: string, range: Range = {}): EquityCurve {
  const inRange = (t: number) => (!range.from || t >= range.from.getTime()) && (!range.to || t < range.to.getTime());
  const all = snapshots[agent]!;
  const before = range.from ? all.filter((s) => s.time < range.from!.getTime()).at(-1) : undefined;
  return {
    opening: before?.equity ?? initialBalance[agent]!,
    bars: fillBars(toBars(all.filter((s) => inRange(s.time)))),
    intervalMs: HOUR_MS,
  };
}

function pureClosed(agent: string, range: Range = {}) {
  return pureTrades(agent).filter(
    (t) => (!range.from || t.closedAt >= range.from.getTime()) && (!range.to || t.closedAt < range.to.getTime()),
  );
}

const head = (id: string): AgentHead => ({
  id,
  name: id.toUpperCase(),
  provider: 'openai',
  model: `${id}-model`,
  initial_balance: initialBalance[id]!,
});

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
      const cost = llmCalls
        .alpha!.filter((c) => {
          const t = snapshots.alpha!.find((s) => s.cycle === c.cycle)!.time;
          return (!range.from || t >= range.from.getTime()) && (!range.to || t < range.to.getTime());
        })
        .reduce((s, c) => s + c.cost, 0);
      const expected = performanceOf(head('alpha'), range, {
        curve: pureCurve('alpha', range),
        window: pureWindow('alpha', range),
        closed: pureClosed('alpha', range),
        open: pureOpen('alpha', range),
        llmCost: Number(cost.toFixed(10)),
        vsRandom: null,
      });
      assert.deepEqual(await loadPerformance(db, 'alpha', range), expected);
    });

    it(`analytics equal the pure functions over the same data (${label})`, async () => {
      assert.deepEqual(
        await loadAnalytics(db, 'alpha', range),
        analyticsOf(head('alpha'), range, {
          curve: pureCurve('alpha', range),
          window: pureWindow('alpha', range),
          closed: pureClosed('alpha', range),
        }),
      );
    });

    it(`reads the first and last snapshot's market time and the trades open at the end (${label})`, async () => {
      assert.deepEqual(await loadWindow(db, 'alpha', range), pureWindow('alpha', range));
      assert.deepEqual(await loadOpenTrades(db, 'alpha', range), pureOpen('alpha', range));
    });
  }

  it('reads closed trades only, in close order, with the booked PnL', async () => {
    const trades = await loadClosedTrades(db, 'alpha');
    assert.deepEqual(trades, pureTrades('alpha'));
    assert.deepEqual(
      trades.map((t) => t.pnl),
      [197.4, -206.1, 47.675, -21.49, 19.59],
    );
  });

  it('open trades by hand: the opening fee so far and the funding settled while open, at the end of the range', async () => {
    const open = async (to?: string) =>
      (await loadOpenTrades(db, 'alpha', to ? { to: new Date(at(to)) } : {})).map((t) => [t.symbol, t.side, t.fees, t.funding]);
    // Open now: BTCUSDT long since 02T02:20, its opening fee 2.05; funding −0.42 at 02:25 and −0.13 at 08:00
    // (not −0.7 before it opened, not −0.9 at the opening instant: the position before's; not ETHUSDT's,
    // not the commission, not beta's account).
    assert.deepEqual(await open(), [['BTCUSDT', 'long', 2.05, -0.55]]);
    assert.deepEqual(await open('02T08:00'), [['BTCUSDT', 'long', 2.05, -0.42]]); // 08:00 is not before the end
    assert.deepEqual(await open('02T02:25'), [['BTCUSDT', 'long', 2.05, 0]]);
    // At 02T01:00 the SOLUSDT long (02T00:05 → closed 02T01:00, not before the end) was open: its opening
    // fill's fee 0.75, not the 1.49 of both legs the trade holds since its close.
    assert.deepEqual(await open('02T01:00'), [['SOLUSDT', 'long', 0.75, 0]]);
    // At 01T02:00 the ETHUSDT short (01:20 → 03:00): opening fee 3.0 of 6.1.
    assert.deepEqual(await open('01T02:00'), [['ETHUSDT', 'short', 3, 0]]);
    assert.deepEqual(await open('01T00:00'), []);
  });

  it('sums the model cost, over a range by the cycles in it', async () => {
    assert.equal(await loadLlmCost(db, 'alpha'), 0.06);
    assert.equal(await loadLlmCost(db, 'alpha', { from: new Date(at('01T05:00')), to: new Date(at('02T00:00')) }), 0.02);
    assert.equal(await loadLlmCost(db, 'idle'), 0);
  });

  it('the figures by hand for alpha, all time', async () => {
    const p = (await loadPerformance(db, 'alpha'))!;
    // The market time they describe: the newest snapshot (02T02:30), over the snapshots from 01T00:00.
    assert.equal(p.as_of, '2025-03-02T02:30:00.000Z');
    assert.deepEqual(p.window, { from: '2025-03-01T00:00:00.000Z', to: '2025-03-02T02:30:00.000Z' });
    // 26.5 h; hourly bars 01T00h … 02T02h = 27 returns; equity moved in 6 of them: 00h, 01h, 05h, 23h, 02T00h, 02T02h
    const sample = { market_hours: 26.5, returns: 27, active_returns: 6, closed_trades: 5 };
    assert.deepEqual(p.sample, sample);
    // closed trades: +197.4, −206.1, +47.675, −21.49, +19.59
    assert.equal(p.total_trades, 5);
    assert.equal(p.win_rate, 60);
    assert.equal(p.total_pnl, 37.075); // 197.4 − 206.1 + 47.675 − 21.49 + 19.59
    assert.equal(p.gross_profit, 264.665); // 197.4 + 47.675 + 19.59
    assert.equal(p.gross_loss, -227.59); // −206.1 − 21.49
    assert.equal(p.largest_loss, -206.1);
    assert.equal(p.current_streak, 1);
    // One trade open: its opening fee 2.05 and the funding settled while open (−0.42 − 0.13) count.
    assert.equal(p.open_trades, 1);
    assert.equal(p.open_fees_paid, 2.05);
    assert.equal(p.open_funding_paid, 0.55);
    assert.equal(p.open_funding_paid_note, null);
    assert.equal(p.fees_paid, 16.325); // closed 4.1 + 6.1 + 2.075 + 1.49 + 0.51 = 14.275, open 2.05
    assert.equal(p.funding_paid, -0.8); // closed −(1.5 − 0.25 + 0.1) = −1.35 (received), open +0.55 (paid)
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
    // 26.5 hours and 5 trades support no ratio: each is null and says why, on the same sample.
    assert.equal(p.sharpe_ratio, null);
    assert.deepEqual(p.sharpe_ratio_note, {
      reason: 'needs at least 7 days of market time (has 26.5 h) and at least 30 hours in which equity moved (has 6)',
      sample,
    });
    assert.equal(p.sortino_ratio, null);
    assert.deepEqual(p.sortino_ratio_note, p.sharpe_ratio_note);
    assert.equal(p.annualized_return_pct, null);
    assert.deepEqual(p.annualized_return_pct_note, { reason: 'needs at least 365 days of market time (has 26.5 h)', sample });
    assert.equal(p.calmar_ratio, null);
    assert.deepEqual(p.calmar_ratio_note, p.annualized_return_pct_note);
    assert.equal(p.profit_factor, null); // 264.665 / 227.59 = 1.16 on 5 trades: not stated
    assert.deepEqual(p.profit_factor_note, { reason: 'needs at least 30 closed trades (has 5)', sample });
    assert.equal(p.vs_random_entry, null);
    assert.deepEqual(p.vs_random_entry_note, { reason: NOT_COMPUTED, sample });
  });

  it('better than chance: what the benchmark is asked, and its answer in the performance and the leaderboard', async () => {
    const asked: ChanceQuery[] = [];
    const answer = { percentile: 87.5, runs: 200, p_value: 0.125 };
    const chance = async (q: ChanceQuery) => {
      asked.push(q);
      return q.agentId === 'alpha' ? answer : null;
    };
    const p = (await loadPerformance(db, 'alpha', {}, chance))!;
    assert.deepEqual(asked, [{ agentId: 'alpha', from: new Date(at('01T00:00')), to: new Date(at('02T02:30')), returnPct: 2.505 }]);
    assert.deepEqual([p.vs_random_entry, p.vs_random_entry_note], [answer, null]);
    // No snapshot, no window to compare: the benchmark is not asked.
    assert.equal((await loadPerformance(db, 'idle', {}, chance))!.vs_random_entry_note!.reason, 'no market time recorded yet');
    assert.equal(asked.length, 1);
    const board = await cachedAnalytics(db, { chance }).leaderboard();
    assert.deepEqual(board.find((e) => e.agent_id === 'alpha')!.vs_random_entry, answer);
    assert.equal(board.find((e) => e.agent_id === 'beta')!.vs_random_entry_note!.reason, NOT_COMPUTED);
  });

  it('an agent without history: zeros and nulls; an unknown agent: undefined', async () => {
    const p = (await loadPerformance(db, 'idle'))!;
    assert.equal(p.total_trades, 0);
    assert.equal(p.open_trades, 0);
    assert.equal(p.sharpe_ratio, null);
    assert.equal(
      p.sharpe_ratio_note!.reason,
      'needs at least 7 days of market time (has 0 h) and at least 30 hours in which equity moved (has 0)',
    );
    assert.equal(p.max_drawdown, null);
    assert.equal(p.end_equity, 1000);
    assert.equal(p.return_pct, 0);
    assert.equal(p.as_of, null);
    assert.deepEqual(p.window, { from: null, to: null });
    assert.ok(!JSON.stringify(p).includes('NaN'));
    assert.equal(await loadPerformance(db, 'nobody'), undefined);
    assert.equal(await loadAnalytics(db, 'nobody'), undefined);
  });

  it('analytics by hand: per symbol, per close reason, long vs short', async () => {
    const a = (await loadAnalytics(db, 'alpha'))!;
    // BTCUSDT: +197.4 and +47.675 = 245.075 (2 wins); XRPUSDT +19.59; SOLUSDT −21.49; ETHUSDT −206.1
    assert.deepEqual(
      a.by_symbol.map((g) => [g.symbol, g.trades, g.win_rate, g.total_pnl]),
      [
        ['BTCUSDT', 2, 100, 245.075],
        ['XRPUSDT', 1, 100, 19.59],
        ['SOLUSDT', 1, 0, -21.49],
        ['ETHUSDT', 1, 0, -206.1],
      ],
    );
    // take_profit 197.4 + 19.59 = 216.99; signal 47.675; stop_loss −206.1 − 21.49 = −227.59
    assert.deepEqual(
      a.by_close_reason.map((g) => [g.close_reason, g.trades, g.total_pnl]),
      [
        ['take_profit', 2, 216.99],
        ['signal', 1, 47.675],
        ['stop_loss', 2, -227.59],
      ],
    );
    // longs 197.4 − 21.49 + 19.59 = 195.5; shorts −206.1 + 47.675 = −158.425
    assert.deepEqual(
      a.by_side.map((g) => [g.side, g.trades, g.total_pnl]),
      [
        ['long', 3, 195.5],
        ['short', 2, -158.425],
      ],
    );
    assert.deepEqual(
      a.daily.map((d) => [d.date, d.close_equity, d.pnl]),
      [
        ['2025-03-01', 10200, 200],
        ['2025-03-02', 10250.5, 50.5],
      ],
    );
    assert.equal(a.drawdowns.worst[0]!.amount, 150);
  });

  it("the leaderboard: by return, at the arena's one market time, each agent with its own as-of", async () => {
    const board = await loadLeaderboard(db);
    // beta 5,000 → 5,500 = 10 %; alpha 2.505 %; idle 0 %
    assert.deepEqual(
      board.map((r) => [r.rank, r.agent_id, r.return_pct, r.pnl, r.trades, r.open_trades, r.llm_cost_usd]),
      [
        [1, 'beta', 10, 500, 1, 0, 0],
        [2, 'alpha', 2.505, 250.5, 5, 1, 0.06],
        [3, 'idle', 0, 0, 0, 0, 0],
      ],
    );
    // The arena's market time: alpha's newest snapshot (02T02:30), the newest of any agent. beta's
    // figures stop at 01T12:00: 14.5 h behind; idle has none.
    assert.deepEqual(
      board.map((r) => [r.agent_id, r.market_time, r.as_of, r.behind_seconds]),
      [
        ['beta', '2025-03-02T02:30:00.000Z', '2025-03-01T12:00:00.000Z', 14.5 * 3600],
        ['alpha', '2025-03-02T02:30:00.000Z', '2025-03-02T02:30:00.000Z', 0],
        ['idle', '2025-03-02T02:30:00.000Z', null, null],
      ],
    );
    const alpha = (await loadPerformance(db, 'alpha'))!;
    assert.deepEqual(board[1], {
      rank: 2,
      agent_id: 'alpha',
      name: 'ALPHA',
      provider: 'openai',
      model: 'alpha-model',
      initial_balance: 10000,
      equity: 10250.5,
      return_pct: 2.505,
      pnl: 250.5,
      sharpe_ratio: null,
      sharpe_ratio_note: alpha.sharpe_ratio_note,
      max_drawdown_pct: alpha.max_drawdown_pct,
      win_rate: 60,
      trades: 5,
      open_trades: 1,
      llm_cost_usd: 0.06,
      market_time: '2025-03-02T02:30:00.000Z',
      as_of: '2025-03-02T02:30:00.000Z',
      behind_seconds: 0,
      vs_random_entry: null,
      vs_random_entry_note: alpha.vs_random_entry_note,
    });
  });
});
