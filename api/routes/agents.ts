/**
 * What the agents did, from Postgres (the seed's response models, §3.2): list, status, account,
 * positions, decision log, equity curve, trades, config. Status comes from Temporal (agent-state.ts).
 * Mounted at /api/agents.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AgentConfig } from '../../arena-config/types';
import type { VenuePosition } from '../../venues/venue';
import type { RouteDeps } from '../deps';
import { AgentIdParam, errors, findAgent, listQuery, noAgent, ok, okJson, okSerialized, successBody } from '../envelope';
import { TtlCache } from '../ttl-cache';
import { publicConfig } from '../public-config';
import {
  AccountSchema, AgentConfigSchema, AgentDetailSchema, AgentSummarySchema, DecisionLogSchema, EquityPointSchema, PositionSchema,
  TradeSchema, lastSnapshot, latestEquity, summarize, toAccount, toDecisionLog, toEquityPoint, toPosition, toTrade,
} from '../views/agent-views';

const agentGet = <S extends z.ZodType>(path: string, summary: string, data: S) => createRoute({
  method: 'get', path: `/{id}${path}`, tags: ['agents'], summary,
  request: { params: AgentIdParam },
  responses: { ...okJson(data, summary), ...errors(400, 401, 404) },
});

const DecisionsQuery = listQuery(50, 500);
const EquityQuery = listQuery(500, 10_000);
const TradesQuery = listQuery(100, 1000).safeExtend({
  status: z.enum(['open', 'closed'], { error: 'expected open or closed' }).optional().openapi({ description: 'Only open or only closed trades' }),
});

const listRoute = createRoute({
  method: 'get', path: '/', tags: ['agents'], summary: 'List all agents',
  responses: { ...okJson(z.array(AgentSummarySchema), 'Every agent with its status, cycle count, equity and return'), ...errors(401) },
});
const detailRoute = agentGet('', "An agent's status, with the workflow's live state when a worker answers in time", AgentDetailSchema);
const accountRoute = agentGet('/account', 'Account balance after the last cycle (null before the first)', AccountSchema.nullable());
const positionsRoute = agentGet('/positions', 'Open positions after the last cycle', z.array(PositionSchema));
const decisionsRoute = createRoute({
  method: 'get', path: '/{id}/decisions', tags: ['agents'], summary: 'Decision log, newest first',
  request: { params: AgentIdParam, query: DecisionsQuery },
  responses: { ...okJson(z.array(DecisionLogSchema), 'Decision log, newest first'), ...errors(400, 401, 404) },
});
const equityRoute = createRoute({
  method: 'get', path: '/{id}/equity-history', tags: ['agents'],
  summary: 'Equity curve: the newest `limit` points after skipping `offset`, oldest first',
  request: { params: AgentIdParam, query: EquityQuery },
  responses: { ...okJson(z.array(EquityPointSchema), 'Equity curve, oldest first'), ...errors(400, 401, 404) },
});
const configRoute = agentGet('/config', "The agent's current config (the workflow's own; the records' copy when no worker answers)", AgentConfigSchema);
const tradesRoute = createRoute({
  method: 'get', path: '/{id}/trades', tags: ['agents'], summary: 'Trades, newest first (time range on the opening time)',
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
      const agents = await db.selectFrom('agents').selectAll().orderBy('id').execute();
      const equity = await latestEquity(db, agents.map((a) => a.id));
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
        state_source: status.live ? 'workflow' as const : 'database' as const,
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
    return ok(c, publicConfig(live?.config ?? (agent.config as AgentConfig)));
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
    return ok(c, ((snap?.positions ?? []) as VenuePosition[]).map(toPosition));
  });

  routes.openapi(decisionsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    let q = db.selectFrom('cycles').selectAll().where('agent_id', '=', id);
    if (from) q = q.where('market_time', '>=', from);
    if (to) q = q.where('market_time', '<', to);
    const rows = await q.orderBy('cycle_no', 'desc').limit(limit).offset(offset).execute();
    return ok(c, rows.map(toDecisionLog));
  });

  routes.openapi(equityRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    let q = db.selectFrom('equity_snapshots').selectAll().where('agent_id', '=', id);
    if (from) q = q.where('market_time', '>=', from);
    if (to) q = q.where('market_time', '<', to);
    const rows = await q.orderBy('cycle_no', 'desc').limit(limit).offset(offset).execute();
    return ok(c, rows.reverse().map(toEquityPoint));
  });

  routes.openapi(tradesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, offset, from, to, status } = c.req.valid('query');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    let q = db.selectFrom('trades').selectAll().where('agent_id', '=', id);
    if (status) q = q.where('status', '=', status);
    if (from) q = q.where('opened_at', '>=', from);
    if (to) q = q.where('opened_at', '<', to);
    const rows = await q.orderBy('id', 'desc').limit(limit).offset(offset).execute();
    return ok(c, rows.map(toTrade));
  });

  return routes;
}

