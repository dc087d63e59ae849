/** The alert dispatcher's activities: the time-based checks, and sending what the outbox holds (alerts/). */
import { deliverDue } from '../alerts/deliver';
import { checkAgents } from '../alerts/timed-checks';
import { loadAlertSettings } from '../db/alerts';
import type { AlertActivities } from '../workflows/definitions';
import type { ActivityDeps } from './deps';

export function createAlertActivities(deps: ActivityDeps): AlertActivities {
  return {
    async checkTimedAlerts() {
      const stored = await loadAlertSettings(deps.db);
      if (!stored || stored.settings.channels.length === 0) return { enabled: false, checkEveryMs: 0 };
      await checkAgents(deps.db, deps.temporal, stored.settings);
      return { enabled: true, checkEveryMs: stored.settings.checkIntervalSeconds * 1000 };
    },

    async deliverAlerts() {
      const stored = await loadAlertSettings(deps.db);
      return { nextDueAt: stored ? await deliverDue(deps, stored.settings.channels) : null };
    },
  };
}
