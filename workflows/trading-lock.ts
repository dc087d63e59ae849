import {
  allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { ArenaActivities } from '../activities';
import { LockState, acquireLockSignal, lockGrantedSignal, releaseLockSignal } from './trading-lock-definitions';

const { recordLockGrant } = proxyActivities<ArenaActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});

/**
 * The trading lock of one venue account (a workflow-level mutex): requests queue up in order; the
 * holder gets a lease and a fencing token recorded in Postgres before the grant is sent, so a holder
 * whose lease ran out can never place an order, even if it has not noticed yet. The queue and the
 * token survive continue-as-new.
 */
export async function tradingLockWorkflow(input: { lockId: string; state?: LockState }): Promise<void> {
  const state: LockState = input.state ?? { lockId: input.lockId, lastToken: 0, queue: [], holder: null };

  let resendGrant = false;
  setHandler(acquireLockSignal, (request) => {
    // Asking again while holding means the grant may have been missed (a new run of the requester): send it again.
    if (state.holder?.requestId === request.requestId) resendGrant = true;
    else if (!state.queue.some((r) => r.requestId === request.requestId)) state.queue.push(request);
  });
  setHandler(releaseLockSignal, ({ requestId, token }) => {
    if (state.holder && state.holder.requestId === requestId && state.holder.token === token) state.holder = null;
  });

  for (;;) {
    if (state.holder) {
      const released = await condition(() => state.holder === null || resendGrant, Math.max(0, state.holder.expiresAt - Date.now()));
      if (!released) state.holder = null; // Lease expired: the next grant's token fences the old holder out.
      else if (resendGrant && state.holder) await sendGrant(state.holder);
      resendGrant = false;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) break;
    if (state.queue.length === 0) {
      await condition(() => state.queue.length > 0 || workflowInfo().continueAsNewSuggested);
      continue;
    }
    const request = state.queue.shift()!;
    const token = state.lastToken + 1;
    state.lastToken = token;
    const expiresAt = await recordLockGrant({
      lockId: state.lockId, token, holder: request.requesterWorkflowId, leaseMs: request.leaseMs,
    });
    state.holder = { requestId: request.requestId, token, expiresAt, requesterWorkflowId: request.requesterWorkflowId };
    await sendGrant(state.holder);
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof tradingLockWorkflow>({ lockId: state.lockId, state });

  async function sendGrant(holder: NonNullable<LockState['holder']>): Promise<void> {
    try {
      await getExternalWorkflowHandle(holder.requesterWorkflowId)
        .signal(lockGrantedSignal, { requestId: holder.requestId, token: holder.token, expiresAt: holder.expiresAt });
    } catch {
      state.holder = null; // The requester is gone: nobody will use or release this grant.
    }
  }
}
