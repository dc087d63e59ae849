import Decimal from 'decimal.js';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database, PaperOrdersTable, PaperPositionsTable } from '../../db/schema';
import { VenueRejection, type OrderStatus, type OrderType } from '../venue';
import type { PaperAccountOpening, PaperBooks, PaperIncome, PaperLedger, PaperOrder, PaperPosition } from './books';

type Trx = Transaction<Database>;

/**
 * Paper books in the paper_* tables. Each call is one transaction: it creates the account row if
 * needed, locks it FOR UPDATE (calls on one account queue there, whichever worker makes them), loads
 * the hot state (positions, open orders, leverage), lets the exchange work on it, and writes back only
 * what changed. A VenueRejection still commits what was settled before it (the exchange refuses
 * before it changes anything); any other error rolls everything back.
 */
export class PostgresPaperBooks implements PaperBooks {
  constructor(private readonly db: Kysely<Database>) {}

  async withAccount<T>(opening: PaperAccountOpening, work: (ledger: PaperLedger) => Promise<T>): Promise<T> {
    const outcome = await this.db.transaction().execute(async (trx): Promise<{ value: T } | { rejection: VenueRejection }> => {
      const ledger = await PostgresLedger.open(trx, opening);
      try {
        const value = await work(ledger);
        await ledger.save();
        return { value };
      } catch (err) {
        if (!(err instanceof VenueRejection)) throw err;
        await ledger.save();
        return { rejection: err };
      }
    });
    if ('rejection' in outcome) throw outcome.rejection;
    return outcome.value;
  }
}

class PostgresLedger implements PaperLedger {
  private cashChanged = false;
  private clockChanged = false;
  private readonly positionChanges = new Map<string, PaperPosition | null>();
  private readonly leverageChanges = new Map<string, number>();
  /** Orders not inserted yet, in creation order (their ids follow it). */
  private readonly newOrders = new Map<string, PaperOrder>();
  private readonly changedOrders = new Map<string, PaperOrder>();
  private readonly newIncome: PaperIncome[] = [];

  private constructor(
    private readonly trx: Trx,
    private readonly account: string,
    public cash: Decimal,
    public clock: number,
    readonly positions: Map<string, PaperPosition>,
    readonly openOrders: Map<string, PaperOrder>,
    private readonly leverages: Map<string, number>,
  ) {}

  static async open(trx: Trx, opening: PaperAccountOpening): Promise<PostgresLedger> {
    const account = opening.account;
    await trx
      .insertInto('paper_accounts')
      .values({
        account_id: account,
        initial_balance: opening.initialBalance,
        cash: opening.initialBalance,
        market_time: opening.marketTime,
      })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
    const row = await trx
      .selectFrom('paper_accounts')
      .select(['cash', 'market_time'])
      .where('account_id', '=', account)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const positions = await trx.selectFrom('paper_positions').selectAll().where('account_id', '=', account).orderBy('symbol').execute();
    const open = await trx
      .selectFrom('paper_orders')
      .selectAll()
      .where('account_id', '=', account)
      .where('status', '=', 'NEW')
      .orderBy('order_id')
      .execute();
    const settings = await trx
      .selectFrom('paper_symbol_settings')
      .select(['symbol', 'leverage'])
      .where('account_id', '=', account)
      .execute();
    return new PostgresLedger(
      trx,
      account,
      new Decimal(row.cash),
      Number(row.market_time),
      new Map(positions.map((p) => [p.symbol, toPosition(p)])),
      new Map(open.map((o) => [o.client_order_id, toOrder(o)])),
      new Map(settings.map((s) => [s.symbol, s.leverage])),
    );
  }

  leverage(symbol: string): number | undefined {
    return this.leverages.get(symbol);
  }

  setCash(cash: Decimal): void {
    this.cash = cash;
    this.cashChanged = true;
  }

  setClock(marketTime: number): void {
    this.clock = marketTime;
    this.clockChanged = true;
  }

  setPosition(symbol: string, position: PaperPosition | null): void {
    if (position) this.positions.set(symbol, position);
    else this.positions.delete(symbol);
    this.positionChanges.set(symbol, position);
  }

  setLeverage(symbol: string, leverage: number): void {
    this.leverages.set(symbol, leverage);
    this.leverageChanges.set(symbol, leverage);
  }

  addOrder(order: PaperOrder): void {
    this.newOrders.set(order.clientOrderId, order);
    this.track(order);
  }

  updateOrder(order: PaperOrder): void {
    if (this.newOrders.has(order.clientOrderId)) this.newOrders.set(order.clientOrderId, order);
    else this.changedOrders.set(order.clientOrderId, order);
    this.track(order);
  }

  addIncome(income: PaperIncome): void {
    this.newIncome.push(income);
  }

  async findOrder(clientOrderId: string): Promise<PaperOrder | null> {
    const touched = this.newOrders.get(clientOrderId) ?? this.changedOrders.get(clientOrderId) ?? this.openOrders.get(clientOrderId);
    if (touched) return touched;
    const row = await this.trx
      .selectFrom('paper_orders')
      .selectAll()
      .where('account_id', '=', this.account)
      .where('client_order_id', '=', clientOrderId)
      .executeTakeFirst();
    return row ? toOrder(row) : null;
  }

  async filledOrders(since: number, symbols: readonly string[]): Promise<PaperOrder[]> {
    if (symbols.length === 0) return [];
    await this.save();
    const rows = await this.trx
      .selectFrom('paper_orders')
      .selectAll()
      .where('account_id', '=', this.account)
      .where('status', '=', 'FILLED')
      .where('symbol', 'in', [...symbols])
      .where('update_time', '>=', String(since))
      .orderBy('update_time')
      .orderBy('order_id')
      .execute();
    return rows.map(toOrder);
  }

  async income(since: number): Promise<PaperIncome[]> {
    await this.save();
    const rows = await this.trx
      .selectFrom('paper_income')
      .selectAll()
      .where('account_id', '=', this.account)
      .where('time', '>=', String(since))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      symbol: r.symbol,
      type: r.income_type,
      amount: r.amount,
      clientOrderId: r.client_order_id,
      time: Number(r.time),
    }));
  }

  /** Writes what changed since the last save; new orders get their ids here. */
  async save(): Promise<void> {
    const account = this.account;
    if (this.cashChanged || this.clockChanged) {
      await this.trx
        .updateTable('paper_accounts')
        .set({
          ...(this.cashChanged && { cash: this.cash.toString() }),
          ...(this.clockChanged && { market_time: this.clock }),
        })
        .where('account_id', '=', account)
        .execute();
    }
    for (const [symbol, p] of this.positionChanges) {
      if (!p) {
        await this.trx.deleteFrom('paper_positions').where('account_id', '=', account).where('symbol', '=', symbol).execute();
        continue;
      }
      const values = positionRow(p);
      await this.trx
        .insertInto('paper_positions')
        .values({ account_id: account, symbol, ...values })
        .onConflict((oc) => oc.columns(['account_id', 'symbol']).doUpdateSet(values))
        .execute();
    }
    for (const [symbol, leverage] of this.leverageChanges) {
      await this.trx
        .insertInto('paper_symbol_settings')
        .values({ account_id: account, symbol, leverage, margin_type: 'isolated' })
        .onConflict((oc) => oc.columns(['account_id', 'symbol']).doUpdateSet({ leverage }))
        .execute();
    }
    if (this.newOrders.size > 0) {
      const orders = [...this.newOrders.values()];
      const ids = await this.trx
        .insertInto('paper_orders')
        .values(orders.map((o) => orderRow(account, o)))
        .returning(['order_id', 'client_order_id'])
        .execute();
      const idOf = new Map(ids.map((r) => [r.client_order_id, r.order_id]));
      for (const order of orders) order.orderId = idOf.get(order.clientOrderId)!;
    }
    for (const order of this.changedOrders.values()) {
      await this.trx
        .updateTable('paper_orders')
        .set({
          status: order.status,
          executed_qty: order.executedQty,
          avg_price: order.avgPrice,
          fee: order.fee,
          realized_pnl: order.realizedPnl,
          update_time: order.updateTime,
        })
        .where('account_id', '=', account)
        .where('client_order_id', '=', order.clientOrderId)
        .execute();
    }
    if (this.newIncome.length > 0) {
      await this.trx
        .insertInto('paper_income')
        .values(
          this.newIncome.map((i) => ({
            account_id: account,
            symbol: i.symbol,
            income_type: i.type,
            amount: i.amount,
            client_order_id: i.clientOrderId,
            time: i.time,
          })),
        )
        .execute();
    }
    this.cashChanged = false;
    this.clockChanged = false;
    this.positionChanges.clear();
    this.leverageChanges.clear();
    this.newOrders.clear();
    this.changedOrders.clear();
    this.newIncome.length = 0;
  }

  private track(order: PaperOrder): void {
    if (order.status === 'NEW') this.openOrders.set(order.clientOrderId, order);
    else this.openOrders.delete(order.clientOrderId);
  }
}

function toPosition(row: Selectable<PaperPositionsTable>): PaperPosition {
  return {
    side: row.side,
    quantity: new Decimal(row.quantity),
    entryPrice: new Decimal(row.entry_price),
    leverage: row.leverage,
    margin: new Decimal(row.margin),
    openedAt: Number(row.opened_at),
  };
}

function positionRow(p: PaperPosition) {
  return {
    side: p.side,
    quantity: p.quantity.toString(),
    entry_price: p.entryPrice.toString(),
    leverage: p.leverage,
    margin: p.margin.toString(),
    opened_at: p.openedAt,
  };
}

function toOrder(row: Selectable<PaperOrdersTable>): PaperOrder {
  return {
    orderId: String(row.order_id),
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    type: row.type as OrderType,
    status: row.status as OrderStatus,
    quantity: row.quantity,
    stopPrice: row.stop_price,
    reduceOnly: row.reduce_only,
    closePosition: row.close_position,
    executedQty: row.executed_qty,
    avgPrice: row.avg_price,
    fee: row.fee,
    realizedPnl: row.realized_pnl,
    createdTime: Number(row.created_time),
    updateTime: Number(row.update_time),
  };
}

function orderRow(account: string, o: PaperOrder): Insertable<PaperOrdersTable> {
  return {
    account_id: account,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    stop_price: o.stopPrice,
    reduce_only: o.reduceOnly,
    close_position: o.closePosition,
    status: o.status,
    executed_qty: o.executedQty,
    avg_price: o.avgPrice,
    fee: o.fee,
    realized_pnl: o.realizedPnl,
    created_time: o.createdTime,
    update_time: o.updateTime,
  };
}
