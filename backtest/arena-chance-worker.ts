/**
 * The worker thread of backtest/arena-chance.ts: each agent's random-entry twins, kept between
 * messages and advanced through the agent's new bars with the backtester's cycle.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MemoryAgentLedger } from '../ledger/memory-ledger';
import { ReplayMarketData } from '../market/replay';
import { MarketSnapshots } from '../market/snapshot-cache';
import { MemoryPaperBooks } from '../venues/paper/memory-books';
import type { TwinsAnswer, TwinsRequest } from './arena-chance';
import { chanceConfigs } from './chance';
import { type AgentRun, backtestCycle } from './cycle';

const { dataDir, runs: count } = workerData as { dataDir: string; runs: number };
const market = new ReplayMarketData(dataDir);
const snapshots = new MarketSnapshots(market);
const twins = new Map<string, { runs: AgentRun[]; through: number | null }>();
let queue = Promise.resolve();

parentPort!.on('message', (request: TwinsRequest) => {
  // One message at a time, in order: the twins' books move forward only.
  queue = queue
    .then(() => advance(request))
    .catch((err: unknown) => {
      console.error(`arena chance: ${request.agentId}: ${err instanceof Error ? err.message : String(err)}`);
    });
});

async function advance(request: TwinsRequest): Promise<void> {
  let state = twins.get(request.agentId);
  if (!state || request.reset) {
    state = {
      runs: chanceConfigs(request.config, count).map((config) => ({
        config,
        books: new MemoryPaperBooks(),
        ledger: new MemoryAgentLedger(config.id, { latestOnly: true }),
        counts: { consecutiveFailures: 0 },
      })),
      through: null,
    };
    twins.set(request.agentId, state);
  }
  for (const [marketTime, cycleNo] of request.bars) {
    if (state.through !== null && marketTime <= state.through) continue;
    for (const run of state.runs) await backtestCycle(run, { market, snapshots, marketTime, cycleNo });
    state.through = marketTime;
  }
  if (state.through === null) return;
  const returns = state.runs.map((r) => {
    const initial = r.config.strategy.initialBalance;
    return (((r.ledger.cycles.at(-1)?.equity ?? initial) - initial) / initial) * 100;
  });
  parentPort!.postMessage({ agentId: request.agentId, through: state.through, returns } satisfies TwinsAnswer);
}
