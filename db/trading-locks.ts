/** The `trading_locks` table: the current grant (fencing token and lease) of each trading lock. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Writes a grant's fencing token and lease; the lease end comes from the database clock, the clock
 * the order phase checks it against. Tokens only ever grow (the same token may renew its lease).
 * Returns the lease end (epoch ms), or null when a newer token is recorded.
 */
export async function saveGrant(
  db: Kysely<Database>,
  grant: { lockId: string; token: number; holder: string; leaseMs: number },
): Promise<number | null> {
  const expires = sql<Date>`now() + make_interval(secs => ${grant.leaseMs / 1000})`;
  const row = await db
    .insertInto('trading_locks')
    .values({ lock_id: grant.lockId, token: grant.token, holder: grant.holder, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('lock_id')
        .doUpdateSet({ token: grant.token, holder: grant.holder, expires_at: expires })
        .where('trading_locks.token', '<=', String(grant.token)),
    )
    .returning('expires_at')
    .executeTakeFirst();
  return row ? row.expires_at.getTime() : null;
}

/** The lock's current grant, with whether its lease is still running by the database clock. */
export async function currentGrant(db: Kysely<Database>, lockId: string): Promise<{ token: number; live: boolean } | null> {
  const row = await db
    .selectFrom('trading_locks')
    .select(['token', sql<boolean>`expires_at > now()`.as('live')])
    .where('lock_id', '=', lockId)
    .executeTakeFirst();
  return row ? { token: Number(row.token), live: row.live } : null;
}
