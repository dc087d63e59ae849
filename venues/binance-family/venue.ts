import Decimal from 'decimal.js';
import { VenueTemporaryError } from '../errors';
import { type WeightedRateLimiter, sharedRateLimiter } from '../http/rate-limiter';
import type { AccountCheck, LiveVenue } from '../live-venue';
import {
  type MarginBracket,
  type OrderRequest,
  type SymbolRules,
  type VenueBalance,
  type VenueIncome,
  type VenueOrder,
  type VenuePosition,
  VenueRejection,
} from '../venue';
import type { Params } from './encoding';
import { BinanceFamilyRejection, REFRESH_EXCHANGE_INFO_CODES, isOrderNotFound } from './errors';
import {
  CachedValue,
  type ExchangeInfoCache,
  type QuantityFilter,
  type SymbolInfo,
  parseExchangeInfo,
  sharedExchangeInfoCache,
} from './exchange-info';
import type { BinanceFamilyFlavour } from './flavour';
import { parseLeverageBrackets } from './leverage-brackets';
import {
  type RawAlgoOrder,
  type RawBalance,
  type RawIncome,
  type RawOrder,
  type RawPosition,
  type RawTrade,
  actualOrderId,
  balanceFromRaw,
  incomeFromRaw,
  isFinalStatus,
  isOpenPosition,
  mapAlgoStatus,
  mergeTriggered,
  orderFromAlgo,
  orderFromRaw,
  positionFromRaw,
  tradesByOrder,
  withTrades,
} from './mapping';
import { BinanceFamilyRestClient } from './rest-client';
import type { RequestSigner } from './signing';

/** IP weights of the endpoints used (Binance / Aster docs; the heavier figure where they differ). */
export const WEIGHTS = {
  exchangeInfo: 1,
  time: 1,
  premiumIndex: 1,
  tickerPrice: 1,
  balance: 5,
  positionRisk: 5,
  order: 1,
  queryOrder: 1,
  cancelOrder: 1,
  openOrders: 1,
  openOrdersAllSymbols: 40,
  allOrders: 5,
  userTrades: 5,
  income: 30,
  leverage: 1,
  leverageBracket: 1,
  marginType: 1,
  positionMode: 30,
  algoOrder: 1,
  allAlgoOrders: 5,
} as const;

/** The arena's client ids are 32 hex characters; the venues accept this pattern. */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
/** History endpoints accept at most 7 days between startTime and endTime. */
const HISTORY_SPAN_MS = 7 * 24 * 60 * 60_000 - 60_000;
const HISTORY_LIMIT = 1000;
/** The venues keep order history 90 days and trades 6 months: nothing is asked for before this. */
const HISTORY_MAX_AGE_MS = 180 * 24 * 60 * 60_000;
const MAX_PAGES = 20;
/**
 * Orders are listed by creation time: a protective order placed a little before `since` can fill
 * after it (Aster keeps the conditional order's own id), so the query starts this much earlier.
 */
const ORDER_LOOKBACK_MS = 60 * 60_000;
const MARKET_POLLS = 5;
const TRADE_POLLS = 3;

export interface BinanceFamilyVenueOptions {
  flavour: BinanceFamilyFlavour;
  account: string;
  baseUrl: string;
  testnet: boolean;
  signer: RequestSigner;
  /** Added to the message of a signature or API-key refusal in checkAccount: what to check. */
  authHelp?: string;
  timeoutMs?: number;
  /** Base delay between polls of an order or its trades that are not final yet (ms). */
  pollDelayMs?: number;
}

/** Client ids of conditional orders placed through the algo service by this process, per account and symbol. */
const placedAlgoIds = new Map<string, Map<string, string[]>>();

/**
 * A Binance-family USD-M futures account (Binance, Aster v3) behind the venue interface. Orders are
 * checked and rounded to the symbol's filters before they are sent; the venue's refusals become
 * VenueRejection with the paper venue's codes where they overlap.
 */
export class BinanceFamilyVenue implements LiveVenue {
  readonly venue: string;
  readonly account: string;
  readonly baseUrl: string;
  readonly testnet: boolean;
  private readonly flavour: BinanceFamilyFlavour;
  private readonly client: BinanceFamilyRestClient;
  private readonly limiter: WeightedRateLimiter;
  private readonly exchangeInfo: ExchangeInfoCache;
  /** The account's brackets of every symbol, cached like exchange info; empty where the venue refuses them. */
  private readonly brackets: CachedValue<Map<string, MarginBracket[]>>;
  private readonly leverageHints = new Map<string, number>();
  private readonly pollDelayMs: number;
  private readonly authHelp?: string;

  constructor(opts: BinanceFamilyVenueOptions) {
    this.flavour = opts.flavour;
    this.venue = opts.flavour.venue;
    this.account = opts.account;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.testnet = opts.testnet;
    this.pollDelayMs = opts.pollDelayMs ?? 200;
    this.authHelp = opts.authHelp;
    this.limiter = sharedRateLimiter(`${this.venue}:${new URL(this.baseUrl).host}`, [
      { intervalMs: 60_000, limit: opts.flavour.defaultWeightPerMinute },
    ]);
    const common = {
      venue: this.venue,
      baseUrl: this.baseUrl,
      limiter: this.limiter,
      timePath: opts.flavour.paths.time,
      timeoutMs: opts.timeoutMs,
    };
    this.client = new BinanceFamilyRestClient({
      ...common,
      account: opts.account,
      signer: opts.signer,
      onRejection: (err) => {
        if (err.venueCode !== null && REFRESH_EXCHANGE_INFO_CODES.has(err.venueCode)) this.exchangeInfo.invalidate();
      },
    });
    const publicClient = new BinanceFamilyRestClient(common);
    const limiter = this.limiter;
    const path = opts.flavour.paths.exchangeInfo;
    this.exchangeInfo = sharedExchangeInfoCache(`${this.venue}|${this.baseUrl}`, async () => {
      const info = parseExchangeInfo(await publicClient.call({ method: 'GET', path, weight: WEIGHTS.exchangeInfo }));
      if (info.rateLimits.length > 0) limiter.setLimits(info.rateLimits);
      return info;
    });
    this.brackets = new CachedValue(async () => {
      try {
        return parseLeverageBrackets(await this.signed('GET', opts.flavour.paths.leverageBracket, {}, WEIGHTS.leverageBracket));
      } catch (err) {
        if (err instanceof VenueRejection) return new Map();
        throw err;
      }
    });
  }

  // --- account ---

  async checkAccount(): Promise<AccountCheck> {
    await this.exchangeInfo.get();
    let mode: { dualSidePosition?: boolean | string };
    try {
      mode = await this.signed('GET', this.flavour.paths.positionMode, {}, WEIGHTS.positionMode);
    } catch (err) {
      throw this.explainAuth(err);
    }
    const hedge = mode?.dualSidePosition === true || mode?.dualSidePosition === 'true';
    if (hedge) {
      throw new VenueRejection(
        'HEDGE_MODE',
        `${this.client.who} is in hedge mode (dualSidePosition=true); the arena books one position per symbol and needs one-way mode. ${this.flavour.hedgeModeHelp}`,
      );
    }
    const [rows, raw] = await Promise.all([this.balanceRows(), this.rawPositions()]);
    const balance = balanceFromRaw(rows, raw);
    const warnings: string[] = [];
    if (!rows.some((r) => r.asset === 'USDT')) warnings.push('the futures wallet has no USDT row: fund it before trading');
    else if (balance.equity <= 0) warnings.push('the USDT balance is 0: fund the futures wallet before trading');
    for (const p of raw.filter(isOpenPosition).map((r) => positionFromRaw(r))) {
      warnings.push(
        `the account already holds ${p.symbol} ${p.side} ${p.quantity} (entry ${p.entryPrice}); the agent will see it as its own`,
      );
    }
    return {
      venue: this.venue,
      account: this.account,
      testnet: this.testnet,
      baseUrl: this.baseUrl,
      balance,
      positionMode: 'one-way',
      warnings,
    };
  }

  /**
   * Exchange info's filters, with the account's notional brackets (GET leverageBracket) and the
   * highest leverage they allow, where the venue answers them.
   */
  async symbolRules(symbol: string): Promise<SymbolRules> {
    const { rules } = await this.symbolInfo(symbol);
    const brackets = (await this.brackets.get()).get(symbol);
    if (!brackets) return rules;
    return { ...rules, maxLeverage: Math.max(...brackets.map((b) => b.initialLeverage)), marginBrackets: brackets };
  }

  async balance(): Promise<VenueBalance> {
    const [rows, positions] = await Promise.all([this.balanceRows(), this.rawPositions()]);
    return balanceFromRaw(rows, positions);
  }

  async positions(): Promise<VenuePosition[]> {
    const raw = await this.rawPositions();
    return raw.filter(isOpenPosition).map((r) => positionFromRaw(r, this.leverageHints.get(r.symbol)));
  }

  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const rules = await this.symbolRules(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > rules.maxLeverage) {
      throw new VenueRejection(
        'INVALID_LEVERAGE',
        `${this.client.who}: leverage ${leverage} is not an integer from 1 to ${rules.maxLeverage} for ${symbol}`,
      );
    }
    await this.signed('POST', this.flavour.paths.leverage, { symbol, leverage }, WEIGHTS.leverage, true);
    this.leverageHints.set(symbol, leverage);
  }

  async setMarginType(symbol: string, marginType: 'isolated' | 'cross'): Promise<void> {
    await this.symbolInfo(symbol);
    try {
      await this.signed(
        'POST',
        this.flavour.paths.marginType,
        { symbol, marginType: marginType === 'isolated' ? 'ISOLATED' : 'CROSSED' },
        WEIGHTS.marginType,
        true,
      );
    } catch (err) {
      // -4046 "No need to change margin type": it already is.
      if (err instanceof BinanceFamilyRejection && err.venueCode === -4046) return;
      throw err;
    }
  }

  // --- orders ---

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const weight = symbol ? WEIGHTS.openOrders : WEIGHTS.openOrdersAllSymbols;
    const params = symbol ? { symbol } : {};
    const algo = this.flavour.algo;
    const [regular, conditional] = await Promise.all([
      this.signed<RawOrder[]>('GET', this.flavour.paths.openOrders, params, weight),
      algo ? this.signed<unknown>('GET', algo.openOrders, params, weight) : Promise.resolve([]),
    ]);
    return [...asArray<RawOrder>(regular).map(orderFromRaw), ...asArray<RawAlgoOrder>(conditional).map(orderFromAlgo)].sort(
      (a, b) => a.createdAt - b.createdAt,
    );
  }

  async getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    try {
      const raw = await this.signed<RawOrder>(
        'GET',
        this.flavour.paths.order,
        { symbol, origClientOrderId: clientOrderId },
        WEIGHTS.queryOrder,
      );
      return await this.withFills(orderFromRaw(raw), String(raw.orderId), false);
    } catch (err) {
      if (!isOrderNotFound(err)) throw err;
    }
    const algo = this.flavour.algo;
    if (!algo) return null;
    try {
      const raw = await this.signed<RawAlgoOrder>('GET', algo.order, { clientAlgoId: clientOrderId }, WEIGHTS.algoOrder);
      if (raw.symbol && raw.symbol !== symbol) return null;
      return await this.resolveAlgo(raw, false);
    } catch (err) {
      if (isOrderNotFound(err)) return null;
      throw err;
    }
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    try {
      const raw = await this.signed<RawOrder>(
        'DELETE',
        this.flavour.paths.order,
        { symbol, origClientOrderId: clientOrderId },
        WEIGHTS.cancelOrder,
        true,
      );
      return orderFromRaw(raw);
    } catch (err) {
      // -2011 / -2013: unknown, or already filled / canceled: nothing left to cancel.
      if (!isOrderNotFound(err)) throw err;
    }
    const algo = this.flavour.algo;
    if (!algo) return null;
    try {
      await this.signed('DELETE', algo.order, { clientAlgoId: clientOrderId }, WEIGHTS.algoOrder, true);
    } catch (err) {
      if (isOrderNotFound(err)) return null;
      throw err;
    }
    try {
      const raw = await this.signed<RawAlgoOrder>('GET', algo.order, { clientAlgoId: clientOrderId }, WEIGHTS.algoOrder);
      return orderFromAlgo(raw);
    } catch (err) {
      if (isOrderNotFound(err)) return null;
      throw err;
    }
  }

  async placeOrder(request: OrderRequest): Promise<VenueOrder> {
    if (!CLIENT_ORDER_ID.test(request.clientOrderId)) {
      throw new VenueRejection(
        'INVALID_PARAMETER',
        `${this.client.who}: client order id "${request.clientOrderId}" does not match ^[.A-Z:/a-z0-9_-]{1,36}$`,
      );
    }
    const info = await this.symbolInfo(request.symbol);
    return request.type === 'MARKET' ? this.placeMarket(request, info) : this.placeConditional(request, info);
  }

  async filledOrders(since: number, symbols: readonly string[]): Promise<VenueOrder[]> {
    const out: VenueOrder[] = [];
    for (const symbol of new Set(symbols)) out.push(...(await this.filledIn(symbol, since)));
    return out.sort((a, b) => a.updatedAt - b.updatedAt || (Number(a.venueOrderId) || 0) - (Number(b.venueOrderId) || 0));
  }

  async income(since: number): Promise<VenueIncome[]> {
    const rows = await this.history<RawIncome>(
      this.flavour.paths.income,
      {},
      since,
      WEIGHTS.income,
      (r) => r.time,
      (r) => `${r.tranId ?? ''}|${r.tradeId ?? ''}|${r.incomeType}|${r.symbol ?? ''}|${r.time}|${r.income}`,
    );
    return rows
      .map(incomeFromRaw)
      .filter((i): i is VenueIncome => i !== null && i.time >= since)
      .sort((a, b) => a.time - b.time);
  }

  // --- order placement ---

  private async placeMarket(request: OrderRequest, info: SymbolInfo): Promise<VenueOrder> {
    let quantity: Decimal;
    let reduceOnly = !!request.reduceOnly;
    if (request.closePosition) {
      // No close-position flag on market orders: the position's size, reduce-only.
      const raw = (await this.rawPositions()).find((p) => p.symbol === request.symbol && isOpenPosition(p));
      const amount = raw ? new Decimal(String(raw.positionAmt)) : new Decimal(0);
      if (amount.isZero() || amount.isPos() === (request.side === 'BUY')) {
        throw new VenueRejection(
          'REDUCE_ONLY_REJECTED',
          `${this.client.who}: close-position ${request.side} ${request.symbol}: no position it would close`,
        );
      }
      quantity = amount.abs();
      reduceOnly = true;
    } else {
      quantity = this.decimal(request.quantity, 'quantity', request);
    }
    const qty = this.sizeQuantity(quantity, info.marketLot, request, 'MARKET_LOT_SIZE');
    if (!reduceOnly) {
      this.assertTrading(info, request);
      await this.assertNotional(info, request, qty, null);
    }
    const params: Params = {
      symbol: request.symbol,
      side: request.side,
      type: 'MARKET',
      quantity: qty,
      reduceOnly: reduceOnly ? 'true' : undefined,
      newClientOrderId: request.clientOrderId,
      newOrderRespType: 'RESULT',
    };
    let raw = await this.signed<RawOrder>('POST', this.flavour.paths.order, params, WEIGHTS.order, true);
    for (let i = 0; i < MARKET_POLLS && !isFinalStatus(raw.status); i++) {
      await sleep(this.pollDelayMs * (i + 1));
      raw = await this.signed<RawOrder>(
        'GET',
        this.flavour.paths.order,
        { symbol: request.symbol, origClientOrderId: request.clientOrderId },
        WEIGHTS.queryOrder,
      );
    }
    return this.withFills(orderFromRaw(raw), String(raw.orderId), true);
  }

  private async placeConditional(request: OrderRequest, info: SymbolInfo): Promise<VenueOrder> {
    if (request.stopPrice === undefined || request.stopPrice === '') {
      throw new VenueRejection('MISSING_PARAMETER', `${this.client.who}: ${request.type} ${request.symbol} needs a stopPrice`);
    }
    const stop = this.roundStop(this.decimal(request.stopPrice, 'stopPrice', request), info, request);
    let quantity: string | undefined;
    if (!request.closePosition) {
      if (request.quantity === undefined || request.quantity === '') {
        throw new VenueRejection(
          'MISSING_PARAMETER',
          `${this.client.who}: ${request.type} ${request.symbol} needs a quantity or closePosition`,
        );
      }
      quantity = this.sizeQuantity(this.decimal(request.quantity, 'quantity', request), info.lot, request, 'LOT_SIZE');
      if (!request.reduceOnly) {
        this.assertTrading(info, request);
        await this.assertNotional(info, request, quantity, new Decimal(stop));
      }
    }
    const reduceOnly = !request.closePosition && request.reduceOnly ? 'true' : undefined;
    const closePosition = request.closePosition ? 'true' : undefined;
    const algo = this.flavour.algo;
    if (algo) {
      const raw = await this.signed<RawAlgoOrder>(
        'POST',
        algo.order,
        {
          algoType: 'CONDITIONAL',
          symbol: request.symbol,
          side: request.side,
          type: request.type,
          quantity,
          triggerPrice: stop,
          closePosition,
          reduceOnly,
          clientAlgoId: request.clientOrderId,
        },
        WEIGHTS.algoOrder,
        true,
      );
      this.rememberAlgo(request.symbol, request.clientOrderId);
      return orderFromAlgo({ ...raw, clientAlgoId: raw.clientAlgoId ?? request.clientOrderId, symbol: raw.symbol ?? request.symbol });
    }
    const raw = await this.signed<RawOrder>(
      'POST',
      this.flavour.paths.order,
      {
        symbol: request.symbol,
        side: request.side,
        type: request.type,
        quantity,
        reduceOnly,
        newClientOrderId: request.clientOrderId,
        stopPrice: stop,
        closePosition,
      },
      WEIGHTS.order,
      true,
    );
    return orderFromRaw(raw);
  }

  /** Rounded DOWN to the step; below the minimum or above the maximum is refused before sending. */
  private sizeQuantity(quantity: Decimal, filter: QuantityFilter, request: OrderRequest, filterName: string): string {
    const step = new Decimal(filter.stepSize);
    const rounded = quantity.div(step).floor().mul(step);
    const text = rounded.toFixed(step.decimalPlaces());
    if (rounded.lte(0) || rounded.lt(filter.minQty)) {
      throw new VenueRejection(
        'QUANTITY_BELOW_MIN',
        `${this.client.who}: ${request.symbol} quantity ${quantity.toFixed()} rounds down to ${text} (step ${filter.stepSize}), below the minimum ${filter.minQty} (${filterName})`,
      );
    }
    if (new Decimal(filter.maxQty).gt(0) && rounded.gt(filter.maxQty)) {
      throw new VenueRejection(
        'QUANTITY_ABOVE_MAX',
        `${this.client.who}: ${request.symbol} quantity ${text} is above the maximum ${filter.maxQty} of one ${request.type === 'MARKET' ? 'market ' : ''}order (${filterName})`,
      );
    }
    return text;
  }

  /** A trigger price on the tick (nearest), inside PRICE_FILTER's bounds. */
  private roundStop(price: Decimal, info: SymbolInfo, request: OrderRequest): string {
    const tick = new Decimal(info.price.tickSize);
    const rounded = price.div(tick).round().mul(tick);
    const text = rounded.toFixed(tick.decimalPlaces());
    if (rounded.lte(0)) {
      throw new VenueRejection(
        'PRECISION',
        `${this.client.who}: ${request.symbol} stop price ${price.toFixed()} rounds to ${text} on tick ${info.price.tickSize}`,
      );
    }
    const { minPrice, maxPrice } = info.price;
    if ((new Decimal(minPrice).gt(0) && rounded.lt(minPrice)) || (new Decimal(maxPrice).gt(0) && rounded.gt(maxPrice))) {
      throw new VenueRejection(
        'PRICE_OUT_OF_BOUNDS',
        `${this.client.who}: ${request.symbol} stop price ${text} is outside ${minPrice}..${maxPrice} (PRICE_FILTER)`,
      );
    }
    return text;
  }

  /** MIN_NOTIONAL at the latest mark price (or the trigger price of a conditional order). */
  private async assertNotional(info: SymbolInfo, request: OrderRequest, quantity: string, price: Decimal | null): Promise<void> {
    const minimum = new Decimal(info.rules.minNotional);
    if (minimum.lte(0)) return;
    const reference = price ?? (await this.latestPrice(request.symbol));
    if (!reference) return; // no price readable: the venue checks it itself
    const notional = reference.mul(quantity);
    if (notional.lt(minimum)) {
      throw new VenueRejection(
        'MIN_NOTIONAL',
        `${this.client.who}: ${request.symbol} notional ${notional.toFixed(2)} USDT (${quantity} at ${reference.toFixed()}) is below the minimum ${minimum.toFixed()} USDT (MIN_NOTIONAL)`,
      );
    }
  }

  private assertTrading(info: SymbolInfo, request: OrderRequest): void {
    if (info.status !== 'TRADING') {
      throw new VenueRejection('SYMBOL_NOT_TRADING', `${this.client.who}: ${request.symbol} is ${info.status}, not TRADING`);
    }
  }

  /** Mark price (premiumIndex), else the last trade price; null when the venue answers neither. */
  private async latestPrice(symbol: string): Promise<Decimal | null> {
    const attempts: Array<[string, number, string]> = [
      [this.flavour.paths.premiumIndex, WEIGHTS.premiumIndex, 'markPrice'],
      [this.flavour.paths.tickerPrice, WEIGHTS.tickerPrice, 'price'],
    ];
    for (const [path, weight, field] of attempts) {
      try {
        const body = await this.client.call<Record<string, unknown>>({ method: 'GET', path, params: { symbol }, weight });
        const value = new Decimal(String((Array.isArray(body) ? body[0] : body)?.[field] ?? '0'));
        if (value.gt(0)) return value;
      } catch (err) {
        if (!(err instanceof VenueRejection)) throw err;
      }
    }
    return null;
  }

  private decimal(value: string | undefined, field: string, request: OrderRequest): Decimal {
    try {
      const d = new Decimal(String(value ?? ''));
      if (d.isFinite() && d.gt(0)) return d;
    } catch {
      // reported below
    }
    throw new VenueRejection('INVALID_PARAMETER', `${this.client.who}: ${request.symbol} ${field} "${value}" is not a positive number`);
  }

  // --- fills ---

  /** Fee, realised PnL and (when missing) average price of an order that executed, from its trades. */
  private async withFills(order: VenueOrder, orderId: string, wait: boolean): Promise<VenueOrder> {
    if (!(order.executedQty > 0)) return order;
    let trades = await this.tradesOf(order.symbol, orderId, order.updatedAt);
    for (let i = 0; wait && i < TRADE_POLLS && sumQty(trades).lt(order.executedQty); i++) {
      await sleep(this.pollDelayMs * (i + 1));
      trades = await this.tradesOf(order.symbol, orderId, order.updatedAt);
    }
    return withTrades(order, trades);
  }

  private async tradesOf(symbol: string, orderId: string, time: number): Promise<RawTrade[]> {
    if (this.flavour.userTradesByOrderId) {
      return asArray<RawTrade>(await this.signed('GET', this.flavour.paths.userTrades, { symbol, orderId }, WEIGHTS.userTrades));
    }
    const params: Params = { symbol, startTime: time > 0 ? time - 60_000 : undefined, limit: HISTORY_LIMIT };
    const rows = asArray<RawTrade>(await this.signed('GET', this.flavour.paths.userTrades, params, WEIGHTS.userTrades));
    return rows.filter((t) => String(t.orderId) === orderId);
  }

  /** A Binance algo order; once triggered, the fill of the regular order it became, under the algo's id. */
  private async resolveAlgo(raw: RawAlgoOrder, wait: boolean): Promise<VenueOrder> {
    const actual = actualOrderId(raw);
    if (!actual) return orderFromAlgo(raw);
    try {
      const fill = await this.signed<RawOrder>(
        'GET',
        this.flavour.paths.order,
        { symbol: raw.symbol, orderId: actual },
        WEIGHTS.queryOrder,
      );
      return await this.withFills(mergeTriggered(raw, fill), actual, wait);
    } catch (err) {
      if (!isOrderNotFound(err)) throw err;
    }
    return this.withFills(orderFromAlgo(raw), actual, wait);
  }

  private async filledIn(symbol: string, since: number): Promise<VenueOrder[]> {
    const start = Math.max(0, since - ORDER_LOOKBACK_MS);
    const orders = await this.history<RawOrder>(
      this.flavour.paths.allOrders,
      { symbol },
      start,
      WEIGHTS.allOrders,
      (o) => o.time ?? o.updateTime ?? 0,
      (o) => String(o.orderId),
    );
    const trades = tradesByOrder(
      await this.history<RawTrade>(
        this.flavour.paths.userTrades,
        { symbol },
        start,
        WEIGHTS.userTrades,
        (t) => t.time,
        (t) => `${t.id ?? ''}|${t.orderId}|${t.time}|${t.qty}|${t.price}`,
      ),
    );
    const triggered = this.flavour.algo ? await this.triggeredAlgos(symbol, start) : new Map<string, RawAlgoOrder>();
    const out: VenueOrder[] = [];
    const listed = new Set<string>();
    for (const raw of orders) {
      const executed = new Decimal(String(raw.executedQty ?? '0'));
      const done = raw.status === 'FILLED' || (['CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH'].includes(raw.status) && executed.gt(0));
      if (!done) continue;
      const id = String(raw.orderId);
      listed.add(id);
      const algo = triggered.get(id);
      // A partly executed order that was canceled or expired counts as filled with what it executed.
      const order = { ...(algo ? mergeTriggered(algo, raw) : orderFromRaw(raw)), status: 'FILLED' as const };
      if (order.updatedAt >= since) out.push(withTrades(order, trades.get(id) ?? []));
    }
    // A triggered algo order whose regular order the order list does not show (yet): from the algo order.
    for (const [id, algo] of triggered) {
      if (listed.has(id) || mapAlgoStatus(algo) !== 'FILLED') continue;
      const order = withTrades(orderFromAlgo(algo), trades.get(id) ?? []);
      if (order.updatedAt >= since) out.push(order);
    }
    return out;
  }

  /**
   * Binance: triggered algo orders of a symbol by the id of the regular order they became. From
   * allAlgoOrders; if the venue does not answer it, from the algo orders this process placed.
   */
  private async triggeredAlgos(symbol: string, start: number): Promise<Map<string, RawAlgoOrder>> {
    const algo = this.flavour.algo!;
    let rows: RawAlgoOrder[];
    try {
      rows = asArray<RawAlgoOrder>(await this.signed('GET', algo.allOrders, { symbol, startTime: start }, WEIGHTS.allAlgoOrders));
    } catch (err) {
      if (!(err instanceof VenueRejection)) throw err;
      rows = [];
      for (const clientAlgoId of this.rememberedAlgos(symbol)) {
        try {
          rows.push(await this.signed<RawAlgoOrder>('GET', algo.order, { clientAlgoId }, WEIGHTS.algoOrder));
        } catch (inner) {
          if (!isOrderNotFound(inner)) throw inner;
        }
      }
    }
    const out = new Map<string, RawAlgoOrder>();
    for (const row of rows) {
      const id = actualOrderId(row);
      if (id && (!row.symbol || row.symbol === symbol)) out.set(id, row);
    }
    return out;
  }

  private rememberAlgo(symbol: string, clientAlgoId: string): void {
    const key = `${this.baseUrl}|${this.account}`;
    let bySymbol = placedAlgoIds.get(key);
    if (!bySymbol) placedAlgoIds.set(key, (bySymbol = new Map()));
    const ids = bySymbol.get(symbol) ?? [];
    bySymbol.set(symbol, [...ids.filter((id) => id !== clientAlgoId), clientAlgoId].slice(-50));
  }

  private rememberedAlgos(symbol: string): string[] {
    return placedAlgoIds.get(`${this.baseUrl}|${this.account}`)?.get(symbol) ?? [];
  }

  // --- requests ---

  private async symbolInfo(symbol: string): Promise<SymbolInfo> {
    const info = await this.exchangeInfo.symbol(symbol);
    if (!info) throw new VenueRejection('UNKNOWN_SYMBOL', `${this.client.who}: ${symbol} is not listed on ${this.venue}`);
    return info;
  }

  private async balanceRows(): Promise<RawBalance[]> {
    return asArray<RawBalance>(await this.signed('GET', this.flavour.paths.balance, {}, WEIGHTS.balance));
  }

  private async rawPositions(): Promise<RawPosition[]> {
    return asArray<RawPosition>(await this.signed('GET', this.flavour.paths.positionRisk, {}, WEIGHTS.positionRisk));
  }

  private signed<T = unknown>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: Params,
    weight: number,
    mutates = false,
  ): Promise<T> {
    return this.client.call<T>({ method, path, params, weight, signed: true, mutates });
  }

  /**
   * Rows of a history endpoint from `start` to now, oldest first: in windows of at most 7 days
   * (only startTime when the whole span fits one), each paged by time while pages come back full.
   */
  private async history<T>(
    path: string,
    params: Params,
    start: number,
    weight: number,
    timeOf: (row: T) => number,
    idOf: (row: T) => string,
  ): Promise<T[]> {
    const now = await this.client.venueNow();
    start = Math.max(start, now - HISTORY_MAX_AGE_MS);
    const windows: Array<[number, number | undefined]> = [];
    if (now - start <= HISTORY_SPAN_MS) windows.push([start, undefined]);
    else for (let from = start; from <= now; from += HISTORY_SPAN_MS) windows.push([from, Math.min(from + HISTORY_SPAN_MS - 1, now)]);
    const rows = new Map<string, T>();
    for (const [from, to] of windows) {
      let cursor = from;
      for (let page = 0; page < MAX_PAGES; page++) {
        const batch = asArray<T>(
          await this.signed('GET', path, { ...params, startTime: cursor, endTime: to, limit: HISTORY_LIMIT }, weight),
        );
        for (const row of batch) rows.set(idOf(row), row);
        if (batch.length < HISTORY_LIMIT) break;
        const last = Math.max(...batch.map(timeOf));
        if (!(last > cursor)) break;
        cursor = last;
      }
    }
    return [...rows.values()].sort((a, b) => timeOf(a) - timeOf(b));
  }

  /** A signature or key refusal during checkAccount, with what to check. */
  private explainAuth(err: unknown): unknown {
    if (!(err instanceof VenueRejection) || !this.authHelp) return err;
    if (!['INVALID_SIGNATURE', 'INVALID_API_KEY', 'FORBIDDEN'].includes(err.code)) return err;
    return new VenueRejection(err.code, `${err.message}. ${this.authHelp}`);
  }
}

function asArray<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  // Some list answers are wrapped: {"total": n, "orders": [...]}.
  const wrapped = (body as { orders?: unknown } | null)?.orders;
  if (Array.isArray(wrapped)) return wrapped as T[];
  if (body === undefined || body === null) return [];
  throw new VenueTemporaryError(`unexpected answer shape: expected a list, got ${typeof body}`);
}

function sumQty(trades: readonly RawTrade[]): Decimal {
  return trades.reduce((acc, t) => acc.add(String(t.qty ?? '0')), new Decimal(0));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
