import type { ClearinghouseStateResponse, FrontendOpenOrdersResponse, OrderStatusResponse, UserFillsResponse } from '@nktkas/hyperliquid';
import Decimal from 'decimal.js';
import type { OrderStatus, OrderType, VenueBalance, VenueOrder, VenuePosition } from '../venue';
import { clientIdOf } from './cloid';

export type FrontendOrder = FrontendOpenOrdersResponse[number];
export type Fill = UserFillsResponse[number];
export type OrderProcessingStatus = Extract<OrderStatusResponse, { status: 'order' }>['order']['status'];
export type AssetPosition = ClearinghouseStateResponse['assetPositions'][number]['position'];

/** "Stop Market" / "Stop Limit" → STOP_MARKET, "Take Profit …" → TAKE_PROFIT_MARKET, anything else MARKET. */
export function orderTypeOf(order: Pick<FrontendOrder, 'isTrigger' | 'orderType'>): OrderType {
  if (order.orderType.startsWith('Stop')) return 'STOP_MARKET';
  if (order.orderType.startsWith('Take Profit')) return 'TAKE_PROFIT_MARKET';
  return 'MARKET';
}

/**
 * The venue's order state in the arena's words. Anything that executed and is no longer open is
 * FILLED (a market order that filled in part reports its executedQty); cancellations by the venue
 * itself (reduce-only, sibling filled, margin, liquidation…) are EXPIRED like a close-position order
 * dying with its position on the paper venue; the user's own cancel is CANCELED.
 */
export function statusOf(status: OrderProcessingStatus, executedQty: number): OrderStatus {
  if (status === 'open') return 'NEW';
  if (status === 'filled') return 'FILLED';
  if (executedQty > 0) return 'FILLED';
  if (status === 'triggered') return 'NEW';
  if (status === 'canceled') return 'CANCELED';
  if (status === 'rejected' || status.endsWith('Rejected')) return 'REJECTED';
  return 'EXPIRED';
}

export interface FillSummary {
  executedQty: Decimal;
  avgPrice: Decimal;
  /** Fees paid (builder fee included); negative for a rebate. */
  fee: Decimal;
  /** Sum of closedPnl: gross PnL the fills realised. */
  realizedPnl: Decimal;
  firstTime: number;
  lastTime: number;
  liquidation: boolean;
}

export function summarizeFills(fills: readonly Fill[]): FillSummary | null {
  if (fills.length === 0) return null;
  let qty = new Decimal(0);
  let notional = new Decimal(0);
  let fee = new Decimal(0);
  let pnl = new Decimal(0);
  for (const f of fills) {
    qty = qty.add(f.sz);
    notional = notional.add(new Decimal(f.px).mul(f.sz));
    fee = fee.add(f.fee).add(f.builderFee ?? 0);
    pnl = pnl.add(f.closedPnl);
  }
  const times = fills.map((f) => f.time);
  return {
    executedQty: qty,
    avgPrice: qty.isZero() ? new Decimal(0) : notional.div(qty),
    fee,
    realizedPnl: pnl,
    firstTime: Math.min(...times),
    lastTime: Math.max(...times),
    liquidation: fills.some((f) => !!f.liquidation),
  };
}

/** An order as the venue describes it (open orders, orderStatus), with its fills when it executed. */
export function toVenueOrder(
  symbol: string,
  order: FrontendOrder,
  status: OrderProcessingStatus,
  statusTime: number,
  fills: readonly Fill[],
): VenueOrder {
  const summary = summarizeFills(fills);
  const remaining = new Decimal(order.sz);
  const quantity = new Decimal(order.origSz);
  const executed = summary?.executedQty ?? (status === 'filled' ? quantity : Decimal.max(0, quantity.sub(remaining)));
  const orderStatus = statusOf(status, executed.toNumber());
  return {
    clientOrderId: clientIdOf(order.cloid, order.oid),
    venueOrderId: String(order.oid),
    symbol,
    side: order.side === 'B' ? 'BUY' : 'SELL',
    type: summary?.liquidation ? 'LIQUIDATION' : orderTypeOf(order),
    status: orderStatus,
    quantity: quantity.toNumber(),
    executedQty: executed.toNumber(),
    avgPrice: summary ? summary.avgPrice.toNumber() : null,
    stopPrice: order.isTrigger ? Number(order.triggerPx) : null,
    fee: summary?.fee.toNumber() ?? 0,
    realizedPnl: summary?.realizedPnl.toNumber() ?? 0,
    reduceOnly: order.reduceOnly,
    closePosition: order.isPositionTpsl,
    createdAt: order.timestamp,
    updatedAt: Math.max(statusTime, summary?.lastTime ?? 0, order.timestamp),
  };
}

/** A position from clearinghouseState. `margin` is the margin committed (isolated: without the unrealised PnL the venue adds to marginUsed). */
export function toVenuePosition(symbol: string, p: AssetPosition, openedAt: number): VenuePosition {
  const size = new Decimal(p.szi);
  const quantity = size.abs();
  const unrealized = new Decimal(p.unrealizedPnl);
  const isolated = p.leverage.type === 'isolated';
  return {
    symbol,
    side: size.gt(0) ? 'long' : 'short',
    quantity: quantity.toNumber(),
    entryPrice: Number(p.entryPx),
    markPrice: quantity.isZero() ? Number(p.entryPx) : new Decimal(p.positionValue).div(quantity).toNumber(),
    unrealizedPnl: unrealized.toNumber(),
    leverage: p.leverage.value,
    margin: (isolated ? new Decimal(p.marginUsed).sub(unrealized) : new Decimal(p.marginUsed)).toNumber(),
    liquidationPrice: p.liquidationPx === null ? 0 : Number(p.liquidationPx),
    marginType: isolated ? 'isolated' : 'cross',
    openedAt,
  };
}

/**
 * Balance from clearinghouseState: equity = accountValue, free = withdrawable, unrealised = the sum
 * over positions, and marginUsed the rest, so availableBalance + marginUsed + unrealizedPnl = equity
 * holds exactly (the venue's own marginUsed of an isolated position includes its unrealised PnL).
 */
export function toVenueBalance(state: ClearinghouseStateResponse): VenueBalance {
  const equity = new Decimal(state.marginSummary.accountValue);
  const available = new Decimal(state.withdrawable);
  const unrealized = state.assetPositions.reduce((acc, a) => acc.add(a.position.unrealizedPnl), new Decimal(0));
  return {
    availableBalance: available.toNumber(),
    marginUsed: equity.sub(available).sub(unrealized).toNumber(),
    unrealizedPnl: unrealized.toNumber(),
    equity: equity.toNumber(),
  };
}

/**
 * When the current position of `coin` was opened: the newest fill that took it from flat (or flipped
 * it). Fills are those the venue lists (its latest 2000); when the opening is older than all of them,
 * the oldest listed fill of the coin (the position is at least that old), else 0: an unknown age reads
 * as old (a minimum holding time never blocks closing it) and stays a valid date everywhere.
 */
export function openedAtFromFills(coin: string, fills: readonly Fill[]): number {
  const ofCoin = fills.filter((f) => f.coin === coin).sort((a, b) => b.time - a.time || b.tid - a.tid);
  for (const f of ofCoin) {
    const start = new Decimal(f.startPosition);
    const end = start.add(f.side === 'B' ? f.sz : new Decimal(f.sz).neg());
    if (!end.isZero() && (start.isZero() || start.isNeg() !== end.isNeg())) return f.time;
  }
  return ofCoin.length > 0 ? ofCoin[ofCoin.length - 1]!.time : 0;
}
