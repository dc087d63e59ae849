/** What the agent's model costs, and the prompt it would send now. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { AgentConfig } from '../../arena-config/types';
import type { Database } from '../../db/schema';
import { buildPrompt } from '../../decisions/prompt/build-prompt';
import { estimateTokens } from '../../decisions/prompt/tokens';
import type { AccountView, PositionView } from '../../decisions/types';
import { performanceFeedback } from '../../ledger/feedback';
import type { SymbolSnapshot } from '../../market/snapshot';
import type { RouteDeps } from '../deps';
import { AgentIdParam, errors, fail, findAgent, listQuery, noAgent, ok, okJson } from '../envelope';

const Usage = { calls: z.number().int(), tokens_in: z.number().int(), tokens_out: z.number().int(), cost_usd: z.number() };

export const CostsSchema = z.object({
  agent_id: z.string(),
  totals: z.object({ ...Usage, failed_calls: z.number().int() }).openapi({ description: 'Over the time range (all time without one)' }),
  per_cycle: z.array(z.object({ cycle: z.number().int(), ...Usage })).openapi({ description: 'A page of cycles, newest first' }),
  calls: z.array(z.object({
    cycle: z.number().int(), attempt: z.number().int(), provider: z.string(), model: z.string(),
    status: z.enum(['ok', 'unparseable', 'error']), tokens_in: z.number().int(), tokens_out: z.number().int(),
    cost_usd: z.number(), latency_ms: z.number().int(), error: z.string().nullable(), at: z.string(),
  })).openapi({ description: "Every model call of that page's cycles" }),
}).openapi('Costs');

export const PromptPreviewSchema = z.object({
  agent_id: z.string(), based_on_cycle: z.number().int(), provider: z.string(), model: z.string(),
  system: z.string(), user: z.string(),
  tokens: z.object({ system: z.number().int(), user: z.number().int(), total: z.number().int() }),
}).openapi('PromptPreview');

const costsRoute = createRoute({
  method: 'get', path: '/{id}/costs', tags: ['models'],
  summary: 'Model tokens and cost: totals, per cycle and per call (cycles paged newest first; time range on market time)',
  request: { params: AgentIdParam, query: listQuery(50, 1000) },
  responses: { ...okJson(CostsSchema, 'Model usage and cost in USD'), ...errors(400, 401, 404) },
});

const previewRoute = createRoute({
  method: 'get', path: '/{id}/prompt/preview', tags: ['models'],
  summary: "The prompt the agent would send now (from its last cycle's snapshot), with its token count",
  request: { params: AgentIdParam },
  responses: { ...okJson(PromptPreviewSchema, 'The system and user prompt'), ...errors(400, 401, 404, 409) },
});

export function modelRoutes({ db }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();

  routes.openapi(costsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    /** The agent's calls, within the time range of their cycles. */
    const calls = () => {
      let q: SelectQueryBuilder<Database, 'llm_calls', object> = db.selectFrom('llm_calls').where('agent_id', '=', id);
      if (from || to) {
        let cycles = db.selectFrom('cycles').select('cycle_no').where('agent_id', '=', id);
        if (from) cycles = cycles.where('market_time', '>=', from);
        if (to) cycles = cycles.where('market_time', '<', to);
        q = q.where('cycle_no', 'in', cycles);
      }
      return q;
    };
    const totals = await calls().select([
      sql<string>`count(*)`.as('calls'), sql<string>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
      sql<string>`coalesce(sum(tokens_out), 0)`.as('tokens_out'), sql<string>`coalesce(sum(cost_usd), 0)`.as('cost_usd'),
      sql<string>`count(*) filter (where status <> 'ok')`.as('failed_calls'),
    ]).executeTakeFirstOrThrow();
    const perCycle = await calls().select([
      'cycle_no', sql<string>`count(*)`.as('calls'), sql<string>`sum(tokens_in)`.as('tokens_in'),
      sql<string>`sum(tokens_out)`.as('tokens_out'), sql<string>`sum(cost_usd)`.as('cost_usd'),
    ]).groupBy('cycle_no').orderBy('cycle_no', 'desc').limit(limit).offset(offset).execute();
    const cycleNos = perCycle.map((r) => r.cycle_no);
    const rows = cycleNos.length === 0 ? [] : await calls()
      .select(['cycle_no', 'attempt', 'provider', 'model', 'status', 'tokens_in', 'tokens_out', 'cost_usd', 'latency_ms', 'error', 'created_at'])
      .where('cycle_no', 'in', cycleNos).orderBy('cycle_no', 'desc').orderBy('attempt', 'desc').execute();
    return ok(c, {
      agent_id: id,
      totals: {
        calls: Number(totals.calls), failed_calls: Number(totals.failed_calls), tokens_in: Number(totals.tokens_in),
        tokens_out: Number(totals.tokens_out), cost_usd: Number(totals.cost_usd),
      },
      per_cycle: perCycle.map((r) => ({
        cycle: r.cycle_no, calls: Number(r.calls), tokens_in: Number(r.tokens_in), tokens_out: Number(r.tokens_out), cost_usd: Number(r.cost_usd),
      })),
      calls: rows.map((r) => ({
        cycle: r.cycle_no, attempt: r.attempt, provider: r.provider, model: r.model, status: r.status,
        tokens_in: r.tokens_in, tokens_out: r.tokens_out, cost_usd: Number(r.cost_usd), latency_ms: r.latency_ms,
        error: r.error, at: r.created_at.toISOString(),
      })),
    });
  });

  routes.openapi(previewRoute, async (c) => {
    const { id } = c.req.valid('param');
    const agent = await findAgent(db, id);
    if (!agent) return noAgent(c, id);
    const last = await db.selectFrom('cycles').select(['cycle_no', 'market_time', 'input'])
      .where('agent_id', '=', id).where('status', '=', 'ok').orderBy('cycle_no', 'desc').limit(1).executeTakeFirst();
    if (!last) return fail(c, 409, `agent ${id} has no recorded cycle yet: the prompt is built from the last cycle's snapshot`);
    const config = agent.config as AgentConfig;
    const input = last.input as { account: AccountView; positions: PositionView[]; market: SymbolSnapshot[] };
    const prompt = buildPrompt({
      agentId: id, cycleNo: last.cycle_no + 1, marketTime: last.market_time?.getTime() ?? Date.now(),
      account: input.account, positions: input.positions, market: input.market,
      risk: config.strategy.risk, tradingStyle: config.strategy.tradingStyle,
      feedback: await performanceFeedback(db, id),
    }, { promptSections: config.decisionMaker.promptSections });
    const tokens = { system: estimateTokens(prompt.system), user: estimateTokens(prompt.user) };
    return ok(c, {
      agent_id: id, based_on_cycle: last.cycle_no, provider: config.decisionMaker.provider, model: config.decisionMaker.model,
      system: prompt.system, user: prompt.user, tokens: { ...tokens, total: tokens.system + tokens.user },
    });
  });

  return routes;
}
