import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { ExchangeConfig } from '../../arena-config/types';
import { VenueOutcomeUnknown, VenueTemporaryError } from '../../venues/errors';
import { createHyperliquidMarketData, createHyperliquidVenue } from '../../venues/hyperliquid';
import { clientIdOf, oidOf, toCloid } from '../../venues/hyperliquid/cloid';
import { errorForMessage, toVenueError } from '../../venues/hyperliquid/errors';
import { nextNonce } from '../../venues/hyperliquid/nonce';
import { UNCAPPED_NOTIONAL, bracketsFromTiers, bracketsOfUniverse } from '../../venues/hyperliquid/margin-tables';
import { isValidPrice, roundPrice, tickSizeAt, truncateSize } from '../../venues/hyperliquid/price-rules';
import { utils } from '../../venues/hyperliquid/sdk';
import { createExchangeClient } from '../../venues/hyperliquid/signer';
import { HyperliquidTransport, hyperliquidLimiter, requestWeight } from '../../venues/hyperliquid/transport';
import type { LiveVenue } from '../../venues/live-venue';
import { liquidationPrice } from '../../venues/symbol-rules';
import { VenueRejection, type OrderRequest } from '../../venues/venue';
import { HyperliquidMockServer, startHyperliquidMock } from '../support/mock-venues/hyperliquid';
import { NonceBook } from '../support/mock-venues/hyperliquid/auth';

/** Test wallets from fixed seeds (not secrets; never printed). */
const walletOf = (seed: string) => new Wallet(`0x${createHash('sha256').update(`hyperliquid-test|${seed}`).digest('hex')}`);
const MAIN = walletOf('main');
const AGENT = walletOf('agent');
const OTHER_MAIN = walletOf('other-main');
const OTHER_AGENT = walletOf('other-agent');
const STRANGER = walletOf('stranger');
const cid = (label: string) => createHash('sha256').update(`hl-test|${label}`).digest('hex').slice(0, 32);

function exchangeConfig(baseUrl: string, account = 'test'): ExchangeConfig {
  return { type: 'hyperliquid', account, testnet: true, takerFeeRate: 0, slippageRate: 0, baseUrl };
}

function venueFor(mock: HyperliquidMockServer, signer: Wallet = AGENT, user: string | undefined = MAIN.address): LiveVenue {
  const env: NodeJS.ProcessEnv = { HYPERLIQUID_PRIVATE_KEY_TEST: signer.privateKey, ...(user ? { HYPERLIQUID_USER_TEST: user } : {}) };
  return createHyperliquidVenue(exchangeConfig(mock.url), env);
}

function startMock(extra: Partial<Parameters<typeof startHyperliquidMock>[0]> = {}): Promise<HyperliquidMockServer> {
  return startHyperliquidMock({
    accounts: [
      { user: MAIN.address, agents: [AGENT.address] },
      { user: OTHER_MAIN.address, agents: [OTHER_AGENT.address] },
    ],
    initialBalance: 10_000,
    prices: { BTCUSDT: 60_000, ETHUSDT: 3_000, DOGEUSDT: 0.12345, HPOSUSDT: 1.5 },
    testnet: true,
    ...extra,
  });
}

const rejected = (code: string) => (err: unknown) => {
  assert.ok(err instanceof VenueRejection, `expected VenueRejection ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return true;
};

const market = (label: string, side: OrderRequest['side'], quantity: string, reduceOnly = false): OrderRequest => ({
  clientOrderId: cid(label),
  symbol: 'BTCUSDT',
  side,
  type: 'MARKET',
  quantity,
  reduceOnly,
});
const protective = (
  label: string,
  type: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET',
  stopPrice: string,
  side: OrderRequest['side'] = 'SELL',
): OrderRequest => ({ clientOrderId: cid(label), symbol: 'BTCUSDT', side, type, stopPrice, closePosition: true });

describe('hyperliquid: price and size rules', () => {
  it('rounds prices to 5 significant figures and 6 − szDecimals decimals; integers are always valid', () => {
    // [price, szDecimals, rounding, expected]
    const cases: Array<[string, number, 'nearest' | 'down' | 'up', string | null]> = [
      ['60000.7', 5, 'nearest', '60001'],
      ['58800.0300001', 5, 'nearest', '58800'],
      ['123456.78', 5, 'nearest', '123457'], // > 100 000: an integer, not the 5-figure 123460
      ['123456.78', 5, 'down', '123456'],
      ['9999.96', 5, 'nearest', '10000'], // rounds into the next power of ten
      ['3456.789', 4, 'down', '3456.7'], // 5 figures
      ['3456.789', 4, 'nearest', '3456.8'],
      ['1.23456789', 5, 'nearest', '1.2'], // 6 − 5 = 1 decimal
      ['0.123456789', 0, 'nearest', '0.12346'], // 5 figures
      ['0.000123456', 0, 'nearest', '0.000123'], // 6 decimals
      ['0.000123456', 0, 'up', '0.000124'],
      ['0.00001', 2, 'nearest', null], // nothing valid: 4 decimals
    ];
    for (const [price, sz, rounding, expected] of cases) {
      const got = roundPrice(price, sz, rounding);
      assert.equal(got, expected, `${price} (szDecimals ${sz}, ${rounding})`);
      if (got !== null) assert.ok(isValidPrice(got, sz), `${got} is valid`);
    }
  });

  it('knows valid from invalid prices', () => {
    assert.ok(isValidPrice('123456', 5), 'integer with 6 figures');
    assert.ok(isValidPrice('1234567', 0), 'integer with 7 figures');
    assert.ok(!isValidPrice('12345.6', 5), '6 figures with a decimal');
    assert.ok(!isValidPrice('12345.6', 0), '6 figures with a decimal');
    assert.ok(isValidPrice('1.2345', 2), '4 decimals, 5 figures');
    assert.ok(!isValidPrice('1.2345', 3), '4 decimals > 6 − 3');
    assert.ok(!isValidPrice('0.1234567', 0), '7 decimals');
    assert.ok(!isValidPrice('0', 0));
  });

  it("never produces a coarser price than the SDK's formatPrice, and agrees with its rule", () => {
    for (const sz of [0, 1, 2, 3, 4, 5]) {
      for (const price of ['97123.456789', '123456.7', '3456.789', '1.23456789', '0.0123456', '42', '100000.5', '0.5']) {
        let sdk: string;
        try {
          sdk = utils.formatPrice(price, sz);
        } catch {
          assert.equal(roundPrice(price, sz, 'down'), null, `${price} (${sz}) has no valid price for either`);
          continue;
        }
        assert.ok(isValidPrice(sdk, sz), `SDK ${sdk} passes our rule (${price}, ${sz})`);
        const ours = roundPrice(price, sz, 'down')!;
        assert.ok(Number(ours) >= Number(sdk) && Number(ours) <= Number(price), `${ours} between the SDK's ${sdk} and ${price}`);
      }
    }
  });

  it('reports the tick valid around the current price', () => {
    assert.equal(tickSizeAt(60_000, 5), '1');
    assert.equal(tickSizeAt(150_000, 5), '1');
    assert.equal(tickSizeAt(3_000, 4), '0.1');
    assert.equal(tickSizeAt(0.12345, 0), '0.00001');
    assert.equal(tickSizeAt(1.5, 0), '0.0001');
  });

  it('truncates sizes to szDecimals', () => {
    assert.equal(truncateSize('0.0100000009', 5), '0.01');
    assert.equal(truncateSize('0.123456789', 2), '0.12');
    assert.equal(truncateSize('0.000001', 5), '0');
    assert.equal(truncateSize('150', 0), '150');
  });
});

describe('hyperliquid: client order ids', () => {
  it("maps the arena's 32 hex characters to a cloid and back", () => {
    const id = cid('x');
    assert.equal(toCloid(id), `0x${id}`);
    assert.equal(toCloid(id.toUpperCase()), `0x${id}`);
    assert.equal(clientIdOf(`0x${id}`, 1), id);
    assert.equal(clientIdOf(null, 77), 'oid:77');
    assert.equal(oidOf('oid:77'), 77);
    assert.equal(oidOf(id), null);
    assert.throws(() => toCloid('too-short'), rejected('INVALID_CLIENT_ORDER_ID'));
    assert.throws(() => toCloid(`${id}00`), rejected('INVALID_CLIENT_ORDER_ID'));
  });
});

describe('hyperliquid: venue messages, request weights, nonces', () => {
  it("turns the venue's messages into rejection codes, nonce and rate-limit refusals into temporary errors", () => {
    const cases: Array<[string, string]> = [
      ['Order 0: Insufficient margin to place order. asset=0', 'INSUFFICIENT_MARGIN'],
      ['Order 0: Order must have minimum value of $10.', 'MIN_NOTIONAL'],
      ['Order 0: Order has invalid price.', 'PRECISION'],
      ['Order 0: Price must be divisible by tick size. asset=3', 'PRECISION'],
      ['Order 0: Order has invalid size.', 'PRECISION'],
      ['Order 0: Reduce only order would increase position.', 'REDUCE_ONLY_REJECTED'],
      ['Order 0: Order could not immediately match against any resting orders. asset=0', 'NO_LIQUIDITY'],
      ['Order 0: Asset 9999 does not exist.', 'UNKNOWN_SYMBOL'],
      ['User or API Wallet 0x0000000000000000000000000000000000000001 does not exist.', 'UNAUTHORIZED'],
      ['Invalid leverage value. Max leverage for BTC is 40.', 'INVALID_LEVERAGE'],
      ['Cannot switch leverage type with open position.', 'MARGIN_TYPE_UNSUPPORTED'],
      ['Order 0: Order was never placed, already canceled, or filled. asset=0', 'ORDER_NOT_OPEN'],
      ['Something new', 'REJECTED'],
    ];
    for (const [message, code] of cases) {
      const err = errorForMessage(message, 'test');
      assert.ok(err instanceof VenueRejection && err.code === code, `${message} → ${err instanceof VenueRejection ? err.code : err.name}`);
    }
    assert.ok(errorForMessage('Invalid nonce: duplicate nonce 1', 'test') instanceof VenueTemporaryError);
    const limited = errorForMessage('Too many cumulative requests sent (1000 > 900) for cumulative volume traded $0.0.', 'test');
    assert.ok(limited instanceof VenueTemporaryError && limited.retryAfterMs === 10_000);
  });

  it('weighs requests as the venue does', () => {
    const order = { a: 0, b: true, p: '1', s: '1', r: false, t: { limit: { tif: 'Ioc' } } };
    assert.equal(requestWeight('exchange', { action: { type: 'order', orders: [order] } }), 1);
    assert.equal(requestWeight('exchange', { action: { type: 'order', orders: Array(80).fill(order) } }), 3);
    assert.equal(requestWeight('exchange', { action: { type: 'updateLeverage', asset: 0, isCross: false, leverage: 3 } }), 1);
    for (const type of ['allMids', 'clearinghouseState', 'orderStatus', 'l2Book']) assert.equal(requestWeight('info', { type }), 2);
    assert.equal(requestWeight('info', { type: 'userRole' }), 60);
    assert.equal(requestWeight('info', { type: 'userFillsByTime' }), 20);
    const start = Date.UTC(2026, 0, 1);
    assert.equal(
      requestWeight('info', { type: 'candleSnapshot', req: { interval: '1m', startTime: start, endTime: start + 599 * 60_000 } }),
      30,
    );
    assert.equal(
      requestWeight('info', { type: 'candleSnapshot', req: { interval: '1m', startTime: 0, endTime: start } }),
      20 + Math.floor(5000 / 60),
    );
  });

  it('nonces are ms timestamps, strictly increasing per signer', () => {
    const t = Date.now() + 10_000;
    assert.equal(nextNonce('0xAbC', t), t);
    assert.equal(nextNonce('0xabc', t), t + 1);
    assert.equal(nextNonce('0xabc', t - 5), t + 2);
    assert.equal(nextNonce('0xdef', t), t, 'another signer has its own sequence');
  });
});

describe('hyperliquid mock: refuses what the venue refuses', () => {
  let mock: HyperliquidMockServer;
  before(async () => {
    mock = await startMock();
  });
  after(async () => mock.close());

  const transport = () => new HyperliquidTransport(mock.url, true);
  const leverage = { asset: 0, isCross: false, leverage: 3 };

  it('accepts a well-signed action of an approved agent', async () => {
    const client = createExchangeClient(transport(), AGENT);
    assert.deepEqual(await client.updateLeverage(leverage), { status: 'ok', response: { type: 'default' } });
  });

  it('a signature of an unknown wallet, or for the other network, or over another action', async () => {
    const stranger = createExchangeClient(transport(), STRANGER);
    await assert.rejects(stranger.updateLeverage(leverage), /User or API Wallet 0x[0-9a-f]{40} does not exist/);
    // Signed with the mainnet source "a" for a testnet venue: another address is recovered.
    const mainnet = createExchangeClient(new HyperliquidTransport(mock.url, false), AGENT);
    await assert.rejects(mainnet.updateLeverage(leverage), /does not exist/);
    // A signature moved onto another action.
    const capture: { body?: any } = {};
    const capturing = createExchangeClient(
      {
        isTestnet: true,
        request: async <T>(_e: string, payload: unknown) => {
          capture.body = payload;
          return { status: 'ok', response: { type: 'default' } } as T;
        },
      },
      AGENT,
    );
    await capturing.updateLeverage(leverage);
    const tampered = { ...capture.body, action: { ...capture.body.action, leverage: 4 } };
    const answer = (await (await fetch(`${mock.url}/exchange`, { method: 'POST', body: JSON.stringify(tampered) })).json()) as {
      status: string;
      response: string;
    };
    assert.equal(answer.status, 'err');
    assert.match(answer.response, /does not exist/);
  });

  it('a reused nonce, and one outside (T − 2 d, T + 1 d)', async () => {
    const fixed = Date.now() - 1000;
    const client = createExchangeClient(transport(), AGENT, () => fixed);
    await client.updateLeverage(leverage);
    const reused = await client.updateLeverage(leverage).catch((e: unknown) => e);
    assert.match(String(reused), /nonce/i);
    assert.ok(toVenueError(reused, 'test') instanceof VenueTemporaryError, 'a nonce refusal is retried with a new nonce');
    const stale = createExchangeClient(transport(), AGENT, () => Date.now() - 3 * 86_400_000);
    await assert.rejects(stale.updateLeverage(leverage), /nonce/i);
    const future = createExchangeClient(transport(), AGENT, () => Date.now() + 2 * 86_400_000);
    await assert.rejects(future.updateLeverage(leverage), /nonce/i);
  });

  it('keeps the 100 highest nonces of a signer: a new one must be above the smallest of them', () => {
    const book = new NonceBook();
    const base = Date.now() - 60_000;
    for (let i = 1; i <= 100; i++) book.use('0xsigner', base + 2 * i);
    assert.equal(book.check('0xsigner', base + 3, Date.now()), null, 'not kept and above the smallest: accepted');
    book.use('0xsigner', base + 3); // base + 2 drops out
    assert.match(book.check('0xsigner', base + 2, Date.now())!, /not above the smallest/);
    assert.match(book.check('0xsigner', base + 4, Date.now())!, /duplicate/);
    assert.equal(book.check('0xother', base, Date.now()), null, 'per signer');
  });

  it('a price beyond 5 significant figures or 6 − szDecimals decimals, a size beyond szDecimals, a malformed cloid', async () => {
    const client = createExchangeClient(transport(), AGENT);
    const order = (p: string, s: string, a = 0) => client.order({ orders: [{ a, b: true, p, s, r: false, t: { limit: { tif: 'Ioc' } } }] });
    await assert.rejects(order('60000.5', '0.01'), (e: unknown) => rejected('PRECISION')(toVenueError(e, 'order')));
    await assert.rejects(order('3000.55', '0.01', 1), /invalid price/i); // ETH: 2 decimals but 6 figures
    await assert.rejects(order('63000', '0.000001'), /invalid size/i);
    await assert.rejects(order('63000', '0.0001'), (e: unknown) => rejected('MIN_NOTIONAL')(toVenueError(e, 'order')));
    const body = await fetch(`${mock.url}/exchange`, {
      method: 'POST',
      body: JSON.stringify({
        action: {
          type: 'order',
          orders: [{ a: 0, b: true, p: '1', s: '1', r: false, t: { limit: { tif: 'Ioc' } }, c: '0x12' }],
          grouping: 'na',
        },
        nonce: Date.now(),
        signature: { r: '0x1', s: '0x1', v: 27 },
      }),
    });
    assert.equal(body.status, 422);
  });
});

/** Every key of the documented `fixture` is in `actual`, with a value of the same kind (recursively). */
function assertCovers(actual: unknown, fixture: unknown, path = '$'): void {
  if (Array.isArray(fixture)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    if (fixture.length > 0 && actual.length > 0) assertCovers(actual[0], fixture[0], `${path}[0]`);
    return;
  }
  if (fixture !== null && typeof fixture === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(fixture)) {
      assert.ok(key in (actual as object), `${path}.${key} is missing`);
      assertCovers((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
    return;
  }
  assert.equal(typeof actual, typeof fixture, `${path}: ${JSON.stringify(actual)} is not like ${JSON.stringify(fixture)}`);
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures/venues/hyperliquid', `${name}.json`), 'utf8'));

describe('hyperliquid: margin tables as brackets', () => {
  it('reads the documented meta: a listed tiered table, and universe entries without one', () => {
    const meta = fixture('meta') as Parameters<typeof bracketsOfUniverse>[0];
    // Table 51 "tiered 10x": 10x (5 %) from 0, 5x (10 %) from 3M; deduction 3,000,000 x (10 % - 5 %) = 150,000.
    assert.deepEqual(bracketsFromTiers(meta.marginTables.find(([id]) => id === 51)![1].marginTiers), [
      { bracket: 1, initialLeverage: 10, notionalFloor: 0, notionalCap: 3_000_000, maintMarginRatio: 0.05, cum: 0 },
      { bracket: 2, initialLeverage: 5, notionalFloor: 3_000_000, notionalCap: UNCAPPED_NOTIONAL, maintMarginRatio: 0.1, cum: 150_000 },
    ]);
    // The documented universe names no marginTableId: one tier at the perp's maxLeverage (BTC 50x: 1 %).
    assert.deepEqual(bracketsOfUniverse(meta)[0], [
      { bracket: 1, initialLeverage: 50, notionalFloor: 0, notionalCap: UNCAPPED_NOTIONAL, maintMarginRatio: 0.01, cum: 0 },
    ]);
    // An unlisted id below 50 is a single tier at that leverage.
    const flat = bracketsOfUniverse({ ...meta, universe: [{ ...meta.universe[0]!, marginTableId: 20 }] })[0]!;
    assert.equal(flat[0]!.initialLeverage, 20);
    assert.equal(flat[0]!.maintMarginRatio, 0.025);
  });
});

describe('hyperliquid mock: answers in the documented shapes', () => {
  let mock: HyperliquidMockServer;
  before(async () => {
    mock = await startMock();
  });
  after(async () => mock.close());
  const info = async (body: object) =>
    (await fetch(`${mock.url}/info`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<unknown>;

  it('exchange answers: order resting / filled / error, cancel, updateLeverage; IOC that cannot match', async () => {
    const client = createExchangeClient(new HyperliquidTransport(mock.url, true), AGENT);
    assertCovers(await client.updateLeverage({ asset: 0, isCross: false, leverage: 5 }), fixture('updateLeverage.success'));
    assertCovers(
      await client.order({ orders: [{ a: 0, b: true, p: '63000', s: '0.01', r: false, t: { limit: { tif: 'Ioc' } } }] }),
      fixture('order.filled'),
    );
    const resting = await client.order({
      orders: [{ a: 0, b: false, p: '50000', s: '0.01', r: true, t: { trigger: { isMarket: true, triggerPx: '55000', tpsl: 'sl' } } }],
    });
    assertCovers(resting, fixture('order.resting'));
    const oid = (resting.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    assertCovers(await client.cancel({ cancels: [{ a: 0, o: oid }] }), fixture('cancel.success'));
    const tooSmall = await client
      .order({ orders: [{ a: 0, b: true, p: '63000', s: '0.0001', r: false, t: { limit: { tif: 'Ioc' } } }] })
      .catch((e: { response: unknown }) => e.response);
    assertCovers(tooSmall, fixture('order.error'));
    assert.deepEqual(tooSmall, fixture('order.error'), 'the documented message');
    const noMatch = await client
      .order({ orders: [{ a: 0, b: false, p: '61000', s: '0.01', r: true, t: { limit: { tif: 'Ioc' } } }] })
      .catch((e: Error) => e);
    assert.match(String(noMatch), /could not immediately match against any resting orders/);
  });

  it('info answers: meta, clearinghouseState with an isolated position, candleSnapshot', async () => {
    const meta = (await info({ type: 'meta' })) as { universe: unknown[] };
    assertCovers(meta.universe[0], (fixture('meta') as { universe: unknown[] }).universe[0]);
    const state = await info({ type: 'clearinghouseState', user: MAIN.address.toLowerCase() });
    assertCovers(state, fixture('clearinghouseState'));
    const now = Date.now();
    assertCovers(
      await info({ type: 'candleSnapshot', req: { coin: 'BTC', interval: '15m', startTime: now - 3_600_000, endTime: now } }),
      fixture('candleSnapshot'),
    );
    const unknown = await fetch(`${mock.url}/info`, { method: 'POST', body: JSON.stringify({ type: 'noSuchThing' }) });
    assert.equal(unknown.status, 422);
  });

  it('orders without a cloid are named oid:<n> and can be cancelled by it', async () => {
    const client = createExchangeClient(new HyperliquidTransport(mock.url, true), AGENT);
    const venue = venueFor(mock);
    const placed = await client.order({
      orders: [{ a: 0, b: false, p: '45000', s: '0.01', r: true, t: { trigger: { isMarket: true, triggerPx: '50000', tpsl: 'sl' } } }],
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    const listed = (await venue.openOrders('BTCUSDT')).find((o) => o.venueOrderId === String(oid));
    assert.equal(listed?.clientOrderId, `oid:${oid}`);
    assert.equal((await venue.cancelOrder('BTCUSDT', `oid:${oid}`))?.status, 'CANCELED');
  });
});

describe('hyperliquid venue against the mock', function () {
  this.timeout(30_000);
  let mock: HyperliquidMockServer;
  let venue: LiveVenue;
  beforeEach(async () => {
    mock = await startMock();
    venue = venueFor(mock);
  });
  afterEach(async () => mock.close());

  const exchangeRequests = () => mock.requests.filter((r) => r.path === '/exchange');

  async function openLong(quantity = '0.01', label = 'open') {
    await venue.setMarginType('BTCUSDT', 'isolated');
    await venue.setLeverage('BTCUSDT', 5);
    return venue.placeOrder(market(label, 'BUY', quantity));
  }

  it('symbol rules from meta and the current price, brackets from the margin tables', async () => {
    // Gitbook "Margin tiers": rate = 1 / (2 x max leverage); deduction(1) = lowerBound x (rate(1) - rate(0)).
    // BTC: 40x (1.25 %) from 0, 20x (2.5 %) from 150M: deduction 150,000,000 x 1.25 % = 1,875,000.
    assert.deepEqual(await venue.symbolRules('BTCUSDT'), {
      symbol: 'BTCUSDT',
      tickSize: '1',
      stepSize: '0.00001',
      minQty: '0.00001',
      minNotional: '10',
      maxLeverage: 40,
      marginBrackets: [
        { bracket: 1, initialLeverage: 40, notionalFloor: 0, notionalCap: 150_000_000, maintMarginRatio: 0.0125, cum: 0 },
        {
          bracket: 2,
          initialLeverage: 20,
          notionalFloor: 150_000_000,
          notionalCap: Number.MAX_SAFE_INTEGER,
          maintMarginRatio: 0.025,
          cum: 1_875_000,
        },
      ],
    });
    // DOGE: 10x (5 %) from 0, 5x (10 %) from 20M: deduction 20,000,000 x 5 % = 1,000,000.
    assert.deepEqual(await venue.symbolRules('DOGEUSDT'), {
      symbol: 'DOGEUSDT',
      tickSize: '0.00001',
      stepSize: '1',
      minQty: '1',
      minNotional: '10',
      maxLeverage: 10,
      marginBrackets: [
        { bracket: 1, initialLeverage: 10, notionalFloor: 0, notionalCap: 20_000_000, maintMarginRatio: 0.05, cum: 0 },
        {
          bracket: 2,
          initialLeverage: 5,
          notionalFloor: 20_000_000,
          notionalCap: Number.MAX_SAFE_INTEGER,
          maintMarginRatio: 0.1,
          cum: 1_000_000,
        },
      ],
    });
    // HPOS has no listed table: its id (3) is a single tier at 3x (rate 1 / 6).
    const hpos = await venue.symbolRules('HPOSUSDT');
    assert.deepEqual(hpos.marginBrackets, [
      { bracket: 1, initialLeverage: 3, notionalFloor: 0, notionalCap: Number.MAX_SAFE_INTEGER, maintMarginRatio: 1 / 6, cum: 0 },
    ]);
    await assert.rejects(venue.symbolRules('NOPEUSDT'), rejected('UNKNOWN_SYMBOL'));
  });

  it('reports the liquidation price of the tiered maintenance margin', async () => {
    await openLong('0.01');
    const [position] = await venue.positions();
    // 0.01 BTC at 60,000, 5x isolated: margin 120; first tier 1.25 %, deduction 0:
    // 120 + 0.01 (P - 60,000) = 0.0125 x 0.01 P  =>  P = 480 / 0.009875 = 48,607.59...
    assert.ok(Math.abs(position!.liquidationPrice - 480 / 0.009875) < 0.01, String(position!.liquidationPrice));
    const rules = await venue.symbolRules('BTCUSDT');
    const fromBrackets = liquidationPrice({ side: 'long', quantity: 0.01, entryPrice: 60_000, margin: 120 }, rules.marginBrackets!);
    assert.ok(Math.abs(fromBrackets.toNumber() - position!.liquidationPrice) < 0.01, 'the pure helper agrees with the venue');
  });

  it('opens with an IOC limit past the mid, isolated at the chosen leverage, fee from the fills', async () => {
    const fill = await openLong();
    assert.equal(fill.status, 'FILLED');
    assert.equal(fill.clientOrderId, cid('open'));
    assert.equal(fill.executedQty, 0.01);
    assert.equal(fill.avgPrice, 60_000);
    assert.equal(fill.fee, 0.27); // 0.045 % of 600
    const [sent] = mock.ordersOf(MAIN.address);
    assert.equal(sent!.tif, 'Ioc');
    assert.equal(sent!.limitPx, '63000', 'mid + 5 %');
    assert.equal(sent!.cloid, `0x${cid('open')}`);

    const [position] = await venue.positions();
    assert.equal(position!.side, 'long');
    assert.equal(position!.quantity, 0.01);
    assert.equal(position!.leverage, 5);
    assert.equal(position!.marginType, 'isolated');
    assert.equal(position!.margin, 120);
    assert.ok(position!.liquidationPrice > 0 && position!.liquidationPrice < 60_000);
    assert.ok(Math.abs(position!.openedAt - fill.updatedAt) < 1000, 'opened at the fill');
    const balance = await venue.balance();
    assert.equal(balance.equity, 10_000 - 0.27);
    assert.equal(balance.marginUsed, 120);
    assert.equal(balance.availableBalance + balance.marginUsed + balance.unrealizedPnl, balance.equity);
    assert.deepEqual(mock.balanceOf(MAIN.address), { withdrawable: 9879.73, accountValue: 9999.73, marginUsed: 120 });

    // A second setMarginType sends nothing: the coin is isolated already.
    const before = exchangeRequests().length;
    await venue.setMarginType('BTCUSDT', 'isolated');
    assert.equal(exchangeRequests().length, before);
  });

  it('refuses below $10 and below the step before anything is sent', async () => {
    await assert.rejects(venue.placeOrder(market('tiny', 'BUY', '0.0001')), rejected('MIN_NOTIONAL')); // $6
    await assert.rejects(venue.placeOrder(market('dust', 'BUY', '0.000001')), rejected('QUANTITY_BELOW_MIN'));
    assert.equal(exchangeRequests().length, 0);
    await assert.rejects(venue.placeOrder(market('huge', 'BUY', '10')), rejected('INSUFFICIENT_MARGIN'));
    await assert.rejects(
      venue.placeOrder({ ...market('bad id', 'BUY', '0.01'), clientOrderId: 'not-hex' }),
      rejected('INVALID_CLIENT_ORDER_ID'),
    );
  });

  it('take-profit and stop-loss rest as position TP/SL triggers; the take-profit fires on setPrice and the stop dies with the position', async () => {
    const fill = await openLong();
    const stop = await venue.placeOrder(protective('sl', 'STOP_MARKET', '58800.4'));
    const target = await venue.placeOrder(protective('tp', 'TAKE_PROFIT_MARKET', '62400'));
    assert.equal(stop.status, 'NEW');
    assert.equal(stop.stopPrice, 58_800);
    const resting = mock.ordersOf(MAIN.address).filter((o) => o.isTrigger);
    assert.deepEqual(
      resting.map((o) => [o.tpsl, o.isMarket, o.isPositionTpsl, o.reduceOnly, o.origSz, o.triggerPx, o.limitPx]),
      [
        ['sl', true, true, true, '0.01', '58800', '52920'], // worst price trigger − 10 %
        ['tp', true, true, true, '0.01', '62400', '56160'],
      ],
    );
    const open = await venue.openOrders('BTCUSDT');
    assert.deepEqual(
      open.map((o) => [o.clientOrderId, o.type, o.stopPrice, o.closePosition, o.side]),
      [
        [stop.clientOrderId, 'STOP_MARKET', 58_800, true, 'SELL'],
        [target.clientOrderId, 'TAKE_PROFIT_MARKET', 62_400, true, 'SELL'],
      ],
    );

    mock.setPrice('BTCUSDT', 62_500);
    assert.deepEqual(await venue.positions(), []);
    assert.deepEqual(await venue.openOrders(), [], 'the stop went with the position');
    const exits = await venue.filledOrders(fill.updatedAt, ['BTCUSDT']);
    assert.deepEqual(
      exits.map((o) => [o.clientOrderId, o.type]),
      [
        [fill.clientOrderId, 'MARKET'],
        [target.clientOrderId, 'TAKE_PROFIT_MARKET'],
      ],
    );
    const tp = exits[1]!;
    assert.equal(tp.executedQty, 0.01);
    assert.equal(tp.avgPrice, 62_500);
    assert.equal(tp.realizedPnl, 25);
    assert.equal(tp.stopPrice, 62_400);
    assert.equal((await venue.getOrder('BTCUSDT', target.clientOrderId))?.status, 'FILLED');
    assert.equal((await venue.getOrder('BTCUSDT', stop.clientOrderId))?.status, 'EXPIRED');
    assert.equal(await venue.cancelOrder('BTCUSDT', stop.clientOrderId), null, 'nothing left to cancel');
  });

  it('refuses a trigger that would fire at once, and a close-position trigger without a position', async () => {
    await assert.rejects(venue.placeOrder(protective('no position', 'STOP_MARKET', '58000')), rejected('REDUCE_ONLY_REJECTED'));
    await openLong();
    await assert.rejects(venue.placeOrder(protective('crossed sl', 'STOP_MARKET', '60500')), rejected('WOULD_IMMEDIATELY_TRIGGER'));
    await assert.rejects(venue.placeOrder(protective('crossed tp', 'TAKE_PROFIT_MARKET', '59000')), rejected('WOULD_IMMEDIATELY_TRIGGER'));
    await assert.rejects(venue.placeOrder(protective('wrong side', 'STOP_MARKET', '58000', 'BUY')), rejected('REDUCE_ONLY_REJECTED'));
  });

  it("a short's stop fires when the price rises", async () => {
    await venue.setLeverage('BTCUSDT', 4);
    await venue.placeOrder(market('short', 'SELL', '0.02'));
    const [short] = await venue.positions();
    assert.equal(short!.side, 'short');
    assert.equal(mock.ordersOf(MAIN.address)[0]!.limitPx, '57000', 'mid − 5 %');
    const stop = await venue.placeOrder(protective('short sl', 'STOP_MARKET', '61000', 'BUY'));
    mock.setPrice('BTCUSDT', 61_200);
    assert.deepEqual(await venue.positions(), []);
    const exit = (await venue.filledOrders(0, ['BTCUSDT'])).find((o) => o.clientOrderId === stop.clientOrderId);
    assert.equal(exit?.type, 'STOP_MARKET');
    assert.equal(exit?.side, 'BUY');
    assert.equal(exit?.realizedPnl, -24); // 0.02 × (60 000 − 61 200)
  });

  it('closes in parts with reduce-only orders, then the rest with closePosition', async () => {
    const fill = await openLong('0.02');
    const part = await venue.placeOrder(market('part', 'SELL', '0.005', true));
    assert.equal(part.executedQty, 0.005);
    assert.equal(part.realizedPnl, 0);
    assert.equal((await venue.positions())[0]!.quantity, 0.015);
    assert.equal(mock.ordersOf(MAIN.address).at(-1)!.reduceOnly, true);

    mock.setPrice('BTCUSDT', 61_000);
    const rest = await venue.placeOrder({
      clientOrderId: cid('rest'),
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      closePosition: true,
    });
    assert.equal(rest.executedQty, 0.015);
    assert.equal(rest.realizedPnl, 15);
    assert.deepEqual(await venue.positions(), []);
    const fills = await venue.filledOrders(fill.updatedAt, ['BTCUSDT']);
    assert.deepEqual(
      fills.map((o) => o.clientOrderId),
      [fill.clientOrderId, part.clientOrderId, rest.clientOrderId],
    );

    const income = await venue.income(fill.updatedAt);
    const of = (type: string) => income.filter((i) => i.type === type);
    assert.equal(of('COMMISSION').length, 3);
    assert.deepEqual(
      of('REALIZED_PNL').map((i) => [i.clientOrderId, i.amount]),
      [[rest.clientOrderId, 15]],
    );
    await assert.rejects(venue.placeOrder(market('nothing left', 'SELL', '0.01', true)), rejected('REDUCE_ONLY_REJECTED'));
  });

  it('changes leverage, refuses an impossible one locally, and cross margin where the venue allows none', async () => {
    await venue.setLeverage('BTCUSDT', 3);
    await venue.placeOrder(market('open', 'BUY', '0.01'));
    const [position] = await venue.positions();
    assert.equal(position!.leverage, 3);
    assert.equal(position!.margin, 200);
    assert.deepEqual(
      mock.positionsOf(MAIN.address).map((p) => [p.leverage, p.marginType]),
      [[3, 'isolated']],
    );
    const sent = exchangeRequests().length;
    await assert.rejects(venue.setLeverage('BTCUSDT', 41), rejected('INVALID_LEVERAGE'));
    await assert.rejects(venue.setLeverage('BTCUSDT', 2.5), rejected('INVALID_LEVERAGE'));
    await assert.rejects(venue.setMarginType('HPOSUSDT', 'cross'), rejected('MARGIN_TYPE_UNSUPPORTED'));
    assert.equal(exchangeRequests().length, sent);
    // The venue refuses to switch the mode of an open position.
    await assert.rejects(venue.setMarginType('BTCUSDT', 'cross'), rejected('MARGIN_TYPE_UNSUPPORTED'));
  });

  it('getOrder: null for an order the venue never saw; cancel: CANCELED, then null', async () => {
    assert.equal(await venue.getOrder('BTCUSDT', cid('never')), null);
    await openLong();
    const stop = await venue.placeOrder(protective('sl', 'STOP_MARKET', '58000'));
    const canceled = await venue.cancelOrder('BTCUSDT', stop.clientOrderId);
    assert.equal(canceled?.status, 'CANCELED');
    assert.equal(canceled?.clientOrderId, stop.clientOrderId);
    assert.equal(await venue.cancelOrder('BTCUSDT', stop.clientOrderId), null);
    assert.equal(await venue.cancelOrder('BTCUSDT', cid('never')), null);
  });

  it('income: funding payments and fees, oldest first', async () => {
    const fill = await openLong();
    mock.payFunding('BTCUSDT', 0.0001); // the long pays 0.01 × 60 000 × 0.0001 = 0.06
    const income = await venue.income(fill.createdAt);
    assert.deepEqual(
      income.map((i) => [i.type, i.symbol, i.amount]),
      [
        ['COMMISSION', 'BTCUSDT', -0.27],
        ['FUNDING_FEE', 'BTCUSDT', -0.06],
      ],
    );
  });

  it('checkAccount: an approved agent, the main wallet itself, and what it refuses', async () => {
    const check = await venue.checkAccount();
    assert.deepEqual(
      { ...check, balance: undefined },
      {
        venue: 'hyperliquid',
        account: 'test',
        testnet: true,
        baseUrl: mock.url,
        balance: undefined,
        positionMode: 'one-way',
        warnings: [],
      },
    );
    assert.equal(check.balance.equity, 10_000);
    assert.equal((await venueFor(mock, MAIN, undefined).checkAccount()).balance.availableBalance, 10_000);
    await assert.rejects(
      venueFor(mock, STRANGER).checkAccount(),
      (e: unknown) => rejected('UNAUTHORIZED')(e) && /not an API wallet/.test((e as Error).message),
    );
    await assert.rejects(
      venueFor(mock, OTHER_AGENT).checkAccount(),
      (e: unknown) => rejected('UNAUTHORIZED')(e) && (e as Error).message.includes(OTHER_MAIN.address.toLowerCase()),
    );
    const unreachable = createHyperliquidVenue(exchangeConfig('http://127.0.0.1:9'), { HYPERLIQUID_PRIVATE_KEY_TEST: AGENT.privateKey });
    await assert.rejects(
      unreachable.checkAccount(),
      (e: unknown) => e instanceof VenueTemporaryError && /not reachable.*check base_url/.test(e.message),
    );
    // The key never shows in any message.
    for (const failing of [() => venueFor(mock, STRANGER).checkAccount(), () => unreachable.checkAccount()]) {
      const err = await failing().catch((e: Error) => e);
      assert.ok(
        err instanceof Error && !err.message.includes(STRANGER.privateKey.slice(2)) && !err.message.includes(AGENT.privateKey.slice(2)),
      );
    }
  });

  it('a 5xx on a read is temporary (sent again twice first); on an order whose fate is unknown, VenueOutcomeUnknown', async () => {
    mock.failNext({ path: '/info' }, { status: 502 });
    assert.ok((await venue.balance()).equity > 0, 'one 502, then the read sent again');
    mock.failNext({ path: '/info' }, { status: 502 }, 3);
    const read = await venue.balance().catch((e: unknown) => e);
    assert.ok(read instanceof VenueTemporaryError && !(read instanceof VenueOutcomeUnknown) && read.status === 502, String(read));
    await venue.setLeverage('BTCUSDT', 5);
    mock.failNext({ method: 'POST', path: '/exchange' }, { status: 504, afterProcessing: true });
    const order = await venue.placeOrder(market('unknown', 'BUY', '0.01')).catch((e: unknown) => e);
    assert.ok(order instanceof VenueOutcomeUnknown, String(order));
    assert.equal((await venue.getOrder('BTCUSDT', cid('unknown')))?.status, 'FILLED');
  });

  it('an unapproved signer is refused by the venue at the first action', async () => {
    await assert.rejects(venueFor(mock, STRANGER).setLeverage('BTCUSDT', 5), rejected('UNAUTHORIZED'));
  });

  it('market data: candles, price, funding history and open interest', async () => {
    const data = createHyperliquidMarketData(mock.url, true);
    await openLong('0.02');
    mock.payFunding('BTCUSDT', 0.0000125);
    assert.equal(await data.price('BTCUSDT'), 60_000);
    assert.equal(await data.openInterest('BTCUSDT'), 0.02);
    const now = Date.now();
    const funding = await data.fundingHistory('BTCUSDT', now - 60_000, now + 1000);
    assert.deepEqual(
      funding.map((f) => f.rate),
      [0.0000125],
    );
    const bars = await data.candles('BTCUSDT', '1m', now, 5);
    assert.equal(bars.length, 5);
    assert.ok(bars.every((b, i) => i === 0 || b.openTime - bars[i - 1]!.openTime === 60_000));
    assert.equal(bars.at(-1)!.close, 60_000);
    assert.ok(bars.at(-1)!.openTime <= now);
  });
});

describe('hyperliquid venue: rate limits', function () {
  this.timeout(30_000);
  let mock: HyperliquidMockServer;
  before(async () => {
    mock = await startMock({ weightPerMinute: 40 });
  });
  after(async () => mock.close());

  it('a 429 under a storm is a VenueTemporaryError with retryAfterMs, and the shared limiter backs off', async () => {
    const venue = venueFor(mock);
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => venue.balance()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    assert.equal(results.length - failures.length, 20, '40 weight: 20 clearinghouseState requests of 2');
    assert.equal(failures.length, 10);
    for (const failure of failures) {
      assert.ok(failure instanceof VenueTemporaryError, `got ${String(failure)}`);
      assert.equal(failure.status, 429);
      assert.ok(failure.retryAfterMs! > 0);
    }
    assert.ok(hyperliquidLimiter(mock.url).backOffRemaining() > 0, 'every later request of the process waits');
  });
});
