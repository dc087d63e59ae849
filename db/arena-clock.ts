/** The `arena_clock` table: the replay clock's state, read and moved with the database's own clock. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

/** A runner whose heartbeat is older than this has stopped: the clock holds at its last heartbeat. */
export const RUNNER_SILENT_AFTER_S = 15;

export interface ClockRow {
  firstMarketTime: number;
  lastMarketTime: number;
  barWallMs: number;
  /** Wall time the replay has run, up to the database's now (or to the silent runner's last heartbeat). */
  elapsedMs: number;
  running: boolean;
}

/** Wall time run up to "now", where now stops at a silent runner's last heartbeat. */
const elapsedNow = sql<string>`elapsed_ms + case when running_since is null then 0 else
  greatest(0, extract(epoch from (case when heartbeat_at > now() - make_interval(secs => ${RUNNER_SILENT_AFTER_S}) then now() else heartbeat_at end)
  - running_since) * 1000) end`;

export async function readClock(db: Kysely<Database>, id: string): Promise<ClockRow | null> {
  const row = await db
    .selectFrom('arena_clock')
    .select([
      'first_market_time',
      'last_market_time',
      'bar_wall_ms',
      elapsedNow.as('elapsed'),
      sql<boolean>`running_since is not null and heartbeat_at > now() - make_interval(secs => ${RUNNER_SILENT_AFTER_S})`.as('running'),
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        firstMarketTime: Number(row.first_market_time),
        lastMarketTime: Number(row.last_market_time),
        barWallMs: row.bar_wall_ms,
        elapsedMs: Math.floor(Number(row.elapsed)),
        running: row.running,
      };
}

/**
 * Starts (or resumes) the clock of replay `id` over [first, last] at `barWallMs` of wall time per bar.
 * What ran before is kept, up to the last heartbeat of a runner that stopped without saying so; a new
 * bar length keeps the market time; a different data window starts the clock over. Returns whether it
 * started over.
 */
export async function startClock(
  db: Kysely<Database>,
  id: string,
  window: { first: number; last: number },
  barWallMs: number,
): Promise<{ restarted: boolean }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('arena_clock')
      .select(['first_market_time', 'last_market_time', 'bar_wall_ms', elapsedNow.as('elapsed')])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    const fresh = !row || Number(row.first_market_time) !== window.first || Number(row.last_market_time) !== window.last;
    const elapsed = fresh ? 0 : Math.floor(Number(row.elapsed) * (barWallMs / row.bar_wall_ms));
    const values = {
      first_market_time: window.first,
      last_market_time: window.last,
      bar_wall_ms: barWallMs,
      elapsed_ms: elapsed,
      running_since: sql<Date>`now()`,
      heartbeat_at: sql<Date>`now()`,
    };
    await trx
      .insertInto('arena_clock')
      .values({ id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    return { restarted: fresh && row !== undefined };
  });
}

export async function heartbeatClock(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('arena_clock')
    .set({ heartbeat_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('running_since', 'is not', null)
    .execute();
}

/** Holds the clock: the wall time run so far is kept, nothing runs until the next start. */
export async function stopClock(db: Kysely<Database>, id: string): Promise<void> {
  await db
    .updateTable('arena_clock')
    .set({ elapsed_ms: sql`floor(${elapsedNow})`, running_since: null, heartbeat_at: null })
    .where('id', '=', id)
    .execute();
}
