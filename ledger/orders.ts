import type { Kysely } from 'kysely';
import type { Database, OrdersTable } from '../db/schema';
import type { VenueOrder } from '../venues/venue';

export interface OrderContext {
  agentId: string;
  cycleNo: number;
  venue: string;
  account: string;
  purpose: OrdersTable['purpose'];
}

/** Upserts our record of a venue order (keyed by agent and client order id), so retries never duplicate it. */
export async function recordOrder(db: Kysely<Database>, ctx: OrderContext, order: VenueOrder): Promise<void> {
  const state = {
    status: order.status,
    avg_price: order.avgPrice,
    executed_qty: order.executedQty,
    fee: order.fee,
    venue_order_id: order.venueOrderId,
    updated_at: new Date(),
  };
  await db.insertInto('orders').values({
    agent_id: ctx.agentId, client_order_id: order.clientOrderId, cycle_no: ctx.cycleNo, venue: ctx.venue,
    account: ctx.account, symbol: order.symbol, side: order.side, type: order.type, purpose: ctx.purpose,
    quantity: order.quantity, stop_price: order.stopPrice, error: null, ...state,
  }).onConflict((oc) => oc.columns(['agent_id', 'client_order_id']).doUpdateSet(state)).execute();
}
