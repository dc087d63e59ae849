import { Kysely, sql } from 'kysely';

/**
 * Fills: one row per filled order (our venues report one fill per order), keyed by (agent, client
 * order id) so a retried activity never adds a second. Ours (opens, closes, emergency closes) and the
 * venue's own (stop-loss, take-profit, liquidation, by hand). `time` is the venue's (market) time of
 * the fill; `recorded_at` when we wrote it down.
 *
 * Databases that already hold paper-venue history get its fills back from the paper books: every
 * FILLED paper order that one of our orders or one of our closed trades points at.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('fills')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('client_order_id', 'text', (c) => c.notNull())
    .addColumn('venue', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('price', 'numeric', (c) => c.notNull())
    .addColumn('fee', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('realized_pnl', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('time', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('fills_pk', ['agent_id', 'client_order_id'])
    .execute();
  await db.schema.createIndex('fills_agent_time').on('fills').columns(['agent_id', 'time']).execute();

  await sql`
    insert into fills (agent_id, client_order_id, venue, account, symbol, side, quantity, price, fee, realized_pnl, time)
    select ours.agent_id, p.client_order_id, 'paper', p.account_id, p.symbol, p.side, p.executed_qty, p.avg_price,
           p.fee, p.realized_pnl, to_timestamp(0) + p.update_time * interval '1 millisecond'
    from paper_orders p
    join (
      select o.agent_id, o.account, o.client_order_id from orders o where o.venue = 'paper'
      union
      select t.agent_id, a.account, t.close_order_id from trades t join agents a on a.id = t.agent_id
      where t.close_order_id is not null and a.venue = 'paper'
    ) ours on ours.account = p.account_id and ours.client_order_id = p.client_order_id
    where p.status = 'FILLED' and p.avg_price is not null
    on conflict (agent_id, client_order_id) do nothing
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('fills').execute();
}
