import { marketTimeForCycle } from './replay';
import { INTERVAL_MS } from './types';

/** Maps a cycle to the market time it trades at. */
export interface MarketClock {
  timeForCycle(cycleNo: number): number;
}

/** Replay: one 3m bar per cycle, whatever the wall clock says, so a cycle re-run sees the same market. */
export const replayClock: MarketClock = { timeForCycle: marketTimeForCycle };

/** Live: the last closed 3m bar boundary. */
export const liveClock: MarketClock = {
  timeForCycle: () => Math.floor(Date.now() / INTERVAL_MS['3m']) * INTERVAL_MS['3m'],
};
