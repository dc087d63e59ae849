import type { MarketInput, MarketPrices } from '../workflows/definitions';
import type { ActivityDeps } from './deps';

export function createMarketActivities(deps: ActivityDeps) {
  return {
    /**
     * The market at the cycle's bar: candles read and indicators computed once per (symbol, bar) for
     * every agent of the worker; the snapshot stays in that cache for the later steps, the prices go on.
     */
    async readMarket({ symbols, marketTime }: MarketInput): Promise<MarketPrices> {
      const { prices } = await deps.snapshots.at(symbols, marketTime);
      return { prices };
    },
  };
}
