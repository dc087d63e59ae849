import { Kysely, sql } from 'kysely';

/**
 * Alerts (alerts/): the settings the launcher started them with, one row per alert event (its key
 * names the event), the outbox of deliveries (one row per event and channel, sent by the alert
 * dispatcher) and what the alerts remember of each agent's last cycle.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('task_queue', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('alert_events')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_key', 'text', (c) => c.notNull().references('alert_events.key'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('in_flight', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('possible_repeat', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_error', 'text')
    .addColumn('receipt', 'jsonb')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('alert_deliveries_event_channel', ['event_key', 'channel'])
    .execute();
  await sql`create index alert_deliveries_pending on alert_deliveries (channel, id) where status = 'pending'`.execute(db);
  await sql`create index alert_deliveries_attempts on alert_deliveries (channel, last_attempt_at)`.execute(db);
  await db.schema
    .createTable('alert_agent_marks')
    .addColumn('agent_id', 'text', (c) => c.primaryKey())
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('market_time', 'timestamptz', (c) => c.notNull())
    .addColumn('safe_mode', 'boolean', (c) => c.notNull())
    .addColumn('unprotected', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_agent_marks').execute();
  await db.schema.dropTable('alert_deliveries').execute();
  await db.schema.dropTable('alert_events').execute();
  await db.schema.dropTable('alert_settings').execute();
}
