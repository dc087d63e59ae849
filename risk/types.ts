import type { Decision } from '../decisions/types';
import type { PositionSide } from '../venues/venue';

/** An order the executor may place: quantities and prices already rounded to the venue's rules. */
export interface PlannedOrder {
  kind: 'open' | 'close';
  symbol: string;
  side: PositionSide;
  quantity: string;
  leverage: number;
  referencePrice: number;
  stopLoss?: string;
  takeProfit?: string;
}

/** What the risk engine made of one decision; `order` is set when something is to be placed. */
export interface RiskVerdict {
  decision: Decision;
  status: 'approved' | 'resized' | 'rejected' | 'no_order';
  reason: string;
  order?: PlannedOrder;
}
