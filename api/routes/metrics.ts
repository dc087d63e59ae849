/** `GET /metrics`: the Prometheus text of this process and each agent's state (observability/). */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { agentMetrics } from '../../observability/agent-metrics';
import { METRICS_CONTENT_TYPE, joinExpositions, processMetricsText } from '../../observability/exposition';
import { requireReadToken, type AuthOptions } from '../auth';
import type { RouteDeps } from '../deps';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: "Prometheus metrics: this process's counters and histograms, the Temporal SDK's worker metrics, each agent's state",
  responses: { 200: { content: { 'text/plain': { schema: z.string() } }, description: 'Prometheus text format 0.0.4' } },
});

/** Open like /health, unless reads need the token (API_READ_TOKEN_REQUIRED): then Prometheus sends it as a bearer. */
export function metricsRoutes(deps: RouteDeps, auth: AuthOptions = {}): OpenAPIHono {
  const routes = new OpenAPIHono();
  const agents = agentMetrics(deps);
  routes.on(['GET', 'HEAD'], '/metrics', requireReadToken(auth));
  routes.openapi(metricsRoute, async (c) => {
    // The agents' gauges need the database; without it the process's own metrics still go out.
    const [own, agentState] = await Promise.all([processMetricsText(), agents.metrics().catch(() => '')]);
    return c.text(joinExpositions(own, agentState), 200, { 'Content-Type': METRICS_CONTENT_TYPE });
  });
  return routes;
}
