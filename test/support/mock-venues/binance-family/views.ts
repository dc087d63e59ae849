import Decimal from 'decimal.js';
import type { Engine } from './engine';
import { initialMargin, maintenanceMargin, unrealizedPnl } from './ledger';
import type { Account, AlgoOrder, Income, Order, Position, Trade } from './model';
import { type MockSymbolSpec, filtersOf, fmt } from './symbols';

/**
 * The JSON the venues answer with, field for field as in test/fixtures/venues/{binance,aster}
 * (names, order, and string vs number types). Where Binance and Aster differ, the flavour decides.
 */

export type FlavourName = 'binance' | 'aster';

const ZERO = new Decimal(0);

export interface OrderViewOptions {
  /** GET order / openOrders / allOrders add `time` (and on Binance `avgPrice`, `cumQuote`). */
  query?: boolean;
  /** newOrderRespType=RESULT: Binance adds `avgPrice`, `cumQuote`. */
  result?: boolean;
}

function avgPrice(spec: MockSymbolSpec, order: Order): string {
  if (order.executedQty.isZero()) return '0.00000';
  return order.cumQuote.div(order.executedQty).toFixed(Math.max(5, spec.pricePrecision));
}

/**
 * One regular order. POST answers follow the fixtures exactly (Binance order.json: no avgPrice /
 * cumQuote; Aster order.json: with them; activatePrice / priceRate only exist for trailing stops,
 * which the mock does not take).
 */
export function orderView(
  flavour: FlavourName,
  spec: MockSymbolSpec,
  order: Order,
  options: OrderViewOptions = {},
): Record<string, unknown> {
  const common = {
    clientOrderId: order.clientOrderId,
    cumQty: fmt.qty(spec, order.executedQty),
    ...(flavour === 'aster' && { cumQuote: fmt.exact(order.cumQuote) }),
    executedQty: fmt.qty(spec, order.executedQty),
    orderId: order.orderId,
    ...(flavour === 'aster' && { avgPrice: avgPrice(spec, order) }),
    origQty: fmt.qty(spec, order.origQty),
    price: fmt.price(spec, order.price),
    reduceOnly: order.reduceOnly,
    side: order.side,
    positionSide: order.positionSide,
    status: order.status,
    stopPrice: fmt.price(spec, order.stopPrice),
    closePosition: order.closePosition,
    symbol: order.symbol,
    ...(options.query && { time: order.time }),
    timeInForce: order.timeInForce,
    type: order.type,
    origType: order.origType,
    updateTime: order.updateTime,
    workingType: order.workingType,
    priceProtect: order.priceProtect,
  };
  if (flavour === 'aster') return common;
  return {
    ...common,
    ...((options.query || options.result) && { avgPrice: avgPrice(spec, order), cumQuote: fmt.exact(order.cumQuote) }),
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
  };
}

/**
 * What a POST order answers. ACK (the default) is sent before matching, as on the real venues: a
 * MARKET order shows status NEW and executedQty 0 even though it has already filled (query it to see
 * the fill). RESULT shows the order after matching.
 */
export function placedOrderView(
  flavour: FlavourName,
  spec: MockSymbolSpec,
  order: Order,
  respType: 'ACK' | 'RESULT',
): Record<string, unknown> {
  if (respType === 'RESULT') return orderView(flavour, spec, order, { result: true });
  const acked: Order = { ...order, status: 'NEW', executedQty: ZERO, cumQuote: ZERO, updateTime: order.time };
  return orderView(flavour, spec, acked);
}

/** Binance algo order; POST answers have exactly the fixture's fields (algoOrder.json). */
export function algoView(spec: MockSymbolSpec, algo: AlgoOrder, actual?: { order: Order | undefined }): Record<string, unknown> {
  const view: Record<string, unknown> = {
    algoId: algo.algoId,
    clientAlgoId: algo.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: algo.orderType,
    symbol: algo.symbol,
    side: algo.side,
    positionSide: algo.positionSide,
    timeInForce: algo.timeInForce,
    quantity: algo.quantity ? fmt.qty(spec, algo.quantity) : '0',
    algoStatus: algo.status,
  };
  if (actual) {
    const order = actual.order;
    view.actualOrderId = algo.actualOrderId === null ? '' : String(algo.actualOrderId);
    view.actualPrice = order && order.executedQty.gt(0) ? avgPrice(spec, order) : '0.00000';
  }
  Object.assign(view, {
    triggerPrice: fmt.price(spec, algo.triggerPrice),
    price: fmt.price(spec, algo.price),
    icebergQuantity: null,
    selfTradePreventionMode: 'NONE',
    workingType: algo.workingType,
    priceMatch: 'NONE',
    closePosition: algo.closePosition,
    priceProtect: algo.priceProtect,
    reduceOnly: algo.reduceOnly,
    activatePrice: '',
    callbackRate: '',
    createTime: algo.createTime,
    updateTime: algo.updateTime,
    triggerTime: algo.triggerTime,
    goodTillDate: 0,
  });
  return view;
}

export function tradeView(spec: MockSymbolSpec, trade: Trade): Record<string, unknown> {
  return {
    buyer: trade.side === 'BUY',
    // The real venues report the fee paid as a positive amount (the doc example shows a negative one).
    commission: fmt.money(trade.commission),
    commissionAsset: 'USDT',
    id: trade.id,
    maker: trade.maker,
    orderId: trade.orderId,
    price: fmt.price(spec, trade.price),
    qty: fmt.qty(spec, trade.qty),
    quoteQty: fmt.exact(trade.price.mul(trade.qty)),
    realizedPnl: fmt.money(trade.realizedPnl),
    side: trade.side,
    positionSide: trade.positionSide,
    symbol: trade.symbol,
    time: trade.time,
  };
}

/** Binance sends `tranId` as a number, Aster as a string (both fixtures' shapes). */
export function incomeView(flavour: FlavourName, income: Income): Record<string, unknown> {
  return {
    symbol: income.symbol,
    incomeType: income.type,
    income: fmt.money(income.amount),
    asset: 'USDT',
    info: income.type,
    time: income.time,
    tranId: flavour === 'binance' ? income.tranId : String(income.tranId),
    tradeId: income.tradeId,
  };
}

export function balanceView(engine: Engine, account: Account): Record<string, unknown>[] {
  const s = engine.balance(account.id);
  return [
    {
      accountAlias: account.alias,
      asset: 'USDT',
      balance: fmt.money(s.wallet),
      crossWalletBalance: fmt.money(s.crossWallet),
      crossUnPnl: fmt.money(s.crossUnPnl),
      availableBalance: fmt.money(s.available),
      maxWithdrawAmount: fmt.money(s.maxWithdraw),
      marginAvailable: true,
      updateTime: account.updateTime,
    },
  ];
}

interface PositionNumbers {
  spec: MockSymbolSpec;
  mark: Decimal;
  pnl: Decimal;
  liq: Decimal;
  notional: Decimal;
}

function numbers(engine: Engine, account: Account, p: Position): PositionNumbers {
  const spec = engine.spec(p.symbol);
  const mark = engine.price(p.symbol);
  return {
    spec,
    mark,
    pnl: unrealizedPnl(p, mark),
    liq: engine.liquidationPrice(account, p.symbol, p.positionSide),
    notional: p.amount.mul(mark),
  };
}

/** Binance GET /fapi/v3/positionRisk (fixture positionRisk.v3.json). */
export function positionV3View(engine: Engine, account: Account, p: Position): Record<string, unknown> {
  const { spec, mark, pnl, liq, notional } = numbers(engine, account, p);
  const isolated = p.marginType === 'ISOLATED';
  const fee = engine.config.takerFeeRate;
  const breakEven = p.amount.gt(0) ? p.entryPrice.mul(Decimal.add(1, fee)) : p.entryPrice.mul(Decimal.sub(1, fee));
  const im = initialMargin(p, mark);
  return {
    symbol: p.symbol,
    positionSide: p.positionSide,
    positionAmt: fmt.qty(spec, p.amount),
    entryPrice: p.entryPrice.toFixed(),
    breakEvenPrice: breakEven.toDecimalPlaces(8).toFixed(),
    markPrice: fmt.money(mark),
    unRealizedProfit: fmt.money(pnl),
    liquidationPrice: liq.isZero() ? '0' : fmt.price(spec, liq.toDecimalPlaces(spec.pricePrecision)),
    isolatedMargin: isolated ? fmt.money(p.isolatedWallet.add(pnl)) : '0',
    notional: fmt.money(notional),
    marginAsset: 'USDT',
    isolatedWallet: isolated ? fmt.money(p.isolatedWallet) : '0',
    initialMargin: fmt.money(im),
    maintMargin: fmt.money(maintenanceMargin(p, mark, spec.brackets)),
    positionInitialMargin: fmt.money(im),
    openOrderInitialMargin: '0',
    adl: 2,
    bidNotional: '0',
    askNotional: '0',
    updateTime: p.updateTime,
  };
}

/** Aster GET /fapi/v3/positionRisk (fixture positionRisk.json); Binance v2 adds three fields. */
export function positionV2View(flavour: FlavourName, engine: Engine, account: Account, p: Position): Record<string, unknown> {
  const { spec, mark, pnl, liq, notional } = numbers(engine, account, p);
  const isolated = p.marginType === 'ISOLATED';
  const view: Record<string, unknown> = {
    entryPrice: p.entryPrice.toFixed(),
    marginType: isolated ? 'isolated' : 'cross',
    isAutoAddMargin: 'false',
    isolatedMargin: isolated ? fmt.money(p.isolatedWallet.add(pnl)) : '0.00000000',
    leverage: String(p.leverage),
    liquidationPrice: liq.isZero() ? '0' : fmt.price(spec, liq.toDecimalPlaces(spec.pricePrecision)),
    markPrice: fmt.money(mark),
    maxNotionalValue: engine.maxNotionalValue(p.symbol, p.leverage),
    positionAmt: fmt.qty(spec, p.amount),
    symbol: p.symbol,
    unRealizedProfit: fmt.money(pnl),
    positionSide: p.positionSide,
    updateTime: p.updateTime,
  };
  if (flavour === 'binance') {
    view.notional = fmt.money(notional);
    view.isolatedWallet = isolated ? fmt.money(p.isolatedWallet) : '0';
    view.breakEvenPrice = p.entryPrice.toFixed();
  }
  return view;
}

export function tickerView(engine: Engine, symbol: string): Record<string, unknown> {
  const spec = engine.spec(symbol);
  return { symbol, price: fmt.price(spec, engine.price(symbol)), time: engine.now };
}

/** Next 8-hourly funding settlement (00:00, 08:00, 16:00 UTC). */
export function nextFundingTime(now: number): number {
  const period = 8 * 3600_000;
  return Math.floor(now / period) * period + period;
}

export function premiumIndexView(engine: Engine, symbol: string): Record<string, unknown> {
  const mark = fmt.money(engine.price(symbol));
  return {
    symbol,
    markPrice: mark,
    indexPrice: mark,
    estimatedSettlePrice: mark,
    lastFundingRate: fmt.money(engine.lastFundingRate(symbol)),
    nextFundingTime: nextFundingTime(engine.now),
    interestRate: '0.00010000',
    time: engine.now,
  };
}

export interface RateLimitConfig {
  requestWeightPerMinute: number;
  ordersPerMinute: number;
  ordersPer10s: number;
}

function symbolInfo(flavour: FlavourName, spec: MockSymbolSpec): Record<string, unknown> {
  const info: Record<string, unknown> = {
    symbol: spec.symbol,
    pair: spec.symbol,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: spec.baseAsset,
    quoteAsset: 'USDT',
    marginAsset: 'USDT',
    pricePrecision: spec.pricePrecision,
    quantityPrecision: spec.quantityPrecision,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
  };
  if (flavour === 'aster') {
    Object.assign(info, {
      symbolType: 0,
      tradingMode: 0,
      name: spec.baseAsset,
      channel: '{}',
      sequenceNo: 100,
      twapMinNotional: '1000',
    });
  }
  Object.assign(info, {
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    ...(flavour === 'aster' && { createTime: 1569398400000 }),
    filters: filtersOf(spec, flavour),
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: flavour === 'aster' ? ['GTC', 'IOC', 'FOK', 'GTX', 'RPI', 'HIDDEN'] : ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
  });
  return info;
}

/** GET exchangeInfo, advertising the limits the mock enforces. */
export function exchangeInfoView(flavour: FlavourName, engine: Engine, limits: RateLimitConfig): Record<string, unknown> {
  return {
    ...(flavour === 'aster' && { futuresType: 'U_MARGINED' }),
    exchangeFilters: [],
    rateLimits: [
      { interval: 'MINUTE', intervalNum: 1, limit: limits.requestWeightPerMinute, rateLimitType: 'REQUEST_WEIGHT' },
      { interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinute, rateLimitType: 'ORDERS' },
      { interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s, rateLimitType: 'ORDERS' },
    ],
    serverTime: engine.now,
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: engine.symbols().map((spec) => symbolInfo(flavour, spec)),
    timezone: 'UTC',
  };
}
