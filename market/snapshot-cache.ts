import { PromiseCache } from '../infra/promise-cache';
import { fetchSymbolSnapshot, type SymbolSnapshot } from './snapshot';
import type { MarketDataSource } from './types';

/** What every agent sees of the market at one bar. */
export interface MarketView {
  snapshot: SymbolSnapshot[];
  /** Each symbol's last close, exact (the snapshot's price is rounded for the prompt). */
  prices: Record<string, number>;
}

/** Where a cycle gets the market at its bar: built here (MarketSnapshots) or ahead on another thread (backtest). */
export interface MarketViews {
  at(symbols: readonly string[], marketTime: number): Promise<MarketView>;
}

/**
 * Market snapshots built once per (symbol, bar) for all the agents of a process: the candles are read
 * and the indicators computed once, whoever asks first, and every later cycle at that bar reuses them.
 * A snapshot depends on the data at that bar only, so one rebuilt elsewhere (another worker, a retry)
 * is the same.
 */
export class MarketSnapshots implements MarketViews {
  private readonly entries: PromiseCache<{ snapshot: SymbolSnapshot; price: number }>;

  constructor(
    readonly source: MarketDataSource,
    maxEntries = 256,
  ) {
    this.entries = new PromiseCache(maxEntries);
  }

  async at(symbols: readonly string[], marketTime: number): Promise<MarketView> {
    const parts = await Promise.all(symbols.map((symbol) => this.symbolAt(symbol, marketTime)));
    return {
      snapshot: parts.map((p) => p.snapshot),
      prices: Object.fromEntries(symbols.map((symbol, i) => [symbol, parts[i]!.price])),
    };
  }

  private symbolAt(symbol: string, marketTime: number): Promise<{ snapshot: SymbolSnapshot; price: number }> {
    return this.entries.get(`${symbol}@${marketTime}`, () => fetchSymbolSnapshot(this.source, symbol, marketTime));
  }
}
