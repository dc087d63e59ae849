/**
 * A line-by-line transcription of TA-Lib's C functions (ta-lib 0.6, as bundled in the npm `talib` 2.0.5 package:
 * ta_RSI.c, ta_EMA.c, ta_MACD.c, ta_SMA.c, ta_TRANGE.c, ta_ATR.c, ta_BBANDS.c, ta_STDDEV.c) with TA-Lib's defaults:
 * compatibility TA_COMPATIBILITY_DEFAULT, unstable periods 0, BBANDS MA type SMA. Written independently of
 * `technicalindicators` so it can judge market/indicators.ts. Each function runs over the whole input
 * (startIdx 0, endIdx n-1) and returns TA-Lib's outBegIdx and outputs.
 */

export interface TaOutput {
  begIdx: number;
  values: number[];
}

const TA_EPSILON = 0.00000000000001;
const isZero = (v: number) => -TA_EPSILON < v && v < TA_EPSILON;
const isZeroOrNeg = (v: number) => v < TA_EPSILON;
const perToK = (period: number) => 2.0 / (period + 1);

/** TA_INT_SMA over [startIdx, endIdx]. */
function intSma(inReal: readonly number[], startIdx: number, endIdx: number, period: number): TaOutput {
  const lookbackTotal = period - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return { begIdx: 0, values: [] };
  const out: number[] = [];
  let periodTotal = 0;
  let trailingIdx = startIdx - lookbackTotal;
  let i = trailingIdx;
  if (period > 1) while (i < startIdx) periodTotal += inReal[i++]!;
  do {
    periodTotal += inReal[i++]!;
    const tempReal = periodTotal;
    periodTotal -= inReal[trailingIdx++]!;
    out.push(tempReal / period);
  } while (i <= endIdx);
  return { begIdx: startIdx, values: out };
}

/** TA_INT_EMA over [startIdx, endIdx] (default compatibility: seeded with the SMA of the first `period` values). */
function intEma(inReal: readonly number[], startIdx: number, endIdx: number, period: number, k: number): TaOutput {
  const lookbackTotal = period - 1;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return { begIdx: 0, values: [] };
  let today = startIdx - lookbackTotal;
  let i = period;
  let tempReal = 0.0;
  while (i-- > 0) tempReal += inReal[today++]!;
  let prevMA = tempReal / period;
  while (today <= startIdx) prevMA = (inReal[today++]! - prevMA) * k + prevMA;
  const out = [prevMA];
  while (today <= endIdx) {
    prevMA = (inReal[today++]! - prevMA) * k + prevMA;
    out.push(prevMA);
  }
  return { begIdx: startIdx, values: out };
}

export function taEMA(inReal: readonly number[], period: number): TaOutput {
  return intEma(inReal, 0, inReal.length - 1, period, perToK(period));
}

export function taRSI(inReal: readonly number[], period: number): TaOutput {
  const endIdx = inReal.length - 1;
  const lookbackTotal = period; // RSI lookback = period + unstable period (0)
  let startIdx = 0;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return { begIdx: 0, values: [] };
  const out: number[] = [];
  if (period === 1) return { begIdx: startIdx, values: inReal.slice(startIdx) };

  let today = startIdx - lookbackTotal;
  let prevValue = inReal[today]!;
  // (The Metastock-compatibility branch is skipped under the default compatibility.)
  let prevGain = 0.0;
  let prevLoss = 0.0;
  today++;
  for (let i = period; i > 0; i--) {
    const tempValue1 = inReal[today++]!;
    const tempValue2 = tempValue1 - prevValue;
    prevValue = tempValue1;
    if (tempValue2 < 0) prevLoss -= tempValue2;
    else prevGain += tempValue2;
  }
  prevLoss /= period;
  prevGain /= period;
  if (today > startIdx) {
    const tempValue1 = prevGain + prevLoss;
    out.push(!isZero(tempValue1) ? 100.0 * (prevGain / tempValue1) : 0.0);
  } else {
    while (today < startIdx) {
      const tempValue1 = inReal[today]!;
      const tempValue2 = tempValue1 - prevValue;
      prevValue = tempValue1;
      prevLoss *= period - 1;
      prevGain *= period - 1;
      if (tempValue2 < 0) prevLoss -= tempValue2;
      else prevGain += tempValue2;
      prevLoss /= period;
      prevGain /= period;
      today++;
    }
  }
  while (today <= endIdx) {
    const tempValue1 = inReal[today++]!;
    const tempValue2 = tempValue1 - prevValue;
    prevValue = tempValue1;
    prevLoss *= period - 1;
    prevGain *= period - 1;
    if (tempValue2 < 0) prevLoss -= tempValue2;
    else prevGain += tempValue2;
    prevLoss /= period;
    prevGain /= period;
    const sum = prevGain + prevLoss;
    out.push(!isZero(sum) ? 100.0 * (prevGain / sum) : 0.0);
  }
  return { begIdx: startIdx, values: out };
}

export interface TaMacdOutput {
  begIdx: number;
  macd: number[];
  signal: number[];
  hist: number[];
}

/** TA_MACD → TA_INT_MACD with explicit (non-zero) periods. */
export function taMACD(inReal: readonly number[], fastPeriod: number, slowPeriod: number, signalPeriod: number): TaMacdOutput {
  const endIdx = inReal.length - 1;
  if (slowPeriod < fastPeriod) [slowPeriod, fastPeriod] = [fastPeriod, slowPeriod];
  const k1 = perToK(slowPeriod);
  const k2 = perToK(fastPeriod);
  const lookbackSignal = signalPeriod - 1;
  const lookbackTotal = lookbackSignal + (slowPeriod - 1);
  let startIdx = 0;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return { begIdx: 0, macd: [], signal: [], hist: [] };

  // Both EMAs are computed from startIdx - lookbackSignal, so they line up (the fast one is seeded late on purpose).
  const tempInteger = startIdx - lookbackSignal;
  const slow = intEma(inReal, tempInteger, endIdx, slowPeriod, k1);
  const fast = intEma(inReal, tempInteger, endIdx, fastPeriod, k2);
  if (
    slow.begIdx !== tempInteger ||
    fast.begIdx !== tempInteger ||
    slow.values.length !== fast.values.length ||
    slow.values.length !== endIdx - startIdx + 1 + lookbackSignal
  ) {
    throw new Error('TA_INTERNAL_ERROR(119)');
  }
  const fastMinusSlow = fast.values.map((f, i) => f - slow.values[i]!);
  const macd = fastMinusSlow.slice(lookbackSignal, lookbackSignal + (endIdx - startIdx) + 1);
  const signal = intEma(fastMinusSlow, 0, fastMinusSlow.length - 1, signalPeriod, perToK(signalPeriod)).values;
  const hist = signal.map((s, i) => macd[i]! - s);
  return { begIdx: startIdx, macd, signal, hist };
}

function taTRANGE(high: readonly number[], low: readonly number[], close: readonly number[], startIdx: number, endIdx: number): TaOutput {
  if (startIdx < 1) startIdx = 1;
  if (startIdx > endIdx) return { begIdx: 0, values: [] };
  const out: number[] = [];
  for (let today = startIdx; today <= endIdx; today++) {
    const tempLT = low[today]!;
    const tempHT = high[today]!;
    const tempCY = close[today - 1]!;
    let greatest = tempHT - tempLT;
    const val2 = Math.abs(tempCY - tempHT);
    if (val2 > greatest) greatest = val2;
    const val3 = Math.abs(tempCY - tempLT);
    if (val3 > greatest) greatest = val3;
    out.push(greatest);
  }
  return { begIdx: startIdx, values: out };
}

export function taATR(high: readonly number[], low: readonly number[], close: readonly number[], period: number): TaOutput {
  const endIdx = close.length - 1;
  const lookbackTotal = period; // ATR lookback = period + unstable period (0)
  let startIdx = 0;
  if (startIdx < lookbackTotal) startIdx = lookbackTotal;
  if (startIdx > endIdx) return { begIdx: 0, values: [] };
  if (period <= 1) return taTRANGE(high, low, close, startIdx, endIdx);

  const tempBuffer = taTRANGE(high, low, close, startIdx - lookbackTotal + 1, endIdx).values;
  let prevATR = intSma(tempBuffer, period - 1, period - 1, period).values[0]!;
  let today = period;
  const out = [prevATR];
  let nbATR = endIdx - startIdx + 1;
  while (--nbATR !== 0) {
    prevATR *= period - 1;
    prevATR += tempBuffer[today++]!;
    prevATR /= period;
    out.push(prevATR);
  }
  return { begIdx: startIdx, values: out };
}

export interface TaBbandsOutput {
  begIdx: number;
  upper: number[];
  middle: number[];
  lower: number[];
}

/** TA_BBANDS with MA type SMA and nbDevUp == nbDevDn, its standard deviation from running sums of squares. */
export function taBBANDS(inReal: readonly number[], period: number, nbDev: number): TaBbandsOutput {
  const endIdx = inReal.length - 1;
  const ma = intSma(inReal, 0, endIdx, period);
  if (ma.values.length === 0) return { begIdx: 0, upper: [], middle: [], lower: [] };
  const stddev = stddevUsingPrecalcMa(inReal, ma.values, ma.begIdx, period);
  const upper: number[] = [];
  const lower: number[] = [];
  for (let i = 0; i < ma.values.length; i++) {
    const tempReal = nbDev === 1.0 ? stddev[i]! : stddev[i]! * nbDev;
    const tempReal2 = ma.values[i]!;
    upper.push(tempReal2 + tempReal);
    lower.push(tempReal2 - tempReal);
  }
  return { begIdx: ma.begIdx, upper, middle: ma.values, lower };
}

function stddevUsingPrecalcMa(
  inReal: readonly number[],
  inMovAvg: readonly number[],
  inMovAvgBegIdx: number,
  timePeriod: number,
): number[] {
  const output: number[] = [];
  let startSum = 1 + inMovAvgBegIdx - timePeriod;
  let endSum = inMovAvgBegIdx;
  let periodTotal2 = 0;
  for (let i = startSum; i < endSum; i++) {
    const v = inReal[i]!;
    periodTotal2 += v * v;
  }
  for (let outIdx = 0; outIdx < inMovAvg.length; outIdx++, startSum++, endSum++) {
    let tempReal = inReal[endSum]!;
    tempReal *= tempReal;
    periodTotal2 += tempReal;
    let meanValue2 = periodTotal2 / timePeriod;
    tempReal = inReal[startSum]!;
    tempReal *= tempReal;
    periodTotal2 -= tempReal;
    tempReal = inMovAvg[outIdx]!;
    tempReal *= tempReal;
    meanValue2 -= tempReal;
    output.push(!isZeroOrNeg(meanValue2) ? Math.sqrt(meanValue2) : 0.0);
  }
  return output;
}
