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
  /** The venue's taker fee rate (0.0005 = 0.05 %); absent for decision makers that do not use it. */
  takerFeeRate?: number;
  /** Where the agent stands against its limits; absent for decision makers that do not use it. */
  limitsState?: LimitsState;
}

/**
 * How close the agent is to its account-wide limits at market time, from its own history, measured as
 * the risk engine measures them (risk/engine.ts), so the model can see a refusal coming.
 */
export interface LimitsState {
  /** Equity now minus equity at 00:00 UTC (USDT), and that in % of the latter. */
  dayPnl: number;
  dayPnlPct: number;
  /** The loss the daily breaker counts, from the day's lowest equity (%, 0 when none). */
  dayLossPct: number;
  /** Equity below its peak (%, 0 at the peak). */
  drawdownPct: number;
  /** Positions opened in the last hour. */
  opensLastHour: number;
  /** Symbols still in their stop-loss cooldown, with the minutes left (rounded up), soonest free first. */
  cooldowns: Array<{ symbol: string; minutesLeft: number }>;
  /** Margin (USDT) new positions can still take under the account-wide caps, fees aside. */
  freeMargin: number;
  /** The most margin (USDT) one new position can take under the account-wide caps, fees aside. */
  maxOpenMargin: number;
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
    symbol: string;
    side: 'long' | 'short';
    pnl: number;
    returnOnMarginPct: number;
    closeReason: string | null;
    holdMinutes: number;
  }>;
  bestSymbol: { symbol: string; pnl: number } | null;
  worstSymbol: { symbol: string; pnl: number } | null;
  /** The last cycles' one-line summaries (what was decided and what came of it), most recent first, with
   * the rule that refused each rejected decision. */
  recentDecisions: Array<{ cycle: number; summary: string; rejections?: string[] }>;
}
