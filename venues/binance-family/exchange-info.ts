import Decimal from 'decimal.js';
import type { RateLimit } from '../http/rate-limiter';
import type { SymbolRules } from '../venue';

/** Max leverage when the venue's leverage brackets cannot be read: the venues' ceiling. */
export const DEFAULT_MAX_LEVERAGE = 125;

/** How long a fetched exchange info is trusted. */
export const EXCHANGE_INFO_TTL_MS = 10 * 60_000;

export interface QuantityFilter {
  minQty: string;
  /** "0" when the venue sets no maximum. */
  maxQty: string;
  stepSize: string;
}

/** One symbol of the exchange info, with the filters an order must pass. */
export interface SymbolInfo {
  symbol: string;
  /** TRADING, or e.g. SETTLING / PENDING_TRADING / CLOSE. */
  status: string;
  /** What `Venue.symbolRules` returns (LOT_SIZE step and minimum). */
  rules: SymbolRules;
  price: { minPrice: string; maxPrice: string; tickSize: string };
  /** LOT_SIZE: conditional orders with a quantity. */
  lot: QuantityFilter;
  /** MARKET_LOT_SIZE (LOT_SIZE when the venue sends none): market orders. */
  marketLot: QuantityFilter;
}

export interface ExchangeInfo {
  symbols: Map<string, SymbolInfo>;
  /** The REQUEST_WEIGHT limits, for the rate limiter. */
  rateLimits: RateLimit[];
  serverTime: number | null;
}

interface RawFilter {
  filterType?: string;
  [key: string]: unknown;
}

interface RawSymbol {
  symbol?: string;
  status?: string;
  filters?: RawFilter[];
}

interface RawRateLimit {
  rateLimitType?: string;
  interval?: string;
  intervalNum?: number | string;
  limit?: number | string;
}

const INTERVAL_MS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** A decimal string without trailing zeros ("0.00010" → "0.0001", "5.0" → "5"); "0" for anything unusable. */
function dec(value: unknown): string {
  if (value === undefined || value === null || value === '') return '0';
  try {
    const d = new Decimal(String(value));
    return d.isFinite() && !d.isNeg() ? d.toFixed() : '0';
  } catch {
    return '0';
  }
}

/** The REQUEST_WEIGHT entries of `rateLimits` (the IP weight the limiter counts). */
export function parseRateLimits(raw: unknown): RateLimit[] {
  if (!Array.isArray(raw)) return [];
  const out: RateLimit[] = [];
  for (const r of raw as RawRateLimit[]) {
    if (r?.rateLimitType !== 'REQUEST_WEIGHT') continue;
    const unit = INTERVAL_MS[String(r.interval ?? '').toUpperCase()];
    const num = Number(r.intervalNum ?? 1);
    const limit = Number(r.limit);
    if (!unit || !(num > 0) || !(limit > 0)) continue;
    out.push({ intervalMs: unit * num, limit });
  }
  return out;
}

/** One symbol's filters: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL (`notional`). */
export function parseSymbol(raw: RawSymbol, maxLeverage = DEFAULT_MAX_LEVERAGE): SymbolInfo | null {
  if (!raw?.symbol) return null;
  const filters = new Map<string, RawFilter>();
  for (const f of raw.filters ?? []) if (f?.filterType) filters.set(f.filterType, f);
  const priceFilter = filters.get('PRICE_FILTER');
  const lotFilter = filters.get('LOT_SIZE');
  if (!priceFilter || !lotFilter) return null;
  const lot: QuantityFilter = { minQty: dec(lotFilter.minQty), maxQty: dec(lotFilter.maxQty), stepSize: dec(lotFilter.stepSize) };
  const marketFilter = filters.get('MARKET_LOT_SIZE');
  const marketLot: QuantityFilter = marketFilter
    ? {
        minQty: dec(marketFilter.minQty),
        maxQty: dec(marketFilter.maxQty),
        // A step of 0 would mean "none": keep the LOT_SIZE step then.
        stepSize: dec(marketFilter.stepSize) === '0' ? lot.stepSize : dec(marketFilter.stepSize),
      }
    : lot;
  const notional = filters.get('MIN_NOTIONAL');
  const minNotional = dec(notional?.notional ?? notional?.minNotional);
  const price = { minPrice: dec(priceFilter.minPrice), maxPrice: dec(priceFilter.maxPrice), tickSize: dec(priceFilter.tickSize) };
  if (price.tickSize === '0' || lot.stepSize === '0') return null;
  return {
    symbol: raw.symbol,
    status: raw.status ?? 'TRADING',
    rules: {
      symbol: raw.symbol,
      tickSize: price.tickSize,
      stepSize: lot.stepSize,
      minQty: lot.minQty,
      minNotional,
      maxLeverage,
    },
    price,
    lot,
    marketLot,
  };
}

/** GET exchangeInfo's body: symbols with usable filters, and the weight limits. */
export function parseExchangeInfo(body: unknown, maxLeverage = DEFAULT_MAX_LEVERAGE): ExchangeInfo {
  const raw = (body ?? {}) as { symbols?: RawSymbol[]; rateLimits?: unknown; serverTime?: number };
  const symbols = new Map<string, SymbolInfo>();
  for (const s of raw.symbols ?? []) {
    const info = parseSymbol(s, maxLeverage);
    if (info) symbols.set(info.symbol, info);
  }
  return {
    symbols,
    rateLimits: parseRateLimits(raw.rateLimits),
    serverTime: typeof raw.serverTime === 'number' ? raw.serverTime : null,
  };
}

/**
 * A value fetched at most once per TTL (concurrent callers share one request; a failed fetch is not
 * kept), refreshed early after `invalidate`.
 */
export class CachedValue<T> {
  protected value: T | null = null;
  protected fetchedAt = 0;
  private inflight: Promise<T> | null = null;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs = EXCHANGE_INFO_TTL_MS,
    protected readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.value !== null && this.now() - this.fetchedAt < this.ttlMs) return this.value;
    return this.refresh();
  }

  invalidate(): void {
    this.fetchedAt = 0;
  }

  protected refresh(): Promise<T> {
    if (!this.inflight) {
      this.inflight = this.load()
        .then((value) => {
          this.value = value;
          this.fetchedAt = this.now();
          return value;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }
}

/**
 * The exchange info of one venue host, refreshed early when the venue says a symbol or its filters
 * changed.
 */
export class ExchangeInfoCache extends CachedValue<ExchangeInfo> {
  /**
   * A symbol's info, or null when the venue does not list it. An unknown symbol triggers one refresh
   * when the cached copy is older than `staleAfterMs` (a symbol listed since).
   */
  async symbol(symbol: string, staleAfterMs = 60_000): Promise<SymbolInfo | null> {
    const info = await this.get();
    const found = info.symbols.get(symbol);
    if (found || this.now() - this.fetchedAt < staleAfterMs) return found ?? null;
    return (await this.refresh()).symbols.get(symbol) ?? null;
  }
}

const caches = new Map<string, ExchangeInfoCache>();

/** The process-wide cache for `key` (venue and base URL); `load` is used by the first caller. */
export function sharedExchangeInfoCache(key: string, load: () => Promise<ExchangeInfo>): ExchangeInfoCache {
  let cache = caches.get(key);
  if (!cache) {
    cache = new ExchangeInfoCache(load);
    caches.set(key, cache);
  }
  return cache;
}
