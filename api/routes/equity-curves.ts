/**
 * Every agent's equity curve in one call, thinned to a chart's worth of points: the arena page's chart.
 * Mounted at /api/equity-curves.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { AGENT_ID_PATTERN } from '../../arena-config/schema';
import type { RouteDeps } from '../deps';
import { errors, fail, ok, okJson, timeRangeQuery, wholeNumber } from '../envelope';

const MAX_AGENTS = 50;
const expectedIds = `expected a comma-separated list of up to ${MAX_AGENTS} agent ids`;

const CurvesQuery = timeRangeQuery().safeExtend({
  points: wholeNumber(
    2,
    5_000,
    1_000,
    'At most this many points per agent (2 to 5000, default 1000): every n-th snapshot, always with the last',
  ),
  agents: z
    .string({ error: `${expectedIds} (given once)` })
    .max(MAX_AGENTS * 65, { error: expectedIds })
    .transform((text, ctx) => {
      const ids = [...new Set(text.split(',').map((s) => s.trim()))];
      const bad = ids.find((id) => !AGENT_ID_PATTERN.test(id));
      if (bad !== undefined || ids.length > MAX_AGENTS) {
        ctx.addIssue({
          code: 'custom',
          message: bad === undefined ? expectedIds : `${expectedIds}; "${bad.slice(0, 30)}" is not an agent id`,
        });
        return z.NEVER;
      }
      return ids;
    })
    .optional()
    .openapi({ type: 'string', example: 'ema-trend,btc-buy-hold', description: 'Only these agents (every agent without it)' }),
});

export const EquityCurveSchema = z
  .object({
    agent_id: z.string(),
    name: z.string(),
    snapshots: z.number().int().openapi({ description: 'Equity snapshots in the range, before thinning' }),
    points: z
      .array(
        z.object({
          cycle: z.number().int(),
          market_time: z.string().openapi({ format: 'date-time' }),
          equity: z.number(),
        }),
      )
      .openapi({ description: 'Oldest first' }),
  })
  .openapi('EquityCurve');

const curvesRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['agents'],
  summary: "Every agent's equity curve over market time, at most `points` points each (for charts)",
  request: { query: CurvesQuery },
  responses: { ...okJson(z.array(EquityCurveSchema), 'One curve per agent, by agent id'), ...errors(400, 401, 404) },
});

interface PointRow {
  agent_id: string;
  cycle_no: number;
  market_time: Date;
  equity: string;
  n: string;
}

export function equityCurveRoutes({ db }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();

  routes.openapi(curvesRoute, async (c) => {
    const { points, agents: only, from, to } = c.req.valid('query');
    let agentsQuery = db.selectFrom('agents').select(['id', 'name']).orderBy('id');
    if (only) agentsQuery = agentsQuery.where('id', 'in', only);
    const agents = await agentsQuery.execute();
    const unknown = only?.find((id) => !agents.some((a) => a.id === id));
    if (unknown !== undefined) return fail(c, 404, `no agent "${unknown}"`);
    if (agents.length === 0) return ok(c, []);

    // Every step-th snapshot of each agent and its last, with step = ceil((n - 1) / (points - 1)):
    // at most `points` per agent, evenly spread over its cycles.
    const { rows } = await sql<PointRow>`
      select agent_id, cycle_no, market_time, equity, n from (
        select agent_id, cycle_no, market_time, equity,
          row_number() over (partition by agent_id order by cycle_no) as rn,
          count(*) over (partition by agent_id) as n
        from equity_snapshots
        where agent_id in (${sql.join(agents.map((a) => a.id))})
          ${from ? sql`and market_time >= ${from}` : sql``} ${to ? sql`and market_time < ${to}` : sql``}
      ) s
      where (rn - 1) % greatest(1, ceil((n - 1)::numeric / ${points - 1}))::bigint = 0 or rn = n
      order by agent_id, cycle_no`.execute(db);

    const byAgent = new Map<string, PointRow[]>();
    for (const row of rows) {
      const curve = byAgent.get(row.agent_id);
      if (curve) curve.push(row);
      else byAgent.set(row.agent_id, [row]);
    }
    return ok(
      c,
      agents.map((a) => {
        const curve = byAgent.get(a.id) ?? [];
        return {
          agent_id: a.id,
          name: a.name,
          snapshots: Number(curve[0]?.n ?? 0),
          points: curve.map((r) => ({ cycle: r.cycle_no, market_time: r.market_time.toISOString(), equity: Number(r.equity) })),
        };
      }),
    );
  });

  return routes;
}
