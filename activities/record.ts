import { raiseCycleAlerts, raiseFailureAlerts } from '../alerts/raise';
import type { AgentConfig } from '../arena-config/types';
import type { CycleFailure } from '../cycle/types';
import { storeAgentConfig } from '../db/agent-configs';
import { saveAgent } from '../db/agents';
import { logCycle, logCycleFailure } from '../observability/cycle-log';
import { countCycle, countCycleFailure } from '../observability/cycle-metrics';
import type { RecordInput } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { agentLedger } from './books';

export function createRecordActivities(deps: ActivityDeps) {
  return {
    /**
     * The cycle's decision log and the equity snapshot after its orders, in one transaction, keyed by
     * (agent, cycle): a retried or re-run step rewrites the same rows, never adds a second. Writes only:
     * the account after the cycle came from the order phase (or the sync, when nothing was sent).
     */
    async recordCycleOutcome(input: RecordInput): Promise<void> {
      const { symbols, safeMode: _safeMode, unprotected: _unprotected, ...record } = input;
      const { snapshot } = await deps.snapshots.at(symbols, record.marketTime);
      await agentLedger(deps, record.agentId).recordCycle({ ...record, market: snapshot });
      await raiseCycleAlerts(deps, input);
      const durationMs = Date.now() - input.startedAt;
      countCycle(input, durationMs);
      logCycle(deps.log, input, durationMs);
    },

    /** A failed cycle is recorded too; it never overwrites a cycle that was recorded as done. */
    async recordCycleFailure(failure: CycleFailure): Promise<void> {
      await agentLedger(deps, failure.agentId).recordFailure(failure);
      await raiseFailureAlerts(deps, failure);
      const durationMs = Date.now() - failure.startedAt;
      countCycleFailure(failure, durationMs);
      logCycleFailure(deps.log, failure, durationMs);
    },

    /** The agents table's copy of an agent's config, written from the workflow that owns it. */
    async saveAgentConfig(config: AgentConfig): Promise<void> {
      await saveAgent(deps.db, config);
    },

    /** The config under the digest of its content, which the agent's cycles name instead of carrying it. */
    async storeAgentConfig(config: AgentConfig): Promise<string> {
      return storeAgentConfig(deps.db, config);
    },
  };
}
