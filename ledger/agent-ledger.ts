/**
 * An agent's own books, as the cycle reads and writes them: its trades, its orders and fills, the
 * history the risk engine and the prompt need, and its cycle records. The arena keeps them in
 * Postgres (postgres-ledger.ts), a backtest in memory (memory-ledger.ts); the cycle's steps see only
 * this interface, so both run the very same code.
 */
import type { CycleFailure, CycleRecord } from '../cycle/types';
import type { PerformanceFeedback } from '../decisions/types';
import type { RiskContext } from '../risk/engine';
import type { OrderPurpose } from '../execution/legs';
import type { PositionSide, VenueOrder } from '../venues/venue';

/** A trade still open in the books. Money as decimal strings, as stored. */
export interface OpenTrade {
  id: number;
  symbol: string;
  side: PositionSide;
  quantity: string;
  leverage: number;
  margin: string;
  entryPrice: string;
  fees: string;
  openOrderId: string;
  openedAt: number;
  stopLoss: string | null;
  takeProfit: string | null;
}

export interface OpenedTrade {
  cycleNo: number;
  symbol: string;
  side: PositionSide;
  leverage: number;
  /** The filled opening order. */
  fill: VenueOrder;
  stopLoss: string | null;
  takeProfit: string | null;
}

export interface TradeClose {
  exitPrice: string;
  closeCycle: number;
  closeOrderId: string;
  closedAt: number;
  fees: string;
  funding: string;
  realizedPnl: string;
  pnl: string;
  reason: string;
}

export type RiskHistory = Pick<RiskContext, 'dayStartEquity' | 'dayLowEquity' | 'peakEquity' | 'lastStopLossAt' | 'opensLastHour'>;

/** Where an order was placed: the venue account and the cycle. */
export interface OrderPlace {
  cycleNo: number;
  venue: string;
  account: string;
}

export interface AgentLedger {
  readonly agentId: string;
  openTrades(): Promise<OpenTrade[]>;
  /** Once per opening order: a second call with the same fill changes nothing. */
  openTrade(trade: OpenedTrade): Promise<void>;
  closeTrade(id: number, close: TradeClose): Promise<void>;
  /** Our record of an order we placed (upsert by client order id). */
  saveOrder(place: OrderPlace, purpose: OrderPurpose, order: VenueOrder): Promise<void>;
  /** Our record of an order follows what the venue did to it later. */
  updateOrder(order: VenueOrder): Promise<void>;
  orderPurpose(clientOrderId: string): Promise<OrderPurpose | null>;
  /** A filled order, once (ours or the venue's own: a trigger, a liquidation). */
  saveFill(venue: string, account: string, order: VenueOrder): Promise<void>;
  /** What the risk engine needs of the agent's past at market time `now`. */
  riskHistory(now: number, equity: number): Promise<RiskHistory>;
  /** The agent's record for its next prompt. */
  feedback(): Promise<PerformanceFeedback>;
  /** A finished cycle: the decision log and the equity after it, at once. */
  recordCycle(record: CycleRecord): Promise<void>;
  /** A failed cycle, unless the cycle is already recorded. */
  recordFailure(failure: CycleFailure): Promise<void>;
}

export const DAY_MS = 24 * 60 * 60_000;
export const HOUR_MS = 60 * 60_000;

/** The start of the UTC day holding `now` (market time). */
export const dayStartOf = (now: number): number => now - (now % DAY_MS);
