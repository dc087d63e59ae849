import { checkRisk } from '../cycle/check-risk';
import type { RiskResult } from '../cycle/types';
import type { RiskInput } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { agentLedger, venueOf } from './books';

export function createRiskActivities(deps: ActivityDeps) {
  return {
    /** Every limit of the agent on the balances the sync read and its own history; the order phase that follows. */
    async checkRisk(input: RiskInput): Promise<RiskResult> {
      const { strategy } = await deps.configs.of(input.ref.agentId, input.agentConfig);
      return checkRisk(venueOf(deps, input.ref, input.marketTime), agentLedger(deps, input.ref.agentId), {
        marketTime: input.marketTime,
        decisions: input.decisions,
        seen: input.seen,
        prices: input.prices,
        risk: strategy.risk,
        takerFeeRate: input.ref.exchange.takerFeeRate,
        safeMode: input.safeMode,
        mend: input.mend,
      });
    },
  };
}
