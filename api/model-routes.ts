import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AgentConfig } from '../arena-config/types';
import { buildPrompt } from '../decisions/prompt/build-prompt';
import { estimateTokens } from '../decisions/prompt/tokens';
import type { AccountView, PositionView } from '../decisions/types';
import { performanceFeedback } from '../ledger/feedback';
import type { SymbolSnapshot } from '../market/snapshot';
import type { ApiDeps } from './app';
import { fail, intParam, ok } from './envelope';

/** What the agent's model costs, and the prompt it would send now. */
export function modelRoutes({ db }: ApiDeps): Hono {
  const routes = new Hono();
  const findAgent = (id: string) => db.selectFrom('agents').select(['id', 'config']).where('id', '=', id).executeTakeFirst();

  routes.get('/:id/costs', async (c) => {
    const agent = await findAgent(c.req.param('id'));
    if (!agent) return fail(c, 404, `no agent "${c.req.param('id').slice(0, 100)}"`);
    const limit = intParam(c, 'limit', 50, 1000);
    if (typeof limit === 'string') return fail(c, 400, limit);
    const totals = await db.selectFrom('llm_calls')
      .select([
        sql<string>`count(*)`.as('calls'), sql<string>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
        sql<string>`coalesce(sum(tokens_out), 0)`.as('tokens_out'), sql<string>`coalesce(sum(cost_usd), 0)`.as('cost_usd'),
        sql<string>`count(*) filter (where status <> 'ok')`.as('failed_calls'),
      ])
      .where('agent_id', '=', agent.id).executeTakeFirstOrThrow();
    const perCycle = await db.selectFrom('llm_calls')
      .select([
        'cycle_no', sql<string>`count(*)`.as('calls'), sql<string>`sum(tokens_in)`.as('tokens_in'),
        sql<string>`sum(tokens_out)`.as('tokens_out'), sql<string>`sum(cost_usd)`.as('cost_usd'),
      ])
      .where('agent_id', '=', agent.id).groupBy('cycle_no').orderBy('cycle_no', 'desc').limit(limit).execute();
    const calls = await db.selectFrom('llm_calls')
      .select(['cycle_no', 'attempt', 'provider', 'model', 'status', 'tokens_in', 'tokens_out', 'cost_usd', 'latency_ms', 'error', 'created_at'])
      .where('agent_id', '=', agent.id).orderBy('cycle_no', 'desc').orderBy('attempt', 'desc').limit(limit).execute();
    return ok(c, {
      agent_id: agent.id,
      totals: {
        calls: Number(totals.calls), failed_calls: Number(totals.failed_calls), tokens_in: Number(totals.tokens_in),
        tokens_out: Number(totals.tokens_out), cost_usd: Number(totals.cost_usd),
      },
      per_cycle: perCycle.map((r) => ({
        cycle: r.cycle_no, calls: Number(r.calls), tokens_in: Number(r.tokens_in), tokens_out: Number(r.tokens_out), cost_usd: Number(r.cost_usd),
      })),
      calls: calls.map((r) => ({
        cycle: r.cycle_no, attempt: r.attempt, provider: r.provider, model: r.model, status: r.status,
        tokens_in: r.tokens_in, tokens_out: r.tokens_out, cost_usd: Number(r.cost_usd), latency_ms: r.latency_ms,
        error: r.error, at: r.created_at.toISOString(),
      })),
    });
  });

  routes.get('/:id/prompt/preview', async (c) => {
    const agent = await findAgent(c.req.param('id'));
    if (!agent) return fail(c, 404, `no agent "${c.req.param('id').slice(0, 100)}"`);
    const last = await db.selectFrom('cycles').select(['cycle_no', 'market_time', 'input'])
      .where('agent_id', '=', agent.id).where('status', '=', 'ok').orderBy('cycle_no', 'desc').limit(1).executeTakeFirst();
    if (!last) return fail(c, 409, `agent ${agent.id} has no recorded cycle yet: the prompt is built from the last cycle's snapshot`);
    const config = agent.config as AgentConfig;
    const input = last.input as { account: AccountView; positions: PositionView[]; market: SymbolSnapshot[] };
    const prompt = buildPrompt({
      agentId: agent.id, cycleNo: last.cycle_no + 1, marketTime: last.market_time?.getTime() ?? Date.now(),
      account: input.account, positions: input.positions, market: input.market,
      risk: config.strategy.risk, tradingStyle: config.strategy.tradingStyle,
      feedback: await performanceFeedback(db, agent.id),
    }, { promptSections: config.decisionMaker.promptSections });
    const tokens = { system: estimateTokens(prompt.system), user: estimateTokens(prompt.user) };
    return ok(c, {
      agent_id: agent.id, based_on_cycle: last.cycle_no, provider: config.decisionMaker.provider, model: config.decisionMaker.model,
      system: prompt.system, user: prompt.user, tokens: { ...tokens, total: tokens.system + tokens.user },
    });
  });

  return routes;
}
