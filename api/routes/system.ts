/** What the API is and whether it is healthy: `/` and `/health`. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { pingAgents } from '../../db/agents';
import type { ApiDeps } from '../deps';
import { ok, okJson } from '../envelope';

const infoRoute = createRoute({
  method: 'get', path: '/', tags: ['system'], summary: 'API info',
  responses: okJson(z.object({
    name: z.string(), description: z.string(), docs: z.string(), openapi: z.string(), endpoints: z.array(z.string()),
  }), 'Name, docs and every endpoint'),
});

const HealthData = z.object({ status: z.enum(['healthy', 'degraded']), database: z.string(), temporal: z.string() });
const healthRoute = createRoute({
  method: 'get', path: '/health', tags: ['system'], summary: 'Health check: the database and Temporal answer',
  responses: {
    ...okJson(HealthData, 'Both answer'),
    503: {
      content: { 'application/json': { schema: z.object({ success: z.literal(false), data: HealthData, error: z.string() }) } },
      description: 'One of them does not',
    },
  },
});

/** `endpoints()` lists the whole app's routes (known only once every group is mounted). */
export function systemRoutes(deps: ApiDeps, endpoints: () => string[]): OpenAPIHono {
  const routes = new OpenAPIHono();
  routes.openapi(infoRoute, (c) => ok(c, {
    name: 'agent-arena',
    description: 'AI agents trading crypto perpetual futures under hard risk rules',
    docs: '/docs',
    openapi: '/openapi.json',
    endpoints: endpoints(),
  }));
  routes.openapi(healthRoute, async (c) => {
    const check = (p: Promise<unknown>) => p.then(() => 'ok', (err: Error) => `error: ${String(err?.message).slice(0, 200)}`);
    const [database, temporal] = await Promise.all([
      check(pingAgents(deps.db)),
      check(deps.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const healthy = database === 'ok' && temporal === 'ok';
    const data = { status: healthy ? 'healthy' as const : 'degraded' as const, database, temporal };
    return healthy ? ok(c, data) : c.json({ success: false as const, data, error: 'degraded' }, 503);
  });
  return routes;
}
