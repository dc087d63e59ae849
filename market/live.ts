import type { VenueMarketData } from '../venues/live-venue';
import { aggregateBars } from './bars';
import { INTERVAL_MS, type Candle, type FundingRate, type Interval, type MarketDataSource } from './types';

const BAR_MS = INTERVAL_MS['3m'];
/** Bars per request to the venue (Binance and Aster allow 1500, Hyperliquid 5000). */
export const LIVE_PAGE_LIMIT = 1000;
/** Candle requests ask for at least this many bars, so the small asks of a cycle share the snapshot's fetch. */
const MIN_FETCH = 100;
/** How far back lastFunding looks (Binance and Aster settle every 8h or less, Hyperliquid every hour). */
const FUNDING_LOOKBACK_MS = 3 * 24 * 60 * 60_000;
const MAX_CACHE_ENTRIES = 256;

export interface LiveMarketDataOptions {
  source: VenueMarketData;
  symbols: string[];
  /** Wall clock, epoch ms (tests pass a fake one). */
  now?: () => number;
  /** How long a fetched answer is reused; default one 3m bar. */
  cacheTtlMs?: number;
}

interface CacheEntry {
  at: number;
  /** Bars asked for (a later ask for more refetches). */
  size: number;
  value: Promise<unknown>;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const copyBars = (bars: readonly Candle[], limit: number) => (limit === 0 ? [] : bars.slice(-limit).map((c) => ({ ...c })));

/**
 * A venue's public market data seen as of a market time, with the replay's semantics (market/replay.ts): 3m
 * candles are closed bars only, and the last 4h candle is the bar forming at `asOf` rebuilt from the 3m bars
 * closed so far, so no answer holds data from after `asOf` (or after the wall clock). Errors of the source
 * (VenueTemporaryError / VenueRejection) propagate unchanged.
 */
export class LiveMarketData implements MarketDataSource {
  readonly kind = 'live' as const;
  private readonly source: VenueMarketData;
  private readonly symbolList: readonly string[];
  private readonly now: () => number;
  private readonly ttlMs: number;
  /** Answers by key, oldest first; one promise shared by concurrent callers. */
  private readonly cache = new Map<string, CacheEntry>();

  constructor(opts: LiveMarketDataOptions) {
    this.source = opts.source;
    this.symbolList = [...opts.symbols];
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.cacheTtlMs ?? BAR_MS;
  }

  symbols(): readonly string[] {
    return this.symbolList;
  }

  async candles(symbol: string, interval: Interval, asOf: number, limit: number): Promise<Candle[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const visibleAt = Math.min(asOf, this.now());
    const intervalMs = INTERVAL_MS[interval];
    // Open of the last bar closed at visibleAt: the venue's bars up to it are final.
    const lastClosedOpen = floorTo(visibleAt, intervalMs) - intervalMs;
    const closed = await this.closedBars(symbol, interval, lastClosedOpen, limit);
    if (interval === '3m') return copyBars(closed, limit);

    // The forming 4h bar from the 3m bars closed inside it (the venue's own one may already hold later trades).
    const formingOpen = lastClosedOpen + intervalMs;
    const inside = Math.floor((visibleAt - formingOpen) / BAR_MS);
    const bars3m = inside > 0 ? await this.closedBars(symbol, '3m', floorTo(visibleAt, BAR_MS) - BAR_MS, inside) : [];
    const forming = aggregateBars(
      bars3m.slice(-inside).filter((c) => c.openTime >= formingOpen),
      intervalMs,
    );
    return copyBars([...closed, ...forming], limit);
  }

  /**
   * The closed 3m bars opening in [fromOpenTime, toOpenTime]. The paper venue's settlement asks this of
   * every agent holding a position, every cycle, for the bars since its last cycle: a short, recent range
   * is served from the bars the snapshot already fetched (one request per symbol and bar for all agents);
   * a longer one pages back through the venue.
   */
  async barsBetween(symbol: string, fromOpenTime: number, toOpenTime: number): Promise<Candle[]> {
    const from = Math.ceil(fromOpenTime / BAR_MS) * BAR_MS; // bars open on the grid
    const last = floorTo(Math.min(toOpenTime, this.now() - BAR_MS), BAR_MS); // closed bars only
    if (last < from) return [];
    const count = (last - from) / BAR_MS + 1;
    if (count <= MIN_FETCH) {
      const bars = await this.closedBars(symbol, '3m', last, count);
      return bars.filter((c) => c.openTime >= from && c.openTime <= last).map((c) => ({ ...c }));
    }
    const pages: Candle[][] = [];
    let end = last;
    // Backwards from the end: a venue returns the latest `limit` bars at or before endTime.
    while (end >= from) {
      const limit = Math.min(LIVE_PAGE_LIMIT, Math.floor((end - from) / BAR_MS) + 1);
      const page = (await this.source.candles(symbol, '3m', end, limit)).filter((c) => c.openTime <= end);
      pages.unshift(page.filter((c) => c.openTime >= from));
      const first = page[0];
      if (!first || first.openTime <= from || page.length < limit) break;
      end = first.openTime - BAR_MS;
    }
    return pages.flat();
  }

  /**
   * Funding settled in (from, to]. A recent range (the settlement's ask, every cycle) comes from one
   * fetch of the last days per symbol and bar, shared by all agents; an older one is asked as it is.
   */
  async fundingBetween(symbol: string, from: number, to: number): Promise<FundingRate[]> {
    if (to <= from) return [];
    const recent = floorTo(to, BAR_MS);
    const rows =
      from >= recent - FUNDING_LOOKBACK_MS && to <= recent + BAR_MS
        ? await this.recentFunding(symbol, recent)
        : await this.source.fundingHistory(symbol, from + 1, to);
    return rows.filter((f) => f.time > from && f.time <= to).map((f) => ({ ...f }));
  }

  async lastFunding(symbol: string, asOf: number): Promise<FundingRate | null> {
    const rows = await this.recentFunding(symbol, floorTo(asOf, BAR_MS));
    const last = rows.filter((f) => f.time <= asOf).at(-1);
    return last ? { ...last } : null;
  }

  /**
   * The funding of the last three days up to the end of the bar starting at `barStart`: one request per
   * symbol and bar, whoever asks (the prompt's last rate, the settlement's rows since the last cycle).
   */
  private recentFunding(symbol: string, barStart: number): Promise<FundingRate[]> {
    return this.remember(`funding since ${symbol} ${barStart}`, 0, () =>
      this.source.fundingHistory(symbol, barStart - FUNDING_LOOKBACK_MS, barStart + BAR_MS),
    );
  }

  /**
   * Open interest at `asOf`, asked once per symbol and bar: the venue's present figure while `asOf` is
   * less than a bar old (a cycle reads it moments after its bar closed), else the venue's last record at
   * or before `asOf` (null where it keeps none), so a late cycle does not see a later market.
   */
  async openInterest(symbol: string, asOf: number): Promise<number | null> {
    const visibleAt = Math.min(asOf, this.now());
    return this.remember(`oi ${symbol} ${floorTo(visibleAt, BAR_MS)}`, 0, () =>
      this.now() - visibleAt < BAR_MS ? this.source.openInterest(symbol) : this.source.openInterestAt(symbol, visibleAt),
    );
  }

  /** The venue's interval (its adapter caches it). */
  fundingIntervalHours(symbol: string): Promise<number> {
    return this.source.fundingIntervalHours(symbol);
  }

  /** At least `limit` bars with open time at or before `endOpen`, oldest first, through the cache (do not mutate). */
  private closedBars(symbol: string, interval: Interval, endOpen: number, limit: number): Promise<Candle[]> {
    const size = Math.max(limit, MIN_FETCH);
    return this.remember(`candles ${symbol} ${interval} ${endOpen}`, size, async () =>
      (await this.source.candles(symbol, interval, endOpen, size)).filter((c) => c.openTime <= endOpen),
    );
  }

  private remember<T>(key: string, size: number, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.size >= size && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    const entry: CacheEntry = { at: now, size, value };
    this.cache.delete(key); // re-insert at the end: eviction drops the oldest
    this.cache.set(key, entry);
    if (this.cache.size > MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    // Failures are not cached; the caller still sees the rejection through `value`.
    value.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return value;
  }
}
