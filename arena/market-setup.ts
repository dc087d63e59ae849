import type { Kysely } from 'kysely';
import type { ArenaConfig } from '../arena-config/types';
import type { Database } from '../db/schema';
import { liveClock, replayClock, runReplayClock, type ClockRunner, type MarketClock } from '../market/clock';
import { LiveMarketData } from '../market/live';
import { ReplayMarketData } from '../market/replay';
import type { MarketDataSource } from '../market/types';
import { openVenueMarketData } from '../venues/market-data';

export interface MarketSetup {
  market: MarketDataSource;
  /** The market clock every process of the arena reads. */
  clock(db: Kysely<Database>): MarketClock;
  /** Starts the clock where the arena runs it (the launcher): the replay's; live needs none. */
  runClock(db: Kysely<Database>, onError?: (err: unknown) => void): Promise<ClockRunner | null>;
  /** Wall-clock time an agent waits for its first cycle at most (later ones follow the clock's bars). */
  cycleIntervalMs: (agent: { strategy: { scanIntervalMinutes: number } }) => number;
  describe: string;
}

/**
 * Replay: a folder of candles (the bundled ones by default) on the arena's clock, one 3m bar every
 * `replay_cycle_seconds`. Live: the chosen venue's public candles and funding at the present.
 */
export function marketSetup(config: ArenaConfig): MarketSetup {
  if (config.system.marketData === 'replay') {
    const market = new ReplayMarketData(config.system.replayDataDir);
    const barWallMs = config.system.replayCycleSeconds * 1000;
    return {
      market,
      clock: (db) => replayClock(db),
      runClock: async (db, onError) => {
        const w = market.window();
        return runReplayClock(db, { first: w.firstMarketTime, last: w.lastMarketTime }, barWallMs, undefined, onError);
      },
      cycleIntervalMs: () => barWallMs,
      describe: `replay of ${config.system.replayDataDir ?? 'the bundled candles'}, one bar every ${config.system.replayCycleSeconds} s on the arena's clock`,
    };
  }
  const symbols = [...new Set(config.agents.flatMap((a) => a.config?.strategy.symbols ?? []))];
  const live = config.system.liveMarketData;
  return {
    market: new LiveMarketData({ source: openVenueMarketData(live), symbols }),
    clock: () => liveClock(),
    runClock: async () => null,
    cycleIntervalMs: (agent) => agent.strategy.scanIntervalMinutes * 60_000,
    describe: `live ${live.venue}${live.testnet ? ' testnet' : ''} market data${live.baseUrl ? ` from ${live.baseUrl}` : ''}`,
  };
}
