import type { InfoClient, MetaResponse } from '@nktkas/hyperliquid';
import { type MarginBracket, VenueRejection } from '../venue';
import { venueCall } from './errors';
import { bracketsOfUniverse } from './margin-tables';
import { baseOf } from './symbols';

/** One perp as the adapter needs it. */
export interface AssetInfo {
  /** The venue's spelling (`BTC`, `kPEPE`). */
  coin: string;
  /** Asset id of the perp: its index in meta().universe. */
  asset: number;
  szDecimals: number;
  maxLeverage: number;
  /** Its margin table as notional brackets (margin-tables.ts). */
  marginBrackets: MarginBracket[];
  /** Cross margin is not allowed (onlyIsolated, or marginMode strictIsolated / noCross). */
  isolatedOnly: boolean;
  delisted: boolean;
}

/** How long a meta answer is used. */
export const META_TTL_MS = 10 * 60_000;
/** An unknown coin reloads meta once it is at least this old (a listing since the last load). */
const RELOAD_FOR_UNKNOWN_MS = 60_000;

interface Entry {
  at: number;
  assets: Promise<Map<string, AssetInfo>>;
}

/** Meta per base URL, shared by every venue and market-data instance of the process. */
const cache = new Map<string, Entry>();

export function assetsFromMeta(meta: MetaResponse): Map<string, AssetInfo> {
  const byCoin = new Map<string, AssetInfo>();
  const brackets = bracketsOfUniverse(meta);
  meta.universe.forEach((u, asset) => {
    byCoin.set(u.name.toLowerCase(), {
      coin: u.name,
      asset,
      szDecimals: u.szDecimals,
      maxLeverage: u.maxLeverage,
      marginBrackets: brackets[asset]!,
      isolatedOnly: !!u.onlyIsolated || u.marginMode === 'strictIsolated' || u.marginMode === 'noCross',
      delisted: !!u.isDelisted,
    });
  });
  return byCoin;
}

/** Arena symbol → perp, from the venue's meta (cached for META_TTL_MS). */
export class AssetDirectory {
  constructor(
    private readonly baseUrl: string,
    private readonly info: InfoClient,
    private readonly now: () => number = Date.now,
  ) {}

  async asset(symbol: string): Promise<AssetInfo> {
    const key = baseOf(symbol).toLowerCase();
    let entry = this.entry(false);
    let found = (await entry.assets).get(key);
    if (!found && this.now() - entry.at >= RELOAD_FOR_UNKNOWN_MS) {
      entry = this.entry(true);
      found = (await entry.assets).get(key);
    }
    if (!found) throw new VenueRejection('UNKNOWN_SYMBOL', `hyperliquid: no perp ${baseOf(symbol)} for symbol ${symbol}`);
    return found;
  }

  /** The perp of a symbol that can still be traded: a delisted one only has its history to read. */
  async tradable(symbol: string): Promise<AssetInfo> {
    const found = await this.asset(symbol);
    if (found.delisted) throw new VenueRejection('UNKNOWN_SYMBOL', `hyperliquid: ${found.coin} (${symbol}) is delisted`);
    return found;
  }

  /** Every perp by asset id. */
  async all(): Promise<AssetInfo[]> {
    return [...(await this.entry(false).assets).values()].sort((a, b) => a.asset - b.asset);
  }

  private entry(reload: boolean): Entry {
    const current = cache.get(this.baseUrl);
    if (current && !reload && this.now() - current.at < META_TTL_MS) return current;
    const entry: Entry = { at: this.now(), assets: venueCall('info meta', () => this.info.meta()).then(assetsFromMeta) };
    // A failed load is not kept: the next call tries again.
    entry.assets.catch(() => {
      if (cache.get(this.baseUrl) === entry) cache.delete(this.baseUrl);
    });
    cache.set(this.baseUrl, entry);
    return entry;
  }
}
