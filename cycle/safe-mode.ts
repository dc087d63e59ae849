import { DECISION_MAKER_DEFAULTS, type AgentConfig } from '../arena-config/types';

/** Consecutive failed cycles after which the agent opens no new positions until a cycle succeeds. */
export const SAFE_MODE_AFTER_FAILURES = 3;

/** What the agent counts of its cycles, for safe mode. */
export interface FailureCounts {
  consecutiveFailures: number;
  /** Cycles in a row whose model call failed; absent in states recorded before it existed. */
  consecutiveModelFailures?: number;
}

/** No new positions: after 3 failed cycles in a row, or after `maxConsecutiveFailures` failed model calls. */
export function inSafeMode(config: AgentConfig, counts: FailureCounts): boolean {
  const modelLimit = config.decisionMaker.maxConsecutiveFailures ?? DECISION_MAKER_DEFAULTS.maxConsecutiveFailures;
  return counts.consecutiveFailures >= SAFE_MODE_AFTER_FAILURES || (counts.consecutiveModelFailures ?? 0) >= modelLimit;
}

/** The counts after a cycle that ended `ok` or not, its model call failed or not. */
export function countCycle(counts: FailureCounts, outcome: { ok: boolean; modelFailed?: boolean }): FailureCounts {
  return {
    consecutiveFailures: outcome.ok ? 0 : counts.consecutiveFailures + 1,
    consecutiveModelFailures: outcome.modelFailed ? (counts.consecutiveModelFailures ?? 0) + 1 : 0,
  };
}
