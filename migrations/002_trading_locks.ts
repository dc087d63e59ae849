import { Kysely, sql } from 'kysely';

/**
 * Fencing for the trading lock: the lock workflow writes each grant's token and lease here, and the
 * order activity compares its own token with this row before every order. Paper orders get a
 * wall-clock receipt time, the venue-side timestamp that shows order phases never overlap.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('trading_locks')
    .addColumn('lock_id', 'text', (c) => c.primaryKey())
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('paper_orders')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('paper_orders').dropColumn('received_at').execute();
  await db.schema.dropTable('trading_locks').execute();
}
