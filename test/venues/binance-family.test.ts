import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Wallet, verifyTypedData } from 'ethers';
import type { ExchangeConfig } from '../../arena-config/types';
import { createAsterMarketData, createAsterVenue } from '../../venues/aster';
import { NonceManager, asterNonces } from '../../venues/aster/nonce';
import { ASTER_EIP712_TYPES, asterDomain } from '../../venues/aster/signer';
import { createBinanceMarketData, createBinanceVenue, hmacSha256Hex } from '../../venues/binance';
import { BINANCE_FAMILY_ERRORS, BinanceFamilyRejection, venueError } from '../../venues/binance-family/errors';
import { DEFAULT_MAX_LEVERAGE, ExchangeInfoCache, parseExchangeInfo, parseRateLimits } from '../../venues/binance-family/exchange-info';
import { parseLeverageBrackets } from '../../venues/binance-family/leverage-brackets';
import {
  type RawAlgoOrder,
  type RawBalance,
  type RawIncome,
  type RawOrder,
  type RawPosition,
  type RawTrade,
  balanceFromRaw,
  candleFromKline,
  fundingFromRaw,
  incomeFromRaw,
  isOpenPosition,
  mapOrderType,
  orderFromAlgo,
  orderFromRaw,
  positionFromRaw,
  withTrades,
} from '../../venues/binance-family/mapping';
import { VenueOutcomeUnknown, VenueTemporaryError } from '../../venues/errors';
import { sharedRateLimiter } from '../../venues/http/rate-limiter';
import { VenueRejection } from '../../venues/venue';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'venues');
const fixture = <T = unknown>(venue: string, name: string): T =>
  JSON.parse(readFileSync(path.join(FIXTURES, venue, `${name}.json`), 'utf8')) as T;
const vectors = fixture<{ keys: { user: string; signer: string; signerPrivateKey: string } }>('aster', 'signing_vectors');

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

describe('binance family: exchange info', () => {
  it('parses the Binance fixture into symbol rules and weight limits', () => {
    const info = parseExchangeInfo(fixture('binance', 'exchangeInfo'));
    const blz = info.symbols.get('BLZUSDT')!;
    assert.deepEqual(blz.rules, { symbol: 'BLZUSDT', tickSize: '0.0001', stepSize: '1', minQty: '1', minNotional: '5', maxLeverage: 125 });
    assert.deepEqual(blz.marketLot, { minQty: '1', maxQty: '10000000', stepSize: '1' });
    assert.deepEqual(blz.price, { minPrice: '0.0001', maxPrice: '300', tickSize: '0.0001' });
    assert.equal(blz.status, 'TRADING');
    assert.deepEqual(info.rateLimits, [{ intervalMs: 60_000, limit: 2400 }]);
    assert.equal(info.serverTime, 1565613908500);
  });

  it('parses the Aster documented fixture (MIN_NOTIONAL notional, MARKET_LOT_SIZE apart from LOT_SIZE)', () => {
    const info = parseExchangeInfo(fixture('aster', 'exchangeInfo'));
    const doge = info.symbols.get('DOGEUSDT')!;
    assert.deepEqual(doge.rules, {
      symbol: 'DOGEUSDT',
      tickSize: '0.0001',
      stepSize: '1',
      minQty: '1',
      minNotional: '1',
      maxLeverage: 125,
    });
    assert.deepEqual(doge.lot, { minQty: '1', maxQty: '10000000', stepSize: '1' });
    assert.deepEqual(doge.marketLot, { minQty: '1', maxQty: '590119', stepSize: '1' });
  });

  it('parses the recorded Aster exchange info (trailing zeros normalised, only REQUEST_WEIGHT limits)', () => {
    const info = parseExchangeInfo(fixture('aster', 'exchangeInfo.recorded'));
    assert.deepEqual(info.symbols.get('BTCUSDT')!.rules, {
      symbol: 'BTCUSDT',
      tickSize: '0.1',
      stepSize: '0.001',
      minQty: '0.001',
      minNotional: '5',
      maxLeverage: 125,
    });
    assert.deepEqual(info.symbols.get('BTCUSDT')!.marketLot, { minQty: '0.001', maxQty: '120', stepSize: '0.001' });
    assert.deepEqual(info.symbols.get('ASTERUSDT')!.rules, {
      symbol: 'ASTERUSDT',
      tickSize: '0.0001',
      stepSize: '0.01',
      minQty: '0.01',
      minNotional: '5',
      maxLeverage: 125,
    });
    assert.deepEqual(info.rateLimits, [{ intervalMs: 60_000, limit: 2400 }]);
  });

  it('turns any REQUEST_WEIGHT interval into milliseconds', () => {
    assert.deepEqual(
      parseRateLimits([
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'SECOND', intervalNum: 10, limit: 300 },
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'FORTNIGHT', intervalNum: 1, limit: 1 },
      ]),
      [
        { intervalMs: 10_000, limit: 300 },
        { intervalMs: 60_000, limit: 2400 },
      ],
    );
  });

  it('parses leverage brackets: a list, or one object when a symbol was sent; numbers or strings; unusable tables left out', () => {
    const doc = { bracket: 1, initialLeverage: 75, notionalCap: 10000, notionalFloor: 0, maintMarginRatio: 0.0065, cum: 0 };
    assert.deepEqual(parseLeverageBrackets({ symbol: 'ETHUSDT', brackets: [doc] }), new Map([['ETHUSDT', [doc]]]));
    const strings = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, String(v)]));
    assert.deepEqual(parseLeverageBrackets([{ symbol: 'ETHUSDT', notionalCoef: 1.5, brackets: [strings] }]).get('ETHUSDT'), [doc]);
    const broken = parseLeverageBrackets([
      { symbol: 'ETHUSDT', brackets: [doc, { ...doc, bracket: 2, maintMarginRatio: 'x' }] },
      { symbol: 'BTCUSDT' },
    ]);
    assert.equal(broken.size, 0);
  });

  it('caches for its TTL, shares one request between concurrent callers, refreshes when invalidated', async () => {
    let clock = 0;
    let loads = 0;
    const cache = new ExchangeInfoCache(
      async () => {
        loads++;
        return parseExchangeInfo(fixture('binance', 'exchangeInfo'));
      },
      600_000,
      () => clock,
    );
    await Promise.all([cache.get(), cache.get(), cache.symbol('BLZUSDT')]);
    assert.equal(loads, 1);
    clock = 599_999;
    await cache.get();
    assert.equal(loads, 1);
    clock = 600_000;
    await cache.get();
    assert.equal(loads, 2);
    cache.invalidate();
    await cache.get();
    assert.equal(loads, 3);
    // An unknown symbol refreshes once when the copy is older than a minute, not before.
    assert.equal(await cache.symbol('NEWUSDT'), null);
    assert.equal(loads, 3);
    clock += 61_000;
    assert.equal(await cache.symbol('NEWUSDT'), null);
    assert.equal(loads, 4);
  });
});

describe('binance family: response mapping', () => {
  it('maps a regular order (Binance fixture: no avgPrice, LIMIT counts as a manual market order)', () => {
    const order = orderFromRaw(fixture<RawOrder>('binance', 'order'));
    assert.deepEqual(order, {
      clientOrderId: 'testOrder',
      venueOrderId: '22542179',
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      status: 'NEW',
      quantity: 10,
      executedQty: 0,
      avgPrice: null,
      stopPrice: null,
      fee: 0,
      realizedPnl: 0,
      reduceOnly: false,
      closePosition: false,
      createdAt: 1566818724722,
      updatedAt: 1566818724722,
    });
  });

  it('maps the Aster order fixture (a trailing stop is a stop; avgPrice 0 is no price)', () => {
    const order = orderFromRaw(fixture<RawOrder>('aster', 'order'));
    assert.equal(order.type, 'STOP_MARKET');
    assert.equal(order.stopPrice, 9300);
    assert.equal(order.avgPrice, null);
    assert.equal(order.quantity, 10);
  });

  it('maps order kinds: triggered stops by origType, liquidations by their client ids', () => {
    assert.equal(mapOrderType('MARKET', 'TAKE_PROFIT_MARKET'), 'TAKE_PROFIT_MARKET');
    assert.equal(mapOrderType('MARKET', 'STOP_MARKET'), 'STOP_MARKET');
    assert.equal(mapOrderType('MARKET', 'MARKET'), 'MARKET');
    assert.equal(mapOrderType('LIMIT', 'LIMIT', 'autoclose-1699999'), 'LIQUIDATION');
    assert.equal(mapOrderType('MARKET', undefined, 'adl_autoclose'), 'LIQUIDATION');
    assert.equal(mapOrderType('LIQUIDATION'), 'LIQUIDATION');
  });

  it('maps an algo order under its clientAlgoId with its trigger price', () => {
    const order = orderFromAlgo(fixture<RawAlgoOrder>('binance', 'algoOrder'));
    assert.equal(order.clientOrderId, '6B2I9XVcJpCjqPAJ4YoFX7');
    assert.equal(order.venueOrderId, '2146760');
    assert.equal(order.type, 'TAKE_PROFIT_MARKET');
    assert.equal(order.status, 'NEW');
    assert.equal(order.stopPrice, 750);
    assert.equal(order.quantity, 0.01);
    assert.equal(order.executedQty, 0);
    assert.equal(order.createdAt, 1750485492076);
    const finished = orderFromAlgo({
      ...fixture<RawAlgoOrder>('binance', 'algoOrder'),
      algoStatus: 'FINISHED',
      actualOrderId: '9',
      actualQty: '0.01',
      actualPrice: '751.2',
    });
    assert.equal(finished.status, 'FILLED');
    assert.equal(finished.avgPrice, 751.2);
  });

  it('takes fee and realised PnL from the trades (commission as a paid amount), and the price when the order has none', () => {
    const trades = fixture<RawTrade[]>('aster', 'userTrades');
    const order = withTrades({ ...orderFromRaw(fixture<RawOrder>('binance', 'order')), executedQty: 0.002 }, trades);
    close(order.fee, 0.0781901, 'fee');
    close(order.realizedPnl, -0.91539999, 'realised PnL');
    assert.equal(order.avgPrice, 7819.01);
  });

  it('maps Binance v3 positions: leverage from notional / initial margin, cross margin = notional / leverage', () => {
    const rows = fixture<RawPosition[]>('binance', 'positionRisk.v3');
    const [p] = rows.filter(isOpenPosition).map((r) => positionFromRaw(r));
    assert.equal(p!.symbol, 'ADAUSDT');
    assert.equal(p!.side, 'long');
    assert.equal(p!.quantity, 30);
    assert.equal(p!.leverage, 20);
    assert.equal(p!.marginType, 'cross');
    close(p!.margin, 12.314277 / 20, 'margin');
    assert.equal(p!.entryPrice, 0.385);
    assert.equal(p!.unrealizedPnl, 0.764277);
    assert.equal(p!.openedAt, 1720736417660);
  });

  it('maps Aster positions: zero rows dropped, side from the sign, isolated margin', () => {
    assert.deepEqual(fixture<RawPosition[]>('aster', 'positionRisk').filter(isOpenPosition), []);
    const [long, short] = fixture<RawPosition[]>('aster', 'positionRisk.hedge')
      .filter(isOpenPosition)
      .map((r) => positionFromRaw(r));
    assert.equal(long!.side, 'long');
    assert.equal(long!.quantity, 20);
    assert.equal(long!.leverage, 10);
    assert.equal(long!.marginType, 'isolated');
    assert.equal(long!.margin, 15517.54150468);
    assert.equal(short!.side, 'short');
    assert.equal(short!.quantity, 10);
  });

  it('maps the balance: equity = wallet + unrealized, marginUsed = wallet − available', () => {
    for (const [venue, name] of [
      ['binance', 'balance.v3'],
      ['aster', 'balance'],
    ] as const) {
      const b = balanceFromRaw(fixture<RawBalance[]>(venue, name));
      close(b.availableBalance, 23.72469206, 'available');
      close(b.marginUsed, 122607.35137903 - 23.72469206, 'margin used');
      close(b.unrealizedPnl, 0, 'unrealized');
      close(b.equity, 122607.35137903, 'equity');
    }
    const withPositions = balanceFromRaw(
      fixture<RawBalance[]>('binance', 'balance.v3'),
      fixture<RawPosition[]>('binance', 'positionRisk.v3'),
    );
    close(withPositions.unrealizedPnl, 0.764277, 'unrealized from positions');
    close(withPositions.equity, withPositions.availableBalance + withPositions.marginUsed + withPositions.unrealizedPnl, 'identity');
    assert.deepEqual(balanceFromRaw([]), { availableBalance: 0, marginUsed: 0, unrealizedPnl: 0, equity: 0 });
  });

  it('maps income (transfers left out), klines and funding', () => {
    const income = fixture<RawIncome[]>('aster', 'income')
      .map(incomeFromRaw)
      .filter((i) => i !== null);
    assert.deepEqual(income, [{ symbol: 'BTCUSDT', type: 'COMMISSION', amount: -0.01, clientOrderId: null, time: 1570636800000 }]);
    const [row] = fixture<unknown[][]>('binance', 'klines');
    assert.deepEqual(candleFromKline(row!), {
      openTime: 1499040000000,
      open: 0.0163479,
      high: 0.8,
      low: 0.015758,
      close: 0.015771,
      volume: 148976.11427815,
    });
    assert.deepEqual(fixture<Array<{ fundingTime: number; fundingRate: string }>>('aster', 'fundingRate').map(fundingFromRaw), [
      { time: 1570608000000, rate: -0.0375 },
      { time: 1570636800000, rate: 0.0001 },
    ]);
  });
});

describe('binance family: error classification', () => {
  const ctx = { who: 'binance account "main"', what: 'POST /fapi/v1/order', mutates: true };
  const rejections: Array<[number, string]> = [
    [-1022, 'INVALID_SIGNATURE'],
    [-2019, 'INSUFFICIENT_MARGIN'],
    [-2018, 'INSUFFICIENT_MARGIN'],
    [-1111, 'PRECISION'],
    [-4014, 'PRECISION'],
    [-4023, 'PRECISION'],
    [-1121, 'UNKNOWN_SYMBOL'],
    [-4164, 'MIN_NOTIONAL'],
    [-2021, 'WOULD_IMMEDIATELY_TRIGGER'],
    [-2022, 'REDUCE_ONLY_REJECTED'],
    [-4120, 'ALGO_ORDER_REQUIRED'],
    [-4061, 'POSITION_SIDE_MISMATCH'],
    [-1102, 'MISSING_PARAMETER'],
    [-2013, 'ORDER_NOT_FOUND'],
    [-2011, 'CANCEL_REJECTED'],
    [-2015, 'INVALID_API_KEY'],
    [-4028, 'INVALID_LEVERAGE'],
    [-4048, 'MARGIN_TYPE_CHANGE_BLOCKED'],
    [-4116, 'DUPLICATE_CLIENT_ORDER_ID'],
    [-4005, 'QUANTITY_ABOVE_MAX'],
    [-4004, 'QUANTITY_BELOW_MIN'],
    [-9999, 'REJECTED'],
  ];
  for (const [code, name] of rejections) {
    it(`${code} is a VenueRejection ${name} carrying the venue's code`, () => {
      const err = venueError(ctx, 400, code, 'some venue text');
      assert.ok(err instanceof VenueRejection && err instanceof BinanceFamilyRejection);
      assert.equal(err.code, name);
      assert.equal(err.venueCode, code);
      assert.match(err.message, new RegExp(`^binance account "main": POST /fapi/v1/order refused: some venue text \\(code ${code}\\)$`));
    });
  }

  const temporary: number[] = [-1003, -1008, -1015, -1021, -4225];
  for (const code of temporary) {
    it(`${code} is retryable (VenueTemporaryError), not a rejection`, () => {
      const err = venueError(ctx, 400, code, 'x');
      assert.ok(err instanceof VenueTemporaryError && !(err instanceof VenueOutcomeUnknown));
      assert.ok(!(err instanceof VenueRejection));
    });
  }

  it('-1003 asks for a back-off', () => {
    assert.equal((venueError(ctx, 400, -1003, 'x') as VenueTemporaryError).retryAfterMs, 10_000);
  });

  it("internal errors and backend timeouts leave an order's outcome unknown, a read merely temporary", () => {
    for (const code of [-1000, -1001, -1006, -1007]) {
      assert.ok(venueError(ctx, 400, code, 'x') instanceof VenueOutcomeUnknown);
      const read = venueError({ ...ctx, mutates: false }, 400, code, 'x');
      assert.ok(read instanceof VenueTemporaryError && !(read instanceof VenueOutcomeUnknown));
    }
  });

  it('a 4xx without a venue code is a rejection named after the status', () => {
    assert.equal((venueError(ctx, 401, null, '') as VenueRejection).code, 'INVALID_API_KEY');
    assert.equal((venueError(ctx, 404, null, 'Not Found') as VenueRejection).code, 'NOT_FOUND');
  });

  it('the table classifies every code it lists', () => {
    for (const [code, rule] of Object.entries(BINANCE_FAMILY_ERRORS)) {
      const err = venueError(ctx, 400, Number(code), 'x');
      assert.equal(err instanceof VenueRejection, rule.kind === 'rejection', `code ${code}`);
    }
  });
});

describe('aster nonces', () => {
  it('are strictly increasing under a burst of 1000 calls in the same millisecond', () => {
    const now = 1_750_000_000_123;
    const nonces = new NonceManager(() => now);
    const seen = Array.from({ length: 1000 }, () => nonces.next('0xAbC'));
    assert.ok(seen[0]! >= now * 1000, 'microseconds of the current time');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `nonce ${i} not above the previous one`);
    // Per signer (case-insensitive address), not shared between signers.
    assert.equal(nonces.next('0xabc'), seen[999]! + 1);
    assert.equal(nonces.next('0xdef'), now * 1000);
  });

  it('never go back, even when the clock does', () => {
    let now = 2_000_000;
    const nonces = new NonceManager(() => now);
    const a = nonces.next('s');
    now -= 5_000;
    assert.ok(nonces.next('s') > a);
  });

  it('jump to the venue\'s time after "Nonce Expired" and stay above it', () => {
    const now = 1_000_000;
    const nonces = new NonceManager(() => now);
    nonces.next('s');
    const serverUs = (now + 30_000) * 1000;
    nonces.align('s', serverUs, true);
    const next = nonces.next('s');
    assert.ok(next > serverUs);
  });

  it('the process-wide manager is strictly increasing in a tight loop', () => {
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const n = asterNonces.next('0x0000000000000000000000000000000000000001');
      assert.ok(n > last);
      last = n;
    }
  });
});

// --- request shape against a throwaway local server ---

interface Seen {
  method: string;
  path: string;
  /** Parameters in the order sent (query string or form body). */
  params: Array<[string, string]>;
  /** The raw carrier string (query or body). */
  raw: string;
  headers: http.IncomingHttpHeaders;
}

interface Reply {
  status?: number;
  body: unknown;
}
type Route = (req: Seen) => Reply | undefined;

function decodePairs(raw: string): Array<[string, string]> {
  if (!raw) return [];
  return raw.split('&').map((pair) => {
    const at = pair.indexOf('=');
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [dec(pair.slice(0, at)), dec(pair.slice(at + 1))];
  });
}

const param = (req: Seen, key: string) => req.params.find(([k]) => k === key)?.[1];
const keys = (req: Seen) => req.params.map(([k]) => k);

const exchangeInfoBody = (minNotional = '5') => {
  const info = fixture<{ symbols: Array<{ symbol: string; filters: Array<Record<string, unknown>> }> }>('aster', 'exchangeInfo.recorded');
  for (const s of info.symbols) for (const f of s.filters) if (f.filterType === 'MIN_NOTIONAL') f.notional = minNotional;
  return info;
};

class TestServer {
  readonly requests: Seen[] = [];
  routes = new Map<string, Route>();
  serverTime = () => Date.now();
  /** Sent as X-MBX-USED-WEIGHT-1M. */
  usedWeight = 3;
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://127.0.0.1');
        const raw = body || url.search.slice(1);
        const seen: Seen = { method: req.method!, path: url.pathname, params: decodePairs(raw), raw, headers: req.headers };
        this.requests.push(seen);
        const reply = this.reply(seen);
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', 'X-MBX-USED-WEIGHT-1M': String(this.usedWeight) });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(method: string, pathname: string, route: Route): void {
    this.routes.set(`${method} ${pathname}`, route);
  }

  to(pathname: string, method?: string): Seen[] {
    return this.requests.filter((r) => r.path === pathname && (!method || r.method === method));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private reply(req: Seen): Reply {
    const route = this.routes.get(`${req.method} ${req.path}`);
    const answer = route?.(req);
    if (answer) return answer;
    if (req.path.endsWith('/time')) return { body: { serverTime: this.serverTime() } };
    if (req.path.endsWith('/exchangeInfo')) return { body: exchangeInfoBody() };
    if (req.path.endsWith('/premiumIndex')) return { body: { symbol: param(req, 'symbol'), markPrice: '60000.00' } };
    return { status: 404, body: { code: -9999, msg: `no route ${req.method} ${req.path}` } };
  }
}

const API_KEY = 'test-api-key-0123456789abcdef';
const API_SECRET = 'test-api-secret-0123456789abcdef';
const CID = '0123456789abcdef0123456789abcdef';

function binanceConfig(url: string): ExchangeConfig {
  return { type: 'binance', account: 'unit', testnet: true, takerFeeRate: 0, slippageRate: 0, baseUrl: url };
}
const binanceEnv = { BINANCE_API_KEY_UNIT: API_KEY, BINANCE_API_SECRET_UNIT: API_SECRET };

function asterConfig(url: string, signing?: ExchangeConfig['asterSigning']): ExchangeConfig {
  return { type: 'aster', account: 'unit', testnet: true, takerFeeRate: 0, slippageRate: 0, baseUrl: url, asterSigning: signing };
}
const asterEnv = {
  ASTER_USER_UNIT: vectors.keys.user,
  ASTER_SIGNER_UNIT: vectors.keys.signer,
  ASTER_PRIVATE_KEY_UNIT: vectors.keys.signerPrivateKey,
};

const filled = (req: Seen, overrides: Partial<RawOrder> = {}): RawOrder => ({
  orderId: 101,
  clientOrderId: param(req, 'newClientOrderId') ?? CID,
  symbol: param(req, 'symbol') ?? 'BTCUSDT',
  side: (param(req, 'side') ?? 'BUY') as 'BUY',
  type: 'MARKET',
  origType: 'MARKET',
  status: 'FILLED',
  origQty: param(req, 'quantity'),
  executedQty: param(req, 'quantity'),
  cumQuote: '600',
  reduceOnly: false,
  closePosition: false,
  updateTime: 1_700_000_000_000,
  ...overrides,
});

const trade = (orderId: number, overrides: Partial<RawTrade> = {}): RawTrade => ({
  id: orderId * 10,
  orderId,
  symbol: 'BTCUSDT',
  side: 'BUY',
  price: '60000',
  qty: '0.01',
  commission: '0.3',
  commissionAsset: 'USDT',
  realizedPnl: '0',
  time: 1_700_000_000_000,
  ...overrides,
});

/** The HMAC of everything before "&signature=", as Binance checks it. */
function binanceSignatureValid(req: Seen): boolean {
  const at = req.raw.lastIndexOf('&signature=');
  return at > 0 && hmacSha256Hex(API_SECRET, req.raw.slice(0, at)) === req.raw.slice(at + '&signature='.length);
}

async function rejection(promise: Promise<unknown>): Promise<VenueRejection> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof VenueRejection, `expected a VenueRejection, got ${String(err)}`);
  return err;
}

describe('binance adapter against a local server', function () {
  this.timeout(20_000);
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.close());

  it('places a market order: rounded quantity, RESULT, client id, HMAC signature last; fee and PnL from the trades', async () => {
    server.on('POST', '/fapi/v1/order', (req) => ({ body: filled(req, { avgPrice: '60000.0' }) }));
    server.on('GET', '/fapi/v1/userTrades', (req) => {
      assert.equal(param(req, 'orderId'), '101');
      return {
        body: [
          trade(101, { qty: '0.006', commission: '0.18', realizedPnl: '1.5' }),
          trade(101, { id: 2, qty: '0.004', commission: '0.12', realizedPnl: '0.5' }),
        ],
      };
    });
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const order = await venue.placeOrder({ clientOrderId: CID, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0109999' });

    const [sent] = server.to('/fapi/v1/order', 'POST');
    assert.deepEqual(keys(sent!), [
      'symbol',
      'side',
      'type',
      'quantity',
      'newClientOrderId',
      'newOrderRespType',
      'recvWindow',
      'timestamp',
      'signature',
    ]);
    assert.equal(param(sent!, 'quantity'), '0.010');
    assert.equal(param(sent!, 'newClientOrderId'), CID);
    assert.equal(param(sent!, 'newOrderRespType'), 'RESULT');
    assert.equal(param(sent!, 'recvWindow'), '5000');
    assert.equal(sent!.headers['x-mbx-apikey'], API_KEY);
    assert.equal(sent!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.ok(binanceSignatureValid(sent!));
    assert.ok(server.to('/fapi/v1/time').length >= 1, 'the clock was read before signing');

    assert.equal(order.status, 'FILLED');
    assert.equal(order.clientOrderId, CID);
    assert.equal(order.executedQty, 0.01);
    assert.equal(order.avgPrice, 60000);
    close(order.fee, 0.3, 'fee');
    close(order.realizedPnl, 2, 'realised PnL');
  });

  it('sends stop-loss / take-profit to the algo service with triggerPrice on the tick and clientAlgoId', async () => {
    server.on('POST', '/fapi/v1/algoOrder', (req) => ({
      body: {
        ...fixture<RawAlgoOrder>('binance', 'algoOrder'),
        clientAlgoId: param(req, 'clientAlgoId'),
        symbol: 'BTCUSDT',
        orderType: param(req, 'type'),
        triggerPrice: param(req, 'triggerPrice'),
        quantity: '0',
        closePosition: true,
        price: '0',
      },
    }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const stop = await venue.placeOrder({
      clientOrderId: CID,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '58800.0300001',
      closePosition: true,
    });
    const [sent] = server.to('/fapi/v1/algoOrder', 'POST');
    assert.deepEqual(keys(sent!), [
      'algoType',
      'symbol',
      'side',
      'type',
      'triggerPrice',
      'closePosition',
      'clientAlgoId',
      'recvWindow',
      'timestamp',
      'signature',
    ]);
    assert.equal(param(sent!, 'algoType'), 'CONDITIONAL');
    assert.equal(param(sent!, 'triggerPrice'), '58800.0');
    assert.equal(param(sent!, 'closePosition'), 'true');
    assert.ok(binanceSignatureValid(sent!));
    assert.equal(server.to('/fapi/v1/order').length, 0, 'nothing to /fapi/v1/order');
    assert.equal(stop.clientOrderId, CID);
    assert.equal(stop.type, 'STOP_MARKET');
    assert.equal(stop.status, 'NEW');
    assert.equal(stop.stopPrice, 58800);
  });

  it('refuses below the minimums and above the market maximum before sending anything', async () => {
    server.on('GET', '/fapi/v1/exchangeInfo', () => ({ body: exchangeInfoBody('100') }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const market = (quantity: string, reduceOnly = false) =>
      venue.placeOrder({ clientOrderId: CID, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity, reduceOnly });
    assert.equal((await rejection(market('0.0009'))).code, 'QUANTITY_BELOW_MIN');
    const small = await rejection(market('0.001'));
    assert.equal(small.code, 'MIN_NOTIONAL');
    assert.match(small.message, /notional 60\.00 USDT .* below the minimum 100 USDT/);
    assert.equal((await rejection(market('120.5'))).code, 'QUANTITY_ABOVE_MAX');
    assert.equal((await rejection(market('abc'))).code, 'INVALID_PARAMETER');
    assert.equal(
      (await rejection(venue.placeOrder({ clientOrderId: CID, symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }))).code,
      'UNKNOWN_SYMBOL',
    );
    assert.equal(
      (await rejection(venue.placeOrder({ clientOrderId: 'not valid!', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' })))
        .code,
      'INVALID_PARAMETER',
    );
    assert.equal((await rejection(venue.setLeverage('BTCUSDT', 126))).code, 'INVALID_LEVERAGE');
    assert.equal(server.to('/fapi/v1/order').length + server.to('/fapi/v1/leverage').length, 0);
    // Reduce-only orders are exempt from the minimum notional.
    server.on('POST', '/fapi/v1/order', (req) => ({ body: filled(req) }));
    server.on('GET', '/fapi/v1/userTrades', () => ({ body: [trade(101, { qty: '0.001' })] }));
    assert.equal((await market('0.001', true)).status, 'FILLED');
    assert.equal(param(server.to('/fapi/v1/order', 'POST')[0]!, 'reduceOnly'), 'true');
  });

  it("maps the venue's refusal of an order (-2019) and keeps secrets out of the message", async () => {
    server.on('POST', '/fapi/v1/order', () => ({ status: 400, body: { code: -2019, msg: 'Margin is insufficient.' } }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const err = await rejection(venue.placeOrder({ clientOrderId: CID, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '10' }));
    assert.equal(err.code, 'INSUFFICIENT_MARGIN');
    assert.equal(err.message, 'binance account "unit": POST /fapi/v1/order refused: Margin is insufficient. (code -2019)');
  });

  it('a bad signature names venue, account, endpoint and code, never key, secret or signature', async () => {
    server.on('GET', '/fapi/v1/positionSide/dual', () => ({
      status: 401,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const err = await rejection(venue.checkAccount());
    assert.equal(err.code, 'INVALID_SIGNATURE');
    for (const secret of [API_KEY, API_SECRET, 'signature=', 'timestamp=']) assert.ok(!err.message.includes(secret), err.message);
    assert.match(err.message, /binance account "unit": GET \/fapi\/v1\/positionSide\/dual refused: .*\(code -1022\)/);
    assert.match(err.message, /BINANCE_API_SECRET_UNIT/, 'says which variable to check');
  });

  it('resyncs the clock and retries once on -1021, then gives up as temporary', async () => {
    let refusals = 1;
    server.on('POST', '/fapi/v1/leverage', (req) =>
      refusals-- > 0
        ? { status: 400, body: fixture('binance', 'error.timestamp') }
        : { body: { symbol: param(req, 'symbol'), leverage: Number(param(req, 'leverage')), maxNotionalValue: '1000000' } },
    );
    server.serverTime = () => Date.now() + 3_000;
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    await venue.setLeverage('BTCUSDT', 5);
    const sent = server.to('/fapi/v1/leverage');
    assert.equal(sent.length, 2);
    assert.equal(server.to('/fapi/v1/time').length, 2, 'read once before signing, once after -1021');
    assert.ok(Math.abs(Number(param(sent[1]!, 'timestamp')) - (Date.now() + 3_000)) < 1_000, "timestamp on the venue's clock");

    refusals = 10;
    const err = await venue.setLeverage('BTCUSDT', 5).catch((e: unknown) => e);
    assert.ok(err instanceof VenueTemporaryError && !(err instanceof VenueRejection), String(err));
    assert.equal(server.to('/fapi/v1/leverage').length, 4, 'one retry only');
  });

  it('getOrder looks up regular orders, then algo orders; -2013 from both is null', async () => {
    server.on('GET', '/fapi/v1/order', () => ({ status: 400, body: { code: -2013, msg: 'Order does not exist.' } }));
    server.on('GET', '/fapi/v1/algoOrder', () => ({ status: 400, body: { code: -2013, msg: 'Order does not exist.' } }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    assert.equal(await venue.getOrder('BTCUSDT', CID), null);
    assert.equal(param(server.to('/fapi/v1/order')[0]!, 'origClientOrderId'), CID);
    assert.equal(param(server.to('/fapi/v1/algoOrder')[0]!, 'clientAlgoId'), CID);
  });

  it('getOrder of a triggered algo order: the fill of its regular order, under the algo client id', async () => {
    server.on('GET', '/fapi/v1/order', (req) =>
      param(req, 'orderId') === '555'
        ? {
            body: {
              ...filled(req, {
                orderId: 555,
                clientOrderId: 'venue-made-id',
                side: 'SELL',
                origQty: '0.01',
                executedQty: '0.01',
                avgPrice: '58750',
              }),
            },
          }
        : { status: 400, body: { code: -2013, msg: 'Order does not exist.' } },
    );
    server.on('GET', '/fapi/v1/algoOrder', () => ({
      body: {
        ...fixture<RawAlgoOrder>('binance', 'algoOrder'),
        clientAlgoId: CID,
        symbol: 'BTCUSDT',
        orderType: 'STOP_MARKET',
        algoStatus: 'FINISHED',
        actualOrderId: '555',
        actualQty: '0.01',
        actualPrice: '58750',
        triggerPrice: '58800',
      },
    }));
    server.on('GET', '/fapi/v1/userTrades', () => ({ body: [trade(555, { price: '58750', realizedPnl: '-12.5', commission: '0.29' })] }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const order = await venue.getOrder('BTCUSDT', CID);
    assert.equal(order?.clientOrderId, CID);
    assert.equal(order?.type, 'STOP_MARKET');
    assert.equal(order?.status, 'FILLED');
    assert.equal(order?.avgPrice, 58750);
    assert.equal(order?.stopPrice, 58800);
    close(order!.realizedPnl, -12.5, 'pnl');
    close(order!.fee, 0.29, 'fee');
  });

  it('filledOrders: fills oldest first, triggered algo orders under their clientAlgoId, partial fills count', async () => {
    const since = Date.now() - 10 * 60_000;
    const base = { symbol: 'BTCUSDT', type: 'MARKET', origType: 'MARKET', reduceOnly: false, closePosition: false } as const;
    server.on('GET', '/fapi/v1/allOrders', () => {
      return {
        body: [
          {
            ...base,
            orderId: 3,
            clientOrderId: 'venue-made',
            side: 'SELL',
            status: 'FILLED',
            origQty: '0.01',
            executedQty: '0.01',
            avgPrice: '58750',
            time: since + 5000,
            updateTime: since + 5000,
          },
          {
            ...base,
            orderId: 1,
            clientOrderId: CID,
            side: 'BUY',
            status: 'FILLED',
            origQty: '0.01',
            executedQty: '0.01',
            avgPrice: '60000',
            time: since,
            updateTime: since,
          },
          {
            ...base,
            orderId: 2,
            clientOrderId: 'partial',
            side: 'BUY',
            status: 'EXPIRED',
            origQty: '0.02',
            executedQty: '0.005',
            avgPrice: '60010',
            time: since + 10,
            updateTime: since + 20,
          },
          {
            ...base,
            orderId: 4,
            clientOrderId: 'nothing',
            side: 'BUY',
            status: 'CANCELED',
            origQty: '0.02',
            executedQty: '0',
            time: since + 30,
            updateTime: since + 40,
          },
          {
            ...base,
            orderId: 0,
            clientOrderId: 'before',
            side: 'BUY',
            status: 'FILLED',
            origQty: '0.01',
            executedQty: '0.01',
            avgPrice: '1',
            time: since - 10,
            updateTime: since - 5,
          },
        ],
      };
    });
    server.on('GET', '/fapi/v1/allAlgoOrders', () => ({
      body: [
        {
          algoId: 77,
          clientAlgoId: 'a'.repeat(32),
          symbol: 'BTCUSDT',
          side: 'SELL',
          orderType: 'STOP_MARKET',
          algoStatus: 'FINISHED',
          actualOrderId: '3',
          actualQty: '0.01',
          actualPrice: '58750',
          triggerPrice: '58800',
          closePosition: true,
          createTime: since + 100,
          updateTime: since + 5000,
        },
      ],
    }));
    server.on('GET', '/fapi/v1/userTrades', () => ({
      body: [
        trade(1, { time: since }),
        trade(3, { time: since + 5000, price: '58750', realizedPnl: '-12.5', commission: '0.29' }),
        trade(2, { qty: '0.005', time: since + 20 }),
      ],
    }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const fills = await venue.filledOrders(since, ['BTCUSDT']);
    const [query] = server.to('/fapi/v1/allOrders');
    assert.deepEqual(keys(query!), ['symbol', 'startTime', 'limit', 'recvWindow', 'timestamp', 'signature']);
    assert.ok(Number(param(query!, 'startTime')) <= since, 'starts at or before since');
    assert.deepEqual(
      fills.map((o) => o.clientOrderId),
      [CID, 'partial', 'a'.repeat(32)],
    );
    assert.deepEqual(
      fills.map((o) => o.status),
      ['FILLED', 'FILLED', 'FILLED'],
    );
    assert.equal(fills[1]!.executedQty, 0.005);
    const stop = fills[2]!;
    assert.equal(stop.type, 'STOP_MARKET');
    assert.equal(stop.closePosition, true);
    close(stop.realizedPnl, -12.5, 'stop pnl');
    close(stop.fee, 0.29, 'stop fee');
    assert.equal(stop.updatedAt, since + 5000);
  });

  it('openOrders lists regular and algo orders; cancel of an order gone from both is null', async () => {
    server.on('GET', '/fapi/v1/openOrders', () => ({ body: [] }));
    server.on('GET', '/fapi/v1/openAlgoOrders', () => ({
      body: [
        {
          ...fixture<RawAlgoOrder>('binance', 'algoOrder'),
          clientAlgoId: CID,
          symbol: 'BTCUSDT',
          orderType: 'STOP_MARKET',
          triggerPrice: '58800',
        },
      ],
    }));
    server.on('DELETE', '/fapi/v1/order', () => ({ status: 400, body: { code: -2011, msg: 'Unknown order sent.' } }));
    server.on('DELETE', '/fapi/v1/algoOrder', () => ({ status: 400, body: { code: -2011, msg: 'Unknown order sent.' } }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const open = await venue.openOrders('BTCUSDT');
    assert.deepEqual(
      open.map((o) => [o.clientOrderId, o.type, o.stopPrice]),
      [[CID, 'STOP_MARKET', 58800]],
    );
    assert.equal(await venue.cancelOrder('BTCUSDT', CID), null);
    assert.equal(param(server.to('/fapi/v1/algoOrder', 'DELETE')[0]!, 'clientAlgoId'), CID);
  });

  it('margin type: -4046 is success, a change refused with a position open is a rejection', async () => {
    let answer = { code: -4046, msg: 'No need to change margin type.' };
    server.on('POST', '/fapi/v1/marginType', () => ({ status: 400, body: answer }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    await venue.setMarginType('BTCUSDT', 'isolated');
    assert.equal(param(server.to('/fapi/v1/marginType')[0]!, 'marginType'), 'ISOLATED');
    answer = { code: -4048, msg: 'Margin type cannot be changed if there exists position.' };
    assert.equal((await rejection(venue.setMarginType('BTCUSDT', 'cross'))).code, 'MARGIN_TYPE_CHANGE_BLOCKED');
    assert.equal(param(server.to('/fapi/v1/marginType')[1]!, 'marginType'), 'CROSSED');
  });

  it("symbol rules carry the account's brackets from signed GET /fapi/v1/leverageBracket, cached; none where it is refused", async () => {
    // The documented example's first bracket, and a second whose cum follows: 10,000 x (1 % - 0.65 %) = 35.
    const brackets = [
      { bracket: 2, initialLeverage: 50, notionalCap: 50_000, notionalFloor: 10_000, maintMarginRatio: 0.01, cum: 35 },
      { bracket: 1, initialLeverage: 75, notionalCap: 10_000, notionalFloor: 0, maintMarginRatio: 0.0065, cum: 0 },
    ];
    server.on('GET', '/fapi/v1/leverageBracket', () => ({ body: [{ symbol: 'BTCUSDT', notionalCoef: 1.5, brackets }] }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const rules = await venue.symbolRules('BTCUSDT');
    assert.equal(rules.maxLeverage, 75, 'the highest initial leverage of the brackets');
    assert.deepEqual(rules.marginBrackets, [brackets[1], brackets[0]], 'lowest notional first');
    const other = await venue.symbolRules('ASTERUSDT');
    assert.equal(other.marginBrackets, undefined, 'a symbol the answer does not list has none');
    assert.equal(other.maxLeverage, DEFAULT_MAX_LEVERAGE);
    const [request, ...more] = server.to('/fapi/v1/leverageBracket', 'GET');
    assert.equal(more.length, 0, 'one request for both symbols');
    assert.ok(binanceSignatureValid(request!), 'signed');

    const refusing = createBinanceVenue(
      { ...binanceConfig(server.url), account: 'other' },
      { BINANCE_API_KEY_OTHER: API_KEY, BINANCE_API_SECRET_OTHER: API_SECRET },
    );
    server.on('GET', '/fapi/v1/leverageBracket', () => ({
      status: 400,
      body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    }));
    assert.equal((await refusing.symbolRules('BTCUSDT')).marginBrackets, undefined);
    await refusing.symbolRules('BTCUSDT');
    assert.equal(server.to('/fapi/v1/leverageBracket', 'GET').length, 2, 'a refusal is remembered like an answer');
  });

  it('checkAccount: hedge mode is refused with how to switch; one-way gives balance and warnings', async () => {
    let dual = true;
    server.on('GET', '/fapi/v1/positionSide/dual', () => ({ body: { dualSidePosition: dual } }));
    server.on('GET', '/fapi/v3/balance', () => ({ body: fixture('binance', 'balance.v3') }));
    server.on('GET', '/fapi/v3/positionRisk', () => ({ body: fixture('binance', 'positionRisk.v3') }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const err = await rejection(venue.checkAccount());
    assert.equal(err.code, 'HEDGE_MODE');
    assert.match(err.message, /One-way/);
    dual = false;
    const check = await venue.checkAccount();
    assert.equal(check.positionMode, 'one-way');
    assert.equal(check.baseUrl, server.url);
    assert.equal(check.testnet, true);
    close(check.balance.equity, 122607.35137903 + 0.764277, 'equity');
    assert.equal(check.warnings.length, 1);
    assert.match(check.warnings[0]!, /ADAUSDT long 30/);
    const positions = await venue.positions();
    assert.equal(positions[0]!.leverage, 20);
  });

  it("exchange info sets the shared limiter's limits, and the used-weight header is fed to it", async () => {
    server.on('GET', '/fapi/v1/exchangeInfo', () => ({
      body: { ...exchangeInfoBody(), rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1234 }] },
    }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    await venue.symbolRules('BTCUSDT');
    const limiter = sharedRateLimiter(`binance:${new URL(server.url).host}`, []);
    assert.deepEqual(limiter.currentLimits(), [{ intervalMs: 60_000, limit: 1234 }]);
    // The venue says this IP used 1200 of 1234 this minute: beyond our 90 % budget, the next call waits
    // longer than the limiter sleeps through and fails as temporary without reaching the venue.
    server.usedWeight = 1200;
    server.on('GET', '/fapi/v1/ticker/price', () => ({ body: fixture('aster', 'tickerPrice') }));
    await createBinanceMarketData(server.url)
      .price('BTCUSDT')
      .catch(() => undefined);
    const before = server.requests.length;
    const err = await createBinanceMarketData(server.url)
      .price('BTCUSDT')
      .catch((e: unknown) => e);
    assert.ok(err instanceof VenueTemporaryError, String(err));
    assert.match(err.message, /rate limit budget exhausted/);
    assert.equal(server.requests.length, before);
  });

  it('a 503 after an order leaves its outcome unknown (propagated, not retried)', async () => {
    server.on('POST', '/fapi/v1/order', () => ({
      status: 503,
      body: { code: -1000, msg: 'Unknown error, please check your request or try again later.' },
    }));
    const venue = createBinanceVenue(binanceConfig(server.url), binanceEnv);
    const err = await venue
      .placeOrder({ clientOrderId: CID, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' })
      .catch((e: unknown) => e);
    assert.ok(err instanceof VenueOutcomeUnknown, String(err));
    assert.equal(server.to('/fapi/v1/order').length, 1);
  });

  it('market data: klines, price, funding, open interest', async () => {
    server.on('GET', '/fapi/v1/klines', (req) => {
      const end = Number(param(req, 'endTime'));
      const limit = Number(param(req, 'limit'));
      const rows = Array.from({ length: limit }, (_, i) => [
        end - (limit - 1 - i) * 60_000,
        '1',
        '2',
        '0.5',
        '1.5',
        '10',
        0,
        '0',
        1,
        '0',
        '0',
        '0',
      ]);
      return { body: rows };
    });
    server.on('GET', '/fapi/v1/ticker/price', () => ({ body: fixture('aster', 'tickerPrice') }));
    server.on('GET', '/fapi/v1/fundingRate', () => ({ body: fixture('aster', 'fundingRate') }));
    server.on('GET', '/fapi/v1/openInterest', () => ({ body: { openInterest: '10659.509', symbol: 'BTCUSDT', time: 1589437530011 } }));
    const data = createBinanceMarketData(server.url);
    const candles = await data.candles('BTCUSDT', '3m', 10_000_000_000, 2000);
    assert.equal(candles.length, 2000);
    assert.equal(server.to('/fapi/v1/klines').length, 2, 'paged backwards in 1500 + 500');
    for (let i = 1; i < candles.length; i++) assert.ok(candles[i]!.openTime > candles[i - 1]!.openTime);
    assert.equal(candles.at(-1)!.openTime, 10_000_000_000);
    assert.equal(await data.price('BTCUSDT'), 6000.01);
    assert.deepEqual(await data.fundingHistory('BTCUSDT', 1570608000000, 1570608000000), [{ time: 1570608000000, rate: -0.0375 }]);
    assert.equal(await data.openInterest('BTCUSDT'), 10659.509);
  });
});

describe('aster adapter against a local server', function () {
  this.timeout(20_000);
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.close());

  /** The EIP-712 signer recovered from a request: the message is everything before "&signature=". */
  function recover(req: Seen, chainId: number): string {
    const at = req.raw.lastIndexOf('&signature=');
    const signature = req.raw.slice(at + '&signature='.length);
    return verifyTypedData(
      asterDomain(chainId),
      ASTER_EIP712_TYPES,
      { msg: req.raw.slice(0, at) },
      signature.startsWith('0x') ? signature : `0x${signature}`,
    );
  }

  it('places a stop on /fapi/v3/order (stopPrice, closePosition), signed with EIP-712 by the API wallet, nonce after the params', async () => {
    server.on('POST', '/fapi/v3/order', (req) => ({
      body: {
        ...fixture<RawOrder>('aster', 'order'),
        clientOrderId: param(req, 'newClientOrderId'),
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_MARKET',
        origType: 'STOP_MARKET',
        stopPrice: param(req, 'stopPrice'),
        closePosition: true,
        origQty: '0',
      },
    }));
    const venue = createAsterVenue(asterConfig(server.url), asterEnv);
    const stop = await venue.placeOrder({
      clientOrderId: CID,
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      stopPrice: '58800.04',
      closePosition: true,
    });
    const [sent] = server.to('/fapi/v3/order', 'POST');
    assert.deepEqual(keys(sent!), [
      'symbol',
      'side',
      'type',
      'newClientOrderId',
      'stopPrice',
      'closePosition',
      'nonce',
      'signer',
      'signature',
    ]);
    assert.equal(param(sent!, 'stopPrice'), '58800.0');
    assert.equal(param(sent!, 'signer'), vectors.keys.signer);
    assert.ok(param(sent!, 'signature')!.startsWith('0x'));
    assert.equal(recover(sent!, 714), vectors.keys.signer, 'testnet chain id 714');
    assert.equal(sent!.headers['x-mbx-apikey'], undefined);
    const nonce = Number(param(sent!, 'nonce'));
    assert.ok(Math.abs(nonce - Date.now() * 1000) < 5_000_000, 'microseconds of now');
    assert.ok(server.to('/fapi/v3/time').length >= 1);
    assert.equal(stop.type, 'STOP_MARKET');
    assert.equal(stop.stopPrice, 58800);
    assert.equal(stop.clientOrderId, CID);
  });

  it('signing switches: user between nonce and signer, bare-hex signature', async () => {
    server.on('GET', '/fapi/v3/balance', () => ({ body: fixture('aster', 'balance') }));
    server.on('GET', '/fapi/v3/positionRisk', () => ({ body: fixture('aster', 'positionRisk') }));
    const venue = createAsterVenue(asterConfig(server.url, { includeUser: true, signaturePrefix0x: false, signEncoding: 'raw' }), asterEnv);
    const balance = await venue.balance();
    close(balance.equity, 122607.35137903, 'equity');
    const [sent] = server.to('/fapi/v3/balance');
    assert.deepEqual(keys(sent!), ['nonce', 'user', 'signer', 'signature']);
    assert.equal(param(sent!, 'user'), vectors.keys.user);
    assert.ok(!param(sent!, 'signature')!.startsWith('0x'));
    assert.equal(recover(sent!, 714), vectors.keys.signer);
  });

  it('"Nonce Expired" is temporary and moves later nonces above the venue\'s time', async () => {
    const ahead = Date.now() + 120_000;
    server.serverTime = () => ahead;
    let expire = true;
    server.on('POST', '/fapi/v3/leverage', () =>
      expire ? { status: 400, body: fixture('aster', 'error.nonceExpired') } : { body: fixture('aster', 'leverage') },
    );
    // A signer of its own: nonces are process-wide per signer, and this one now runs 2 minutes ahead.
    const wallet = Wallet.createRandom();
    const venue = createAsterVenue(asterConfig(server.url), {
      ASTER_USER_UNIT: vectors.keys.user,
      ASTER_SIGNER_UNIT: wallet.address,
      ASTER_PRIVATE_KEY_UNIT: wallet.privateKey,
    });
    const err = await venue.setLeverage('BTCUSDT', 21).catch((e: unknown) => e);
    assert.ok(err instanceof VenueTemporaryError && !(err instanceof VenueRejection), String(err));
    expire = false;
    await venue.setLeverage('BTCUSDT', 21);
    const [first, second] = server.to('/fapi/v3/leverage');
    assert.deepEqual(keys(first!), ['symbol', 'leverage', 'nonce', 'signer', 'signature']);
    assert.ok(Number(param(second!, 'nonce')) > ahead * 1000, "next nonce above the venue's clock");
  });

  it('a market order: fee from userTrades read by time and filtered by order id', async () => {
    server.on('POST', '/fapi/v3/order', (req) => ({ body: filled(req, { orderId: 7, avgPrice: '60000' }) }));
    server.on('GET', '/fapi/v3/userTrades', (req) => {
      assert.equal(param(req, 'orderId'), undefined);
      assert.ok(Number(param(req, 'startTime')) <= 1_700_000_000_000);
      return { body: [trade(7, { commission: '0.3' }), trade(8, { commission: '99' })] };
    });
    const venue = createAsterVenue(asterConfig(server.url), asterEnv);
    const order = await venue.placeOrder({ clientOrderId: CID, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    assert.equal(order.status, 'FILLED');
    close(order.fee, 0.3, 'fee of order 7 only');
  });

  it('getOrder -2013 is null; cancel -2011 is null; no algo endpoints on Aster', async () => {
    server.on('GET', '/fapi/v3/order', () => ({ status: 400, body: { code: -2013, msg: 'Order does not exist.' } }));
    server.on('DELETE', '/fapi/v3/order', () => ({ status: 400, body: { code: -2011, msg: 'Unknown order sent.' } }));
    const venue = createAsterVenue(asterConfig(server.url), asterEnv);
    assert.equal(await venue.getOrder('BTCUSDT', CID), null);
    assert.equal(await venue.cancelOrder('BTCUSDT', CID), null);
    assert.equal(server.requests.filter((r) => r.path.includes('algo')).length, 0);
  });

  it("refuses a private key that is not the signer's, naming variables, not values", () => {
    const other = '0x0123456789012345678901234567890123456789012345678901234567890123';
    assert.throws(
      () => createAsterVenue(asterConfig(server.url), { ...asterEnv, ASTER_PRIVATE_KEY_UNIT: other }),
      (err: unknown) => {
        assert.ok(err instanceof VenueRejection && err.code === 'INVALID_CREDENTIALS');
        assert.ok(!err.message.includes(other.slice(2)));
        assert.match(err.message, /ASTER_PRIVATE_KEY_UNIT/);
        return true;
      },
    );
  });

  it('market data: no open interest, public endpoints unsigned', async () => {
    server.on('GET', '/fapi/v3/ticker/price', () => ({ body: fixture('aster', 'tickerPrice') }));
    const data = createAsterMarketData(server.url);
    assert.equal(await data.openInterest('BTCUSDT'), null);
    assert.equal(await data.price('BTCUSDT'), 6000.01);
    assert.deepEqual(keys(server.to('/fapi/v3/ticker/price')[0]!), ['symbol']);
  });
});
