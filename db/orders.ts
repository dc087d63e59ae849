/** The `orders` table: our record of every order we placed, keyed by (agent, client order id). */
import { type Kysely, type Transaction } from 'kysely';
import type { VenueOrder } from '../venues/venue';
import type { Database, OrdersTable } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface OrderContext {
  agentId: string;
  cycleNo: number;
  venue: string;
  account: string;
  purpose: OrdersTable['purpose'];
}

/** Upserts our record of a venue order, so retries never duplicate it. */
export async function saveOrder(db: Db, ctx: OrderContext, order: VenueOrder): Promise<void> {
  const state = stateOf(order);
  await db
    .insertInto('orders')
    .values({
      agent_id: ctx.agentId,
      client_order_id: order.clientOrderId,
      cycle_no: ctx.cycleNo,
      venue: ctx.venue,
      account: ctx.account,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      purpose: ctx.purpose,
      quantity: order.quantity,
      stop_price: order.stopPrice,
      error: null,
      ...state,
      venue_order_id: order.venueOrderId,
    })
    .onConflict((oc) => oc.columns(['agent_id', 'client_order_id']).doUpdateSet({ ...state, venue_order_id: order.venueOrderId }))
    .execute();
}

/** Our record follows what the venue did to the order later (filled by a trigger, cancelled). */
export async function updateOrderState(
  db: Db,
  agentId: string,
  order: Pick<VenueOrder, 'clientOrderId' | 'status' | 'avgPrice' | 'executedQty' | 'fee'>,
): Promise<void> {
  await db
    .updateTable('orders')
    .set(stateOf(order))
    .where('agent_id', '=', agentId)
    .where('client_order_id', '=', order.clientOrderId)
    .execute();
}

export async function orderPurpose(db: Db, agentId: string, clientOrderId: string): Promise<OrdersTable['purpose'] | null> {
  const row = await db
    .selectFrom('orders')
    .select('purpose')
    .where('agent_id', '=', agentId)
    .where('client_order_id', '=', clientOrderId)
    .executeTakeFirst();
  return row?.purpose ?? null;
}

function stateOf(order: Pick<VenueOrder, 'status' | 'avgPrice' | 'executedQty' | 'fee'>) {
  return { status: order.status, avg_price: order.avgPrice, executed_qty: order.executedQty, fee: order.fee, updated_at: new Date() };
}
