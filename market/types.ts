/** Shapes shared by every market data source (bundled replay now, live venue endpoints later). */

export type Interval = '3m' | '4h';

export const INTERVAL_MS: Record<Interval, number> = {
  '3m': 3 * 60_000,
  '4h': 4 * 60 * 60_000,
};

/** One OHLCV bar. `openTime` is the bar's open, UTC epoch ms; volume is in the base asset. */
export interface Candle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Binance's standard funding interval, and so the bundled replay's (its funding files are Binance's 8-hourly rates). */
export const DEFAULT_FUNDING_INTERVAL_HOURS = 8;

export interface FundingRate {
  /** Funding settlement time, UTC epoch ms. */
  time: number;
  rate: number;
}

/**
 * Where candles and funding come from. `asOf` is the market clock (epoch ms): a source never returns
 * information from after it, so a replay cannot peek into its own future.
 */
export interface MarketDataSource {
  readonly kind: 'replay' | 'live';
  symbols(): readonly string[];
  /**
   * The last `limit` bars visible at `asOf`, oldest first. Closed bars only for 3m; for 4h the last
   * element may be the bar still forming at `asOf` (built from the 3m bars closed so far), as a live
   * venue's kline endpoint returns it.
   */
  candles(symbol: string, interval: Interval, asOf: number, limit: number): Promise<Candle[]>;
  /** Closed 3m bars with open time in [fromOpenTime, toOpenTime], oldest first. */
  barsBetween(symbol: string, fromOpenTime: number, toOpenTime: number): Promise<Candle[]>;
  /** Funding settlements with time in (from, to], oldest first. */
  fundingBetween(symbol: string, from: number, to: number): Promise<FundingRate[]>;
  /** The latest funding rate known at `asOf`, or null when none. */
  lastFunding(symbol: string, asOf: number): Promise<FundingRate | null>;
  /**
   * Open interest in base units at `asOf`, or null when not known then. A source without this method
   * (the bundled replay) has no open interest at all.
   */
  openInterest?(symbol: string, asOf: number): Promise<number | null>;
  /** Hours between two funding settlements; a source without this method settles every DEFAULT_FUNDING_INTERVAL_HOURS. */
  fundingIntervalHours?(symbol: string): Promise<number>;
}
