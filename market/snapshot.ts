import { latestIndicators, type IndicatorValues } from './indicators';
import { DEFAULT_FUNDING_INTERVAL_HOURS, type Candle, type FundingRate, type MarketDataSource } from './types';

export type Trend = 'up' | 'down' | 'flat';

export type Timeframe3mView = IndicatorValues & {
  /** Last 10 closes, oldest first. */
  closes: number[];
};

export type Timeframe4hView = IndicatorValues & {
  /** EMA20 vs EMA50, 'flat' within TREND_BAND of each other or when either is not warmed up. */
  trend: Trend;
};

/** What a decision maker sees of one symbol: rounded so it stays small in Temporal history (well under 1.5 KB JSON). */
export interface SymbolSnapshot {
  symbol: string;
  price: number;
  change1hPct: number | null;
  change4hPct: number | null;
  fundingRate: number | null;
  /** Hours between funding settlements (absent in snapshots recorded before it was, and when the venue did not say). */
  fundingIntervalHours?: number;
  /** Base units; null where the source has none. */
  openInterest: number | null;
  /** Base-asset volume of the last closed 3m bar. */
  volume3m: number;
  tf3m: Timeframe3mView;
  tf4h: Timeframe4hView;
}

export interface SnapshotInput {
  symbol: string;
  price: number;
  /** Closed 3m bars, oldest first; the 1h/4h changes need 21/81 of them. */
  candles3m: readonly Candle[];
  candles4h: readonly Candle[];
  funding: FundingRate | null;
  fundingIntervalHours?: number;
  /** The replay has no open interest; a live source may pass it. */
  openInterest?: number | null;
}

/** |EMA20 - EMA50| / EMA50 below this reads as 'flat'. */
export const TREND_BAND = 0.001;
const SNAPSHOT_CANDLES = 100;
const CLOSES_IN_SNAPSHOT = 10;

/** `x` rounded to `digits` significant digits (non-finite values and 0 unchanged). */
export function roundSig(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

function roundDecimals(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}

const price6 = (x: number) => roundSig(x, 6);
// MACD and ATR are price differences: significant digits keep them meaningful from BTC (~3e4) to DOGE (~7e-2).
const diff4 = (x: number) => roundSig(x, 4);
const pct2 = (x: number) => roundDecimals(x, 2);

const ROUNDING: { [K in keyof IndicatorValues]: (x: number) => number } = {
  rsi7: pct2,
  rsi14: pct2,
  macd: diff4,
  macdSignal: diff4,
  macdHist: diff4,
  ema20: price6,
  ema50: price6,
  atr14: diff4,
  bbUpper: price6,
  bbMiddle: price6,
  bbLower: price6,
};

function roundIndicators(values: IndicatorValues): IndicatorValues {
  const out = { ...values };
  for (const key of Object.keys(ROUNDING) as (keyof IndicatorValues)[]) {
    const v = values[key];
    out[key] = v === null ? null : ROUNDING[key](v);
  }
  return out;
}

/** Percent change from the close of the 3m bar `lookbackMs` before the last one to `price`. */
function changePct(candles3m: readonly Candle[], price: number, lookbackMs: number): number | null {
  const last = candles3m[candles3m.length - 1];
  if (!last) return null;
  const target = last.openTime - lookbackMs;
  for (let i = candles3m.length - 1; i >= 0 && candles3m[i]!.openTime >= target; i--) {
    if (candles3m[i]!.openTime === target) return pct2((price / candles3m[i]!.close - 1) * 100);
  }
  return null;
}

function trendOf(ema20: number | null, ema50: number | null): Trend {
  if (ema20 === null || ema50 === null) return 'flat';
  const spread = (ema20 - ema50) / ema50;
  return spread > TREND_BAND ? 'up' : spread < -TREND_BAND ? 'down' : 'flat';
}

export function buildSymbolSnapshot(input: SnapshotInput): SymbolSnapshot {
  const { symbol, price, candles3m, candles4h, funding } = input;
  const ind3m = latestIndicators(candles3m);
  const ind4h = latestIndicators(candles4h);
  return {
    symbol,
    price: price6(price),
    change1hPct: changePct(candles3m, price, 60 * 60_000),
    change4hPct: changePct(candles3m, price, 4 * 60 * 60_000),
    fundingRate: funding ? roundSig(funding.rate, 4) : null,
    ...(input.fundingIntervalHours !== undefined && { fundingIntervalHours: input.fundingIntervalHours }),
    openInterest: input.openInterest == null ? null : roundSig(input.openInterest, 6),
    volume3m: roundSig(candles3m[candles3m.length - 1]?.volume ?? 0, 6),
    tf3m: { ...roundIndicators(ind3m), closes: candles3m.slice(-CLOSES_IN_SNAPSHOT).map((c) => price6(c.close)) },
    tf4h: { ...roundIndicators(ind4h), trend: trendOf(ind4h.ema20, ind4h.ema50) },
  };
}

/**
 * Snapshot of `symbol` at market time `asOf` (100 3m and 100 4h candles) and its last close, exact. Open
 * interest and the funding interval are extras: when the source fails to give them the snapshot goes
 * without (shown as unknown) rather than failing the cycle.
 */
export async function fetchSymbolSnapshot(
  source: MarketDataSource,
  symbol: string,
  asOf: number,
): Promise<{ snapshot: SymbolSnapshot; price: number }> {
  const [candles3m, candles4h, funding, openInterest, fundingIntervalHours] = await Promise.all([
    source.candles(symbol, '3m', asOf, SNAPSHOT_CANDLES),
    source.candles(symbol, '4h', asOf, SNAPSHOT_CANDLES),
    source.lastFunding(symbol, asOf),
    source.openInterest ? source.openInterest(symbol, asOf).catch(() => null) : null,
    source.fundingIntervalHours ? source.fundingIntervalHours(symbol).catch(() => undefined) : DEFAULT_FUNDING_INTERVAL_HOURS,
  ]);
  const last = candles3m[candles3m.length - 1];
  if (!last) throw new NoMarketDataError(`no closed 3m candle for ${symbol} at ${new Date(asOf).toISOString()}`);
  return {
    snapshot: buildSymbolSnapshot({ symbol, price: last.close, candles3m, candles4h, funding, openInterest, fundingIntervalHours }),
    price: last.close,
  };
}

/** The source has nothing for a symbol at that time: no retry will change that. */
export class NoMarketDataError extends Error {
  override name = 'NoMarketData';
}
