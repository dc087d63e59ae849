import assert from 'node:assert/strict';
import { aggregateBars } from '../../market/bars';
import { INTERVAL_MS, type Candle } from '../../market/types';

const MIN = 60_000;
const H4 = INTERVAL_MS['4h'];
const DAY = Date.UTC(2023, 7, 1); // 2023-08-01 00:00 UTC

function bar(openTime: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return { openTime, open, high, low, close, volume };
}

describe('aggregateBars', () => {
  it('groups 3m bars into UTC-aligned 4h buckets, the last one partial', () => {
    const bars = [
      bar(DAY + 11 * 60 * MIN + 51 * MIN, 100, 101, 99, 100.5, 1), // 11:51, bucket 08:00
      bar(DAY + 11 * 60 * MIN + 54 * MIN, 100.5, 103, 100, 102, 2),
      bar(DAY + 11 * 60 * MIN + 57 * MIN, 102, 102.5, 98, 99, 3),
      bar(DAY + 12 * 60 * MIN, 99, 100, 97, 98, 4), // 12:00, bucket 12:00 (forming)
      bar(DAY + 12 * 60 * MIN + 3 * MIN, 98, 105, 97.5, 104, 5),
    ];
    assert.deepEqual(aggregateBars(bars, H4), [
      bar(DAY + 8 * 60 * MIN, 100, 103, 98, 99, 6),
      bar(DAY + 12 * 60 * MIN, 99, 105, 97, 104, 9),
    ]);
  });

  it('aligns buckets to the epoch, not to the first bar', () => {
    const bars = [0, 1, 2, 3, 4].map((i) => bar(DAY + (6 + 3 * i) * MIN, i, i + 1, i - 1, i + 0.5, 1)); // 00:06 .. 00:18
    const out = aggregateBars(bars, 9 * MIN);
    assert.deepEqual(
      out.map((c) => c.openTime),
      [DAY, DAY + 9 * MIN, DAY + 18 * MIN],
    );
    assert.deepEqual(out[0], bar(DAY, 0, 1, -1, 0.5, 1)); // 00:06 alone in 00:00-00:09
    assert.deepEqual(out[1], bar(DAY + 9 * MIN, 1, 4, 0, 3.5, 3)); // 00:09, 00:12, 00:15
    assert.deepEqual(out[2], bar(DAY + 18 * MIN, 4, 5, 3, 4.5, 1)); // 00:18, partial
  });

  it('handles empty input and leaves the input untouched', () => {
    assert.deepEqual(aggregateBars([], H4), []);
    const bars = [bar(DAY, 1, 2, 0.5, 1.5, 1), bar(DAY + 3 * MIN, 1.5, 3, 1, 2, 1)];
    const copy = structuredClone(bars);
    aggregateBars(bars, H4);
    assert.deepEqual(bars, copy);
  });

  it('rejects a non-positive interval', () => {
    assert.throws(() => aggregateBars([], 0), /intervalMs/);
  });
});
