import { executePlan } from '../cycle/execute-plan';
import type { ExecuteResult } from '../cycle/types';
import { assertFence } from '../execution/fencing';
import { tradingLockWait } from '../observability/metrics';
import { countOrders } from '../observability/order-metrics';
import type { PlaceOrdersInput } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { agentLedger, venueOf } from './books';
import { acquireTradingLock, releaseTradingLock } from './trading-lock';

export function createExecuteActivities(deps: ActivityDeps) {
  return {
    /**
     * The order phase under the account's trading lock: the grant is asked for and waited on here, every
     * order and cancel is checked against the grant's fencing token in Postgres, and the lock is given
     * back when the phase ends (a worker that dies holding it loses it when the lease runs out; the
     * retry asks again under the same request id).
     */
    async placeOrders(input: PlaceOrdersInput): Promise<ExecuteResult> {
      const venue = input.ref.exchange.type;
      const waited = tradingLockWait.startTimer({ venue });
      const grant = await acquireTradingLock(deps.temporal, input.lockId, input.requestId);
      waited();
      try {
        const result = await executePlan(venueOf(deps, input.ref, input.marketTime), agentLedger(deps, input.ref.agentId), {
          cycleNo: input.cycleNo,
          plan: input.plan,
          checkFence: () => assertFence(deps.db, { lockId: input.lockId, token: grant.token }),
        });
        countOrders(input.ref.agentId, venue, result.executions);
        return result;
      } finally {
        await releaseTradingLock(deps.temporal, input.lockId, input.requestId, grant.token).catch((err) =>
          deps.log.warn({ err, lockId: input.lockId }, 'could not release the trading lock; its lease will end it'),
        );
      }
    },
  };
}
