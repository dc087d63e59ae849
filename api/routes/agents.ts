/**
 * What the agents did, from Postgres (the seed's response models, §3.2): list, status, account,
 * positions, decision log, equity curve, trades, config. Status comes from Temporal (agent-state.ts).
 * Mounted at /api/agents.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listAgents } from '../../db/agents';
import { decisionLogPage } from '../../db/cycles';
import { equityPage, lastSnapshot, latestEquity } from '../../db/equity-snapshots';
import { tradesPage } from '../../db/trades';
import type { RouteDeps } from '../deps';
import { AgentIdParam, errors, findAgent, listQuery, noAgent, ok, okJson, okSerialized, successBody } from '../envelope';
import { TtlCache } from '../ttl-cache';
import { publicConfig } from '../public-config';
import {
  AccountSchema,
  AgentConfigSchema,
  AgentDetailSchema,
  AgentSummarySchema,
  DecisionLogSchema,
  EquityPointSchema,
  PositionSchema,
  TradeSchema,
  summarize,
  toAccount,
  toDecisionLog,
  toEquityPoint,
  toPosition,
  toTrade,
} from '../views/agent-views';

const agentGet = <S extends z.ZodType>(path: string, summary: string, data: S) =>
  createRoute({
    method: 'get',
    path: `/{id}${path}`,
    tags: ['agents'],
    summary,
    request: { params: AgentIdParam },
    responses: { ...okJson(data, summary), ...errors(400, 401, 404) },
  });

const DecisionsQuery = listQuery(50, 500);
const EquityQuery = listQuery(500, 10_000);
const TradesQuery = listQuery(100, 1000).safeExtend({
  status: z
    .enum(['open', 'closed'], { error: 'expected open or closed' })
    .optional()
    .openapi({ description: 'Only open or only closed trades' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['agents'],
  summary: 'List all agents',
  responses: { ...okJson(z.array(AgentSummarySchema), 'Every agent with its status, cycle count, equity and return'), ...errors(401) },
});
const detailRoute = agentGet('', "An agent's status, with the workflow's live state when a worker answers in time", AgentDetailSchema);
const accountRoute = agentGet('/account', 'Account balance after the last cycle (null before the first)', AccountSchema.nullable());
const positionsRoute = agentGet('/positions', 'Open positions after the last cycle', z.array(PositionSchema));
const decisionsRoute = createRoute({
  method: 'get',
  path: '/{id}/decisions',
  tags: ['agents'],
  summary: 'Decision log, newest first',
  request: { params: AgentIdParam, query: DecisionsQuery },
  responses: { ...okJson(z.array(DecisionLogSchema), 'Decision log, newest first'), ...errors(400, 401, 404) },
});
const equityRoute = createRoute({
  method: 'get',
  path: '/{id}/equity-history',
  tags: ['agents'],
  summary: 'Equity curve: the newest `limit` points after skipping `offset`, oldest first',
  request: { params: AgentIdParam, query: EquityQuery },
  responses: { ...okJson(z.array(EquityPointSchema), 'Equity curve, oldest first'), ...errors(400, 401, 404) },
});
const configRoute = agentGet(
  '/config',
  "The agent's current config (the workflow's own; the records' copy when no worker answers)",
  AgentConfigSchema,
);
const tradesRoute = createRoute({
  method: 'get',
  path: '/{id}/trades',
  tags: ['agents'],
  summary: 'Trades, newest first (time range on the opening time)',
  request: { params: AgentIdParam, query: TradesQuery },
  responses: { ...okJson(z.array(TradeSchema), 'Trades, newest first'), ...errors(400, 401, 404) },
});

/** How long the list and an agent's status are reused: a dashboard polling it must not cost a query per viewer. */
const STATUS_ANSWER_TTL_MS = 1_000;

export function agentRoutes({ db, states }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();
  const answers = new TtlCache<string | null>(STATUS_ANSWER_TTL_MS);

  routes.openapi(listRoute, async (c) => {
    const body = await answers.get(`list@${states.generation}`, async () => {
      const agents = await listAgents(db);
      const equity = await latestEquity(
        db,
        agents.map((a) => a.id),
      );
      return successBody(await Promise.all(agents.map(async (a) => summarize(a, await states.status(a.id), equity.get(a.id)))));
    });
    return okSerialized<z.infer<typeof AgentSummarySchema>[]>(c, body!);
  });

  routes.openapi(detailRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = await answers.get(`agent:${id}@${states.generation}`, async () => {
      const agent = await findAgent(db, id);
      if (!agent) return null;
      const [equity, status] = await Promise.all([latestEquity(db, [id]), states.status(id, { live: true })]);
      const summary = summarize(agent, status, equity.get(id));
      return successBody({
        ...summary,
        cycle_count: Math.max(summary.cycle_count, status.live?.cycleNo ?? 0),
        state_source: status.live ? ('workflow' as const) : ('database' as const),
        live: status.live && { ...status.live, config: publicConfig(status.live.config) },
      });
    });
    return body === null ? noAgent(c, id) : okSerialized<z.infer<typeof AgentDetailSchema>>(c, body);
  });

  routes.openapi(configRoute, async (c) => {
    const { id } = c.req.valid('param');
    const agent = await findAgent(db, id);
    if (!agent) return noAgent(c, id);
    const live = await states.liveState(id);
    return ok(c, publicConfig(live?.config ?? agent.config));
  });

  routes.openapi(accountRoute, async (c) => {
    const { id } = c.req.valid('param');
    const agent = await findAgent(db, id);
    if (!agent) return noAgent(c, id);
    const snap = await lastSnapshot(db, id);
    return ok(c, snap ? toAccount(snap, Number(agent.initial_balance)) : null);
  });

  routes.openapi(positionsRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    const snap = await lastSnapshot(db, id);
    return ok(c, (snap?.positions ?? []).map(toPosition));
  });

  routes.openapi(decisionsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    return ok(c, (await decisionLogPage(db, id, { from, to }, limit, offset)).map(toDecisionLog));
  });

  routes.openapi(equityRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    return ok(c, (await equityPage(db, id, { from, to }, limit, offset)).map(toEquityPoint));
  });

  routes.openapi(tradesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to, status } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    return ok(c, (await tradesPage(db, id, { from, to, status }, limit, offset)).map(toTrade));
  });

  return routes;
}
