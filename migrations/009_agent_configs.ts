import { Kysely, sql } from 'kysely';

/**
 * Every config an agent has run with, under the digest of its content. A cycle names the config by
 * digest instead of carrying it (a row never changes, so a digest means one config forever).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agent_configs')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('agent_configs_pk', ['agent_id', 'digest'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agent_configs').execute();
}
