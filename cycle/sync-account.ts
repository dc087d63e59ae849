import type { RiskLimits } from '../arena-config/types';
import { planProtection } from '../execution/protection';
import type { AgentLedger } from '../ledger/agent-ledger';
import { reconcileClosedTrades } from '../ledger/trades';
import type { Venue } from '../venues/venue';
import { accountState, readAccount } from './account-state';
import type { SyncResult } from './types';

export interface SyncRequest {
  cycleNo: number;
  /** The agent's symbols: on an account shared with other agents, it protects and cleans up only these. */
  symbols: readonly string[];
  /** For the default stop-loss / take-profit of a position found unprotected. */
  risk: RiskLimits;
}

/**
 * The cycle's first step: the account as the venue has it (balance, positions, open orders: one read
 * each), the trades the venue closed since the last cycle booked, and what the order phase must mend:
 * positions missing a stop-loss or take-profit, and protective orders left on symbols no longer held.
 */
export async function syncAccount(
  venue: Venue,
  ledger: AgentLedger,
  req: SyncRequest,
): Promise<Omit<SyncResult, 'marketTime' | 'nextBarAt' | 'barWallMs' | 'clockHeld'>> {
  const { balance, positions, orders } = await readAccount(venue);
  const openTrades = await ledger.openTrades();
  const closedTrades = await reconcileClosedTrades(ledger, venue, positions, openTrades, req.cycleNo);
  const mine = new Set(req.symbols);
  const protection = await planProtection({
    positions: positions.filter((p) => mine.has(p.symbol)),
    orders: orders.filter((o) => mine.has(o.symbol)),
    openTrades,
    rules: (symbol) => venue.symbolRules(symbol),
    risk: req.risk,
  });
  return { ...accountState(balance, positions, orders), closedTrades, ...protection };
}
