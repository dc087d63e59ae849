import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { Client } from '@temporalio/client';
import { HTTPException } from 'hono/http-exception';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { controlRoutes } from './agent-status';
import { agentRoutes } from './agents';
import { analyticsRoutes } from './analytics-routes';
import { corsFor, requireReadToken, type AuthOptions } from './auth';
import { fail, ok, okJson, validationHook } from './envelope';
import { marketRoutes } from './market-routes';
import { modelRoutes } from './model-routes';

export interface ApiDeps {
  db: Kysely<Database>;
  temporal: Client;
}

export interface ApiOptions {
  /** Tokens and CORS (see auth.ts; `authFromEnv()` reads them from the environment). Default: control disabled, reads open, no CORS. */
  auth?: AuthOptions;
  /** How long run-cycle and config changes wait for the workflow before answering 202 (default 60 s). */
  updateWaitMs?: number;
  /** Where unexpected errors are logged (default console.error). */
  logError?: (err: unknown) => void;
}

/**
 * The arena's HTTP API: records from Postgres, live status and control through Temporal, every answer
 * in the `{ success, data, error }` envelope. OpenAPI at /openapi.json (from the same zod schemas
 * that validate the requests), Swagger UI at /docs.
 */
export function createApp(deps: ApiDeps, options: ApiOptions = {}): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.use('*', corsFor(options.auth?.corsOrigins));
  app.on(['GET', 'HEAD'], '/api/*', requireReadToken(options.auth ?? {}));

  app.openapi(infoRoute, (c) => ok(c, {
    name: 'agent-arena',
    description: 'AI agents trading crypto perpetual futures under hard risk rules',
    docs: '/docs',
    openapi: '/openapi.json',
    endpoints: app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [`${d.route.method.toUpperCase()} ${d.route.path}`] : [])),
  }));
  app.openapi(healthRoute, async (c) => {
    const check = (p: Promise<unknown>) => p.then(() => 'ok', (err: Error) => `error: ${String(err?.message).slice(0, 200)}`);
    const [database, temporal] = await Promise.all([
      check(deps.db.selectFrom('agents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()),
      check(deps.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const healthy = database === 'ok' && temporal === 'ok';
    const data = { status: healthy ? 'healthy' as const : 'degraded' as const, database, temporal };
    return healthy ? ok(c, data) : c.json({ success: false as const, data, error: 'degraded' }, 503);
  });

  app.route('/', agentRoutes(deps));
  app.route('/', controlRoutes(deps, options));
  app.route('/', modelRoutes(deps));
  app.route('/', marketRoutes(deps));
  app.route('/', analyticsRoutes({ db: deps.db }));

  app.doc('/openapi.json', {
    openapi: '3.0.0',
    info: { title: 'Agent Arena API', version: '1.0.0', description: 'Every answer is { success, data, error }.' },
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json' }));

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
