/** What the agent's model costs, and the prompt it would send now. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { promptInput } from '../../cycle/decide';
import { lastOkCycle } from '../../db/cycles';
import { callTotals, callsOfCycles, usagePerCycle } from '../../db/llm-calls';
import { buildPrompt } from '../../decisions/prompt/build-prompt';
import { estimateTokens } from '../../decisions/prompt/tokens';
import { PostgresAgentLedger } from '../../ledger/postgres-ledger';
import type { RouteDeps } from '../deps';
import { AgentIdParam, errors, fail, findAgent, listQuery, noAgent, ok, okJson } from '../envelope';

const Usage = { calls: z.number().int(), tokens_in: z.number().int(), tokens_out: z.number().int(), cost_usd: z.number() };

export const CostsSchema = z
  .object({
    agent_id: z.string(),
    totals: z.object({ ...Usage, failed_calls: z.number().int() }).openapi({ description: 'Over the time range (all time without one)' }),
    per_cycle: z.array(z.object({ cycle: z.number().int(), ...Usage })).openapi({ description: 'A page of cycles, newest first' }),
    calls: z
      .array(
        z.object({
          cycle: z.number().int(),
          attempt: z.number().int(),
          provider: z.string(),
          model: z.string(),
          status: z.enum(['ok', 'unparseable', 'error']),
          tokens_in: z.number().int(),
          tokens_out: z.number().int(),
          cost_usd: z.number(),
          latency_ms: z.number().int(),
          error: z.string().nullable(),
          at: z.string(),
        }),
      )
      .openapi({ description: "Every model call of that page's cycles" }),
  })
  .openapi('Costs');

export const PromptPreviewSchema = z
  .object({
    agent_id: z.string(),
    based_on_cycle: z.number().int(),
    provider: z.string(),
    model: z.string(),
    system: z.string(),
    user: z.string(),
    tokens: z.object({ system: z.number().int(), user: z.number().int(), total: z.number().int() }),
  })
  .openapi('PromptPreview');

const costsRoute = createRoute({
  method: 'get',
  path: '/{id}/costs',
  tags: ['models'],
  summary: 'Model tokens and cost: totals, per cycle and per call (cycles paged newest first; time range on market time)',
  request: { params: AgentIdParam, query: listQuery(50, 1000) },
  responses: { ...okJson(CostsSchema, 'Model usage and cost in USD'), ...errors(400, 401, 404) },
});

const previewRoute = createRoute({
  method: 'get',
  path: '/{id}/prompt/preview',
  tags: ['models'],
  summary:
    "The prompt the agent would send now (from its last cycle's snapshot), with its token count; 409 for a rule-based agent (it sends none)",
  request: { params: AgentIdParam },
  responses: { ...okJson(PromptPreviewSchema, 'The system and user prompt'), ...errors(400, 401, 404, 409) },
});

export function modelRoutes({ db }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();

  routes.openapi(costsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    const range = { from, to };
    const totals = await callTotals(db, id, range);
    const perCycle = await usagePerCycle(db, id, range, limit, offset);
    const rows = await callsOfCycles(
      db,
      id,
      perCycle.map((r) => r.cycleNo),
    );
    return ok(c, {
      agent_id: id,
      totals: {
        calls: totals.calls,
        failed_calls: totals.failedCalls,
        tokens_in: totals.tokensIn,
        tokens_out: totals.tokensOut,
        cost_usd: totals.costUsd,
      },
      per_cycle: perCycle.map((r) => ({
        cycle: r.cycleNo,
        calls: r.calls,
        tokens_in: r.tokensIn,
        tokens_out: r.tokensOut,
        cost_usd: r.costUsd,
      })),
      calls: rows.map((r) => ({
        cycle: r.cycle_no,
        attempt: r.attempt,
        provider: r.provider,
        model: r.model,
        status: r.status,
        tokens_in: r.tokens_in,
        tokens_out: r.tokens_out,
        cost_usd: Number(r.cost_usd),
        latency_ms: r.latency_ms,
        error: r.error,
        at: r.created_at.toISOString(),
      })),
    });
  });

  routes.openapi(previewRoute, async (c) => {
    const { id } = c.req.valid('param');
    const agent = await findAgent(db, id);
    if (!agent) return noAgent(c, id);
    const config = agent.config;
    if (config.decisionMaker.provider === 'rule_based') {
      return fail(c, 409, `agent ${id} is rule-based (${config.decisionMaker.model}): it decides in code and sends no prompt`);
    }
    const last = await lastOkCycle(db, id);
    if (!last || !last.input.account || !last.input.market) {
      return fail(c, 409, `agent ${id} has no recorded cycle yet: the prompt is built from the last cycle's snapshot`);
    }
    // The decide step's own input (record, limits state, fee): the preview is the prompt that would be sent.
    const input = await promptInput(
      {
        agentId: id,
        cycleNo: last.cycle_no + 1,
        marketTime: last.market_time?.getTime() ?? Date.now(),
        account: last.input.account,
        positions: last.input.positions ?? [],
        market: last.input.market,
        risk: config.strategy.risk,
        tradingStyle: config.strategy.tradingStyle,
        takerFeeRate: config.exchange.takerFeeRate,
      },
      new PostgresAgentLedger(db, id),
    );
    const prompt = buildPrompt(input, { promptSections: config.decisionMaker.promptSections });
    const tokens = { system: estimateTokens(prompt.system), user: estimateTokens(prompt.user) };
    return ok(c, {
      agent_id: id,
      based_on_cycle: last.cycle_no,
      provider: config.decisionMaker.provider,
      model: config.decisionMaker.model,
      system: prompt.system,
      user: prompt.user,
      tokens: { ...tokens, total: tokens.system + tokens.user },
    });
  });

  return routes;
}
