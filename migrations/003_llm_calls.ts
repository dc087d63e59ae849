import { Kysely, sql } from 'kysely';

/**
 * Every model call (one row per activity attempt): prompt, raw reply, what was kept and what was
 * dropped and why, tokens, cost, latency. Cycles get the model usage of their decision.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('llm_calls')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('prompt_sha256', 'text', (c) => c.notNull())
    .addColumn('prompt_chars', 'integer', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('raw_reply', 'text')
    .addColumn('decisions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('rejected', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('tokens_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens_out', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('llm_calls_pk', ['agent_id', 'cycle_no', 'attempt'])
    .execute();
  await db.schema
    .alterTable('cycles')
    .addColumn('llm', 'jsonb')
    .addColumn('llm_cost_usd', 'numeric', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cycles').dropColumn('llm').dropColumn('llm_cost_usd').execute();
  await db.schema.dropTable('llm_calls').execute();
}
