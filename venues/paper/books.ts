import type Decimal from 'decimal.js';
import type { IncomeType, OrderSide, OrderStatus, OrderType, PositionSide } from '../venue';

/**
 * Where a paper account's state lives between calls, and the shapes of that state. Two kinds of books
 * implement it: Postgres (the paper_* tables: the arena's) and memory (a backtest's). The exchange's
 * arithmetic (settlement.ts, orders.ts, fills.ts) only ever sees a PaperLedger.
 */

export interface PaperPosition {
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  leverage: number;
  /** Isolated margin, including funding received or paid since the open. */
  margin: Decimal;
  /** Market time of the fill that opened it. */
  openedAt: number;
}

export interface PaperOrder {
  /** The venue's order id, set by the books when they first save the order (an increasing number). */
  orderId: string | null;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  status: OrderStatus;
  /** Decimal strings, as the venue reports them. */
  quantity: string;
  stopPrice: string | null;
  reduceOnly: boolean;
  closePosition: boolean;
  executedQty: string;
  avgPrice: string | null;
  fee: string;
  realizedPnl: string;
  createdTime: number;
  updateTime: number;
}

export interface PaperIncome {
  symbol: string;
  type: IncomeType;
  amount: string;
  clientOrderId: string | null;
  time: number;
}

/** What opening an account needs the first time it is used. */
export interface PaperAccountOpening {
  account: string;
  initialBalance: number;
  /** Its market clock starts here. */
  marketTime: number;
}

/**
 * One account's books during one call. Reads of the hot state (cash, clock, positions, open orders,
 * leverage) are plain properties; every change goes through a setter so that the books know what to
 * save. Orders and income are immutable records: a changed order is a new object with the same client id.
 */
export interface PaperLedger {
  /** Free balance: not locked as isolated margin. */
  readonly cash: Decimal;
  /** Market time up to which bars, funding and triggers have been applied. */
  readonly clock: number;
  readonly positions: ReadonlyMap<string, PaperPosition>;
  /** Orders with status NEW by client id, oldest first. */
  readonly openOrders: ReadonlyMap<string, PaperOrder>;
  /** The leverage set for a symbol, if any. */
  leverage(symbol: string): number | undefined;

  setCash(cash: Decimal): void;
  setClock(marketTime: number): void;
  /** Opens, changes or (null) removes the position of a symbol. */
  setPosition(symbol: string, position: PaperPosition | null): void;
  setLeverage(symbol: string, leverage: number): void;
  addOrder(order: PaperOrder): void;
  /** Replaces the order with the same client id (a status change, a fill). */
  updateOrder(order: PaperOrder): void;
  addIncome(income: PaperIncome): void;

  /** The order with this client id, whatever its status; null when there is none. */
  findOrder(clientOrderId: string): Promise<PaperOrder | null>;
  /** FILLED orders of `symbols` updated at or after `since`, by update time then order id. */
  filledOrders(since: number, symbols: readonly string[]): Promise<PaperOrder[]>;
  /** Income at or after `since`, in booking order. */
  income(since: number): Promise<PaperIncome[]>;
}

export interface PaperBooks {
  /**
   * Runs `work` on one account's ledger, with no other call on that account running meanwhile
   * (Postgres: one transaction holding the account row FOR UPDATE), opening the account on first use.
   * What `work` changed is saved when it returns, and also when it throws a VenueRejection (the exchange
   * refuses before it changes anything, so what is saved then is the market settled up to now); any
   * other error saves nothing where the books can undo (Postgres).
   */
  withAccount<T>(opening: PaperAccountOpening, work: (ledger: PaperLedger) => Promise<T>): Promise<T>;
}
