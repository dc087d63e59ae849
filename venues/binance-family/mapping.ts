/**
 * Binance-family response bodies (Binance USD-M, Aster v3) → the venue interface's shapes. Pure
 * functions over the documented field names; numbers arrive as decimal strings.
 */
import Decimal from 'decimal.js';
import type { Candle, FundingRate } from '../../market/types';
import type { IncomeType, OrderStatus, OrderType, VenueBalance, VenueIncome, VenueOrder, VenuePosition } from '../venue';

type Num = string | number | null | undefined;

/** GET/POST/DELETE /order, allOrders, openOrders. */
export interface RawOrder {
  orderId: number | string;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type?: string;
  origType?: string;
  status: string;
  origQty?: Num;
  executedQty?: Num;
  /** Dropped from Binance's 2026 docs; may be missing. */
  avgPrice?: Num;
  cumQuote?: Num;
  stopPrice?: Num;
  reduceOnly?: boolean | string;
  closePosition?: boolean | string;
  /** Creation time (absent from the new-order answer). */
  time?: number;
  updateTime?: number;
}

/** Binance's algo service (conditional orders since 2025-12): POST/GET/DELETE /fapi/v1/algoOrder, openAlgoOrders, allAlgoOrders. */
export interface RawAlgoOrder {
  algoId: number | string;
  clientAlgoId: string;
  algoType?: string;
  orderType?: string;
  /** Some answers name it `type`. */
  type?: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity?: Num;
  /** NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, EXPIRED, REJECTED. */
  algoStatus?: string;
  triggerPrice?: Num;
  /** Empty until triggered; then the id of the regular order it became. */
  actualOrderId?: string | number | null;
  actualPrice?: Num;
  actualQty?: Num;
  closePosition?: boolean | string;
  reduceOnly?: boolean | string;
  createTime?: number;
  updateTime?: number;
  triggerTime?: number;
}

/** GET userTrades. */
export interface RawTrade {
  id?: number | string;
  orderId: number | string;
  symbol: string;
  side?: string;
  price: Num;
  qty: Num;
  commission?: Num;
  commissionAsset?: string;
  realizedPnl?: Num;
  time: number;
}

/** GET /fapi/v3/positionRisk (Binance v3 has no leverage / marginType; Aster v3 has both and no notional). */
export interface RawPosition {
  symbol: string;
  positionSide?: string;
  positionAmt: Num;
  entryPrice?: Num;
  markPrice?: Num;
  unRealizedProfit?: Num;
  liquidationPrice?: Num;
  leverage?: Num;
  marginType?: string;
  isolatedMargin?: Num;
  isolatedWallet?: Num;
  notional?: Num;
  initialMargin?: Num;
  positionInitialMargin?: Num;
  updateTime?: number;
}

/** GET /fapi/v3/balance, one row per asset. */
export interface RawBalance {
  asset: string;
  balance?: Num;
  crossWalletBalance?: Num;
  crossUnPnl?: Num;
  availableBalance?: Num;
  maxWithdrawAmount?: Num;
  updateTime?: number;
}

/** GET income. */
export interface RawIncome {
  symbol?: string;
  incomeType: string;
  income: Num;
  asset?: string;
  info?: string;
  time: number;
  tranId?: number | string;
  tradeId?: number | string;
}

function d(value: Num): Decimal {
  if (value === undefined || value === null || value === '') return new Decimal(0);
  try {
    const out = new Decimal(value);
    return out.isFinite() ? out : new Decimal(0);
  } catch {
    return new Decimal(0);
  }
}

function n(value: Num): number {
  return d(value).toNumber();
}

function bool(value: boolean | string | undefined): boolean {
  return value === true || value === 'true';
}

const TERMINAL: ReadonlySet<string> = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED', 'EXPIRED_IN_MATCH']);

/** True when a regular order's status will not change any more. */
export function isFinalStatus(status: string): boolean {
  return TERMINAL.has(status);
}

export function mapOrderStatus(status: string): OrderStatus {
  switch (status) {
    case 'FILLED':
      return 'FILLED';
    case 'CANCELED':
      return 'CANCELED';
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 'EXPIRED';
    case 'REJECTED':
      return 'REJECTED';
    default:
      return 'NEW'; // NEW, PARTIALLY_FILLED, NEW_INSURANCE, NEW_ADL
  }
}

/**
 * The interface's order type. Liquidations are recognised by the venue's special client ids
 * ("autoclose-…", "adl_autoclose"); a triggered stop keeps its kind in `origType`; LIMIT and other
 * kinds the arena never places count as MARKET (a manual order), trailing / limit stops as their market kind.
 */
export function mapOrderType(type: string | undefined, origType?: string, clientOrderId = ''): OrderType {
  if (type === 'LIQUIDATION' || clientOrderId.startsWith('autoclose-') || clientOrderId.startsWith('adl_autoclose')) {
    return 'LIQUIDATION';
  }
  const kind = origType && origType !== 'MARKET' && origType !== 'LIMIT' ? origType : type;
  switch (kind) {
    case 'STOP_MARKET':
    case 'STOP':
    case 'TRAILING_STOP_MARKET':
      return 'STOP_MARKET';
    case 'TAKE_PROFIT_MARKET':
    case 'TAKE_PROFIT':
      return 'TAKE_PROFIT_MARKET';
    default:
      return 'MARKET';
  }
}

/** Average fill price: `avgPrice`, else cumQuote / executedQty, else null (nothing filled). */
function averagePrice(raw: RawOrder): number | null {
  const avg = d(raw.avgPrice);
  if (avg.gt(0)) return avg.toNumber();
  const qty = d(raw.executedQty);
  const quote = d(raw.cumQuote);
  if (qty.gt(0) && quote.gt(0)) return quote.div(qty).toNumber();
  return null;
}

/** A regular order; fee and realised PnL come from its trades (`withTrades`). */
export function orderFromRaw(raw: RawOrder): VenueOrder {
  const stop = d(raw.stopPrice);
  const updated = raw.updateTime ?? raw.time ?? 0;
  return {
    clientOrderId: raw.clientOrderId,
    venueOrderId: String(raw.orderId),
    symbol: raw.symbol,
    side: raw.side,
    type: mapOrderType(raw.type, raw.origType, raw.clientOrderId),
    status: mapOrderStatus(raw.status),
    quantity: n(raw.origQty),
    executedQty: n(raw.executedQty),
    avgPrice: averagePrice(raw),
    stopPrice: stop.gt(0) ? stop.toNumber() : null,
    fee: 0,
    realizedPnl: 0,
    reduceOnly: bool(raw.reduceOnly),
    closePosition: bool(raw.closePosition),
    createdAt: raw.time ?? updated,
    updatedAt: updated,
  };
}

/** The regular order a triggered algo order became, if it did ("" / null / 0 until then). */
export function actualOrderId(raw: RawAlgoOrder): string | null {
  const id = raw.actualOrderId;
  if (id === undefined || id === null || id === '' || id === 0 || id === '0') return null;
  return String(id);
}

export function mapAlgoStatus(raw: RawAlgoOrder): OrderStatus {
  switch (raw.algoStatus) {
    case 'FINISHED':
      return d(raw.actualQty).gt(0) ? 'FILLED' : 'CANCELED';
    case 'CANCELED':
      return 'CANCELED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'REJECTED':
      return 'REJECTED';
    default:
      return 'NEW'; // NEW, TRIGGERING, TRIGGERED (in the matching engine, not done)
  }
}

/** A Binance algo (conditional) order under its clientAlgoId, as the agent placed it. */
export function orderFromAlgo(raw: RawAlgoOrder): VenueOrder {
  const trigger = d(raw.triggerPrice);
  const actualPrice = d(raw.actualPrice);
  const created = raw.createTime ?? raw.updateTime ?? 0;
  return {
    clientOrderId: raw.clientAlgoId,
    venueOrderId: String(raw.algoId),
    symbol: raw.symbol,
    side: raw.side,
    type: mapOrderType(raw.orderType ?? raw.type),
    status: mapAlgoStatus(raw),
    quantity: n(raw.quantity),
    executedQty: n(raw.actualQty),
    avgPrice: actualPrice.gt(0) ? actualPrice.toNumber() : null,
    stopPrice: trigger.gt(0) ? trigger.toNumber() : null,
    fee: 0,
    realizedPnl: 0,
    reduceOnly: bool(raw.reduceOnly),
    closePosition: bool(raw.closePosition),
    createdAt: created,
    updatedAt: raw.updateTime ?? created,
  };
}

/**
 * The order a triggered algo order became, reported under the algo order's identity: its client id,
 * kind, trigger price and flags, with the fill (status, quantity, price, time) of the regular order.
 */
export function mergeTriggered(algo: RawAlgoOrder, actual: RawOrder): VenueOrder {
  const base = orderFromAlgo(algo);
  const fill = orderFromRaw(actual);
  return {
    ...fill,
    clientOrderId: base.clientOrderId,
    venueOrderId: base.venueOrderId,
    type: base.type,
    stopPrice: base.stopPrice,
    reduceOnly: base.reduceOnly,
    closePosition: base.closePosition,
    quantity: fill.quantity || base.quantity,
    createdAt: base.createdAt,
  };
}

/**
 * Fee and realised PnL of an order from its trades. Commission is assumed to be in USDT (the only
 * margin asset the arena uses); its sign differs between the documented example (negative) and live
 * answers (positive), so the paid amount is its absolute value. The average price comes from the
 * trades when the order itself does not carry one.
 */
export function withTrades(order: VenueOrder, trades: readonly RawTrade[]): VenueOrder {
  if (trades.length === 0) return order;
  let fee = new Decimal(0);
  let pnl = new Decimal(0);
  let qty = new Decimal(0);
  let quote = new Decimal(0);
  for (const t of trades) {
    fee = fee.add(d(t.commission).abs());
    pnl = pnl.add(d(t.realizedPnl));
    qty = qty.add(d(t.qty));
    quote = quote.add(d(t.qty).mul(d(t.price)));
  }
  return {
    ...order,
    fee: fee.toNumber(),
    realizedPnl: pnl.toNumber(),
    avgPrice: order.avgPrice ?? (qty.gt(0) ? quote.div(qty).toNumber() : null),
  };
}

/** Trades grouped by order id. */
export function tradesByOrder(trades: readonly RawTrade[]): Map<string, RawTrade[]> {
  const out = new Map<string, RawTrade[]>();
  for (const t of trades) {
    const key = String(t.orderId);
    const list = out.get(key);
    if (list) list.push(t);
    else out.set(key, [t]);
  }
  return out;
}

/** True for a row of positionRisk that holds a position. */
export function isOpenPosition(raw: RawPosition): boolean {
  return !d(raw.positionAmt).isZero();
}

/**
 * One position (one-way mode: the side is the sign of positionAmt). Leverage: the `leverage` field
 * (Aster), else |notional| / initial margin (Binance v3 has no leverage field), else `leverageHint`
 * (what this process last set), else 1. Margin: isolatedMargin for isolated positions, notional /
 * leverage for cross ones. `openedAt` is the venue's updateTime (the last change of the position).
 */
export function positionFromRaw(raw: RawPosition, leverageHint?: number): VenuePosition {
  const amount = d(raw.positionAmt);
  const quantity = amount.abs();
  const notional =
    raw.notional !== undefined && raw.notional !== null && raw.notional !== '' ? d(raw.notional).abs() : quantity.mul(d(raw.markPrice));
  const initialMargin = d(raw.positionInitialMargin ?? raw.initialMargin);
  let leverage = n(raw.leverage);
  if (!(leverage > 0) && initialMargin.gt(0)) leverage = Math.max(1, Math.round(notional.div(initialMargin).toNumber()));
  if (!(leverage > 0)) leverage = leverageHint ?? 1;
  const isolated =
    raw.marginType !== undefined
      ? raw.marginType.toLowerCase() === 'isolated'
      : !d(raw.isolatedWallet).isZero() || !d(raw.isolatedMargin).isZero();
  return {
    symbol: raw.symbol,
    side: amount.isNeg() ? 'short' : 'long',
    quantity: quantity.toNumber(),
    entryPrice: n(raw.entryPrice),
    markPrice: n(raw.markPrice),
    unrealizedPnl: n(raw.unRealizedProfit),
    leverage,
    margin: isolated ? n(raw.isolatedMargin) : notional.div(leverage).toNumber(),
    liquidationPrice: n(raw.liquidationPrice),
    marginType: isolated ? 'isolated' : 'cross',
    openedAt: raw.updateTime ?? 0,
  };
}

/**
 * The account's USDT balance. With W = wallet balance (`balance`: cross wallet plus isolated wallets),
 * A = availableBalance and U = unrealized PnL of every open position (cross and isolated; crossUnPnl
 * when no positions are given):
 *   equity = W + U,  availableBalance = A,  unrealizedPnl = U,  marginUsed = W − A.
 * So availableBalance + marginUsed + unrealizedPnl = equity exactly. marginUsed is the margin in
 * isolated wallets plus cross initial and open-order margin; with cross positions it is net of their
 * unrealized PnL, which the venue already counts in availableBalance. A missing USDT row is all zeros.
 */
export function balanceFromRaw(rows: readonly RawBalance[], positions?: readonly RawPosition[]): VenueBalance {
  const row = rows.find((r) => r.asset === 'USDT');
  if (!row) return { availableBalance: 0, marginUsed: 0, unrealizedPnl: 0, equity: 0 };
  const wallet = row.balance !== undefined ? d(row.balance) : d(row.crossWalletBalance);
  const available = d(row.availableBalance);
  const unrealized = positions
    ? positions.filter(isOpenPosition).reduce((acc, p) => acc.add(d(p.unRealizedProfit)), new Decimal(0))
    : d(row.crossUnPnl);
  return {
    availableBalance: available.toNumber(),
    marginUsed: wallet.sub(available).toNumber(),
    unrealizedPnl: unrealized.toNumber(),
    equity: wallet.add(unrealized).toNumber(),
  };
}

const INCOME_TYPES: ReadonlySet<string> = new Set<IncomeType>(['REALIZED_PNL', 'COMMISSION', 'FUNDING_FEE', 'INSURANCE_CLEAR']);

/** An income row the arena books, or null (transfers, bonuses, rebates...). */
export function incomeFromRaw(raw: RawIncome): VenueIncome | null {
  if (!INCOME_TYPES.has(raw.incomeType)) return null;
  return { symbol: raw.symbol ?? '', type: raw.incomeType as IncomeType, amount: n(raw.income), clientOrderId: null, time: raw.time };
}

/** A kline row: [openTime, open, high, low, close, volume, closeTime, ...]. */
export function candleFromKline(row: readonly unknown[]): Candle {
  return {
    openTime: Number(row[0]),
    open: n(row[1] as Num),
    high: n(row[2] as Num),
    low: n(row[3] as Num),
    close: n(row[4] as Num),
    volume: n(row[5] as Num),
  };
}

export function fundingFromRaw(raw: { fundingTime: number; fundingRate: Num }): FundingRate {
  return { time: raw.fundingTime, rate: n(raw.fundingRate) };
}
