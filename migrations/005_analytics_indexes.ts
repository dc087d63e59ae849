import { Kysely, sql } from 'kysely';

/**
 * Indexes for the analytics reads (`analytics/load.ts`):
 * - equity snapshots by agent in market-time order, carrying equity and position count, so that
 *   sampling an agent's curve (and a time range of it) is an index-only scan;
 * - closed trades by agent in close order, for the statistics over a time range.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index equity_snapshots_agent_time on equity_snapshots (agent_id, market_time, cycle_no) include (equity, position_count)`.execute(
    db,
  );
  await sql`create index trades_agent_closed on trades (agent_id, closed_at, id) where status = 'closed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('trades_agent_closed').execute();
  await db.schema.dropIndex('equity_snapshots_agent_time').execute();
}
