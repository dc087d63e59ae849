/**
 * `npm run bench:api`: the analytics endpoints under load over a big history.
 *
 * A fresh database on TEST_DATABASE_URL's server (default 127.0.0.1:5432) gets 20 agents, 1,000,000
 * equity snapshots (50,000 three-minute cycles each, about 104 days), 100,000 closed trades and
 * 100,000 model calls. The analytics routes are served on 127.0.0.1 (no Temporal: they only read
 * Postgres) and autocannon runs 200 connections for 10 s against each endpoint, from worker threads
 * so that the load generator does not share the server's event loop. Then the database is dropped.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { sql, type Kysely } from 'kysely';
import { OpenAPIHono } from '@hono/zod-openapi';
import { cachedAnalytics } from '../analytics/cache';
import { agentAnalyticsRoutes, leaderboardRoutes } from '../api/routes/analytics';
import { createDb, migrateToLatest } from '../db/connect';
import type { Database } from '../db/schema';
import { createTestDatabase } from '../test/support/database';

const AGENTS = 20;
const CYCLES_PER_AGENT = 50_000;
const TRADES_PER_AGENT = 5_000;
const CONNECTIONS = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface AutocannonResult {
  latency: { p50: number; p99: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; workers?: number }) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: Autocannon = require('autocannon');

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const db = createDb(database.url, 10);
  let server: ReturnType<typeof serve> | undefined;
  try {
    await migrateToLatest(db);
    let t = performance.now();
    await fill(db);
    console.log(
      `loaded ${AGENTS} agents, ${(AGENTS * CYCLES_PER_AGENT).toLocaleString('en')} equity snapshots, ` +
        `${(AGENTS * TRADES_PER_AGENT).toLocaleString('en')} trades in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const reader = cachedAnalytics(db);
    const app = new OpenAPIHono();
    app.route('/api/agents', agentAnalyticsRoutes(reader));
    app.route('/api/leaderboard', leaderboardRoutes(reader));
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    const base = `http://127.0.0.1:${port}`;
    const endpoints = ['/api/leaderboard', '/api/agents/agent-07/performance'];

    // Cold: one agent's performance (computed), then the leaderboard (computes the 19 others).
    for (const path of [...endpoints].reverse()) {
      t = performance.now();
      const res = await fetch(base + path);
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      console.log(`first request (computes, then cached) ${path}: ${(performance.now() - t).toFixed(0)} ms`);
    }

    console.log(`\nautocannon: ${CONNECTIONS} connections, ${SECONDS} s per endpoint`);
    console.log(
      'endpoint'.padEnd(40),
      'p50 ms'.padStart(8),
      'p99 ms'.padStart(8),
      'max ms'.padStart(8),
      'req/s'.padStart(9),
      'non-2xx'.padStart(8),
    );
    const report = (label: string, r: AutocannonResult) =>
      console.log(
        label.padEnd(40),
        String(r.latency.p50).padStart(8),
        String(r.latency.p99).padStart(8),
        String(r.latency.max).padStart(8),
        Math.round(r.requests.average).toLocaleString('en').padStart(9),
        String(r.non2xx + r.errors + r.timeouts).padStart(8),
      );
    for (const path of endpoints) {
      report(path, await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS, workers: 1 }));
    }

    // The same leaderboard while the arena keeps recording: one agent's next cycle lands every second
    // (a snapshot and the agent's cycle bump, in one transaction as recordCycle does), so every second
    // one agent's cached performance is invalid and the next request recomputes it.
    let landed = 0;
    let pending = Promise.resolve();
    const landing = setInterval(() => {
      pending = landCycle(db, 1 + (landed++ % AGENTS)).catch((err) => console.error('landing a cycle failed:', err));
    }, 1000);
    try {
      report(
        '/api/leaderboard + 1 new cycle/s',
        await autocannon({ url: base + endpoints[0], connections: CONNECTIONS, duration: SECONDS, workers: 1 }),
      );
    } finally {
      clearInterval(landing);
      await pending;
    }
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db.destroy();
    await database.drop();
  }
}

/** Records agent `a`'s next cycle as the arena does: its equity snapshot and the agent's cycle bump, in one transaction. */
async function landCycle(db: Kysely<Database>, a: number): Promise<void> {
  const id = `agent-${String(a).padStart(2, '0')}`;
  await db.transaction().execute(async (trx) => {
    const agent = await trx.selectFrom('agents').select('cycle_count').where('id', '=', id).executeTakeFirstOrThrow();
    const cycle = agent.cycle_count + 1;
    await trx
      .insertInto('equity_snapshots')
      .values({
        agent_id: id,
        cycle_no: cycle,
        market_time: new Date(Date.parse('2025-01-01T00:00:00Z') + cycle * 180_000),
        equity: 10_000 + cycle / 100,
        cash: 5000,
        margin: 1000,
        unrealized_pnl: 0,
        position_count: 1,
        positions: '[]',
      })
      .execute();
    await trx.updateTable('agents').set({ cycle_count: cycle, last_cycle_at: new Date() }).where('id', '=', id).execute();
  });
}

/** The history, generated in the database: three INSERT ... SELECT over generate_series, then ANALYZE. */
async function fill(db: Kysely<Database>): Promise<void> {
  const start = '2025-01-01T00:00:00Z';
  await db.connection().execute(async (conn) => {
    await sql`select setseed(0.42)`.execute(conn);
    await sql`
      insert into agents (id, name, provider, model, venue, account, initial_balance, config, cycle_count, last_cycle_at, last_cycle_status)
      select format('agent-%s', lpad(a::text, 2, '0')), format('Agent %s', a), 'openai', format('model-%s', a), 'paper',
        format('account-%s', a), 10000, '{}'::jsonb, ${CYCLES_PER_AGENT}, ${start}::timestamptz + ${CYCLES_PER_AGENT} * interval '3 minutes', 'ok'
      from generate_series(1, ${AGENTS}) a`.execute(conn);
    // Equity: a drift that differs by agent, a slow swing and noise; positions open two thirds of the time.
    await sql`
      insert into equity_snapshots (agent_id, cycle_no, market_time, equity, cash, margin, unrealized_pnl, position_count, positions)
      select format('agent-%s', lpad(a::text, 2, '0')), n, ${start}::timestamptz + n * interval '3 minutes',
        round((10000 + 0.002 * (a - 10) * n + 300 * sin(n / 700.0 + a) + 20 * (random() - 0.5))::numeric, 2),
        5000, 1000, 0, (n / 40 + a) % 3, '[]'::jsonb
      from generate_series(1, ${AGENTS}) a, generate_series(1, ${CYCLES_PER_AGENT}) n`.execute(conn);
    // Trades: 0.1 lot at 40,000, a move of up to ±550, 4.1 fees, 0.5 funding: pnl = move × 0.1 − 4.1 + 0.5.
    await sql`
      insert into trades (agent_id, symbol, side, quantity, leverage, margin, entry_price, exit_price, open_cycle, close_cycle,
        open_order_id, close_order_id, opened_at, closed_at, fees, funding, realized_pnl, pnl, status, close_reason)
      select agent_id, symbol, side, 0.1, 10, 400, 40000, 40000 + move * (case when side = 'long' then 1 else -1 end),
        k * 10, k * 10 + 5, format('open-%s', k), format('close-%s', k), opened_at, opened_at + (10 + k % 290) * interval '1 minute',
        4.1, 0.5, move * 0.1, move * 0.1 - 3.6, 'closed', (array['signal', 'stop_loss', 'take_profit', 'manual'])[1 + k % 4]
      from (
        select format('agent-%s', lpad(a::text, 2, '0')) as agent_id, k,
          (array['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT', 'XRPUSDT'])[1 + k % 6] as symbol,
          case when k % 3 = 0 then 'short' else 'long' end as side,
          round((random() * 1100 - 500)::numeric, 1) as move,
          ${start}::timestamptz + k * interval '30 minutes' as opened_at
        from generate_series(1, ${AGENTS}) a, generate_series(1, ${TRADES_PER_AGENT}) k
      ) t`.execute(conn);
    await sql`
      insert into llm_calls (agent_id, cycle_no, attempt, provider, model, status, prompt_sha256, prompt_chars, prompt, tokens_in, tokens_out, cost_usd, latency_ms)
      select format('agent-%s', lpad(a::text, 2, '0')), n * 10, 1, 'openai', format('model-%s', a), 'ok', '', 0, '', 3000, 400, 0.0021, 900
      from generate_series(1, ${AGENTS}) a, generate_series(1, ${CYCLES_PER_AGENT / 10}) n`.execute(conn);
    await sql`vacuum analyze`.execute(conn);
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
