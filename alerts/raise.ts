/**
 * The record step's part of the alerts: detect what a recorded or failed cycle raises, write it to
 * the outbox (with the agent's marks, in one transaction), and wake the dispatcher. Nothing is sent
 * here: a cycle only writes rows.
 */
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CycleFailure } from '../cycle/types';
import { agentMarks, loadAlertSettings, recordAlertEvents, type StoredAlertSettings } from '../db/alerts';
import { failedStreak, venueErrorsSince } from '../db/cycles';
import { equityHighSince } from '../db/equity-snapshots';
import type { Database } from '../db/schema';
import { loadDailySummary } from './daily-summary';
import { type CycleFacts, VENUE_FAILURE_PREFIX, detectCycleAlerts, detectFailureAlerts } from './detect';
import { HOUR_MS, VENUE_ERROR_WINDOW_MS, utcDay } from './types';
import { wakeDispatcher } from './wake';

export interface AlertDeps {
  db: Kysely<Database>;
  temporal: Client;
  log: Logger;
}

/** Never fails the cycle it describes (see `tried`). */
export function raiseCycleAlerts(deps: AlertDeps, cycle: CycleFacts): Promise<void> {
  return tried(deps, `cycle ${cycle.cycleNo} of ${cycle.agentId}`, () => raiseForCycle(deps, cycle));
}

/** Never fails the cycle it describes (see `tried`). */
export function raiseFailureAlerts(deps: AlertDeps, failure: CycleFailure): Promise<void> {
  return tried(deps, `failed cycle ${failure.cycleNo} of ${failure.agentId}`, () => raiseForFailure(deps, failure));
}

async function raiseForCycle(deps: AlertDeps, cycle: CycleFacts): Promise<void> {
  const stored = await activeSettings(deps.db);
  if (!stored) return;
  const { db } = deps;
  const { agentId, cycleNo, marketTime } = cycle;
  const previous = await agentMarks(db, agentId);
  // A retried record step: this cycle's alerts were written with its marks.
  if (previous && previous.cycleNo >= cycleNo) return;
  const now = Date.now();
  const newDay = previous !== null && utcDay(previous.marketTime) < utcDay(marketTime);
  const [equityHighLastHour, venueErrors, dailySummary] = await Promise.all([
    equityHighSince(db, agentId, new Date(marketTime - HOUR_MS), cycleNo),
    cycle.executions.some((e) => e.status === 'rejected')
      ? venueErrorsSince(db, agentId, new Date(now - VENUE_ERROR_WINDOW_MS), VENUE_FAILURE_PREFIX)
      : null,
    stored.settings.dailySummary && newDay ? loadDailySummary(db, agentId, previous.marketTime) : null,
  ]);
  const events = detectCycleAlerts(cycle, { previous, equityHighLastHour, venueErrors, dailySummary, now }, stored.settings.thresholds);
  const added = await recordAlertEvents(db, events, channelNames(stored), {
    agentId,
    cycleNo,
    marketTime,
    safeMode: cycle.safeMode,
    unprotected: cycle.unprotected,
  });
  if (added > 0) await wake(deps, stored);
}

async function raiseForFailure(deps: AlertDeps, failure: CycleFailure): Promise<void> {
  const stored = await activeSettings(deps.db);
  if (!stored) return;
  const now = Date.now();
  const [streak, venueErrors] = await Promise.all([
    failedStreak(deps.db, failure.agentId, failure.cycleNo),
    failure.error.startsWith(VENUE_FAILURE_PREFIX)
      ? venueErrorsSince(deps.db, failure.agentId, new Date(now - VENUE_ERROR_WINDOW_MS), VENUE_FAILURE_PREFIX)
      : null,
  ]);
  const events = detectFailureAlerts(failure, { streak, venueErrors, now }, stored.settings.thresholds);
  if (events.length === 0) return;
  if ((await recordAlertEvents(deps.db, events, channelNames(stored))) > 0) await wake(deps, stored);
}

const ATTEMPTS = 3;

/**
 * Alerts must not fail the step that recorded the cycle (the agent would count the cycle as failed,
 * and head for safe mode, over its alerts): a write that fails is tried again (raising is idempotent),
 * and after the last attempt the error is logged and the alerts of that cycle are given up.
 */
async function tried(deps: AlertDeps, what: string, raise: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await raise();
    } catch (err) {
      if (attempt === ATTEMPTS) {
        deps.log.error({ err }, `alerts: the alerts of ${what} could not be written`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** The stored settings when at least one channel runs. */
async function activeSettings(db: Kysely<Database>): Promise<StoredAlertSettings | null> {
  const stored = await loadAlertSettings(db);
  return stored && stored.settings.channels.length > 0 ? stored : null;
}

const channelNames = (stored: StoredAlertSettings): string[] => stored.settings.channels.map((c) => c.name);

/** The rows are written: a failed wake-up only delays them until the dispatcher's next check. */
async function wake(deps: AlertDeps, stored: StoredAlertSettings): Promise<void> {
  await wakeDispatcher(deps.temporal, stored.taskQueue).catch((err: unknown) =>
    deps.log.warn({ err }, 'alerts: could not wake the alert dispatcher; its next check sends them'),
  );
}
