import assert from 'node:assert/strict';
import { latestIndicators, type IndicatorValues } from '../../market/indicators';
import { REPLAY_BAR_MS, ReplayMarketData, replayWindow } from '../../market/replay';
import { buildSymbolSnapshot, fetchSymbolSnapshot, roundSig, type SymbolSnapshot } from '../../market/snapshot';
import type { Candle } from '../../market/types';

const INDICATOR_KEYS: (keyof IndicatorValues)[] = [
  'rsi7',
  'rsi14',
  'macd',
  'macdSignal',
  'macdHist',
  'ema20',
  'ema50',
  'atr14',
  'bbUpper',
  'bbMiddle',
  'bbLower',
];
const source = new ReplayMarketData();

function significantDigits(x: number): number {
  return x.toExponential().replace(/e.*$/, '').replace(/[-.]/g, '').replace(/0+$/, '').length;
}

function decimals(x: number): number {
  const [, frac = ''] = String(x).split('.');
  return frac.length;
}

function series(closes: number[], stepMs = 4 * 3_600_000): Candle[] {
  return closes.map((close, i) => ({ openTime: i * stepMs, open: close, high: close * 1.001, low: close * 0.999, close, volume: 10 }));
}

describe('roundSig', () => {
  it('rounds to significant digits at any magnitude', () => {
    assert.equal(roundSig(29279.94, 6), 29279.9);
    assert.equal(roundSig(0.0799456123, 6), 0.0799456);
    assert.equal(roundSig(-0.000012345678, 4), -0.00001235);
    assert.equal(roundSig(123456789, 4), 123500000);
    assert.equal(roundSig(0, 4), 0);
    assert.ok(Number.isNaN(roundSig(NaN, 4)));
  });
});

describe('buildSymbolSnapshot / fetchSymbolSnapshot', () => {
  const w = replayWindow();
  const times = [w.firstMarketTime, w.firstMarketTime + 4320 * REPLAY_BAR_MS, w.lastMarketTime];

  it('stays under 1500 bytes of JSON for every symbol', async () => {
    for (const asOf of times) {
      for (const symbol of source.symbols()) {
        const bytes = Buffer.byteLength(JSON.stringify((await fetchSymbolSnapshot(source, symbol, asOf)).snapshot));
        assert.ok(bytes < 1500, `${symbol} at ${new Date(asOf).toISOString()}: ${bytes} bytes`);
      }
    }
  });

  it('has the expected shape, rounded, close to the unrounded indicators', async () => {
    const asOf = w.firstMarketTime + 4320 * REPLAY_BAR_MS;
    for (const symbol of ['BTCUSDT', 'DOGEUSDT']) {
      const snap: SymbolSnapshot = (await fetchSymbolSnapshot(source, symbol, asOf)).snapshot;
      const candles3m = await source.candles(symbol, '3m', asOf, 100);
      const candles4h = await source.candles(symbol, '4h', asOf, 100);
      const last = candles3m[candles3m.length - 1]!;

      assert.deepEqual(Object.keys(snap), [
        'symbol',
        'price',
        'change1hPct',
        'change4hPct',
        'fundingRate',
        'fundingIntervalHours',
        'openInterest',
        'volume3m',
        'tf3m',
        'tf4h',
      ]);
      assert.deepEqual(Object.keys(snap.tf3m), [...INDICATOR_KEYS, 'closes']);
      assert.deepEqual(Object.keys(snap.tf4h), [...INDICATOR_KEYS, 'trend']);
      assert.equal(snap.symbol, symbol);
      assert.equal(snap.price, roundSig(last.close, 6));
      assert.equal(snap.openInterest, null, 'the replay has no open interest');
      assert.equal(snap.fundingIntervalHours, 8, "the replay's funding files are 8-hourly");
      assert.equal(snap.volume3m, roundSig(last.volume, 6));
      assert.equal(snap.fundingRate, (await source.lastFunding(symbol, asOf))!.rate);
      assert.deepEqual(
        snap.tf3m.closes,
        candles3m.slice(-10).map((c) => roundSig(c.close, 6)),
      );

      const hourAgo = candles3m[candles3m.length - 21]!;
      assert.equal(hourAgo.openTime, last.openTime - 3_600_000);
      assert.equal(snap.change1hPct, Number(((last.close / hourAgo.close - 1) * 100).toFixed(2)));
      assert.equal(snap.change4hPct, Number(((last.close / candles3m[candles3m.length - 81]!.close - 1) * 100).toFixed(2)));

      for (const [view, candles] of [
        [snap.tf3m, candles3m],
        [snap.tf4h, candles4h],
      ] as const) {
        const exact = latestIndicators(candles);
        for (const key of INDICATOR_KEYS) {
          const rounded = view[key];
          const value = exact[key];
          assert.ok(rounded !== null && value !== null, `${key} missing`);
          assert.ok(Math.abs(rounded - value) <= Math.abs(value) * 1e-3 + 0.005, `${key}: ${rounded} vs ${value}`);
          if (key.startsWith('rsi')) assert.ok(decimals(rounded) <= 2, `${key} ${rounded}`);
          else assert.ok(significantDigits(rounded) <= 6, `${key} ${rounded}`);
        }
      }
      assert.equal(
        snap.tf4h.trend,
        snap.tf4h.ema20! > snap.tf4h.ema50! * 1.001 ? 'up' : snap.tf4h.ema20! < snap.tf4h.ema50! * 0.999 ? 'down' : 'flat',
      );
    }
  });

  it('reads 4h trend from EMA20 vs EMA50, flat inside the band or before warm-up', () => {
    const base = { symbol: 'TEST', price: 100, candles3m: series([100], 180_000), funding: null };
    const rising = series(Array.from({ length: 60 }, (_, i) => 100 + i));
    const falling = series(Array.from({ length: 60 }, (_, i) => 200 - i));
    const flat = series(Array.from({ length: 60 }, () => 100));
    assert.equal(buildSymbolSnapshot({ ...base, candles4h: rising }).tf4h.trend, 'up');
    assert.equal(buildSymbolSnapshot({ ...base, candles4h: falling }).tf4h.trend, 'down');
    assert.equal(buildSymbolSnapshot({ ...base, candles4h: flat }).tf4h.trend, 'flat');
    assert.equal(buildSymbolSnapshot({ ...base, candles4h: rising.slice(0, 30) }).tf4h.trend, 'flat');
  });

  it('degrades to nulls with little history and no funding', () => {
    const snap = buildSymbolSnapshot({
      symbol: 'TEST',
      price: 1.2345678,
      candles3m: series([1, 1.1, 1.2], 180_000),
      candles4h: [],
      funding: null,
    });
    assert.equal(snap.price, 1.23457);
    assert.equal(snap.change1hPct, null);
    assert.equal(snap.change4hPct, null);
    assert.equal(snap.fundingRate, null);
    assert.deepEqual(snap.tf3m.closes, [1, 1.1, 1.2]);
    for (const key of INDICATOR_KEYS) assert.equal(snap.tf4h[key], null, key);
    assert.equal(snap.tf4h.trend, 'flat');
  });

  it('takes open interest and the funding interval from a source that has them, and goes without when they fail', async () => {
    const asOf = w.firstMarketTime + 4320 * REPLAY_BAR_MS;
    const asked: Array<[string, number]> = [];
    const extras = {
      openInterest: async (symbol: string, at: number) => {
        asked.push([symbol, at]);
        return 81_234.5678;
      },
      fundingIntervalHours: async () => 1,
    };
    const withExtras = Object.assign(Object.create(source) as ReplayMarketData, extras);
    const snap = (await fetchSymbolSnapshot(withExtras, 'BTCUSDT', asOf)).snapshot;
    assert.equal(snap.openInterest, 81_234.6);
    assert.equal(snap.fundingIntervalHours, 1);
    assert.deepEqual(asked, [['BTCUSDT', asOf]]);

    const failing = Object.assign(Object.create(source) as ReplayMarketData, {
      openInterest: async () => {
        throw new Error('venue down');
      },
      fundingIntervalHours: async () => {
        throw new Error('venue down');
      },
    });
    const without = (await fetchSymbolSnapshot(failing, 'BTCUSDT', asOf)).snapshot;
    assert.equal(without.openInterest, null);
    assert.ok(!('fundingIntervalHours' in without));
    assert.deepEqual({ ...without, openInterest: snap.openInterest, fundingIntervalHours: 1 }, snap);
  });

  it('fails clearly when nothing has closed yet', async () => {
    const firstOpen = (await source.barsBetween('BTCUSDT', 0, Number.MAX_SAFE_INTEGER))[0]!.openTime;
    await assert.rejects(fetchSymbolSnapshot(source, 'BTCUSDT', firstOpen), /no closed 3m candle for BTCUSDT/);
  });
});
