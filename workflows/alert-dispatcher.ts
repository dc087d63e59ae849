import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { type AlertActivities, type AlertDispatcherInput, alertsPendingSignal } from './definitions';

const { checkTimedAlerts } = proxyActivities<AlertActivities>({
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
  summary: 'check the agents (stopped, no cycle)',
});
// A worker that dies mid-send is noticed by its heartbeat; the retry finds the alert's row and sends it
// again under the same idempotency key once the dead attempt's claim has lapsed.
const { deliverAlerts } = proxyActivities<AlertActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
  summary: 'send the alerts that are due',
});

/** Rounds before continue-as-new: a round writes about a dozen events, so a run stays near a thousand. */
const ROUNDS_PER_RUN = 80;
/** After a round whose activity failed for good, the next try. */
const AFTER_FAILURE_MS = 30_000;

/**
 * The arena's alert dispatcher: sends the outbox's alerts (a record step that writes some wakes it
 * with a signal-with-start), and runs the time-based checks every `check_interval_seconds`. Nothing
 * it does blocks a cycle; it ends when the alerts are switched off.
 */
export async function alertDispatcherWorkflow(input: AlertDispatcherInput = {}): Promise<void> {
  let pending = input.pending ?? true;
  let nextCheckAt = input.nextCheckAt ?? 0;
  let nextDeliveryAt = input.nextDeliveryAt ?? null;
  setHandler(alertsPendingSignal, () => {
    pending = true;
  });
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    if (Date.now() >= nextCheckAt) {
      const check = await checkTimedAlerts().catch(() => null);
      if (check && !check.enabled) return;
      nextCheckAt = Date.now() + (check?.checkEveryMs ?? AFTER_FAILURE_MS);
      // Whatever the check raised goes out now; a round after every check also covers a lost signal.
      pending = true;
    }
    if (pending || (nextDeliveryAt !== null && Date.now() >= nextDeliveryAt)) {
      pending = false;
      nextDeliveryAt = await deliverAlerts().then(
        (r) => r.nextDueAt,
        () => Date.now() + AFTER_FAILURE_MS,
      );
    }
    const wakeAt = Math.min(nextCheckAt, nextDeliveryAt ?? Infinity);
    await condition(() => pending, Math.max(1, wakeAt - Date.now()), {
      summary: wakeAt === nextCheckAt ? 'until the next check' : 'until the next delivery is due',
    });
  }
  await continueAsNew<typeof alertDispatcherWorkflow>({ nextCheckAt, nextDeliveryAt, pending });
}
