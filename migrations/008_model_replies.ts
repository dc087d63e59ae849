import { Kysely, sql } from 'kysely';

/**
 * Model replies by what was asked: a hash of provider, model, prompt and sampling settings. The arena
 * stores every reply it gets; a backtest asks here first, so a prompt is paid for once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('model_replies')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('prompt_sha256', 'text', (c) => c.notNull())
    .addColumn('reply', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_replies').execute();
}
