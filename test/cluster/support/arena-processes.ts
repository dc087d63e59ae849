/**
 * The arena's production processes, as operators run them, each its own Node process configured by its
 * environment only: the launcher `bin/arena.ts` as compose's `arena` service runs it (`ARENA_RUN=agents`:
 * migrations, search attributes, the agents, the replay clock, the alerts), standalone workers
 * `workers/main.ts` and the API `api/main.ts`.
 */
import os from 'node:os';
import path from 'node:path';
import { childEnv } from '../../../infra/child-env';
import { ManagedProcess } from './managed-process';

const ROOT = path.join(__dirname, '..', '..', '..');

export interface ArenaEnvironment {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  /** The arena file (ARENA_CONFIG). */
  arenaConfig: string;
  logDir: string;
}

function nodeProcess(name: string, entry: string, arena: ArenaEnvironment, extra: Record<string, string> = {}): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: ['--require', 'tsx/cjs', entry],
    cwd: ROOT,
    env: childEnv([], {
      TEMPORAL_ADDRESS: arena.temporalAddress,
      TEMPORAL_NAMESPACE: arena.namespace,
      TEMPORAL_TASK_QUEUE: arena.taskQueue,
      DATABASE_URL: arena.databaseUrl,
      ARENA_CONFIG: arena.arenaConfig,
      ...extra,
    }),
    logFile: path.join(arena.logDir, `${name}.log`),
  });
}

export function arenaLauncher(arena: ArenaEnvironment): ManagedProcess {
  return nodeProcess('launcher', 'bin/arena.ts', arena, { ARENA_RUN: 'agents' });
}

/** `workflowBundle`: a prebuilt bundle, so that a (re)started worker polls within seconds. */
export function arenaWorker(name: string, arena: ArenaEnvironment, workflowBundle: string): ManagedProcess {
  return nodeProcess(name, 'workers/main.ts', arena, { WORKFLOW_BUNDLE: workflowBundle, LOG_LEVEL: 'warn' });
}

export function arenaApi(arena: ArenaEnvironment, port: number): ManagedProcess {
  return nodeProcess('api', 'api/main.ts', arena, { API_HOST: '127.0.0.1', API_PORT: String(port) });
}

/** The identity a worker process gives Temporal (the SDK's default), which pending activities report. */
export function workerIdentity(pid: number): string {
  return `${pid}@${os.hostname()}`;
}
