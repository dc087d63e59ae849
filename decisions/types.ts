import type { RiskLimits, TradingStyle } from '../arena-config/types';
import type { SymbolSnapshot } from '../market/snapshot';
import type { VenuePosition } from '../venues/venue';

export const DECISION_ACTIONS = ['open_long', 'open_short', 'close', 'hold', 'wait'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** What a decision maker asks for. Sizes and prices are requests: the risk check decides what trades. */
export interface Decision {
  action: DecisionAction;
  symbol?: string;
  /** Requested position value in USDT (notional), or `quantity` in base units. */
  sizeUsd?: number;
  quantity?: number;
  leverage?: number;
  stopLoss?: number;
  takeProfit?: number;
  /** 0-1. */
  confidence?: number;
  reason: string;
}

export interface AccountView {
  equity: number;
  available: number;
  marginUsed: number;
  unrealizedPnl: number;
}

/** A venue position as the decision maker sees it: with its protective trigger prices. */
export interface PositionView extends Omit<VenuePosition, 'marginType'> {
  stopLoss: number | null;
  takeProfit: number | null;
}

export interface DecisionInput {
  agentId: string;
  cycleNo: number;
  marketTime: number;
  account: AccountView;
  positions: PositionView[];
  market: SymbolSnapshot[];
  risk: RiskLimits;
  tradingStyle: TradingStyle;
}

export interface DecisionOutput {
  reasoning: string;
  decisions: Decision[];
}

export interface DecisionMaker {
  decide(input: DecisionInput): Promise<DecisionOutput>;
}
