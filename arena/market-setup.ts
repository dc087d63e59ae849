import type { ArenaConfig } from '../arena-config/types';
import { liveClock, replayClock, type MarketClock } from '../market/clock';
import { LiveMarketData } from '../market/live';
import { ReplayMarketData } from '../market/replay';
import type { MarketDataSource } from '../market/types';
import { openVenueMarketData } from '../venues/market-data';

export interface MarketSetup {
  market: MarketDataSource;
  clock: MarketClock;
  /** Wall-clock time between an agent's cycles. */
  cycleIntervalMs: (agent: { strategy: { scanIntervalMinutes: number } }) => number;
  describe: string;
}

/**
 * Replay: the bundled candles, one 3m bar per cycle every `replay_cycle_seconds`. Live: the chosen
 * venue's public candles and funding at the present, each agent cycling every scan interval.
 */
export function marketSetup(config: ArenaConfig): MarketSetup {
  if (config.system.marketData === 'replay') {
    return {
      market: new ReplayMarketData(), clock: replayClock,
      cycleIntervalMs: () => config.system.replayCycleSeconds * 1000,
      describe: `replay of the bundled candles, a cycle every ${config.system.replayCycleSeconds} s`,
    };
  }
  const symbols = [...new Set(config.agents.flatMap((a) => a.config?.strategy.symbols ?? []))];
  const live = config.system.liveMarketData;
  return {
    market: new LiveMarketData({ source: openVenueMarketData(live), symbols }),
    clock: liveClock(),
    cycleIntervalMs: (agent) => agent.strategy.scanIntervalMinutes * 60_000,
    describe: `live ${live.venue}${live.testnet ? ' testnet' : ''} market data${live.baseUrl ? ` from ${live.baseUrl}` : ''}`,
  };
}
