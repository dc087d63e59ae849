import type { CycleFailure } from '../cycle/types';
import { DECISION_ACTIONS } from '../decisions/types';
import type { RecordInput } from '../workflows/definitions';
import { closedTrades, cycleDuration, cycles, decisions, riskRejections, riskResizes, safeModeCycles, unprotectedFound } from './metrics';

/** What a recorded cycle counts: its outcome and duration, its decisions, the risk engine's refusals and cuts, what the venue closed. */
export function countCycle(record: RecordInput, durationMs: number): void {
  const agent = record.agentId;
  cycles.inc({ agent, outcome: 'ok' });
  cycleDuration.observe({ agent, outcome: 'ok' }, durationMs / 1000);
  for (const d of record.decisions)
    decisions.inc({ agent, action: (DECISION_ACTIONS as readonly string[]).includes(d.action) ? d.action : 'other' });
  for (const v of record.verdicts) {
    if (v.status === 'rejected') riskRejections.inc({ agent, rule: v.rule ?? 'other' });
    if (v.status === 'resized') riskResizes.inc({ agent, rule: v.rule ?? 'other' });
  }
  for (const trade of record.closedTrades) closedTrades.inc({ agent, reason: trade.reason });
  // Cycles recorded by older workflow code carry neither.
  unprotectedFound.inc({ agent }, record.unprotected?.length ?? 0);
  if (record.safeMode) safeModeCycles.inc({ agent });
}

export function countCycleFailure(failure: CycleFailure, durationMs: number): void {
  cycles.inc({ agent: failure.agentId, outcome: 'failed' });
  cycleDuration.observe({ agent: failure.agentId, outcome: 'failed' }, durationMs / 1000);
}
