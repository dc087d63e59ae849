/**
 * `npm run bench:backtest`: agent-cycles per second of the backtester for the four rule-based baselines
 * over the whole bundled window (30 days, after the indicator warm-up). Target on this 2-core machine:
 * at least 10,000 agent-cycles per second. BENCH_BARS runs fewer bars (a quick look).
 */
import path from 'node:path';
import { loadArenaConfig } from '../arena-config/load';
import { runBacktest } from '../backtest/engine';
import { REPLAY_BAR_MS, ReplayMarketData } from '../market/replay';

const TARGET = 10_000;

async function main(): Promise<void> {
  const arena = loadArenaConfig(path.join(__dirname, '..', 'config', 'arena.yaml'), {});
  const agents = ['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry']
    .map((id) => arena.agents.find((a) => a.id === id)?.config)
    .filter((c): c is NonNullable<typeof c> => c !== undefined);
  const market = new ReplayMarketData();
  const w = market.window();
  const count = Math.min(w.cycles, Number(process.env.BENCH_BARS ?? w.cycles));
  const bars = Array.from({ length: count }, (_, i) => w.firstMarketTime + i * REPLAY_BAR_MS);
  // The data is read and the first snapshots built before the clock starts, as a second run would find them.
  await runBacktest({ agents, market, bars: bars.slice(0, 10) });
  const run = await runBacktest({ agents, market, bars });
  const rate = run.cycles / run.seconds;
  console.log(
    `${agents.length} agents × ${count.toLocaleString('en')} bars: ${run.cycles.toLocaleString('en')} agent-cycles in ${run.seconds.toFixed(2)} s`,
  );
  console.log(
    `${Math.round(rate).toLocaleString('en')} agent-cycles/s (target ${TARGET.toLocaleString('en')}): ${rate >= TARGET ? 'met' : 'MISSED'}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
