/**
 * The market snapshots of a backtest, built ahead on a worker thread while the agents trade on this
 * one: a snapshot depends only on the data and its bar, so the two threads share nothing but the
 * finished snapshots (numbers copy exactly). On a 2-core machine this roughly halves a backtest of a
 * few agents, whose time otherwise goes a third to the indicators.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../infra/worker-thread';
import type { MarketView, MarketViews } from '../market/snapshot-cache';
import { NoMarketDataError, type SymbolSnapshot } from '../market/snapshot';

/** What the worker sends: one batch of consecutive bars, each symbol's snapshot or why there is none. */
export interface SnapshotBatch {
  bars: { marketTime: number; symbols: Record<string, SymbolPart> }[];
}
export type SymbolPart = { snapshot: SymbolSnapshot; price: number } | { error: string; noData: boolean };

export interface FeedRequest {
  dataDir: string;
  symbols: string[];
  bars: number[];
  batchSize: number;
}

/** Batches in flight ahead of the agents: enough to keep the worker busy, few enough to bound memory. */
const BATCHES_AHEAD = 4;
const BATCH_SIZE = 200;

export class SnapshotFeed implements MarketViews {
  private readonly worker: Worker;
  private readonly ready = new Map<number, Record<string, SymbolPart>>();
  private waiting: { marketTime: number; resolve: () => void } | null = null;
  private failure: Error | null = null;

  constructor(dataDir: string, symbols: readonly string[], bars: readonly number[]) {
    const request: FeedRequest = { dataDir, symbols: [...symbols], bars: [...bars], batchSize: BATCH_SIZE };
    this.worker = startWorker(require.resolve('./snapshot-worker'), { request, credits: BATCHES_AHEAD });
    this.worker.on('message', (batch: SnapshotBatch) => {
      for (const bar of batch.bars) this.ready.set(bar.marketTime, bar.symbols);
      this.wake();
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      this.wake();
    });
    this.worker.on('exit', (code) => {
      if (code !== 0 && !this.failure) this.failure = new Error(`snapshot worker exited with code ${code}`);
      this.wake();
    });
  }

  async at(symbols: readonly string[], marketTime: number): Promise<MarketView> {
    let bar = this.ready.get(marketTime);
    while (!bar) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = { marketTime, resolve }));
      bar = this.ready.get(marketTime);
    }
    this.release(marketTime);
    const snapshot: SymbolSnapshot[] = [];
    const prices: Record<string, number> = {};
    for (const symbol of symbols) {
      const part = bar[symbol];
      if (!part) throw new Error(`snapshot feed: ${symbol} was not asked of the worker`);
      if ('error' in part) throw part.noData ? new NoMarketDataError(part.error) : new Error(part.error);
      snapshot.push(part.snapshot);
      prices[symbol] = part.price;
    }
    return { snapshot, prices };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  /** Bars before `marketTime` are done with: dropped, and the worker may build a batch more per batch dropped. */
  private release(marketTime: number): void {
    for (const time of this.ready.keys()) {
      if (time >= marketTime) break;
      this.ready.delete(time);
      this.dropped += 1;
      if (this.dropped % BATCH_SIZE === 0) this.worker.postMessage('more');
    }
  }
  private dropped = 0;

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve();
  }
}
