import { marketTimeForCycle } from './replay';

/** Maps a cycle to the market time it trades at. */
export interface MarketClock {
  timeForCycle(cycleNo: number): number;
}

/** Replay: one 3m bar per cycle, whatever the wall clock says, so a cycle re-run sees the same market. */
export const replayClock: MarketClock = { timeForCycle: marketTimeForCycle };
