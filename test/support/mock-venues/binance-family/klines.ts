import Decimal from 'decimal.js';
import type { Candle } from '../../../../market/types';
import { Errors } from './errors';
import type { MockSymbolSpec } from './symbols';

/**
 * GET klines: `[openTime, "open", "high", "low", "close", "volume", closeTime, "quoteVolume", trades,
 * "takerBuyBase", "takerBuyQuote", "0"]` (fixture klines.json). Bars come from the candles a test gave
 * for the symbol (per interval, or one list for every interval), else flat bars at the current price.
 */

/** Candles by symbol: one list served for every interval, or lists per interval ("3m", "4h", ...). */
export type MockCandles = Record<string, Candle[] | Partial<Record<string, Candle[]>>>;

const MINUTE = 60_000;
const INTERVAL_MS: Record<string, number> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '3d': 3 * 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
  '1M': 0,
};
/** Weekly bars open on Monday 00:00 UTC; 1970-01-01 was a Thursday. */
const WEEK_OFFSET = 4 * 1440 * MINUTE;

export function checkInterval(interval: string): void {
  if (!(interval in INTERVAL_MS)) throw Errors.badInterval();
}

/** Documented weight by LIMIT: [1,100) 1, [100,500) 2, [500,1000] 5, > 1000 10. */
export function klineWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

export function barOpen(time: number, interval: string): number {
  if (interval === '1M') {
    const d = new Date(time);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const ms = INTERVAL_MS[interval]!;
  if (interval === '1w') return Math.floor((time - WEEK_OFFSET) / ms) * ms + WEEK_OFFSET;
  return Math.floor(time / ms) * ms;
}

function nextOpen(open: number, interval: string): number {
  if (interval === '1M') {
    const d = new Date(open);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return open + INTERVAL_MS[interval]!;
}

function previousOpen(open: number, interval: string): number {
  if (interval === '1M') {
    const d = new Date(open);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  }
  return open - INTERVAL_MS[interval]!;
}

export interface KlineQuery {
  spec: MockSymbolSpec;
  interval: string;
  startTime?: number;
  endTime?: number;
  limit: number;
  now: number;
  price: Decimal;
  candles?: MockCandles;
}

export function klines(query: KlineQuery): unknown[][] {
  const bars = sourceBars(query) ?? flatBars(query);
  return bars.map((bar) => row(query.spec, bar, query.interval));
}

function sourceBars(query: KlineQuery): Candle[] | null {
  const entry = query.candles?.[query.spec.symbol];
  if (!entry) return null;
  const list = Array.isArray(entry) ? entry : entry[query.interval];
  if (!list) return null;
  const end = Math.min(query.endTime ?? Infinity, query.now);
  const inRange = list
    .filter((bar) => bar.openTime <= end && (query.startTime === undefined || bar.openTime >= query.startTime))
    .sort((a, b) => a.openTime - b.openTime);
  return query.startTime !== undefined ? inRange.slice(0, query.limit) : inRange.slice(-query.limit);
}

function flatBars(query: KlineQuery): Candle[] {
  const { interval, limit } = query;
  const lastOpen = barOpen(Math.min(query.endTime ?? query.now, query.now), interval);
  const opens: number[] = [];
  if (query.startTime !== undefined) {
    for (let open = barOpen(query.startTime, interval); open <= lastOpen && opens.length < limit; open = nextOpen(open, interval)) {
      if (open >= query.startTime) opens.push(open);
    }
  } else {
    for (let open = lastOpen; opens.length < limit; open = previousOpen(open, interval)) opens.unshift(open);
  }
  const price = query.price.toNumber();
  return opens.map((openTime) => ({ openTime, open: price, high: price, low: price, close: price, volume: 1000 }));
}

function priceText(spec: MockSymbolSpec, value: number): string {
  const d = new Decimal(value);
  return d.decimalPlaces() > spec.pricePrecision ? d.toFixed() : d.toFixed(spec.pricePrecision);
}

function row(spec: MockSymbolSpec, bar: Candle, interval: string): unknown[] {
  const volume = new Decimal(bar.volume);
  const quote = volume.mul(bar.close);
  return [
    bar.openTime,
    priceText(spec, bar.open),
    priceText(spec, bar.high),
    priceText(spec, bar.low),
    priceText(spec, bar.close),
    volume.toFixed(spec.quantityPrecision),
    nextOpen(bar.openTime, interval) - 1,
    quote.toFixed(8),
    100,
    volume.div(2).toFixed(spec.quantityPrecision),
    quote.div(2).toFixed(8),
    '0',
  ];
}
