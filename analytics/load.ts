import type { Kysely } from 'kysely';
import { findAgent, listAgents } from '../db/agents';
import { equityBefore, equityBuckets } from '../db/equity-snapshots';
import { totalCost } from '../db/llm-calls';
import type { Database } from '../db/schema';
import { closedTrades } from '../db/trades';
import {
  SAMPLING, annualizedReturnPct, calmarRatio, curvePnl, dailyPnl, drawdowns, exposurePct, fillBars, formatDuration,
  groupStats, maxDrawdown, periodReturns, sharpeRatio, sortinoRatio, tradeStats,
  type Bar, type ClosedTrade, type Drawdown, type EquityCurve, type TradeStats,
} from './metrics';

/**
 * Performance, analytics and the leaderboard from Postgres. The heavy reduction happens in SQL:
 * equity snapshots come back as one row per sampling interval (never the raw snapshots), closed
 * trades as the few columns the statistics read; the formulas are the ones of `./metrics`.
 * Equity times are market times (the replay's clock), as the trades' open and close times.
 */

/** A market-time window `[from, to)`, as the API's lists: snapshots by market time, trades by close time. */
export interface Range {
  from?: Date;
  to?: Date;
}

export interface AgentHead {
  id: string;
  name: string;
  provider: string;
  model: string;
  initial_balance: number;
}

export interface Performance {
  agent_id: string;
  from: string | null;
  to: string | null;
  sampling: { interval: string; periods_per_year: number };
  // The seed's PerformanceMetrics (closed trades, then the equity curve).
  total_trades: number;
  winning_trades: number;
  losing_trades: number;
  win_rate: number | null;
  total_pnl: number;
  gross_profit: number;
  gross_loss: number;
  profit_factor: number | null;
  sharpe_ratio: number | null;
  max_drawdown: number | null;
  max_drawdown_pct: number | null;
  avg_win: number | null;
  avg_loss: number | null;
  avg_trade_duration: string | null;
  largest_win: number | null;
  largest_loss: number | null;
  current_streak: number;
  // More from the trades.
  breakeven_trades: number;
  avg_pnl: number | null;
  longest_win_streak: number;
  longest_loss_streak: number;
  avg_holding_seconds: number | null;
  fees_paid: number;
  funding_paid: number;
  avg_return_on_margin_pct: number | null;
  // More from the equity curve.
  start_equity: number;
  end_equity: number;
  equity_pnl: number;
  return_pct: number | null;
  daily_pnl: number | null;
  daily_pnl_date: string | null;
  annualized_return_pct: number | null;
  sortino_ratio: number | null;
  calmar_ratio: number | null;
  max_drawdown_duration_seconds: number | null;
  max_drawdown_recovered: boolean | null;
  exposure_pct: number | null;
  snapshots: number;
  sampled_from: string | null;
  sampled_to: string | null;
  llm_cost_usd: number;
}

export interface GroupRow {
  trades: number;
  winning_trades: number;
  losing_trades: number;
  win_rate: number | null;
  total_pnl: number;
  avg_pnl: number | null;
  profit_factor: number | null;
}

export interface DrawdownRow {
  peak_at: string;
  peak_equity: number;
  trough_at: string;
  trough_equity: number;
  recovered_at: string | null;
  amount: number;
  pct: number;
  duration_seconds: number;
}

export interface Analytics {
  agent_id: string;
  from: string | null;
  to: string | null;
  sampling: { interval: string; periods_per_year: number };
  by_symbol: Array<{ symbol: string } & GroupRow>;
  by_close_reason: Array<{ close_reason: string } & GroupRow>;
  by_side: Array<{ side: string } & GroupRow>;
  daily: Array<{ date: string; close_equity: number; pnl: number; return_pct: number | null }>;
  /** The deepest drawdown episodes (by %), at most `WORST_DRAWDOWNS`, and how many there were. */
  drawdowns: { count: number; worst: DrawdownRow[] };
}

export interface LeaderboardRow {
  rank: number;
  agent_id: string;
  name: string;
  provider: string;
  model: string;
  initial_balance: number;
  equity: number;
  return_pct: number | null;
  pnl: number;
  sharpe_ratio: number | null;
  max_drawdown_pct: number | null;
  win_rate: number | null;
  trades: number;
  llm_cost_usd: number;
}

export const WORST_DRAWDOWNS = 5;

// ---------------------------------------------------------------------------------------------
// Loaders

/** The agent's performance over the range; undefined for an unknown agent. */
export async function loadPerformance(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<Performance | undefined> {
  const agent = await loadAgent(db, agentId);
  if (!agent) return undefined;
  const [curve, trades, cost] = await Promise.all([
    loadCurve(db, agent, range), loadClosedTrades(db, agentId, range), loadLlmCost(db, agentId, range),
  ]);
  return performanceOf(agent, range, curve, trades, cost);
}

/** The agent's detailed analytics over the range; undefined for an unknown agent. */
export async function loadAnalytics(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<Analytics | undefined> {
  const agent = await loadAgent(db, agentId);
  if (!agent) return undefined;
  const [curve, trades] = await Promise.all([loadCurve(db, agent, range), loadClosedTrades(db, agentId, range)]);
  return analyticsOf(agent, range, curve, trades);
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
  id: r.id, name: r.name, provider: r.provider, model: r.model, initial_balance: Number(r.initial_balance),
});

/**
 * The equity curve over the range at the fixed sampling. SQL returns one row per interval with
 * a snapshot (the same reduction as `toBars`: last equity, share with positions) and `fillBars`
 * makes the grid. The opening is the last snapshot before `from`, else the initial balance.
 */
export async function loadCurve(db: Kysely<Database>, agent: AgentHead, range: Range = {}, intervalMs: number = SAMPLING.intervalMs): Promise<EquityCurve> {
  const bars: Bar[] = (await equityBuckets(db, agent.id, range, intervalMs)).map((r) => ({
    start: r.bucket * intervalMs, close: r.equity, exposed: r.exposed / r.samples, lastExposed: r.positionCount > 0, samples: r.samples,
  }));
  const before = range.from ? await equityBefore(db, agent.id, range.from) : null;
  return { opening: before ?? agent.initial_balance, bars: fillBars(bars, intervalMs), intervalMs };
}

/** Closed trades in the range (by close time), in close order, with the columns the statistics read. */
export async function loadClosedTrades(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<ClosedTrade[]> {
  return (await closedTrades(db, agentId, range)).map((t) => ({
    symbol: t.symbol, side: t.side, pnl: Number(t.pnl ?? 0), margin: Number(t.margin), fees: Number(t.fees),
    funding: Number(t.funding), openedAt: t.opened_at.getTime(), closedAt: (t.closed_at ?? t.opened_at).getTime(),
    closeReason: t.close_reason,
  }));
}

/** Σ llm_calls.cost_usd; with a range, the calls of the cycles whose market time is in it. */
export async function loadLlmCost(db: Kysely<Database>, agentId: string, range: Range = {}): Promise<number> {
  return totalCost(db, agentId, range);
}

// ---------------------------------------------------------------------------------------------
// Assembly (pure): the API's shapes from the metrics

export function performanceOf(agent: AgentHead, range: Range, curve: EquityCurve, trades: ClosedTrade[], llmCost: number): Performance {
  const t = tradeStats(trades);
  const returns = periodReturns(curve);
  const mdd = maxDrawdown(curve);
  const equity = curvePnl(curve);
  const annualized = annualizedReturnPct(curve);
  const lastDay = dailyPnl(curve).pop();
  const first = curve.bars[0];
  const last = curve.bars[curve.bars.length - 1];
  return {
    agent_id: agent.id, ...rangeOf(range), sampling: samplingOf(),
    total_trades: t.totalTrades,
    winning_trades: t.winningTrades,
    losing_trades: t.losingTrades,
    win_rate: t.winRatePct,
    total_pnl: t.totalPnl,
    gross_profit: t.grossProfit,
    gross_loss: t.grossLoss,
    profit_factor: t.profitFactor,
    sharpe_ratio: sharpeRatio(returns),
    max_drawdown: mdd?.amount ?? null,
    max_drawdown_pct: mdd?.pct ?? null,
    avg_win: t.avgWin,
    avg_loss: t.avgLoss,
    avg_trade_duration: formatDuration(t.avgHoldingSeconds),
    largest_win: t.largestWin,
    largest_loss: t.largestLoss,
    current_streak: t.currentStreak,
    breakeven_trades: t.breakevenTrades,
    avg_pnl: t.avgPnl,
    longest_win_streak: t.longestWinStreak,
    longest_loss_streak: t.longestLossStreak,
    avg_holding_seconds: t.avgHoldingSeconds,
    fees_paid: t.feesPaid,
    funding_paid: t.fundingPaid,
    avg_return_on_margin_pct: t.avgReturnOnMarginPct,
    start_equity: equity.start,
    end_equity: equity.end,
    equity_pnl: equity.pnl,
    return_pct: equity.returnPct,
    daily_pnl: lastDay?.pnl ?? null,
    daily_pnl_date: lastDay?.date ?? null,
    annualized_return_pct: annualized,
    sortino_ratio: sortinoRatio(returns),
    calmar_ratio: calmarRatio(annualized, mdd?.pct ?? null),
    max_drawdown_duration_seconds: mdd ? mdd.durationMs / 1000 : null,
    max_drawdown_recovered: mdd ? mdd.episode === null || mdd.episode.recoveredAt !== null : null,
    exposure_pct: exposurePct(curve),
    snapshots: curve.bars.reduce((s, b) => s + b.samples, 0),
    sampled_from: first ? new Date(first.start).toISOString() : null,
    sampled_to: last ? new Date(last.start).toISOString() : null,
    llm_cost_usd: llmCost,
  };
}

export function analyticsOf(agent: AgentHead, range: Range, curve: EquityCurve, trades: ClosedTrade[]): Analytics {
  const groups = <K extends string>(name: K, key: (t: ClosedTrade) => string) => groupStats(trades, key)
    .map((g) => ({ [name]: g.key, ...groupRow(g.stats) }) as { [P in K]: string } & GroupRow)
    .sort((a, b) => b.total_pnl - a.total_pnl);
  const episodes = drawdowns(curve);
  return {
    agent_id: agent.id, ...rangeOf(range), sampling: samplingOf(),
    by_symbol: groups('symbol', (t) => t.symbol),
    by_close_reason: groups('close_reason', (t) => t.closeReason ?? 'unknown'),
    by_side: groups('side', (t) => t.side),
    daily: dailyPnl(curve).map((d) => ({ date: d.date, close_equity: d.close, pnl: d.pnl, return_pct: d.returnPct })),
    drawdowns: {
      count: episodes.length,
      worst: [...episodes].sort((a, b) => b.pct - a.pct).slice(0, WORST_DRAWDOWNS).map(drawdownRow),
    },
  };
}

/** Ranked by return (highest first; an agent without a return last), then by id. */
export function leaderboardOf(agents: AgentHead[], performances: Array<Performance | undefined>): LeaderboardRow[] {
  const rows = agents.flatMap((a, i) => {
    const p = performances[i];
    if (!p) return [];
    return [{
      rank: 0, agent_id: a.id, name: a.name, provider: a.provider, model: a.model, initial_balance: a.initial_balance,
      equity: p.end_equity, return_pct: p.return_pct, pnl: p.equity_pnl, sharpe_ratio: p.sharpe_ratio,
      max_drawdown_pct: p.max_drawdown_pct, win_rate: p.win_rate, trades: p.total_trades, llm_cost_usd: p.llm_cost_usd,
    }];
  });
  rows.sort((x, y) => (y.return_pct ?? -Infinity) - (x.return_pct ?? -Infinity) || x.agent_id.localeCompare(y.agent_id));
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

const groupRow = (s: TradeStats): GroupRow => ({
  trades: s.totalTrades, winning_trades: s.winningTrades, losing_trades: s.losingTrades, win_rate: s.winRatePct,
  total_pnl: s.totalPnl, avg_pnl: s.avgPnl, profit_factor: s.profitFactor,
});

const drawdownRow = (d: Drawdown): DrawdownRow => ({
  peak_at: iso(d.peakAt), peak_equity: d.peakEquity, trough_at: iso(d.troughAt), trough_equity: d.troughEquity,
  recovered_at: d.recoveredAt === null ? null : iso(d.recoveredAt), amount: d.amount, pct: d.pct, duration_seconds: d.durationMs / 1000,
});

const iso = (ms: number) => new Date(ms).toISOString();
const rangeOf = (r: Range) => ({ from: r.from?.toISOString() ?? null, to: r.to?.toISOString() ?? null });
const samplingOf = () => ({ interval: SAMPLING.interval, periods_per_year: SAMPLING.periodsPerYear });
