import type { RiskLimits } from '../arena-config/types';
import type { OpenTrade } from '../ledger/agent-ledger';
import { defaultProtection } from '../risk/engine';
import type { SymbolRules, VenueOrder, VenuePosition } from '../venues/venue';
import type { ExecutionPlan, ProtectionPlan } from './execute-orders';

export interface ProtectionInput {
  /** The agent's positions on the venue. */
  positions: readonly VenuePosition[];
  /** The agent's open orders on the venue. */
  orders: readonly VenueOrder[];
  /** The agent's open trades (what it asked for when it opened them). */
  openTrades: readonly OpenTrade[];
  rules: (symbol: string) => Promise<SymbolRules>;
  risk: RiskLimits;
}

/**
 * What an order phase must mend before anything new: each position missing its stop-loss or
 * take-profit gets it back, at the price its trade asked for, else at the risk engine's default for
 * the entry (the same formula a new position gets); protective orders left on symbols that hold no
 * position any more are cancelled.
 */
export async function planProtection(input: ProtectionInput): Promise<Pick<ExecutionPlan, 'protect' | 'cancel'>> {
  const trigger = (symbol: string, type: VenueOrder['type']) => input.orders.some((o) => o.symbol === symbol && o.type === type);
  const protect: ProtectionPlan[] = [];
  for (const p of input.positions) {
    const missingStop = !trigger(p.symbol, 'STOP_MARKET');
    const missingTarget = !trigger(p.symbol, 'TAKE_PROFIT_MARKET');
    if (!missingStop && !missingTarget) continue;
    const trade = [...input.openTrades].reverse().find((t) => t.symbol === p.symbol && t.side === p.side);
    const fallback =
      trade?.stopLoss && trade.takeProfit ? null : defaultProtection(p.side, p.entryPrice, await input.rules(p.symbol), input.risk);
    const stopLoss = trade?.stopLoss ?? fallback?.stopLoss;
    const takeProfit = trade?.takeProfit ?? fallback?.takeProfit;
    protect.push({
      symbol: p.symbol,
      side: p.side,
      quantity: p.quantity,
      ...(missingStop && stopLoss !== undefined && { stopLoss }),
      ...(missingTarget && takeProfit !== undefined && { takeProfit }),
    });
  }
  const held = new Set(input.positions.map((p) => p.symbol));
  const cancel = input.orders
    .filter((o) => !held.has(o.symbol) && o.type !== 'MARKET')
    .map((o) => ({ symbol: o.symbol, clientOrderId: o.clientOrderId }));
  return { protect, cancel };
}
