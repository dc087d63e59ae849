import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { StoredConfigs } from '../arena-config/stored-configs';
import type { Database } from '../db/schema';
import type { MarketClock } from '../market/clock';
import { MarketSnapshots } from '../market/snapshot-cache';
import type { MarketDataSource } from '../market/types';
import type { PaperBooks } from '../venues/paper/books';
import { PostgresPaperBooks } from '../venues/paper/postgres-books';

/** What the activities need from the process that hosts them; built once per worker (see activityDeps). */
export interface ActivityDeps {
  db: Kysely<Database>;
  market: MarketDataSource;
  /** Market snapshots built once per (symbol, bar) for every agent of the worker. */
  snapshots: MarketSnapshots;
  clock: MarketClock;
  /** The agents' configs by digest, as cycles name them. */
  configs: StoredConfigs;
  /** The paper venue's books (Postgres). */
  paperBooks: PaperBooks;
  log: Logger;
  /** For activities that talk to Temporal itself (the order phase asks the trading lock). */
  temporal: Client;
}

/** The deps of a worker's activities from what its process has: the per-bar snapshot cache, the paper books and the config cache are made here. */
export function activityDeps(base: Omit<ActivityDeps, 'snapshots' | 'paperBooks' | 'configs'>): ActivityDeps {
  return {
    ...base,
    snapshots: new MarketSnapshots(base.market),
    paperBooks: new PostgresPaperBooks(base.db),
    configs: new StoredConfigs(base.db),
  };
}
