import { saveGrant } from '../db/trading-locks';
import type { ActivityDeps } from './deps';

export function createLockGrantActivities(deps: ActivityDeps) {
  return {
    /**
     * Writes a grant's fencing token and lease before the holder learns of it; the lease end comes from
     * the database clock, the clock the order phase checks it against. Tokens only ever grow.
     */
    async recordLockGrant(grant: { lockId: string; token: number; holder: string; leaseMs: number }): Promise<number> {
      const expiresAt = await saveGrant(deps.db, grant);
      if (expiresAt === null) throw new Error(`lock ${grant.lockId}: token ${grant.token} is older than the recorded one`);
      return expiresAt;
    },
  };
}
