import { defineSignal } from '@temporalio/workflow';

/** Who wants the lock: the cycle workflow to signal back, and an id that makes a repeated request harmless. */
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

export const acquireLockSignal = defineSignal<[LockRequest]>('acquire');
export const releaseLockSignal = defineSignal<[{ requestId: string; token: number }]>('release');
/** Sent by the lock to the requester. */
export const lockGrantedSignal = defineSignal<[LockGrant]>('lockGranted');

export interface LockState {
  lockId: string;
  lastToken: number;
  queue: LockRequest[];
  holder: (LockGrant & { requesterWorkflowId: string }) | null;
}

/** Lock id for a venue account; one id for every account when the arena runs one global lock. */
export function tradingLockId(venue: string, account: string, scope: 'account' | 'global' = 'account'): string {
  return scope === 'global' ? 'lock-global' : `lock-${venue}-${account}`;
}
