/** A worker thread of backtest/chance.ts: runs its share of the random-entry twins and posts each one's return. */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayMarketData } from '../market/replay';
import type { ChanceRequest } from './chance';
import { runBacktest } from './engine';

async function main(): Promise<void> {
  const request = workerData as ChanceRequest;
  const schedule = request.schedule ? new Map(request.schedule) : undefined;
  const run = await runBacktest({
    agents: request.configs,
    market: new ReplayMarketData(request.dataDir),
    bars: request.bars,
    snapshotThread: false,
    ...(schedule && { schedule: () => schedule }),
    onBar: (done) => {
      if (done % 100 === 0) parentPort!.postMessage({ progress: done });
    },
  });
  const result = run.runs.map((r) => {
    const initial = r.config.strategy.initialBalance;
    const end = r.ledger.cycles.at(-1)?.equity ?? initial;
    return [r.config.id, ((end - initial) / initial) * 100];
  });
  parentPort!.postMessage({ result });
}

void main();
