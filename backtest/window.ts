/**
 * Which bars a backtest runs at: the replay's 3m bars (market times, each a bar's close) from the
 * first one with the indicator warm-up behind it to the last one of the data, or the part of that
 * window between --from and --to.
 */
import { REPLAY_BAR_MS, REPLAY_WARMUP_MS, type ReplayWindow } from '../market/replay';

export interface BarWindow {
  /** Market times of the bars, oldest first, REPLAY_BAR_MS apart. */
  bars: number[];
  from: number;
  to: number;
}

/** A date (2026-11-03, read as midnight UTC) or a date-time with its zone (2026-11-03T12:00:00Z). */
export function parseMarketTime(text: string, flag: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms))
    throw new WindowError(`${flag} ${text}: expected a date (2026-11-03) or a date-time with its zone (2026-11-03T12:00Z)`);
  return ms;
}

/** The bars of `window` at or after `from` and at or before `to` (both optional and inside the window). */
export function barsBetween(window: ReplayWindow, from?: number, to?: number): BarWindow {
  const first = window.firstMarketTime;
  const last = window.lastMarketTime;
  const span = `the data's window is ${iso(first)} to ${iso(last)} (the first ${REPLAY_WARMUP_MS / 86_400_000} days warm the indicators up)`;
  if (from !== undefined && (from < first || from > last)) throw new WindowError(`--from ${iso(from)} is outside the data: ${span}`);
  if (to !== undefined && (to < first || to > last)) throw new WindowError(`--to ${iso(to)} is outside the data: ${span}`);
  if (from !== undefined && to !== undefined && from > to) throw new WindowError(`--from ${iso(from)} is after --to ${iso(to)}`);
  const start = from === undefined ? 0 : Math.ceil((from - first) / REPLAY_BAR_MS);
  const end = to === undefined ? window.cycles - 1 : Math.floor((to - first) / REPLAY_BAR_MS);
  if (end < start) throw new WindowError(`no bar between --from and --to: ${span}`);
  const bars = Array.from({ length: end - start + 1 }, (_, i) => first + (start + i) * REPLAY_BAR_MS);
  return { bars, from: bars[0]!, to: bars[bars.length - 1]! };
}

export class WindowError extends Error {
  override name = 'WindowError';
}

const iso = (ms: number) => new Date(ms).toISOString();
