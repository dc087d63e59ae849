/**
 * Finding an order phase in flight on a real cluster: the running cycle child workflows' pending
 * activities say which worker (by identity) holds the order activity right now, and the history of a
 * finished cycle says which worker completed it, at which attempt.
 */
import type { Client } from '@temporalio/client';
import type { AgentConfig } from '../../../arena-config/types';
import { agentWorkflowId } from '../../../workflows/definitions';

/** The cycle's order activity: `placeOrders`, or `executeOrders` in cycles of the earlier workflow code. */
const ORDER_ACTIVITIES = new Set(['placeOrders', 'executeOrders']);
/** temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED */
const PENDING_ACTIVITY_STARTED = 2;

export interface OrderPhase {
  agentId: string;
  cycleWorkflowId: string;
  /** The identity of the worker running it. */
  workerIdentity: string;
}

/** Polls the agents' running cycles until one has its order activity started on a worker that `onWorker` accepts. */
export async function waitForOrderPhase(
  client: Client,
  agents: readonly AgentConfig[],
  onWorker: (identity: string) => boolean,
  timeoutMs: number,
): Promise<OrderPhase> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await Promise.all(agents.map((agent) => orderPhaseOf(client, agent.id)));
    const phase = found.find((p): p is OrderPhase => p !== null && onWorker(p.workerIdentity));
    if (phase) return phase;
  }
  throw new Error(`no order activity was seen running on the chosen workers within ${timeoutMs} ms`);
}

/** The order phase the agent's running cycle is in, if it is in one. */
async function orderPhaseOf(client: Client, agentId: string): Promise<OrderPhase | null> {
  const agent = await client.workflow.getHandle(agentWorkflowId(agentId)).describe();
  for (const child of agent.raw.pendingChildren ?? []) {
    if (!child.workflowId) continue;
    const activity = await startedOrderActivity(client, child.workflowId);
    if (activity) return { agentId, cycleWorkflowId: child.workflowId, workerIdentity: activity };
  }
  return null;
}

/** The identity of the worker running the cycle's order activity, when one is running it. */
export async function startedOrderActivity(client: Client, cycleWorkflowId: string): Promise<string | null> {
  const cycle = await client.workflow
    .getHandle(cycleWorkflowId)
    .describe()
    .catch(() => null);
  const activity = cycle?.raw.pendingActivities?.find(
    (a) => ORDER_ACTIVITIES.has(a.activityType?.name ?? '') && a.state === PENDING_ACTIVITY_STARTED && a.lastWorkerIdentity,
  );
  return activity?.lastWorkerIdentity ?? null;
}

/** Whether the cycle still has its order activity pending (after a kill: it was interrupted, not finished). */
export async function orderActivityPending(client: Client, cycleWorkflowId: string): Promise<boolean> {
  const cycle = await client.workflow.getHandle(cycleWorkflowId).describe();
  return (cycle.raw.pendingActivities ?? []).some((a) => ORDER_ACTIVITIES.has(a.activityType?.name ?? ''));
}

/** Who completed the cycle's order activity, and at which attempt (from the finished cycle's history). */
export async function orderActivityCompletion(
  client: Client,
  cycleWorkflowId: string,
): Promise<{ workerIdentity: string; attempt: number }> {
  const history = await client.workflow.getHandle(cycleWorkflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find((e) => ORDER_ACTIVITIES.has(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''));
  const started = events.find(
    (e) =>
      e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled?.eventId),
  );
  const completed = events.some(
    (e) =>
      e.activityTaskCompletedEventAttributes &&
      String(e.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduled?.eventId),
  );
  if (!started || !completed) throw new Error(`${cycleWorkflowId}: its order activity did not complete`);
  const attrs = started.activityTaskStartedEventAttributes!;
  return { workerIdentity: attrs.identity ?? '', attempt: attrs.attempt ?? 1 };
}
