import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentConfig, DecisionMakerConfig } from '../arena-config/types';
import type {
  AccountRef,
  AccountState,
  CycleFailure,
  CycleRecord,
  DecideResult,
  ExecuteResult,
  RiskResult,
  SyncResult,
} from '../cycle/types';
import type { Decision } from '../decisions/types';
import type { ExecutionPlan } from '../execution/execute-orders';

export type {
  AccountRef,
  AccountState,
  CycleFailure,
  CycleRecord,
  DecideResult,
  ExecuteResult,
  RiskResult,
  SyncResult,
} from '../cycle/types';

export type AgentStatus = 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FINISHED';

export interface CycleSummary {
  cycleNo: number;
  ok: boolean;
  marketTime: number | null;
  equity: number | null;
  positions: number;
  /** One line: what was decided and done, or why the cycle failed. */
  summary: string;
  finishedAt: number;
  /** Error type of a failed cycle (e.g. ReplayEnded). */
  failureType?: string;
  /** The model call failed or its reply held nothing parseable (the cycle went on with `wait`). */
  modelFailed?: boolean;
  /** Model cost of the cycle, USD. */
  costUsd?: number;
  /** Wall-clock time at which the market clock shows the next bar, and how long a bar lasts (lean cycles). */
  nextBarAt?: number;
  barWallMs?: number;
  /** The market clock had not moved past the agent's last bar (its runner is down): nothing ran or was recorded. */
  skipped?: boolean;
}

/** Carried across continue-as-new: compact on purpose (no candles, no transcripts). */
export interface AgentState {
  config: AgentConfig;
  status: AgentStatus;
  pauseReason: string | null;
  /** Number of the last cycle run (or attempted). */
  cycleNo: number;
  consecutiveFailures: number;
  failedCycles: number;
  /** Cycles in a row whose model call failed; absent in states recorded before it existed. */
  consecutiveModelFailures?: number;
  lastCycle: CycleSummary | null;
  continuedAsNew: number;
  /** Cycles that found the market clock held at the last bar (nothing ran). */
  skippedCycles?: number;
  /** The digest `config` is stored under (agent_configs), set by the launcher; after a change, absent until the next cycle stores it. */
  configDigest?: string;
}

export interface AgentInput {
  config: AgentConfig;
  /** Wall-clock time between cycles. */
  cycleIntervalMs: number;
  /** Where to resume: set by continue-as-new, or by the launcher from the records. */
  state?: AgentState;
  /** The digest the launcher stored `config` under (agent_configs), for a start without `state` (a state carries its own). */
  configDigest?: string;
  /** The trading lock spans one venue account (default) or every account (`system.trading_lock: global`). */
  lockScope?: 'account' | 'global';
  /** The symbols the agent's market offers: a config change may pick its symbols among these only. */
  symbolUniverse?: string[];
}

export interface AgentStateView extends AgentState {
  /** No new positions: after 3 failed cycles, or after `maxConsecutiveFailures` failed model calls. */
  safeMode: boolean;
  nextCycleAt: number | null;
  /** The symbols a config change may choose from (absent for agents started before it existed). */
  symbolUniverse?: string[];
}

export { SAFE_MODE_AFTER_FAILURES } from '../cycle/safe-mode';

export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal<[{ reason?: string }?]>('stop');
/** Sent by the agent to its running cycle on `stop`: an in-flight model call is cancelled, the cycle ends with `wait`. */
export const abortDecisionSignal = defineSignal('abortDecision');
export const getStateQuery = defineQuery<AgentStateView>('getState');
export const runCycleNowUpdate = defineUpdate<CycleSummary>('runCycleNow');
export const updateConfigUpdate = defineUpdate<AgentConfig, [AgentConfig]>('updateConfig');

export const agentWorkflowId = (agentId: string): string => `agent-${agentId}`;
export const cycleWorkflowId = (agentId: string, cycleNo: number): string => `agent-${agentId}-cycle-${cycleNo}`;

// ---------------------------------------------------------------------------------------------
// The activities as the workflows call them (their implementations: activities/).

/**
 * Where an activity finds the agent's config (limits, style, model settings): stored under its digest
 * in agent_configs (the agent workflow stores it once per change), or carried inline by the cycles
 * that began before configs were stored.
 */
export type ConfigRef = { digest: string } | { inline: AgentConfig };

/** The cycle as the agent starts it: who trades where, with which model and symbols, under which config. */
export interface CycleInput {
  ref: AccountRef;
  decisionMaker: Pick<DecisionMakerConfig, 'provider' | 'model'>;
  symbols: string[];
  agentConfig: ConfigRef;
  cycleNo: number;
  safeMode: boolean;
  /** One trading lock per venue account (default), or one for all accounts. */
  lockScope?: 'account' | 'global';
  /** The bar the agent traded last: a market clock that has not moved past it runs nothing. */
  afterMarketTime?: number;
}

/** A cycle's input from the agent's config (the config itself is named by `agentConfig`). */
export function cycleInputOf(
  config: AgentConfig,
  agentConfig: ConfigRef,
  rest: Pick<CycleInput, 'cycleNo' | 'safeMode' | 'lockScope' | 'afterMarketTime'>,
): CycleInput {
  return {
    ref: { agentId: config.id, exchange: config.exchange, initialBalance: config.strategy.initialBalance },
    decisionMaker: { provider: config.decisionMaker.provider, model: config.decisionMaker.model },
    symbols: config.strategy.symbols,
    agentConfig,
    cycleNo: rest.cycleNo,
    safeMode: rest.safeMode,
    ...(rest.lockScope && { lockScope: rest.lockScope }),
    ...(rest.afterMarketTime !== undefined && { afterMarketTime: rest.afterMarketTime }),
  };
}

export interface SyncInput {
  ref: AccountRef;
  cycleNo: number;
  /** Its symbols (on a shared account it protects and cleans up only these) and its default stop-loss / take-profit. */
  agentConfig: ConfigRef;
}

export interface MarketInput {
  symbols: string[];
  marketTime: number;
}

/** Each symbol's last close at the bar (the snapshot itself stays in the worker's per-bar cache). */
export interface MarketPrices {
  prices: Record<string, number>;
}

export interface DecideInput {
  agentId: string;
  cycleNo: number;
  marketTime: number;
  seen: AccountState;
  /** The model and its settings, the symbols, limits and trading style the prompt states. */
  agentConfig: ConfigRef;
}

export interface RiskInput {
  ref: AccountRef;
  marketTime: number;
  decisions: Decision[];
  seen: AccountState;
  prices: Record<string, number>;
  /** The agent's risk limits. */
  agentConfig: ConfigRef;
  safeMode: boolean;
  mend: Pick<SyncResult, 'protect' | 'cancel'>;
}

export interface PlaceOrdersInput {
  ref: AccountRef;
  cycleNo: number;
  marketTime: number;
  plan: ExecutionPlan;
  /** The trading lock of the account, and the request id that makes asking again harmless. */
  lockId: string;
  requestId: string;
}

/**
 * What the record step writes; the market snapshot is looked up again by (symbols, market time). Also
 * what the cycle knew that the records do not keep but observers want: whether the agent was in safe
 * mode, and the positions the sync found without protection (they are mended in the order phase).
 */
export type RecordInput = Omit<CycleRecord, 'market'> & { symbols: string[]; safeMode: boolean; unprotected: string[] };

export interface CycleActivities {
  readAccount(input: SyncInput): Promise<SyncResult>;
  readMarket(input: MarketInput): Promise<MarketPrices>;
  askDecisionMaker(input: DecideInput): Promise<DecideResult>;
  checkRisk(input: RiskInput): Promise<RiskResult>;
  placeOrders(input: PlaceOrdersInput): Promise<ExecuteResult>;
  recordCycleOutcome(input: RecordInput): Promise<void>;
  recordCycleFailure(failure: CycleFailure): Promise<void>;
}

export interface AgentActivities {
  /** The database copy of the agent's config, written from the workflow (its owner). */
  saveAgentConfig(config: AgentConfig): Promise<void>;
  /** Stores the config under the digest of its content (agent_configs) and returns the digest. */
  storeAgentConfig(config: AgentConfig): Promise<string>;
}

export interface LockActivities {
  /** Records a grant's token and lease before the holder learns of it; returns the lease end (epoch ms). */
  recordLockGrant(grant: { lockId: string; token: number; holder: string; leaseMs: number }): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// The alert dispatcher (workflows/alert-dispatcher.ts): sends the outbox's alerts, runs the time-based checks.

export interface AlertDispatcherInput {
  /** Carried across continue-as-new: when the time-based checks run next (epoch ms). */
  nextCheckAt?: number;
  /** When a delivery is due next (a retry, the end of a throttle window), or null. */
  nextDeliveryAt?: number | null;
  /** Alerts arrived that no delivery round has seen yet. */
  pending?: boolean;
}

/** Sent (with start) by a record step that wrote new alerts. */
export const alertsPendingSignal = defineSignal('alertsPending');

/** One dispatcher per arena: its task queue names it. */
export const alertDispatcherWorkflowId = (taskQueue: string): string => `alert-dispatcher-${taskQueue}`;

export interface AlertActivities {
  /** Raises the time-based alerts (agent stopped, no cycle); whether alerts are on, and how often to check. */
  checkTimedAlerts(): Promise<{ enabled: boolean; checkEveryMs: number }>;
  /** Sends what is due on every channel; when something is due next (epoch ms), or null. */
  deliverAlerts(): Promise<{ nextDueAt: number | null }>;
}
