import Decimal from 'decimal.js';
import type { MarginBracket, PositionSide, SymbolRules } from './venue';

/** Quantity rounded DOWN to the step size (never more than was asked for). */
export function roundQuantity(quantity: Decimal.Value, rules: SymbolRules): string {
  const step = new Decimal(rules.stepSize);
  return new Decimal(quantity).div(step).floor().mul(step).toFixed(step.decimalPlaces());
}

/** Price rounded to the nearest tick. */
export function roundPrice(price: Decimal.Value, rules: SymbolRules): string {
  const tick = new Decimal(rules.tickSize);
  return new Decimal(price).div(tick).round().mul(tick).toFixed(tick.decimalPlaces());
}

export function isMultipleOf(value: Decimal.Value, increment: string): boolean {
  return new Decimal(value).mod(increment).isZero();
}

/** Why an order of this size would be refused, or null when it passes quantity and notional rules. */
export function sizeViolation(quantity: Decimal.Value, price: Decimal.Value, rules: SymbolRules): string | null {
  const qty = new Decimal(quantity);
  if (!isMultipleOf(qty, rules.stepSize)) return `quantity ${qty} is not a multiple of step ${rules.stepSize}`;
  if (qty.lt(rules.minQty)) return `quantity ${qty} is below the minimum ${rules.minQty}`;
  const notional = qty.mul(price);
  if (notional.lt(rules.minNotional)) {
    return `notional ${notional.toFixed(2)} USDT is below the minimum ${rules.minNotional} USDT`;
  }
  return null;
}

// --- margin brackets (pure: the risk engine and every venue may use them) ---

/** The bracket a position of this notional (USDT, either side) falls in: the last whose floor it reaches. */
export function marginBracketAt(brackets: readonly MarginBracket[], notional: Decimal.Value): MarginBracket {
  const first = brackets[0];
  if (!first) throw new RangeError('no margin brackets');
  const size = Math.abs(Number(notional));
  let found = first;
  for (const b of brackets) if (size >= b.notionalFloor) found = b;
  return found;
}

/** Maintenance margin of a position of this notional: notional x maintMarginRatio - cum of its bracket. */
export function maintenanceMargin(brackets: readonly MarginBracket[], notional: Decimal.Value): Decimal {
  const size = new Decimal(notional).abs();
  const b = marginBracketAt(brackets, size);
  return Decimal.max(0, size.mul(b.maintMarginRatio).sub(b.cum));
}

/** The highest leverage a position of this notional may use. */
export function maxLeverageAt(brackets: readonly MarginBracket[], notional: Decimal.Value): number {
  return marginBracketAt(brackets, notional).initialLeverage;
}

/** The largest notional a position may reach at `leverage` (0 when no bracket allows that leverage). */
export function maxNotionalAt(brackets: readonly MarginBracket[], leverage: number): number {
  let cap = 0;
  for (const b of brackets) if (b.initialLeverage >= leverage) cap = Math.max(cap, b.notionalCap);
  return cap;
}

export interface IsolatedPosition {
  side: PositionSide;
  quantity: Decimal.Value;
  entryPrice: Decimal.Value;
  /** The isolated margin (wallet balance of the position), funding included. */
  margin: Decimal.Value;
}

/**
 * Liquidation price of an isolated position in one-way mode, Binance USD-M's formula:
 *   LP = (WB + cum - side x qty x entry) / (qty x MMR - side x qty)
 * with WB the isolated margin and side +1 for a long, -1 for a short. MMR and cum are those of the
 * bracket the notional AT the liquidation price falls in: maintenance margin is charged on the mark
 * notional and `cum` makes it continuous in the notional, so exactly one bracket is consistent.
 * 0 when the margin covers any fall (a long at 1x).
 */
export function liquidationPrice(p: IsolatedPosition, brackets: readonly MarginBracket[]): Decimal {
  const qty = new Decimal(p.quantity);
  const side = p.side === 'long' ? 1 : -1;
  const base = new Decimal(p.margin).sub(qty.mul(p.entryPrice).mul(side));
  const at = (b: MarginBracket) => base.add(b.cum).div(qty.mul(b.maintMarginRatio).sub(qty.mul(side)));
  for (let i = 0; i < brackets.length; i++) {
    const b = brackets[i]!;
    const price = at(b);
    if (price.lte(0)) continue;
    const notional = price.mul(qty).toNumber();
    if (notional >= b.notionalFloor && (notional < b.notionalCap || i === brackets.length - 1)) return price;
  }
  // Only a long whose margin covers a fall to zero has no consistent bracket (rounding at a bracket edge
  // aside: then the entry's bracket decides).
  const fallback = at(marginBracketAt(brackets, qty.mul(p.entryPrice)));
  return Decimal.max(0, fallback);
}
