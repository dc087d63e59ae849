/** What the API is and whether it is healthy: `/`, `/health` and `/health/live`. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { checkHealth, type HealthReport } from '../../observability/health';
import type { RouteDeps } from '../deps';
import { ok, okJson } from '../envelope';

const infoRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['system'],
  summary: 'API info',
  responses: okJson(
    z.object({
      name: z.string(),
      description: z.string(),
      docs: z.string(),
      openapi: z.string(),
      endpoints: z.array(z.string()),
    }),
    'Name, docs and every endpoint',
  ),
});

const AgentHealthSchema = z.object({
  id: z.string(),
  status: z.string().openapi({ description: 'running, paused, stopped, finished, failed, not_started, unknown' }),
  last_cycle_at: z.string().nullable(),
  seconds_since_last_cycle: z.number().nullable().openapi({ description: 'Since the last recorded cycle, or since the workflow started' }),
  health: z.enum(['ok', 'late', 'idle', 'unknown']).openapi({
    description: 'late: running without a cycle for three scan intervals (at least 5 minutes); idle: not meant to cycle now',
  }),
});
const HealthData = z
  .object({
    status: z.enum(['healthy', 'degraded']),
    database: z.string().openapi({ description: '`ok`, or the error' }),
    temporal: z.string().openapi({ description: '`ok`, or the error' }),
    worker: z
      .string()
      .openapi({ description: "`ok`, `down: ...` (no worker polls the running agents' task queue), or `not checked: ...`" }),
    task_queue: z.object({ name: z.string(), workflow_pollers: z.number(), activity_pollers: z.number() }).nullable(),
    agents: z.array(AgentHealthSchema),
  })
  .openapi('Health');
const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: "Health: the database, Temporal, a worker polling the task queue, and each agent's time since its last cycle",
  responses: {
    ...okJson(HealthData, 'Every component answers and every running agent cycles'),
    503: {
      content: { 'application/json': { schema: z.object({ success: z.literal(false), data: HealthData, error: z.string() }) } },
      description: 'A component is down or a running agent is late: `error` says which',
    },
  },
});
const liveRoute = createRoute({
  method: 'get',
  path: '/health/live',
  tags: ['system'],
  summary: 'Liveness: the process answers (checks nothing else)',
  responses: okJson(z.object({ status: z.literal('alive') }), 'The process answers'),
});

/** `endpoints()` lists the whole app's routes (known only once every group is mounted). */
export function systemRoutes(deps: RouteDeps, endpoints: () => string[]): OpenAPIHono {
  const routes = new OpenAPIHono();
  routes.openapi(infoRoute, (c) =>
    ok(c, {
      name: 'agent-arena',
      description: 'AI agents trading crypto perpetual futures under hard risk rules',
      docs: '/docs',
      openapi: '/openapi.json',
      endpoints: endpoints(),
    }),
  );
  routes.openapi(healthRoute, async (c) => {
    const report = await checkHealth(deps);
    if (report.status === 'healthy') return ok(c, report);
    return c.json({ success: false as const, data: report, error: `degraded: ${problems(report).join('; ')}` }, 503);
  });
  routes.openapi(liveRoute, (c) => ok(c, { status: 'alive' as const }));
  return routes;
}

/** What makes a report degraded, in words. */
function problems(report: HealthReport): string[] {
  const found: string[] = [];
  if (report.database !== 'ok') found.push(`database ${report.database}`);
  if (report.temporal !== 'ok') found.push(`temporal ${report.temporal}`);
  if (report.worker.startsWith('down')) found.push(`worker ${report.worker}`);
  const late = report.agents.filter((a) => a.health === 'late').map((a) => a.id);
  if (late.length) found.push(`late: ${late.join(', ')}`);
  return found;
}
