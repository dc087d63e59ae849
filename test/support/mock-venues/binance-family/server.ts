import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockRequestLog, MockVenueFault, MockVenueServer } from '../mock-venue';
import type { Engine } from './engine';
import { ApiError, Errors, defaultFaultBody } from './errors';
import type { AlgoOrder, Order, Position } from './model';
import { Params, decodeForm } from './params';
import type { RateLimits } from './rate-limits';
import type { Authenticator, RawRequest } from './request';
import type { Route } from './routes';
import type { FlavourName } from './views';

/** What the tests can read off a mock account (plain numbers). */
export interface MockBalance {
  /** Deposits + realised PnL - fees + funding (the venue's `balance`). */
  walletBalance: number;
  crossWalletBalance: number;
  availableBalance: number;
  crossUnPnl: number;
  /** Unrealised PnL of every position. */
  unrealizedPnl: number;
  /** Margin set aside for isolated positions. */
  isolatedMargin: number;
  /** walletBalance + unrealizedPnl. */
  equity: number;
}

export interface MockPosition {
  symbol: string;
  positionSide: 'BOTH' | 'LONG' | 'SHORT';
  /** Signed: > 0 long, < 0 short. */
  positionAmt: number;
  entryPrice: number;
  markPrice: number;
  unrealizedPnl: number;
  leverage: number;
  marginType: 'isolated' | 'cross';
  isolatedWallet: number;
  liquidationPrice: number;
  openedAt: number;
  updateTime: number;
}

export interface MockOrderState {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  positionSide: 'BOTH' | 'LONG' | 'SHORT';
  type: string;
  origType: string;
  status: string;
  origQty: number;
  executedQty: number;
  avgPrice: number | null;
  price: number;
  stopPrice: number;
  reduceOnly: boolean;
  closePosition: boolean;
  time: number;
  updateTime: number;
}

export interface MockAlgoOrderState {
  algoId: number;
  clientAlgoId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  orderType: string;
  status: string;
  quantity: number | null;
  triggerPrice: number;
  reduceOnly: boolean;
  closePosition: boolean;
  /** The regular order placed when it triggered. */
  actualOrderId: number | null;
  createTime: number;
  updateTime: number;
  triggerTime: number;
}

export interface MockTradeState {
  id: number;
  orderId: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: number;
  qty: number;
  commission: number;
  realizedPnl: number;
  time: number;
}

export interface MockIncomeState {
  symbol: string;
  incomeType: string;
  income: number;
  time: number;
  tradeId: string;
}

/** A running Binance or Aster mock: the shared MockVenueServer contract plus account inspection. */
export interface BinanceFamilyMock extends MockVenueServer {
  readonly flavour: FlavourName;
  /** Current mark / last price of a symbol. */
  price(symbol: string): number;
  /** `account`: Binance account id (default: its apiKey); Aster user address (any case). */
  balanceOf(account: string): MockBalance;
  positionsOf(account: string): MockPosition[];
  /** Every regular order of the account, oldest first (open and finished). */
  ordersOf(account: string): MockOrderState[];
  /** Binance Algo Service orders of the account, oldest first (always empty on Aster). */
  algoOrdersOf(account: string): MockAlgoOrderState[];
  tradesOf(account: string): MockTradeState[];
  incomeOf(account: string): MockIncomeState[];
  /** Sets the wallet balance (USDT); positions are left alone and no income row is written. */
  setBalance(account: string, usdt: number): void;
  /** Settles funding at the current mark: FUNDING_FEE income for every open position of `symbol`. */
  payFunding(symbol: string, rate: number): void;
  /** Request weight the IP (default 127.0.0.1) has used in the current minute. */
  usedWeight(ip?: string): number;
}

export interface ServerParts {
  flavour: FlavourName;
  engine: Engine;
  routes: Route[];
  auth: Authenticator;
  limits: RateLimits;
  /** Maps what a test calls an account to the engine's account id. */
  accountId(name: string): string;
}

interface PendingFault {
  method?: string;
  path: string;
  fault: MockVenueFault;
  left: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export async function serve(parts: ServerParts): Promise<BinanceFamilyMock> {
  const { engine, limits } = parts;
  const requests: MockRequestLog[] = [];
  const faults: PendingFault[] = [];

  const takeFault = (method: string, path: string): MockVenueFault | undefined => {
    const index = faults.findIndex((f) => f.path === path && (!f.method || f.method.toUpperCase() === method));
    if (index < 0) return undefined;
    const pending = faults[index]!;
    pending.left -= 1;
    if (pending.left <= 0) faults.splice(index, 1);
    return pending.fault;
  };

  const answerRequest = (request: RawRequest): Answer => {
    const headers: Record<string, string> = {};
    const route = parts.routes.find((r) => r.method === request.method && r.path === request.path);
    let account = '';
    let answer: Answer;
    try {
      limits.spend(request.ip, route ? weightOf(route, request.params) : 1);
      const fault = takeFault(request.method, request.path);
      if (fault && !fault.afterProcessing) {
        answer = faultAnswer(fault);
      } else {
        if (!route) throw Errors.badPath(request.method, request.path);
        if (route.signed) account = parts.auth.authenticate(request);
        if (route.placesOrder) limits.countOrder(account);
        let body: unknown;
        try {
          body = route.handle({ params: request.params, account });
        } catch (err) {
          // The fault answers whatever happened; without one the venue's error goes out.
          if (!fault) throw err;
        }
        answer = fault ? faultAnswer(fault) : { status: 200, body, headers: {} };
      }
    } catch (err) {
      answer = errorAnswer(err);
    }
    headers['X-MBX-USED-WEIGHT-1M'] = String(limits.usedWeight(request.ip));
    if (route?.placesOrder && account) {
      const counts = limits.orderCounts(account);
      headers['X-MBX-ORDER-COUNT-10S'] = String(counts.count10s);
      headers['X-MBX-ORDER-COUNT-1M'] = String(counts.count1m);
    }
    return { ...answer, headers: { ...headers, ...answer.headers } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const mark = url.indexOf('?');
      const query = mark < 0 ? '' : url.slice(mark + 1);
      const body = Buffer.concat(chunks).toString('utf8');
      const request: RawRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: mark < 0 ? url : url.slice(0, mark),
        query,
        body,
        headers: req.headers,
        ip: normalizeIp(req.socket.remoteAddress),
        params: new Params([...decodeForm(query), ...decodeForm(body)]),
      };
      const answer = answerRequest(request);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'Content-Type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        ...answer.headers,
      });
      res.end(text);
      requests.push({
        method: request.method,
        path: request.path,
        params: request.params.toObject(),
        status: answer.status,
        at: engine.now,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const account = (name: string) => engine.account(parts.accountId(name));

  return {
    flavour: parts.flavour,
    url: `http://127.0.0.1:${port}`,
    requests,
    setPrice: (symbol, price) => engine.setPrice(symbol, price),
    failNext: (match, fault, count = 1) => {
      faults.push({ method: match.method, path: match.path, fault, left: count });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    price: (symbol) => engine.price(symbol).toNumber(),
    balanceOf: (name) => {
      const s = engine.balance(parts.accountId(name));
      return {
        walletBalance: s.wallet.toNumber(),
        crossWalletBalance: s.crossWallet.toNumber(),
        availableBalance: s.available.toNumber(),
        crossUnPnl: s.crossUnPnl.toNumber(),
        unrealizedPnl: s.unrealizedPnl.toNumber(),
        isolatedMargin: s.isolatedWallets.toNumber(),
        equity: s.wallet.add(s.unrealizedPnl).toNumber(),
      };
    },
    positionsOf: (name) => [...account(name).positions.values()].map((p) => positionState(engine, name, parts, p)),
    ordersOf: (name) => account(name).orders.map(orderState),
    algoOrdersOf: (name) => account(name).algoOrders.map(algoState),
    tradesOf: (name) =>
      account(name).trades.map((t) => ({
        id: t.id,
        orderId: t.orderId,
        symbol: t.symbol,
        side: t.side,
        price: t.price.toNumber(),
        qty: t.qty.toNumber(),
        commission: t.commission.toNumber(),
        realizedPnl: t.realizedPnl.toNumber(),
        time: t.time,
      })),
    incomeOf: (name) =>
      account(name).income.map((i) => ({
        symbol: i.symbol,
        incomeType: i.type,
        income: i.amount.toNumber(),
        time: i.time,
        tradeId: i.tradeId,
      })),
    setBalance: (name, usdt) => engine.setBalance(parts.accountId(name), usdt),
    payFunding: (symbol, rate) => engine.payFunding(symbol, rate),
    usedWeight: (ip = '127.0.0.1') => limits.usedWeight(ip),
  };
}

function weightOf(route: Route, params: Params): number {
  if (typeof route.weight === 'number') return route.weight;
  try {
    return route.weight(params);
  } catch {
    return 1;
  }
}

function faultAnswer(fault: MockVenueFault): Answer {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  return { status: fault.status, body: fault.body ?? defaultFaultBody(fault.status), headers };
}

function errorAnswer(err: unknown): Answer {
  if (err instanceof ApiError) return { status: err.status, body: err.body(), headers: err.headers };
  // A bug in the mock: say so instead of hiding it behind a venue-looking error.
  const message = err instanceof Error ? err.message : String(err);
  return {
    status: 500,
    body: { code: -1000, msg: `An unknown error occured while processing the request. (mock: ${message})` },
    headers: {},
  };
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function orderState(o: Order): MockOrderState {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    positionSide: o.positionSide,
    type: o.type,
    origType: o.origType,
    status: o.status,
    origQty: o.origQty.toNumber(),
    executedQty: o.executedQty.toNumber(),
    avgPrice: o.executedQty.isZero() ? null : o.cumQuote.div(o.executedQty).toNumber(),
    price: o.price.toNumber(),
    stopPrice: o.stopPrice.toNumber(),
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    time: o.time,
    updateTime: o.updateTime,
  };
}

function algoState(a: AlgoOrder): MockAlgoOrderState {
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    symbol: a.symbol,
    side: a.side,
    orderType: a.orderType,
    status: a.status,
    quantity: a.quantity?.toNumber() ?? null,
    triggerPrice: a.triggerPrice.toNumber(),
    reduceOnly: a.reduceOnly,
    closePosition: a.closePosition,
    actualOrderId: a.actualOrderId,
    createTime: a.createTime,
    updateTime: a.updateTime,
    triggerTime: a.triggerTime,
  };
}

function positionState(engine: Engine, name: string, parts: ServerParts, p: Position): MockPosition {
  const mark = engine.price(p.symbol);
  const account = engine.account(parts.accountId(name));
  return {
    symbol: p.symbol,
    positionSide: p.positionSide,
    positionAmt: p.amount.toNumber(),
    entryPrice: p.entryPrice.toNumber(),
    markPrice: mark.toNumber(),
    unrealizedPnl: mark.sub(p.entryPrice).mul(p.amount).toNumber(),
    leverage: p.leverage,
    marginType: p.marginType === 'ISOLATED' ? 'isolated' : 'cross',
    isolatedWallet: p.isolatedWallet.toNumber(),
    liquidationPrice: engine.liquidationPrice(account, p.symbol, p.positionSide).toNumber(),
    openedAt: p.openedAt,
    updateTime: p.updateTime,
  };
}
