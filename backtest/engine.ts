/**
 * The backtester's driver: the arena's agents over a window of bars, in one process, as fast as the
 * CPU allows. Each bar's market snapshot is built once for every agent (as a worker does); each agent
 * runs the arena's cycle (backtest/cycle.ts) on its own books in memory. Deterministic: the same
 * agents, data and window give the same orders, fills and trades.
 */
import type { AgentConfig } from '../arena-config/types';
import type { ModelGateway } from '../cycle/decide';
import { MemoryAgentLedger } from '../ledger/memory-ledger';
import { ReplayMarketData } from '../market/replay';
import { MarketSnapshots, type MarketViews } from '../market/snapshot-cache';
import type { MarketDataSource } from '../market/types';
import { MemoryPaperBooks } from '../venues/paper/memory-books';
import { type AgentRun, backtestCycle } from './cycle';
import { BudgetExceeded } from './models';
import { SnapshotFeed } from './snapshot-feed';

export interface BacktestInput {
  agents: AgentConfig[];
  market: MarketDataSource;
  /** The bars to run at (market times, oldest first). */
  bars: readonly number[];
  /**
   * The cycle numbers an agent's cycles get, by bar (default 1, 2, 3... on the bars its scan interval
   * picks). The parity test gives the arena's own numbers: random-entry draws by cycle number.
   */
  schedule?: (agent: AgentConfig) => Map<number, number>;
  /** The model each LLM agent is asked through (recorded replies first). */
  models?: (agent: AgentConfig) => ModelGateway;
  /** An agent that replays recorded decisions instead of deciding (decision replay). */
  decisions?: (agent: AgentConfig) => AgentRun['decisions'];
  onBar?: (index: number, total: number) => void;
  /** Build the snapshots on a worker thread ahead of the agents (replay data only; default true). */
  snapshotThread?: boolean;
}

export interface BacktestRun {
  runs: AgentRun[];
  cycles: number;
  seconds: number;
  /** Bars every agent was run at: all of them, unless the run stopped early. */
  barsRun: number;
  /** Why the run stopped before the last bar (the model budget), or null. */
  stopped: string | null;
}

export async function runBacktest(input: BacktestInput): Promise<BacktestRun> {
  const snapshots = marketViews(input);
  const runs: AgentRun[] = input.agents.map((config) => ({
    config,
    books: new MemoryPaperBooks(),
    ledger: new MemoryAgentLedger(config.id),
    counts: { consecutiveFailures: 0 },
    ...(input.decisions && { decisions: input.decisions(config) }),
  }));
  const schedules = runs.map((r) => (input.schedule ?? everyScanInterval(input.bars))(r.config));
  const models = runs.map((r) => input.models?.(r.config));
  const started = performance.now();
  let cycles = 0;
  let barsRun = 0;
  let stopped: string | null = null;
  try {
    for (let i = 0; i < input.bars.length; i++) {
      const marketTime = input.bars[i]!;
      for (let a = 0; a < runs.length; a++) {
        const cycleNo = schedules[a]!.get(marketTime);
        if (cycleNo === undefined) continue;
        await backtestCycle(runs[a]!, { market: input.market, snapshots, marketTime, cycleNo, models: models[a] });
        cycles += 1;
      }
      barsRun = i + 1;
      input.onBar?.(i + 1, input.bars.length);
    }
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    stopped = err.message;
  } finally {
    if (snapshots instanceof SnapshotFeed) await snapshots.close();
  }
  return { runs, cycles, seconds: (performance.now() - started) / 1000, barsRun, stopped };
}

/** The feed on its own thread for replay data, else snapshots built in turn (any other source). */
function marketViews(input: BacktestInput): MarketViews {
  if (input.snapshotThread === false || !(input.market instanceof ReplayMarketData)) return new MarketSnapshots(input.market);
  const symbols = [...new Set(input.agents.flatMap((a) => a.strategy.symbols))].sort();
  return new SnapshotFeed(input.market.dataDir, symbols, input.bars);
}

/** An agent cycles on every `scanIntervalMinutes / 3` bars from the first, numbered 1, 2, 3... as in the arena. */
export function everyScanInterval(bars: readonly number[]) {
  return (agent: AgentConfig): Map<number, number> => {
    const every = Math.max(1, Math.round(agent.strategy.scanIntervalMinutes / 3));
    const schedule = new Map<number, number>();
    for (let i = 0; i < bars.length; i += every) schedule.set(bars[i]!, schedule.size + 1);
    return schedule;
  };
}
