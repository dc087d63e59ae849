import type { AccountRef } from '../cycle/types';
import { PostgresAgentLedger } from '../ledger/postgres-ledger';
import { openVenue } from '../venues/open-venue';
import type { Venue } from '../venues/venue';
import type { ActivityDeps } from './deps';

/** The agent's venue account, seen at market time `asOf`. */
export function venueOf(deps: ActivityDeps, ref: AccountRef, asOf: number): Venue {
  return openVenue(deps, ref.exchange, ref.initialBalance, asOf);
}

/** The agent's own books, in Postgres. */
export function agentLedger(deps: ActivityDeps, agentId: string): PostgresAgentLedger {
  return new PostgresAgentLedger(deps.db, agentId);
}
