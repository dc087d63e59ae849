import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema';
import type { MarketClock } from '../market/clock';
import type { MarketDataSource } from '../market/types';

/** What the activities need from the process that hosts them; built once per worker. */
export interface ActivityDeps {
  db: Kysely<Database>;
  market: MarketDataSource;
  clock: MarketClock;
  log: Logger;
  /** For activities that talk to Temporal itself (the trading lock's signal-with-start). */
  temporal: Client;
}
