/**
 * The venue interface: what the agent needs from a USD-M perpetual futures exchange. The paper venue
 * implements it now; the live adapters (Aster, Hyperliquid, Binance) implement the same shape.
 * Quantities and prices going out are decimal strings already rounded to the symbol's rules.
 */

export interface SymbolRules {
  symbol: string;
  tickSize: string;
  stepSize: string;
  minQty: string;
  minNotional: string;
  maxLeverage: number;
  /**
   * Maintenance margin and leverage by position notional, lowest notional first; absent where the
   * venue does not say. Pure helpers that read them are in symbol-rules.ts.
   */
  marginBrackets?: MarginBracket[];
}

/**
 * One notional bracket of a symbol, in the shape of Binance's `GET /fapi/v1/leverageBracket` answer
 * (Aster's is the same; Hyperliquid's margin tiers convert to it). A position whose notional (USDT)
 * is from `notionalFloor` up to `notionalCap` may use at most `initialLeverage`, and needs a
 * maintenance margin of notional x maintMarginRatio - cum (`cum` keeps it continuous across brackets).
 */
export interface MarginBracket {
  bracket: number;
  initialLeverage: number;
  notionalCap: number;
  notionalFloor: number;
  maintMarginRatio: number;
  cum: number;
}

export interface VenueBalance {
  /** Free balance that new margin can come from. */
  availableBalance: number;
  /** Margin locked in open positions. */
  marginUsed: number;
  unrealizedPnl: number;
  /** availableBalance + marginUsed + unrealizedPnl. */
  equity: number;
}

export type PositionSide = 'long' | 'short';
export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'STOP_MARKET' | 'TAKE_PROFIT_MARKET' | 'LIQUIDATION';
export type OrderStatus = 'NEW' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface VenuePosition {
  symbol: string;
  side: PositionSide;
  quantity: number;
  entryPrice: number;
  markPrice: number;
  unrealizedPnl: number;
  leverage: number;
  margin: number;
  liquidationPrice: number;
  marginType: 'isolated' | 'cross';
  openedAt: number;
}

export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: Exclude<OrderType, 'LIQUIDATION'>;
  /** Required unless closePosition. */
  quantity?: string;
  /** Trigger price of STOP_MARKET / TAKE_PROFIT_MARKET. */
  stopPrice?: string;
  reduceOnly?: boolean;
  /** Conditional order that closes the whole position when triggered. */
  closePosition?: boolean;
}

export interface VenueOrder {
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  status: OrderStatus;
  quantity: number;
  executedQty: number;
  avgPrice: number | null;
  stopPrice: number | null;
  fee: number;
  /** Gross PnL this fill realised (reducing fills only). */
  realizedPnl: number;
  reduceOnly: boolean;
  closePosition: boolean;
  createdAt: number;
  updatedAt: number;
}

export type IncomeType = 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE' | 'INSURANCE_CLEAR';

export interface VenueIncome {
  symbol: string;
  type: IncomeType;
  amount: number;
  clientOrderId: string | null;
  time: number;
}

export interface Venue {
  readonly venue: string;
  readonly account: string;
  symbolRules(symbol: string): Promise<SymbolRules>;
  balance(): Promise<VenueBalance>;
  positions(): Promise<VenuePosition[]>;
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** Looks an order up by its client id; null when the venue never saw it. */
  getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null>;
  /**
   * Orders of `symbols` filled at or after `since` (epoch ms), oldest first. The symbols are needed by
   * venues that only list fills per symbol (Binance, Aster).
   */
  filledOrders(since: number, symbols: readonly string[]): Promise<VenueOrder[]>;
  /** Income (funding, fees, realised PnL) at or after `since`, oldest first. */
  income(since: number): Promise<VenueIncome[]>;
  placeOrder(request: OrderRequest): Promise<VenueOrder>;
  cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null>;
  setLeverage(symbol: string, leverage: number): Promise<void>;
  setMarginType(symbol: string, marginType: 'isolated' | 'cross'): Promise<void>;
}

/**
 * A refusal by the venue that retrying cannot fix (insufficient margin, precision, unknown symbol...).
 * Activities turn it into a non-retryable failure or a recorded rejection.
 */
export class VenueRejection extends Error {
  override readonly name = 'VenueRejection';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
