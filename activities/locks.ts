import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { acquireLockSignal, type LockRequest } from '../workflows/trading-lock-definitions';
import type { ActivityDeps } from './deps';

export function createLockActivities(deps: ActivityDeps) {
  return {
    /** Asks the lock workflow for the lock, starting it when it does not run yet. Repeating it is harmless. */
    async requestTradingLock(lockId: string, request: LockRequest): Promise<void> {
      await deps.temporal.workflow.signalWithStart('tradingLockWorkflow', {
        workflowId: lockId,
        taskQueue: Context.current().info.taskQueue,
        args: [{ lockId }],
        signal: acquireLockSignal,
        signalArgs: [request],
        staticSummary: `trading lock ${lockId}`,
      });
    },

    /**
     * Writes a grant's fencing token and lease before the grant is sent; the lease end comes from the
     * database clock, the same clock the order activity checks it with. Tokens only ever grow.
     */
    async recordLockGrant(grant: { lockId: string; token: number; holder: string; leaseMs: number }): Promise<number> {
      const expires = sql<Date>`now() + make_interval(secs => ${grant.leaseMs / 1000})`;
      const row = await deps.db.insertInto('trading_locks')
        .values({ lock_id: grant.lockId, token: grant.token, holder: grant.holder, expires_at: expires })
        .onConflict((oc) => oc.column('lock_id').doUpdateSet({ token: grant.token, holder: grant.holder, expires_at: expires })
          .where('trading_locks.token', '<=', String(grant.token)))
        .returning('expires_at')
        .executeTakeFirst();
      if (!row) throw new Error(`lock ${grant.lockId}: token ${grant.token} is older than the recorded one`);
      return row.expires_at.getTime();
    },
  };
}
