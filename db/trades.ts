/** The `trades` table: one row per position the agent opened, closed when the venue says it is gone. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { TimeRange } from './cycles';
import type { Database, NewTrade, TradeRow } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Inserts an opened trade, once per opening order. */
export async function insertOpenedTrade(db: Db, trade: Omit<NewTrade, 'id'>): Promise<void> {
  await db
    .insertInto('trades')
    .values(trade)
    .onConflict((oc) => oc.columns(['agent_id', 'open_order_id']).doNothing())
    .execute();
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
  await db
    .updateTable('trades')
    .set({
      status: 'closed',
      exit_price: c.exitPrice,
      close_cycle: c.closeCycle,
      close_order_id: c.closeOrderId,
      closed_at: c.closedAt,
      fees: c.fees,
      funding: c.funding,
      realized_pnl: c.realizedPnl,
      pnl: c.pnl,
      close_reason: c.reason,
    })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .execute();
}

/** A page of trades, newest first (time range on the opening time). */
export function tradesPage(
  db: Db,
  agentId: string,
  filter: TimeRange & { status?: 'open' | 'closed' },
  limit: number,
  offset: number,
): Promise<TradeRow[]> {
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

export interface OpenTradeCost {
  symbol: string;
  side: 'long' | 'short';
  margin: string;
  opened_at: Date;
  /** The opening fill's fee: what the trade has paid in fees while open. */
  opening_fee: string;
  /** Σ funding settled on the position while open (signed as received); null off the paper venue. */
  funding: string | null;
}

/**
 * Trades open at the end of `[from, to)`: opened before `to` and not closed before it (without `to`,
 * the trades open now), with what they have cost so far.
 *
 * - Fees: an open trade's `fees` is its opening fee (the closing fee is added at the close); a trade
 *   closed since `to` has both legs in `fees`, so its opening fill's fee is read from `fills` (there
 *   for every order since migration 004; without it both legs count, never less than was paid).
 * - Funding: the ledger books a trade's funding when it closes. While it is open, the paper venue
 *   has already settled it in `paper_income` (the agent's paper account, the trade's symbol, after
 *   the opening instant, before `to`), the same rows the close will sum (ledger/trades.ts). Live
 *   venues report funding only through their own API, read at the close: null there.
 */
export async function tradesOpenAt(db: Db, agentId: string, to?: Date): Promise<OpenTradeCost[]> {
  const { rows } = await sql<OpenTradeCost>`
    select t.symbol, t.side, t.margin, t.opened_at,
      case when t.status = 'open' then t.fees else coalesce(f.fee, t.fees) end as opening_fee,
      case when a.venue = 'paper' then coalesce((
        select sum(i.amount) from paper_income i
        where i.account_id = a.account and i.symbol = t.symbol and i.income_type = 'FUNDING_FEE'
          and i.time > floor(extract(epoch from t.opened_at) * 1000)${to ? sql` and i.time < ${to.getTime()}` : sql``}
      ), 0) end as funding
    from trades t
    join agents a on a.id = t.agent_id
    left join fills f on f.agent_id = t.agent_id and f.client_order_id = t.open_order_id
    where t.agent_id = ${agentId}
      ${to ? sql`and t.opened_at < ${to} and (t.status = 'open' or t.closed_at >= ${to})` : sql`and t.status = 'open'`}
    order by t.id`.execute(db);
  return rows;
}

/** The last stop-loss exit per symbol, and how many positions were opened after `since`. */
export async function stopsAndOpens(
  db: Db,
  agentId: string,
  since: Date,
): Promise<{ lastStopLossAt: Record<string, number>; opensSince: number }> {
  const stops = await db
    .selectFrom('trades')
    .select(['symbol', (eb) => eb.fn.max('closed_at').as('at')])
    .where('agent_id', '=', agentId)
    .where('close_reason', '=', 'stop_loss')
    .groupBy('symbol')
    .execute();
  const opens = await db
    .selectFrom('trades')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agent_id', '=', agentId)
    .where('opened_at', '>', since)
    .executeTakeFirstOrThrow();
  return {
    lastStopLossAt: Object.fromEntries(stops.filter((s) => s.at).map((s) => [s.symbol, new Date(s.at as Date).getTime()])),
    opensSince: Number(opens.n),
  };
}
