/**
 * Issue 17, "Venue faults at scale": rule-based agents trade on the three local venue servers (Binance,
 * Aster, Hyperliquid) through fault-injecting proxies that fail a seeded 20 % of every venue request
 * (trading and market data) as a 5xx, a timeout, a 429 with Retry-After, a connection reset, or a reply
 * lost after the venue acted. Real agent workflows on a real dev server, real Postgres. After at least
 * 1,000 recorded cycles: no agent crashed, no order placed twice, no position without a stop-loss at the
 * end of any cycle, every failure recorded. Prints the tally.
 *
 *   npx mocha test/faults/venue-faults.faults.ts
 *   FAULT_SEED=42 FAULT_RATE=0.2 FAULT_CYCLES=1000 FAULT_AGENTS_PER_VENUE=30 npx mocha test/faults/venue-faults.faults.ts
 *
 * A failure prints the seed: the same seed gives every proxy the same fault schedule (request n of a
 * proxy fails, and how, as a function of the seed, the proxy's name and n).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Wallet } from 'ethers';
import type { AgentConfig, ExchangeConfig } from '../../arena-config/types';
import { seededRandom } from '../../decisions/baselines/seeded-random';
import { clientOrderId } from '../../execution/client-order-id';
import type { ClockReading, MarketClock } from '../../market/clock';
import { LiveMarketData } from '../../market/live';
import { registry } from '../../observability/metrics';
import { createBinanceMarketData } from '../../venues/binance';
import { type AgentState, agentWorkflowId, getStateQuery, stopSignal } from '../../workflows/definitions';
import { type TestArena, demoAgent, startTestArena } from '../support/arena';
import { FAULT_KINDS, type FaultKind, type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { type BinanceFamilyMock, startAsterMock, startBinanceMock } from '../support/mock-venues/binance-family';
import { demoCredentialEnv } from '../support/mock-venues/demo-credentials';
import { type HyperliquidMockServer, startHyperliquidMock } from '../support/mock-venues/hyperliquid';

const SEED = process.env.FAULT_SEED ?? '17';
const RATE = Number(process.env.FAULT_RATE ?? 0.2);
const TARGET_CYCLES = Number(process.env.FAULT_CYCLES ?? 1000);
const AGENTS_PER_VENUE = Number(process.env.FAULT_AGENTS_PER_VENUE ?? 30);
/** Wall time of one 3-minute market bar: agents cycle as fast as their cycles allow. */
const BAR_WALL_MS = 1_000;
/** Reaching the target takes longer than this: the run stops and the test fails on the count. */
const RUN_DEADLINE_MS = 9 * 60_000;
/** Stopped agents finish their cycle in flight within this. */
const STOP_DEADLINE_MS = 3 * 60_000;
/** The venue adapters' request timeout (venues/http/http-client.ts). */
const CLIENT_TIMEOUT_MS = 10_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const BASE_PRICES: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000, SOLUSDT: 150 };
const BAR_MS = 3 * 60_000;
const VENUES = ['binance', 'aster', 'hyperliquid'] as const;
type VenueName = (typeof VENUES)[number];

/** Legs an order phase can place (execution/execute-orders.ts): the client order id of each is derived from (agent, cycle, leg). */
const LEGS = (symbol: string) =>
  ['open', 'close', 'stop_loss', 'take_profit', 'emergency_close'].flatMap((leg) => [`${leg}:${symbol}`, `${leg}:${symbol}:again`]);

/** How each injected fault shows in the HTTP client's error classes (arena_venue_errors_total{class}). */
const CLIENT_CLASS: Record<FaultKind, (detail: string) => string> = {
  server_error: () => 'server',
  timeout: () => 'timeout',
  rate_limited: () => 'rate_limited',
  connection_reset: () => 'network',
  reply_lost: (detail) => (detail === 'reset' ? 'network' : 'timeout'),
};

interface VenueOrderView {
  cid: string;
  symbol: string;
  /** A protective trigger still resting on the venue. */
  restingStop: boolean;
  restingTarget: boolean;
}

interface Account {
  venue: VenueName;
  index: number;
  /** The arena's account name (credential variables end with it). */
  name: string;
  proxy: FaultProxy;
  env: Record<string, string>;
  agent: AgentConfig;
  /** Open positions (symbol) on the venue. */
  positions(): string[];
  /** Every order of the account on the venue (ours and the venue's own), normalised client ids. */
  orders(): VenueOrderView[];
}

function hex(text: string): string {
  return createHash('sha256').update(`${SEED}|${text}`).digest('hex');
}

const faultBodies = {
  binanceFamily: (status: number) => ({
    contentType: 'application/json',
    text: JSON.stringify(
      status === 429
        ? { code: -1003, msg: 'Too many requests; current limit is 2400 requests per minute.' }
        : { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
    ),
  }),
  hyperliquid: (status: number) => ({ contentType: 'text/plain', text: status === 429 ? 'null' : 'Internal Server Error' }),
};

/** The arena's market clock, running one 3-minute bar per BAR_WALL_MS from the present (ahead of the wall clock). */
function fastClock(): MarketClock {
  const start = Date.now();
  const first = Math.floor(start / BAR_MS) * BAR_MS;
  return {
    async read(): Promise<ClockReading> {
      const bar = Math.floor((Date.now() - start) / BAR_WALL_MS);
      return { marketTime: first + bar * BAR_MS, nextBarAt: start + (bar + 1) * BAR_WALL_MS, barWallMs: BAR_WALL_MS, held: false };
    },
  };
}

type MetricRow = { labels: Record<string, string | number>; value: number; metricName?: string };

async function metricRows(name: string): Promise<MetricRow[]> {
  const all = await registry.getMetricsAsJSON();
  return (all.find((m) => m.name === name)?.values ?? []) as MetricRow[];
}

/** Sums a metric's rows (after `since`, a snapshot of it taken earlier) grouped by `key`. */
function sumBy(rows: MetricRow[], since: MetricRow[], key: (row: MetricRow) => string | null): Map<string, number> {
  const sums = new Map<string, number>();
  const add = (row: MetricRow, sign: number) => {
    const k = key(row);
    if (k !== null) sums.set(k, (sums.get(k) ?? 0) + sign * row.value);
  };
  for (const row of rows) add(row, 1);
  for (const row of since) add(row, -1);
  return sums;
}

function count<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const line = (label: string, value: unknown) => `  ${label.padEnd(44)} ${String(value)}`;

describe('venue faults at scale: agents on the three venue servers with 20 % of venue requests failing', function () {
  this.timeout(RUN_DEADLINE_MS + STOP_DEADLINE_MS + 4 * 60_000);

  let arena: TestArena | undefined;
  let binance: BinanceFamilyMock | undefined;
  let aster: BinanceFamilyMock | undefined;
  let hyperliquid: HyperliquidMockServer | undefined;
  let marketProxy: FaultProxy | undefined;
  const accounts: Account[] = [];
  let priceTimer: NodeJS.Timeout | undefined;
  const envNames: string[] = [];

  after(async () => {
    if (priceTimer) clearInterval(priceTimer);
    // Anything still running (a failed run) is ended, so that the worker can shut down.
    if (arena) {
      for (const account of accounts) {
        const handle = arena.client.workflow.getHandle(agentWorkflowId(account.agent.id));
        const status = await handle.describe().then(
          (d) => d.status.name,
          () => null,
        );
        if (status === 'RUNNING') await handle.terminate('fault test cleanup').catch(() => undefined);
      }
    }
    await arena?.close();
    for (const proxy of [marketProxy, ...accounts.map((a) => a.proxy)]) await proxy?.close();
    for (const mock of [binance, aster, hyperliquid]) await mock?.close();
    for (const name of envNames) delete process.env[name];
  });

  it('runs 1,000+ cycles: no crashed agent, no duplicate order, no unprotected position, every failure recorded', async () => {
    const startedAt = Date.now();
    const cpuAtStart = process.cpuUsage();
    const prices = { ...BASE_PRICES };

    // --- venues, one account per agent, each behind its own proxy (its own source address: its own IP to the venue)
    const keys = (venue: VenueName) =>
      Array.from({ length: AGENTS_PER_VENUE }, (_, i) => ({
        i,
        name: `faults_${venue}_${i}`,
        local: `127.0.${VENUES.indexOf(venue) + 1}.${i + 1}`,
      }));
    const binanceKeys = keys('binance').map((k) => ({ ...k, apiKey: hex(`binance-key-${k.i}`), apiSecret: hex(`binance-secret-${k.i}`) }));
    const asterKeys = keys('aster').map((k) => {
      const signer = new Wallet(`0x${hex(`aster-signer-${k.i}`)}`);
      return { ...k, user: new Wallet(`0x${hex(`aster-user-${k.i}`)}`).address, signer: signer.address, privateKey: signer.privateKey };
    });
    const hlKeys = keys('hyperliquid').map((k) => {
      const agentWallet = new Wallet(`0x${hex(`hl-agent-${k.i}`)}`);
      return {
        ...k,
        user: new Wallet(`0x${hex(`hl-user-${k.i}`)}`).address,
        agent: agentWallet.address,
        privateKey: agentWallet.privateKey,
      };
    });
    binance = await startBinanceMock({ accounts: binanceKeys.map(({ apiKey, apiSecret }) => ({ apiKey, apiSecret })), prices });
    aster = await startAsterMock({ accounts: asterKeys.map(({ user, signer }) => ({ user, signer })), prices, testnet: true });
    hyperliquid = await startHyperliquidMock({
      accounts: hlKeys.map(({ user, agent }) => ({ user, agents: [agent] })),
      prices,
      testnet: true,
    });
    const mocks = { binance, aster, hyperliquid };

    const proxyFor = (venue: VenueName, name: string, localAddress: string) =>
      startFaultProxy({
        target: mocks[venue].url,
        name,
        seed: SEED,
        rate: RATE,
        localAddress,
        faultBody: venue === 'hyperliquid' ? faultBodies.hyperliquid : faultBodies.binanceFamily,
      });
    marketProxy = await proxyFor('binance', 'market-data/binance', '127.0.9.1');

    // --- the arena: real dev server, real Postgres, the live market data of the Binance server (through its proxy)
    const market = new LiveMarketData({ source: createBinanceMarketData(marketProxy.url), symbols: SYMBOLS, cacheTtlMs: 2_000 });
    arena = await startTestArena({ market, clock: fastClock() });
    const { tag } = arena;

    const agentFor = (venue: VenueName, account: string, baseUrl: string, i: number): AgentConfig => {
      const base = demoAgent('random-entry', `${tag}-${venue}-${i}`);
      const exchange: ExchangeConfig = {
        type: venue,
        account,
        testnet: true,
        takerFeeRate: 0.0005,
        slippageRate: 0,
        baseUrl,
        ...(venue === 'aster' && { asterSigning: { includeUser: false, signaturePrefix0x: true, signEncoding: 'urlencoded' as const } }),
      };
      return { ...base, exchange, strategy: { ...base.strategy, symbols: SYMBOLS } };
    };

    for (const k of binanceKeys) {
      const proxy = await proxyFor('binance', `binance/${k.name}`, k.local);
      accounts.push({
        venue: 'binance',
        index: k.i,
        name: k.name,
        proxy,
        env: demoCredentialEnv('binance', k.name, { api_key: k.apiKey, api_secret: k.apiSecret }),
        agent: agentFor('binance', k.name, proxy.url, k.i),
        positions: () =>
          binance!
            .positionsOf(k.apiKey)
            .filter((p) => p.positionAmt !== 0)
            .map((p) => p.symbol),
        orders: () => [
          ...binance!.ordersOf(k.apiKey).map((o) => ({
            cid: o.clientOrderId.toLowerCase(),
            symbol: o.symbol,
            restingStop: o.status === 'NEW' && o.type.startsWith('STOP'),
            restingTarget: o.status === 'NEW' && o.type.startsWith('TAKE_PROFIT'),
          })),
          ...binance!.algoOrdersOf(k.apiKey).map((o) => ({
            cid: o.clientAlgoId.toLowerCase(),
            symbol: o.symbol,
            restingStop: o.status === 'NEW' && o.orderType.startsWith('STOP'),
            restingTarget: o.status === 'NEW' && o.orderType.startsWith('TAKE_PROFIT'),
          })),
        ],
      });
    }
    for (const k of asterKeys) {
      const proxy = await proxyFor('aster', `aster/${k.name}`, k.local);
      accounts.push({
        venue: 'aster',
        index: k.i,
        name: k.name,
        proxy,
        env: demoCredentialEnv('aster', k.name, { user: k.user, signer: k.signer, private_key: k.privateKey }),
        agent: agentFor('aster', k.name, proxy.url, k.i),
        positions: () =>
          aster!
            .positionsOf(k.user)
            .filter((p) => p.positionAmt !== 0)
            .map((p) => p.symbol),
        orders: () =>
          aster!.ordersOf(k.user).map((o) => ({
            cid: o.clientOrderId.toLowerCase(),
            symbol: o.symbol,
            restingStop: o.status === 'NEW' && o.type.startsWith('STOP'),
            restingTarget: o.status === 'NEW' && o.type.startsWith('TAKE_PROFIT'),
          })),
      });
    }
    for (const k of hlKeys) {
      const proxy = await proxyFor('hyperliquid', `hyperliquid/${k.name}`, k.local);
      accounts.push({
        venue: 'hyperliquid',
        index: k.i,
        name: k.name,
        proxy,
        env: demoCredentialEnv('hyperliquid', k.name, { private_key: k.privateKey, user: k.user }),
        agent: agentFor('hyperliquid', k.name, proxy.url, k.i),
        positions: () =>
          hyperliquid!
            .positionsOf(k.user)
            .filter((p) => p.szi !== 0)
            .map((p) => p.symbol),
        orders: () =>
          hyperliquid!.ordersOf(k.user).map((o) => ({
            cid: (o.cloid ?? `oid-${o.oid}`).toLowerCase().replace(/^0x/, ''),
            symbol: `${o.coin.toUpperCase()}USDT`,
            restingStop: o.isTrigger && o.status === 'open' && o.tpsl === 'sl',
            restingTarget: o.isTrigger && o.status === 'open' && o.tpsl === 'tp',
          })),
      });
    }
    for (const account of accounts) {
      Object.assign(process.env, account.env);
      envNames.push(...Object.keys(account.env));
    }
    const proxies = [marketProxy, ...accounts.map((a) => a.proxy)];
    const byHost = new Map(proxies.map((p) => [p.host, p]));
    const accountByHost = new Map(accounts.map((a) => [a.proxy.host, a]));

    // Prices wander (mean-reverting, seeded) on all three venues at once: some stops fire on the venue.
    const random = seededRandom(`${SEED}|prices`);
    const drift: Record<string, number> = Object.fromEntries(SYMBOLS.map((s) => [s, 0]));
    priceTimer = setInterval(() => {
      for (const symbol of SYMBOLS) {
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        drift[symbol] = 0.9 * drift[symbol]! + 0.007 * normal;
        prices[symbol] = Number((BASE_PRICES[symbol]! * Math.exp(drift[symbol]!)).toPrecision(5));
        for (const mock of Object.values(mocks)) mock.setPrice(symbol, prices[symbol]!);
      }
    }, 1_000);

    const baseline = {
      errors: await metricRows('arena_venue_errors_total'),
      requests: await metricRows('arena_venue_requests_total'),
      steps: await metricRows('arena_step_duration_seconds'),
      unprotected: await metricRows('arena_unprotected_positions_found_total'),
      emergency: await metricRows('arena_emergency_closes_total'),
      orders: await metricRows('arena_orders_total'),
      closed: await metricRows('arena_closed_trades_total'),
    };

    await arena.runWorker();
    await arena.start(
      accounts.map((a) => a.agent),
      BAR_WALL_MS,
    );
    const agentIds = accounts.map((a) => a.agent.id);
    const db = arena.db;
    const recorded = async () => {
      const rows = await db
        .selectFrom('cycles')
        .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('agent_id', 'in', agentIds)
        .groupBy('status')
        .execute();
      const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { ok: of('ok'), failed: of('failed') };
    };

    // --- the run: until TARGET_CYCLES cycles are recorded
    const runStart = Date.now();
    let lastReport = 0;
    let progress = await recorded();
    while (progress.ok + progress.failed < TARGET_CYCLES && Date.now() - runStart < RUN_DEADLINE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      progress = await recorded();
      if (Date.now() - lastReport >= 20_000) {
        lastReport = Date.now();
        const injected = proxies.reduce((n, p) => n + p.faults.length, 0);
        const requests = proxies.reduce((n, p) => n + p.requestCount(), 0);
        console.log(
          `  [${Math.round((Date.now() - runStart) / 1000)} s] cycles ${progress.ok + progress.failed} (${progress.failed} failed), ` +
            `venue requests ${requests}, faults injected ${injected}`,
        );
      }
    }
    const runMs = Date.now() - runStart;

    // --- no agent crashed: every agent workflow still running, answering its state query
    const crashed: string[] = [];
    for (const id of agentIds) {
      const handle = arena.client.workflow.getHandle(agentWorkflowId(id));
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') crashed.push(`${id}: ${description.status.name} before the stop`);
      else {
        const state = await handle.query(getStateQuery).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        if (state instanceof Error) crashed.push(`${id}: getState failed: ${state.message}`);
        else if (state.status !== 'RUNNING') crashed.push(`${id}: status ${state.status}`);
      }
    }

    // --- stop: every agent ends after its cycle in flight (faults still on), then ends normally
    clearInterval(priceTimer);
    priceTimer = undefined;
    for (const id of agentIds) {
      await arena.client.workflow.getHandle(agentWorkflowId(id)).signal(stopSignal, { reason: 'fault test: end of run' });
    }
    const finals = new Map<string, AgentState>();
    const stopDeadline = Date.now() + STOP_DEADLINE_MS;
    await Promise.all(
      agentIds.map(async (id) => {
        const handle = arena!.client.workflow.getHandle(agentWorkflowId(id));
        try {
          const state = (await Promise.race([
            handle.result(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('did not end after stop')), stopDeadline - Date.now())),
          ])) as AgentState;
          finals.set(id, state);
          if (state.status !== 'STOPPED') crashed.push(`${id}: ended ${state.status}`);
        } catch (err) {
          crashed.push(`${id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    for (const proxy of proxies) proxy.setEnabled(false);
    // A request held unanswered (a timeout, a lost reply) is counted by the client when it gives up:
    // wait out the client's timeout after the last one before comparing counts.
    const lastHeld = Math.max(
      0,
      ...proxies.flatMap((p) => p.faults.filter((f) => f.kind === 'timeout' || f.detail === 'hang').map((f) => f.at)),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastHeld + CLIENT_TIMEOUT_MS + 1_000 - Date.now())));
    // Cycle workflows that did not complete (failed, timed out, terminated): a cycle that died without its record.
    const deadCycles: string[] = [];
    try {
      for await (const wf of arena.client.workflow.list({
        query: `TaskQueue = '${arena.taskQueue}' AND WorkflowType = 'agentCycle' AND ExecutionStatus != 'Completed'`,
      })) {
        deadCycles.push(`${wf.workflowId}: ${wf.status.name}`);
      }
    } catch (err) {
      deadCycles.push(`(could not list cycle workflows: ${err instanceof Error ? err.message : String(err)})`);
    }

    // --- the records
    const cycleRows = await db
      .selectFrom('cycles')
      .select(['agent_id', 'cycle_no', 'status', 'error', 'input', 'started_at', 'finished_at'])
      .where('agent_id', 'in', agentIds)
      .orderBy('agent_id')
      .orderBy('cycle_no')
      .execute();
    const snapshots = await db
      .selectFrom('equity_snapshots')
      .select(['agent_id', 'cycle_no', 'positions'])
      .where('agent_id', 'in', agentIds)
      .execute();
    const orderRows = await db
      .selectFrom('orders')
      .select(['agent_id', 'cycle_no', 'client_order_id', 'purpose', 'status'])
      .where('agent_id', 'in', agentIds)
      .execute();

    // Cycle numbers: each recorded once, 1..n without a gap, n = the workflow's own count.
    const cycleProblems: string[] = [];
    for (const id of agentIds) {
      const numbers = cycleRows.filter((r) => r.agent_id === id).map((r) => r.cycle_no);
      const final = finals.get(id);
      const expected = final?.cycleNo ?? Math.max(0, ...numbers);
      const seen = new Set(numbers);
      if (seen.size !== numbers.length) cycleProblems.push(`${id}: a cycle number recorded twice`);
      for (let n = 1; n <= expected; n++) if (!seen.has(n)) cycleProblems.push(`${id}: cycle ${n} ran but is not recorded`);
      if (numbers.some((n) => n > expected)) cycleProblems.push(`${id}: a cycle recorded beyond the workflow's count ${expected}`);
      const failedRecorded = cycleRows.filter((r) => r.agent_id === id && r.status === 'failed').length;
      if (final && final.failedCycles !== failedRecorded) {
        cycleProblems.push(`${id}: the workflow counted ${final.failedCycles} failed cycles, the records hold ${failedRecorded}`);
      }
    }
    const failedCycles = cycleRows.filter((r) => r.status === 'failed');
    const failedWithoutError = failedCycles.filter((r) => !r.error?.trim());

    // Unprotected positions at the end of a cycle: after every recorded cycle (its equity snapshot), at the
    // start of every cycle (what the one before it, failed or not, left), and on the venue after the last.
    const unprotected: string[] = [];
    const withoutTarget: string[] = [];
    for (const s of snapshots) {
      for (const p of s.positions) {
        if (p.stopLoss == null) unprotected.push(`${s.agent_id} after cycle ${s.cycle_no}: ${p.symbol} ${p.side} without a stop-loss`);
        if (p.takeProfit == null) withoutTarget.push(`${s.agent_id} after cycle ${s.cycle_no}: ${p.symbol}`);
      }
    }
    for (const r of cycleRows) {
      for (const p of r.input.positions ?? []) {
        if (p.stopLoss == null)
          unprotected.push(`${r.agent_id} at the start of cycle ${r.cycle_no}: ${p.symbol} ${p.side} without a stop-loss`);
        if (p.takeProfit == null) withoutTarget.push(`${r.agent_id} at the start of cycle ${r.cycle_no}: ${p.symbol}`);
      }
    }
    let openAtEnd = 0;
    for (const account of accounts) {
      const orders = account.orders();
      for (const symbol of account.positions()) {
        openAtEnd += 1;
        if (!orders.some((o) => o.symbol === symbol && o.restingStop)) {
          unprotected.push(`${account.agent.id} on the venue at the end: ${symbol} without a stop-loss`);
        }
        if (!orders.some((o) => o.symbol === symbol && o.restingTarget)) withoutTarget.push(`${account.agent.id} at the end: ${symbol}`);
      }
    }

    // Duplicates: on each venue account's own book, and among the placements the venue received.
    const legOf = new Map<string, { agent: string; cycle: number; leg: string }>();
    for (const id of agentIds) {
      const last = Math.max(finals.get(id)?.cycleNo ?? 0, ...cycleRows.filter((r) => r.agent_id === id).map((r) => r.cycle_no));
      for (let cycle = 1; cycle <= last + 1; cycle++) {
        for (const symbol of SYMBOLS) for (const leg of LEGS(symbol)) legOf.set(clientOrderId(id, cycle, leg), { agent: id, cycle, leg });
      }
    }
    const duplicates: string[] = [];
    let venueOrders = 0;
    let venueOwnOrders = 0;
    const opensPerCycle = new Map<string, number>();
    for (const account of accounts) {
      const orders = account.orders();
      venueOrders += orders.length;
      for (const [cid, n] of count(orders, (o) => o.cid)) {
        const leg = legOf.get(cid);
        if (!leg) {
          venueOwnOrders += n;
          continue;
        }
        if (n > 1) duplicates.push(`${account.venue} book: ${leg.agent} cycle ${leg.cycle} ${leg.leg} placed ${n} times (${cid})`);
        if (leg.leg.startsWith('open:')) {
          const key = `${leg.agent}#${leg.cycle}`;
          opensPerCycle.set(key, (opensPerCycle.get(key) ?? 0) + 1);
        }
      }
    }
    for (const [key, n] of opensPerCycle) if (n > 1) duplicates.push(`${key.replace('#', ' cycle ')}: ${n} opens in one cycle`);
    // Every placement the venue received, in order: one sent again after the venue had accepted it is a
    // lookup that missed the order (a venue that did not refuse duplicate ids would hold it twice).
    const placements = new Map<string, { proxy: string; answers: boolean[] }>();
    for (const account of accounts) {
      for (const f of account.proxy.forwarded) {
        for (const placed of placementsIn(account.venue, f.method, f.url, f.body, f.answer, f.venueStatus)) {
          const entry = placements.get(placed.cid) ?? { proxy: account.proxy.name, answers: [] };
          entry.answers.push(placed.accepted);
          placements.set(placed.cid, entry);
        }
      }
    }
    const repeatedPlacements: string[] = [];
    let placementsRefusedThenSent = 0;
    for (const [cid, p] of placements) {
      const leg = legOf.get(cid);
      const what = leg ? `${leg.agent} cycle ${leg.cycle} ${leg.leg}` : cid;
      const accepted = p.answers.filter(Boolean).length;
      if (accepted > 1) duplicates.push(`${p.proxy}: ${what} accepted by the venue ${accepted} times`);
      const first = p.answers.indexOf(true);
      if (first >= 0 && first < p.answers.length - 1) {
        repeatedPlacements.push(
          `${p.proxy}: ${what} sent again after the venue had accepted it (answers: ${p.answers.map((a) => (a ? 'accepted' : 'refused')).join(', ')})`,
        );
      } else if (p.answers.length > 1) placementsRefusedThenSent += 1;
    }
    const recordedOpens = count(
      orderRows.filter((o) => o.purpose === 'open'),
      (o) => `${o.agent_id} cycle ${o.cycle_no}`,
    );
    for (const [key, n] of recordedOpens) if (n > 1) duplicates.push(`records: ${key}: ${n} opens`);

    // Every injected fault accounted for: the HTTP client's error classes, per proxy, equal the faults injected there.
    const allFaults = proxies.flatMap((p) => p.faults);
    const injectedByKind = count(allFaults, (f) => f.kind);
    const expectedClasses = count(allFaults, (f) => `${f.proxy}|${CLIENT_CLASS[f.kind](f.detail)}`);
    const hostOf = (row: MetricRow) => (byHost.has(String(row.labels.host)) ? String(row.labels.host) : null);
    const seenClasses = sumBy(await metricRows('arena_venue_errors_total'), baseline.errors, (row) => {
      const host = hostOf(row);
      return host ? `${byHost.get(host)!.name}|${String(row.labels.class)}` : null;
    });
    const classMismatches: string[] = [];
    for (const key of new Set([...expectedClasses.keys(), ...seenClasses.keys()])) {
      const [proxy, errorClass] = key.split('|') as [string, string];
      if (errorClass === 'refused' || errorClass === 'budget_exhausted') continue; // the venue's own refusals, our own limiter
      const injected = expectedClasses.get(key) ?? 0;
      const seen = seenClasses.get(key) ?? 0;
      if (injected !== seen) classMismatches.push(`${proxy}: ${errorClass}: ${injected} injected, ${seen} seen by the client`);
    }
    const clientTotals = sumBy(await metricRows('arena_venue_errors_total'), baseline.errors, (row) =>
      hostOf(row) ? String(row.labels.class) : null,
    );
    const clientRequests = [
      ...sumBy(await metricRows('arena_venue_requests_total'), baseline.requests, (row) => (hostOf(row) ? 'all' : null)).values(),
    ].reduce((a, b) => a + b, 0);

    // Failed cycles matched with the faults injected on their agent's proxy while they ran.
    const failureKinds = count(failedCycles, (r) => (r.error ?? '').split(':')[0] || '(none)');
    const unmatched: string[] = [];
    let matched = 0;
    for (const r of failedCycles) {
      const request = /\b(?:binance|aster|hyperliquid):(127\.0\.0\.1:\d+): (GET|POST|PUT|DELETE) (\/\S*)/.exec(r.error ?? '');
      if (!request) continue;
      const [, host, method, path] = request as unknown as [string, string, string, string];
      const proxy = byHost.get(host);
      const from = r.started_at.getTime() - 1_000;
      const to = r.finished_at.getTime();
      const hit = proxy?.faults.some((f) => f.method === method && f.path === path && f.at >= from && f.at <= to);
      if (hit) matched += 1;
      else unmatched.push(`${r.agent_id} cycle ${r.cycle_no}: ${r.error}`);
      if (proxy && proxy !== marketProxy && accountByHost.get(host)?.agent.id !== r.agent_id) {
        unmatched.push(`${r.agent_id} cycle ${r.cycle_no}: failed on another agent's venue address ${host}`);
      }
    }

    // Retries: every failed attempt of a step (each is retried, or fails its cycle).
    const steps = await metricRows('arena_step_duration_seconds');
    const stepAttempts = sumBy(steps, baseline.steps, (row) =>
      row.metricName === 'arena_step_duration_seconds_count' ? `${row.labels.step}|${row.labels.outcome}` : null,
    );
    const failedAttempts = [...stepAttempts].filter(([k]) => k.endsWith('|error')).map(([k, n]) => [k.split('|')[0]!, n] as const);
    const unprotectedFound = [
      ...sumBy(await metricRows('arena_unprotected_positions_found_total'), baseline.unprotected, (row) =>
        agentIds.includes(String(row.labels.agent)) ? 'all' : null,
      ).values(),
    ].reduce((a, b) => a + b, 0);
    const emergencyCloses = [
      ...sumBy(await metricRows('arena_emergency_closes_total'), baseline.emergency, (row) =>
        agentIds.includes(String(row.labels.agent)) ? 'all' : null,
      ).values(),
    ].reduce((a, b) => a + b, 0);
    const ordersByStatus = sumBy(await metricRows('arena_orders_total'), baseline.orders, (row) =>
      agentIds.includes(String(row.labels.agent)) ? `${row.labels.purpose} ${row.labels.status}` : null,
    );
    const closedByReason = sumBy(await metricRows('arena_closed_trades_total'), baseline.closed, (row) =>
      agentIds.includes(String(row.labels.agent)) ? String(row.labels.reason) : null,
    );

    // --- the tally
    const total = cycleRows.length;
    const cpu = process.cpuUsage(cpuAtStart);
    const durations = (status: string) => {
      const ms = cycleRows
        .filter((r) => r.status === status)
        .map((r) => r.finished_at.getTime() - r.started_at.getTime())
        .sort((a, b) => a - b);
      const at = (q: number) => (ms.length ? (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! / 1000).toFixed(1) : '-');
      return `p50 ${at(0.5)} s, p90 ${at(0.9)} s`;
    };
    const tally = [
      '',
      `Venue faults at scale (issue 17): seed ${SEED}, fault rate ${RATE}, ${accounts.length} random-entry agents`,
      `(${AGENTS_PER_VENUE} each on binance, aster, hyperliquid), one market bar per ${BAR_WALL_MS} ms`,
      line(
        'run time (start to target / stop / total)',
        `${(runMs / 1000).toFixed(0)} s / ${((Date.now() - runStart) / 1000).toFixed(0)} s / ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
      ),
      line('cycles recorded', `${total} (ok ${total - failedCycles.length}, failed ${failedCycles.length})`),
      line('cycle duration ok / failed', `${durations('ok')} / ${durations('failed')}`),
      line('CPU of this process (user + system)', `${((cpu.user + cpu.system) / 1e6).toFixed(0)} s`),
      line('venue requests (proxies / client count)', `${proxies.reduce((n, p) => n + p.requestCount(), 0)} / ${clientRequests}`),
      line(
        'faults injected',
        `${allFaults.length} (${(
          (100 * allFaults.length) /
          Math.max(
            1,
            proxies.reduce((n, p) => n + p.requestCount(), 0),
          )
        ).toFixed(1)} % of requests)`,
      ),
      ...FAULT_KINDS.map((kind) => line(`  ${kind}`, injectedByKind.get(kind) ?? 0)),
      line('  of them on market data', marketProxy.faults.length),
      line('client venue errors by class', [...clientTotals].map(([k, n]) => `${k} ${n}`).join(', ')),
      line('injected faults the client did not see as such', classMismatches.length),
      line('failed step attempts (retried or final)', failedAttempts.map(([step, n]) => `${step} ${n}`).join(', ') || 0),
      line('failed cycles by error type', [...failureKinds].map(([k, n]) => `${k} ${n}`).join(', ') || 0),
      line('failed cycles matched to an injected fault', `${matched} (unmatched venue failures: ${unmatched.length})`),
      line('failed cycles without an error recorded', failedWithoutError.length),
      line('orders by purpose and status', [...ordersByStatus].map(([k, n]) => `${k} ${n}`).join(', ')),
      line('trades closed by reason', [...closedByReason].map(([k, n]) => `${k} ${n}`).join(', ') || 0),
      line('emergency closes', emergencyCloses),
      line('venue orders (ours / the venue own)', `${venueOrders - venueOwnOrders} / ${venueOwnOrders}`),
      line('placements sent again after a refusal', placementsRefusedThenSent),
      line('placements sent again after the venue took them', repeatedPlacements.length),
      line('duplicates', duplicates.length),
      line('positions found unprotected by a sync (metric)', unprotectedFound),
      line('unprotected at the end of a cycle (records, venue)', unprotected.length),
      line('without take-profit at the end of a cycle', withoutTarget.length),
      line('positions open at the end (all protected)', openAtEnd),
      line('crashed agents', crashed.length + deadCycles.length),
      line('cycle record problems', cycleProblems.length),
      '',
    ];
    console.log(tally.join('\n'));
    const show = (what: string, items: string[]) => (items.length ? `${what}:\n  ${items.slice(0, 20).join('\n  ')}` : '');
    const detail = [
      show('crashed', [...crashed, ...deadCycles]),
      show('duplicates', duplicates),
      show('repeated placements', repeatedPlacements),
      show('unprotected', unprotected),
      show('cycle records', cycleProblems),
      show(
        'failed cycles without error',
        failedWithoutError.map((r) => `${r.agent_id} cycle ${r.cycle_no}`),
      ),
      show('unmatched failures', unmatched),
      show('fault classes', classMismatches),
    ]
      .filter(Boolean)
      .join('\n');
    if (detail) console.log(`${detail}\n(seed ${SEED}: FAULT_SEED=${SEED} reproduces the fault schedule)`);

    assert.ok(total >= TARGET_CYCLES, `only ${total} cycles recorded in ${Math.round(runMs / 1000)} s (target ${TARGET_CYCLES})`);
    assert.ok(
      allFaults.length > 0.15 * proxies.reduce((n, p) => n + p.requestCount(), 0),
      'faults were injected into about 20 % of requests',
    );
    for (const kind of FAULT_KINDS) assert.ok((injectedByKind.get(kind) ?? 0) > 0, `no ${kind} fault injected`);
    assert.deepEqual([...crashed, ...deadCycles], [], 'crashed agents or dead cycles');
    assert.deepEqual(cycleProblems, [], 'cycle records');
    assert.deepEqual(duplicates, [], 'duplicate orders');
    assert.deepEqual(repeatedPlacements, [], 'an order sent to the venue again after it had been placed');
    assert.deepEqual(unprotected, [], 'positions without a stop-loss at the end of a cycle');
    assert.deepEqual(
      failedWithoutError.map((r) => `${r.agent_id} ${r.cycle_no}`),
      [],
      'failed cycles without their error',
    );
    assert.deepEqual(unmatched, [], 'failed cycles whose venue error matches no injected fault');
    assert.deepEqual(classMismatches, [], 'injected faults and the errors the client saw');
  });
});

/** The orders a forwarded request placed (or tried to), by normalised client id, and whether the venue took each. */
function placementsIn(
  venue: VenueName,
  method: string,
  url: string,
  body: string,
  answer: string,
  status: number,
): Array<{ cid: string; accepted: boolean }> {
  if (method !== 'POST') return [];
  const path = url.split('?')[0]!;
  if (venue === 'hyperliquid') {
    if (path !== '/exchange') return [];
    type Reply = { status?: string; response?: { data?: { statuses?: unknown[] } } } | null;
    let request: { action?: { type?: string; orders?: Array<{ c?: string }> } };
    let reply: Reply;
    try {
      request = JSON.parse(body) as typeof request;
      reply = JSON.parse(answer) as Reply;
    } catch {
      return [];
    }
    if (request.action?.type !== 'order') return [];
    const statuses = reply?.status === 'ok' ? (reply.response?.data?.statuses ?? []) : [];
    return (request.action.orders ?? []).flatMap((o, i) => {
      if (!o.c) return [];
      const s = statuses[i] as Record<string, unknown> | undefined;
      return [{ cid: o.c.toLowerCase().replace(/^0x/, ''), accepted: status === 200 && !!s && !('error' in s) }];
    });
  }
  if (!/\/(order|algoOrder)$/.test(path)) return [];
  const params = new URLSearchParams(`${url.split('?')[1] ?? ''}&${body}`);
  const cid = params.get('newClientOrderId') ?? params.get('clientAlgoId');
  return cid ? [{ cid: cid.toLowerCase(), accepted: status === 200 }] : [];
}
