import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { ChanceBenchmark } from '../analytics/chance';
import type { Database } from '../db/schema';
import type { AgentStates } from './agent-state';
import type { AuthOptions } from './auth';

/** What every route group is built from. */
export interface ApiDeps {
  db: Kysely<Database>;
  temporal: Client;
}

/** ApiDeps plus what createApp makes once for all groups. */
export interface RouteDeps extends ApiDeps {
  states: AgentStates;
}

export interface ApiOptions {
  /** Tokens and CORS (see auth.ts; `authFromEnv()` reads them from the environment). Default: control disabled, reads open, no CORS. */
  auth?: AuthOptions;
  /** How long run-cycle and config changes wait for the workflow before answering 202 (default 60 s). */
  updateWaitMs?: number;
  /** Where the leaderboard's "better than chance?" comes from (backtest/arena-chance.ts); default: not computed. */
  chance?: ChanceBenchmark;
  /** Where unexpected errors are logged (default console.error). */
  logError?: (err: unknown) => void;
}
