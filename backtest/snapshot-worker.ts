/**
 * The worker thread of SnapshotFeed: builds every asked symbol's snapshot at every bar, in order, a
 * batch at a time, and waits for credit once BATCHES_AHEAD batches are unread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayMarketData } from '../market/replay';
import { fetchSymbolSnapshot, NoMarketDataError } from '../market/snapshot';
import type { FeedRequest, SnapshotBatch, SymbolPart } from './snapshot-feed';

const { request, credits: initialCredits } = workerData as { request: FeedRequest; credits: number };
let credits = initialCredits;
let resume: (() => void) | null = null;

parentPort!.on('message', () => {
  credits += 1;
  resume?.();
  resume = null;
});

async function main(): Promise<void> {
  const market = new ReplayMarketData(request.dataDir);
  for (let start = 0; start < request.bars.length; start += request.batchSize) {
    while (credits === 0) await new Promise<void>((r) => (resume = r));
    credits -= 1;
    const batch: SnapshotBatch = { bars: [] };
    for (const marketTime of request.bars.slice(start, start + request.batchSize)) {
      const symbols: Record<string, SymbolPart> = {};
      for (const symbol of request.symbols) {
        try {
          symbols[symbol] = await fetchSymbolSnapshot(market, symbol, marketTime);
        } catch (err) {
          symbols[symbol] = { error: err instanceof Error ? err.message : String(err), noData: err instanceof NoMarketDataError };
        }
      }
      batch.bars.push({ marketTime, symbols });
    }
    parentPort!.postMessage(batch);
  }
}

void main();
