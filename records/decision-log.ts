/**
 * One cycle's decision log in the seed's layout (§2.7 / §3.2 DecisionLog), built from its `cycles`
 * row: what the agent saw (account, positions, market), what it decided and why, what the risk
 * engine made of it, and what the venue did. The export writes it to files; the WebSocket feed sends it.
 */
import type { CycleRow } from '../db/schema';
import type { AccountView, PositionView } from '../decisions/types';
import type { SymbolSnapshot } from '../market/snapshot';
import { AccountInfo, PositionInfo, accountFromView, positionInfo } from './views';

export interface DecisionLogAccount extends AccountInfo {
  /** §2.7's names for total and available balance. */
  balance: number;
  available: number;
  positions: PositionInfo[];
}

/** A symbol as the decision maker saw it, without the indicator tables. */
export interface MarketSummary {
  symbol: string;
  price: number;
  change_1h_pct: number | null;
  change_4h_pct: number | null;
  funding_rate: number | null;
  trend_4h: string | null;
}

export interface DecisionLog {
  timestamp: string;
  cycle: number;
  agent_id: string;
  status: 'ok' | 'failed';
  market_time: string | null;
  duration_ms: number;
  /** The account when the agent decided (null for a cycle that failed before it got that far). */
  account: DecisionLogAccount | null;
  market_data: SymbolSnapshot[] | MarketSummary[];
  ai_reasoning: string | null;
  decisions: unknown[];
  risk_verdicts: unknown[];
  execution_results: unknown[];
  /** Trades the venue closed since the previous cycle (stop-loss, take-profit, liquidation, by hand). */
  closed_trades: unknown[];
  summary: string;
  error: string | null;
  llm: unknown | null;
  llm_cost_usd: number;
}

interface CycleInput {
  account?: AccountView;
  positions?: PositionView[];
  market?: SymbolSnapshot[];
  closedTrades?: unknown[];
}

export type DecisionLogRow = Pick<
  CycleRow,
  | 'agent_id'
  | 'cycle_no'
  | 'status'
  | 'market_time'
  | 'finished_at'
  | 'duration_ms'
  | 'input'
  | 'reasoning'
  | 'decisions'
  | 'risk_verdicts'
  | 'executions'
  | 'summary'
  | 'error'
  | 'llm'
  | 'llm_cost_usd'
>;

/** `market: 'summary'` keeps one line per symbol (the WebSocket); 'full' keeps the whole snapshot (files). */
export function decisionLog(row: DecisionLogRow, opts: { market: 'full' | 'summary' } = { market: 'full' }): DecisionLog {
  const input = (row.input ?? {}) as CycleInput;
  const positions = input.positions ?? [];
  const market = input.market ?? [];
  let account: DecisionLogAccount | null = null;
  if (input.account) {
    const info = accountFromView(input.account, positions);
    account = { balance: info.total_balance, available: info.available_balance, ...info, positions: positions.map(positionInfo) };
  }
  return {
    timestamp: row.finished_at.toISOString(),
    cycle: row.cycle_no,
    agent_id: row.agent_id,
    status: row.status,
    market_time: row.market_time?.toISOString() ?? null,
    duration_ms: row.duration_ms,
    account,
    market_data: opts.market === 'full' ? market : market.map(marketSummary),
    ai_reasoning: row.reasoning,
    decisions: array(row.decisions),
    risk_verdicts: array(row.risk_verdicts),
    execution_results: array(row.executions),
    closed_trades: array(input.closedTrades),
    summary: row.summary,
    error: row.error,
    llm: row.llm ?? null,
    llm_cost_usd: Number(row.llm_cost_usd ?? 0),
  };
}

export function marketSummary(s: SymbolSnapshot): MarketSummary {
  return {
    symbol: s.symbol,
    price: s.price,
    change_1h_pct: s.change1hPct,
    change_4h_pct: s.change4hPct,
    funding_rate: s.fundingRate,
    trend_4h: s.tf4h?.trend ?? null,
  };
}

const array = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
