import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { ExchangeConfig } from '../arena-config/types';
import type { Database } from '../db/schema';
import type { MarketDataSource } from '../market/types';
import { PaperVenue } from './paper/paper-venue';
import type { Venue } from './venue';

export interface VenueDeps {
  db: Kysely<Database>;
  market: MarketDataSource;
}

/** The venue an agent trades on, seen at market time `asOf`. */
export function openVenue(deps: VenueDeps, exchange: ExchangeConfig, initialBalance: number, asOf: number): Venue {
  if (exchange.type === 'paper') {
    return new PaperVenue({
      db: deps.db, market: deps.market, account: exchange.account, initialBalance,
      takerFeeRate: exchange.takerFeeRate, slippageRate: exchange.slippageRate, asOf,
    });
  }
  throw ApplicationFailure.nonRetryable(
    `venue "${exchange.type}" has no adapter in this version; use exchange.type: paper`, 'VenueUnavailable',
  );
}
