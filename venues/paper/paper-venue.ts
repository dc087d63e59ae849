import Decimal from 'decimal.js';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, PaperOrdersTable } from '../../db/schema';
import type { Candle, MarketDataSource } from '../../market/types';
import { INTERVAL_MS } from '../../market/types';
import { roundPrice, roundQuantity, sizeViolation } from '../symbol-rules';
import {
  OrderRequest, SymbolRules, Venue, VenueBalance, VenueIncome, VenueOrder, VenuePosition, VenueRejection,
} from '../venue';
import {
  PaperPosition, increasePosition, liquidationPrice, reducePosition, slippedPrice, unrealizedPnl,
} from './position-math';
import { PAPER_SYMBOL_RULES } from './symbol-table';

export interface PaperVenueOptions {
  db: Kysely<Database>;
  market: MarketDataSource;
  account: string;
  initialBalance: number;
  takerFeeRate: number;
  slippageRate: number;
  /** The market clock of this call (epoch ms): prices, triggers and funding are settled up to it. */
  asOf: number;
}

type Trx = Transaction<Database>;
type OrderRow = Selectable<PaperOrdersTable>;
const BAR_MS = INTERVAL_MS['3m'];
const DEFAULT_LEVERAGE = 10;

/**
 * A simulated USD-M perpetual exchange whose books live in Postgres. Every call locks the account row,
 * first settles what happened in the market since the account's clock (stop-loss / take-profit
 * triggers and liquidations from bar highs and lows, funding), then does its work, in one transaction.
 * Market orders fill at the last closed bar's close plus slippage and pay the taker fee; margin is isolated.
 */
export class PaperVenue implements Venue {
  readonly venue = 'paper';
  readonly account: string;

  constructor(private readonly opts: PaperVenueOptions) {
    this.account = opts.account;
  }

  async symbolRules(symbol: string): Promise<SymbolRules> {
    const rules = PAPER_SYMBOL_RULES[symbol];
    if (!rules) throw new VenueRejection('UNKNOWN_SYMBOL', `paper venue: unknown symbol ${symbol}`);
    return rules;
  }

  balance(): Promise<VenueBalance> {
    return this.inAccount(async (trx, cash, now) => {
      let marginUsed = new Decimal(0);
      let unrealized = new Decimal(0);
      for (const [symbol, p] of await this.loadPositions(trx)) {
        marginUsed = marginUsed.add(p.margin);
        unrealized = unrealized.add(unrealizedPnl(p, await this.markPrice(symbol, now)));
      }
      return {
        availableBalance: cash.toNumber(),
        marginUsed: marginUsed.toNumber(),
        unrealizedPnl: unrealized.toNumber(),
        equity: cash.add(marginUsed).add(unrealized).toNumber(),
      };
    });
  }

  positions(): Promise<VenuePosition[]> {
    return this.inAccount(async (trx, _cash, now) => {
      const rows = await trx.selectFrom('paper_positions').selectAll()
        .where('account_id', '=', this.account).orderBy('symbol').execute();
      const out: VenuePosition[] = [];
      for (const row of rows) {
        const p = toPosition(row);
        const mark = await this.markPrice(row.symbol, now);
        out.push({
          symbol: row.symbol,
          side: p.side,
          quantity: p.quantity.toNumber(),
          entryPrice: p.entryPrice.toNumber(),
          markPrice: mark.toNumber(),
          unrealizedPnl: unrealizedPnl(p, mark).toNumber(),
          leverage: p.leverage,
          margin: p.margin.toNumber(),
          liquidationPrice: liquidationPrice(p).toNumber(),
          marginType: 'isolated',
          openedAt: Number(row.opened_at),
        });
      }
      return out;
    });
  }

  openOrders(symbol?: string): Promise<VenueOrder[]> {
    return this.inAccount(async (trx) => {
      let q = trx.selectFrom('paper_orders').selectAll()
        .where('account_id', '=', this.account).where('status', '=', 'NEW');
      if (symbol) q = q.where('symbol', '=', symbol);
      return (await q.orderBy('order_id').execute()).map(toVenueOrder);
    });
  }

  getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    return this.inAccount(async (trx) => {
      const row = await trx.selectFrom('paper_orders').selectAll()
        .where('account_id', '=', this.account).where('client_order_id', '=', clientOrderId)
        .where('symbol', '=', symbol).executeTakeFirst();
      return row ? toVenueOrder(row) : null;
    });
  }

  filledOrders(since: number, symbols: readonly string[]): Promise<VenueOrder[]> {
    if (symbols.length === 0) return Promise.resolve([]);
    return this.inAccount(async (trx) => {
      const rows = await trx.selectFrom('paper_orders').selectAll()
        .where('account_id', '=', this.account).where('status', '=', 'FILLED').where('symbol', 'in', [...symbols])
        .where('update_time', '>=', String(since)).orderBy('update_time').orderBy('order_id').execute();
      return rows.map(toVenueOrder);
    });
  }

  income(since: number): Promise<VenueIncome[]> {
    return this.inAccount(async (trx) => {
      const rows = await trx.selectFrom('paper_income').selectAll()
        .where('account_id', '=', this.account).where('time', '>=', String(since)).orderBy('id').execute();
      return rows.map((r) => ({
        symbol: r.symbol, type: r.income_type, amount: Number(r.amount),
        clientOrderId: r.client_order_id, time: Number(r.time),
      }));
    });
  }

  setLeverage(symbol: string, leverage: number): Promise<void> {
    return this.inAccount(async (trx) => {
      const rules = await this.symbolRules(symbol);
      if (!Number.isInteger(leverage) || leverage < 1 || leverage > rules.maxLeverage) {
        throw new VenueRejection('INVALID_LEVERAGE', `leverage ${leverage} is not an integer from 1 to ${rules.maxLeverage} for ${symbol}`);
      }
      await trx.insertInto('paper_symbol_settings')
        .values({ account_id: this.account, symbol, leverage, margin_type: 'isolated' })
        .onConflict((oc) => oc.columns(['account_id', 'symbol']).doUpdateSet({ leverage }))
        .execute();
    });
  }

  setMarginType(symbol: string, marginType: 'isolated' | 'cross'): Promise<void> {
    return this.inAccount(async () => {
      await this.symbolRules(symbol);
      if (marginType !== 'isolated') {
        throw new VenueRejection('MARGIN_TYPE_UNSUPPORTED', 'paper venue: only isolated margin is simulated');
      }
    });
  }

  placeOrder(req: OrderRequest): Promise<VenueOrder> {
    return this.inAccount(async (trx, cash, now) => {
      const rules = await this.symbolRules(req.symbol);
      const existing = await trx.selectFrom('paper_orders').select('client_order_id')
        .where('account_id', '=', this.account).where('client_order_id', '=', req.clientOrderId).executeTakeFirst();
      if (existing) throw new VenueRejection('DUPLICATE_CLIENT_ORDER_ID', `client order id ${req.clientOrderId} was already used`);
      if (req.type === 'MARKET') return this.fillMarketOrder(trx, req, rules, cash, now);
      return this.acceptConditionalOrder(trx, req, rules, now);
    });
  }

  cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    return this.inAccount(async (trx, _cash, now) => {
      const row = await trx.updateTable('paper_orders').set({ status: 'CANCELED', update_time: now })
        .where('account_id', '=', this.account).where('symbol', '=', symbol)
        .where('client_order_id', '=', clientOrderId).where('status', '=', 'NEW')
        .returningAll().executeTakeFirst();
      if (row) return toVenueOrder(row);
      const current = await trx.selectFrom('paper_orders').selectAll()
        .where('account_id', '=', this.account).where('client_order_id', '=', clientOrderId).executeTakeFirst();
      return current ? toVenueOrder(current) : null;
    });
  }

  // --- order handling ---

  private async fillMarketOrder(
    trx: Trx, req: OrderRequest, rules: SymbolRules, cash: Decimal, now: number,
  ): Promise<VenueOrder> {
    const positions = await this.loadPositions(trx);
    const position = positions.get(req.symbol) ?? null;
    const buying = req.side === 'BUY';
    const reducing = position !== null && (position.side === 'long') !== buying;
    // Every venue adapter rounds a quantity down to the step before sending it; so does the paper venue.
    const quantity = req.closePosition && position ? position.quantity : new Decimal(roundQuantity(req.quantity ?? '0', rules));
    const price = slippedPrice(await this.markPrice(req.symbol, now), buying, this.opts.slippageRate);

    if ((req.reduceOnly || req.closePosition) && !reducing) {
      throw new VenueRejection('REDUCE_ONLY_REJECTED', `reduce-only ${req.side} ${req.symbol}: no position to reduce`);
    }
    if (quantity.lt(rules.minQty) || quantity.lte(0)) {
      throw new VenueRejection('QUANTITY_BELOW_MIN', `quantity ${req.quantity} rounds to ${quantity}, below the minimum ${rules.minQty}`);
    }
    const closing = reducing ? Decimal.min(quantity, position!.quantity) : new Decimal(0);
    const opening = req.reduceOnly || req.closePosition ? new Decimal(0) : quantity.sub(closing);
    if (opening.gt(0)) {
      const violation = sizeViolation(opening, price, rules);
      if (violation) throw new VenueRejection('MIN_NOTIONAL', `${req.symbol}: ${violation}`);
    }

    let fee = new Decimal(0);
    let realized = new Decimal(0);
    if (closing.gt(0)) {
      const r = await this.applyReduce(trx, req.symbol, position!, closing, price, req.clientOrderId, now);
      cash = cash.add(r.cashDelta);
      fee = fee.add(r.fee);
      realized = r.realizedPnl;
    }
    if (opening.gt(0)) {
      const leverage = await this.leverageOf(trx, req.symbol);
      const side = buying ? 'long' : 'short';
      const base = reducing ? null : position;
      const { position: next, addedMargin } = increasePosition(base, side, opening, price, leverage);
      const openFee = opening.mul(price).mul(this.opts.takerFeeRate);
      if (cash.lt(addedMargin.add(openFee))) {
        throw new VenueRejection('INSUFFICIENT_MARGIN',
          `margin is insufficient: ${addedMargin.add(openFee).toFixed(2)} USDT needed, ${cash.toFixed(2)} available`);
      }
      cash = cash.sub(addedMargin).sub(openFee);
      fee = fee.add(openFee);
      await this.savePosition(trx, req.symbol, next, base ? undefined : now);
      await this.addIncome(trx, req.symbol, 'COMMISSION', openFee.neg(), req.clientOrderId, now);
    }
    await this.saveCash(trx, cash);
    const row = await trx.insertInto('paper_orders').values({
      account_id: this.account, client_order_id: req.clientOrderId, symbol: req.symbol, side: req.side,
      type: 'MARKET', quantity: quantity.toString(), stop_price: null, reduce_only: !!req.reduceOnly,
      close_position: !!req.closePosition, status: 'FILLED', executed_qty: quantity.toString(),
      avg_price: price.toString(), fee: fee.toString(), realized_pnl: realized.toString(),
      created_time: now, update_time: now,
    }).returningAll().executeTakeFirstOrThrow();
    return toVenueOrder(row);
  }

  private async acceptConditionalOrder(
    trx: Trx, req: OrderRequest, rules: SymbolRules, now: number,
  ): Promise<VenueOrder> {
    const position = (await this.loadPositions(trx)).get(req.symbol);
    if (!req.stopPrice) throw new VenueRejection('MISSING_PARAMETER', `${req.type} needs stopPrice`);
    const stopPrice = roundPrice(req.stopPrice, rules);
    if (!req.closePosition && !req.reduceOnly) {
      throw new VenueRejection('UNSUPPORTED', 'paper venue: conditional orders must be reduce-only or close-position');
    }
    if (!position || (position.side === 'long') === (req.side === 'BUY')) {
      throw new VenueRejection('REDUCE_ONLY_REJECTED', `${req.type} ${req.side} ${req.symbol}: no position it would reduce`);
    }
    // A trigger already crossed would fire at once; real venues refuse it ("Order would immediately trigger").
    const mark = await this.markPrice(req.symbol, now);
    const stop = new Decimal(stopPrice);
    const firesBelow = (req.type === 'STOP_MARKET') === (position.side === 'long');
    if (firesBelow ? mark.lte(stop) : mark.gte(stop)) {
      throw new VenueRejection('WOULD_IMMEDIATELY_TRIGGER', `${req.type} at ${stopPrice} would trigger immediately (mark ${mark})`);
    }
    const quantity = req.closePosition ? '0' : (req.quantity ?? '0');
    const row = await trx.insertInto('paper_orders').values({
      account_id: this.account, client_order_id: req.clientOrderId, symbol: req.symbol, side: req.side,
      type: req.type, quantity, stop_price: stopPrice, reduce_only: !!req.reduceOnly,
      close_position: !!req.closePosition, status: 'NEW', executed_qty: '0', avg_price: null, fee: '0',
      realized_pnl: '0', created_time: now, update_time: now,
    }).returningAll().executeTakeFirstOrThrow();
    return toVenueOrder(row);
  }

  /** Takes quantity off a position, books PnL and fee, expires its conditional orders when it closes. */
  private async applyReduce(
    trx: Trx, symbol: string, position: PaperPosition, quantity: Decimal, price: Decimal,
    clientOrderId: string, time: number,
  ): Promise<{ cashDelta: Decimal; fee: Decimal; realizedPnl: Decimal; closed: boolean }> {
    const r = reducePosition(position, quantity, price);
    const fee = Decimal.min(quantity, position.quantity).mul(price).mul(this.opts.takerFeeRate);
    await this.addIncome(trx, symbol, 'REALIZED_PNL', r.realizedPnl, clientOrderId, time);
    await this.addIncome(trx, symbol, 'COMMISSION', fee.neg(), clientOrderId, time);
    if (r.remaining) {
      await this.savePosition(trx, symbol, r.remaining);
    } else {
      await trx.deleteFrom('paper_positions').where('account_id', '=', this.account).where('symbol', '=', symbol).execute();
      await this.expireClosePositionOrders(trx, symbol, time);
    }
    return { cashDelta: r.releasedMargin.add(r.realizedPnl).sub(fee), fee, realizedPnl: r.realizedPnl, closed: !r.remaining };
  }

  // --- settlement of the market between calls ---

  private async settleUntil(trx: Trx, from: number, to: number, cash: Decimal): Promise<Decimal> {
    for (const [symbol, start] of await this.loadPositions(trx)) {
      let position: PaperPosition | null = start;
      const bars = await this.opts.market.barsBetween(symbol, from - BAR_MS + 1, to - BAR_MS);
      const funding = await this.opts.market.fundingBetween(symbol, from, to);
      for (const bar of bars) {
        const close = bar.openTime + BAR_MS;
        const triggered = await this.triggerOnBar(trx, symbol, position, bar, close);
        cash = cash.add(triggered.cashDelta);
        position = triggered.position;
        if (!position) break;
        for (const f of funding.filter((x) => x.time > bar.openTime && x.time <= close)) {
          // Positive rate: longs pay shorts. Isolated margin absorbs the payment.
          const payment = position.quantity.mul(bar.close).mul(f.rate).mul(position.side === 'long' ? -1 : 1);
          position = { ...position, margin: position.margin.add(payment) };
          await this.savePosition(trx, symbol, position);
          await this.addIncome(trx, symbol, 'FUNDING_FEE', payment, null, f.time);
        }
      }
    }
    return cash;
  }

  /**
   * One bar against one position. The adverse extreme is assumed to come first (the pessimistic
   * reading of a bar): stop-loss or liquidation, whichever price is reached first, then take-profit.
   */
  private async triggerOnBar(
    trx: Trx, symbol: string, position: PaperPosition, bar: Candle, time: number,
  ): Promise<{ position: PaperPosition | null; cashDelta: Decimal }> {
    const long = position.side === 'long';
    const orders = await trx.selectFrom('paper_orders').selectAll()
      .where('account_id', '=', this.account).where('symbol', '=', symbol).where('status', '=', 'NEW')
      .orderBy('order_id').execute();
    const stop = orders.find((o) => o.type === 'STOP_MARKET');
    const takeProfit = orders.find((o) => o.type === 'TAKE_PROFIT_MARKET');
    const liq = liquidationPrice(position);
    const stopPrice = stop ? new Decimal(stop.stop_price!) : null;
    const stopBeforeLiq = stopPrice !== null && (long ? stopPrice.gte(liq) : stopPrice.lte(liq));
    const adverse = new Decimal(long ? bar.low : bar.high);

    if (stop && stopPrice && stopBeforeLiq && (long ? adverse.lte(stopPrice) : adverse.gte(stopPrice))) {
      return this.fillTriggered(trx, stop, position, gapPrice(stopPrice, bar.open, long, 'adverse'), time);
    }
    if (long ? adverse.lte(liq) : adverse.gte(liq)) return this.liquidate(trx, symbol, position, liq, time);
    if (takeProfit) {
      const tp = new Decimal(takeProfit.stop_price!);
      const favourable = new Decimal(long ? bar.high : bar.low);
      if (long ? favourable.gte(tp) : favourable.lte(tp)) {
        return this.fillTriggered(trx, takeProfit, position, gapPrice(tp, bar.open, long, 'favourable'), time);
      }
    }
    return { position, cashDelta: new Decimal(0) };
  }

  private async fillTriggered(
    trx: Trx, order: OrderRow, position: PaperPosition, trigger: Decimal, time: number,
  ): Promise<{ position: PaperPosition | null; cashDelta: Decimal }> {
    const price = slippedPrice(trigger, order.side === 'BUY', this.opts.slippageRate);
    const quantity = order.close_position ? position.quantity : Decimal.min(order.quantity, position.quantity);
    const r = await this.applyReduce(trx, order.symbol, position, quantity, price, order.client_order_id, time);
    await trx.updateTable('paper_orders').set({
      status: 'FILLED', executed_qty: quantity.toString(), avg_price: price.toString(), fee: r.fee.toString(),
      realized_pnl: r.realizedPnl.toString(), update_time: time,
    }).where('account_id', '=', this.account).where('client_order_id', '=', order.client_order_id).execute();
    const remaining = r.closed ? null : (await this.loadPositions(trx)).get(order.symbol) ?? null;
    return { position: remaining, cashDelta: r.cashDelta };
  }

  /** The isolated margin is lost: the loss up to the liquidation price plus the rest to the insurance fund. */
  private async liquidate(
    trx: Trx, symbol: string, position: PaperPosition, price: Decimal, time: number,
  ): Promise<{ position: null; cashDelta: Decimal }> {
    const clientOrderId = `liquidation-${symbol}-${time}`;
    const realized = price.sub(position.entryPrice).mul(position.quantity).mul(position.side === 'long' ? 1 : -1);
    const clearance = position.margin.add(realized);
    await this.addIncome(trx, symbol, 'REALIZED_PNL', realized, clientOrderId, time);
    await this.addIncome(trx, symbol, 'INSURANCE_CLEAR', clearance.neg(), clientOrderId, time);
    await trx.deleteFrom('paper_positions').where('account_id', '=', this.account).where('symbol', '=', symbol).execute();
    await this.expireClosePositionOrders(trx, symbol, time);
    await trx.insertInto('paper_orders').values({
      account_id: this.account, client_order_id: clientOrderId, symbol,
      side: position.side === 'long' ? 'SELL' : 'BUY', type: 'LIQUIDATION', quantity: position.quantity.toString(),
      stop_price: null, reduce_only: true, close_position: true, status: 'FILLED',
      executed_qty: position.quantity.toString(), avg_price: price.toString(), fee: '0',
      realized_pnl: realized.toString(), created_time: time, update_time: time,
    }).execute();
    return { position: null, cashDelta: new Decimal(0) };
  }

  /**
   * As on Binance, close-position triggers die with their position; reduce-only ones with a quantity
   * stay until someone cancels them (they can no longer fire: nothing is left to reduce).
   */
  private async expireClosePositionOrders(trx: Trx, symbol: string, time: number): Promise<void> {
    await trx.updateTable('paper_orders').set({ status: 'EXPIRED', update_time: time })
      .where('account_id', '=', this.account).where('symbol', '=', symbol).where('status', '=', 'NEW')
      .where('close_position', '=', true).execute();
  }

  // --- persistence ---

  /** Runs `work` in a transaction holding the account row lock, after settling the market up to `asOf`. */
  private inAccount<T>(work: (trx: Trx, cash: Decimal, now: number) => Promise<T>): Promise<T> {
    return this.opts.db.transaction().execute(async (trx) => {
      await trx.insertInto('paper_accounts').values({
        account_id: this.account, initial_balance: this.opts.initialBalance, cash: this.opts.initialBalance,
        market_time: this.opts.asOf,
      }).onConflict((oc) => oc.column('account_id').doNothing()).execute();
      const account = await trx.selectFrom('paper_accounts').select(['cash', 'market_time'])
        .where('account_id', '=', this.account).forUpdate().executeTakeFirstOrThrow();
      const clock = Number(account.market_time);
      // The clock never runs backwards: a retried call for an earlier cycle sees the present books.
      const now = Math.max(clock, this.opts.asOf);
      let cash = new Decimal(account.cash);
      if (now > clock) {
        cash = await this.settleUntil(trx, clock, now, cash);
        await trx.updateTable('paper_accounts').set({ cash: cash.toString(), market_time: now })
          .where('account_id', '=', this.account).execute();
      }
      return work(trx, cash, now);
    });
  }

  private async loadPositions(trx: Trx): Promise<Map<string, PaperPosition>> {
    const rows = await trx.selectFrom('paper_positions').selectAll().where('account_id', '=', this.account).execute();
    return new Map(rows.map((r) => [r.symbol, toPosition(r)]));
  }

  private async savePosition(trx: Trx, symbol: string, p: PaperPosition, openedAt?: number): Promise<void> {
    const values = {
      side: p.side, quantity: p.quantity.toString(), entry_price: p.entryPrice.toString(),
      leverage: p.leverage, margin: p.margin.toString(),
    };
    if (openedAt !== undefined) {
      await trx.insertInto('paper_positions')
        .values({ account_id: this.account, symbol, opened_at: openedAt, ...values })
        .onConflict((oc) => oc.columns(['account_id', 'symbol']).doUpdateSet({ ...values, opened_at: openedAt }))
        .execute();
    } else {
      await trx.updateTable('paper_positions').set(values)
        .where('account_id', '=', this.account).where('symbol', '=', symbol).execute();
    }
  }

  private async saveCash(trx: Trx, cash: Decimal): Promise<void> {
    await trx.updateTable('paper_accounts').set({ cash: cash.toString() }).where('account_id', '=', this.account).execute();
  }

  private async addIncome(
    trx: Trx, symbol: string, type: VenueIncome['type'], amount: Decimal, clientOrderId: string | null, time: number,
  ): Promise<void> {
    if (amount.isZero()) return;
    await trx.insertInto('paper_income').values({
      account_id: this.account, symbol, income_type: type, amount: amount.toString(),
      client_order_id: clientOrderId, time,
    }).execute();
  }

  private async leverageOf(trx: Trx, symbol: string): Promise<number> {
    const row = await trx.selectFrom('paper_symbol_settings').select('leverage')
      .where('account_id', '=', this.account).where('symbol', '=', symbol).executeTakeFirst();
    return row?.leverage ?? DEFAULT_LEVERAGE;
  }

  private async markPrice(symbol: string, asOf: number): Promise<Decimal> {
    const [last] = await this.opts.market.candles(symbol, '3m', asOf, 1);
    if (!last) throw new VenueRejection('NO_PRICE', `no price for ${symbol} at ${new Date(asOf).toISOString()}`);
    return new Decimal(last.close);
  }
}

/** A stop that the bar opened beyond fills at the open (a gap), not at the stop. */
function gapPrice(trigger: Decimal, open: number, long: boolean, kind: 'adverse' | 'favourable'): Decimal {
  const o = new Decimal(open);
  const beyond = kind === 'adverse' ? (long ? o.lt(trigger) : o.gt(trigger)) : (long ? o.gt(trigger) : o.lt(trigger));
  return beyond ? o : trigger;
}

function toPosition(row: Selectable<Database['paper_positions']>): PaperPosition {
  return {
    side: row.side, quantity: new Decimal(row.quantity), entryPrice: new Decimal(row.entry_price),
    leverage: row.leverage, margin: new Decimal(row.margin),
  };
}

function toVenueOrder(row: OrderRow): VenueOrder {
  return {
    clientOrderId: row.client_order_id,
    venueOrderId: String(row.order_id),
    symbol: row.symbol,
    side: row.side,
    type: row.type as VenueOrder['type'],
    status: row.status as VenueOrder['status'],
    quantity: Number(row.quantity),
    executedQty: Number(row.executed_qty),
    avgPrice: row.avg_price === null ? null : Number(row.avg_price),
    stopPrice: row.stop_price === null ? null : Number(row.stop_price),
    fee: Number(row.fee),
    realizedPnl: Number(row.realized_pnl),
    reduceOnly: row.reduce_only,
    closePosition: row.close_position,
    createdAt: Number(row.created_time),
    updatedAt: Number(row.update_time),
  };
}
