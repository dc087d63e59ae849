import { Kysely, sql } from 'kysely';

/** Records of the arena (agents, decision log, orders, trades, equity) and the paper venue's books. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('venue', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('initial_balance', 'numeric', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('cycle_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_cycle_at', 'timestamptz')
    .addColumn('last_cycle_status', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('cycles')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('market_time', 'timestamptz')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('input', 'jsonb', (c) => c.notNull())
    .addColumn('reasoning', 'text')
    .addColumn('decisions', 'jsonb', (c) => c.notNull())
    .addColumn('risk_verdicts', 'jsonb', (c) => c.notNull())
    .addColumn('executions', 'jsonb', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cycles_pk', ['agent_id', 'cycle_no'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('client_order_id', 'text', (c) => c.notNull())
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('venue', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('stop_price', 'numeric')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('avg_price', 'numeric')
    .addColumn('executed_qty', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('fee', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('venue_order_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('orders_pk', ['agent_id', 'client_order_id'])
    .execute();
  await db.schema.createIndex('orders_agent_cycle').on('orders').columns(['agent_id', 'cycle_no']).execute();

  await db.schema
    .createTable('trades')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('leverage', 'integer', (c) => c.notNull())
    .addColumn('margin', 'numeric', (c) => c.notNull())
    .addColumn('entry_price', 'numeric', (c) => c.notNull())
    .addColumn('exit_price', 'numeric')
    .addColumn('stop_loss', 'numeric')
    .addColumn('take_profit', 'numeric')
    .addColumn('open_cycle', 'integer', (c) => c.notNull())
    .addColumn('close_cycle', 'integer')
    .addColumn('open_order_id', 'text', (c) => c.notNull())
    .addColumn('close_order_id', 'text')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('fees', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('funding', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('realized_pnl', 'numeric')
    .addColumn('pnl', 'numeric')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('close_reason', 'text')
    .addUniqueConstraint('trades_open_order_unique', ['agent_id', 'open_order_id'])
    .execute();
  await db.schema.createIndex('trades_agent_status').on('trades').columns(['agent_id', 'status']).execute();

  await db.schema
    .createTable('equity_snapshots')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('cycle_no', 'integer', (c) => c.notNull())
    .addColumn('market_time', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('equity', 'numeric', (c) => c.notNull())
    .addColumn('cash', 'numeric', (c) => c.notNull())
    .addColumn('margin', 'numeric', (c) => c.notNull())
    .addColumn('unrealized_pnl', 'numeric', (c) => c.notNull())
    .addColumn('position_count', 'integer', (c) => c.notNull())
    .addColumn('positions', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('equity_snapshots_pk', ['agent_id', 'cycle_no'])
    .execute();

  await db.schema
    .createTable('paper_accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('initial_balance', 'numeric', (c) => c.notNull())
    .addColumn('cash', 'numeric', (c) => c.notNull())
    .addColumn('market_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('paper_symbol_settings')
    .addColumn('account_id', 'text', (c) => c.notNull().references('paper_accounts.account_id'))
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('leverage', 'integer', (c) => c.notNull())
    .addColumn('margin_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_symbol_settings_pk', ['account_id', 'symbol'])
    .execute();

  await db.schema
    .createTable('paper_positions')
    .addColumn('account_id', 'text', (c) => c.notNull().references('paper_accounts.account_id'))
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('entry_price', 'numeric', (c) => c.notNull())
    .addColumn('leverage', 'integer', (c) => c.notNull())
    .addColumn('margin', 'numeric', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_positions_pk', ['account_id', 'symbol'])
    .execute();

  await db.schema
    .createTable('paper_orders')
    .addColumn('order_id', 'bigserial', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull().references('paper_accounts.account_id'))
    .addColumn('client_order_id', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('quantity', 'numeric', (c) => c.notNull())
    .addColumn('stop_price', 'numeric')
    .addColumn('reduce_only', 'boolean', (c) => c.notNull())
    .addColumn('close_position', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('executed_qty', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('avg_price', 'numeric')
    .addColumn('fee', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('realized_pnl', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('created_time', 'bigint', (c) => c.notNull())
    .addColumn('update_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('paper_orders_pk', ['account_id', 'client_order_id'])
    .execute();
  await db.schema.createIndex('paper_orders_open').on('paper_orders').columns(['account_id', 'symbol', 'status']).execute();

  await db.schema
    .createTable('paper_income')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('paper_accounts.account_id'))
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('income_type', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('client_order_id', 'text')
    .addColumn('time', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('paper_income_account_time').on('paper_income').columns(['account_id', 'time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'paper_income',
    'paper_orders',
    'paper_positions',
    'paper_symbol_settings',
    'paper_accounts',
    'equity_snapshots',
    'trades',
    'orders',
    'cycles',
    'agents',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
