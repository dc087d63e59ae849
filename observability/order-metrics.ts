import type { ExecutionResult } from '../execution/execute-orders';
import { emergencyCloses, orders } from './metrics';

/** An order phase's orders and cancels by purpose (their leg) and status, and its emergency closes. */
export function countOrders(agent: string, venue: string, executions: ExecutionResult[]): void {
  for (const e of executions) {
    orders.inc({ agent, venue, purpose: e.leg, status: e.status });
    if (e.leg === 'emergency_close') emergencyCloses.inc({ agent, venue });
  }
}
