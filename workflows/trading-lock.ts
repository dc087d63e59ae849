import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { LockActivities } from './definitions';
import {
  LockGrant,
  LockState,
  acquireLockSignal,
  acquireLockUpdate,
  lockGrantedSignal,
  releaseLockSignal,
} from './trading-lock-definitions';

const RECORD_GRANT = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
} as const;
/** Runs before version 'lock-by-update' (an activity of its own in the history). */
const { recordLockGrant: recordGrantActivity } = proxyActivities<LockActivities>(RECORD_GRANT);
/** Since: a local activity (one marker) in the same workflow task as the grant. */
const { recordLockGrant: recordGrantLocally } = proxyLocalActivities<LockActivities>(RECORD_GRANT);

/**
 * The trading lock of one venue account (a workflow-level mutex): requests queue up in order; the
 * holder gets a lease and a fencing token recorded in Postgres before it learns of the grant, so a
 * holder whose lease ran out can never place an order, even if it has not noticed yet. A request is
 * an update that waits in the queue and returns the grant (the order activity sends it with
 * update-with-start); the old protocol (a signal, answered by a signal) still works for cycles that
 * began before. The queue and the token survive continue-as-new.
 */
export async function tradingLockWorkflow(input: { lockId: string; state?: LockState }): Promise<void> {
  const state: LockState = input.state ?? { lockId: input.lockId, lastToken: 0, queue: [], holder: null };
  const byUpdate = patched('lock-by-update');
  // An update's handler lives in its run, so a run continues as new only with an empty queue: requests
  // carried over in the state came by signal.
  if (byUpdate) state.queue = state.queue.map((r) => ({ ...r, bySignal: true }));
  const recordLockGrant = byUpdate ? recordGrantLocally : recordGrantActivity;
  const withdrawn = new Set<string>();

  let resendGrant = false;
  setHandler(acquireLockSignal, (request) => {
    // Asking again while holding means the grant may have been missed (a new run of the requester): send it again.
    if (state.holder?.requestId === request.requestId) resendGrant = true;
    else if (!state.queue.some((r) => r.requestId === request.requestId)) state.queue.push({ ...request, bySignal: true });
  });
  setHandler(acquireLockUpdate, async (request): Promise<LockGrant> => {
    // A retried order activity asks again under the same request id: it waits for (or gets) the same grant.
    if (state.holder?.requestId !== request.requestId && !state.queue.some((r) => r.requestId === request.requestId)) {
      withdrawn.delete(request.requestId);
      state.queue.push(request);
    }
    await condition(() => state.holder?.requestId === request.requestId || withdrawn.has(request.requestId));
    const holder = state.holder;
    if (!holder || holder.requestId !== request.requestId)
      throw ApplicationFailure.nonRetryable('the request was withdrawn', 'LockWithdrawn');
    return { requestId: holder.requestId, token: holder.token, expiresAt: holder.expiresAt };
  });
  setHandler(releaseLockSignal, ({ requestId, token }) => {
    if (state.holder && state.holder.requestId === requestId && state.holder.token === token) state.holder = null;
    else if (byUpdate && state.queue.some((r) => r.requestId === requestId)) {
      state.queue = state.queue.filter((r) => r.requestId !== requestId);
      withdrawn.add(requestId);
    }
  });

  for (;;) {
    if (state.holder && byUpdate && state.queue.length === 0) {
      // Nobody waits: no lease timer (two events a grant saved). A request arriving later finds the lease
      // ended or waits for it below.
      await condition(() => state.holder === null || resendGrant || state.queue.length > 0);
      resendGrant = false;
      if (state.holder && Date.now() >= state.holder.expiresAt) state.holder = null;
      continue;
    }
    if (state.holder) {
      const released = await condition(() => state.holder === null || resendGrant, Math.max(0, state.holder.expiresAt - Date.now()));
      if (!released)
        state.holder = null; // Lease expired: the next grant's token fences the old holder out.
      else if (resendGrant && state.holder) await sendGrant(state.holder);
      resendGrant = false;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested && (!byUpdate || state.queue.length === 0)) break;
    if (state.queue.length === 0) {
      await condition(() => state.queue.length > 0 || workflowInfo().continueAsNewSuggested);
      continue;
    }
    const request = state.queue.shift()!;
    const token = state.lastToken + 1;
    state.lastToken = token;
    const expiresAt = await recordLockGrant({
      lockId: state.lockId,
      token,
      holder: request.requesterWorkflowId,
      leaseMs: request.leaseMs,
    });
    state.holder = {
      requestId: request.requestId,
      token,
      expiresAt,
      requesterWorkflowId: request.requesterWorkflowId,
      ...(request.bySignal && { bySignal: true }),
    };
    if (!byUpdate || request.bySignal) await sendGrant(state.holder);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof tradingLockWorkflow>({ lockId: state.lockId, state });

  async function sendGrant(holder: NonNullable<LockState['holder']>): Promise<void> {
    try {
      await getExternalWorkflowHandle(holder.requesterWorkflowId).signal(lockGrantedSignal, {
        requestId: holder.requestId,
        token: holder.token,
        expiresAt: holder.expiresAt,
      });
    } catch {
      state.holder = null; // The requester is gone: nobody will use or release this grant.
    }
  }
}
