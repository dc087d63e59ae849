import type { Client } from '@temporalio/client';
import { alertDispatcherWorkflow } from '../workflows/alert-dispatcher';
import { alertDispatcherWorkflowId, alertsPendingSignal } from '../workflows/definitions';

/** How long a wake-up may take: it is a courtesy (the dispatcher's next check finds the rows anyway). */
const WAKE_DEADLINE_MS = 2000;

/** Signals the arena's alert dispatcher that alerts are waiting, starting it if it does not run. */
export async function wakeDispatcher(client: Client, taskQueue: string): Promise<void> {
  await client.withDeadline(Date.now() + WAKE_DEADLINE_MS, () =>
    client.workflow.signalWithStart(alertDispatcherWorkflow, {
      workflowId: alertDispatcherWorkflowId(taskQueue),
      taskQueue,
      args: [{}],
      signal: alertsPendingSignal,
      signalArgs: [],
      staticSummary: 'alert dispatcher: sends the alerts, checks the agents',
    }),
  );
}
