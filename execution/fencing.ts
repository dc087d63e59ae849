import type { Kysely } from 'kysely';
import { currentGrant } from '../db/trading-locks';
import type { Database } from '../db/schema';

/** The trading lock grant an order phase runs under. */
export interface Fence {
  lockId: string;
  token: number;
}

/** The holder's lease ran out or a later grant exists: this order phase must not touch the venue. */
export class FencingRejected extends Error {
  override readonly name = 'FencingRejected';
}

/**
 * Checks, with the database clock, that `fence` is still the current grant of its lock and its lease
 * has not ended. Called right before every order and cancel.
 */
export async function assertFence(db: Kysely<Database>, fence: Fence): Promise<void> {
  const grant = await currentGrant(db, fence.lockId);
  if (!grant) throw new FencingRejected(`lock ${fence.lockId} has no grant recorded`);
  if (grant.token !== fence.token) {
    throw new FencingRejected(`lock ${fence.lockId}: token ${fence.token} was superseded by ${grant.token}`);
  }
  if (!grant.live) throw new FencingRejected(`lock ${fence.lockId}: the lease of token ${fence.token} has expired`);
}
