/**
 * Starts the whole arena in one process: database (DATABASE_URL or embedded), Temporal (TEMPORAL_ADDRESS
 * or a local dev server), migrations, the worker, the demo agents and the API. Ctrl-C shuts it down
 * cleanly: the worker lets an order in flight finish, then everything closes in reverse order.
 * `ARENA_RUN` runs only some of it (arena/roles.ts): compose runs agents, workers and the API apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createLogger } from '../infra/logger';
import { activityDeps } from '../activities/deps';
import { createApp } from '../api/app';
import { chanceForArena } from '../backtest/arena-chance';
import { authFromEnv } from '../api/auth';
import { attachWebSocket } from '../api/websocket';
import { startAlerts } from '../alerts/start';
import { startAgents } from '../arena/start-agents';
import { arenaRoles } from '../arena/roles';
import { runnableAgents } from '../arena/runnable-agents';
import { ConfigError, loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';
import { saveAgent } from '../db/agents';
import { createDb, migrateToLatest } from '../db/connect';
import { openDatabase } from '../infra/database';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { connectionOptions, temporalAccessFromEnv } from '../infra/temporal-access';
import { ensureTemporalCli } from '../infra/temporal-cli';
import { ensureSearchAttributes, startTemporalDevServer } from '../infra/temporal-dev-server';
import { checkLiveAccounts } from '../arena/check-accounts';
import { marketSetup } from '../arena/market-setup';
import type { AgentConfig } from '../arena-config/types';
import { openLiveVenue } from '../venues/open-venue';
import { DEFAULT_TASK_QUEUE, createArenaWorker } from '../workers/create-worker';
import { ARENA_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const PROJECT_ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  // A .env beside package.json is read first (variables already set in the shell win).
  const envFile = path.join(PROJECT_ROOT, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadArenaConfig(resolveArenaConfigPath());
  const log = createLogger(process.env.LOG_LEVEL ?? config.system.logLevel);
  const say = (msg: string) => log.info(msg);
  const roles = arenaRoles();
  const runnable = roles.has('agents') ? runnableAgents(config, say) : [];
  const auth = authFromEnv();
  const setup = marketSetup(config);

  // Signals are ours, not the Temporal runtime's: before the worker runs they end the start-up,
  // afterwards they drain the worker, and the rest shuts down behind it. The runtime also logs through
  // ours and serves the SDK's metrics for /metrics.
  await installTemporalRuntime({ log, shutdownSignals: [] });
  let worker: Worker | undefined;
  let interrupted = false;
  // Without a worker, the process runs until a signal.
  let stopWaiting: () => void = () => {};
  const signalled = new Promise<void>((resolve) => (stopWaiting = resolve));
  let repeatedSignalSaid = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C while the worker drains (an order may take a minute) changes nothing: say so, once.
    if (interrupted) {
      if (!repeatedSignalSaid) say(`${signal}: already shutting down (the worker lets an order in flight finish)`);
      repeatedSignalSaid = true;
      return;
    }
    say(`${signal}: shutting down`);
    interrupted = true;
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    stopWaiting();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const cleanup: Array<() => Promise<unknown>> = [];
  const shutdown = async () => {
    for (const step of cleanup.reverse()) await step().catch((err) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const dataDir = path.resolve(process.env.ARENA_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'));
    const database = await openDatabase({ dataDir, log: say });
    cleanup.push(() => database.close());
    const db = createDb(database.url, database.maxConnections);
    cleanup.push(() => db.destroy());
    const applied = await migrateToLatest(db);
    if (applied.length) say(`database: applied migrations ${applied.join(', ')}`);

    const access = temporalAccessFromEnv();
    const { namespace } = access;
    let address = access.address;
    if (!address) {
      const cliPath = await ensureTemporalCli(say);
      const server = await startTemporalDevServer({
        cliPath,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace,
        port: Number(process.env.TEMPORAL_PORT ?? 7233),
        uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
        searchAttributes: ARENA_SEARCH_ATTRIBUTES,
      });
      cleanup.push(() => server.stop());
      address = server.address;
      say(`temporal: dev server at ${address}, Web UI ${server.uiUrl}`);
    }
    // The dev server the launcher starts is plain and local; TLS and keys are for a configured cluster.
    const options = access.address ? connectionOptions(access) : { address };
    const connection = await Connection.connect(options);
    cleanup.push(() => connection.close());
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length) say(`temporal: registered search attributes ${added.join(', ')}`);
    const client = new Client({ connection, namespace });
    const workerConnection = await NativeConnection.connect(options);
    cleanup.push(() => workerConnection.close());

    const clock = roles.has('agents') ? await setup.runClock(db, (err) => log.warn({ err }, 'market clock heartbeat failed')) : null;
    if (clock) cleanup.push(() => clock.stop());
    if (clock?.restarted) say('market clock: the replay data changed, so the arena clock starts over at its first bar');
    const deps = activityDeps({ db, market: setup.market, clock: setup.clock(db), log, temporal: client });
    say(`market: ${setup.describe}`);
    const agents = await readyAgents(runnable, say);
    const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
    if (roles.has('worker')) worker = await createArenaWorker({ connection: workerConnection, namespace, taskQueue, deps });
    const workerDone = worker ? worker.run() : signalled;
    try {
      if (interrupted) throw new Error('interrupted during start-up');
      if (roles.has('agents')) await startArenaAgents();
      if (roles.has('api')) await serveApi();
      const parts = [
        ...(roles.has('agents') ? [`${agents.length} agents`] : []),
        ...(roles.has('worker') ? [`worker on ${taskQueue}`] : []),
        ...(roles.has('api') ? [`API http://localhost:${config.api.port}/api/agents`] : []),
      ];
      say(`arena running: ${parts.join(' · ')} · Ctrl-C to stop`);
    } catch (err) {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      stopWaiting();
      await workerDone;
      if (!interrupted) throw err;
    }
    await workerDone;
    say(worker ? 'worker stopped; shutting down' : 'shutting down');

    async function startArenaAgents(): Promise<void> {
      for (const agent of agents) await saveAgent(db, agent);
      await startAgents(
        {
          client,
          db,
          taskQueue,
          log: say,
          cycleIntervalMs: setup.cycleIntervalMs,
          symbolUniverse: [...setup.market.symbols()],
          lockScope: config.system.tradingLock === 'global' ? 'global' : 'account',
        },
        agents,
      );
      await startAlerts({ db, client, taskQueue, log: say }, config.alerts);
    }

    async function serveApi(): Promise<void> {
      const chance = chanceForArena(db, config);
      if (chance) cleanup.push(() => chance.close());
      const app = createApp(
        { db, temporal: client },
        { auth, chance, logError: (err) => log.error({ err }, 'unexpected error in a request') },
      );
      const ws = attachWebSocket(app, { db, auth });
      const api = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port });
      ws.injectWebSocket(api);
      cleanup.push(() => new Promise((resolve) => api.close(resolve)));
      cleanup.push(() => ws.close()); // cleanup runs in reverse: sockets close before the server
    }
  } finally {
    await shutdown();
  }
}

/** Agents on a live account that fails its startup check stay stopped, with the reason in the log. */
async function readyAgents(agents: AgentConfig[], say: (msg: string) => void): Promise<AgentConfig[]> {
  const { ready, outcomes } = await checkLiveAccounts(agents, (exchange) => openLiveVenue(exchange));
  for (const o of outcomes) {
    if (o.problem) {
      say(`account ${o.account}: startup check failed, not starting ${o.agents.join(', ')}: ${o.problem}`);
      continue;
    }
    const c = o.check!;
    say(
      `account ${o.account}: ready at ${c.baseUrl}${c.testnet ? ' (testnet)' : ''}, equity ${c.balance.equity.toFixed(2)} USDT, ` +
        `available ${c.balance.availableBalance.toFixed(2)}, ${c.positionMode} mode`,
    );
    for (const warning of c.warnings) say(`account ${o.account}: warning: ${warning}`);
  }
  return ready;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof ConfigError ? `config error: ${err.message}` : err);
    process.exit(1);
  },
);
