/**
 * What a backtest shows of each agent: the figures of its ranking (from the same formulas as the
 * arena's analytics), its trades and its equity curve, in plain data for the table, the JSON document,
 * the CSV files and the report.
 */
import Decimal from 'decimal.js';
import {
  SAMPLING,
  fillBars,
  maxDrawdown,
  periodReturns,
  sharpeRatio,
  toBars,
  tradeStats,
  type ClosedTrade,
  type EquityCurve,
} from '../analytics/metrics';
import { PROFIT_FACTOR_RULE, SHARPE_RULE, gated, sampleOf, type Sample } from '../analytics/sample-rules';
import type { AgentRun } from './cycle';

/** Where an agent's return falls among seeded random-entry runs over the same bars and limits (backtest/chance.ts). */
export interface VsRandomEntry {
  /** Share of the runs whose return is below the agent's, %. */
  percentile: number;
  /** Share of the runs that did at least as well: the chance of doing as well by luck. */
  pValue: number;
  runs: number;
}

export interface AgentResult {
  id: string;
  name: string;
  model: string;
  returnPct: number;
  pnl: number;
  /** Closed trades; `openTrades` still open at the end. */
  trades: number;
  openTrades: number;
  winRate: number | null;
  profitFactor: number | null;
  sharpe: number | null;
  maxDrawdownPct: number | null;
  /** Fees and funding of every trade, open ones included; funding is what the trades paid (negative: received). */
  fees: number;
  funding: number;
  equityEnd: number;
  cycles: number;
  failedCycles: number;
  modelCostUsd: number;
  vsRandomEntry: VsRandomEntry | null;
  /** Why each null figure is null (the sample rule it misses, or why the formula has no value). */
  notes: Partial<Record<'winRate' | 'profitFactor' | 'sharpe' | 'maxDrawdownPct' | 'vsRandomEntry', string>>;
  /** What the ratios were judged on. */
  sample: Sample;
}

export interface TradeRow {
  agent: string;
  id: number;
  symbol: string;
  side: string;
  quantity: string;
  leverage: number;
  entryPrice: string;
  exitPrice: string | null;
  openedAt: number;
  closedAt: number | null;
  openCycle: number;
  fees: string;
  funding: string | null;
  pnl: string | null;
  closeReason: string | null;
}

export interface EquityRow {
  agent: string;
  cycle: number;
  marketTime: number;
  equity: number;
  cash: number;
  marginUsed: number;
  unrealizedPnl: number;
  positions: number;
}

/**
 * The agent's figures, by the arena's sample rules (analytics/sample-rules.ts): Sharpe and profit
 * factor only over a sample that supports them, else null with the reason. Win rate and max drawdown
 * are counts, not extrapolations: stated from the first closed trade and the first cycle.
 */
export async function agentResult(run: AgentRun, vsRandomEntry: VsRandomEntry | null = null, chanceNote?: string): Promise<AgentResult> {
  const { config, ledger } = run;
  const initial = config.strategy.initialBalance;
  const equityEnd = ledger.cycles.at(-1)?.equity ?? initial;
  const closed = ledger.trades.filter((t) => t.status === 'closed' && t.close);
  const stats = tradeStats(
    closed.map((t): ClosedTrade => ({
      symbol: t.symbol,
      side: t.side,
      pnl: Number(t.close!.pnl),
      margin: Number(t.margin),
      fees: Number(t.close!.fees),
      funding: Number(t.close!.funding),
      openedAt: t.openedAt,
      closedAt: t.close!.closedAt,
      closeReason: t.close!.reason,
    })),
  );
  const curve = equityCurve(run);
  const returns = periodReturns(curve);
  const first = ledger.cycles[0];
  const last = ledger.cycles.at(-1);
  const sample = sampleOf(first && last ? { first: first.marketTime, last: last.marketTime } : null, returns, closed.length);
  const sharpe = gated(
    SHARPE_RULE,
    sample,
    () => sharpeRatio(returns),
    () => 'equity never moved: no deviation to divide by',
  );
  const profitFactor = gated(
    PROFIT_FACTOR_RULE,
    sample,
    () => stats.profitFactor,
    () => 'no losing trade: no loss to divide by',
  );
  const fees = ledger.trades.reduce((sum, t) => sum.add(t.close?.fees ?? t.fees), new Decimal(0));
  // Funding as the books booked it: a closed trade's from its close, an open one's so far (what it paid is negative income).
  const openFunding = await fundingOfOpenTrades(run);
  const received = closed.reduce((sum, t) => sum.add(t.close!.funding), openFunding);
  const drawdown = maxDrawdown(curve)?.pct ?? null;
  const notes: AgentResult['notes'] = {};
  if (stats.winRatePct === null) notes.winRate = 'no closed trade';
  if (profitFactor.note) notes.profitFactor = profitFactor.note.reason;
  if (sharpe.note) notes.sharpe = sharpe.note.reason;
  if (drawdown === null) notes.maxDrawdownPct = 'no cycle recorded';
  if (!vsRandomEntry) notes.vsRandomEntry = chanceNote ?? 'not computed (--chance-runs 0)';
  return {
    id: config.id,
    name: config.name,
    model: `${config.decisionMaker.provider}/${config.decisionMaker.model}`,
    returnPct: ((equityEnd - initial) / initial) * 100,
    pnl: equityEnd - initial,
    trades: closed.length,
    openTrades: ledger.trades.length - closed.length,
    winRate: stats.winRatePct,
    profitFactor: profitFactor.value,
    sharpe: sharpe.value,
    maxDrawdownPct: drawdown,
    fees: fees.toNumber(),
    funding: received.neg().toNumber() || 0,
    equityEnd,
    cycles: ledger.cycles.length,
    failedCycles: ledger.failures.length,
    modelCostUsd: ledger.cycles.reduce((sum, c) => sum + c.costUsd, 0),
    vsRandomEntry,
    notes,
    sample,
  };
}

/** Funding booked on the agent's account for the positions still open, since each opened. */
async function fundingOfOpenTrades(run: AgentRun): Promise<Decimal> {
  const open = run.ledger.trades.filter((t) => t.status === 'open');
  if (open.length === 0) return new Decimal(0);
  const since = Math.min(...open.map((t) => t.openedAt));
  const income = await run.books.withAccount(
    { account: run.config.exchange.account, initialBalance: run.config.strategy.initialBalance, marketTime: since },
    (ledger) => ledger.income(since),
  );
  return income
    .filter((i) => i.type === 'FUNDING_FEE' && open.some((t) => t.symbol === i.symbol && i.time >= t.openedAt))
    .reduce((sum, i) => sum.add(i.amount), new Decimal(0));
}

/** The agent's equity sampled hourly (the analytics' sampling), opening at its initial balance. */
export function equityCurve(run: AgentRun): EquityCurve {
  const samples = run.ledger.cycles.map((c) => ({ time: c.marketTime, equity: c.equity, positionCount: c.positions }));
  return { opening: run.config.strategy.initialBalance, bars: fillBars(toBars(samples)), intervalMs: SAMPLING.intervalMs };
}

export function tradeRows(run: AgentRun): TradeRow[] {
  return run.ledger.trades.map((t) => ({
    agent: run.config.id,
    id: t.id,
    symbol: t.symbol,
    side: t.side,
    quantity: t.quantity,
    leverage: t.leverage,
    entryPrice: t.entryPrice,
    exitPrice: t.close?.exitPrice ?? null,
    openedAt: t.openedAt,
    closedAt: t.close?.closedAt ?? null,
    openCycle: t.openCycle,
    fees: t.close?.fees ?? t.fees,
    funding: t.close?.funding ?? null,
    pnl: t.close?.pnl ?? null,
    closeReason: t.close?.reason ?? null,
  }));
}

export function equityRows(run: AgentRun): EquityRow[] {
  return run.ledger.cycles.map((c) => ({
    agent: run.config.id,
    cycle: c.cycleNo,
    marketTime: c.marketTime,
    equity: c.equity,
    cash: c.cash,
    marginUsed: c.marginUsed,
    unrealizedPnl: c.unrealizedPnl,
    positions: c.positions,
  }));
}

/** Highest return first, then by id: the ranking's order. */
export function ranked(results: AgentResult[]): AgentResult[] {
  return [...results].sort((a, b) => b.returnPct - a.returnPct || a.id.localeCompare(b.id));
}
