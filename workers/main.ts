/**
 * A standalone worker process, for running many workers on many machines against one cluster and
 * one database. Needs TEMPORAL_ADDRESS and DATABASE_URL; optional TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE,
 * LOG_LEVEL, ARENA_CONFIG (for the market data mode and the replay's data folder; the replay's clock is the launcher's), WORKFLOW_BUNDLE (path of a prebuilt workflow bundle). SIGINT/SIGTERM drain it: an order in flight finishes before the process exits.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../infra/logger';
import { activityDeps } from '../activities/deps';
import { createDb } from '../db/connect';
import { connectionOptions, temporalAccessFromEnv } from '../infra/temporal-access';
import { marketSetup } from '../arena/market-setup';
import { loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';
import { DEFAULT_TASK_QUEUE, createArenaWorker } from './create-worker';

async function main(): Promise<void> {
  const access = temporalAccessFromEnv();
  if (!access.address) required('TEMPORAL_ADDRESS');
  const db = createDb(required('DATABASE_URL'));
  const log = createLogger(process.env.LOG_LEVEL ?? 'info');
  const connection = await NativeConnection.connect(connectionOptions(access));
  const clientConnection = await Connection.connect(connectionOptions(access));
  const { namespace } = access;
  // The arena file says where market data comes from (replay or a venue's live endpoints).
  const setup = marketSetup(loadArenaConfig(resolveArenaConfigPath()));
  try {
    const worker = await createArenaWorker({
      connection,
      namespace,
      taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      deps: activityDeps({ db, market: setup.market, clock: setup.clock(db), log, temporal: new Client({ connection: clientConnection, namespace }) }),
      // A workflow bundle built ahead (bundleWorkflowCode) starts the worker in a moment and pins the code.
      workflowBundle: process.env.WORKFLOW_BUNDLE ? { codePath: process.env.WORKFLOW_BUNDLE } : undefined,
    });
    log.info({ taskQueue: worker.options.taskQueue }, 'worker ready');
    await worker.run();
  } finally {
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
