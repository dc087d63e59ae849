import Decimal from 'decimal.js';
import type { PositionSide } from '../venue';

/** Maintenance margin rate of the simulated venue (Binance's first tier is 0.4-0.5 %). */
export const MAINTENANCE_MARGIN_RATE = new Decimal('0.005');

export interface PaperPosition {
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  leverage: number;
  /** Isolated margin, including funding received or paid since the open. */
  margin: Decimal;
}

export const direction = (side: PositionSide): 1 | -1 => (side === 'long' ? 1 : -1);

export function unrealizedPnl(p: PaperPosition, mark: Decimal.Value): Decimal {
  return new Decimal(mark).sub(p.entryPrice).mul(p.quantity).mul(direction(p.side));
}

/**
 * The mark price at which the isolated margin plus the loss equals the maintenance margin:
 * long  margin + q(P - e) = mmr q P  =>  P = (e q - margin) / (q (1 - mmr))
 * short margin + q(e - P) = mmr q P  =>  P = (e q + margin) / (q (1 + mmr))
 */
export function liquidationPrice(p: PaperPosition): Decimal {
  const eq = p.entryPrice.mul(p.quantity);
  const price = p.side === 'long'
    ? eq.sub(p.margin).div(p.quantity.mul(Decimal.sub(1, MAINTENANCE_MARGIN_RATE)))
    : eq.add(p.margin).div(p.quantity.mul(Decimal.add(1, MAINTENANCE_MARGIN_RATE)));
  return Decimal.max(price, 0);
}

/** Price after slippage against the taker: buys pay more, sells receive less. */
export function slippedPrice(price: Decimal.Value, buying: boolean, slippageRate: Decimal.Value): Decimal {
  const factor = buying ? Decimal.add(1, slippageRate) : Decimal.sub(1, slippageRate);
  return new Decimal(price).mul(factor);
}

export interface ReduceResult {
  remaining: PaperPosition | null;
  realizedPnl: Decimal;
  releasedMargin: Decimal;
}

/** Takes `quantity` off a position at `price`; PnL is quantity x price move, never times leverage. */
export function reducePosition(p: PaperPosition, quantity: Decimal, price: Decimal): ReduceResult {
  const closing = Decimal.min(quantity, p.quantity);
  const realizedPnl = price.sub(p.entryPrice).mul(closing).mul(direction(p.side));
  const releasedMargin = p.margin.mul(closing).div(p.quantity);
  const left = p.quantity.sub(closing);
  const remaining = left.isZero() ? null : { ...p, quantity: left, margin: p.margin.sub(releasedMargin) };
  return { remaining, realizedPnl, releasedMargin };
}

/** Adds to (or opens) a position: entry becomes the size-weighted average, margin grows by notional / leverage. */
export function increasePosition(
  p: PaperPosition | null, side: PositionSide, quantity: Decimal, price: Decimal, leverage: number,
): { position: PaperPosition; addedMargin: Decimal } {
  const addedMargin = quantity.mul(price).div(leverage);
  if (!p) return { position: { side, quantity, entryPrice: price, leverage, margin: addedMargin }, addedMargin };
  const total = p.quantity.add(quantity);
  const entryPrice = p.entryPrice.mul(p.quantity).add(price.mul(quantity)).div(total);
  return { position: { ...p, quantity: total, entryPrice, margin: p.margin.add(addedMargin) }, addedMargin };
}
