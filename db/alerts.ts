/**
 * The alert tables: `alert_settings` (what the launcher started alerts with), `alert_events` (one row
 * per event), `alert_deliveries` (the outbox: one row per event and channel) and `alert_agent_marks`
 * (what detection compares a cycle with).
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AgentMarks, AlertEvent } from '../alerts/types';
import type { AlertSettings } from '../arena-config/types';
import type { AlertDeliveriesTable, Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

const SETTINGS_ID = 'arena';

export interface StoredAlertSettings {
  settings: AlertSettings;
  /** The task queue the alert dispatcher runs on. */
  taskQueue: string;
}

export async function saveAlertSettings(db: Db, settings: AlertSettings, taskQueue: string): Promise<void> {
  const values = { settings: JSON.stringify(settings), task_queue: taskQueue, updated_at: new Date() };
  await db
    .insertInto('alert_settings')
    .values({ id: SETTINGS_ID, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

export async function loadAlertSettings(db: Db): Promise<StoredAlertSettings | null> {
  const row = await db.selectFrom('alert_settings').select(['settings', 'task_queue']).where('id', '=', SETTINGS_ID).executeTakeFirst();
  return row ? { settings: row.settings, taskQueue: row.task_queue } : null;
}

export async function agentMarks(db: Db, agentId: string): Promise<AgentMarks | null> {
  const row = await db.selectFrom('alert_agent_marks').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
  return row
    ? { cycleNo: row.cycle_no, marketTime: row.market_time.getTime(), safeMode: row.safe_mode, unprotected: row.unprotected }
    : null;
}

/**
 * Writes the events with one outbox row per channel, and the agent's marks when given, in one
 * transaction. An event already recorded (its key) adds nothing; marks never move back to an older
 * cycle. Returns how many outbox rows are new.
 */
export async function recordAlertEvents(
  db: Kysely<Database>,
  events: AlertEvent[],
  channels: string[],
  marks?: { agentId: string } & AgentMarks,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let added = 0;
    for (const e of events) {
      const inserted = await trx
        .insertInto('alert_events')
        .values({
          key: e.key,
          kind: e.kind,
          severity: e.severity,
          agent_id: e.agentId,
          title: e.title,
          fields: JSON.stringify(e.fields),
          occurred_at: new Date(e.at),
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!inserted || channels.length === 0) continue;
      const now = new Date();
      const rows = await trx
        .insertInto('alert_deliveries')
        .values(channels.map((channel) => ({ event_key: e.key, channel, status: 'pending' as const, next_attempt_at: now })))
        .onConflict((oc) => oc.columns(['event_key', 'channel']).doNothing())
        .returning('id')
        .execute();
      added += rows.length;
    }
    if (marks) {
      const values = {
        cycle_no: marks.cycleNo,
        market_time: new Date(marks.marketTime),
        safe_mode: marks.safeMode,
        unprotected: JSON.stringify(marks.unprotected),
        updated_at: new Date(),
      };
      await trx
        .insertInto('alert_agent_marks')
        .values({ agent_id: marks.agentId, ...values })
        .onConflict((oc) => oc.column('agent_id').doUpdateSet(values).where('alert_agent_marks.cycle_no', '<', marks.cycleNo))
        .execute();
    }
    return added;
  });
}

export async function alertEventExists(db: Db, key: string): Promise<boolean> {
  return (await db.selectFrom('alert_events').select('key').where('key', '=', key).executeTakeFirst()) !== undefined;
}

export type DeliveryRow = Selectable<AlertDeliveriesTable>;

/** A delivery claimed for one attempt, with its event. */
export interface ClaimedDelivery {
  delivery: DeliveryRow;
  event: AlertEvent;
}

/**
 * Claims the channel's oldest due delivery for one attempt: the attempt is counted and the row held
 * until `leaseUntil` before any request leaves. A row whose previous attempt never reported back
 * (`in_flight`) is marked as a possible repeat. Null when nothing is due.
 */
export async function claimDelivery(db: Kysely<Database>, channel: string, now: Date, leaseUntil: Date): Promise<ClaimedDelivery | null> {
  const { rows } = await sql<DeliveryRow>`
    with due as (
      select id from alert_deliveries
      where channel = ${channel} and status = 'pending' and next_attempt_at <= ${now}
        and (claimed_until is null or claimed_until <= ${now})
      order by id limit 1
      for update skip locked
    )
    update alert_deliveries d
    set attempts = d.attempts + 1, claimed_until = ${leaseUntil}, last_attempt_at = ${now},
      possible_repeat = d.possible_repeat or d.in_flight, in_flight = true
    from due where d.id = due.id
    returning d.*`.execute(db);
  const delivery = rows[0];
  if (!delivery) return null;
  const e = await db.selectFrom('alert_events').selectAll().where('key', '=', delivery.event_key).executeTakeFirstOrThrow();
  return {
    delivery,
    event: {
      key: e.key,
      kind: e.kind,
      severity: e.severity,
      agentId: e.agent_id,
      title: e.title,
      fields: e.fields,
      at: e.occurred_at.getTime(),
    },
  };
}

/** The attempt `attempt` of a delivery arrived. */
export async function markDeliverySent(db: Db, id: string, attempt: number, receipt: Record<string, unknown>, at: Date): Promise<void> {
  await db
    .updateTable('alert_deliveries')
    .set({ status: 'sent', sent_at: at, in_flight: false, claimed_until: null, last_error: null, receipt: JSON.stringify(receipt) })
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .where('status', '=', 'pending')
    .execute();
}

/** The receiver refused the alert for good (a bad token, an unknown chat): no retry will change that. */
export async function markDeliveryFailed(db: Db, id: string, attempt: number, error: string): Promise<void> {
  await db
    .updateTable('alert_deliveries')
    .set({ status: 'failed', in_flight: false, claimed_until: null, last_error: error.slice(0, 2000) })
    .where('id', '=', id)
    .where('attempts', '=', attempt)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * The attempt failed and may pass: every pending delivery of the channel waits until `retryAt` (a
 * receiver in trouble is not asked again sooner). `maybeArrived`: the request may have been acted on.
 */
export async function deferDelivery(
  db: Kysely<Database>,
  id: string,
  attempt: number,
  error: string,
  maybeArrived: boolean,
  channel: string,
  retryAt: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('alert_deliveries')
      .set({ in_flight: maybeArrived, claimed_until: null, last_error: error.slice(0, 2000) })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .where('status', '=', 'pending')
      .execute();
    await trx
      .updateTable('alert_deliveries')
      .set({ next_attempt_at: sql<Date>`greatest(next_attempt_at, ${retryAt})` })
      .where('channel', '=', channel)
      .where('status', '=', 'pending')
      .execute();
  });
}

/** Attempts started on the channel since `since`, and the oldest of them (the throttle's window). */
export async function attemptsSince(db: Db, channel: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('alert_deliveries')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('last_attempt_at').as('oldest')])
    .where('channel', '=', channel)
    .where('last_attempt_at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : null };
}

/** When the channel's next pending delivery may be tried (its retry time or the end of its claim); null when none is pending. */
export async function nextDeliveryDue(db: Db, channel: string): Promise<Date | null> {
  const row = await db
    .selectFrom('alert_deliveries')
    .select(sql<Date | null>`min(greatest(next_attempt_at, coalesce(claimed_until, next_attempt_at)))`.as('due'))
    .where('channel', '=', channel)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return row.due ? new Date(row.due) : null;
}
