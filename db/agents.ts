/** The `agents` table: one row per agent, its public config (no secrets) and cycle bookkeeping. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AgentConfig } from '../arena-config/types';
import type { AgentsTable, Database } from './schema';

export type AgentRow = Selectable<AgentsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Creates or refreshes an agent's row from the config it runs with (written from the workflow's config). */
export async function saveAgent(db: Db, config: AgentConfig): Promise<void> {
  const values = {
    name: config.name,
    provider: config.decisionMaker.provider,
    model: config.decisionMaker.model,
    venue: config.exchange.type,
    account: config.exchange.account,
    initial_balance: config.strategy.initialBalance,
    config: JSON.stringify(config),
    updated_at: new Date(),
  };
  await db
    .insertInto('agents')
    .values({ id: config.id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

export function findAgent(db: Db, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAgents(db: Db): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().orderBy('id').execute();
}

export function agentsByIds(db: Db, ids: string[]): Promise<Array<Pick<AgentRow, 'id' | 'initial_balance' | 'cycle_count'>>> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('agents').select(['id', 'initial_balance', 'cycle_count']).where('id', 'in', ids).execute();
}

/** The last cycle the records hold for an agent (0 before the first). */
export async function recordedCycleCount(db: Db, id: string): Promise<number> {
  const row = await db.selectFrom('agents').select('cycle_count').where('id', '=', id).executeTakeFirst();
  return row?.cycle_count ?? 0;
}

/** A finished cycle moves the agent's count forward (never back: cycles may be recorded out of order). */
export async function bumpCycle(db: Db, id: string, cycleNo: number, status: string, at: Date): Promise<void> {
  await db
    .updateTable('agents')
    .set({ cycle_count: sql<number>`greatest(cycle_count, ${cycleNo})`, last_cycle_at: at, last_cycle_status: status })
    .where('id', '=', id)
    .execute();
}

/** Answers when the database does (the health check). */
export async function pingAgents(db: Db): Promise<void> {
  await db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
}
