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
  private readonly entries = new Map<string, Promise<{ snapshot: SymbolSnapshot; price: number }>>();

  constructor(
    readonly source: MarketDataSource,
    private readonly maxEntries = 256,
  ) {}

  async at(symbols: readonly string[], marketTime: number): Promise<MarketView> {
    const parts = await Promise.all(symbols.map((symbol) => this.symbolAt(symbol, marketTime)));
    return {
      snapshot: parts.map((p) => p.snapshot),
      prices: Object.fromEntries(symbols.map((symbol, i) => [symbol, parts[i]!.price])),
    };
  }

  private symbolAt(symbol: string, marketTime: number): Promise<{ snapshot: SymbolSnapshot; price: number }> {
    const key = `${symbol}@${marketTime}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = fetchSymbolSnapshot(this.source, symbol, marketTime);
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.maxEntries) break;
        this.entries.delete(oldest);
      }
    }
    return entry;
  }
}
