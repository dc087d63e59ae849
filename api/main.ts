/**
 * The API as its own process (production: behind a proxy, beside any number of workers).
 * Needs TEMPORAL_ADDRESS and DATABASE_URL (and the TEMPORAL_TLS_* variables of infra/temporal-access.ts on a
 * cluster with TLS); API_HOST / API_PORT default to 127.0.0.1:8000.
 * API_TOKEN (control; reads too with API_READ_TOKEN_REQUIRED=true) and API_CORS_ORIGINS: see auth.ts.
 * WebSocket: ws://<host>/ws/agents/<id> (websocket.ts). Metrics: GET /metrics; health: GET /health, /health/live.
 * Logs at LOG_LEVEL, else the arena file's `log_level` (ARENA_CONFIG).
 */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';
import { createDb } from '../db/connect';
import { createLogger } from '../infra/logger';
import { connectionOptions, temporalAccessFromEnv } from '../infra/temporal-access';
import { chanceForArena } from '../backtest/arena-chance';
import { createApp } from './app';
import { authFromEnv } from './auth';
import { attachWebSocket } from './websocket';

async function main(): Promise<void> {
  const config = loadArenaConfig(resolveArenaConfigPath());
  const log = createLogger(process.env.LOG_LEVEL ?? config.system.logLevel);
  const auth = authFromEnv();
  const access = temporalAccessFromEnv();
  const databaseUrl = process.env.DATABASE_URL;
  if (!access.address || !databaseUrl) throw new Error('TEMPORAL_ADDRESS and DATABASE_URL must be set for a standalone API');
  const connection = await Connection.connect(connectionOptions(access));
  const db = createDb(databaseUrl);
  const temporal = new Client({ connection, namespace: access.namespace });
  const port = Number(process.env.API_PORT ?? 8000);
  const chance = chanceForArena(db, config);
  const app = createApp({ db, temporal }, { auth, chance, logError: (err) => log.error({ err }, 'unexpected error in a request') });
  const ws = attachWebSocket(app, { db, auth });
  // Loopback unless API_HOST opts into other interfaces (README: what that exposes).
  const server = serve({ fetch: app.fetch, hostname: process.env.API_HOST ?? '127.0.0.1', port });
  ws.injectWebSocket(server);
  log.info({ port }, `API on :${port}${auth.apiToken ? '' : ' (control disabled: set API_TOKEN)'}`);
  const stop = async () => {
    await ws.close();
    server.close(async () => {
      await chance?.close();
      await db.destroy();
      await connection.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
