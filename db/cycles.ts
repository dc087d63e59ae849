/** The `cycles` table: one row per agent and cycle, the decision log. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CycleFailure, CycleRecord } from '../cycle/types';
import type { CycleRow, Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface TimeRange {
  from?: Date;
  to?: Date;
}

/** Writes a finished cycle; a retry rewrites the same row. */
export async function saveCycle(db: Db, r: Omit<CycleRecord, 'after'>, finishedAt: Date): Promise<void> {
  const log = {
    status: 'ok' as const,
    market_time: new Date(r.marketTime),
    started_at: new Date(r.startedAt),
    finished_at: finishedAt,
    duration_ms: Math.max(0, finishedAt.getTime() - r.startedAt),
    input: JSON.stringify({ ...r.seen, market: r.market, closedTrades: r.closedTrades }),
    reasoning: r.reasoning,
    decisions: JSON.stringify(r.decisions),
    risk_verdicts: JSON.stringify(r.verdicts),
    executions: JSON.stringify(r.executions),
    error: null,
    summary: r.summary,
    llm: r.llm ? JSON.stringify(r.llm) : null,
    llm_cost_usd: r.llm?.costUsd ?? 0,
  };
  await db
    .insertInto('cycles')
    .values({ agent_id: r.agentId, cycle_no: r.cycleNo, ...log })
    .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doUpdateSet(log))
    .execute();
}

/** Writes a failed cycle unless the cycle is already recorded (as done or failed); true when written. */
export async function saveCycleFailure(db: Db, f: CycleFailure, finishedAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('cycles')
    .values({
      agent_id: f.agentId,
      cycle_no: f.cycleNo,
      status: 'failed',
      market_time: f.marketTime === null ? null : new Date(f.marketTime),
      started_at: new Date(f.startedAt),
      finished_at: finishedAt,
      duration_ms: Math.max(0, finishedAt.getTime() - f.startedAt),
      input: '{}',
      reasoning: null,
      decisions: '[]',
      risk_verdicts: '[]',
      executions: '[]',
      error: f.error.slice(0, 4000),
      summary: `failed: ${f.error.slice(0, 200)}`,
    })
    .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doNothing())
    .returning('cycle_no')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** A page of the decision log, newest first (time range on market time). */
export function decisionLogPage(db: Db, agentId: string, range: TimeRange, limit: number, offset: number): Promise<CycleRow[]> {
  let q = db.selectFrom('cycles').selectAll().where('agent_id', '=', agentId);
  if (range.from) q = q.where('market_time', '>=', range.from);
  if (range.to) q = q.where('market_time', '<', range.to);
  return q.orderBy('cycle_no', 'desc').limit(limit).offset(offset).execute();
}

/** Cycles after `after`, oldest first (the export pages through them). */
export function cyclesAfter(db: Db, agentId: string, after: number, limit: number): Promise<CycleRow[]> {
  return db
    .selectFrom('cycles')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('cycle_no', '>', after)
    .orderBy('cycle_no')
    .limit(limit)
    .execute();
}

/** For each watched agent, its cycles after its cursor: per agent in cycle order, at most `limit` in all. */
export function cyclesAfterCursors(db: Db, cursors: Array<[agentId: string, after: number]>, limit: number): Promise<CycleRow[]> {
  return db
    .selectFrom('cycles')
    .selectAll()
    .where((eb) => eb.or(cursors.map(([id, after]) => eb.and([eb('agent_id', '=', id), eb('cycle_no', '>', after)]))))
    .orderBy('agent_id')
    .orderBy('cycle_no')
    .limit(limit)
    .execute();
}

/** The newest cycle number recorded for an agent (0 before the first). */
export async function lastCycleNo(db: Db, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('cycles')
    .select((eb) => eb.fn.max('cycle_no').as('last'))
    .where('agent_id', '=', agentId)
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** The newest cycle that finished, with what the agent saw. */
export function lastOkCycle(db: Db, agentId: string): Promise<Pick<CycleRow, 'cycle_no' | 'market_time' | 'input'> | undefined> {
  return db
    .selectFrom('cycles')
    .select(['cycle_no', 'market_time', 'input'])
    .where('agent_id', '=', agentId)
    .where('status', '=', 'ok')
    .orderBy('cycle_no', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The failed cycles in a row that end at `cycleNo` (none when it did not fail), and the first of them. */
export async function failedStreak(db: Db, agentId: string, cycleNo: number): Promise<{ length: number; firstCycle: number }> {
  const { rows } = await sql<{ last_ok: number | null; failed: string }>`
    with last_ok as (
      select max(cycle_no) as n from cycles where agent_id = ${agentId} and status = 'ok' and cycle_no <= ${cycleNo}
    )
    select (select n from last_ok) as last_ok,
      (select count(*) from cycles where agent_id = ${agentId} and status = 'failed'
        and cycle_no > coalesce((select n from last_ok), 0) and cycle_no <= ${cycleNo}) as failed`.execute(db);
  const lastOk = rows[0]?.last_ok ?? 0;
  return { length: Number(rows[0]?.failed ?? 0), firstCycle: lastOk + 1 };
}

/** How far back the venue-error count looks, in cycles (far more than an agent runs in its window). */
const VENUE_ERROR_CYCLES = 500;

/**
 * Venue errors of the agent's cycles finished since `since` (wall clock): orders the venue refused,
 * and cycles that failed with a venue error (their error starts with `failurePrefix`). Among its last
 * 500 cycles, so the count reads a bounded slice of the primary key.
 */
export async function venueErrorsSince(
  db: Db,
  agentId: string,
  since: Date,
  failurePrefix: string,
): Promise<{ count: number; lastError: string | null }> {
  const { rows } = await sql<{ count: string; last_error: string | null }>`
    with recent as (
      select * from (
        select cycle_no, status, error, executions, finished_at from cycles
        where agent_id = ${agentId} order by cycle_no desc limit ${VENUE_ERROR_CYCLES}
      ) newest where finished_at >= ${since}
    ), errors as (
      select r.cycle_no, e.value->>'error' as error from recent r cross join jsonb_array_elements(r.executions) e
      where e.value->>'status' = 'rejected'
      union all
      select cycle_no, error from recent where status = 'failed' and starts_with(error, ${failurePrefix})
    )
    select count(*) as count, (select error from errors order by cycle_no desc limit 1) as last_error from errors`.execute(db);
  return { count: Number(rows[0]?.count ?? 0), lastError: rows[0]?.last_error ?? null };
}

/** The one-line summaries of the last `n` cycles, newest first (with the risk verdicts, for the prompt's feedback). */
export function recentSummaries(
  db: Db,
  agentId: string,
  n: number,
): Promise<Array<Pick<CycleRow, 'cycle_no' | 'summary' | 'risk_verdicts'>>> {
  return db
    .selectFrom('cycles')
    .select(['cycle_no', 'summary', 'risk_verdicts'])
    .where('agent_id', '=', agentId)
    .orderBy('cycle_no', 'desc')
    .limit(n)
    .execute();
}

/** Cycle numbers of an agent whose market time is in the range (a subquery for other tables' filters). */
export function cycleNosInRange(db: Db, agentId: string, range: TimeRange) {
  let q = db.selectFrom('cycles').select('cycle_no').where('agent_id', '=', agentId);
  if (range.from) q = q.where('market_time', '>=', range.from);
  if (range.to) q = q.where('market_time', '<', range.to);
  return q;
}

/** The market time of the newest recorded bar across all agents, and the market snapshots agents recorded at it. */
export async function latestBarSnapshots(
  db: Db,
): Promise<{ marketTime: Date; rows: Array<Pick<CycleRow, 'agent_id' | 'cycle_no' | 'input'>> } | null> {
  const newest = await db
    .selectFrom('cycles')
    .select((eb) => eb.fn.max('market_time').as('t'))
    .where('status', '=', 'ok')
    .executeTakeFirst();
  if (!newest?.t) return null;
  const marketTime = new Date(newest.t as Date);
  const rows = await db
    .selectFrom('cycles')
    .select(['agent_id', 'cycle_no', 'input'])
    .where('status', '=', 'ok')
    .where('market_time', '=', marketTime)
    .orderBy('agent_id')
    .execute();
  return { marketTime, rows };
}

/** What decision replay reads of each recorded cycle with a market time in [from, to] (both inclusive), oldest first. */
export function recordedDecisions(
  db: Db,
  agentId: string,
  range: TimeRange,
): Promise<Array<Pick<CycleRow, 'cycle_no' | 'market_time' | 'status' | 'reasoning' | 'decisions' | 'risk_verdicts'>>> {
  let q = db
    .selectFrom('cycles')
    .select(['cycle_no', 'market_time', 'status', 'reasoning', 'decisions', 'risk_verdicts'])
    .where('agent_id', '=', agentId)
    .where('market_time', 'is not', null);
  if (range.from) q = q.where('market_time', '>=', range.from);
  if (range.to) q = q.where('market_time', '<=', range.to);
  return q.orderBy('cycle_no').execute();
}

/** The agent's cycles (number and market time) after market time `after` up to `to`, oldest first: the bars it traded at. */
export async function cycleBars(
  db: Db,
  agentId: string,
  after: Date | null,
  to: Date,
): Promise<Array<[marketTime: number, cycleNo: number]>> {
  let q = db
    .selectFrom('cycles')
    .select(['cycle_no', 'market_time'])
    .where('agent_id', '=', agentId)
    .where('market_time', 'is not', null)
    .where('market_time', '<=', to);
  if (after) q = q.where('market_time', '>', after);
  const rows = await q.orderBy('market_time').execute();
  return rows.map((r) => [r.market_time!.getTime(), r.cycle_no]);
}
