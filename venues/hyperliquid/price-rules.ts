import Decimal from 'decimal.js';

/**
 * Hyperliquid's price and size rules for perps (gitbook "Tick and lot size"; HLPY examples/rounding.py):
 * - a size has at most `szDecimals` decimals;
 * - a price has at most 5 significant figures AND at most `6 − szDecimals` decimals, except that an
 *   integer price is always valid (123456 is, although 12345.6 is not).
 * No single tick expresses the price rule, so the venue's SymbolRules carry the tick that holds near
 * the current price (`tickSizeAt`) and every order's price goes through `roundPrice` just before it
 * is sent.
 */
export const MAX_SIGNIFICANT_FIGURES = 5;
export const PERP_MAX_DECIMALS = 6;

export type Rounding = 'nearest' | 'down' | 'up';

const MODES: Record<Rounding, Decimal.Rounding> = {
  nearest: Decimal.ROUND_HALF_UP,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

/** Decimals a price of this magnitude may carry (0 from 10 000 up: integers are always valid). */
export function priceDecimals(price: Decimal.Value, szDecimals: number): number {
  const p = new Decimal(price);
  if (!p.isFinite() || p.lte(0)) throw new RangeError(`price must be positive, got ${String(price)}`);
  return Math.max(0, Math.min(PERP_MAX_DECIMALS - szDecimals, MAX_SIGNIFICANT_FIGURES - 1 - p.e));
}

/**
 * The valid price next to `price`: `nearest` for trigger prices, `down` / `up` for the limit of an
 * aggressive order that must not go past its slippage bound. Unlike the SDK's formatPrice (which
 * truncates, and turns 123456.7 into 123450), prices of 10 000 and more are rounded to an integer.
 * Null when the price rounds to 0 (too small for the asset).
 */
export function roundPrice(price: Decimal.Value, szDecimals: number, rounding: Rounding = 'nearest'): string | null {
  const p = new Decimal(price);
  const rounded = p.toDecimalPlaces(priceDecimals(p, szDecimals), MODES[rounding]);
  // Rounding up can reach the next power of ten (9.99995 → 10), which is valid: fewer figures.
  return rounded.isZero() ? null : rounded.toFixed();
}

export function isValidPrice(price: Decimal.Value, szDecimals: number): boolean {
  const p = new Decimal(price);
  if (!p.isFinite() || p.lte(0)) return false;
  if (p.isInteger()) return true;
  return p.decimalPlaces() <= PERP_MAX_DECIMALS - szDecimals && p.sd() <= MAX_SIGNIFICANT_FIGURES;
}

/**
 * The tick a SymbolRules reports: the finest step that is valid all the way around `price` in its
 * power of ten, i.e. 10^-(6 − szDecimals) capped by 5 significant figures, and never coarser than 1.
 * BTC (szDecimals 5) at 60 000 → "1"; ETH (4) at 3 000 → "0.1"; an asset with szDecimals 0 at
 * 0.12345 → "0.00001". Multiples of it near the price pass the exact rule; roundPrice still runs on
 * every order because a move into the next power of ten changes the tick.
 */
export function tickSizeAt(price: Decimal.Value, szDecimals: number): string {
  return new Decimal(10).pow(-priceDecimals(price, szDecimals)).toFixed();
}

/** Size truncated to `szDecimals` (never more than asked for); "0" when nothing is left. */
export function truncateSize(size: Decimal.Value, szDecimals: number): string {
  return new Decimal(size).toDecimalPlaces(szDecimals, Decimal.ROUND_DOWN).toFixed();
}

export function stepSizeOf(szDecimals: number): string {
  return new Decimal(10).pow(-szDecimals).toFixed();
}
