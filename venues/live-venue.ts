import type { Candle, FundingRate } from '../market/types';
import type { Venue, VenueBalance } from './venue';

/** What the startup check found out about an account; says nothing secret. */
export interface AccountCheck {
  venue: string;
  account: string;
  testnet: boolean;
  /** Where the adapter talks to (no credentials in it). */
  baseUrl: string;
  balance: VenueBalance;
  /** Binance / Aster must be one-way (the agent books one position per symbol); Hyperliquid is always one-way. */
  positionMode: 'one-way' | 'hedge';
  /** Anything worth a warning that does not stop the agent (e.g. a position the agent does not know). */
  warnings: string[];
}

/** A live adapter: the venue interface plus the checks run before an agent starts trading on it. */
export interface LiveVenue extends Venue {
  readonly baseUrl: string;
  /**
   * Reachable, signature accepted, one-way position mode, balance readable. Throws VenueRejection
   * with a message that says what to fix when any of these fails.
   */
  checkAccount(): Promise<AccountCheck>;
}

/** Bar intervals the arena asks public endpoints for. */
export type CandleInterval = '1m' | '3m' | '5m' | '15m' | '1h' | '4h';

/** A venue's public market data (no credentials): what live paper trading and live agents read. */
export interface VenueMarketData {
  readonly venue: string;
  /**
   * Up to `limit` bars whose open time is at or before `endTime`, oldest first. The last one may be
   * the bar still forming at `endTime`; callers that need closed bars drop it.
   */
  candles(symbol: string, interval: CandleInterval, endTime: number, limit: number): Promise<Candle[]>;
  /** Last traded (or mid) price. */
  price(symbol: string): Promise<number>;
  /** Funding settlements with time in [startTime, endTime], oldest first. */
  fundingHistory(symbol: string, startTime: number, endTime: number): Promise<FundingRate[]>;
  /** Open interest in base units now, or null where the venue does not publish it. */
  openInterest(symbol: string): Promise<number | null>;
  /**
   * Open interest in base units at the venue's last record at or before `time`, or null where the venue
   * keeps no history (or none that far back).
   */
  openInterestAt(symbol: string, time: number): Promise<number | null>;
  /** Hours between two funding settlements of `symbol`. */
  fundingIntervalHours(symbol: string): Promise<number>;
}
