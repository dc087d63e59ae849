import Decimal from 'decimal.js';
import type { IncomeType, OrderSide } from '../venue';
import type { PaperLedger, PaperOrder, PaperPosition } from './books';
import { type ReduceResult, direction, reducePosition, slippedPrice } from './position-math';
import type { PaperSymbolRules } from './symbol-table';

/** What a paper account trades under: its fees and slippage, and the symbols' rules (brackets included). */
export interface PaperTerms {
  takerFeeRate: Decimal;
  slippageRate: Decimal;
  /** The rules of a symbol the venue lists; throws VenueRejection UNKNOWN_SYMBOL otherwise. */
  rules(symbol: string): PaperSymbolRules;
}

export const ZERO = new Decimal(0);

/** A reducing fill worked out before anything is booked, so that a refusal can still come after it. */
export interface ReduceFill extends ReduceResult {
  price: Decimal;
  fee: Decimal;
  /** What the fill hands back to the free balance: released margin + PnL - fee. */
  cashDelta: Decimal;
}

export function planReduce(position: PaperPosition, quantity: Decimal, price: Decimal, feeRate: Decimal): ReduceFill {
  const r = reducePosition(position, quantity, price);
  const fee = r.closed.mul(price).mul(feeRate);
  return { ...r, price, fee, cashDelta: r.releasedMargin.add(r.realizedPnl).sub(fee) };
}

/** Books a reducing fill of `clientOrderId`: PnL and fee, the position shrunk or gone. Cash is the caller's. */
export function bookReduce(ledger: PaperLedger, symbol: string, fill: ReduceFill, clientOrderId: string, time: number): void {
  bookIncome(ledger, symbol, 'REALIZED_PNL', fill.realizedPnl, clientOrderId, time);
  bookIncome(ledger, symbol, 'COMMISSION', fill.fee.neg(), clientOrderId, time);
  ledger.setPosition(symbol, fill.remaining);
  if (!fill.remaining) expireClosePositionOrders(ledger, symbol, time);
}

/** A resting STOP_MARKET / TAKE_PROFIT_MARKET fires at `trigger` (slippage applies): returns what is left of the position. */
export function fillTriggered(
  ledger: PaperLedger,
  terms: PaperTerms,
  order: PaperOrder,
  position: PaperPosition,
  trigger: Decimal,
  time: number,
): PaperPosition | null {
  const price = slippedPrice(trigger, order.side === 'BUY', terms.slippageRate);
  const quantity = order.closePosition ? position.quantity : Decimal.min(order.quantity, position.quantity);
  const fill = planReduce(position, quantity, price, terms.takerFeeRate);
  ledger.updateOrder({
    ...order,
    status: 'FILLED',
    executedQty: fill.closed.toString(),
    avgPrice: price.toString(),
    fee: fill.fee.toString(),
    realizedPnl: fill.realizedPnl.toString(),
    updateTime: time,
  });
  bookReduce(ledger, order.symbol, fill, order.clientOrderId, time);
  ledger.setCash(ledger.cash.add(fill.cashDelta));
  return fill.remaining;
}

/**
 * The isolated margin is lost, and no more: the loss up to the liquidation price is realised and the
 * rest of the margin goes to the insurance fund (however far the price went past it). The free
 * balance does not change.
 */
export function liquidate(ledger: PaperLedger, symbol: string, position: PaperPosition, price: Decimal, time: number): void {
  const clientOrderId = `liquidation-${symbol}-${time}`;
  const realized = price.sub(position.entryPrice).mul(position.quantity).mul(direction(position.side));
  bookIncome(ledger, symbol, 'REALIZED_PNL', realized, clientOrderId, time);
  bookIncome(ledger, symbol, 'INSURANCE_CLEAR', position.margin.add(realized).neg(), clientOrderId, time);
  ledger.setPosition(symbol, null);
  expireClosePositionOrders(ledger, symbol, time);
  const side: OrderSide = position.side === 'long' ? 'SELL' : 'BUY';
  ledger.addOrder({
    orderId: null,
    clientOrderId,
    symbol,
    side,
    type: 'LIQUIDATION',
    status: 'FILLED',
    quantity: position.quantity.toString(),
    stopPrice: null,
    reduceOnly: true,
    closePosition: true,
    executedQty: position.quantity.toString(),
    avgPrice: price.toString(),
    fee: '0',
    realizedPnl: realized.toString(),
    createdTime: time,
    updateTime: time,
  });
}

/**
 * As on Binance, close-position triggers die with their position; reduce-only ones with a quantity
 * stay until someone cancels them (they can no longer fire: nothing is left to reduce).
 */
function expireClosePositionOrders(ledger: PaperLedger, symbol: string, time: number): void {
  const expiring = [...ledger.openOrders.values()].filter((o) => o.symbol === symbol && o.closePosition);
  for (const order of expiring) ledger.updateOrder({ ...order, status: 'EXPIRED', updateTime: time });
}

/** Zero amounts are not booked. */
export function bookIncome(
  ledger: PaperLedger,
  symbol: string,
  type: IncomeType,
  amount: Decimal,
  clientOrderId: string | null,
  time: number,
): void {
  if (!amount.isZero()) ledger.addIncome({ symbol, type, amount: amount.toString(), clientOrderId, time });
}
