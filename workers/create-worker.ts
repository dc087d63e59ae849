import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { temporalLogger } from '../observability/temporal-logger';

export const DEFAULT_TASK_QUEUE = 'arena';

export interface ArenaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt workflow bundle (tests build it once); by default the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** One worker for the agent, cycle and activity tasks of the arena's task queue. */
export async function createArenaWorker(opts: ArenaWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows(opts.deps)),
    activities: createActivities(opts.deps),
    // Let an order in flight finish on shutdown instead of cancelling it halfway (its timeout is 60 s).
    shutdownGraceTime: '70s',
  });
}

/** The workflows bundled here rather than by Worker.create, so that the bundler's statistics go to the log at debug. */
function bundleWorkflows(deps: ActivityDeps): Promise<WorkerOptions['workflowBundle']> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: temporalLogger(deps.log, { infoAsDebug: true }) });
}
