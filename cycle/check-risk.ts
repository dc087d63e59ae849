import type { RiskLimits } from '../arena-config/types';
import type { Decision } from '../decisions/types';
import type { AgentLedger } from '../ledger/agent-ledger';
import { evaluateDecisions } from '../risk/engine';
import type { SymbolRules, Venue } from '../venues/venue';
import type { AccountState, RiskResult, SyncResult } from './types';

export interface RiskRequest {
  marketTime: number;
  decisions: Decision[];
  seen: AccountState;
  /** Last closes of the agent's symbols. */
  prices: Record<string, number>;
  risk: RiskLimits;
  takerFeeRate: number;
  safeMode: boolean;
  /** What the sync found to mend (it joins the order phase). */
  mend: Pick<SyncResult, 'protect' | 'cancel'>;
}

/**
 * Every limit of the agent, in code, on the balances the sync read and the agent's own history;
 * then the order phase it leads to: closes and opens as the engine sized them, plus what the sync
 * found to mend.
 */
export async function checkRisk(venue: Venue, ledger: AgentLedger, req: RiskRequest): Promise<RiskResult> {
  const symbols = Object.keys(req.prices);
  const rules: Record<string, SymbolRules> = Object.fromEntries(
    await Promise.all(symbols.map(async (symbol) => [symbol, await venue.symbolRules(symbol)] as const)),
  );
  const history = await ledger.riskHistory(req.marketTime, req.seen.account.equity);
  const verdicts = evaluateDecisions(
    {
      now: req.marketTime,
      account: req.seen.account,
      positions: req.seen.positions,
      prices: req.prices,
      rules,
      limits: req.risk,
      takerFeeRate: req.takerFeeRate,
      safeMode: req.safeMode,
      ...history,
    },
    req.decisions,
  );
  return {
    verdicts,
    plan: { orders: verdicts.flatMap((v) => (v.order ? [v.order] : [])), protect: req.mend.protect, cancel: req.mend.cancel },
  };
}
