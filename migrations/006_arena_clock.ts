import { Kysely, sql } from 'kysely';

/**
 * The arena's market clock in replay (market/arena-clock.ts): one row per replay, the wall time it
 * has run and since when it runs, so every agent sees the same bar and a restart continues where the
 * arena stopped. And the index behind "the newest bar any agent recorded" (one bar for the prices).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('arena_clock')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_market_time', 'bigint', (c) => c.notNull())
    .addColumn('last_market_time', 'bigint', (c) => c.notNull())
    .addColumn('bar_wall_ms', 'integer', (c) => c.notNull())
    .addColumn('elapsed_ms', 'bigint', (c) => c.notNull())
    .addColumn('running_since', 'timestamptz')
    .addColumn('heartbeat_at', 'timestamptz')
    .execute();
  await sql`create index cycles_ok_market_time on cycles (market_time) where status = 'ok'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cycles_ok_market_time').execute();
  await db.schema.dropTable('arena_clock').execute();
}
