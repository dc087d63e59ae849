import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { activityDeps, type ActivityDeps } from '../../activities/deps';
import { loadArenaConfig } from '../../arena-config/load';
import type { AgentConfig } from '../../arena-config/types';
import { startAgents } from '../../arena/start-agents';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database } from '../../db/schema';
import { replayClock, runReplayClock, type ClockRunner, type MarketClock } from '../../market/clock';
import { ReplayMarketData } from '../../market/replay';
import type { MarketDataSource } from '../../market/types';
import { createArenaWorker } from '../../workers/create-worker';
import { createTestDatabase } from './database';
import { getTestTemporal } from './temporal';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code, bundled once per test process (a bundle takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: console.error },
  });
  return bundle;
}

/** A shipped demo agent under a fresh id (and so a fresh paper account). */
export function demoAgent(base: 'ema-trend' | 'rsi-reversion' | 'btc-buy-hold' | 'random-entry', tag: string): AgentConfig {
  const arena = loadArenaConfig(path.join(__dirname, '../../config/arena.yaml'), {});
  const config = arena.agents.find((a) => a.id === base)?.config;
  if (!config) throw new Error(`demo agent ${base} not found`);
  const id = `${base}-${tag}`;
  return { ...config, id, exchange: { ...config.exchange, account: id } };
}

export interface TestArena {
  env: TestWorkflowEnvironment;
  client: Client;
  db: Kysely<Database>;
  dbUrl: string;
  taskQueue: string;
  deps: ActivityDeps;
  tag: string;
  /** Starts an in-process worker; the returned function stops it. */
  runWorker(): Promise<() => Promise<void>>;
  /**
   * Registers and starts the agents. On the replay, the arena's market clock starts too (if it is not
   * running yet), one bar every `barMs` (default `cycleIntervalMs`: every agent then cycles once per bar;
   * a short bar and a long interval leave the cycles to run-cycle, each on a bar of its own).
   */
  start(configs: AgentConfig[], cycleIntervalMs: number, clock?: { barMs: number }): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real dev server, a fresh real Postgres database with migrations applied, and the real activities
 * (on the bundled replay unless another market and clock are given).
 */
export async function startTestArena(live?: { market: MarketDataSource; clock: MarketClock }): Promise<TestArena> {
  const env = await getTestTemporal();
  const database = await createTestDatabase();
  const db = createDb(database.url, 5);
  await migrateToLatest(db);
  const tag = randomBytes(3).toString('hex');
  const taskQueue = `arena-test-${tag}`;
  const replay = live ? null : new ReplayMarketData();
  const deps: ActivityDeps = activityDeps({
    db,
    market: live?.market ?? replay!,
    clock: live?.clock ?? replayClock(db),
    log: pino({ level: 'silent' }),
    temporal: env.client,
  });
  const workers: Array<() => Promise<void>> = [];
  let clock: ClockRunner | null = null;

  return {
    env,
    client: env.client,
    db,
    dbUrl: database.url,
    taskQueue,
    deps,
    tag,
    async runWorker() {
      const worker = await createArenaWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        deps,
        workflowBundle: await workflowBundle(),
      });
      const running = worker.run();
      const stop = async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      };
      workers.push(stop);
      return stop;
    },
    async start(configs, cycleIntervalMs, options) {
      if (replay && !clock) {
        const w = replay.window();
        clock = await runReplayClock(db, { first: w.firstMarketTime, last: w.lastMarketTime }, options?.barMs ?? cycleIntervalMs);
      }
      for (const config of configs) {
        await db
          .insertInto('agents')
          .values({
            id: config.id,
            name: config.name,
            provider: config.decisionMaker.provider,
            model: config.decisionMaker.model,
            venue: config.exchange.type,
            account: config.exchange.account,
            initial_balance: config.strategy.initialBalance,
            config: JSON.stringify(config),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      await startAgents(
        {
          client: env.client,
          db,
          taskQueue,
          cycleIntervalMs: () => cycleIntervalMs,
          log: () => {},
          symbolUniverse: [...deps.market.symbols()],
        },
        configs,
      );
    },
    async close() {
      for (const stop of workers) await stop();
      await clock?.stop();
      await db.destroy();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a truthy value, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function cycleCount(db: Kysely<Database>, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('cycles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agent_id', '=', agentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
