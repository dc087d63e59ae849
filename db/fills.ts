/** The `fills` table: every filled order of an agent (ours, and the venue's own: triggers, liquidations). */
import { type Kysely, type Transaction } from 'kysely';
import type { VenueOrder } from '../venues/venue';
import type { Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface FillOwner {
  agentId: string;
  venue: string;
  account: string;
}

/**
 * Records a filled order as its fill, once: (agent, client order id) is the key and a second call
 * changes nothing. Orders not (yet) filled are ignored. True when a row was written.
 */
export async function saveFill(db: Db, owner: FillOwner, order: VenueOrder): Promise<boolean> {
  if (order.status !== 'FILLED' || order.avgPrice === null || !(order.executedQty > 0)) return false;
  const inserted = await db
    .insertInto('fills')
    .values({
      agent_id: owner.agentId,
      client_order_id: order.clientOrderId,
      venue: owner.venue,
      account: owner.account,
      symbol: order.symbol,
      side: order.side,
      quantity: order.executedQty,
      price: order.avgPrice,
      fee: order.fee,
      realized_pnl: order.realizedPnl,
      time: new Date(order.updatedAt),
    })
    .onConflict((oc) => oc.columns(['agent_id', 'client_order_id']).doNothing())
    .returning('client_order_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Σ fee of the agent's fills in `[from, to)` (market time). */
export async function feesBetween(db: Db, agentId: string, from: Date, to: Date): Promise<number> {
  const row = await db
    .selectFrom('fills')
    .select((eb) => eb.fn.sum<string | null>('fee').as('fees'))
    .where('agent_id', '=', agentId)
    .where('time', '>=', from)
    .where('time', '<', to)
    .executeTakeFirst();
  return Number(row?.fees ?? 0);
}
