import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { VenueOrder } from '../venues/venue';

export interface FillOwner {
  agentId: string;
  venue: string;
  account: string;
}

/**
 * Records a filled order as its fill, once: (agent, client order id) is the key and a second call
 * changes nothing, so a retried activity never duplicates a row. Orders not (yet) filled are ignored.
 */
export async function recordFill(db: Kysely<Database>, owner: FillOwner, order: VenueOrder): Promise<boolean> {
  if (order.status !== 'FILLED' || order.avgPrice === null || !(order.executedQty > 0)) return false;
  const inserted = await db.insertInto('fills').values({
    agent_id: owner.agentId, client_order_id: order.clientOrderId, venue: owner.venue, account: owner.account,
    symbol: order.symbol, side: order.side, quantity: order.executedQty, price: order.avgPrice, fee: order.fee,
    realized_pnl: order.realizedPnl, time: new Date(order.updatedAt),
  }).onConflict((oc) => oc.columns(['agent_id', 'client_order_id']).doNothing())
    .returning('client_order_id').executeTakeFirst();
  return inserted !== undefined;
}
