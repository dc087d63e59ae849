import Decimal from 'decimal.js';

/** The state a binance-family mock keeps, in venue terms (Decimal for every amount). */

export type Side = 'BUY' | 'SELL';
export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';
export type MarginType = 'ISOLATED' | 'CROSSED';
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_MARKET' | 'TAKE_PROFIT' | 'TAKE_PROFIT_MARKET';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
export type AlgoStatus = 'NEW' | 'CANCELED' | 'TRIGGERING' | 'TRIGGERED' | 'FINISHED' | 'REJECTED' | 'EXPIRED';
export type IncomeType = 'TRANSFER' | 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE' | 'INSURANCE_CLEAR';

export const CONDITIONAL_TYPES: readonly OrderType[] = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'];
export const isConditional = (type: OrderType): boolean => CONDITIONAL_TYPES.includes(type);
/** Conditional types that become a market order when triggered. */
export const isMarketOnTrigger = (type: OrderType): boolean => type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET';

/** A checked order request (what the order endpoints turn their parameters into). */
export interface OrderInput {
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  type: OrderType;
  /** Null only with closePosition. */
  quantity: Decimal | null;
  /** Limit price (LIMIT, STOP, TAKE_PROFIT). */
  price: Decimal | null;
  /** Trigger price (`stopPrice` on /order, `triggerPrice` on Binance's algoOrder). */
  stopPrice: Decimal | null;
  reduceOnly: boolean;
  closePosition: boolean;
  timeInForce: string;
  workingType: string;
  priceProtect: boolean;
  /** Null: the venue makes one up. */
  clientOrderId: string | null;
  respType: 'ACK' | 'RESULT';
}

export interface Order {
  /** Global creation sequence: triggers fire in this order. */
  seq: number;
  orderId: number;
  clientOrderId: string;
  account: string;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  type: OrderType;
  /** The type as placed (a Binance algo child: the algo's type). */
  origType: OrderType;
  status: OrderStatus;
  origQty: Decimal;
  executedQty: Decimal;
  cumQuote: Decimal;
  price: Decimal;
  stopPrice: Decimal;
  reduceOnly: boolean;
  closePosition: boolean;
  timeInForce: string;
  workingType: string;
  priceProtect: boolean;
  /** A STOP / TAKE_PROFIT whose trigger fired and that now works as a limit order. */
  triggered: boolean;
  time: number;
  updateTime: number;
}

/** Binance's Algo Service conditional order (POST /fapi/v1/algoOrder). */
export interface AlgoOrder {
  seq: number;
  algoId: number;
  clientAlgoId: string;
  account: string;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  orderType: OrderType;
  quantity: Decimal | null;
  triggerPrice: Decimal;
  price: Decimal;
  status: AlgoStatus;
  reduceOnly: boolean;
  closePosition: boolean;
  timeInForce: string;
  workingType: string;
  priceProtect: boolean;
  createTime: number;
  updateTime: number;
  triggerTime: number;
  /** The regular order the trigger placed. */
  actualOrderId: number | null;
}

export interface Position {
  symbol: string;
  positionSide: PositionSide;
  /** Signed: > 0 long, < 0 short. Never zero (closed positions are removed). */
  amount: Decimal;
  entryPrice: Decimal;
  marginType: MarginType;
  leverage: number;
  /** Isolated positions: the margin set aside (part of the wallet balance). Zero for cross. */
  isolatedWallet: Decimal;
  openedAt: number;
  updateTime: number;
}

export interface Trade {
  id: number;
  orderId: number;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  price: Decimal;
  qty: Decimal;
  /** Paid, positive. */
  commission: Decimal;
  realizedPnl: Decimal;
  maker: boolean;
  time: number;
}

export interface Income {
  tranId: number;
  symbol: string;
  type: IncomeType;
  amount: Decimal;
  tradeId: string;
  time: number;
}

export interface SymbolSettings {
  leverage: number;
  marginType: MarginType;
}

export class Account {
  /** Total wallet balance: deposits + realised PnL - fees + funding (includes isolated margin). */
  wallet: Decimal;
  dualSide: boolean;
  readonly settings = new Map<string, SymbolSettings>();
  readonly positions = new Map<string, Position>();
  readonly orders: Order[] = [];
  readonly algoOrders: AlgoOrder[] = [];
  readonly trades: Trade[] = [];
  readonly income: Income[] = [];
  updateTime: number;

  constructor(
    readonly id: string,
    balance: Decimal,
    dualSide: boolean,
    now: number,
    readonly alias: string,
  ) {
    this.wallet = balance;
    this.dualSide = dualSide;
    this.updateTime = now;
  }

  position(symbol: string, positionSide: PositionSide): Position | undefined {
    return this.positions.get(`${symbol}:${positionSide}`);
  }

  setPosition(position: Position): void {
    const key = `${position.symbol}:${position.positionSide}`;
    if (position.amount.isZero()) this.positions.delete(key);
    else this.positions.set(key, position);
  }

  openOrders(symbol?: string): Order[] {
    return this.orders.filter((o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!symbol || o.symbol === symbol));
  }

  openAlgoOrders(symbol?: string): AlgoOrder[] {
    return this.algoOrders.filter((o) => o.status === 'NEW' && (!symbol || o.symbol === symbol));
  }

  positionsOf(symbol: string): Position[] {
    return [...this.positions.values()].filter((p) => p.symbol === symbol);
  }
}
