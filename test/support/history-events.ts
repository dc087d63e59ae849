import type { temporal } from '@temporalio/proto';

/** How the history budget counts an agent's events per cycle (test/arena/history-budget.test.ts, bench/scale.ts). */
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The number of the agent's events per cycle, splitting its history before each timer it starts. */
export function splitAtTimers(events: HistoryEvent[]): number[] {
  const starts = events.flatMap((e, i) => (e.timerStartedEventAttributes ? [i] : []));
  return starts.map((start, k) => (starts[k + 1] ?? events.length) - start);
}

/** Events a run writes once, whatever its length: version markers and their search attribute, continue-as-new. */
export function oncePerRun(e: HistoryEvent): boolean {
  return (
    e.markerRecordedEventAttributes?.markerName === 'core_patch' ||
    Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes('TemporalChangeVersion') ||
    !!e.workflowExecutionContinuedAsNewEventAttributes
  );
}
