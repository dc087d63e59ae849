import { marketTimeForCycle } from './replay';
import { INTERVAL_MS } from './types';

/** Maps a cycle to the market time it trades at. */
export interface MarketClock {
  timeForCycle(cycleNo: number): number;
}

/** Replay: one 3m bar per cycle, whatever the wall clock says, so a cycle re-run sees the same market. */
export const replayClock: MarketClock = { timeForCycle: marketTimeForCycle };

/**
 * Live: a cycle trades at the close of the latest fully closed 3m bar at the wall clock
 * (floor(now / 3m) * 3m), whatever its number.
 *
 * Safe under Temporal although it reads the wall clock: only the first activity of a cycle (syncAccount)
 * calls it, and it returns the market time, which Temporal records in the workflow history; every later
 * activity of the cycle gets that recorded value as input, so a retry of a later step sees the same market.
 * A retry of syncAccount itself may move to a newer bar, which is right for live trading: nothing of the
 * cycle has been decided on the older one yet.
 */
export function liveClock(now: () => number = Date.now): MarketClock {
  const bar = INTERVAL_MS['3m'];
  return { timeForCycle: () => Math.floor(now() / bar) * bar };
}
