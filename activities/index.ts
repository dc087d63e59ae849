import { createDecideActivities } from './decide';
import type { ActivityDeps } from './deps';
import { withHeartbeats } from './keep-alive';
import { createLockActivities } from './locks';
import { createRecordActivities } from './records';
import { withRedactedFailures } from './redacted-failures';
import { createTradingActivities } from './trading';
import { withVenueFailures } from './venue-failures';

export function createActivities(deps: ActivityDeps) {
  return withHeartbeats(withRedactedFailures(withVenueFailures({
    ...createTradingActivities(deps), ...createDecideActivities(deps), ...createRecordActivities(deps), ...createLockActivities(deps),
  })));
}

export type ArenaActivities = ReturnType<typeof createActivities>;
