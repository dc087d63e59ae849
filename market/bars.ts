import type { Candle } from './types';

/**
 * Groups bars (oldest first) into UTC-aligned buckets of `intervalMs`: open of the first bar, max high, min low,
 * close of the last bar, summed volume. The last bucket may be partial (a bar still forming).
 */
export function aggregateBars(bars: readonly Candle[], intervalMs: number): Candle[] {
  if (!(intervalMs > 0)) throw new Error(`aggregateBars: intervalMs must be positive, got ${intervalMs}`);
  const out: Candle[] = [];
  let current: Candle | undefined;
  for (const bar of bars) {
    const bucketOpen = bar.openTime - (bar.openTime % intervalMs);
    if (current && current.openTime === bucketOpen) {
      if (bar.high > current.high) current.high = bar.high;
      if (bar.low < current.low) current.low = bar.low;
      current.close = bar.close;
      current.volume += bar.volume;
    } else {
      current = { openTime: bucketOpen, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
      out.push(current);
    }
  }
  return out;
}
