import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentConfig } from '../arena-config/types';

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
}

export interface AgentInput {
  config: AgentConfig;
  /** Wall-clock time between cycles. */
  cycleIntervalMs: number;
  /** Where to resume: set by continue-as-new, or by the launcher from the records. */
  state?: AgentState;
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

/** Consecutive failed cycles after which the agent opens no new positions until a cycle succeeds. */
export const SAFE_MODE_AFTER_FAILURES = 3;

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
