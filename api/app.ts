import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { cachedAnalytics } from '../analytics/cache';
import { AgentStates } from './agent-state';
import { corsFor, requireReadToken } from './auth';
import type { ApiDeps, ApiOptions, RouteDeps } from './deps';
import { fail, validationHook } from './envelope';
import { agentRoutes } from './routes/agents';
import { agentAnalyticsRoutes, leaderboardRoutes } from './routes/analytics';
import { controlRoutes } from './routes/control';
import { equityCurveRoutes } from './routes/equity-curves';
import { marketRoutes } from './routes/market';
import { metricsRoutes } from './routes/metrics';
import { modelRoutes } from './routes/models';
import { systemRoutes } from './routes/system';
import { docsRoutes } from '../web/docs';
import { webRoutes } from '../web/routes';

export type { ApiDeps, ApiOptions } from './deps';

/**
 * The arena's HTTP API: records from Postgres, live status and control through Temporal, every answer
 * in the `{ success, data, error }` envelope. One group per resource, each mounted under its prefix;
 * reads may need the token (auth.ts), control always does (the control group's own middleware).
 * OpenAPI at /openapi.json (from the same zod schemas that validate the requests), Swagger UI at /docs.
 * The pages (web/) come first: `/` is the arena page for a browser and the JSON index for anyone else.
 */
export function createApp(deps: ApiDeps, options: ApiOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const routeDeps: RouteDeps = { ...deps, states: new AgentStates(deps.temporal) };
  const analytics = cachedAnalytics(deps.db, { ...(options.chance && { chance: options.chance }) });
  app.use('*', corsFor(options.auth?.corsOrigins));
  app.on(['GET', 'HEAD'], '/api/*', requireReadToken(options.auth ?? {}));

  app.route(
    '/',
    webRoutes({
      api: (url, init) => app.request(url, init),
      namespace: deps.temporal.options.namespace,
      readTokenRequired: options.auth?.readTokenRequired ?? false,
    }),
  );
  app.route(
    '/',
    systemRoutes(routeDeps, () =>
      app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [`${d.route.method.toUpperCase()} ${d.route.path}`] : [])),
    ),
  );
  app.route('/', metricsRoutes(routeDeps, options.auth));
  app.route('/api/agents', agentRoutes(routeDeps));
  app.route('/api/agents', agentAnalyticsRoutes(analytics));
  app.route('/api/agents', modelRoutes(routeDeps));
  app.route('/api/agents', controlRoutes(routeDeps, options));
  app.route('/api/leaderboard', leaderboardRoutes(analytics));
  app.route('/api/market', marketRoutes(routeDeps));
  app.route('/api/equity-curves', equityCurveRoutes(routeDeps));

  app.doc('/openapi.json', {
    openapi: '3.0.0',
    info: { title: 'Agent Arena API', version: '1.0.0', description: 'Every answer is { success, data, error }.' },
  });
  app.route('/docs', docsRoutes());

  app.notFound((c) => fail(c, 404, `no route ${c.req.method} ${c.req.path.slice(0, 200)}`));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return fail(c, err.status as 400, httpMessage(err));
    (options.logError ?? console.error)(err);
    return fail(c, 500, 'internal error');
  });
  return app;
}

/** Hono's own 4xx (body parsing, media type) in the same words as ours. */
function httpMessage(err: HTTPException): string {
  if (err.status === 415) return 'request body: expected Content-Type: application/json';
  if (/malformed json/i.test(err.message)) return 'request body: malformed JSON';
  return err.message || 'bad request';
}
