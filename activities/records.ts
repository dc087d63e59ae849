import { sql, type Transaction } from 'kysely';
import type { AgentConfig } from '../arena-config/types';
import type { Database } from '../db/schema';
import type { Decision, AccountView, PositionView } from '../decisions/types';
import type { ExecutionResult } from '../execution/execute-orders';
import type { ClosedTrade } from '../ledger/trades';
import type { SymbolSnapshot } from '../market/snapshot';
import type { RiskVerdict } from '../risk/types';
import { openVenue } from '../venues/open-venue';
import type { ActivityDeps } from './deps';
import type { LlmUsage } from './decide';
import type { AccountRef } from './trading';

export interface CycleRecord {
  ref: AccountRef;
  cycleNo: number;
  startedAt: number;
  marketTime: number;
  account: AccountView;
  positions: PositionView[];
  market: SymbolSnapshot[];
  reasoning: string;
  decisions: Decision[];
  verdicts: RiskVerdict[];
  executions: ExecutionResult[];
  closedTrades: ClosedTrade[];
  summary: string;
  /** The model's usage and error, for LLM agents. */
  llm?: (Partial<LlmUsage> & { error: string | null }) | null;
}

export interface CycleFailure {
  agentId: string;
  cycleNo: number;
  startedAt: number;
  marketTime: number | null;
  error: string;
}

export interface RecordedCycle {
  equity: number;
  positionCount: number;
}

export function createRecordActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /** Creates or refreshes the agent's row (its public config: no secrets are in AgentConfig). */
    async registerAgent(config: AgentConfig): Promise<void> {
      const values = {
        name: config.name, provider: config.decisionMaker.provider, model: config.decisionMaker.model,
        venue: config.exchange.type, account: config.exchange.account,
        initial_balance: config.strategy.initialBalance, config: JSON.stringify(config), updated_at: new Date(),
      };
      await db.insertInto('agents').values({ id: config.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet(values)).execute();
    },

    /**
     * The cycle's decision log and the equity snapshot after its orders, in one transaction, keyed by
     * (agent, cycle): a retried or re-run activity rewrites the same rows, never adds a second.
     */
    async recordCycle(r: CycleRecord): Promise<RecordedCycle> {
      const venue = openVenue(deps, r.ref.exchange, r.ref.initialBalance, r.marketTime);
      const [balance, positions] = await Promise.all([venue.balance(), venue.positions()]);
      const finishedAt = new Date();
      const log = {
        status: 'ok' as const,
        market_time: new Date(r.marketTime),
        started_at: new Date(r.startedAt),
        finished_at: finishedAt,
        duration_ms: Math.max(0, finishedAt.getTime() - r.startedAt),
        input: JSON.stringify({ account: r.account, positions: r.positions, market: r.market, closedTrades: r.closedTrades }),
        reasoning: r.reasoning,
        decisions: JSON.stringify(r.decisions),
        risk_verdicts: JSON.stringify(r.verdicts),
        executions: JSON.stringify(r.executions),
        error: null,
        summary: r.summary,
        llm: r.llm ? JSON.stringify(r.llm) : null,
        llm_cost_usd: r.llm?.costUsd ?? 0,
      };
      const snapshot = {
        market_time: new Date(r.marketTime),
        equity: balance.equity, cash: balance.availableBalance, margin: balance.marginUsed,
        unrealized_pnl: balance.unrealizedPnl, position_count: positions.length, positions: JSON.stringify(positions),
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('cycles').values({ agent_id: r.ref.agentId, cycle_no: r.cycleNo, ...log })
          .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doUpdateSet(log)).execute();
        await trx.insertInto('equity_snapshots').values({ agent_id: r.ref.agentId, cycle_no: r.cycleNo, ...snapshot })
          .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doUpdateSet(snapshot)).execute();
        await bumpAgent(trx, r.ref.agentId, r.cycleNo, 'ok', finishedAt);
      });
      return { equity: balance.equity, positionCount: positions.length };
    },

    /** A failed cycle is recorded too; it never overwrites a cycle that was recorded as done. */
    async recordCycleFailure(f: CycleFailure): Promise<void> {
      const finishedAt = new Date();
      await db.transaction().execute(async (trx) => {
        const inserted = await trx.insertInto('cycles').values({
          agent_id: f.agentId, cycle_no: f.cycleNo, status: 'failed',
          market_time: f.marketTime === null ? null : new Date(f.marketTime),
          started_at: new Date(f.startedAt), finished_at: finishedAt,
          duration_ms: Math.max(0, finishedAt.getTime() - f.startedAt),
          input: '{}', reasoning: null, decisions: '[]', risk_verdicts: '[]', executions: '[]',
          error: f.error.slice(0, 4000), summary: `failed: ${f.error.slice(0, 200)}`,
        }).onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doNothing()).returning('cycle_no').executeTakeFirst();
        if (inserted) await bumpAgent(trx, f.agentId, f.cycleNo, 'failed', finishedAt);
      });
    },
  };
}

async function bumpAgent(trx: Transaction<Database>, agentId: string, cycleNo: number, status: string, at: Date): Promise<void> {
  await trx.updateTable('agents')
    .set({ cycle_count: sql<number>`greatest(cycle_count, ${cycleNo})`, last_cycle_at: at, last_cycle_status: status })
    .where('id', '=', agentId).execute();
}
