import { type ExecutionPlan, executeOrders } from '../execution/execute-orders';
import type { AgentLedger } from '../ledger/agent-ledger';
import { reconcileClosedTrades } from '../ledger/trades';
import type { Venue } from '../venues/venue';
import { accountState, readAccount } from './account-state';
import type { ExecuteResult } from './types';

/**
 * The order phase (execution/execute-orders.ts), then the account once more: the trades our own closes
 * ended are booked, and the balances and positions after the phase are what the cycle records.
 */
export async function executePlan(
  venue: Venue,
  ledger: AgentLedger,
  req: { cycleNo: number; plan: ExecutionPlan; checkFence: () => Promise<void> },
): Promise<ExecuteResult> {
  const executions = await executeOrders({ ledger, venue, cycleNo: req.cycleNo, checkFence: req.checkFence }, req.plan);
  const { balance, positions, orders } = await readAccount(venue);
  const closedTrades = await reconcileClosedTrades(ledger, venue, positions, await ledger.openTrades(), req.cycleNo);
  return { executions, closedTrades, after: accountState(balance, positions, orders) };
}
