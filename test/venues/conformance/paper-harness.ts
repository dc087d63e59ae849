import type { Candle } from '../../../market/types';
import { PaperVenue } from '../../../venues/paper/paper-venue';
import { BAR_MS, FixtureMarket } from '../../fixtures/fixture-market';
import { createMigratedTestDatabase } from '../../support/database';
import type { HarnessFactory } from './harness';

const T0 = Date.UTC(2026, 0, 1);

/** The paper venue on a market the test writes bar by bar: each price move is one more 3m bar. */
export const paperHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const database = await createMigratedTestDatabase(2);
  const series: Candle[] = [];
  const market = new FixtureMarket({ [symbol]: series });
  const addBar = (p: number) => series.push({ openTime: T0 + series.length * BAR_MS, open: p, high: p, low: p, close: p, volume: 1 });
  addBar(price);
  addBar(price);
  return {
    venue: () =>
      new PaperVenue({
        books: PaperVenue.postgresBooks(database.db),
        market,
        account: 'conformance',
        initialBalance: balance,
        takerFeeRate: 0.0005,
        slippageRate: 0,
        asOf: T0 + series.length * BAR_MS,
      }),
    async setPrice(_symbol, p) {
      addBar(p);
    },
    close: () => database.close(),
  };
};
