import { DEFAULT_FUNDING_INTERVAL_HOURS, type Candle, type FundingRate } from '../../market/types';
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
/** How long a fundingInfo answer is used: intervals change rarely, and the endpoint shares fundingRate's 500 per 5 min. */
const FUNDING_INFO_TTL_MS = 10 * 60_000;
/** Open interest statistics come every 5 minutes; the window asked for ends at the time wanted and holds several. */
const OI_HISTORY_PERIOD = '5m';
const OI_HISTORY_WINDOW_MS = 30 * 60_000;
const OI_HISTORY_LIMIT = 10;

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
  /** The last fundingInfo answer: hours by symbol, for the symbols it lists. */
  private fundingInfo: { at: number; hours: Promise<Map<string, number>> } | null = null;

  constructor(
    private readonly flavour: BinanceFamilyFlavour,
    baseUrl: string,
    opts: { timeoutMs?: number } = {},
  ) {
    this.venue = flavour.venue;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    const limiter = sharedRateLimiter(`${flavour.venue}:${new URL(this.baseUrl).host}`, [
      { intervalMs: 60_000, limit: flavour.defaultWeightPerMinute },
    ]);
    this.client = new BinanceFamilyRestClient({
      venue: flavour.venue,
      baseUrl: this.baseUrl,
      limiter,
      timePath: flavour.paths.time,
      timeoutMs: opts.timeoutMs,
    });
  }

  async candles(symbol: string, interval: CandleInterval, endTime: number, limit: number): Promise<Candle[]> {
    const out: Candle[] = [];
    let end = endTime;
    for (let page = 0; page < MAX_PAGES && out.length < limit; page++) {
      const want = Math.min(MAX_KLINES, limit - out.length);
      const rows = await this.client.call<unknown[][]>({
        method: 'GET',
        path: this.flavour.paths.klines,
        params: { symbol, interval, endTime: end, limit: want },
        weight: klinesWeight(want),
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
      method: 'GET',
      path: this.flavour.paths.tickerPrice,
      params: { symbol },
      weight: 1,
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
        method: 'GET',
        path: this.flavour.paths.fundingRate,
        params: { symbol, startTime: cursor, endTime, limit: FUNDING_LIMIT },
        weight: 1,
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

  /** The last 5-minute open interest record at or before `time` (Binance keeps 30 days of them). */
  async openInterestAt(symbol: string, time: number): Promise<number | null> {
    const path = this.flavour.paths.openInterestHistory;
    if (!path) return null;
    const rows = await this.client.call<Array<{ sumOpenInterest?: string; timestamp?: number | string }>>({
      method: 'GET',
      path,
      weight: 1,
      params: { symbol, period: OI_HISTORY_PERIOD, startTime: time - OI_HISTORY_WINDOW_MS, endTime: time, limit: OI_HISTORY_LIMIT },
    });
    const records = (Array.isArray(rows) ? rows : [])
      .map((r) => ({ time: Number(r.timestamp), value: Number(r.sumOpenInterest) }))
      .filter((r) => r.time <= time && Number.isFinite(r.value))
      .sort((a, b) => a.time - b.time);
    return records.at(-1)?.value ?? null;
  }

  /**
   * From fundingInfo, cached: Binance lists only the symbols whose interval or cap was adjusted, the others
   * settle every 8 hours; Aster lists every symbol.
   */
  async fundingIntervalHours(symbol: string): Promise<number> {
    return (await this.fundingIntervals()).get(symbol) ?? DEFAULT_FUNDING_INTERVAL_HOURS;
  }

  private fundingIntervals(): Promise<Map<string, number>> {
    const now = Date.now();
    if (this.fundingInfo && now - this.fundingInfo.at < FUNDING_INFO_TTL_MS) return this.fundingInfo.hours;
    const hours = this.client.call<unknown>({ method: 'GET', path: this.flavour.paths.fundingInfo, weight: 1 }).then(intervalsOf);
    const entry = { at: now, hours };
    this.fundingInfo = entry;
    hours.catch(() => {
      if (this.fundingInfo === entry) this.fundingInfo = null; // a failure is asked again next time
    });
    return hours;
  }
}

/** Symbol -> fundingIntervalHours of a fundingInfo answer (a list, or one object), positive values only. */
function intervalsOf(body: unknown): Map<string, number> {
  const rows = (Array.isArray(body) ? body : [body]) as Array<{ symbol?: unknown; fundingIntervalHours?: unknown } | null>;
  const hours = new Map<string, number>();
  for (const row of rows) {
    const value = Number(row?.fundingIntervalHours);
    if (typeof row?.symbol === 'string' && Number.isFinite(value) && value > 0) hours.set(row.symbol, value);
  }
  return hours;
}
