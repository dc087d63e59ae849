/** The `trades` table: one row per position the agent opened, closed when the venue says it is gone. */
import { type Kysely, type Transaction } from 'kysely';
import type { TimeRange } from './cycles';
import type { Database, NewTrade, TradeRow } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts an opened trade, once per opening order. */
export async function insertOpenedTrade(db: Db, trade: Omit<NewTrade, 'id'>): Promise<void> {
  await db.insertInto('trades').values(trade).onConflict((oc) => oc.columns(['agent_id', 'open_order_id']).doNothing()).execute();
}

export function openTrades(db: Db, agentId: string): Promise<TradeRow[]> {
  return db.selectFrom('trades').selectAll().where('agent_id', '=', agentId).where('status', '=', 'open').orderBy('id').execute();
}

export interface TradeClose {
  exitPrice: string;
  closeCycle: number;
  closeOrderId: string;
  closedAt: Date;
  fees: string;
  funding: string;
  realizedPnl: string;
  pnl: string;
  reason: string;
}

/** Closes an open trade (a trade already closed stays as it is). */
export async function closeTrade(db: Db, id: number, c: TradeClose): Promise<void> {
  await db.updateTable('trades').set({
    status: 'closed', exit_price: c.exitPrice, close_cycle: c.closeCycle, close_order_id: c.closeOrderId,
    closed_at: c.closedAt, fees: c.fees, funding: c.funding, realized_pnl: c.realizedPnl, pnl: c.pnl, close_reason: c.reason,
  }).where('id', '=', id).where('status', '=', 'open').execute();
}

/** A page of trades, newest first (time range on the opening time). */
export function tradesPage(db: Db, agentId: string, filter: TimeRange & { status?: 'open' | 'closed' }, limit: number, offset: number): Promise<TradeRow[]> {
  let q = db.selectFrom('trades').selectAll().where('agent_id', '=', agentId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.from) q = q.where('opened_at', '>=', filter.from);
  if (filter.to) q = q.where('opened_at', '<', filter.to);
  return q.orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

/** Closed trades, newest close first (feedback), or in a close-time range in close order (statistics). */
export function closedTrades(db: Db, agentId: string, range: TimeRange = {}, order: 'newest' | 'oldest' = 'oldest'): Promise<TradeRow[]> {
  let q = db.selectFrom('trades').selectAll().where('agent_id', '=', agentId).where('status', '=', 'closed');
  if (range.from) q = q.where('closed_at', '>=', range.from);
  if (range.to) q = q.where('closed_at', '<', range.to);
  return order === 'oldest'
    ? q.orderBy('closed_at').orderBy('id').execute()
    : q.orderBy('closed_at', 'desc').orderBy('id', 'desc').execute();
}

/** The last stop-loss exit per symbol, and how many positions were opened after `since`. */
export async function stopsAndOpens(db: Db, agentId: string, since: Date): Promise<{ lastStopLossAt: Record<string, number>; opensSince: number }> {
  const stops = await db.selectFrom('trades').select(['symbol', (eb) => eb.fn.max('closed_at').as('at')])
    .where('agent_id', '=', agentId).where('close_reason', '=', 'stop_loss').groupBy('symbol').execute();
  const opens = await db.selectFrom('trades').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agent_id', '=', agentId).where('opened_at', '>', since).executeTakeFirstOrThrow();
  return {
    lastStopLossAt: Object.fromEntries(stops.filter((s) => s.at).map((s) => [s.symbol, new Date(s.at as Date).getTime()])),
    opensSince: Number(opens.n),
  };
}
