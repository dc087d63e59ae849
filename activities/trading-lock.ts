import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { acquireLockUpdate, releaseLockSignal, type LockGrant } from '../workflows/trading-lock-definitions';

/** How long an order phase may hold its account's lock (the fencing check refuses any order after it). */
export const LOCK_LEASE_MS = 120_000;
/** How long an order phase waits for the lock before it gives up (the cycle records that it did). */
export const LOCK_WAIT_MS = 120_000;

export class LockTimeoutError extends Error {
  override name = 'LockTimeout';
}

/**
 * Asks the account's trading lock for a grant and waits for it (update-with-start: the lock workflow
 * starts if it does not run yet). Asking again under the same request id, as a retried activity does,
 * waits for or gets the same grant. A request not granted within LOCK_WAIT_MS is withdrawn.
 */
export async function acquireTradingLock(temporal: Client, lockId: string, requestId: string): Promise<LockGrant> {
  const { taskQueue, attempt } = Context.current().info;
  const startWorkflowOperation = new WithStartWorkflowOperation('tradingLockWorkflow', {
    workflowId: lockId,
    taskQueue,
    args: [{ lockId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `trading lock ${lockId}`,
  });
  const request = { requesterWorkflowId: requestId, requestId, leaseMs: LOCK_LEASE_MS };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LockTimeoutError(`trading lock ${lockId} not granted within ${LOCK_WAIT_MS / 1000} s`)),
      LOCK_WAIT_MS,
    );
  });
  try {
    return await Promise.race([
      temporal.workflow.executeUpdateWithStart(acquireLockUpdate, {
        args: [request],
        updateId: `${requestId}-${attempt}`,
        startWorkflowOperation,
      }),
      timeout,
    ]);
  } catch (err) {
    if (err instanceof LockTimeoutError) await releaseTradingLock(temporal, lockId, requestId, 0).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Gives the lock back (or withdraws a request still queued: token 0). */
export async function releaseTradingLock(temporal: Client, lockId: string, requestId: string, token: number): Promise<void> {
  await temporal.workflow.getHandle(lockId).signal(releaseLockSignal, { requestId, token });
}
