import type { Kysely } from 'kysely';
import { sql } from 'kysely';
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
  const row = await db.selectFrom('trading_locks')
    .select(['token', sql<boolean>`expires_at > now()`.as('live')])
    .where('lock_id', '=', fence.lockId).executeTakeFirst();
  if (!row) throw new FencingRejected(`lock ${fence.lockId} has no grant recorded`);
  if (Number(row.token) !== fence.token) {
    throw new FencingRejected(`lock ${fence.lockId}: token ${fence.token} was superseded by ${row.token}`);
  }
  if (!row.live) throw new FencingRejected(`lock ${fence.lockId}: the lease of token ${fence.token} has expired`);
}
