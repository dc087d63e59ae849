/**
 * `npm run bench:market-requests`: the market-data requests one worker sends to the venue per 3-minute
 * bar, for 6 and for 60 agents on the same six symbols (issue 13). They must not grow with the agents.
 *
 * Each run has its own Binance mock (test/support/mock-venues/binance-family: the real wire protocol),
 * serving the bundled real candles (3m, and 4h built from them), funding and open interest as live
 * market data; its own fresh database and worker on the test dev server (test/support/arena.ts); and
 * N rule-based agents (the four demo baselines in turn, fresh ids and paper accounts, every one on the
 * same six symbols) on the paper venue over `LiveMarketData` on the mock: the wiring of
 * `system.market_data: live` with `market_data_venue: binance` (arena/market-setup.ts).
 *
 * Time: one clock drives the mock (`now`), the live market data and the market clock (as liveClock: the
 * last closed 3m bar). It starts at the same bar of the bundled data in both runs and runs
 * BENCH_BAR_WALL_S wall seconds per 3-minute bar: 180 (the default) is real time; 10 runs 18 times
 * faster (the only thing that then keeps wall time is the Binance adapter's fundingInfo cache, 10 wall
 * minutes, so fundingInfo is asked less often than live). After BENCH_WARMUP_BARS bars (default 1) it
 * counts, for BENCH_BARS bars (default 1), the requests the mock logged with its clock inside those
 * bars, per endpoint (klines per interval), and prints them per bar for each run.
 *
 * Verdict per endpoint: "met" when the larger run sends no more than the smaller one (one request of
 * slack, for a cache expiring just inside one run's window and just outside the other's).
 * Other parameters: BENCH_AGENT_COUNTS (default "6,60").
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadArenaConfig } from '../arena-config/load';
import type { AgentConfig } from '../arena-config/types';
import { aggregateBars } from '../market/bars';
import { LIVE_SETTLE_MS, type MarketClock } from '../market/clock';
import { LiveMarketData } from '../market/live';
import { REPLAY_BAR_MS, ReplayMarketData } from '../market/replay';
import { INTERVAL_MS, type Candle } from '../market/types';
import { startTestArena, type TestArena } from '../test/support/arena';
import { startBinanceMock, type BinanceFamilyMock, type MockCandles } from '../test/support/mock-venues/binance-family';
import type { MockRequestLog } from '../test/support/mock-venues/mock-venue';
import { teardownTestTemporal } from '../test/support/temporal';
import { createBinanceMarketData } from '../venues/binance';

const ROOT = path.resolve(__dirname, '..');
const BAR_MS = REPLAY_BAR_MS;
const SIX = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];
const BASES = ['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'] as const;
/** The runs start one day into the replay window (after its 12-day indicator warm-up). */
const START_OFFSET_MS = 24 * 60 * 60_000;
/** Requests one endpoint of the larger run may exceed the smaller run's by (see the header). */
const SLACK = 1;

interface Params {
  counts: number[];
  barWallMs: number;
  warmupBars: number;
  bars: number;
}

function readParams(env: NodeJS.ProcessEnv = process.env): Params {
  const positive = (variable: string, fallback: number) => {
    const value = env[variable] ? Number(env[variable]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${variable}: expected a positive number, got "${env[variable]}"`);
    return value;
  };
  const counts = (env.BENCH_AGENT_COUNTS ?? '6,60').split(',').map((s) => Math.round(Number(s)));
  if (counts.some((n) => !(n > 0))) throw new Error(`BENCH_AGENT_COUNTS: expected counts like "6,60", got "${env.BENCH_AGENT_COUNTS}"`);
  return {
    counts,
    barWallMs: positive('BENCH_BAR_WALL_S', 180) * 1000,
    warmupBars: Math.round(positive('BENCH_WARMUP_BARS', 1)),
    bars: Math.round(positive('BENCH_BARS', 1)),
  };
}

// ---------------------------------------------------------------------------------------------- time

/** Market time running `speed` times faster than the wall clock from `start`; speed 1 is live. */
interface BenchTime {
  now(): number;
  /** Wall time (epoch ms) at which the market time reaches `t`. */
  wallAt(t: number): number;
  barWallMs: number;
}

function benchTime(start: number, barWallMs: number): BenchTime {
  const speed = BAR_MS / barWallMs;
  const wall0 = Date.now();
  return {
    now: () => start + (Date.now() - wall0) * speed,
    wallAt: (t) => wall0 + (t - start) / speed,
    barWallMs,
  };
}

/** liveClock (market/clock.ts) on the bench's time: the last closed 3m bar, the next one a settle after its close. */
function benchClock(time: BenchTime): MarketClock {
  return {
    async read() {
      const marketTime = Math.floor(time.now() / BAR_MS) * BAR_MS;
      return { marketTime, nextBarAt: time.wallAt(marketTime + BAR_MS + LIVE_SETTLE_MS), barWallMs: time.barWallMs, held: false };
    },
  };
}

// ---------------------------------------------------------------------------------------------- the venue

interface MarketFixture {
  start: number;
  candles: MockCandles;
  fundingRates: Record<string, Array<{ time: number; rate: number }>>;
  prices: Record<string, number>;
}

/** The bundled candles and funding of the six symbols, as the mock serves them. */
async function marketFixture(): Promise<MarketFixture> {
  const replay = new ReplayMarketData();
  const start = replay.window().firstMarketTime + START_OFFSET_MS;
  const candles: MockCandles = {};
  const fundingRates: MarketFixture['fundingRates'] = {};
  const prices: Record<string, number> = {};
  for (const symbol of SIX) {
    const bars: Candle[] = await replay.barsBetween(symbol, 0, Number.MAX_SAFE_INTEGER);
    candles[symbol] = { '3m': bars, '4h': aggregateBars(bars, INTERVAL_MS['4h']) };
    fundingRates[symbol] = (await replay.fundingBetween(symbol, 0, Number.MAX_SAFE_INTEGER)).map((f) => ({ time: f.time, rate: f.rate }));
    prices[symbol] = bars.filter((c) => c.openTime < start).at(-1)!.close;
  }
  return { start, candles, fundingRates, prices };
}

function startMock(fixture: MarketFixture, time: BenchTime): Promise<BinanceFamilyMock> {
  return startBinanceMock({
    accounts: [],
    candles: fixture.candles,
    fundingRates: fixture.fundingRates,
    prices: fixture.prices,
    now: time.now,
    openInterest: Object.fromEntries(SIX.map((s) => [s, 1_000_000])),
  });
}

// ---------------------------------------------------------------------------------------------- one run

/** N agents, the four baselines in turn, each with its own id and paper account, all on the six symbols. */
function benchAgents(count: number, tag: string): AgentConfig[] {
  const arena = loadArenaConfig(path.join(ROOT, 'config', 'arena.yaml'), {});
  return Array.from({ length: count }, (_, i) => {
    const base = arena.agents.find((a) => a.id === BASES[i % BASES.length])?.config;
    if (!base) throw new Error(`demo agent ${BASES[i % BASES.length]} not found in config/arena.yaml`);
    const id = `${base.id}-${tag}-${i}`;
    return {
      ...base,
      id,
      name: `${base.name} ${i}`,
      exchange: { ...base.exchange, account: id },
      strategy: { ...base.strategy, symbols: SIX },
    };
  });
}

interface RunResult {
  agents: number;
  /** Requests per endpoint in the measured bars. */
  requests: Map<string, number>;
  cycles: number;
  positions: number;
}

/** Endpoint of a request: its path, and the interval for klines. */
function endpointOf(r: MockRequestLog): string {
  return r.path.endsWith('/klines') ? `${r.path} ${String(r.params.interval)}` : r.path;
}

async function measureRun(
  count: number,
  params: Params,
  fixture: MarketFixture,
  onCleanup: (undo: () => Promise<void>) => void,
): Promise<RunResult> {
  const time = benchTime(fixture.start + LIVE_SETTLE_MS, params.barWallMs);
  const mock = await startMock(fixture, time);
  let arena: TestArena | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await arena?.close();
      await mock.close();
    })());
  onCleanup(close);
  try {
    const market = new LiveMarketData({ source: createBinanceMarketData(mock.url), symbols: SIX, now: time.now });
    arena = await startTestArena({ market, clock: benchClock(time) });
    await arena.runWorker();
    const agents = benchAgents(count, arena.tag);
    await arena.start(agents, params.barWallMs);
    const from = (Math.floor(time.now() / BAR_MS) + 1 + params.warmupBars) * BAR_MS;
    const to = from + params.bars * BAR_MS;
    console.log(
      `${count} agents: measuring market time ${iso(from)} to ${iso(to)} (wall ${iso(time.wallAt(from))} to ${iso(time.wallAt(to))})`,
    );
    await sleep(Math.max(0, time.wallAt(to) - Date.now()));
    const requests = new Map<string, number>();
    for (const r of mock.requests.filter((q) => q.at >= from && q.at < to))
      requests.set(endpointOf(r), (requests.get(endpointOf(r)) ?? 0) + 1);
    const cycles = await arena.db
      .selectFrom('cycles')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('market_time', '>=', new Date(from))
      .where('market_time', '<', new Date(to))
      .executeTakeFirstOrThrow();
    const positions = await arena.db
      .selectFrom('paper_positions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return { agents: count, requests, cycles: Number(cycles.n), positions: Number(positions.n) };
  } finally {
    await close();
  }
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';

// ---------------------------------------------------------------------------------------------- the report

function printReport(results: RunResult[], params: Params): void {
  const perBar = (n: number) => n / params.bars;
  const endpoints = [...new Set(results.flatMap((r) => [...r.requests.keys()]))].sort();
  const cell = (text: string) => text.padStart(12);
  const [small, large] = [results[0]!, results.at(-1)!];
  console.log('');
  console.log(
    `market-data requests per 3-minute bar (${params.bars} bar${params.bars > 1 ? 's' : ''} measured; one bar = ${params.barWallMs / 1000} s of wall time)`,
  );
  console.log(`${'endpoint'.padEnd(34)}${results.map((r) => cell(`${r.agents} agents`)).join('')}   verdict`);
  let allMet = true;
  for (const endpoint of endpoints) {
    const counts = results.map((r) => r.requests.get(endpoint) ?? 0);
    const met = (large.requests.get(endpoint) ?? 0) <= (small.requests.get(endpoint) ?? 0) + SLACK;
    allMet &&= met;
    console.log(
      `${endpoint.padEnd(34)}${counts.map((n) => cell(perBar(n).toFixed(1))).join('')}   ${met ? 'met' : 'MISSED (grows with agents)'}`,
    );
  }
  const totals = results.map((r) => [...r.requests.values()].reduce((a, b) => a + b, 0));
  console.log(`${'total'.padEnd(34)}${totals.map((n) => cell(perBar(n).toFixed(1))).join('')}   ${allMet ? 'met' : 'MISSED'}`);
  console.log(`${'(cycles recorded per bar)'.padEnd(34)}${results.map((r) => cell(perBar(r.cycles).toFixed(1))).join('')}`);
  console.log(`${'(paper positions open at the end)'.padEnd(34)}${results.map((r) => cell(String(r.positions))).join('')}`);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const params = readParams();
  // The in-process worker's SDK lines (worker state changes) would drown the report.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const pending = new Set<() => Promise<void>>();
  const cleanUp = async () => {
    for (const undo of pending) await undo().catch((err) => console.error(`clean-up failed: ${err instanceof Error ? err.message : err}`));
    await teardownTestTemporal();
  };
  // Once: a terminal's Ctrl-C arrives twice (directly and relayed by tsx); a second one must not cut the clean-up short.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping the worker, the mock and the dev server, dropping the database...`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const fixture = await marketFixture();
    const results: RunResult[] = [];
    for (const count of params.counts) {
      results.push(await measureRun(count, params, fixture, (undo) => pending.add(undo)));
    }
    printReport(results, params);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
