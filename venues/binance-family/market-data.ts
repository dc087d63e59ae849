import type { Candle, FundingRate } from '../../market/types';
import { sharedRateLimiter } from '../http/rate-limiter';
import type { CandleInterval, VenueMarketData } from '../live-venue';
import { VenueRejection } from '../venue';
import type { BinanceFamilyFlavour } from './flavour';
import { candleFromKline, fundingFromRaw } from './mapping';
import { BinanceFamilyRestClient } from './rest-client';

/** Klines per request at most. */
const MAX_KLINES = 1500;
const FUNDING_LIMIT = 1000;
const MAX_PAGES = 50;

/** IP weight of a klines request for `limit` bars. */
export function klinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

/** Public market data of a Binance-family venue (unsigned endpoints), through the venue's shared limiter. */
export class BinanceFamilyMarketData implements VenueMarketData {
  readonly venue: string;
  readonly baseUrl: string;
  private readonly client: BinanceFamilyRestClient;

  constructor(private readonly flavour: BinanceFamilyFlavour, baseUrl: string, opts: { timeoutMs?: number } = {}) {
    this.venue = flavour.venue;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    const limiter = sharedRateLimiter(`${flavour.venue}:${new URL(this.baseUrl).host}`, [
      { intervalMs: 60_000, limit: flavour.defaultWeightPerMinute },
    ]);
    this.client = new BinanceFamilyRestClient({
      venue: flavour.venue, baseUrl: this.baseUrl, limiter, timePath: flavour.paths.time, timeoutMs: opts.timeoutMs,
    });
  }

  async candles(symbol: string, interval: CandleInterval, endTime: number, limit: number): Promise<Candle[]> {
    const out: Candle[] = [];
    let end = endTime;
    for (let page = 0; page < MAX_PAGES && out.length < limit; page++) {
      const want = Math.min(MAX_KLINES, limit - out.length);
      const rows = await this.client.call<unknown[][]>({
        method: 'GET', path: this.flavour.paths.klines, params: { symbol, interval, endTime: end, limit: want }, weight: klinesWeight(want),
      });
      const bars = (Array.isArray(rows) ? rows : []).map(candleFromKline).filter((c) => c.openTime <= end);
      if (bars.length === 0) break;
      out.unshift(...bars.filter((c) => !out.some((o) => o.openTime === c.openTime)));
      if (bars.length < want) break;
      end = bars[0]!.openTime - 1;
    }
    return out.sort((a, b) => a.openTime - b.openTime).slice(-limit);
  }

  async price(symbol: string): Promise<number> {
    const body = await this.client.call<{ price?: string } | Array<{ price?: string }>>({
      method: 'GET', path: this.flavour.paths.tickerPrice, params: { symbol }, weight: 1,
    });
    const price = Number((Array.isArray(body) ? body[0] : body)?.price);
    if (!(price > 0)) throw new VenueRejection('NO_PRICE', `${this.venue}: no price for ${symbol}`);
    return price;
  }

  async fundingHistory(symbol: string, startTime: number, endTime: number): Promise<FundingRate[]> {
    const out = new Map<number, FundingRate>();
    let cursor = startTime;
    for (let page = 0; page < MAX_PAGES; page++) {
      const rows = await this.client.call<Array<{ fundingTime: number; fundingRate: string }>>({
        method: 'GET', path: this.flavour.paths.fundingRate,
        params: { symbol, startTime: cursor, endTime, limit: FUNDING_LIMIT }, weight: 1,
      });
      const list = Array.isArray(rows) ? rows : [];
      for (const r of list) out.set(r.fundingTime, fundingFromRaw(r));
      if (list.length < FUNDING_LIMIT) break;
      const last = Math.max(...list.map((r) => r.fundingTime));
      if (!(last >= cursor)) break;
      cursor = last + 1;
    }
    return [...out.values()].filter((f) => f.time >= startTime && f.time <= endTime).sort((a, b) => a.time - b.time);
  }

  async openInterest(symbol: string): Promise<number | null> {
    const path = this.flavour.paths.openInterest;
    if (!path) return null;
    const body = await this.client.call<{ openInterest?: string }>({ method: 'GET', path, params: { symbol }, weight: 1 });
    const value = Number(body?.openInterest);
    return Number.isFinite(value) ? value : null;
  }
}
