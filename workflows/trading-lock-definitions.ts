import { defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * Who wants the lock: an id that makes a repeated request harmless (the cycle's workflow id), and, for
 * the signal protocol of cycles that began before the lean cycle, the workflow to signal the grant to.
 */
export interface LockRequest {
  requesterWorkflowId: string;
  requestId: string;
  leaseMs: number;
}

export interface LockGrant {
  requestId: string;
  /** Fencing token: strictly increasing; the order activity checks it against Postgres before each order. */
  token: number;
  expiresAt: number;
}

/** Waits in the queue and answers with the grant (the order activity asks: update-with-start). */
export const acquireLockUpdate = defineUpdate<LockGrant, [LockRequest]>('acquireLock');
/** The signal protocol of cycles that began before the lean cycle: the grant comes back as lockGrantedSignal. */
export const acquireLockSignal = defineSignal<[LockRequest]>('acquire');
/** Gives the lock back, or withdraws a request still in the queue. */
export const releaseLockSignal = defineSignal<[{ requestId: string; token: number }]>('release');
/** Sent by the lock to the requester. */
export const lockGrantedSignal = defineSignal<[LockGrant]>('lockGranted');

export interface LockState {
  lockId: string;
  lastToken: number;
  /** `bySignal`: the requester waits for lockGrantedSignal (the old protocol); otherwise it waits on its update. */
  queue: Array<LockRequest & { bySignal?: boolean }>;
  holder: (LockGrant & { requesterWorkflowId: string; bySignal?: boolean }) | null;
}

/** Lock id for a venue account; one id for every account when the arena runs one global lock. */
export function tradingLockId(venue: string, account: string, scope: 'account' | 'global' = 'account'): string {
  return scope === 'global' ? 'lock-global' : `lock-${venue}-${account}`;
}
