/**
 * A standalone worker process, for running many workers on many machines against one cluster and
 * one database. Needs TEMPORAL_ADDRESS and DATABASE_URL; optional TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE,
 * ARENA_CONFIG (for the market data mode, the replay's data folder and `log_level`; the replay's clock is the launcher's),
 * LOG_LEVEL (overrides the arena file's), WORKFLOW_BUNDLE (path of a prebuilt workflow bundle),
 * WORKER_METRICS_PORT (serve GET /metrics there; none by default) and WORKER_METRICS_HOST (default 127.0.0.1).
 * SIGINT/SIGTERM drain it: an order in flight finishes before the process exits.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../infra/logger';
import { activityDeps } from '../activities/deps';
import { createDb } from '../db/connect';
import { connectionOptions, temporalAccessFromEnv } from '../infra/temporal-access';
import { marketSetup } from '../arena/market-setup';
import { loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';
import { serveMetrics } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { DEFAULT_TASK_QUEUE, createArenaWorker } from './create-worker';

async function main(): Promise<void> {
  const access = temporalAccessFromEnv();
  if (!access.address) required('TEMPORAL_ADDRESS');
  // The arena file says where market data comes from (replay or a venue's live endpoints), and the log level.
  const config = loadArenaConfig(resolveArenaConfigPath());
  const log = createLogger(process.env.LOG_LEVEL ?? config.system.logLevel);
  await installTemporalRuntime({ log });
  const metricsPort = metricsPortFromEnv();
  const metrics = metricsPort === undefined ? undefined : await serveMetrics(process.env.WORKER_METRICS_HOST ?? '127.0.0.1', metricsPort);
  const db = createDb(required('DATABASE_URL'));
  const connection = await NativeConnection.connect(connectionOptions(access));
  const clientConnection = await Connection.connect(connectionOptions(access));
  const { namespace } = access;
  const setup = marketSetup(config);
  try {
    const worker = await createArenaWorker({
      connection,
      namespace,
      taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      deps: activityDeps({
        db,
        market: setup.market,
        clock: setup.clock(db),
        log,
        temporal: new Client({ connection: clientConnection, namespace }),
      }),
      // A workflow bundle built ahead (bundleWorkflowCode) starts the worker in a moment and pins the code.
      workflowBundle: process.env.WORKFLOW_BUNDLE ? { codePath: process.env.WORKFLOW_BUNDLE } : undefined,
    });
    log.info(
      { taskQueue: worker.options.taskQueue, ...(metrics && { metricsPort: metrics.port }) },
      `worker ready on task queue ${worker.options.taskQueue}${metrics ? `, metrics on :${metrics.port}/metrics` : ''}`,
    );
    await worker.run();
  } finally {
    await metrics?.close();
    await clientConnection.close();
    await connection.close();
    await db.destroy();
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for a standalone worker (see README: production)`);
  return value;
}

/** WORKER_METRICS_PORT: a port (0: any free one, said in the log), or unset for no metrics server. */
function metricsPortFromEnv(): number | undefined {
  const text = process.env.WORKER_METRICS_PORT?.trim();
  if (!text) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`WORKER_METRICS_PORT: expected a port number, got "${text.slice(0, 20)}"`);
  return port;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
