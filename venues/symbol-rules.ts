import Decimal from 'decimal.js';
import type { SymbolRules } from './venue';

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
