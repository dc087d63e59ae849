import type { Kysely } from 'kysely';
import { findAgent, listAgents } from '../db/agents';
import { equityBefore, equityBuckets, snapshotSpan } from '../db/equity-snapshots';
import { totalCost } from '../db/llm-calls';
import type { Database } from '../db/schema';
import { closedTrades, tradesOpenAt } from '../db/trades';
import {
  analyticsOf,
  leaderboardOf,
  performanceOf,
  type AgentHead,
  type Analytics,
  type LeaderboardRow,
  type Performance,
  type Range,
  type SnapshotWindow,
} from './answers';
import { chanceNotComputed, type ChanceBenchmark } from './chance';
import { SAMPLING, curvePnl, fillBars, type Bar, type ClosedTrade, type EquityCurve, type OpenTrade } from './metrics';

/**
 * Performance, analytics and the leaderboard from Postgres. The heavy reduction happens in SQL:
 * equity snapshots come back as one row per sampling interval (never the raw snapshots), trades as
 * the few columns the statistics read; the answers are assembled by `./answers`. Equity times are
 * market times (the replay's clock), as the trades' open and close times.
 */

/** The agent's performance over the range; undefined for an unknown agent. */
export async function loadPerformance(
  db: Kysely<Database>,
  agentId: string,
  range: Range = {},
  chance: ChanceBenchmark = chanceNotComputed,
): Promise<Performance | undefined> {
  const agent = await loadAgent(db, agentId);
  if (!agent) return undefined;
  const [curve, window, closed, open, llmCost] = await Promise.all([
    loadCurve(db, agent, range),
    loadWindow(db, agentId, range),
    loadClosedTrades(db, agentId, range),
    loadOpenTrades(db, agentId, range),
    loadLlmCost(db, agentId, range),
  ]);
  const returnPct = curvePnl(curve).returnPct;
  const vsRandom =
    window && returnPct !== null ? await chance({ agentId, from: new Date(window.first), to: new Date(window.last), returnPct }) : null;
  return performanceOf(agent, range, { curve, window, closed, open, llmCost, vsRandom });
}

/** The agent's detailed analytics over the range; undefined for an unknown agent. */
export async function loadAnalytics(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<Analytics | undefined> {
  const agent = await loadAgent(db, agentId);
  if (!agent) return undefined;
  const [curve, window, closed] = await Promise.all([
    loadCurve(db, agent, range),
    loadWindow(db, agentId, range),
    loadClosedTrades(db, agentId, range),
  ]);
  return analyticsOf(agent, range, { curve, window, closed });
}

/** Every agent ranked by return; `performance` lets a cache supply each agent's all-time performance. */
export async function loadLeaderboard(
  db: Kysely<Database>,
  performance: (agentId: string) => Promise<Performance | undefined> = (id) => loadPerformance(db, id),
): Promise<LeaderboardRow[]> {
  const agents = await loadAgents(db);
  return leaderboardOf(agents, await Promise.all(agents.map((a) => performance(a.id))));
}

export async function loadAgents(db: Kysely<Database>): Promise<AgentHead[]> {
  return (await listAgents(db)).map(head);
}

async function loadAgent(db: Kysely<Database>, agentId: string): Promise<AgentHead | undefined> {
  const row = await findAgent(db, agentId);
  return row && head(row);
}

const head = (r: { id: string; name: string; provider: string; model: string; initial_balance: string }): AgentHead => ({
  id: r.id,
  name: r.name,
  provider: r.provider,
  model: r.model,
  initial_balance: Number(r.initial_balance),
});

/**
 * The equity curve over the range at the fixed sampling. SQL returns one row per interval with
 * a snapshot (the same reduction as `toBars`: last equity, share with positions) and `fillBars`
 * makes the grid. The opening is the last snapshot before `from`, else the initial balance.
 */
export async function loadCurve(
  db: Kysely<Database>,
  agent: AgentHead,
  range: Range = {},
  intervalMs: number = SAMPLING.intervalMs,
): Promise<EquityCurve> {
  const bars: Bar[] = (await equityBuckets(db, agent.id, range, intervalMs)).map((r) => ({
    start: r.bucket * intervalMs,
    close: r.equity,
    exposed: r.exposed / r.samples,
    lastExposed: r.positionCount > 0,
    samples: r.samples,
  }));
  const before = range.from ? await equityBefore(db, agent.id, range.from) : null;
  return { opening: before ?? agent.initial_balance, bars: fillBars(bars, intervalMs), intervalMs };
}

/** Market time of the first and the last snapshot in the range; null without one. */
export async function loadWindow(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<SnapshotWindow | null> {
  const span = await snapshotSpan(db, agentId, range);
  return span && { first: span.first.getTime(), last: span.last.getTime() };
}

/** Closed trades in the range (by close time), in close order, with the columns the statistics read. */
export async function loadClosedTrades(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<ClosedTrade[]> {
  return (await closedTrades(db, agentId, range)).map((t) => ({
    symbol: t.symbol,
    side: t.side,
    pnl: Number(t.pnl ?? 0),
    margin: Number(t.margin),
    fees: Number(t.fees),
    funding: Number(t.funding),
    openedAt: t.opened_at.getTime(),
    closedAt: (t.closed_at ?? t.opened_at).getTime(),
    closeReason: t.close_reason,
  }));
}

/** Trades open at the end of the range (open now without `to`), with their fees and funding so far (db/trades.ts). */
export async function loadOpenTrades(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<OpenTrade[]> {
  return (await tradesOpenAt(db, agentId, range.to)).map((t) => ({
    symbol: t.symbol,
    side: t.side,
    margin: Number(t.margin),
    fees: Number(t.opening_fee),
    funding: t.funding === null ? null : Number(t.funding),
    openedAt: t.opened_at.getTime(),
  }));
}

/** Σ llm_calls.cost_usd; with a range, the calls of the cycles whose market time is in it. */
export async function loadLlmCost(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<number> {
  return totalCost(db, agentId, range);
}
