/**
 * The whole production shape on one machine: a four-process Temporal cluster on the local Postgres
 * (built from source at the compose file's version, set up by the compose's own scripts), and the
 * arena as operators run it beside such a cluster: the launcher (bin/arena.ts), two standalone
 * workers and the standalone API, each its own process, with rule-based agents on the paper venue.
 * `close()` removes everything it made (processes, databases, temp folder), also after a failed start.
 *
 * The launcher, rather than the test, starts the agents: it is what production runs (docker-compose's
 * `arena` service), so its start-up on a cluster it did not start is under test too (migrations, the
 * search attributes, the agents, the replay clock the workers read). Like compose's `arena` service it runs
 * with ARENA_RUN=agents: no worker and no API of its own, so the two standalone workers run every cycle.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { loadArenaConfig } from '../../../arena-config/load';
import type { AgentConfig } from '../../../arena-config/types';
import { createDb } from '../../../db/connect';
import type { Database } from '../../../db/schema';
import { ensureTemporalCli } from '../../../infra/temporal-cli';
import { agentWorkflowId } from '../../../workflows/definitions';
import { eventually, workflowBundle } from '../../support/arena';
import { freePort } from '../../support/ports';
import { type TestAgent, writeArenaFile } from './arena-file';
import { type ArenaEnvironment, arenaApi, arenaLauncher, arenaWorker, workerIdentity } from './arena-processes';
import { applyTemporalSchema, createNamespace } from './cluster-setup';
import { composeTemporalVersion } from './compose-file';
import type { ManagedProcess } from './managed-process';
import { type PostgresServer, dropDatabases, testPostgresServer, withAdminClient } from './postgres-server';
import { type TemporalCluster, startTemporalCluster } from './temporal-cluster';
import { ensureTemporalServer } from './temporal-server-build';

const NAMESPACE = 'default';
const TASK_QUEUE = 'arena';
const LAUNCHER_READY_TIMEOUT_MS = 180_000;

export interface ClusterArenaOptions {
  agents: readonly TestAgent[];
  cycleSeconds: number;
  log: (msg: string) => void;
}

export interface ClusterArena {
  postgres: PostgresServer;
  /** The arena's own database (its name, for cutting its connections). */
  arenaDatabase: string;
  /** Temporal's two databases. */
  temporalDatabases: { main: string; visibility: string };
  cluster: TemporalCluster;
  launcher: ManagedProcess;
  /** The two standalone workers. */
  workers: ManagedProcess[];
  /** The standalone API's base URL. */
  apiUrl: string;
  client: Client;
  /** The test's own pool on the arena's database (2 connections), for reading the records. */
  db: Kysely<Database>;
  agents: AgentConfig[];
  /** The standalone worker that reports `identity` to Temporal. */
  workerByIdentity(identity: string): ManagedProcess | undefined;
  /** The last lines of every process's log. */
  logTails(): string;
  /** The processes whose log contains `text`. */
  processesLogging(text: string): string[];
  close(): Promise<void>;
}

export async function startClusterArena(opts: ClusterArenaOptions): Promise<ClusterArena> {
  const cleanup: Array<() => Promise<unknown>> = [];
  const processes: ManagedProcess[] = [];
  const logTails = () => processes.map((p) => `--- ${p.name} (${p.options.logFile})\n${p.logTail(30)}`).join('\n');
  const close = async () => {
    for (const step of cleanup.reverse()) await step().catch((err) => opts.log(`cleanup: ${(err as Error).message}`));
    cleanup.length = 0;
  };
  const run = (child: ManagedProcess) => {
    cleanup.push(() => child.stop());
    processes.push(child);
    child.start();
    return child;
  };
  try {
    const tools = await ensureTemporalServer(composeTemporalVersion(), opts.log);
    const cli = await ensureTemporalCli(opts.log);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-cluster-'));
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const logDir = path.join(dir, 'logs');
    fs.mkdirSync(logDir);

    const postgres = testPostgresServer();
    const tag = randomBytes(4).toString('hex');
    const temporalDatabases = { main: `cluster_temporal_${tag}`, visibility: `cluster_temporal_visibility_${tag}` };
    const arenaDatabase = `cluster_arena_${tag}`;
    cleanup.push(() => dropDatabases(postgres, [...Object.values(temporalDatabases), arenaDatabase]));

    let started = Date.now();
    await applyTemporalSchema(tools.sqlTool, postgres, temporalDatabases);
    opts.log(`schema applied to ${temporalDatabases.main} and ${temporalDatabases.visibility} in ${Date.now() - started} ms`);
    started = Date.now();
    const cluster = await startTemporalCluster({ serverBinary: tools.server, postgres, databases: temporalDatabases, logDir });
    cleanup.push(() => cluster.stop());
    processes.push(...Object.values(cluster.services));
    await createNamespace(cluster.address, NAMESPACE, cli, dir);
    const connection = await Connection.connect({ address: cluster.address });
    cleanup.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE });
    opts.log(`cluster serving at ${cluster.address} with namespace ${NAMESPACE}, in ${Date.now() - started} ms`);

    await withAdminClient(postgres, (admin) => admin.query(`CREATE DATABASE "${arenaDatabase}"`));
    const db = createDb(postgres.url(arenaDatabase), 2);
    cleanup.push(() => db.destroy());
    const launcherApiPort = await freePort();
    const arenaConfig = writeArenaFile(path.join(dir, 'config'), opts.agents, opts.cycleSeconds, launcherApiPort);
    const agents = loadArenaConfig(arenaConfig, {}).agents.map((entry) => {
      if (!entry.config) throw new Error(`test agent ${entry.id} did not load: ${entry.skipReason}`);
      return entry.config;
    });
    const bundle = path.join(dir, 'workflows.js');
    fs.writeFileSync(bundle, (await workflowBundle()).code);

    started = Date.now();
    const arena: ArenaEnvironment = {
      temporalAddress: cluster.address,
      namespace: NAMESPACE,
      taskQueue: TASK_QUEUE,
      databaseUrl: postgres.url(arenaDatabase),
      arenaConfig,
      logDir,
    };
    const launcher = run(arenaLauncher(arena));
    const workers = [run(arenaWorker('worker-1', arena, bundle)), run(arenaWorker('worker-2', arena, bundle))];
    const apiPort = await freePort();
    run(arenaApi(arena, apiPort));
    // The launcher has started the arena once every agent's workflow runs (it logs at `warn` only here).
    await eventually(
      'the launcher to start the arena',
      async () => {
        if (!launcher.isRunning) throw new Error(`the launcher exited:\n${launcher.logTail()}`);
        const states = await Promise.all(
          agents.map((agent) =>
            client.workflow
              .getHandle(agentWorkflowId(agent.id))
              .describe()
              .then(
                (d) => d.status.name,
                () => null,
              ),
          ),
        );
        return states.every((state) => state === 'RUNNING');
      },
      LAUNCHER_READY_TIMEOUT_MS,
    );
    opts.log(`launcher, 2 workers and the API running, in ${Date.now() - started} ms`);

    return {
      postgres,
      arenaDatabase,
      temporalDatabases,
      cluster,
      launcher,
      workers,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      client,
      db,
      agents,
      workerByIdentity: (identity) => workers.find((w) => w.pid !== undefined && workerIdentity(w.pid) === identity),
      logTails,
      processesLogging: (text) => processes.filter((p) => p.logIncludes(text)).map((p) => p.name),
      close,
    };
  } catch (err) {
    if (processes.length) opts.log(`start failed; the processes' logs:\n${logTails()}`);
    await close();
    throw err;
  }
}
