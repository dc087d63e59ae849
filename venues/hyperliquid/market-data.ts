import { InfoClient } from '@nktkas/hyperliquid';
import type { Candle, FundingRate } from '../../market/types';
import type { CandleInterval, VenueMarketData } from '../live-venue';
import { VenueRejection } from '../venue';
import { venueCall } from './errors';
import { AssetDirectory } from './meta';
import { readAllSince } from './paging';
import { HyperliquidTransport } from './transport';

const INTERVAL_MS: Record<CandleInterval, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
};
/** candleSnapshot answers at most 5000 bars; fundingHistory 500 settlements per call. */
const MAX_CANDLES = 5000;
const FUNDING_PAGE = 500;
/** Hyperliquid settles funding every hour, every perp. */
const FUNDING_INTERVAL_HOURS = 1;
/** One metaAndAssetCtxs answer (every perp at once) serves the symbols asked for within this long: those of one bar. */
const ASSET_CONTEXTS_TTL_MS = 5_000;

type AssetContexts = Awaited<ReturnType<InfoClient['metaAndAssetCtxs']>>;

/** Hyperliquid's public market data (info endpoint, no signature), through the shared limiter. */
export class HyperliquidMarketData implements VenueMarketData {
  readonly venue = 'hyperliquid';
  private readonly info: InfoClient;
  private readonly assets: AssetDirectory;
  private contexts: { at: number; value: Promise<AssetContexts> } | null = null;

  constructor(
    readonly baseUrl: string,
    testnet: boolean,
  ) {
    this.info = new InfoClient({ transport: new HyperliquidTransport(baseUrl, testnet) });
    this.assets = new AssetDirectory(baseUrl, this.info);
  }

  async candles(symbol: string, interval: CandleInterval, endTime: number, limit: number): Promise<Candle[]> {
    if (limit <= 0) return [];
    const { coin } = await this.assets.asset(symbol);
    const step = INTERVAL_MS[interval];
    const lastOpen = Math.floor(endTime / step) * step;
    const startTime = lastOpen - (Math.min(limit, MAX_CANDLES) - 1) * step;
    const bars = await venueCall('info candleSnapshot', () => this.info.candleSnapshot({ coin, interval, startTime, endTime }));
    return bars
      .filter((b) => b.t >= startTime && b.t <= endTime)
      .sort((a, b) => a.t - b.t)
      .slice(-limit)
      .map((b) => ({ openTime: b.t, open: Number(b.o), high: Number(b.h), low: Number(b.l), close: Number(b.c), volume: Number(b.v) }));
  }

  async price(symbol: string): Promise<number> {
    const { coin } = await this.assets.asset(symbol);
    const mids = await venueCall('info allMids', () => this.info.allMids());
    const mid = Number(mids[coin]);
    if (!(mid > 0)) throw new VenueRejection('NO_PRICE', `hyperliquid: no mid price for ${coin}`);
    return mid;
  }

  async fundingHistory(symbol: string, startTime: number, endTime: number): Promise<FundingRate[]> {
    const { coin } = await this.assets.asset(symbol);
    const rows = await readAllSince(
      startTime,
      FUNDING_PAGE,
      (from) => venueCall('info fundingHistory', () => this.info.fundingHistory({ coin, startTime: from, endTime })),
      (r) => r.time,
      (r) => String(r.time),
    );
    return rows.filter((r) => r.time >= startTime && r.time <= endTime).map((r) => ({ time: r.time, rate: Number(r.fundingRate) }));
  }

  /** Open interest in coins, from metaAndAssetCtxs (contexts line up with meta's universe). */
  async openInterest(symbol: string): Promise<number | null> {
    const { coin } = await this.assets.asset(symbol);
    const [meta, contexts] = await this.assetContexts();
    const index = meta.universe.findIndex((u) => u.name === coin);
    const oi = index >= 0 ? contexts[index]?.openInterest : undefined;
    return oi === undefined ? null : Number(oi);
  }

  /** The info endpoint has the present open interest only. */
  async openInterestAt(): Promise<number | null> {
    return null;
  }

  async fundingIntervalHours(): Promise<number> {
    return FUNDING_INTERVAL_HOURS;
  }

  private assetContexts(): Promise<AssetContexts> {
    const now = Date.now();
    if (this.contexts && now - this.contexts.at < ASSET_CONTEXTS_TTL_MS) return this.contexts.value;
    const entry = { at: now, value: venueCall('info metaAndAssetCtxs', () => this.info.metaAndAssetCtxs()) };
    this.contexts = entry;
    entry.value.catch(() => {
      if (this.contexts === entry) this.contexts = null; // a failure is asked again next time
    });
    return entry.value;
  }
}
