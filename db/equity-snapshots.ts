/** The `equity_snapshots` table: the account after each cycle's orders, the equity curve. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AccountState } from '../cycle/types';
import type { TimeRange } from './cycles';
import type { Database, EquitySnapshotsTable } from './schema';

export type EquityRow = Selectable<EquitySnapshotsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Writes the snapshot of a cycle; a retry rewrites it. */
export async function saveSnapshot(db: Db, agentId: string, cycleNo: number, marketTime: number, state: AccountState): Promise<void> {
  const snapshot = {
    market_time: new Date(marketTime),
    equity: state.account.equity,
    cash: state.account.available,
    margin: state.account.marginUsed,
    unrealized_pnl: state.account.unrealizedPnl,
    position_count: state.positions.length,
    positions: JSON.stringify(state.positions),
  };
  await db
    .insertInto('equity_snapshots')
    .values({ agent_id: agentId, cycle_no: cycleNo, ...snapshot })
    .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doUpdateSet(snapshot))
    .execute();
}

/** Each agent's newest equity. */
export async function latestEquity(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('equity_snapshots')
    .select(['agent_id', 'equity'])
    .distinctOn('agent_id')
    .where('agent_id', 'in', ids)
    .orderBy('agent_id')
    .orderBy('cycle_no', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.agent_id, Number(r.equity)]));
}

export function lastSnapshot(db: Db, agentId: string): Promise<EquityRow | undefined> {
  return db
    .selectFrom('equity_snapshots')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('cycle_no', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The snapshot of cycle `cycleNo` (if it wrote one) and the one before it. */
export async function snapshotAndPrevious(
  db: Db,
  agentId: string,
  cycleNo: number,
): Promise<[EquityRow | undefined, EquityRow | undefined]> {
  const [latest, before] = await db
    .selectFrom('equity_snapshots')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('cycle_no', '<=', cycleNo)
    .orderBy('cycle_no', 'desc')
    .limit(2)
    .execute();
  return [latest, before];
}

/** The newest `limit` snapshots after skipping `offset`, in the range, oldest first. */
export async function equityPage(db: Db, agentId: string, range: TimeRange, limit: number, offset: number): Promise<EquityRow[]> {
  let q = db.selectFrom('equity_snapshots').selectAll().where('agent_id', '=', agentId);
  if (range.from) q = q.where('market_time', '>=', range.from);
  if (range.to) q = q.where('market_time', '<', range.to);
  return (await q.orderBy('cycle_no', 'desc').limit(limit).offset(offset).execute()).reverse();
}

/** The last equity before `t` (the opening of a curve that starts at t). */
export async function equityBefore(db: Db, agentId: string, t: Date): Promise<number | null> {
  const row = await db
    .selectFrom('equity_snapshots')
    .select('equity')
    .where('agent_id', '=', agentId)
    .where('market_time', '<', t)
    .orderBy('market_time', 'desc')
    .orderBy('cycle_no', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.equity) : null;
}

/** Market time of the first and the last snapshot in the range; null without one. */
export async function snapshotSpan(db: Db, agentId: string, range: TimeRange): Promise<{ first: Date; last: Date } | null> {
  let q = db
    .selectFrom('equity_snapshots')
    .select((eb) => [eb.fn.min('market_time').as('first'), eb.fn.max('market_time').as('last')])
    .where('agent_id', '=', agentId);
  if (range.from) q = q.where('market_time', '>=', range.from);
  if (range.to) q = q.where('market_time', '<', range.to);
  const row = await q.executeTakeFirst();
  return row?.first && row.last ? { first: new Date(row.first), last: new Date(row.last) } : null;
}

/** The highest equity of the agent's cycles before `beforeCycle` whose market time is at or after `from`; null without one. */
export async function equityHighSince(db: Db, agentId: string, from: Date, beforeCycle: number): Promise<number | null> {
  const row = await db
    .selectFrom('equity_snapshots')
    .select((eb) => eb.fn.max('equity').as('high'))
    .where('agent_id', '=', agentId)
    .where('market_time', '>=', from)
    .where('cycle_no', '<', beforeCycle)
    .executeTakeFirst();
  return row?.high == null ? null : Number(row.high);
}

/** One row per interval with a snapshot: its last equity and how many of its snapshots held positions. */
export async function equityBuckets(
  db: Db,
  agentId: string,
  range: TimeRange,
  intervalMs: number,
): Promise<Array<{ bucket: number; equity: number; positionCount: number; exposed: number; samples: number }>> {
  const from = range.from ? sql` and market_time >= ${range.from}` : sql``;
  const to = range.to ? sql` and market_time < ${range.to}` : sql``;
  const { rows } = await sql<{ bucket: number; equity: string; position_count: number; exposed: string; samples: string }>`
    with b as (
      select floor(date_part('epoch', market_time) * 1000 / ${intervalMs}) as bucket, max(market_time) as last_time,
        count(*) filter (where position_count > 0) as exposed, count(*) as samples
      from equity_snapshots where agent_id = ${agentId} ${from}${to}
      group by 1
    )
    select b.bucket, s.equity, s.position_count, b.exposed, b.samples
    from b cross join lateral (
      select equity, position_count from equity_snapshots e
      where e.agent_id = ${agentId} and e.market_time = b.last_time
      order by e.market_time desc, e.cycle_no desc limit 1
    ) s
    order by b.bucket`.execute(db);
  return rows.map((r) => ({
    bucket: Number(r.bucket),
    equity: Number(r.equity),
    positionCount: r.position_count,
    exposed: Number(r.exposed),
    samples: Number(r.samples),
  }));
}

/**
 * What the risk engine needs of the equity curve at market time `now`: equity before the UTC day
 * began (or its first snapshot of the day), the day's low, and the peak so far. One query.
 */
export async function equityMarks(
  db: Db,
  agentId: string,
  dayStart: Date,
): Promise<{ dayStart: number | null; dayLow: number | null; peak: number | null }> {
  const { rows } = await sql<{ day_start: string | null; day_low: string | null; peak: string | null }>`
    select
      coalesce(
        (select equity from equity_snapshots where agent_id = ${agentId} and market_time < ${dayStart} order by market_time desc limit 1),
        (select equity from equity_snapshots where agent_id = ${agentId} and market_time >= ${dayStart} order by market_time limit 1)
      ) as day_start,
      (select min(equity) from equity_snapshots where agent_id = ${agentId} and market_time >= ${dayStart}) as day_low,
      (select max(equity) from equity_snapshots where agent_id = ${agentId}) as peak`.execute(db);
  const r = rows[0];
  const num = (v: string | null | undefined) => (v == null ? null : Number(v));
  return { dayStart: num(r?.day_start), dayLow: num(r?.day_low), peak: num(r?.peak) };
}
