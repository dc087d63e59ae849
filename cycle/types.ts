/**
 * What the steps of a cycle hand each other. The arena's activities and the backtester pass the same
 * shapes; the workflows see them as their activities' inputs and results (workflows/definitions.ts),
 * so they stay small: no candles, no transcripts.
 */
import type { ExchangeConfig } from '../arena-config/types';
import type { AccountView, Decision, PositionView } from '../decisions/types';
import type { ExecutionPlan, ExecutionResult } from '../execution/execute-orders';
import type { ClosedTrade } from '../ledger/trades';
import type { SymbolSnapshot } from '../market/snapshot';
import type { RiskVerdict } from '../risk/types';

/** Identifies the agent's account on its venue; small enough to pass to every step. */
export interface AccountRef {
  agentId: string;
  exchange: ExchangeConfig;
  initialBalance: number;
}

/** The account as the venue shows it: balances and positions with their protective trigger prices. */
export interface AccountState {
  account: AccountView;
  positions: PositionView[];
}

export interface SyncResult extends AccountState {
  /** The bar the cycle trades at (epoch ms of its close): every later step works at this market time. */
  marketTime: number;
  /** Wall-clock time (epoch ms) at which the market clock shows the next bar, and how long a bar lasts. */
  nextBarAt: number;
  barWallMs: number;
  /** The market clock is held (the replay's runner is down): a cycle on a bar already traded runs nothing. */
  clockHeld: boolean;
  /** Trades the venue closed since the last cycle (stop-loss, take-profit, liquidation, by hand). */
  closedTrades: ClosedTrade[];
  /** Positions missing a stop-loss or take-profit, and the prices to put back. */
  protect: ExecutionPlan['protect'];
  /** Protective orders left on symbols that hold no position any more. */
  cancel: ExecutionPlan['cancel'];
}

/** The model's part of a cycle, for the decision log and the cost accounting. */
export interface LlmUsage {
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  /** False when the reply held nothing parseable (the decision became `wait`). */
  parsed: boolean;
  rejected: Array<{ item: unknown; reason: string }>;
}

export interface DecideResult {
  reasoning: string;
  decisions: Decision[];
  llm: LlmUsage | null;
}

/** The risk engine's verdicts and the order phase they lead to (nothing to do: an empty plan). */
export interface RiskResult {
  verdicts: RiskVerdict[];
  plan: ExecutionPlan;
}

export interface ExecuteResult {
  executions: ExecutionResult[];
  closedTrades: ClosedTrade[];
  /** The account after the order phase: read once, here, for the record. */
  after: AccountState;
}

/** The model's usage and error as the decision log keeps them. */
export type CycleLlmRecord = Partial<LlmUsage> & { error: string | null };

/** Everything a finished cycle writes (record step): the decision log and the equity after it. */
export interface CycleRecord {
  agentId: string;
  cycleNo: number;
  startedAt: number;
  marketTime: number;
  /** The account when the agent decided, and what the venue closed before. */
  seen: AccountState;
  closedTrades: ClosedTrade[];
  market: SymbolSnapshot[];
  reasoning: string;
  decisions: Decision[];
  verdicts: RiskVerdict[];
  executions: ExecutionResult[];
  /** The account after the cycle's orders (the same as `seen` when nothing was sent). */
  after: AccountState;
  summary: string;
  llm: CycleLlmRecord | null;
}

export interface CycleFailure {
  agentId: string;
  cycleNo: number;
  startedAt: number;
  marketTime: number | null;
  error: string;
}

/** The input of a cycle's decision log as stored (the `cycles.input` column). */
export interface CycleInputRecord extends AccountState {
  market: SymbolSnapshot[];
  closedTrades: ClosedTrade[];
}

export function hasWork(plan: ExecutionPlan): boolean {
  return plan.orders.length > 0 || plan.protect.length > 0 || plan.cancel.length > 0;
}
