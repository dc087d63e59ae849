/**
 * `npm run bench:scale`: how many agents one worker carries on this machine (issue 13).
 *
 * It starts its own stack: a Temporal dev server (the CLI's `server start-dev`, as `npm start` runs it:
 * history in a SQLite file, here in a temporary folder; production dynamic config), a fresh Postgres
 * database on TEST_DATABASE_URL's server (127.0.0.1:5432 by default), and ONE worker in a child process
 * (this file run with `--worker-child`: the wiring of workers/main.ts on the bundled replay, logging JSON
 * at `info` to a file). It registers N rule-based agents (the four demo baselines in turn, each with a
 * fresh id and paper account), runs the replay market clock at one 3m bar per cadence, waits out the
 * warm-up, then measures whole bars (the window starts and ends on bar boundaries, so every agent that
 * keeps up cycles exactly once per bar in it) and prints each figure against its target:
 *
 * - sustained cycles/s: cycles recorded (`cycles.finished_at`) inside the window / its length; target N / cadence
 *   (met at 99 % or more: a cycle can cross a window edge). Also the agent-bars with no cycle at all
 *   (an agent that falls behind skips bars) and the failed cycles.
 * - p50 / p99 cycle duration: `cycles.finished_at - started_at` (= `duration_ms`), i.e. from the cycle
 *   workflow's first workflow task (its workflow clock) to the record step; also split by cycles
 *   without and with orders. Beside it, for information, "due -> recorded": from the moment the agent's
 *   cycle was due (bar start + the agent's phase in the bar, workflows/cadence.ts) to its record, which
 *   adds the timer, the child workflow's start and task queueing.
 * - worker / dev server CPU-ms per cycle: utime + stime of the process (all its threads) from
 *   /proc/<pid>/stat at the window's edges, divided by the cycles in the window; the worker's also by
 *   thread name (/proc/<pid>/task: "node" is the JS main thread, the workflow thread and V8's helpers;
 *   "tokio-runtime-w" is the SDK's Core). Postgres: the same for the server backends connected to the
 *   bench's database (polled every 2 s; a backend is counted from its first sighting, so this is a lower
 *   bound; the bench's own few queries are included).
 * - history events per cycle: as test/arena/history-budget.test.ts counts them, on a sample of agents:
 *   the cycle workflow's own events + the agent's share (its history split at each timer, events written
 *   once per run left out) + for a cycle that sent orders, the trading lock's events per grant. Cycles
 *   in the window except each agent's first and newest (its share is not complete yet). From the same
 *   cycle histories, for information: how long the cycle's workflow and activity tasks waited in the
 *   task queue (scheduled -> started), i.e. for a busy worker.
 * - venue calls per cycle: calls on the paper venue's Venue interface (balance, positions, placeOrder...),
 *   counted in the worker by wrapping PaperVenue's methods (bench-only; no source file changes) and read
 *   over IPC at the window's edges. No target is set for it.
 *
 * Parameters (argv `--agents=100` or env): BENCH_AGENTS (1000), BENCH_CADENCE_S (180), BENCH_DURATION_S
 * (900, rounded up to whole bars), BENCH_WARMUP_S (360), BENCH_HISTORY_SAMPLE (8 agents),
 * BENCH_WORKER_LOG_LEVEL (info). Target on this 2-core machine, everything on it: 1,000 agents at a
 * 3-minute cadence (5.6 cycles/s) sustained, p99 cycle duration under 3 s, at most 40 worker CPU-ms per cycle.
 * Ctrl-C (or a failure) stops the worker and the dev server and drops the database.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { sql, type Kysely } from 'kysely';
import { activityDeps } from '../activities/deps';
import { loadArenaConfig } from '../arena-config/load';
import type { AgentConfig } from '../arena-config/types';
import { startAgents } from '../arena/start-agents';
import { saveAgent } from '../db/agents';
import { createDb, migrateToLatest } from '../db/connect';
import type { Database } from '../db/schema';
import { createLogger } from '../infra/logger';
import { ensureTemporalCli } from '../infra/temporal-cli';
import { startTemporalDevServer } from '../infra/temporal-dev-server';
import { type HistoryEvent, oncePerRun, splitAtTimers } from '../test/support/history-events';
import { replayClock, runReplayClock } from '../market/clock';
import { REPLAY_BAR_MS, ReplayMarketData } from '../market/replay';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { createTestDatabase } from '../test/support/database';
import { freePort } from '../test/support/ports';
import { PaperVenue } from '../venues/paper/paper-venue';
import { createArenaWorker } from '../workers/create-worker';
import { phaseOf } from '../workflows/cadence';
import { cycleWorkflowId, agentWorkflowId } from '../workflows/definitions';
import { ARENA_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { tradingLockId } from '../workflows/trading-lock-definitions';

const ROOT = path.resolve(__dirname, '..');
const BASES = ['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'] as const;
const TARGET = { sustainedShare: 0.99, p99CycleMs: 3_000, workerCpuMsPerCycle: 40, historyNoOrders: 25, historyWithOrders: 45 };
const CPU_POLL_MS = 2_000;
const START_CONCURRENCY = 8;
/** How long the worker child may drain after it is told to stop (an order in flight finishes in less). */
const CHILD_EXIT_GRACE_MS = 20_000;

// ---------------------------------------------------------------------------------------------- parameters

interface Params {
  agents: number;
  cadenceS: number;
  durationS: number;
  warmupS: number;
  historySample: number;
  workerLogLevel: string;
}

function readParams(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Params {
  const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const num = (name: string, variable: string, fallback: number) => {
    const text = arg(name) ?? env[variable];
    const value = text === undefined || text === '' ? fallback : Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} / ${variable}: expected a positive number, got "${text}"`);
    return value;
  };
  return {
    agents: Math.round(num('agents', 'BENCH_AGENTS', 1000)),
    cadenceS: num('cadence', 'BENCH_CADENCE_S', 180),
    durationS: num('duration', 'BENCH_DURATION_S', 900),
    warmupS: num('warmup', 'BENCH_WARMUP_S', 360),
    historySample: Math.round(num('history-sample', 'BENCH_HISTORY_SAMPLE', 8)),
    workerLogLevel: arg('worker-log-level') ?? env.BENCH_WORKER_LOG_LEVEL ?? 'info',
  };
}

// ---------------------------------------------------------------------------------------------- clean-up

/** Steps undone in reverse order, once, whether the run ends, fails or is interrupted. */
class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => Promise<unknown> }> = [];
  private running: Promise<void> | null = null;

  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step.undo().catch((err) => console.error(`clean-up: ${step.what} failed: ${err instanceof Error ? err.message : err}`));
      }
    })();
    return this.running;
  }
}

/**
 * Ctrl-C runs the clean-up, then exits. Later signals are ignored meanwhile: a terminal's Ctrl-C reaches
 * this process twice (directly, and relayed by the tsx launcher), and the default action would kill it
 * halfway through the clean-up.
 */
function cleanUpOnSignals(cleanup: Cleanup): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping the worker and the dev server, dropping the database...`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

// ---------------------------------------------------------------------------------------------- the worker child

interface WorkerMessage {
  type: 'ready' | 'sample';
  venueCalls?: Record<string, number>;
}

/**
 * The child: workers/main.ts's wiring (replay market, the launcher's replay clock, Postgres books),
 * plus a count of the paper venue's calls by method, sent to the parent when it asks.
 */
async function runWorkerChild(): Promise<void> {
  const venueCalls = countPaperVenueCalls();
  const address = requiredEnv('TEMPORAL_ADDRESS');
  const log = createLogger(process.env.LOG_LEVEL ?? 'info', { pretty: false });
  await installTemporalRuntime({ log, shutdownSignals: [] });
  const db = createDb(requiredEnv('DATABASE_URL'));
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const worker = await createArenaWorker({
    connection,
    namespace: 'default',
    taskQueue: requiredEnv('TEMPORAL_TASK_QUEUE'),
    deps: activityDeps({
      db,
      market: new ReplayMarketData(),
      clock: replayClock(db),
      log,
      temporal: new Client({ connection: clientConnection }),
    }),
  });
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // The bench's stack may already be gone (a parent killed halfway): never linger draining against it.
    setTimeout(() => process.exit(1), CHILD_EXIT_GRACE_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => {}); // the parent decides when the worker stops
  process.on('disconnect', stop); // the parent is gone, however it ended
  process.on('message', (m: WorkerMessage) => {
    if (m?.type === 'sample') process.send?.({ type: 'sample', venueCalls } satisfies WorkerMessage);
  });
  process.send?.({ type: 'ready' } satisfies WorkerMessage);
  try {
    await worker.run();
  } finally {
    await clientConnection.close();
    await connection.close();
    await db.destroy();
  }
}

/** Wraps every method of PaperVenue (the Venue interface the activities call) with a counter. */
function countPaperVenueCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  const proto = PaperVenue.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(PaperVenue.prototype)) {
    const original = proto[name];
    if (name === 'constructor' || name === 'inAccount' || typeof original !== 'function') continue;
    counts[name] = 0;
    proto[name] = function counted(this: unknown, ...args: unknown[]) {
      counts[name] = (counts[name] ?? 0) + 1;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return counts;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`worker child: ${name} is not set`);
  return value;
}

/** The parent's handle on the worker child. */
class WorkerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  static async start(env: Record<string, string>, logFile: string): Promise<WorkerChild> {
    const out = fs.openSync(logFile, 'a');
    // Its own process group: a Ctrl-C reaches only this process, which stops the child in its clean-up.
    const child = fork(__filename, ['--worker-child'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out, 'ipc'],
      detached: true,
    });
    fs.closeSync(out);
    const worker = new WorkerChild(child, logFile);
    // Last resort if this process exits without its clean-up (the child also stops when its IPC channel closes).
    process.once('exit', () => child.kill('SIGKILL'));
    await worker.next('ready', 180_000);
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The paper venue calls so far, by method. */
  async venueCalls(): Promise<Record<string, number>> {
    const reply = this.next('sample', 30_000);
    this.child.send({ type: 'sample' } satisfies WorkerMessage);
    return (await reply).venueCalls ?? {};
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), CHILD_EXIT_GRACE_MS + 5_000);
    await exited;
    clearTimeout(killed);
  }

  private next(type: WorkerMessage['type'], timeoutMs: number): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`worker child: no "${type}" within ${timeoutMs / 1000} s (log: ${this.logFile})`)),
        timeoutMs,
      );
      const onMessage = (m: WorkerMessage) => m?.type === type && done(null, m);
      const onExit = (code: number | null) => done(new Error(`worker child exited (code ${code}); its log:\n${tail(this.logFile)}`));
      const done = (err: Error | null, m?: WorkerMessage) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (err) reject(err);
        else resolve(m!);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------- the stack

interface Stack {
  db: Kysely<Database>;
  client: Client;
  taskQueue: string;
  market: ReplayMarketData;
  devServerPid: number;
  worker: WorkerChild;
}

async function startStack(params: Params, cleanup: Cleanup): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-bench-scale-'));
  cleanup.add('remove the temporary folder', async () => fs.rmSync(dir, { recursive: true, force: true }));

  const server = await startTemporalDevServer({
    cliPath: await ensureTemporalCli((msg) => console.error(msg)),
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    searchAttributes: ARENA_SEARCH_ATTRIBUTES,
  });
  cleanup.add('stop the dev server', () => server.stop());

  const database = await createTestDatabase();
  cleanup.add('drop the database', () => database.drop());
  const db = createDb(database.url, 4);
  cleanup.add('close the database pool', () => db.destroy());
  await migrateToLatest(db);

  const connection = await Connection.connect({ address: server.address });
  cleanup.add('close the Temporal connection', () => connection.close());
  const client = new Client({ connection });

  const market = new ReplayMarketData();
  const w = market.window();
  const clock = await runReplayClock(db, { first: w.firstMarketTime, last: w.lastMarketTime }, params.cadenceS * 1000);
  cleanup.add('stop the market clock', () => clock.stop());

  const taskQueue = 'arena-bench-scale';
  const worker = await WorkerChild.start(
    {
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: database.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: params.workerLogLevel,
    },
    path.join(dir, 'worker.log'),
  );
  cleanup.add('stop the worker', async () => {
    await worker.stop();
    reportWorkerLog(worker.logFile);
  });
  if (server.pid === null) throw new Error('the dev server has no pid');
  return { db, client, taskQueue, market, devServerPid: server.pid, worker };
}

/** Warnings and errors the worker logged (its log is in the temporary folder, removed next). */
function reportWorkerLog(file: string): void {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  const levelOf = (line: string) => /^\{.*"level":(\d+)/.exec(line)?.[1] ?? '';
  const warnings = lines.filter((l) => levelOf(l) === '40');
  const errors = lines.filter((l) => Number(levelOf(l)) >= 50 || (l.length > 0 && !l.startsWith('{')));
  console.log(`worker log: ${lines.length - 1} lines, ${warnings.length} warnings, ${errors.length} errors or other output`);
  for (const line of [...errors, ...warnings].slice(0, 5)) console.log(`  ${line.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------- the agents

/** N agents, the four baselines in turn, each with its own id and paper account. */
function benchAgents(count: number, tag: string): AgentConfig[] {
  const arena = loadArenaConfig(path.join(ROOT, 'config', 'arena.yaml'), {});
  const bases = BASES.map((id) => {
    const config = arena.agents.find((a) => a.id === id)?.config;
    if (!config) throw new Error(`demo agent ${id} not found in config/arena.yaml`);
    return config;
  });
  return Array.from({ length: count }, (_, i) => {
    const base = bases[i % bases.length]!;
    const id = `${base.id}-${tag}-${i}`;
    return { ...base, id, name: `${base.name} ${i}`, exchange: { ...base.exchange, account: id } };
  });
}

async function startBenchAgents(stack: Stack, agents: AgentConfig[], cadenceMs: number): Promise<void> {
  for (const agent of agents) await saveAgent(stack.db, agent);
  const options = {
    client: stack.client,
    db: stack.db,
    taskQueue: stack.taskQueue,
    cycleIntervalMs: () => cadenceMs,
    symbolUniverse: [...stack.market.symbols()],
    log: () => {},
  };
  const queue = [...agents];
  await Promise.all(
    Array.from({ length: START_CONCURRENCY }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await startAgents(options, [next]);
    }),
  );
}

// ---------------------------------------------------------------------------------------------- bars and the window

interface Bars {
  barWallMs: number;
  firstMarketTime: number;
  /** Wall time bar `index` begins. */
  startOf(index: number): number;
  /** The bar running at wall time `at`. */
  indexAt(at: number): number;
  marketTimeOf(index: number): number;
}

async function readBars(db: Kysely<Database>, market: ReplayMarketData): Promise<Bars> {
  const reading = await replayClock(db).read();
  const first = market.window().firstMarketTime;
  const current = Math.round((reading.marketTime - first) / REPLAY_BAR_MS);
  const currentStart = reading.nextBarAt - reading.barWallMs;
  return {
    barWallMs: reading.barWallMs,
    firstMarketTime: first,
    startOf: (index) => currentStart + (index - current) * reading.barWallMs,
    indexAt: (at) => current + Math.floor((at - currentStart) / reading.barWallMs),
    marketTimeOf: (index) => first + index * REPLAY_BAR_MS,
  };
}

interface Window {
  firstBar: number;
  bars: number;
  from: number;
  to: number;
}

function measurementWindow(bars: Bars, params: Params, warmupEnd: number): Window {
  const firstBar = bars.indexAt(warmupEnd) + 1;
  const count = Math.max(1, Math.ceil(params.durationS / params.cadenceS));
  return { firstBar, bars: count, from: bars.startOf(firstBar), to: bars.startOf(firstBar + count) };
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms);
}

// ---------------------------------------------------------------------------------------------- CPU

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A /proc stat line: the name in parentheses and the CPU time (user + system) in ms. */
function parseStat(stat: string): { name: string; cpuMs: number } {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' '); // fields from the 3rd (state) on
  return { name: stat.slice(stat.indexOf('(') + 1, close), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS };
}

/** CPU time (user + system, all threads) a process has used, in ms; null when it is gone. */
function processCpuMs(pid: number): number | null {
  try {
    return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuMs;
  } catch {
    return null;
  }
}

/** CPU ms of a process's live threads, summed by thread name (V8 and libuv pools, Core's tokio threads...). */
function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const { name, cpuMs } = parseStat(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      byName[name] = (byName[name] ?? 0) + cpuMs;
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

/** The whole machine's CPU ticks, busy and total (everyone's work). */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - values[3]! - values[4]!, total };
}

/** CPU of the Postgres backends connected to the bench's database, from each one's first sighting. */
class BackendCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), CPU_POLL_MS);
  }

  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.poll();
    let ms = 0;
    for (const [pid, first] of this.first) ms += (this.last.get(pid) ?? first) - first;
    return ms;
  }

  private async poll(): Promise<void> {
    const rows = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`
      .execute(this.db)
      .catch(() => ({ rows: [] as Array<{ pid: number }> }));
    for (const { pid } of rows.rows) {
      const ms = processCpuMs(pid);
      if (ms === null) continue;
      if (!this.first.has(pid)) this.first.set(pid, ms);
      this.last.set(pid, ms);
    }
  }
}

async function postgresTransactions(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{
    n: string;
  }>`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

interface Sample {
  worker: number;
  workerThreads: Record<string, number>;
  devServer: number;
  machine: { busy: number; total: number };
  venueCalls: Record<string, number>;
  transactions: number;
}

async function takeSample(stack: Stack): Promise<Sample> {
  const [venueCalls, transactions] = await Promise.all([stack.worker.venueCalls(), postgresTransactions(stack.db)]);
  return {
    worker: processCpuMs(stack.worker.pid) ?? NaN,
    workerThreads: threadCpuMs(stack.worker.pid),
    devServer: processCpuMs(stack.devServerPid) ?? NaN,
    machine: machineTicks(),
    venueCalls,
    transactions,
  };
}

// ---------------------------------------------------------------------------------------------- cycles

interface CycleRow {
  agent_id: string;
  cycle_no: number;
  status: 'ok' | 'failed';
  market_time: Date | null;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  executions: number;
}

function cyclesFinishedIn(db: Kysely<Database>, window: Window): Promise<CycleRow[]> {
  return db
    .selectFrom('cycles')
    .select([
      'agent_id',
      'cycle_no',
      'status',
      'market_time',
      'started_at',
      'finished_at',
      'duration_ms',
      sql<number>`jsonb_array_length(executions)`.as('executions'),
    ])
    .where('finished_at', '>=', new Date(window.from))
    .where('finished_at', '<', new Date(window.to))
    .execute();
}

/** (agent, bar) pairs of the window's bars with a recorded cycle. */
async function agentBarsCovered(db: Kysely<Database>, bars: Bars, window: Window): Promise<number> {
  const row = await db
    .selectFrom('cycles')
    .select(sql<string>`count(distinct (agent_id, market_time))`.as('n'))
    .where('market_time', '>=', new Date(bars.marketTimeOf(window.firstBar)))
    .where('market_time', '<=', new Date(bars.marketTimeOf(window.firstBar + window.bars - 1)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** From the moment the cycle was due on the bar it traded (bar start + the agent's phase) to its record. */
function dueToRecordedMs(row: CycleRow, bars: Bars): number | null {
  if (!row.market_time) return null;
  const bar = Math.round((row.market_time.getTime() - bars.firstMarketTime) / REPLAY_BAR_MS);
  const due = bars.startOf(bar) + phaseOf(row.agent_id) * bars.barWallMs;
  return row.finished_at.getTime() - due;
}

// ---------------------------------------------------------------------------------------------- history events

type Event = HistoryEvent;

interface HistoryFigures {
  withOrders: number[];
  withoutOrders: number[];
  /** Per sampled cycle: time its workflow and activity tasks waited in the task queue for the worker (ms). */
  queueWaitMs: number[];
  /** Per sampled cycle: the encoded size of the cycle workflow's own history (bytes). */
  cycleBytes: number[];
}

/**
 * History events per cycle of the sampled agents' cycles in the window (method of history-budget.test.ts),
 * and from the same cycle histories, how long their tasks waited for the worker.
 */
async function historyEventsPerCycle(stack: Stack, sample: AgentConfig[], window: Window, bars: Bars): Promise<HistoryFigures> {
  const figures: HistoryFigures = { withOrders: [], withoutOrders: [], queueWaitMs: [], cycleBytes: [] };
  const first = bars.marketTimeOf(window.firstBar);
  const last = bars.marketTimeOf(window.firstBar + window.bars - 1);
  for (const agent of sample) {
    const cycles = await stack.db
      .selectFrom('cycles')
      .select(['cycle_no', 'market_time', sql<number>`jsonb_array_length(executions)`.as('executions')])
      .where('agent_id', '=', agent.id)
      .orderBy('cycle_no')
      .execute();
    const newest = cycles.at(-1)?.cycle_no ?? 0;
    const shares = await agentShares(stack.client, agent);
    const inWindow = cycles.filter(
      (c) => c.cycle_no > 1 && c.cycle_no < newest && c.market_time && c.market_time.getTime() >= first && c.market_time.getTime() <= last,
    );
    for (const c of inWindow) {
      const own = (await stack.client.workflow.getHandle(cycleWorkflowId(agent.id, c.cycle_no)).fetchHistory()).events ?? [];
      const traded = c.executions > 0;
      const total = own.length + (shares.perCycle[c.cycle_no - 1] ?? 0) + (traded ? shares.lockPerGrant : 0);
      (traded ? figures.withOrders : figures.withoutOrders).push(total);
      figures.queueWaitMs.push(queueWaitMs(own));
      figures.cycleBytes.push(own.reduce((bytes, e) => bytes + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0));
    }
  }
  return figures;
}

/** An agent's events per cycle (by cycle number - 1) and its trading lock's events per grant. */
async function agentShares(client: Client, agent: AgentConfig): Promise<{ perCycle: number[]; lockPerGrant: number }> {
  const perCycle = (await runsOf(client, agentWorkflowId(agent.id))).flatMap((run) => splitAtTimers(run.filter((e) => !oncePerRun(e))));
  const lockEvents = (await runsOf(client, tradingLockId('paper', agent.exchange.account))).flatMap((run) =>
    run.slice(4).filter((e) => !oncePerRun(e)),
  ); // a run's start and first task
  const grants = lockEvents.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  return { perCycle, lockPerGrant: grants ? lockEvents.length / grants : 0 };
}

/** Sum over a history's workflow and activity tasks of scheduled -> started (the wait for a worker to take them). */
function queueWaitMs(events: Event[]): number {
  const timeOf = (e: Event | undefined) => (e?.eventTime ? Number(e.eventTime.seconds ?? 0) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : NaN);
  const byId = new Map(events.map((e) => [Number(e.eventId ?? 0), e]));
  let wait = 0;
  for (const e of events) {
    const scheduledId = e.workflowTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskStartedEventAttributes?.scheduledEventId;
    if (scheduledId != null) wait += timeOf(e) - timeOf(byId.get(Number(scheduledId)));
  }
  return wait;
}

/** Every run of a workflow (it continues as new), oldest first, each run's events. */
async function runsOf(client: Client, workflowId: string): Promise<Event[][]> {
  const runs: Array<{ runId: string; start: number }> = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({ runId: run.runId, start: run.startTime.getTime() });
  }
  runs.sort((a, b) => a.start - b.start);
  return Promise.all(runs.map(async (r) => (await client.workflow.getHandle(workflowId, r.runId).fetchHistory()).events ?? []));
}

// ---------------------------------------------------------------------------------------------- the report

interface Figures {
  params: Params;
  window: Window;
  rows: CycleRow[];
  covered: number;
  before: Sample;
  after: Sample;
  postgresCpuMs: number;
  history: HistoryFigures;
  bars: Bars;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function line(figure: string, measured: string, target: string, result: string): void {
  console.log(`${figure.padEnd(40)} ${measured.padStart(16)}   ${target.padEnd(22)} ${result}`);
}

const deltas = (before: Record<string, number>, after: Record<string, number>) =>
  Object.entries(after)
    .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
const p50p99 = (values: number[]) => `${fixed(percentile(values, 50), 0)} / ${fixed(percentile(values, 99), 0)}`;

function printReport(f: Figures): void {
  const seconds = (f.window.to - f.window.from) / 1000;
  console.log('');
  console.log(
    `${f.params.agents} rule-based agents (${BASES.join(', ')} in turn), one bar every ${f.params.cadenceS} s; ` +
      `measured ${f.window.bars} bars (${seconds} s) from ${new Date(f.window.from).toISOString()}`,
  );
  line('figure', 'measured', 'target', '');
  printThroughput(f, seconds);
  printDurations(f);
  printCpu(f);
  printHistory(f.history);
  printVenueCalls(f);
  const machine = (f.after.machine.busy - f.before.machine.busy) / (f.after.machine.total - f.before.machine.total);
  console.log(
    `machine: ${os.cpus().length} cores, ${fixed(machine * 100, 0)} % busy during the window (every process on it, not only the bench's)`,
  );
}

function printThroughput({ params, window, rows, covered }: Figures, seconds: number): void {
  const target = params.agents / params.cadenceS;
  const rate = rows.length / seconds;
  const expected = params.agents * window.bars;
  const failed = rows.filter((r) => r.status === 'failed').length;
  line('sustained cycles/s', fixed(rate, 2), `>= ${fixed(target, 2)} (N/cadence)`, verdict(rate >= TARGET.sustainedShare * target));
  line('  cycles recorded in the window', String(rows.length), String(expected), '');
  line('  agent-bars without a cycle', `${expected - covered} of ${expected}`, '0', verdict(covered >= expected));
  line('  failed cycles', String(failed), '0', verdict(failed === 0));
}

function printDurations({ rows, bars }: Figures): void {
  const durations = rows.map((r) => r.duration_ms);
  const p99 = percentile(durations, 99);
  const quiet = rows.filter((r) => r.executions === 0).map((r) => r.duration_ms);
  const trading = rows.filter((r) => r.executions > 0).map((r) => r.duration_ms);
  line('p50 cycle duration (ms)', fixed(percentile(durations, 50), 0), '', '');
  line('p99 cycle duration (ms)', fixed(p99, 0), `< ${TARGET.p99CycleMs}`, verdict(p99 < TARGET.p99CycleMs));
  line('  p50 / p99 without orders (ms)', p50p99(quiet), `(n=${quiet.length})`, '');
  line('  p50 / p99 with orders (ms)', p50p99(trading), `(n=${trading.length})`, '');
  line('  due -> recorded p50 / p99 (ms)', p50p99(rows.flatMap((r) => dueToRecordedMs(r, bars) ?? [])), '(information)', '');
}

function printCpu({ rows, before, after, postgresCpuMs }: Figures): void {
  const perCycle = (delta: number) => delta / rows.length;
  const workerCpu = perCycle(after.worker - before.worker);
  line('worker CPU-ms per cycle', fixed(workerCpu), `<= ${TARGET.workerCpuMsPerCycle}`, verdict(workerCpu <= TARGET.workerCpuMsPerCycle));
  for (const [name, ms] of deltas(before.workerThreads, after.workerThreads).slice(0, 6))
    line(`  thread ${name}`, fixed(perCycle(ms)), '', '');
  line('dev server CPU-ms per cycle', fixed(perCycle(after.devServer - before.devServer)), '(information)', '');
  line('Postgres backends CPU-ms per cycle', `>= ${fixed(perCycle(postgresCpuMs))}`, '(information)', '');
  line('Postgres transactions per cycle', fixed(perCycle(after.transactions - before.transactions)), '(information)', '');
}

function printHistory({ withOrders, withoutOrders, queueWaitMs: waits, cycleBytes }: HistoryFigures): void {
  const judge = (values: number[], budget: number) => (values.length ? verdict(Math.max(...values) <= budget) : 'not sampled');
  line(
    'history events per cycle, no orders',
    `${fixed(mean(withoutOrders))} (n=${withoutOrders.length})`,
    `<= ${TARGET.historyNoOrders} each`,
    judge(withoutOrders, TARGET.historyNoOrders),
  );
  line(
    'history events per cycle, with orders',
    `${fixed(mean(withOrders))} (n=${withOrders.length})`,
    `<= ${TARGET.historyWithOrders} each`,
    judge(withOrders, TARGET.historyWithOrders),
  );
  line('  task queue wait per cycle p50 / p99 (ms)', p50p99(waits), `(information, n=${waits.length})`, '');
  line('  cycle workflow history bytes p50 / p99', p50p99(cycleBytes), `(information, n=${cycleBytes.length})`, '');
}

function printVenueCalls({ rows, before, after }: Figures): void {
  const calls = deltas(before.venueCalls, after.venueCalls);
  line('venue calls per cycle (paper)', fixed(calls.reduce((a, [, n]) => a + n, 0) / rows.length, 2), '(no target set)', '');
  for (const [name, n] of calls) line(`  ${name}`, fixed(n / rows.length, 2), '', '');
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const params = readParams();
  const cleanup = new Cleanup();
  cleanUpOnSignals(cleanup);
  try {
    console.log(`starting: dev server, database, worker child (${params.agents} agents, bar every ${params.cadenceS} s)`);
    const stack = await startStack(params, cleanup);
    const agents = benchAgents(params.agents, Date.now().toString(36));
    const startedAt = Date.now();
    await startBenchAgents(stack, agents, params.cadenceS * 1000);
    console.log(`${agents.length} agents started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; warm-up ${params.warmupS} s`);

    const bars = await readBars(stack.db, stack.market);
    const window = measurementWindow(bars, params, Date.now() + params.warmupS * 1000);
    console.log(
      `measuring bars ${window.firstBar}..${window.firstBar + window.bars - 1}: ` +
        `${new Date(window.from).toISOString()} to ${new Date(window.to).toISOString()}`,
    );
    await sleepUntil(window.from);
    const before = await takeSample(stack);
    const backends = new BackendCpu(stack.db);
    backends.start();
    await sleepUntil(window.to);
    const after = await takeSample(stack);
    const postgresCpuMs = await backends.stop();
    // Cycles that finished just before the edge are written a moment later.
    await sleep(Math.min(10_000, bars.barWallMs / 4));
    const rows = await cyclesFinishedIn(stack.db, window);
    if (rows.length === 0) throw new Error('no cycle was recorded in the window');
    const covered = await agentBarsCovered(stack.db, bars, window);
    const sample = agents.slice(0, Math.min(params.historySample, agents.length));
    const history = await historyEventsPerCycle(stack, sample, window, bars);
    printReport({ params, window, rows, covered, before, after, postgresCpuMs, history, bars });
  } finally {
    await cleanup.run();
  }
}

if (process.argv.includes('--worker-child')) {
  runWorkerChild().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
