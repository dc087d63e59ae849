import type { Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { agentRoutes } from './agents';
import { fail, ok } from './envelope';
import { modelRoutes } from './model-routes';

export interface ApiDeps {
  db: Kysely<Database>;
  temporal: Client;
}

/** The arena's HTTP API: records from Postgres, live status and control through Temporal. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => ok(c, {
    name: 'agent-arena', description: 'AI agents trading crypto perpetual futures under hard risk rules',
    endpoints: ['/health', '/api/agents', '/api/agents/:id', '/api/agents/:id/account', '/api/agents/:id/positions',
      '/api/agents/:id/decisions', '/api/agents/:id/equity-history', '/api/agents/:id/trades',
      '/api/agents/:id/costs', '/api/agents/:id/prompt/preview',
      'POST /api/agents/:id/pause', 'POST /api/agents/:id/resume', 'POST /api/agents/:id/stop'],
  }));
  app.get('/health', (c) => health(c, deps));
  app.route('/api/agents', agentRoutes(deps));
  app.route('/api/agents', modelRoutes(deps));
  app.notFound((c) => fail(c, 404, `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => fail(c, 500, `internal error: ${err.message}`));
  return app;
}

async function health(c: Context, deps: ApiDeps) {
  const database = await deps.db.selectFrom('agents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()
    .then(() => 'ok', (err: Error) => `error: ${err.message}`);
  const temporal = await deps.temporal.connection.workflowService.getSystemInfo({})
    .then(() => 'ok', (err: Error) => `error: ${err.message}`);
  const healthy = database === 'ok' && temporal === 'ok';
  return c.json({ success: healthy, data: { status: healthy ? 'healthy' : 'degraded', database, temporal }, error: null }, healthy ? 200 : 503);
}
