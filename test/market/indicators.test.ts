import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { indicatorSeries, latestIndicators, type IndicatorSeries } from '../../market/indicators';
import type { Candle } from '../../market/types';
import { GOLDEN_FILE, goldenInputs, type GoldenFile, type GoldenInput } from './make-talib-golden';
import { taATR, taBBANDS, taEMA, taMACD, taRSI, type TaOutput } from './talib-reference';

type Key = keyof IndicatorSeries;
const KEYS: Key[] = ['rsi7', 'rsi14', 'macd', 'macdSignal', 'macdHist', 'ema20', 'ema50', 'atr14', 'bbUpper', 'bbMiddle', 'bbLower'];

/** Every indicator through the TA-Lib transcription, in IndicatorSeries shape (outputs from outBegIdx on). */
function referenceSeries(candles: readonly Candle[]): Record<Key, TaOutput> {
  const close = candles.map((c) => c.close);
  const macd = taMACD(close, 12, 26, 9);
  const bb = taBBANDS(close, 20, 2);
  return {
    rsi7: taRSI(close, 7),
    rsi14: taRSI(close, 14),
    macd: { begIdx: macd.begIdx, values: macd.macd },
    macdSignal: { begIdx: macd.begIdx, values: macd.signal },
    macdHist: { begIdx: macd.begIdx, values: macd.hist },
    ema20: taEMA(close, 20),
    ema50: taEMA(close, 50),
    atr14: taATR(
      candles.map((c) => c.high),
      candles.map((c) => c.low),
      close,
      14,
    ),
    bbUpper: { begIdx: bb.begIdx, values: bb.upper },
    bbMiddle: { begIdx: bb.begIdx, values: bb.middle },
    bbLower: { begIdx: bb.begIdx, values: bb.lower },
  };
}

/** Largest |actual - expected| / |expected| over the end-aligned overlap, skipping the first `skip` outputs. */
function maxRelativeError(actual: readonly number[], expected: readonly number[], skip = 0): number {
  assert.equal(actual.length, expected.length, 'series lengths differ');
  let worst = 0;
  for (let i = skip; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e) continue;
    worst = Math.max(worst, Math.abs(a - e) / Math.abs(e));
  }
  return worst;
}

const golden = JSON.parse(gunzipSync(readFileSync(GOLDEN_FILE)).toString('utf8')) as GoldenFile;
const WARMUP: Record<GoldenInput, number> = { '3m': 100, '4h': 60, '3m-last100': 0 };

describe('indicators vs TA-Lib', () => {
  describe('the TA-Lib transcription reproduces real TA-Lib outputs bit for bit', () => {
    for (const c of golden.cases) {
      it(`${c.symbol} ${c.input}`, async () => {
        const candles = (await goldenInputs(c.symbol))[c.input];
        assert.deepEqual(
          [candles.length, candles[0]!.openTime, candles[candles.length - 1]!.openTime],
          [c.bars, c.firstOpenTime, c.lastOpenTime],
          'bundled data changed',
        );
        const ref = referenceSeries(candles);
        for (const key of KEYS) {
          const g = c.outputs[key]!;
          assert.equal(ref[key].begIdx, g.begIdx, `${key} begIdx`);
          assert.equal(ref[key].values.length, g.count, `${key} count`);
          assert.deepEqual(ref[key].values.slice(g.count - g.values.length), g.values, key);
        }
      });
    }
  });

  describe('indicatorSeries matches TA-Lib after warm-up (1e-6 relative)', () => {
    for (const c of golden.cases) {
      it(`${c.symbol} ${c.input} against real TA-Lib (skipping ${WARMUP[c.input]} outputs)`, async () => {
        const mine = indicatorSeries((await goldenInputs(c.symbol))[c.input]);
        for (const key of KEYS) {
          const g = c.outputs[key]!;
          assert.equal(mine[key].length, g.count, `${key} length`);
          const stored = mine[key].slice(g.count - g.values.length);
          const skip = Math.max(0, WARMUP[c.input] - (g.count - g.values.length));
          const err = maxRelativeError(stored, g.values, skip);
          assert.ok(err <= 1e-6, `${c.symbol} ${c.input} ${key}: relative error ${err}`);
        }
      });
    }

    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      for (const input of ['3m', '4h'] as const) {
        it(`${symbol} ${input}, whole series against the transcription`, async () => {
          const candles = (await goldenInputs(symbol))[input];
          const mine = indicatorSeries(candles);
          const ref = referenceSeries(candles);
          for (const key of KEYS) {
            const err = maxRelativeError(mine[key], ref[key].values, WARMUP[input]);
            assert.ok(err <= 1e-6, `${symbol} ${input} ${key}: relative error ${err}`);
          }
        });
      }
    }
  });

  it('matches from the first output on, seeds included (100-candle windows like the snapshot uses)', async () => {
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT']) {
      const inputs = await goldenInputs(symbol);
      for (const candles of [
        inputs['3m'].slice(0, 100),
        inputs['3m'].slice(7_000, 7_100),
        inputs['4h'].slice(-100),
        inputs['4h'].slice(0, 60),
      ]) {
        const mine = indicatorSeries(candles);
        const ref = referenceSeries(candles);
        for (const key of KEYS) {
          const err = maxRelativeError(mine[key], ref[key].values);
          assert.ok(err <= 1e-9, `${symbol} ${key}: relative error ${err}`);
        }
      }
    }
  });

  it('follows TA-Lib on a flat series (RSI 0, zero-width bands)', () => {
    const flat: Candle[] = Array.from({ length: 40 }, (_, i) => ({ openTime: i * 180_000, open: 5, high: 5, low: 5, close: 5, volume: 1 }));
    const mine = indicatorSeries(flat);
    const ref = referenceSeries(flat);
    for (const key of KEYS) assert.deepEqual(mine[key], ref[key].values, key);
    assert.equal(mine.rsi14[0], 0);
    assert.equal(mine.bbUpper[0], 5);
  });
});

describe('latestIndicators', () => {
  it('is null until each indicator has its lookback, then the last series value', async () => {
    const candles = (await goldenInputs('BTCUSDT'))['3m'];
    const lookback: Record<Key, number> = {
      rsi7: 7,
      rsi14: 14,
      macd: 33,
      macdSignal: 33,
      macdHist: 33,
      ema20: 19,
      ema50: 49,
      atr14: 14,
      bbUpper: 19,
      bbMiddle: 19,
      bbLower: 19,
    };
    for (const n of [0, 1, 8, 15, 20, 34, 50, 51]) {
      const latest = latestIndicators(candles.slice(0, n));
      for (const key of KEYS) assert.equal(latest[key] === null, n <= lookback[key], `${key} with ${n} candles`);
    }
    const window = candles.slice(-100);
    const series = indicatorSeries(window);
    const latest = latestIndicators(window);
    for (const key of KEYS) assert.equal(latest[key], series[key][series[key].length - 1], key);
  });
});
