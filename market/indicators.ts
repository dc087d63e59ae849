import type { Candle } from './types';

/**
 * Indicator series equal to TA-Lib's (RSI, MACD, EMA, ATR, BBANDS with default settings), each aligned to the END of
 * the input: the last element is the value at the last candle; arrays are shorter than the input by TA-Lib's lookback
 * (RSI n, EMA n-1, MACD 33, ATR n, BBANDS n-1) and empty when there is not enough data.
 */
export interface IndicatorSeries {
  rsi7: number[];
  rsi14: number[];
  macd: number[];
  macdSignal: number[];
  macdHist: number[];
  ema20: number[];
  ema50: number[];
  atr14: number[];
  bbUpper: number[];
  bbMiddle: number[];
  bbLower: number[];
}

export interface IndicatorValues {
  rsi7: number | null;
  rsi14: number | null;
  macd: number | null;
  macdSignal: number | null;
  macdHist: number | null;
  ema20: number | null;
  ema50: number | null;
  atr14: number | null;
  bbUpper: number | null;
  bbMiddle: number | null;
  bbLower: number | null;
}

// Written out as TA-Lib computes them rather than taken from technicalindicators: the arena builds a
// snapshot of every symbol at every bar (and a backtest of 30 days some 52,000 of them). Each
// indicator is a small state machine fed one candle at a time: one pass over the window gives every
// value (the series, for the tests) or only the last ones (the snapshot), without building arrays.
// test/market/indicators.test.ts holds them to TA-Lib's own values.

/** An EMA fed one value at a time, seeded with the simple average of its first `period` values (ta_EMA.c). */
class Ema {
  private readonly k: number;
  private seen = 0;
  private value = 0;
  constructor(private readonly period: number) {
    this.k = 2 / (period + 1);
  }
  /** The EMA after `v`, or null while the seed is still being summed. */
  push(v: number): number | null {
    this.seen += 1;
    if (this.seen < this.period) {
      this.value += v;
      return null;
    }
    this.value = this.seen === this.period ? (this.value + v) / this.period : (v - this.value) * this.k + this.value;
    return this.value;
  }
}

/**
 * Wilder RSI seeded with the simple average of the first `period` changes, as TA-Lib's ta_RSI.c.
 * Not technicalindicators' RSI: it rounds every output to 2 decimals (toFixed(2)), an error that never warms away,
 * and returns 100 instead of TA-Lib's 0 when there was no change at all.
 */
class Rsi {
  private previous: number | null = null;
  private changes = 0;
  private gain = 0;
  private loss = 0;
  constructor(private readonly period: number) {}
  push(close: number): number | null {
    const previous = this.previous;
    this.previous = close;
    if (previous === null) return null;
    const change = close - previous;
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    this.changes += 1;
    if (this.changes <= this.period) {
      this.gain += up;
      this.loss += down;
      if (this.changes < this.period) return null;
      this.gain /= this.period;
      this.loss /= this.period;
    } else {
      this.gain = (this.gain * (this.period - 1) + up) / this.period;
      this.loss = (this.loss * (this.period - 1) + down) / this.period;
    }
    const total = this.gain + this.loss;
    return Math.abs(total) < 1e-14 ? 0 : 100 * (this.gain / total); // TA_IS_ZERO uses the same epsilon
  }
}

/** Wilder's ATR, seeded with the simple average of the first `period` true ranges, as TA-Lib's ta_ATR.c. */
class Atr {
  private previousClose: number | null = null;
  private ranges = 0;
  private value = 0;
  constructor(private readonly period: number) {}
  push(c: Candle): number | null {
    const previous = this.previousClose;
    this.previousClose = c.close;
    if (previous === null) return null;
    const range = Math.max(c.high - c.low, Math.abs(c.high - previous), Math.abs(c.low - previous));
    this.ranges += 1;
    if (this.ranges < this.period) {
      this.value += range;
      return null;
    }
    this.value = this.ranges === this.period ? (this.value + range) / this.period : (this.value * (this.period - 1) + range) / this.period;
    return this.value;
  }
}

/**
 * MACD seeded as TA-Lib's ta_MACD.c: both EMAs start at index slow-1, the fast one from the SMA of the `fast` values
 * ending there. technicalindicators' MACD seeds the fast EMA at index fast-1 instead; that decays only as (11/13)^n:
 * on the bundled data its last value over a 100-candle window is still up to 1.4e-6 relative off TA-Lib, and 5e-5 at
 * the 60th output of the 30-day 4h series. The MACD line is reported from where the signal starts (index
 * slow+signal-2), as TA-Lib does.
 */
class Macd {
  private readonly slowEma: Ema;
  private readonly fastEma: Ema;
  private readonly signalEma: Ema;
  private index = 0;
  /** The latest values, once the signal line exists. */
  line: number | null = null;
  signal: number | null = null;
  constructor(
    private readonly fast: number,
    private readonly slow: number,
    signal: number,
  ) {
    this.slowEma = new Ema(slow);
    this.fastEma = new Ema(fast);
    this.signalEma = new Ema(signal);
  }
  push(close: number): void {
    const i = this.index++;
    const slow = this.slowEma.push(close);
    const fast = i >= this.slow - this.fast ? this.fastEma.push(close) : null;
    if (slow === null || fast === null) return;
    const line = fast - slow;
    this.signal = this.signalEma.push(line);
    if (this.signal !== null) this.line = line;
  }
}

/** Bollinger bands with the population standard deviation over the last `period` closes (TA-Lib's BBANDS, SMA middle). */
class Bollinger {
  private readonly window: number[];
  private seen = 0;
  private sum = 0;
  private squares = 0;
  /** The latest middle band and standard deviation, once `period` closes are in. */
  middle: number | null = null;
  deviation = 0;
  constructor(
    private readonly period: number,
    readonly width: number,
  ) {
    this.window = new Array<number>(period).fill(0);
  }
  push(close: number): void {
    const slot = this.seen % this.period;
    if (this.seen >= this.period) {
      const out = this.window[slot]!;
      this.sum -= out;
      this.squares -= out * out;
    }
    this.window[slot] = close;
    this.sum += close;
    this.squares += close * close;
    this.seen += 1;
    if (this.seen < this.period) return;
    this.middle = this.sum / this.period;
    this.deviation = Math.sqrt(Math.max(0, this.squares / this.period - this.middle * this.middle));
  }
}

/** The indicators of one window, fed candle by candle; `values()` reads the latest of each. */
class Indicators {
  private readonly rsi7 = new Rsi(7);
  private readonly rsi14 = new Rsi(14);
  private readonly ema20 = new Ema(20);
  private readonly ema50 = new Ema(50);
  private readonly atr14 = new Atr(14);
  private readonly macd = new Macd(12, 26, 9);
  private readonly bands = new Bollinger(20, 2);
  private rsi7Value: number | null = null;
  private rsi14Value: number | null = null;
  private ema20Value: number | null = null;
  private ema50Value: number | null = null;
  private atr14Value: number | null = null;

  push(c: Candle): void {
    this.rsi7Value = this.rsi7.push(c.close) ?? this.rsi7Value;
    this.rsi14Value = this.rsi14.push(c.close) ?? this.rsi14Value;
    this.ema20Value = this.ema20.push(c.close) ?? this.ema20Value;
    this.ema50Value = this.ema50.push(c.close) ?? this.ema50Value;
    this.atr14Value = this.atr14.push(c) ?? this.atr14Value;
    this.macd.push(c.close);
    this.bands.push(c.close);
  }

  /** Each indicator's value at the last candle pushed; null where there is not enough data yet. */
  values(): IndicatorValues {
    const { macd, bands } = this;
    const middle = bands.middle;
    return {
      rsi7: this.rsi7Value,
      rsi14: this.rsi14Value,
      macd: macd.line,
      macdSignal: macd.signal,
      macdHist: macd.line === null || macd.signal === null ? null : macd.line - macd.signal,
      ema20: this.ema20Value,
      ema50: this.ema50Value,
      atr14: this.atr14Value,
      bbUpper: middle === null ? null : middle + bands.width * bands.deviation,
      bbMiddle: middle,
      bbLower: middle === null ? null : middle - bands.width * bands.deviation,
    };
  }
}

/** Every indicator's series over `candles`, aligned to the end (for the tests against TA-Lib). */
export function indicatorSeries(candles: readonly Candle[]): IndicatorSeries {
  const series: IndicatorSeries = {
    rsi7: [],
    rsi14: [],
    macd: [],
    macdSignal: [],
    macdHist: [],
    ema20: [],
    ema50: [],
    atr14: [],
    bbUpper: [],
    bbMiddle: [],
    bbLower: [],
  };
  const indicators = new Indicators();
  for (const c of candles) {
    indicators.push(c);
    const values = indicators.values();
    // A value appears once it exists and is then renewed at every candle: its series starts there.
    for (const key of Object.keys(series) as (keyof IndicatorSeries)[]) {
      const v = values[key];
      if (v !== null) series[key].push(v);
    }
  }
  return series;
}

/** The value of every indicator at the last candle; null where there is not enough data yet. */
export function latestIndicators(candles: readonly Candle[]): IndicatorValues {
  const indicators = new Indicators();
  for (const c of candles) indicators.push(c);
  return indicators.values();
}
