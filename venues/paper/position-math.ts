import Decimal from 'decimal.js';
import { liquidationPrice } from '../symbol-rules';
import type { MarginBracket, PositionSide } from '../venue';
import type { PaperPosition } from './books';

export const direction = (side: PositionSide): 1 | -1 => (side === 'long' ? 1 : -1);

export function unrealizedPnl(p: PaperPosition, mark: Decimal.Value): Decimal {
  return new Decimal(mark).sub(p.entryPrice).mul(p.quantity).mul(direction(p.side));
}

const liquidationPrices = new WeakMap<PaperPosition, number>();

/**
 * The position's liquidation price as a number, for comparing with bar prices. Positions are
 * immutable (a change makes a new object), so it is computed once per position state.
 */
export function liquidationPriceOf(p: PaperPosition, brackets: readonly MarginBracket[]): number {
  let price = liquidationPrices.get(p);
  if (price === undefined) {
    price = liquidationPrice(p, brackets).toNumber();
    liquidationPrices.set(p, price);
  }
  return price;
}

/** Price after slippage against the taker: buys pay more, sells receive less. */
export function slippedPrice(price: Decimal.Value, buying: boolean, slippageRate: Decimal.Value): Decimal {
  const factor = buying ? Decimal.add(1, slippageRate) : Decimal.sub(1, slippageRate);
  return new Decimal(price).mul(factor);
}

export interface ReduceResult {
  remaining: PaperPosition | null;
  /** The quantity actually closed (at most the position). */
  closed: Decimal;
  realizedPnl: Decimal;
  releasedMargin: Decimal;
}

/** Takes `quantity` off a position at `price`; PnL is quantity x price move, never times leverage. */
export function reducePosition(p: PaperPosition, quantity: Decimal, price: Decimal): ReduceResult {
  const closed = Decimal.min(quantity, p.quantity);
  const realizedPnl = price.sub(p.entryPrice).mul(closed).mul(direction(p.side));
  const releasedMargin = p.margin.mul(closed).div(p.quantity);
  const left = p.quantity.sub(closed);
  const remaining = left.isZero() ? null : { ...p, quantity: left, margin: p.margin.sub(releasedMargin) };
  return { remaining, closed, realizedPnl, releasedMargin };
}

/**
 * Adds to (or opens, at market time `time`) a position: entry becomes the size-weighted average,
 * margin grows by notional / leverage.
 */
export function increasePosition(
  p: PaperPosition | null,
  side: PositionSide,
  quantity: Decimal,
  price: Decimal,
  leverage: number,
  time: number,
): { position: PaperPosition; addedMargin: Decimal } {
  const addedMargin = quantity.mul(price).div(leverage);
  if (!p) {
    return { position: { side, quantity, entryPrice: price, leverage, margin: addedMargin, openedAt: time }, addedMargin };
  }
  const total = p.quantity.add(quantity);
  const entryPrice = p.entryPrice.mul(p.quantity).add(price.mul(quantity)).div(total);
  return { position: { ...p, quantity: total, entryPrice, margin: p.margin.add(addedMargin) }, addedMargin };
}
