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

/**
 * The rule behind a rejection or a resize, for machines (metrics, alerts): stable, unlike the reason's
 * text. Config limits are named as their key in the agent file.
 */
export type RiskRule =
  // Account locks: no new position at all.
  | 'safe_mode'
  | 'equity_not_positive'
  | 'max_daily_loss_pct'
  | 'max_drawdown_pct'
  // The decision itself and the symbol.
  | 'unknown_action'
  | 'no_position'
  | 'no_price'
  | 'min_holding_minutes'
  | 'symbol_not_traded'
  | 'venue_rules'
  | 'no_stacking'
  | 'one_position_per_symbol'
  | 'stop_loss_cooldown_minutes'
  | 'max_positions'
  | 'max_opens_per_hour'
  // Leverage.
  | 'invalid_leverage'
  | 'max_leverage'
  | 'venue_max_leverage'
  | 'major_max_leverage'
  | 'altcoin_max_leverage'
  | 'margin_bracket'
  | 'stop_inside_liquidation'
  // Stop-loss and take-profit.
  | 'stop_loss_price'
  | 'take_profit_price'
  | 'max_stop_loss_pct'
  | 'min_risk_reward'
  // Size.
  | 'requested_size'
  | 'max_single_trade_pct'
  | 'max_single_trade_with_positions_pct'
  | 'available_balance'
  | 'max_position_size_pct'
  | 'max_total_position_pct'
  | 'max_margin_usage_pct'
  | 'major_max_notional_multiple'
  | 'altcoin_max_notional_multiple'
  | 'venue_minimum';

/** What the risk engine made of one decision; `order` is set when something is to be placed. */
export interface RiskVerdict {
  decision: Decision;
  status: 'approved' | 'resized' | 'rejected' | 'no_order';
  reason: string;
  /** Rejected: the rule that refused it; resized: the first rule that cut it (absent otherwise, and in older records). */
  rule?: RiskRule;
  order?: PlannedOrder;
}
