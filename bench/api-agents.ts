/**
 * `npm run bench:api-agents`: `/api/agents` and `/api/agents/:id` under 100 connections while the
 * arena runs. A real dev server, a fresh database on TEST_DATABASE_URL's server, one worker and 12
 * rule-based agents cycling every 2 s in this process (as `npm start` runs them), the full API on
 * 127.0.0.1; autocannon from a worker thread for 10 s per endpoint. Target: p99 < 50 ms for both.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app';
import { cycleCount, demoAgent, eventually, startTestArena } from '../test/support/arena';
import { teardownTestTemporal } from '../test/support/temporal';

const CONNECTIONS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TARGET_P99_MS = 50;
const BASES = ['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'] as const;

interface AutocannonResult {
  latency: { p50: number; p99: number; max: number };
  requests: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; workers?: number }) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: Autocannon = require('autocannon');

async function main(): Promise<void> {
  const arena = await startTestArena();
  let server: ReturnType<typeof serve> | undefined;
  try {
    await arena.runWorker();
    const agents = Array.from({ length: 12 }, (_, i) => demoAgent(BASES[i % BASES.length]!, `${arena.tag}-${i}`));
    await arena.start(agents, 2_000);
    await eventually(
      "every agent's first cycle",
      async () => (await Promise.all(agents.map((a) => cycleCount(arena.db, a.id)))).every((n) => n >= 1),
      120_000,
    );

    const app = createApp({ db: arena.db, temporal: arena.client });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    const base = `http://127.0.0.1:${port}`;
    console.log(`${agents.length} agents cycling every 2 s; autocannon: ${CONNECTIONS} connections, ${SECONDS} s per endpoint`);
    console.log(
      'endpoint'.padEnd(44),
      'p50 ms'.padStart(8),
      'p99 ms'.padStart(8),
      'max ms'.padStart(8),
      'req/s'.padStart(9),
      'errors'.padStart(7),
      `  p99 < ${TARGET_P99_MS} ms`,
    );
    for (const path of ['/api/agents', `/api/agents/${agents[0]!.id}`]) {
      const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS, workers: 1 });
      console.log(
        path.padEnd(44),
        String(r.latency.p50).padStart(8),
        String(r.latency.p99).padStart(8),
        String(r.latency.max).padStart(8),
        Math.round(r.requests.average).toLocaleString('en').padStart(9),
        String(r.non2xx + r.errors + r.timeouts).padStart(7),
        `  ${r.latency.p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
      );
    }
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await arena.close();
    await teardownTestTemporal();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
