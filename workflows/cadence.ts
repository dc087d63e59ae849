import type { AgentState } from './definitions';

/** Bars are 3 minutes of market time. */
const BAR_MINUTES = 3;
/** An agent's cycles begin at most this far into a bar, so they spread over it yet finish before the next. */
const MAX_PHASE = 0.75;

/**
 * When the agent's next cycle starts (wall clock, epoch ms). Every agent cycles on the market clock's
 * bars: `scanIntervalMinutes / 3` bars apart (a 6-minute agent on every second bar), at its own
 * phase within the bar (a hash of its id, the same every time), so a thousand agents do not all start
 * at the bar's first millisecond. A cycle that ran late, or a pause, skips the bars it missed (as
 * trading live would); an agent never cycles twice on one bar, nor sooner than `intervalMs` after its
 * last cycle (the launcher passes the bar's wall time in replay, the scan interval live). Before its
 * first cycle (or after one that gave no clock reading) it waits its phase of `intervalMs`.
 */
export function nextCycleTime(state: Pick<AgentState, 'config' | 'lastCycle'>, intervalMs: number, now: number): number {
  const phase = phaseOf(state.config.id);
  const last = state.lastCycle;
  if (!last?.nextBarAt || !last.barWallMs) return now + Math.round(phase * intervalMs);
  const bars = Math.max(1, Math.round(state.config.strategy.scanIntervalMinutes / BAR_MINUTES));
  const first = last.nextBarAt + (bars - 1) * last.barWallMs + Math.round(phase * last.barWallMs);
  // Never sooner than the agent's interval after its last cycle (less one bar: the phase keeps it in its slot).
  const earliest = Math.max(now, last.finishedAt + intervalMs - last.barWallMs);
  return first >= earliest ? first : first + Math.ceil((earliest - first) / last.barWallMs) * last.barWallMs;
}

/** A fraction of a bar in [0, MAX_PHASE), from an FNV-1a hash of the agent's id. */
export function phaseOf(agentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) h = Math.imul(h ^ agentId.charCodeAt(i), 0x01000193);
  return ((h >>> 0) / 2 ** 32) * MAX_PHASE;
}
