import type { ActivityDeps } from './deps';
import { createRecordActivities } from './records';
import { createTradingActivities } from './trading';

export function createActivities(deps: ActivityDeps) {
  return { ...createTradingActivities(deps), ...createRecordActivities(deps) };
}

export type ArenaActivities = ReturnType<typeof createActivities>;
