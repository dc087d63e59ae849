import Decimal from 'decimal.js';
import { maxLeverageAt, maxNotionalAt, roundPrice, roundQuantity, sizeViolation } from '../symbol-rules';
import { type OrderRequest, VenueRejection } from '../venue';
import type { PaperLedger, PaperOrder } from './books';
import { type PaperTerms, ZERO, bookIncome, bookReduce, planReduce } from './fills';
import { increasePosition, slippedPrice } from './position-math';

/**
 * What a call does to the books: orders, cancels, leverage. Each checks everything it may refuse
 * before it changes anything, so a refusal leaves the books as they were.
 */

/** Leverage of a symbol nobody set a leverage for. */
export const DEFAULT_LEVERAGE = 10;

/**
 * Fills a market order at `mark` plus slippage against the taker, with the taker fee. A fill against
 * the position reduces it first; what is left (unless reduce-only) opens or adds, in isolated margin at
 * the symbol's leverage, within the notional its bracket allows at that leverage.
 */
export function fillMarketOrder(ledger: PaperLedger, terms: PaperTerms, req: OrderRequest, mark: Decimal, now: number): PaperOrder {
  const rules = terms.rules(req.symbol);
  const position = ledger.positions.get(req.symbol) ?? null;
  const buying = req.side === 'BUY';
  const reducing = position !== null && (position.side === 'long') !== buying;
  // Every venue adapter rounds a quantity down to the step before sending it; so does the paper venue.
  const quantity = req.closePosition && position ? position.quantity : new Decimal(roundQuantity(req.quantity ?? '0', rules));
  const price = slippedPrice(mark, buying, terms.slippageRate);

  if ((req.reduceOnly || req.closePosition) && !reducing) {
    throw new VenueRejection('REDUCE_ONLY_REJECTED', `reduce-only ${req.side} ${req.symbol}: no position to reduce`);
  }
  if (quantity.lt(rules.minQty) || quantity.lte(0)) {
    throw new VenueRejection('QUANTITY_BELOW_MIN', `quantity ${req.quantity} rounds to ${quantity}, below the minimum ${rules.minQty}`);
  }
  const closing = reducing ? Decimal.min(quantity, position.quantity) : ZERO;
  const opening = req.reduceOnly || req.closePosition ? ZERO : quantity.sub(closing);
  if (opening.gt(0)) {
    const violation = sizeViolation(opening, price, rules);
    if (violation) throw new VenueRejection('MIN_NOTIONAL', `${req.symbol}: ${violation}`);
  }

  const reduce = closing.gt(0) ? planReduce(position!, closing, price, terms.takerFeeRate) : null;
  let cash = reduce ? ledger.cash.add(reduce.cashDelta) : ledger.cash;
  let opened: ReturnType<typeof increasePosition> | null = null;
  let openFee = ZERO;
  if (opening.gt(0)) {
    const leverage = ledger.leverage(req.symbol) ?? DEFAULT_LEVERAGE;
    opened = increasePosition(reducing ? null : position, buying ? 'long' : 'short', opening, price, leverage, now);
    const notional = opened.position.quantity.mul(price);
    const cap = maxNotionalAt(rules.marginBrackets, leverage);
    if (notional.gt(cap)) {
      throw new VenueRejection(
        'POSITION_LIMIT_EXCEEDED',
        `${req.symbol}: a position of ${notional.toFixed(2)} USDT exceeds the ${cap} USDT allowed at ${leverage}x`,
      );
    }
    openFee = opening.mul(price).mul(terms.takerFeeRate);
    const needed = opened.addedMargin.add(openFee);
    if (cash.lt(needed)) {
      throw new VenueRejection(
        'INSUFFICIENT_MARGIN',
        `margin is insufficient: ${needed.toFixed(2)} USDT needed, ${cash.toFixed(2)} available`,
      );
    }
    cash = cash.sub(needed);
  }

  if (reduce) bookReduce(ledger, req.symbol, reduce, req.clientOrderId, now);
  if (opened) {
    ledger.setPosition(req.symbol, opened.position);
    bookIncome(ledger, req.symbol, 'COMMISSION', openFee.neg(), req.clientOrderId, now);
  }
  ledger.setCash(cash);
  const order: PaperOrder = {
    orderId: null,
    clientOrderId: req.clientOrderId,
    symbol: req.symbol,
    side: req.side,
    type: 'MARKET',
    status: 'FILLED',
    quantity: quantity.toString(),
    stopPrice: null,
    reduceOnly: !!req.reduceOnly,
    closePosition: !!req.closePosition,
    executedQty: closing.add(opening).toString(),
    avgPrice: price.toString(),
    fee: (reduce?.fee ?? ZERO).add(openFee).toString(),
    realizedPnl: (reduce?.realizedPnl ?? ZERO).toString(),
    createdTime: now,
    updateTime: now,
  };
  ledger.addOrder(order);
  return order;
}

/**
 * Accepts a STOP_MARKET / TAKE_PROFIT_MARKET that reduces or closes the position; it rests until a bar
 * reaches its trigger price (rounded to the tick; a quantity is rounded down to the step).
 */
export async function acceptConditionalOrder(
  ledger: PaperLedger,
  terms: PaperTerms,
  req: OrderRequest,
  markOf: () => Promise<Decimal>,
  now: number,
): Promise<PaperOrder> {
  const rules = terms.rules(req.symbol);
  const position = ledger.positions.get(req.symbol);
  if (!req.stopPrice) throw new VenueRejection('MISSING_PARAMETER', `${req.type} needs stopPrice`);
  const stopPrice = roundPrice(req.stopPrice, rules);
  if (!req.closePosition && !req.reduceOnly) {
    throw new VenueRejection('UNSUPPORTED', 'paper venue: conditional orders must be reduce-only or close-position');
  }
  if (!position || (position.side === 'long') === (req.side === 'BUY')) {
    throw new VenueRejection('REDUCE_ONLY_REJECTED', `${req.type} ${req.side} ${req.symbol}: no position it would reduce`);
  }
  const quantity = req.closePosition ? '0' : roundQuantity(req.quantity ?? '0', rules);
  if (!req.closePosition && new Decimal(quantity).lt(rules.minQty)) {
    throw new VenueRejection('QUANTITY_BELOW_MIN', `quantity ${req.quantity} rounds to ${quantity}, below the minimum ${rules.minQty}`);
  }
  // A trigger already crossed would fire at once; real venues refuse it ("Order would immediately trigger").
  const mark = await markOf();
  const stop = new Decimal(stopPrice);
  const firesBelow = (req.type === 'STOP_MARKET') === (position.side === 'long');
  if (firesBelow ? mark.lte(stop) : mark.gte(stop)) {
    throw new VenueRejection('WOULD_IMMEDIATELY_TRIGGER', `${req.type} at ${stopPrice} would trigger immediately (mark ${mark})`);
  }
  const order: PaperOrder = {
    orderId: null,
    clientOrderId: req.clientOrderId,
    symbol: req.symbol,
    side: req.side,
    type: req.type,
    status: 'NEW',
    quantity,
    stopPrice,
    reduceOnly: !!req.reduceOnly,
    closePosition: !!req.closePosition,
    executedQty: '0',
    avgPrice: null,
    fee: '0',
    realizedPnl: '0',
    createdTime: now,
    updateTime: now,
  };
  ledger.addOrder(order);
  return order;
}

/** Cancels an open order; an order that is no longer open is returned as it is (null when unknown). */
export async function cancelOrder(ledger: PaperLedger, symbol: string, clientOrderId: string, now: number): Promise<PaperOrder | null> {
  const open = ledger.openOrders.get(clientOrderId);
  if (open && open.symbol === symbol) {
    const canceled: PaperOrder = { ...open, status: 'CANCELED', updateTime: now };
    ledger.updateOrder(canceled);
    return canceled;
  }
  return ledger.findOrder(clientOrderId);
}

/**
 * Sets a symbol's leverage: from 1 to the symbol's maximum, and (as Binance refuses with -2027) no
 * higher than the bracket of the open position's notional at the mark price allows.
 */
export async function setLeverage(
  ledger: PaperLedger,
  terms: PaperTerms,
  symbol: string,
  leverage: number,
  markOf: () => Promise<Decimal>,
): Promise<void> {
  const rules = terms.rules(symbol);
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > rules.maxLeverage) {
    throw new VenueRejection('INVALID_LEVERAGE', `leverage ${leverage} is not an integer from 1 to ${rules.maxLeverage} for ${symbol}`);
  }
  const position = ledger.positions.get(symbol);
  if (position) {
    const notional = position.quantity.mul(await markOf());
    const allowed = maxLeverageAt(rules.marginBrackets, notional);
    if (leverage > allowed) {
      throw new VenueRejection(
        'POSITION_LIMIT_EXCEEDED',
        `${symbol}: a position of ${notional.toFixed(2)} USDT allows at most ${allowed}x, not ${leverage}x`,
      );
    }
  }
  ledger.setLeverage(symbol, leverage);
}
