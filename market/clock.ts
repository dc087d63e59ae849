/**
 * The arena's market clock: which bar a cycle starting now trades at, the same for every agent. In
 * replay it is the arena's (a row in Postgres, arena-clock runner below): it advances one bar per
 * `replay_cycle_seconds` of wall time while the arena runs and holds while it is down, so a paused or
 * slow agent skips bars as it would live, and a restart neither jumps nor repeats bars. Live, it is the
 * last closed 3m bar at the wall clock.
 *
 * Safe under Temporal although it reads the wall clock: only a cycle's first step (sync) reads it and
 * returns the market time into the workflow's history; every later step gets that recorded value.
 */
import type { Kysely } from 'kysely';
import { heartbeatClock, readClock, startClock, stopClock } from '../db/arena-clock';
import type { Database } from '../db/schema';
import { ReplayEndedError } from './replay';
import { INTERVAL_MS } from './types';

const BAR_MS = INTERVAL_MS['3m'];

export interface ClockReading {
  /** Close of the bar a cycle starting now trades at (epoch ms). */
  marketTime: number;
  /** Wall-clock time (epoch ms) at which the next bar begins. */
  nextBarAt: number;
  /** Wall time one bar lasts. */
  barWallMs: number;
  /** The clock is not moving (the replay's runner is down): the bar stays until it runs again. */
  held: boolean;
}

export interface MarketClock {
  /** Throws ReplayEndedError once the replay is past its data. */
  read(): Promise<ClockReading>;
}

/** A live bar is read a moment after it closes, once the venue publishes it. */
export const LIVE_SETTLE_MS = 2_000;

export function liveClock(now: () => number = Date.now): MarketClock {
  return {
    async read() {
      const marketTime = Math.floor(now() / BAR_MS) * BAR_MS;
      return { marketTime, nextBarAt: marketTime + BAR_MS + LIVE_SETTLE_MS, barWallMs: BAR_MS, held: false };
    },
  };
}

export const REPLAY_CLOCK_ID = 'replay';

/** The replay clock as every process reads it (the launcher runs it: runReplayClock). */
export function replayClock(db: Kysely<Database>, id = REPLAY_CLOCK_ID, now: () => number = Date.now): MarketClock {
  return {
    async read() {
      const row = await readClock(db, id);
      if (!row) throw new Error('the arena clock has not been started (the launcher starts it)');
      const bar = Math.floor(row.elapsedMs / row.barWallMs);
      const marketTime = row.firstMarketTime + bar * BAR_MS;
      if (marketTime > row.lastMarketTime) throw new ReplayEndedError(marketTime, row.lastMarketTime);
      const untilNext = row.running ? row.barWallMs - (row.elapsedMs % row.barWallMs) : row.barWallMs;
      return { marketTime, nextBarAt: now() + untilNext, barWallMs: row.barWallMs, held: !row.running };
    },
  };
}

export interface ClockRunner {
  restarted: boolean;
  /** Holds the clock (the wall time run is kept) and stops the heartbeat. */
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 5_000;

/** Starts or resumes the replay clock and keeps it alive while this process runs. */
export async function runReplayClock(
  db: Kysely<Database>,
  window: { first: number; last: number },
  barWallMs: number,
  id = REPLAY_CLOCK_ID,
  onError: (err: unknown) => void = () => {},
): Promise<ClockRunner> {
  const { restarted } = await startClock(db, id, window, barWallMs);
  const timer = setInterval(() => heartbeatClock(db, id).catch(onError), HEARTBEAT_MS);
  timer.unref();
  return {
    restarted,
    async stop() {
      clearInterval(timer);
      await stopClock(db, id);
    },
  };
}
