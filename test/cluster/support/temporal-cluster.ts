/**
 * A self-hosted Temporal cluster on the local Postgres: frontend, history, matching and worker as four
 * `temporal-server start --service X` processes, each configured exactly like the temporalio/server
 * image: no config file of ours, only the image's variables, which the server renders into its
 * embedded config template (the one the image uses). So what runs here is what docker-compose.yml runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { childEnv } from '../../../infra/child-env';
import { ManagedProcess } from './managed-process';
import type { PostgresServer } from './postgres-server';

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * The pools of each server process (main and visibility store). Postgres allows 100 connections, shared
 * with the arena (up to 10 per worker or API process) and whatever else runs on the machine: four
 * processes take 4 × (6 + 2) = 32 at most. The image's defaults, 20 + 10 per process, ran out.
 */
export const SERVER_POOLS = { SQL_MAX_CONNS: 6, SQL_MAX_IDLE_CONNS: 6, SQL_VIS_MAX_CONNS: 2, SQL_VIS_MAX_IDLE_CONNS: 2 };

export const DYNAMIC_CONFIG_FILE = path.join(__dirname, '..', '..', '..', 'deploy', 'temporal', 'dynamicconfig', 'production.yaml');

export interface TemporalClusterOptions {
  serverBinary: string;
  postgres: PostgresServer;
  databases: { main: string; visibility: string };
  /** Where each service's log goes (`temporal-<service>.log`). */
  logDir: string;
}

export interface TemporalCluster {
  /** host:port of the frontend. */
  address: string;
  services: Record<TemporalService, ManagedProcess>;
  /** Resolves once the frontend serves requests. */
  waitUntilServing(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The temporalio/server image's variables for this cluster, ports on 127.0.0.1 chosen free. */
async function imageVariables(opts: Omit<TemporalClusterOptions, 'serverBinary' | 'logDir'>): Promise<Record<string, string>> {
  const taken = new Set<number>();
  const port = async () => String(await freeMembershipSafePort(taken));
  return {
    DB: 'postgres12',
    POSTGRES_SEEDS: opts.postgres.host,
    DB_PORT: String(opts.postgres.port),
    POSTGRES_USER: opts.postgres.user,
    POSTGRES_PWD: opts.postgres.password,
    DBNAME: opts.databases.main,
    VISIBILITY_DBNAME: opts.databases.visibility,
    BIND_ON_IP: '127.0.0.1',
    FRONTEND_GRPC_PORT: await port(),
    FRONTEND_HTTP_PORT: await port(),
    FRONTEND_MEMBERSHIP_PORT: await port(),
    HISTORY_GRPC_PORT: await port(),
    HISTORY_MEMBERSHIP_PORT: await port(),
    MATCHING_GRPC_PORT: await port(),
    MATCHING_MEMBERSHIP_PORT: await port(),
    WORKER_GRPC_PORT: await port(),
    WORKER_MEMBERSHIP_PORT: await port(),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    // No authorizer is configured: say so, as v1.30 asks (it warns otherwise, and later versions refuse).
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(Object.entries(SERVER_POOLS).map(([name, value]) => [name, String(value)])),
  };
}

/**
 * A free port on 127.0.0.1 below 32768: the cluster_membership table keeps ports in a smallint, so a
 * port from the system's ephemeral range (what `listen(0)` gives) makes a service fail at start.
 */
async function freeMembershipSafePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/**
 * Starts the four services and waits until the frontend serves; `stop()` ends them all. History starts
 * first and alone: each service writes the cluster's metadata record when it starts, and four at once
 * race on it (one fails with "failed to initialize current cluster metadata").
 */
export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const variables = await imageVariables(opts);
  const services = Object.fromEntries(
    TEMPORAL_SERVICES.map((service) => [
      service,
      new ManagedProcess({
        name: `temporal ${service}`,
        command: opts.serverBinary,
        args: ['start', '--service', service],
        env: childEnv([], variables), // none of the arena's keys
        logFile: path.join(opts.logDir, `temporal-${service}.log`),
      }),
    ]),
  ) as Record<TemporalService, ManagedProcess>;
  const address = `127.0.0.1:${variables.FRONTEND_GRPC_PORT}`;
  const cluster: TemporalCluster = {
    address,
    services,
    waitUntilServing: (timeoutMs = 60_000) => waitUntilServing(address, services, timeoutMs),
    stop: async () => {
      await Promise.all(TEMPORAL_SERVICES.map((service) => services[service].stop()));
    },
  };
  fs.mkdirSync(opts.logDir, { recursive: true });
  try {
    services.history.start();
    await waitUntilListening(services.history, Number(variables.HISTORY_GRPC_PORT), 60_000);
    for (const service of TEMPORAL_SERVICES) if (service !== 'history') services[service].start();
    await cluster.waitUntilServing();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

async function waitUntilListening(service: ManagedProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.isRunning) throw new Error(`${service.name} exited:\n${service.logTail()}`);
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (listening) return;
    if (Date.now() > deadline) throw new Error(`${service.name} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitUntilServing(address: string, services: Record<TemporalService, ManagedProcess>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = TEMPORAL_SERVICES.find((service) => !services[service].isRunning);
    if (dead) throw new Error(`temporal ${dead} exited:\n${services[dead].logTail()}`);
    if (await frontendServes(address)) return;
    if (Date.now() > deadline) throw new Error(`the Temporal frontend at ${address} did not serve within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The frontend answers a request. */
async function frontendServes(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}
