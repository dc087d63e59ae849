/**
 * The cycle's steps as Temporal activities, one file each: sync, market, decide, risk, execute,
 * record; and the trading lock's grant. Each is a thin function over the cycle's core (cycle/), with
 * the arena's Postgres books and venues; the backtester drives the same core in memory.
 */
import type { AgentActivities, AlertActivities, CycleActivities, LockActivities } from '../workflows/definitions';
import { createAlertActivities } from './alerts';
import { createDecideActivities } from './decide';
import type { ActivityDeps } from './deps';
import { withDomainFailures } from './failures';
import { createExecuteActivities } from './execute';
import { withHeartbeats } from './keep-alive';
import { createLockGrantActivities } from './lock-grants';
import { createMarketActivities } from './market';
import { createRecordActivities } from './record';
import { withRedactedFailures } from './redacted-failures';
import { createRiskActivities } from './risk';
import { withStepTimings } from './step-timings';
import { createSyncActivities } from './sync';

export type ArenaActivities = CycleActivities & AgentActivities & LockActivities & AlertActivities;

export function createActivities(deps: ActivityDeps): ArenaActivities {
  return withHeartbeats(
    withStepTimings(
      withRedactedFailures(
        withDomainFailures({
          ...createSyncActivities(deps),
          ...createMarketActivities(deps),
          ...createDecideActivities(deps),
          ...createRiskActivities(deps),
          ...createExecuteActivities(deps),
          ...createRecordActivities(deps),
          ...createLockGrantActivities(deps),
          ...createAlertActivities(deps),
        }),
      ),
    ),
  );
}
