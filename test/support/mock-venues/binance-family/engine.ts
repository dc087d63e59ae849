import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import { maxNotionalAt } from '../../../../venues/symbol-rules';
import { Errors } from './errors';
import {
  applyFill,
  closableQty,
  freedByClosing,
  liquidationPriceOf,
  round8,
  summarize,
  type BalanceSummary,
  type MarketOf,
} from './ledger';
import {
  Account,
  type AlgoOrder,
  type Income,
  type IncomeType,
  type MarginType,
  type Order,
  type OrderInput,
  type OrderType,
  type PositionSide,
  type Side,
  type SymbolSettings,
  isConditional,
  isMarketOnTrigger,
} from './model';
import type { MockSymbolSpec } from './symbols';

/**
 * The matching engine shared by the Binance and Aster mocks: accounts, orders, positions, fills,
 * income, triggers, funding and liquidation. It speaks in venue terms and raises the venue's errors
 * (ApiError); the HTTP layer only parses parameters and formats answers.
 *
 * Behaviour choices (documented in index.ts as well):
 * - MARKET fills at once, whole, at the current price moved by `slippageRate` against the taker.
 * - A resting LIMIT fills (maker fee) when the price reaches it, at its limit price; a marketable one
 *   fills at once at the current price (taker fee).
 * - A reduce-only order larger than the position closes the position and the rest EXPIREs.
 * - closePosition orders stay NEW after their position is closed; when one triggers with nothing to
 *   close it becomes EXPIRED (Binance algo: FINISHED, its actual order EXPIRED).
 * - setPrice fires the crossed conditional orders in the order they were placed, then resting limits,
 *   then liquidations (isolated: price beyond the liquidation price; cross: equity at or below
 *   maintenance margin). A liquidation is a MARKET order with clientOrderId `autoclose-...`; what is left
 *   of an isolated margin goes to the insurance fund (INSURANCE_CLEAR income).
 */

export interface EngineConfig {
  flavour: 'binance' | 'aster';
  symbols: Map<string, MockSymbolSpec>;
  prices: Record<string, number>;
  takerFeeRate: Decimal;
  makerFeeRate: Decimal;
  slippageRate: Decimal;
  defaultLeverage: number;
  defaultMarginType: MarginType;
  liquidations: boolean;
  now: () => number;
}

export interface OrderRef {
  orderId?: number;
  clientOrderId?: string;
}

export interface FundingEntry {
  time: number;
  rate: Decimal;
  markPrice: Decimal;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 22-character id like the ones Binance makes up for orders sent without a client id. */
export function randomClientId(): string {
  return [...randomBytes(22)].map((b) => ID_CHARS[b % ID_CHARS.length]).join('');
}

/** STOP* fire on a BUY when price >= stop and on a SELL when price <= stop; TAKE_PROFIT* the reverse. */
export function triggerCrossed(type: OrderType, side: Side, stop: Decimal, price: Decimal): boolean {
  const stopLike = type === 'STOP' || type === 'STOP_MARKET';
  const upward = stopLike ? side === 'BUY' : side === 'SELL';
  return upward ? price.gte(stop) : price.lte(stop);
}

export class Engine {
  readonly accounts = new Map<string, Account>();
  private readonly prices = new Map<string, Decimal>();
  private readonly funding = new Map<string, FundingEntry[]>();
  private seq = 0;
  private nextOrderId = 4_000_000_000;
  private nextAlgoId = 2_000_000;
  private nextTradeId = 600_000_000;
  private nextTranId = 9_689_000_000;

  constructor(readonly config: EngineConfig) {
    for (const symbol of config.symbols.keys()) {
      const price = config.prices[symbol];
      if (price !== undefined) this.prices.set(symbol, new Decimal(price));
    }
  }

  get now(): number {
    return this.config.now();
  }

  // -------------------------------------------------------------------------------------------
  // Accounts, symbols, prices.

  addAccount(id: string, balance: number, dualSide: boolean): Account {
    if (this.accounts.has(id)) return this.accounts.get(id)!;
    const alias = randomClientId().slice(0, 4);
    const account = new Account(id, new Decimal(balance), dualSide, this.now, alias);
    this.accounts.set(id, account);
    return account;
  }

  account(id: string): Account {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`mock venue: no account ${id}`);
    return account;
  }

  spec(symbol: string): MockSymbolSpec {
    const spec = this.config.symbols.get(symbol);
    if (!spec) throw Errors.badSymbol();
    return spec;
  }

  symbols(): MockSymbolSpec[] {
    return [...this.config.symbols.values()];
  }

  price(symbol: string): Decimal {
    this.spec(symbol);
    const price = this.prices.get(symbol);
    if (!price) throw new Error(`mock venue: no price for ${symbol}; pass it in options.prices or call setPrice`);
    return price;
  }

  hasPrice(symbol: string): boolean {
    return this.prices.has(symbol);
  }

  /** Moves the mark / last price and runs what it sets off: triggers, limit fills, liquidations. */
  setPrice(symbol: string, price: number): void {
    this.spec(symbol);
    if (!(price > 0)) throw new Error(`mock venue: price of ${symbol} must be positive`);
    this.prices.set(symbol, new Decimal(price));
    this.fireTriggers(symbol);
    this.fillRestingLimits(symbol);
    if (this.config.liquidations) this.liquidate();
  }

  /** Mark prices and brackets, for the account arithmetic. */
  readonly market: MarketOf = { price: (s) => this.price(s), brackets: (s) => this.spec(s).brackets };

  balance(accountId: string): BalanceSummary {
    return summarize(this.account(accountId), this.market);
  }

  liquidationPrice(account: Account, symbol: string, positionSide: PositionSide): Decimal {
    const position = account.position(symbol, positionSide);
    return position ? liquidationPriceOf(account, position, this.market) : new Decimal(0);
  }

  setBalance(accountId: string, usdt: number): void {
    const account = this.account(accountId);
    account.wallet = new Decimal(usdt);
    account.updateTime = this.now;
  }

  // -------------------------------------------------------------------------------------------
  // Settings: leverage, margin type, position mode.

  settings(account: Account, symbol: string): SymbolSettings {
    let settings = account.settings.get(symbol);
    if (!settings) {
      const spec = this.spec(symbol);
      settings = { leverage: Math.min(this.config.defaultLeverage, spec.maxLeverage), marginType: this.config.defaultMarginType };
      account.settings.set(symbol, settings);
    }
    return settings;
  }

  setLeverage(accountId: string, symbol: string, leverage: string): SymbolSettings {
    const account = this.account(accountId);
    const spec = this.spec(symbol);
    const value = Number(leverage);
    if (!/^[0-9]+$/.test(leverage) || value < 1 || value > spec.maxLeverage) throw Errors.badLeverage(leverage);
    const cap = maxNotionalAt(spec.brackets, value);
    if (account.positionsOf(symbol).some((p) => p.amount.abs().mul(this.price(symbol)).gt(cap))) throw Errors.positionLimit();
    const settings = this.settings(account, symbol);
    settings.leverage = value;
    for (const p of account.positionsOf(symbol)) account.setPosition({ ...p, leverage: value, updateTime: this.now });
    return settings;
  }

  setMarginType(accountId: string, symbol: string, marginType: MarginType): void {
    const account = this.account(accountId);
    const settings = this.settings(account, symbol);
    if (settings.marginType === marginType) throw Errors.marginTypeUnchanged();
    if (account.positionsOf(symbol).length > 0) throw Errors.marginTypePosition();
    if (account.openOrders(symbol).length > 0 || account.openAlgoOrders(symbol).length > 0) throw Errors.marginTypeOpenOrders();
    settings.marginType = marginType;
  }

  setDualSide(accountId: string, dualSide: boolean): void {
    const account = this.account(accountId);
    if (account.dualSide === dualSide) throw Errors.positionSideUnchanged();
    if (account.positions.size > 0) throw Errors.dualPosition();
    if (account.openOrders().length > 0 || account.openAlgoOrders().length > 0) throw Errors.dualOpenOrders();
    account.dualSide = dualSide;
  }

  /** The largest position notional the symbol's brackets allow at `leverage`. */
  maxNotionalValue(symbol: string, leverage: number): string {
    return String(maxNotionalAt(this.spec(symbol).brackets, leverage));
  }

  // -------------------------------------------------------------------------------------------
  // Regular orders.

  placeOrder(accountId: string, input: OrderInput): Order {
    const account = this.account(accountId);
    this.checkPositionSide(account, input);
    const clientOrderId = input.clientOrderId ?? randomClientId();
    if (account.openOrders().some((o) => o.clientOrderId === clientOrderId)) throw Errors.duplicateClientId();
    if (isConditional(input.type)) return this.placeConditional(account, input, clientOrderId);
    const mark = this.price(input.symbol);
    const marketable = input.type === 'MARKET' || (input.side === 'BUY' ? input.price!.gte(mark) : input.price!.lte(mark));
    if (!marketable) return this.placeResting(account, input, clientOrderId);
    if (input.type === 'LIMIT' && input.timeInForce === 'GTX') throw Errors.postOnlyRejected();
    return this.placeTaker(account, input, clientOrderId);
  }

  findOrder(accountId: string, symbol: string, ref: OrderRef): Order {
    const account = this.account(accountId);
    const found = account.orders.filter(
      (o) => o.symbol === symbol && (ref.orderId !== undefined ? o.orderId === ref.orderId : o.clientOrderId === ref.clientOrderId),
    );
    const order = found.at(-1);
    if (!order) throw Errors.noSuchOrder();
    return order;
  }

  cancelOrder(accountId: string, symbol: string, ref: OrderRef): Order {
    const account = this.account(accountId);
    const order = account
      .openOrders(symbol)
      .filter((o) => (ref.orderId !== undefined ? o.orderId === ref.orderId : o.clientOrderId === ref.clientOrderId))
      .at(-1);
    if (!order) throw Errors.unknownOrder();
    order.status = 'CANCELED';
    order.updateTime = this.now;
    return order;
  }

  cancelAllOrders(accountId: string, symbol: string): Order[] {
    const orders = this.account(accountId).openOrders(symbol);
    for (const order of orders) {
      order.status = 'CANCELED';
      order.updateTime = this.now;
    }
    return orders;
  }

  private checkPositionSide(account: Account, input: OrderInput): void {
    const hedge = input.positionSide !== 'BOTH';
    if (hedge !== account.dualSide) throw Errors.positionSideMismatch();
    if (account.dualSide && input.reduceOnly) throw Errors.notRequired('reduceonly');
  }

  private newOrder(account: Account, input: OrderInput, clientOrderId: string, origType: OrderType = input.type): Order {
    const now = this.now;
    const order: Order = {
      seq: ++this.seq,
      orderId: this.nextOrderId++,
      clientOrderId,
      account: account.id,
      symbol: input.symbol,
      side: input.side,
      positionSide: input.positionSide,
      type: input.type,
      origType,
      status: 'NEW',
      origQty: input.quantity ?? new Decimal(0),
      executedQty: new Decimal(0),
      cumQuote: new Decimal(0),
      price: input.price ?? new Decimal(0),
      stopPrice: input.stopPrice ?? new Decimal(0),
      reduceOnly: input.reduceOnly,
      closePosition: input.closePosition,
      timeInForce: input.timeInForce,
      workingType: input.workingType,
      priceProtect: input.priceProtect,
      triggered: false,
      time: now,
      updateTime: now,
    };
    account.orders.push(order);
    return order;
  }

  private placeConditional(account: Account, input: OrderInput, clientOrderId: string): Order {
    if (triggerCrossed(input.type, input.side, input.stopPrice!, this.price(input.symbol))) throw Errors.wouldTrigger();
    const spec = this.spec(input.symbol);
    const open = account.openOrders(input.symbol).filter((o) => isConditional(o.type) && !o.triggered).length;
    if (open >= spec.maxNumAlgoOrders) throw Errors.maxStopOrders();
    return this.newOrder(account, input, clientOrderId);
  }

  /** A LIMIT that does not cross: IOC / FOK expire, the rest wait with their margin set aside. */
  private placeResting(account: Account, input: OrderInput, clientOrderId: string): Order {
    if (input.timeInForce === 'IOC' || input.timeInForce === 'FOK') {
      const order = this.newOrder(account, input, clientOrderId);
      order.status = 'EXPIRED';
      return order;
    }
    if (!input.reduceOnly && this.opens(account, input)) {
      const leverage = this.settings(account, input.symbol).leverage;
      const needed = input.quantity!.mul(input.price!).div(leverage);
      if (this.balance(account.id).available.lt(needed)) throw Errors.marginInsufficient();
    }
    return this.newOrder(account, input, clientOrderId);
  }

  /** MARKET, or a LIMIT that crosses: checked, then filled at once. */
  private placeTaker(account: Account, input: OrderInput, clientOrderId: string): Order {
    const qty = this.executableQty(account, input.symbol, input.positionSide, input.side, input.quantity!, input.reduceOnly);
    if (qty.isZero()) throw Errors.reduceOnlyRejected();
    const price = this.takerPrice(input.symbol, input.side);
    if (this.exceedsPositionLimit(account, input.symbol, input.positionSide, input.side, qty, price)) throw Errors.positionLimit();
    if (!this.marginSuffices(account, input.symbol, input.positionSide, input.side, qty, price, this.config.takerFeeRate)) {
      throw Errors.marginInsufficient();
    }
    const order = this.newOrder(account, input, clientOrderId);
    this.fill(account, order, qty, price, false);
    if (order.executedQty.lt(order.origQty)) order.status = 'EXPIRED';
    return order;
  }

  /** An opening order: one-way any side (it may flip), hedge LONG+BUY or SHORT+SELL. */
  private opens(account: Account, input: Pick<OrderInput, 'positionSide' | 'side'>): boolean {
    if (!account.dualSide) return true;
    return (input.positionSide === 'LONG') === (input.side === 'BUY');
  }

  /**
   * How much of `qty` may execute: reduce-only (and every closing order in hedge mode) no more than
   * the position it closes; zero when there is nothing to close.
   */
  private executableQty(
    account: Account,
    symbol: string,
    positionSide: PositionSide,
    side: Side,
    qty: Decimal,
    reduceOnly: boolean,
  ): Decimal {
    const closing = account.dualSide ? !this.opens(account, { positionSide, side }) : reduceOnly;
    if (!closing) return qty;
    return Decimal.min(qty, closableQty(account, symbol, positionSide, side));
  }

  private takerPrice(symbol: string, side: Side): Decimal {
    const mark = this.price(symbol);
    const factor = side === 'BUY' ? Decimal.add(1, this.config.slippageRate) : Decimal.sub(1, this.config.slippageRate);
    const spec = this.spec(symbol);
    return mark.mul(factor).toDecimalPlaces(new Decimal(spec.tickSize).decimalPlaces() + 2);
  }

  /** A fill that would grow the position beyond the notional its bracket allows at the symbol's leverage. */
  private exceedsPositionLimit(
    account: Account,
    symbol: string,
    positionSide: PositionSide,
    side: Side,
    qty: Decimal,
    price: Decimal,
  ): boolean {
    const before = account.position(symbol, positionSide)?.amount ?? new Decimal(0);
    const after = before.add(side === 'BUY' ? qty : qty.neg());
    if (after.abs().lte(before.abs())) return false;
    return after
      .abs()
      .mul(price)
      .gt(maxNotionalAt(this.spec(symbol).brackets, this.settings(account, symbol).leverage));
  }

  /** Isolated and cross alike: the opening part's margin plus the fee must fit in what is available. */
  private marginSuffices(
    account: Account,
    symbol: string,
    positionSide: PositionSide,
    side: Side,
    qty: Decimal,
    price: Decimal,
    feeRate: Decimal,
  ): boolean {
    const closing = Decimal.min(qty, closableQty(account, symbol, positionSide, side));
    const opening = qty.sub(closing);
    if (opening.isZero()) return true;
    const leverage = this.settings(account, symbol).leverage;
    const needed = opening.mul(price).div(leverage).add(qty.mul(price).mul(feeRate));
    const freed = freedByClosing(account, { symbol, positionSide, price }, closing, this.price(symbol));
    return this.balance(account.id).available.add(freed).gte(needed);
  }

  private fill(account: Account, order: Order, qty: Decimal, price: Decimal, maker: boolean): void {
    const now = this.now;
    const settings = this.settings(account, order.symbol);
    const result = applyFill(account, {
      symbol: order.symbol,
      positionSide: order.positionSide,
      side: order.side,
      qty,
      price,
      feeRate: maker ? this.config.makerFeeRate : this.config.takerFeeRate,
      leverage: settings.leverage,
      marginType: settings.marginType,
      now,
    });
    order.executedQty = order.executedQty.add(qty);
    order.cumQuote = order.cumQuote.add(qty.mul(price));
    order.status = order.closePosition || order.executedQty.gte(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = now;
    const tradeId = this.nextTradeId++;
    account.trades.push({
      id: tradeId,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      positionSide: order.positionSide,
      price,
      qty,
      commission: result.fee,
      realizedPnl: result.realizedPnl,
      maker,
      time: now,
    });
    if (result.closed.gt(0)) this.addIncome(account, order.symbol, 'REALIZED_PNL', result.realizedPnl, String(tradeId));
    if (result.fee.gt(0)) this.addIncome(account, order.symbol, 'COMMISSION', result.fee.neg(), String(tradeId));
  }

  private addIncome(account: Account, symbol: string, type: IncomeType, amount: Decimal, tradeId: string): Income {
    const income: Income = { tranId: this.nextTranId++, symbol, type, amount, tradeId, time: this.now };
    account.income.push(income);
    return income;
  }

  // -------------------------------------------------------------------------------------------
  // Binance algo (conditional) orders.

  placeAlgoOrder(accountId: string, input: OrderInput): AlgoOrder {
    const account = this.account(accountId);
    this.checkPositionSide(account, input);
    const clientAlgoId = input.clientOrderId ?? randomClientId();
    if (account.openAlgoOrders().some((o) => o.clientAlgoId === clientAlgoId)) throw Errors.duplicateClientId();
    if (triggerCrossed(input.type, input.side, input.stopPrice!, this.price(input.symbol))) throw Errors.wouldTrigger();
    const now = this.now;
    const algo: AlgoOrder = {
      seq: ++this.seq,
      algoId: this.nextAlgoId++,
      clientAlgoId,
      account: account.id,
      symbol: input.symbol,
      side: input.side,
      positionSide: input.positionSide,
      orderType: input.type,
      quantity: input.quantity,
      triggerPrice: input.stopPrice!,
      price: input.price ?? new Decimal(0),
      status: 'NEW',
      reduceOnly: input.reduceOnly,
      closePosition: input.closePosition,
      timeInForce: input.timeInForce,
      workingType: input.workingType,
      priceProtect: input.priceProtect,
      createTime: now,
      updateTime: now,
      triggerTime: 0,
      actualOrderId: null,
    };
    account.algoOrders.push(algo);
    return algo;
  }

  findAlgoOrder(accountId: string, ref: { algoId?: number; clientAlgoId?: string }): AlgoOrder {
    const account = this.account(accountId);
    const algo = account.algoOrders
      .filter((o) => (ref.algoId !== undefined ? o.algoId === ref.algoId : o.clientAlgoId === ref.clientAlgoId))
      .at(-1);
    if (!algo) throw Errors.noSuchOrder();
    return algo;
  }

  cancelAlgoOrder(accountId: string, ref: { algoId?: number; clientAlgoId?: string }): AlgoOrder {
    const account = this.account(accountId);
    const algo = account
      .openAlgoOrders()
      .filter((o) => (ref.algoId !== undefined ? o.algoId === ref.algoId : o.clientAlgoId === ref.clientAlgoId))
      .at(-1);
    if (!algo) throw Errors.unknownOrder();
    algo.status = 'CANCELED';
    algo.updateTime = this.now;
    return algo;
  }

  cancelAllAlgoOrders(accountId: string, symbol: string): AlgoOrder[] {
    const algos = this.account(accountId).openAlgoOrders(symbol);
    for (const algo of algos) {
      algo.status = 'CANCELED';
      algo.updateTime = this.now;
    }
    return algos;
  }

  // -------------------------------------------------------------------------------------------
  // What a price move sets off.

  private fireTriggers(symbol: string): void {
    const price = this.price(symbol);
    const due: Array<{ seq: number; run: () => void }> = [];
    for (const account of this.accounts.values()) {
      for (const order of account.openOrders(symbol)) {
        if (isConditional(order.type) && !order.triggered && triggerCrossed(order.type, order.side, order.stopPrice, price)) {
          due.push({ seq: order.seq, run: () => this.triggerOrder(account, order) });
        }
      }
      for (const algo of account.openAlgoOrders(symbol)) {
        if (triggerCrossed(algo.orderType, algo.side, algo.triggerPrice, price)) {
          due.push({ seq: algo.seq, run: () => this.triggerAlgo(account, algo) });
        }
      }
    }
    due.sort((a, b) => a.seq - b.seq);
    for (const item of due) item.run();
  }

  /** Aster: the conditional order itself executes (its type stays, e.g. STOP_MARKET). */
  private triggerOrder(account: Account, order: Order): void {
    if (order.status !== 'NEW') return;
    order.triggered = true;
    order.updateTime = this.now;
    if (isMarketOnTrigger(order.type)) this.executeTriggeredMarket(account, order);
    else this.workLimit(account, order, true);
  }

  /** Binance: the algo order places a regular order (its own clientOrderId) and points at it. */
  private triggerAlgo(account: Account, algo: AlgoOrder): void {
    if (algo.status !== 'NEW') return;
    const now = this.now;
    algo.status = 'TRIGGERED';
    algo.triggerTime = now;
    algo.updateTime = now;
    const child = this.newOrder(
      account,
      {
        symbol: algo.symbol,
        side: algo.side,
        positionSide: algo.positionSide,
        type: isMarketOnTrigger(algo.orderType) ? 'MARKET' : 'LIMIT',
        quantity: algo.quantity,
        price: isMarketOnTrigger(algo.orderType) ? null : algo.price,
        stopPrice: null,
        reduceOnly: algo.reduceOnly,
        closePosition: algo.closePosition,
        timeInForce: algo.timeInForce,
        workingType: algo.workingType,
        priceProtect: algo.priceProtect,
        clientOrderId: null,
        respType: 'ACK',
      },
      randomClientId(),
      algo.orderType,
    );
    algo.actualOrderId = child.orderId;
    if (child.type === 'MARKET') this.executeTriggeredMarket(account, child);
    else this.workLimit(account, child, true);
    this.settleAlgo(account, child);
  }

  private settleAlgo(account: Account, child: Order): void {
    if (child.status === 'NEW' || child.status === 'PARTIALLY_FILLED') return;
    const algo = account.algoOrders.find((a) => a.actualOrderId === child.orderId);
    if (algo && algo.status === 'TRIGGERED') {
      algo.status = 'FINISHED';
      algo.updateTime = this.now;
    }
  }

  private executeTriggeredMarket(account: Account, order: Order): void {
    const closable = closableQty(account, order.symbol, order.positionSide, order.side);
    const qty = order.closePosition
      ? closable
      : this.executableQty(account, order.symbol, order.positionSide, order.side, order.origQty, order.reduceOnly);
    const price = this.takerPrice(order.symbol, order.side);
    if (qty.isZero() || !this.marginSuffices(account, order.symbol, order.positionSide, order.side, qty, price, this.config.takerFeeRate)) {
      this.expire(order);
      return;
    }
    this.fill(account, order, qty, price, false);
    if (!order.closePosition && order.executedQty.lt(order.origQty)) order.status = 'EXPIRED';
  }

  /** A working limit order (LIMIT, or a triggered STOP / TAKE_PROFIT): fills when the price allows. */
  private workLimit(account: Account, order: Order, justTriggered: boolean): void {
    const mark = this.price(order.symbol);
    const crosses = order.side === 'BUY' ? mark.lte(order.price) : mark.gte(order.price);
    if (!crosses) return;
    const remaining = order.origQty.sub(order.executedQty);
    const qty = this.executableQty(account, order.symbol, order.positionSide, order.side, remaining, order.reduceOnly);
    // A just-triggered order meets the book as a taker at the current price; a resting one is a maker at its price.
    const price = justTriggered ? mark : order.price;
    const feeRate = justTriggered ? this.config.takerFeeRate : this.config.makerFeeRate;
    if (qty.isZero() || !this.marginSuffices(account, order.symbol, order.positionSide, order.side, qty, price, feeRate)) {
      this.expire(order);
      return;
    }
    this.fill(account, order, qty, price, !justTriggered);
    if (order.executedQty.lt(order.origQty)) order.status = 'EXPIRED';
  }

  private expire(order: Order): void {
    order.status = 'EXPIRED';
    order.updateTime = this.now;
  }

  private fillRestingLimits(symbol: string): void {
    for (const account of this.accounts.values()) {
      const working = account.openOrders(symbol).filter((o) => o.type === 'LIMIT' || (isConditional(o.type) && o.triggered));
      for (const order of working.sort((a, b) => a.seq - b.seq)) {
        if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') continue;
        this.workLimit(account, order, false);
        this.settleAlgo(account, order);
      }
    }
  }

  private liquidate(): void {
    for (const account of this.accounts.values()) {
      for (const p of [...account.positions.values()]) {
        if (p.marginType !== 'ISOLATED') continue;
        const mark = this.price(p.symbol);
        const liq = liquidationPriceOf(account, p, this.market);
        if (p.amount.gt(0) ? mark.lte(liq) : mark.gte(liq)) this.liquidatePosition(account, p.symbol, p.positionSide);
      }
      const summary = summarize(account, this.market);
      const cross = [...account.positions.values()].filter((p) => p.marginType === 'CROSSED');
      if (cross.length > 0 && summary.crossWallet.add(summary.crossUnPnl).lte(summary.crossMaintMargin)) {
        for (const p of cross) this.liquidatePosition(account, p.symbol, p.positionSide);
      }
    }
  }

  private liquidatePosition(account: Account, symbol: string, positionSide: PositionSide): void {
    const position = account.position(symbol, positionSide)!;
    const isolatedBefore = position.isolatedWallet;
    const side: Side = position.amount.gt(0) ? 'SELL' : 'BUY';
    const order = this.newOrder(
      account,
      {
        symbol,
        side,
        positionSide,
        type: 'MARKET',
        quantity: position.amount.abs(),
        price: null,
        stopPrice: null,
        reduceOnly: !account.dualSide,
        closePosition: false,
        timeInForce: 'IOC',
        workingType: 'CONTRACT_PRICE',
        priceProtect: false,
        clientOrderId: null,
        respType: 'ACK',
      },
      `autoclose-${this.now}${this.seq}`,
    );
    const before = account.trades.length;
    this.fill(account, order, position.amount.abs(), this.price(symbol), false);
    if (position.marginType === 'ISOLATED') {
      const realized = account.trades.slice(before).reduce((sum, t) => sum.add(t.realizedPnl), new Decimal(0));
      const left = round8(isolatedBefore.add(realized));
      if (left.gt(0)) {
        account.wallet = account.wallet.sub(left);
        this.addIncome(account, symbol, 'INSURANCE_CLEAR', left.neg(), '');
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Funding.

  /** Settles funding at the current mark price: longs pay a positive rate, shorts receive it. */
  payFunding(symbol: string, rate: number): void {
    const mark = this.price(symbol);
    const decimalRate = new Decimal(rate);
    const history = this.funding.get(symbol) ?? [];
    history.push({ time: this.now, rate: decimalRate, markPrice: mark });
    this.funding.set(symbol, history);
    for (const account of this.accounts.values()) {
      for (const p of account.positionsOf(symbol)) {
        const amount = round8(p.amount.mul(mark).mul(decimalRate).neg());
        account.wallet = account.wallet.add(amount);
        if (p.marginType === 'ISOLATED') account.setPosition({ ...p, isolatedWallet: p.isolatedWallet.add(amount) });
        account.updateTime = this.now;
        this.addIncome(account, symbol, 'FUNDING_FEE', amount, '');
      }
    }
  }

  /** Seeds funding history without paying anyone (options.fundingRates). */
  recordFunding(symbol: string, time: number, rate: number): void {
    const history = this.funding.get(symbol) ?? [];
    history.push({ time, rate: new Decimal(rate), markPrice: this.prices.get(symbol) ?? new Decimal(0) });
    history.sort((a, b) => a.time - b.time);
    this.funding.set(symbol, history);
  }

  fundingHistory(symbol: string): FundingEntry[] {
    return this.funding.get(symbol) ?? [];
  }

  lastFundingRate(symbol: string): Decimal {
    return this.fundingHistory(symbol).at(-1)?.rate ?? new Decimal('0.0001');
  }
}
