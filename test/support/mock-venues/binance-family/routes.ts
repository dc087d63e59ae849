import Decimal from 'decimal.js';
import type { Engine, OrderRef } from './engine';
import { Errors } from './errors';
import { type MockCandles, checkInterval, klineWeight, klines } from './klines';
import type { AlgoOrder, MarginType, Order } from './model';
import { type OrderEndpoint, parseOrderParams } from './order-params';
import type { Params } from './params';
import { type MockSymbolSpec, fmt } from './symbols';
import {
  type FlavourName,
  type RateLimitConfig,
  algoView,
  balanceView,
  exchangeInfoView,
  incomeView,
  orderView,
  placedOrderView,
  positionV2View,
  positionV3View,
  premiumIndexView,
  tickerView,
  tradeView,
} from './views';

/**
 * The endpoints of both flavours, with their documented weights. Binance serves `/fapi/v1/...`
 * (balance under v2 and v3, positionRisk v2 and v3 shapes) plus the Algo Service; Aster serves
 * everything under `/fapi/v3/...`.
 */

export interface RouteContext {
  params: Params;
  /** The account a signed request acts for ('' on public endpoints). */
  account: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  signed: boolean;
  /** IP weight, from the request's params where it depends on them. */
  weight: number | ((params: Params) => number);
  /** A new order: counts on the account's ORDERS limits and gets the ORDER-COUNT headers. */
  placesOrder?: boolean;
  handle(context: RouteContext): unknown;
}

export interface RouteConfig {
  flavour: FlavourName;
  engine: Engine;
  limits: RateLimitConfig;
  candles?: MockCandles;
  /** Extra open interest by symbol (Binance openInterest), on top of the accounts' long positions. */
  openInterest?: Record<string, number>;
  /** Binance openInterestHist records by symbol (5-minute times). */
  openInterestHistory?: Record<string, Array<{ time: number; openInterest: number }>>;
  /** Funding interval (hours) by symbol, for fundingInfo. */
  fundingIntervals?: Record<string, number>;
}

const DAY = 24 * 3600_000;
/** openInterestHist periods (Binance "Open Interest Statistics"). */
const OI_PERIOD_MS: Record<string, number> = {
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '30m': 30 * 60_000,
  '1h': 3600_000,
  '2h': 2 * 3600_000,
  '4h': 4 * 3600_000,
  '6h': 6 * 3600_000,
  '12h': 12 * 3600_000,
  '1d': DAY,
};
const STANDARD_FUNDING_HOURS = 8;
const bySymbol = (params: Params, withSymbol: number, without: number) => (params.has('symbol') ? withSymbol : without);

export function buildRoutes(config: RouteConfig): Route[] {
  const { flavour, engine } = config;
  const v = flavour === 'binance' ? '/fapi/v1' : '/fapi/v3';
  const orderEndpoint: OrderEndpoint = flavour === 'binance' ? 'binance-order' : 'aster-order';
  const success = { code: 200, msg: 'success' };
  const cancelAllDone = { code: flavour === 'aster' ? '200' : 200, msg: 'The operation of cancel all open order is done.' };

  const symbolOf = (params: Params) => engine.spec(params.required('symbol')).symbol;
  const orderRef = (params: Params): OrderRef => {
    const orderId = params.int('orderId');
    const clientOrderId = params.get('origClientOrderId');
    if (orderId === undefined && clientOrderId === undefined) throw Errors.eitherMandatory('orderId', 'origClientOrderId');
    return orderId !== undefined ? { orderId } : { clientOrderId };
  };
  const orderJson = (order: Order, query = true) => orderView(flavour, engine.spec(order.symbol), order, { query });
  const account = (context: RouteContext) => engine.account(context.account);

  const routes: Route[] = [
    // ---- market data (public)
    { method: 'GET', path: `${v}/ping`, signed: false, weight: 1, handle: () => ({}) },
    { method: 'GET', path: `${v}/time`, signed: false, weight: 1, handle: () => ({ serverTime: engine.now }) },
    {
      method: 'GET',
      path: `${v}/exchangeInfo`,
      signed: false,
      weight: 1,
      handle: () => exchangeInfoView(flavour, engine, config.limits),
    },
    {
      method: 'GET',
      path: `${v}/klines`,
      signed: false,
      weight: (p) => klineWeight(limitOf(p, 500, 1500)),
      handle: ({ params }) => {
        const spec = engine.spec(params.required('symbol'));
        const interval = params.required('interval');
        checkInterval(interval);
        return klines({
          spec,
          interval,
          startTime: params.int('startTime'),
          endTime: params.int('endTime'),
          limit: limitOf(params, 500, 1500),
          now: engine.now,
          price: engine.price(spec.symbol),
          candles: config.candles,
        });
      },
    },
    {
      method: 'GET',
      path: `${v}/ticker/price`,
      signed: false,
      weight: (p) => bySymbol(p, 1, 2),
      handle: ({ params }) =>
        params.has('symbol') ? tickerView(engine, symbolOf(params)) : pricedSymbols(engine).map((s) => tickerView(engine, s)),
    },
    {
      method: 'GET',
      path: `${v}/premiumIndex`,
      signed: false,
      weight: (p) => bySymbol(p, 1, 10),
      handle: ({ params }) =>
        params.has('symbol') ? premiumIndexView(engine, symbolOf(params)) : pricedSymbols(engine).map((s) => premiumIndexView(engine, s)),
    },
    {
      method: 'GET',
      path: `${v}/fundingRate`,
      signed: false,
      weight: 1,
      handle: ({ params }) => {
        const symbols = params.has('symbol') ? [symbolOf(params)] : engine.symbols().map((s) => s.symbol);
        const rows = symbols
          .flatMap((symbol) => engine.fundingHistory(symbol).map((f) => ({ symbol, ...f })))
          .sort((a, b) => a.time - b.time);
        return timeWindow(rows, (r) => r.time, params, engine.now, 100, 1000, false).map((r) => ({
          symbol: r.symbol,
          fundingRate: fmt.money(r.rate),
          fundingTime: r.time,
          ...(flavour === 'binance' && { markPrice: fmt.money(r.markPrice) }),
        }));
      },
    },
    {
      // Binance lists only the symbols whose funding interval (or cap) was adjusted, Aster every symbol.
      method: 'GET',
      path: `${v}/fundingInfo`,
      signed: false,
      weight: flavour === 'binance' ? 0 : 1,
      handle: ({ params }) => {
        const hours = config.fundingIntervals ?? {};
        if (flavour === 'binance') return Object.entries(hours).map(([symbol, h]) => binanceFundingInfo(symbol, h));
        const symbols = params.has('symbol') ? [symbolOf(params)] : engine.symbols().map((s) => s.symbol);
        return symbols.map((symbol) => ({
          symbol,
          interestRate: '0.00010000',
          time: engine.now,
          fundingIntervalHours: hours[symbol] ?? STANDARD_FUNDING_HOURS,
          fundingFeeCap: 0.03,
          fundingFeeFloor: -0.03,
        }));
      },
    },

    // ---- account (signed)
    {
      method: 'GET',
      path: `${v}/positionSide/dual`,
      signed: true,
      weight: 30,
      handle: (c) => ({ dualSidePosition: account(c).dualSide }),
    },
    {
      method: 'POST',
      path: `${v}/positionSide/dual`,
      signed: true,
      weight: 1,
      handle: (c) => {
        engine.setDualSide(c.account, requiredBool(c.params, 'dualSidePosition'));
        return success;
      },
    },
    {
      method: 'POST',
      path: `${v}/leverage`,
      signed: true,
      weight: 1,
      handle: ({ params, account: id }) => {
        const symbol = symbolOf(params);
        const settings = engine.setLeverage(id, symbol, params.required('leverage'));
        return { leverage: settings.leverage, maxNotionalValue: engine.maxNotionalValue(symbol, settings.leverage), symbol };
      },
    },
    {
      // Binance GET /fapi/v1/leverageBracket, Aster GET /fapi/v3/leverageBracket: the documented shape,
      // a list, or one object when a symbol is sent.
      method: 'GET',
      path: `${v}/leverageBracket`,
      signed: true,
      weight: 1,
      handle: ({ params }) => {
        const view = (spec: MockSymbolSpec) => ({ symbol: spec.symbol, brackets: spec.brackets });
        return params.has('symbol') ? view(engine.spec(symbolOf(params))) : engine.symbols().map(view);
      },
    },
    {
      method: 'POST',
      path: `${v}/marginType`,
      signed: true,
      weight: 1,
      handle: ({ params, account: id }) => {
        const symbol = symbolOf(params);
        const marginType = params.oneOf<MarginType>('marginType', ['ISOLATED', 'CROSSED'], undefined, () =>
          Errors.invalidValue('marginType'),
        );
        engine.setMarginType(id, symbol, marginType);
        return success;
      },
    },
    {
      method: 'GET',
      path: `${v}/userTrades`,
      signed: true,
      weight: 5,
      handle: (c) => {
        const symbol = symbolOf(c.params);
        const orderId = c.params.int('orderId');
        const fromId = c.params.int('fromId');
        let trades = account(c).trades.filter((t) => t.symbol === symbol && (orderId === undefined || t.orderId === orderId));
        if (fromId !== undefined) trades = trades.filter((t) => t.id >= fromId).slice(0, limitOf(c.params, 500, 1000));
        else trades = timeWindow(trades, (t) => t.time, c.params, engine.now, 500, 1000, orderId === undefined);
        return trades.map((t) => tradeView(engine.spec(t.symbol), t));
      },
    },
    {
      method: 'GET',
      path: `${v}/income`,
      signed: true,
      weight: 30,
      handle: (c) => {
        const symbol = c.params.has('symbol') ? symbolOf(c.params) : undefined;
        const type = c.params.get('incomeType');
        const rows = account(c).income.filter((i) => (!symbol || i.symbol === symbol) && (!type || i.type === type));
        return timeWindow(rows, (i) => i.time, c.params, engine.now, 100, 1000, true).map((i) => incomeView(flavour, i));
      },
    },

    // ---- orders (signed)
    {
      method: 'POST',
      path: `${v}/order`,
      signed: true,
      weight: flavour === 'binance' ? 0 : 1,
      placesOrder: true,
      handle: ({ params, account: id }) => {
        const spec = engine.spec(params.required('symbol'));
        const input = parseOrderParams(params, spec, engine.price(spec.symbol), orderEndpoint);
        const order = engine.placeOrder(id, input);
        return placedOrderView(flavour, spec, order, input.respType);
      },
    },
    {
      method: 'GET',
      path: `${v}/order`,
      signed: true,
      weight: 1,
      handle: ({ params, account: id }) => orderJson(engine.findOrder(id, symbolOf(params), orderRef(params))),
    },
    {
      method: 'DELETE',
      path: `${v}/order`,
      signed: true,
      weight: 1,
      handle: ({ params, account: id }) => orderJson(engine.cancelOrder(id, symbolOf(params), orderRef(params)), false),
    },
    {
      method: 'GET',
      path: `${v}/openOrders`,
      signed: true,
      weight: (p) => bySymbol(p, 1, 40),
      handle: (c) => {
        const symbol = c.params.has('symbol') ? symbolOf(c.params) : undefined;
        return account(c)
          .openOrders(symbol)
          .map((o) => orderJson(o));
      },
    },
    {
      method: 'GET',
      path: `${v}/allOrders`,
      signed: true,
      weight: 5,
      handle: (c) => {
        const symbol = symbolOf(c.params);
        const orderId = c.params.int('orderId');
        let orders = account(c).orders.filter((o) => o.symbol === symbol);
        if (orderId !== undefined) orders = orders.filter((o) => o.orderId >= orderId).slice(0, limitOf(c.params, 500, 1000));
        else orders = timeWindow(orders, (o) => o.time, c.params, engine.now, 500, 1000, false);
        return orders.map((o) => orderJson(o));
      },
    },
    {
      method: 'DELETE',
      path: `${v}/allOpenOrders`,
      signed: true,
      weight: 1,
      handle: ({ params, account: id }) => {
        engine.cancelAllOrders(id, symbolOf(params));
        return cancelAllDone;
      },
    },
  ];

  return flavour === 'binance' ? [...routes, ...binanceRoutes(config)] : [...routes, ...asterRoutes(config)];
}

function asterRoutes({ engine }: RouteConfig): Route[] {
  const positions = (id: string, symbol?: string) =>
    [...engine.account(id).positions.values()].filter((p) => !symbol || p.symbol === symbol);
  return [
    {
      method: 'GET',
      path: '/fapi/v3/balance',
      signed: true,
      weight: 5,
      handle: ({ account }) => balanceView(engine, engine.account(account)),
    },
    {
      method: 'GET',
      path: '/fapi/v3/positionRisk',
      signed: true,
      weight: 5,
      handle: ({ params, account }) => {
        const symbol = params.has('symbol') ? engine.spec(params.get('symbol')!).symbol : undefined;
        return positions(account, symbol).map((p) => positionV2View('aster', engine, engine.account(account), p));
      },
    },
    { method: 'POST', path: '/fapi/v3/noop', signed: true, weight: 1, handle: () => ({ code: 200, msg: 'success' }) },
  ];
}

function binanceRoutes({ engine, openInterest, openInterestHistory }: RouteConfig): Route[] {
  const positions = (id: string, symbol?: string) =>
    [...engine.account(id).positions.values()].filter((p) => !symbol || p.symbol === symbol);
  const optionalSymbol = (params: Params) => (params.has('symbol') ? engine.spec(params.get('symbol')!).symbol : undefined);
  const algoRef = (params: Params) => {
    const algoId = params.int('algoId');
    const clientAlgoId = params.get('clientAlgoId');
    if (algoId === undefined && clientAlgoId === undefined) throw Errors.eitherMandatory('algoId', 'clientAlgoId');
    return algoId !== undefined ? { algoId } : { clientAlgoId };
  };
  const algoJson = (id: string, algo: AlgoOrder) => {
    const order = algo.actualOrderId === null ? undefined : engine.account(id).orders.find((o) => o.orderId === algo.actualOrderId);
    return algoView(engine.spec(algo.symbol), algo, { order });
  };
  const balance: Route['handle'] = ({ account }) => balanceView(engine, engine.account(account));

  return [
    {
      method: 'GET',
      path: '/fapi/v1/openInterest',
      signed: false,
      weight: 1,
      handle: ({ params }) => {
        const spec = engine.spec(params.required('symbol'));
        let total = new Decimal(openInterest?.[spec.symbol] ?? 0);
        for (const account of engine.accounts.values()) {
          for (const p of account.positionsOf(spec.symbol)) if (p.amount.gt(0)) total = total.add(p.amount);
        }
        return { openInterest: fmt.qty(spec, total), symbol: spec.symbol, time: engine.now };
      },
    },
    {
      // Open Interest Statistics: the records of the period's times, the last 30 days only.
      method: 'GET',
      path: '/futures/data/openInterestHist',
      signed: false,
      weight: 0,
      handle: ({ params }) => {
        const spec = engine.spec(params.required('symbol'));
        const periodMs = OI_PERIOD_MS[params.required('period')];
        if (!periodMs) throw Errors.invalidValue('period');
        const records = (openInterestHistory?.[spec.symbol] ?? [])
          .filter((r) => r.time % periodMs === 0 && r.time >= engine.now - 30 * DAY && r.time <= engine.now)
          .sort((a, b) => a.time - b.time);
        const price = engine.price(spec.symbol);
        return timeWindow(records, (r) => r.time, params, engine.now, 30, 500, false).map((r) => ({
          symbol: spec.symbol,
          sumOpenInterest: new Decimal(r.openInterest).toFixed(8),
          sumOpenInterestValue: price.mul(r.openInterest).toFixed(8),
          CMCCirculatingSupply: '0',
          timestamp: String(r.time),
        }));
      },
    },
    { method: 'GET', path: '/fapi/v2/balance', signed: true, weight: 5, handle: balance },
    { method: 'GET', path: '/fapi/v3/balance', signed: true, weight: 5, handle: balance },
    {
      method: 'GET',
      path: '/fapi/v2/positionRisk',
      signed: true,
      weight: 5,
      handle: ({ params, account }) =>
        positions(account, optionalSymbol(params)).map((p) => positionV2View('binance', engine, engine.account(account), p)),
    },
    {
      method: 'GET',
      path: '/fapi/v3/positionRisk',
      signed: true,
      weight: 5,
      handle: ({ params, account }) =>
        positions(account, optionalSymbol(params)).map((p) => positionV3View(engine, engine.account(account), p)),
    },
    {
      method: 'GET',
      path: '/fapi/v1/symbolConfig',
      signed: true,
      weight: 5,
      handle: ({ params, account }) => {
        const symbol = optionalSymbol(params);
        const symbols = symbol ? [symbol] : engine.symbols().map((s) => s.symbol);
        return symbols.map((s) => {
          const settings = engine.settings(engine.account(account), s);
          return {
            symbol: s,
            marginType: settings.marginType,
            isAutoAddMargin: false,
            leverage: settings.leverage,
            maxNotionalValue: engine.maxNotionalValue(s, settings.leverage),
          };
        });
      },
    },
    {
      method: 'POST',
      path: '/fapi/v1/algoOrder',
      signed: true,
      weight: 0,
      placesOrder: true,
      handle: ({ params, account }) => {
        const spec = engine.spec(params.required('symbol'));
        const input = parseOrderParams(params, spec, engine.price(spec.symbol), 'binance-algo');
        return algoView(spec, engine.placeAlgoOrder(account, input));
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/algoOrder',
      signed: true,
      weight: 1,
      handle: ({ params, account }) => algoJson(account, engine.findAlgoOrder(account, algoRef(params))),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/algoOrder',
      signed: true,
      weight: 1,
      handle: ({ params, account }) => {
        const algo = engine.cancelAlgoOrder(account, algoRef(params));
        return { algoId: algo.algoId, clientAlgoId: algo.clientAlgoId, code: '200', msg: 'success' };
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/openAlgoOrders',
      signed: true,
      weight: (p) => bySymbol(p, 1, 40),
      handle: ({ params, account }) =>
        engine
          .account(account)
          .openAlgoOrders(optionalSymbol(params))
          .map((a) => algoJson(account, a)),
    },
    {
      method: 'GET',
      path: '/fapi/v1/allAlgoOrders',
      signed: true,
      weight: 5,
      handle: ({ params, account }) => {
        const symbol = engine.spec(params.required('symbol')).symbol;
        const algos = engine.account(account).algoOrders.filter((a) => a.symbol === symbol);
        return timeWindow(algos, (a) => a.createTime, params, engine.now, 500, 1000, false).map((a) => algoJson(account, a));
      },
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/algoOpenOrders',
      signed: true,
      weight: 1,
      handle: ({ params, account }) => {
        engine.cancelAllAlgoOrders(account, engine.spec(params.required('symbol')).symbol);
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
    },
  ];
}

/** Binance fundingInfo's row (the doc's example caps). */
function binanceFundingInfo(symbol: string, fundingIntervalHours: number) {
  return { symbol, adjustedFundingRateCap: '0.02500000', adjustedFundingRateFloor: '-0.02500000', fundingIntervalHours, disclaimer: false };
}

function pricedSymbols(engine: Engine): string[] {
  return engine
    .symbols()
    .map((s) => s.symbol)
    .filter((s) => engine.hasPrice(s));
}

function limitOf(params: Params, fallback: number, max: number): number {
  const limit = params.int('limit') ?? fallback;
  if (limit < 1) throw Errors.invalidValue('limit');
  return Math.min(limit, max);
}

function requiredBool(params: Params, name: string): boolean {
  params.required(name);
  return params.bool(name);
}

/**
 * Rows in [startTime, endTime], oldest first: the first `limit` from startTime when it is given,
 * otherwise the latest `limit`. `sevenDays`: without either bound only the last 7 days count.
 */
function timeWindow<T>(
  rows: T[],
  timeOf: (row: T) => number,
  params: Params,
  now: number,
  fallback: number,
  max: number,
  sevenDays: boolean,
): T[] {
  const limit = limitOf(params, fallback, max);
  const start = params.int('startTime');
  const end = params.int('endTime');
  const from = start ?? (sevenDays && end === undefined ? now - 7 * DAY : undefined);
  const inRange = rows.filter((row) => (from === undefined || timeOf(row) >= from) && (end === undefined || timeOf(row) <= end));
  return start !== undefined ? inRange.slice(0, limit) : inRange.slice(-limit);
}
