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
  /** The agent's recent record; absent for decision makers that do not use it. */
  feedback?: PerformanceFeedback;
}

export interface DecisionOutput {
  reasoning: string;
  decisions: Decision[];
}

export interface DecisionMaker {
  decide(input: DecisionInput): Promise<DecisionOutput>;
}

/** What the agent's own record says, fed back into the next prompt. */
export interface PerformanceFeedback {
  tradeCount: number;
  winRate: number | null;
  totalPnl: number;
  /** Most recent first, at most 10. PnL in USDT after fees and funding; return on margin in %. */
  recentTrades: Array<{
    symbol: string; side: 'long' | 'short'; pnl: number; returnOnMarginPct: number; closeReason: string | null; holdMinutes: number;
  }>;
  bestSymbol: { symbol: string; pnl: number } | null;
  worstSymbol: { symbol: string; pnl: number } | null;
  /** The last cycles' one-line summaries (what was decided and what came of it), most recent first, with
   * the rule that refused each rejected decision. */
  recentDecisions: Array<{ cycle: number; summary: string; rejections?: string[] }>;
}
