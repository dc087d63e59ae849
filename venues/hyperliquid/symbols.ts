/**
 * Arena symbols are Binance-style (`BTCUSDT`); Hyperliquid names perps by coin (`BTC`, `kPEPE`).
 * The coin's exact spelling comes from the venue's meta (see meta.ts), matched without case.
 */

const QUOTES = ['USDT', 'USDC'] as const;

/** `BTCUSDT` → `BTC` (the quote suffix stripped; case as given). */
export function baseOf(symbol: string): string {
  const upper = symbol.toUpperCase();
  for (const quote of QUOTES) {
    if (upper.endsWith(quote) && upper.length > quote.length) return symbol.slice(0, -quote.length);
  }
  return symbol;
}

/** `BTC` → `BTCUSDT`; `kPEPE` → `KPEPEUSDT`. */
export function arenaSymbolOf(coin: string): string {
  return `${coin.toUpperCase()}USDT`;
}
