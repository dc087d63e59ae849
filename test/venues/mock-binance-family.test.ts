import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Wallet } from 'ethers';
import { type BinanceFamilyMock, startAsterMock, startBinanceMock } from '../support/mock-venues/binance-family';
import {
  asterNonce,
  asterRequest,
  asterSignedString,
  binanceRequest,
  binanceSignedString,
  hmacHex,
  paramString,
  publicGet,
  sendRaw,
} from '../support/mock-venues/binance-family/test-client';

/**
 * The Binance and Aster mock venues check what the real venues check. Every request here is built
 * and signed by hand (no adapter), with the demo credentials published in the venues' docs.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'venues');
const fixture = (name: string): any => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const keysOf = (value: object): string[] => Object.keys(value).sort();

const HMAC = fixture('binance/hmac_vectors.json');
const BINANCE = { apiKey: HMAC.apiKey as string, apiSecret: HMAC.secretKey as string };
const ASTER_KEYS = fixture('aster/signing_vectors.json').keys;
const ASTER = { user: ASTER_KEYS.user as string, signer: ASTER_KEYS.signer as string, privateKey: ASTER_KEYS.signerPrivateKey as string };

const expectError = (response: { status: number; body: any }, status: number, code: number, msg?: string | RegExp) => {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.code, code, JSON.stringify(response.body));
  if (typeof msg === 'string') assert.equal(response.body.msg, msg);
  else if (msg) assert.match(response.body.msg, msg);
};

describe('mock Binance USD-M venue', function () {
  let mock: BinanceFamilyMock;
  const call = (method: string, p: string, params: Record<string, string | number | boolean> = {}, options = {}) =>
    binanceRequest(mock.url, BINANCE, method, p, params, options);
  const market = (side: 'BUY' | 'SELL', quantity: string, extra: Record<string, string> = {}) =>
    call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity, ...extra });

  beforeEach(async () => {
    mock = await startBinanceMock({ accounts: [BINANCE], prices: { BTCUSDT: 60000 } });
  });
  afterEach(async () => {
    await mock.close();
  });

  describe('HMAC authentication', () => {
    it('signs like the documented vector', () => {
      assert.equal(hmacHex(BINANCE.apiSecret, HMAC.vectors[0].totalParams), HMAC.vectors[0].signature);
    });

    it('accepts a valid signature and answers the fixture shape with the weight header', async () => {
      const response = await call('GET', '/fapi/v3/balance');
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(keysOf(response.body[0]), keysOf(fixture('binance/balance.v3.json')[0]));
      assert.equal(response.body[0].balance, '10000.00000000');
      assert.equal(response.headers.get('x-mbx-used-weight-1m'), '5');
    });

    it('signs query string + body with no & between them', async () => {
      const query = 'symbol=BTCUSDT';
      const body = `leverage=10&timestamp=${Date.now()}`;
      const signed = `${body}&signature=${hmacHex(BINANCE.apiSecret, query + body)}`;
      const response = await fetch(`${mock.url}/fapi/v1/leverage?${query}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': BINANCE.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: signed,
      });
      assert.equal(response.status, 200);
      assert.deepEqual(keysOf((await response.json()) as object), keysOf(fixture('aster/leverage.json')));
    });

    it('rejects a tampered parameter with -1022', async () => {
      const signed = binanceSignedString({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' }, BINANCE.apiSecret);
      const tampered = signed.replace('quantity=0.010', 'quantity=0.020');
      const response = await sendRaw(mock.url, 'POST', '/fapi/v1/order', tampered, { headers: { 'X-MBX-APIKEY': BINANCE.apiKey } });
      expectError(response, 400, -1022, 'Signature for this request is not valid.');
      assert.equal(mock.ordersOf(BINANCE.apiKey).length, 0);
    });

    it('rejects a signature that is not the last parameter', async () => {
      const signed = binanceSignedString({ symbol: 'BTCUSDT' }, BINANCE.apiSecret);
      const response = await sendRaw(mock.url, 'GET', '/fapi/v1/openOrders', `${signed}&recvWindow=5000`, {
        headers: { 'X-MBX-APIKEY': BINANCE.apiKey },
      });
      expectError(response, 400, -1022);
    });

    it('wants a known API key: -2014 without one, -2015 for an unknown one', async () => {
      const signed = binanceSignedString({}, BINANCE.apiSecret);
      expectError(await sendRaw(mock.url, 'GET', '/fapi/v3/balance', signed), 401, -2014);
      expectError(await binanceRequest(mock.url, { apiKey: 'nope', apiSecret: BINANCE.apiSecret }, 'GET', '/fapi/v3/balance'), 401, -2015);
    });

    it('rejects a stale or early timestamp with -1021 and honours recvWindow', async () => {
      expectError(
        await call('GET', '/fapi/v3/balance', {}, { timestamp: Date.now() - 6000 }),
        400,
        -1021,
        fixture('binance/error.timestamp.json').msg,
      );
      expectError(
        await call('GET', '/fapi/v3/balance', {}, { timestamp: Date.now() + 2000 }),
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
      );
      assert.equal((await call('GET', '/fapi/v3/balance', {}, { timestamp: Date.now() - 6000, recvWindow: 10000 })).status, 200);
      expectError(
        await sendRaw(mock.url, 'GET', '/fapi/v3/balance', `signature=${hmacHex(BINANCE.apiSecret, '')}`, {
          headers: { 'X-MBX-APIKEY': BINANCE.apiKey },
        }),
        400,
        -1102,
        "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
      );
    });
  });

  describe('order checks', () => {
    it('names a missing mandatory parameter (-1102) and an unknown symbol (-1121)', async () => {
      expectError(
        await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', type: 'MARKET', quantity: '0.01' }),
        400,
        -1102,
        "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
      );
      expectError(
        await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' }),
        400,
        -1102,
        "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
      );
      expectError(
        await call('POST', '/fapi/v1/order', { symbol: 'FOOUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }),
        400,
        -1121,
        fixture('aster/error.json').msg,
      );
    });

    it('checks precision (-1111), tick (-4014) and step (-4023)', async () => {
      expectError(await market('BUY', '0.0015'), 400, -1111, 'Precision is over the maximum defined for this asset.');
      // BTCUSDT: pricePrecision 2 but tick 0.1, as on the real venue.
      expectError(
        await call('POST', '/fapi/v1/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '59000.05',
        }),
        400,
        -4014,
        'Price not increased by tick size.',
      );
      expectError(
        await call('POST', '/fapi/v1/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '590000.1',
        }),
        400,
        -4016,
      );
      await mock.close();
      mock = await startBinanceMock({
        accounts: [BINANCE],
        prices: { TESTUSDT: 100 },
        symbols: { TESTUSDT: { tickSize: '0.5', stepSize: '0.002', minQty: '0.002', pricePrecision: 1, quantityPrecision: 3 } },
      });
      expectError(
        await call('POST', '/fapi/v1/order', { symbol: 'TESTUSDT', side: 'BUY', type: 'MARKET', quantity: '0.103' }),
        400,
        -4023,
        'Qty not increased by step size.',
      );
      expectError(await call('POST', '/fapi/v1/order', { symbol: 'TESTUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }), 400, -4004);
    });

    it('enforces MIN_NOTIONAL at the current price (-4164), reduce-only exempt', async () => {
      const below = await market('BUY', '0.001'); // 60 USDT < 100
      expectError(below, 400, -4164, "Order's notional must be no smaller than 100 (unless you choose reduce only).");
      assert.deepEqual(keysOf(below.body), keysOf(fixture('binance/error.minNotional.json')));
      assert.equal((await market('BUY', '0.010')).status, 200);
      assert.equal((await market('SELL', '0.001', { reduceOnly: 'true' })).status, 200);
      mock.setPrice('BTCUSDT', 120000);
      assert.equal((await market('BUY', '0.001')).status, 200, 'the same size passes once the price doubles');
    });

    it('enforces MARKET_LOT_SIZE maxQty, margin (-2019) and reduce-only (-2022)', async () => {
      expectError(await market('BUY', '121'), 400, -4005);
      expectError(await market('SELL', '0.010', { reduceOnly: 'true' }), 400, -2022, 'ReduceOnly Order is rejected.');
      mock.setBalance(BINANCE.apiKey, 20);
      expectError(await market('BUY', '0.010'), 400, -2019, 'Margin is insufficient.'); // 600 / 20x = 30 > 20
    });

    it('answers a MARKET order with ACK before matching and shows the fill when queried', async () => {
      const placed = await market('BUY', '0.010', { newClientOrderId: 'entry-1' });
      assert.equal(placed.status, 200, placed.text);
      assert.deepEqual(keysOf(placed.body), keysOf(fixture('binance/order.json')));
      assert.equal(placed.body.status, 'NEW');
      assert.equal(placed.body.executedQty, '0.000');
      const queried = await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'entry-1' });
      assert.equal(queried.body.status, 'FILLED');
      assert.equal(queried.body.executedQty, '0.010');
      assert.equal(queried.body.avgPrice, '60000.00000');
      const result = await market('BUY', '0.010', { newOrderRespType: 'RESULT' });
      assert.equal(result.body.status, 'FILLED');

      const positions = await call('GET', '/fapi/v3/positionRisk');
      assert.equal(positions.body.length, 1);
      assert.deepEqual(keysOf(positions.body[0]), keysOf(fixture('binance/positionRisk.v3.json')[0]));
      assert.equal(positions.body[0].positionAmt, '0.020');
      const fee = 0.02 * 60000 * 0.0004;
      assert.equal(mock.balanceOf(BINANCE.apiKey).walletBalance, 10000 - fee);

      const trades = await call('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' });
      assert.deepEqual(keysOf(trades.body[0]), keysOf(fixture('aster/userTrades.json')[0]));
      assert.equal(trades.body[0].commission, '0.24000000');
      const income = await call('GET', '/fapi/v1/income');
      assert.deepEqual(keysOf(income.body[0]), keysOf(fixture('aster/income.json')[0]));
      assert.equal(typeof income.body[0].tranId, 'number');
      assert.deepEqual(
        income.body.map((i: any) => i.incomeType),
        ['COMMISSION', 'COMMISSION'],
      );
    });

    it('checks client order ids: format (-1100, -4015) and unique among open orders (-4116)', async () => {
      const limit = (id: string) =>
        call('POST', '/fapi/v1/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.010',
          price: '59000',
          newClientOrderId: id,
        });
      assert.equal((await limit('rest-1')).status, 200);
      expectError(await limit('rest-1'), 400, -4116, 'ClientOrderId is duplicated.');
      expectError(await limit('bad id!'), 400, -1100);
      expectError(await limit('x'.repeat(37)), 400, -4015);
      const cancelled = await call('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'rest-1' });
      assert.equal(cancelled.body.status, 'CANCELED');
      assert.equal((await limit('rest-1')).status, 200, 'an id may be reused once its order is closed');
      expectError(
        await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'never' }),
        400,
        -2013,
        'Order does not exist.',
      );
      expectError(await call('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: 1 }), 400, -2011);
    });

    it('checks leverage (-4028), margin type (-4046 / -4048) and position mode', async () => {
      expectError(await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 126 }), 400, -4028);
      assert.equal((await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 5 })).body.leverage, 5);
      assert.deepEqual((await call('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' })).body, {
        code: 200,
        msg: 'success',
      });
      expectError(
        await call('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' }),
        400,
        -4046,
        'No need to change margin type.',
      );
      await market('BUY', '0.010');
      expectError(await call('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'CROSSED' }), 400, -4048);
      const [position] = mock.positionsOf(BINANCE.apiKey);
      assert.equal(position!.marginType, 'isolated');
      assert.equal(position!.isolatedWallet, 120); // 600 / 5x
      assert.equal((await call('GET', '/fapi/v1/positionSide/dual')).body.dualSidePosition, false);
      expectError(await call('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'true' }), 400, -4068);
    });

    it('can start in hedge mode, where a one-way order is refused (-4061)', async () => {
      await mock.close();
      mock = await startBinanceMock({ accounts: [BINANCE], hedgeMode: true });
      assert.equal((await call('GET', '/fapi/v1/positionSide/dual')).body.dualSidePosition, true);
      expectError(await market('BUY', '0.010'), 400, -4061);
      assert.equal((await market('BUY', '0.010', { positionSide: 'LONG' })).status, 200);
    });
  });

  describe('liquidation', () => {
    it('liquidates an isolated position past its liquidation price and clears the rest of its margin', async () => {
      await call('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' });
      await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 10 });
      await market('BUY', '0.100'); // 6000 notional, 600 margin, 2.4 fee
      const [position] = mock.positionsOf(BINANCE.apiKey);
      // Binance's formula, BTCUSDT's first bracket (0.4 %, cum 0): (600 + 0 - 0.1 x 60000) / (0.1 x 0.004 - 0.1).
      assert.ok(Math.abs(position!.liquidationPrice - 5400 / 0.0996) < 1e-6);
      mock.setPrice('BTCUSDT', 54300);
      assert.equal(mock.positionsOf(BINANCE.apiKey).length, 1);
      mock.setPrice('BTCUSDT', 54200);
      assert.equal(mock.positionsOf(BINANCE.apiKey).length, 0);
      const closing = mock.ordersOf(BINANCE.apiKey).at(-1)!;
      assert.match(closing.clientOrderId, /^autoclose-/);
      assert.equal(closing.status, 'FILLED');
      assert.deepEqual(
        mock.incomeOf(BINANCE.apiKey).map((i) => [i.incomeType, i.income]),
        [
          ['COMMISSION', -2.4],
          ['REALIZED_PNL', -580],
          ['COMMISSION', -2.168],
          ['INSURANCE_CLEAR', -20],
        ],
      );
      assert.ok(Math.abs(mock.balanceOf(BINANCE.apiKey).walletBalance - (10000 - 600 - 2.4 - 2.168)) < 1e-9);
    });
  });

  describe('leverage brackets', () => {
    it("serves GET /fapi/v1/leverageBracket (signed) in the documented shape, with Binance's brackets of the arena symbols", async () => {
      const all = await call('GET', '/fapi/v1/leverageBracket');
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.body.map((s: { symbol: string }) => s.symbol).sort(), [
        'BNBUSDT',
        'BTCUSDT',
        'DOGEUSDT',
        'ETHUSDT',
        'SOLUSDT',
        'XRPUSDT',
      ]);
      const one = await call('GET', '/fapi/v1/leverageBracket', { symbol: 'BTCUSDT' });
      assert.deepEqual(keysOf(one.body), ['brackets', 'symbol'], 'one object when a symbol is sent');
      assert.deepEqual(one.body.brackets.slice(0, 2), [
        { bracket: 1, initialLeverage: 125, notionalCap: 50000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 },
        { bracket: 2, initialLeverage: 100, notionalCap: 250000, notionalFloor: 50000, maintMarginRatio: 0.005, cum: 50 },
      ]);
      const unsigned = await publicGet(mock.url, '/fapi/v1/leverageBracket');
      assert.equal(unsigned.status >= 400, true, 'a USER_DATA endpoint');
    });

    it("refuses a fill or a leverage beyond what the position's bracket allows (-2027)", async () => {
      await call('POST', '/fapi/v1/marginType', { symbol: 'BTCUSDT', marginType: 'ISOLATED' });
      // 125x is BTCUSDT's first bracket: up to 50,000 USDT. One BTC at 60,000 is beyond it.
      assert.equal((await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 125 })).body.maxNotionalValue, '50000');
      expectError(await market('BUY', '1.000'), 400, -2027, 'Exceeded the maximum allowable position at current leverage.');
      assert.equal((await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 100 })).body.maxNotionalValue, '250000');
      assert.equal((await market('BUY', '1.000')).status, 200);
      expectError(await call('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 125 }), 400, -2027);
      const [position] = mock.positionsOf(BINANCE.apiKey);
      // Second bracket (0.5 %, cum 50): (600 + 50 - 60000) / (0.005 - 1) = 59648.24...
      assert.ok(Math.abs(position!.liquidationPrice - 59350 / 0.995) < 1e-6, String(position!.liquidationPrice));
    });
  });

  describe('conditional orders: the Dec-2025 Algo Service', () => {
    it('refuses STOP_MARKET on /fapi/v1/order with -4120', async () => {
      const response = await call('POST', '/fapi/v1/order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_MARKET',
        stopPrice: '59000',
        closePosition: 'true',
      });
      assert.equal(response.status, 400);
      assert.deepEqual(response.body, fixture('binance/error.algoRequired.json'));
    });

    it('takes STOP_MARKET on /fapi/v1/algoOrder and fires it on setPrice', async () => {
      await market('BUY', '0.010');
      const algo = { algoType: 'CONDITIONAL', symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', closePosition: 'true' };
      expectError(
        await call('POST', '/fapi/v1/algoOrder', { ...algo, triggerPrice: '61000' }),
        400,
        -2021,
        'Order would immediately trigger.',
      );
      expectError(await call('POST', '/fapi/v1/algoOrder', algo), 400, -1102, /'triggerPrice'/);
      const placed = await call('POST', '/fapi/v1/algoOrder', { ...algo, triggerPrice: '59000', clientAlgoId: 'sl-1' });
      assert.equal(placed.status, 200, placed.text);
      assert.deepEqual(keysOf(placed.body), keysOf(fixture('binance/algoOrder.json')));
      assert.equal(placed.body.algoStatus, 'NEW');
      const tp = await call('POST', '/fapi/v1/algoOrder', {
        ...algo,
        type: 'TAKE_PROFIT_MARKET',
        triggerPrice: '62000',
        clientAlgoId: 'tp-1',
      });
      assert.equal(tp.status, 200);
      assert.equal((await call('GET', '/fapi/v1/openAlgoOrders', { symbol: 'BTCUSDT' })).body.length, 2);
      assert.equal(
        (await call('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body.length,
        0,
        'algo orders are not regular open orders',
      );

      mock.setPrice('BTCUSDT', 59500);
      assert.equal(mock.positionsOf(BINANCE.apiKey).length, 1, 'not crossed yet');
      mock.setPrice('BTCUSDT', 58900);
      assert.equal(mock.positionsOf(BINANCE.apiKey).length, 0);

      const fired = await call('GET', '/fapi/v1/algoOrder', { clientAlgoId: 'sl-1' });
      assert.equal(fired.body.algoStatus, 'FINISHED');
      assert.notEqual(fired.body.actualOrderId, '');
      const actual = await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: fired.body.actualOrderId });
      assert.equal(actual.body.status, 'FILLED');
      assert.equal(actual.body.type, 'MARKET');
      assert.notEqual(actual.body.clientOrderId, 'sl-1');
      assert.equal(actual.body.avgPrice, '58900.00000');

      const trades = (await call('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', orderId: fired.body.actualOrderId })).body;
      assert.equal(trades.length, 1);
      assert.equal(Number(trades[0].realizedPnl), (58900 - 60000) * 0.01);
      const income = (await call('GET', '/fapi/v1/income', { incomeType: 'REALIZED_PNL' })).body;
      assert.deepEqual(
        income.map((i: any) => i.income),
        ['-11.00000000'],
      );

      // The take-profit stays until cancelled; triggering with no position it expires.
      assert.equal((await call('GET', '/fapi/v1/openAlgoOrders')).body.length, 1);
      mock.setPrice('BTCUSDT', 62000);
      const expired = mock.algoOrdersOf(BINANCE.apiKey).find((a) => a.clientAlgoId === 'tp-1')!;
      assert.equal(expired.status, 'FINISHED');
      assert.equal(mock.ordersOf(BINANCE.apiKey).find((o) => o.orderId === expired.actualOrderId)!.status, 'EXPIRED');
    });

    it('cancels algo orders one by one and all at once', async () => {
      const algo = {
        algoType: 'CONDITIONAL',
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_MARKET',
        closePosition: 'true',
        triggerPrice: '59000',
      };
      await call('POST', '/fapi/v1/algoOrder', { ...algo, clientAlgoId: 'a' });
      await call('POST', '/fapi/v1/algoOrder', { ...algo, clientAlgoId: 'b' });
      const cancelled = await call('DELETE', '/fapi/v1/algoOrder', { clientAlgoId: 'a' });
      assert.deepEqual(cancelled.body, { algoId: cancelled.body.algoId, clientAlgoId: 'a', code: '200', msg: 'success' });
      const all = await call('DELETE', '/fapi/v1/algoOpenOrders', { symbol: 'BTCUSDT' });
      assert.equal(all.body.code, 200);
      assert.equal((await call('GET', '/fapi/v1/openAlgoOrders')).body.length, 0);
    });
  });

  describe('market data', () => {
    it('serves exchangeInfo, klines, ticker, premiumIndex, funding and open interest in the fixture shapes', async () => {
      const info = (await publicGet(mock.url, '/fapi/v1/exchangeInfo')).body;
      const documented = fixture('binance/exchangeInfo.json');
      assert.deepEqual(keysOf(info), keysOf(documented));
      const btc = info.symbols.find((s: any) => s.symbol === 'BTCUSDT');
      assert.deepEqual(keysOf(btc), keysOf(documented.symbols[0]));
      assert.deepEqual(
        btc.filters.map((f: any) => f.filterType),
        documented.symbols[0].filters.map((f: any) => f.filterType),
      );
      assert.deepEqual(
        btc.filters.find((f: any) => f.filterType === 'PRICE_FILTER'),
        { filterType: 'PRICE_FILTER', minPrice: '0.1', maxPrice: '4529764', tickSize: '0.1' },
      );
      assert.deepEqual(
        info.symbols.map((s: any) => s.symbol),
        ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT', 'XRPUSDT'],
      );

      const klines = await publicGet(mock.url, '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '3m', limit: 5 });
      assert.equal(klines.body.length, 5);
      const documentedRow = fixture('binance/klines.json')[0];
      for (const row of klines.body) {
        assert.deepEqual(
          row.map((v: unknown) => typeof v),
          documentedRow.map((v: unknown) => typeof v),
        );
        assert.equal(row[6] - row[0], 3 * 60_000 - 1);
        assert.equal(row[4], '60000.00');
      }
      expectError(await publicGet(mock.url, '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '7m' }), 400, -1120);

      assert.deepEqual(
        keysOf((await publicGet(mock.url, '/fapi/v1/ticker/price', { symbol: 'BTCUSDT' })).body),
        keysOf(fixture('aster/tickerPrice.json')),
      );
      assert.deepEqual(
        keysOf((await publicGet(mock.url, '/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' })).body),
        keysOf(fixture('aster/premiumIndex.json')),
      );
      const oi = (await publicGet(mock.url, '/fapi/v1/openInterest', { symbol: 'BTCUSDT' })).body;
      assert.deepEqual(keysOf(oi), ['openInterest', 'symbol', 'time']);
      assert.equal((await publicGet(mock.url, '/fapi/v1/time')).body.serverTime > 0, true);
    });

    it('serves given candles and pays funding as FUNDING_FEE income', async () => {
      await mock.close();
      const t0 = Date.UTC(2026, 0, 1);
      const candles = [0, 1, 2].map((i) => ({
        openTime: t0 + i * 180_000,
        open: 100 + i,
        high: 101 + i,
        low: 99 + i,
        close: 100.5 + i,
        volume: 10,
      }));
      mock = await startBinanceMock({ accounts: [BINANCE], candles: { SOLUSDT: { '3m': candles } } });
      const rows = (await publicGet(mock.url, '/fapi/v1/klines', { symbol: 'SOLUSDT', interval: '3m', startTime: t0 + 1 })).body;
      assert.deepEqual(
        rows.map((r: any[]) => [r[0], r[1], r[4]]),
        [
          [t0 + 180_000, '101.0000', '101.5000'],
          [t0 + 360_000, '102.0000', '102.5000'],
        ],
      );

      await market('BUY', '0.010');
      mock.payFunding('BTCUSDT', 0.0001);
      const funding = (await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE' })).body;
      assert.deepEqual(
        funding.map((i: any) => i.income),
        ['-0.06000000'],
      ); // 0.01 x 60000 x 0.0001, paid by the long
      const history = (await publicGet(mock.url, '/fapi/v1/fundingRate', { symbol: 'BTCUSDT' })).body;
      assert.deepEqual(keysOf(history[0]), [...keysOf(fixture('aster/fundingRate.json')[0]), 'markPrice'].sort());
      assert.equal((await publicGet(mock.url, '/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' })).body.lastFundingRate, '0.00010000');
    });
  });

  describe('rate limits and faults', () => {
    it('answers a storm with 429 + Retry-After, then bans with 418', async () => {
      await mock.close();
      let clock = Date.UTC(2026, 0, 1, 12, 0, 10);
      mock = await startBinanceMock({ accounts: [BINANCE], requestWeightPerMinute: 20, now: () => clock });
      const info = (await publicGet(mock.url, '/fapi/v1/exchangeInfo')).body;
      assert.equal(info.rateLimits.find((l: any) => l.rateLimitType === 'REQUEST_WEIGHT').limit, 20);
      let tooMany;
      for (let i = 0; i < 30 && !tooMany; i++) {
        const response = await publicGet(mock.url, '/fapi/v1/ticker/price', { symbol: 'BTCUSDT' });
        if (response.status === 429) tooMany = response;
        else assert.equal(response.headers.get('x-mbx-used-weight-1m'), String(i + 2));
      }
      assert.ok(tooMany, 'no 429 within 30 requests');
      assert.equal(tooMany.body.code, -1003);
      assert.equal(tooMany.headers.get('retry-after'), '50'); // to the next minute
      assert.equal(tooMany.headers.get('x-mbx-used-weight-1m'), '20');

      const banned = await publicGet(mock.url, '/fapi/v1/time');
      assert.equal(banned.status, 418);
      assert.equal(banned.body.code, -1003);
      assert.equal(banned.headers.get('retry-after'), '120');
      clock += 60_000;
      assert.equal((await publicGet(mock.url, '/fapi/v1/time')).status, 418, 'still banned in the next minute');
      clock += 61_000;
      assert.equal((await publicGet(mock.url, '/fapi/v1/time')).status, 200);
    });

    it('counts orders per 10 s per account (-1015) with X-MBX-ORDER-COUNT headers', async () => {
      await mock.close();
      const clock = Math.floor(Date.now() / 10_000) * 10_000 + 2_000;
      mock = await startBinanceMock({ accounts: [BINANCE], ordersPer10s: 2, now: () => clock });
      const order = () =>
        call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' }, { timestamp: clock });
      const first = await order();
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('x-mbx-order-count-10s'), '1');
      assert.equal(first.headers.get('x-mbx-order-count-1m'), '1');
      assert.equal(first.headers.get('x-mbx-used-weight-1m'), '0', 'orders cost no IP weight on Binance');
      await order();
      const third = await order();
      expectError(third, 429, -1015, 'Too many new orders; current limit is 2 orders per 10 SECOND.');
      assert.equal(third.headers.get('retry-after'), '8');
      assert.equal(mock.ordersOf(BINANCE.apiKey).length, 2);
    });

    it('failNext afterProcessing places the order and answers 503', async () => {
      mock.failNext({ method: 'POST', path: '/fapi/v1/order' }, { status: 503, afterProcessing: true });
      const lost = await market('BUY', '0.010', { newClientOrderId: 'lost-1' });
      assert.equal(lost.status, 503);
      assert.deepEqual(lost.body, { code: -1001, msg: 'Unknown error, please check your request or try again later.' });
      const queried = await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'lost-1' });
      assert.equal(queried.body.status, 'FILLED');
      assert.equal(mock.positionsOf(BINANCE.apiKey)[0]!.positionAmt, 0.01);

      mock.failNext({ path: '/fapi/v1/order' }, { status: 500, retryAfterSeconds: 3 });
      const failed = await market('BUY', '0.010', { newClientOrderId: 'never-1' });
      assert.equal(failed.status, 500);
      assert.equal(failed.body.code, -1000);
      assert.equal(failed.headers.get('retry-after'), '3');
      expectError(await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'never-1' }), 400, -2013);
      assert.deepEqual(
        mock.requests.map((r) => r.status),
        [503, 200, 500, 400],
      );
    });
  });
});

describe('mock Aster futures v3 venue', function () {
  let mock: BinanceFamilyMock;
  const call = (method: string, p: string, params: Record<string, string | number | boolean> = {}, options = {}) =>
    asterRequest(mock.url, ASTER, method, p, params, options);

  beforeEach(async () => {
    mock = await startAsterMock({ accounts: [{ user: ASTER.user, signer: ASTER.signer }], prices: { BTCUSDT: 60000 } });
  });
  afterEach(async () => {
    await mock.close();
  });

  describe('EIP-712 authentication', () => {
    it('signs like the regression vectors', async () => {
      const vector = fixture('aster/signing_vectors.json').eip712_v3_current.vectors[0];
      const params = vector.msg
        .split('&')
        .filter((kv: string) => !/^(nonce|signer)=/.test(kv))
        .map((kv: string) => kv.split('=') as [string, string]);
      const signed = await asterSignedString(params, ASTER, { nonce: 1748310859508867 });
      assert.equal(signed, `${vector.msg}&signature=${vector.signature}`);
    });

    it('accepts a valid signature, with or without 0x, with or without user', async () => {
      const response = await call('GET', '/fapi/v3/balance');
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(keysOf(response.body[0]), keysOf(fixture('aster/balance.json')[0]));
      assert.equal(response.headers.get('x-mbx-used-weight-1m'), '5');
      assert.equal((await call('GET', '/fapi/v3/balance', {}, { prefix0x: false })).status, 200);
      assert.equal((await call('GET', '/fapi/v3/balance', {}, { includeUser: true })).status, 200);
      assert.equal((await call('POST', '/fapi/v3/leverage', { symbol: 'BTCUSDT', leverage: 10 }, { in: 'body' })).status, 200);
    });

    it('rejects a tampered parameter (-1022), an unregistered signer and a wrong user (-2015)', async () => {
      const signed = await asterSignedString({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' }, ASTER);
      expectError(await sendRaw(mock.url, 'POST', '/fapi/v3/order', signed.replace('quantity=0.010', 'quantity=0.020')), 400, -1022);
      const stranger = Wallet.createRandom();
      const asStranger = { user: ASTER.user, signer: stranger.address, privateKey: stranger.privateKey };
      expectError(await asterRequest(mock.url, asStranger, 'GET', '/fapi/v3/balance'), 401, -2015);
      const otherUser = { ...ASTER, user: Wallet.createRandom().address };
      expectError(await asterRequest(mock.url, otherUser, 'GET', '/fapi/v3/balance', {}, { includeUser: true }), 401, -2015);
      const unsigned = paramString({ nonce: asterNonce(), signer: ASTER.signer });
      expectError(await sendRaw(mock.url, 'GET', '/fapi/v3/balance', unsigned), 400, -1102, /'signature'/);
    });

    it('accepts a signature over the raw string as well as over the URL-encoded one', async () => {
      const msg = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.010&price=59000&newClientOrderId=a:b/c&nonce=${asterNonce()}&signer=${ASTER.signer}`;
      const wallet = new Wallet(ASTER.privateKey);
      const types = { Message: [{ name: 'msg', type: 'string' }] };
      const domain = {
        name: 'AsterSignTransaction',
        version: '1',
        chainId: 1666,
        verifyingContract: '0x0000000000000000000000000000000000000000',
      };
      const signature = await wallet.signTypedData(domain, types, { msg });
      const encoded = msg.replace('a:b/c', encodeURIComponent('a:b/c'));
      const response = await sendRaw(mock.url, 'POST', '/fapi/v3/order', `${encoded}&signature=${signature}`);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.clientOrderId, 'a:b/c');
    });

    it('signs with the testnet chainId 714 when the mock is testnet', async () => {
      await mock.close();
      mock = await startAsterMock({ accounts: [{ user: ASTER.user, signer: ASTER.signer }], testnet: true });
      expectError(await call('GET', '/fapi/v3/balance'), 400, -1022);
      assert.equal((await call('GET', '/fapi/v3/balance', {}, { chainId: 714 })).status, 200);
    });

    it('keeps nonces: reuse rejected, 20 s old rejected, -4225 below the kept 100', async () => {
      const nonce = asterNonce();
      assert.equal((await call('GET', '/fapi/v3/positionRisk', {}, { nonce })).status, 200);
      expectError(await call('GET', '/fapi/v3/positionRisk', {}, { nonce }), 400, -4226);
      expectError(await call('GET', '/fapi/v3/positionRisk', {}, { nonce: (Date.now() - 20_000) * 1000 }), 400, -1021);
      expectError(await call('GET', '/fapi/v3/positionRisk', {}, { nonce: (Date.now() + 20_000) * 1000 }), 400, -1021);

      const low = (Date.now() - 5_000) * 1000;
      for (let i = 0; i < 100; i++) assert.equal((await call('POST', '/fapi/v3/noop')).status, 200);
      const expired = await call('GET', '/fapi/v3/positionRisk', {}, { nonce: low });
      expectError(expired, 400, -4225, 'Nonce Expired');
      assert.deepEqual(expired.body, fixture('aster/error.nonceExpired.json'));
    });
  });

  describe('trading', () => {
    it('takes STOP_MARKET closePosition on /fapi/v3/order and fires it on setPrice', async () => {
      const entry = await call('POST', '/fapi/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.010',
        newClientOrderId: 'e-1',
      });
      assert.equal(entry.status, 200, entry.text);
      const documented = keysOf(fixture('aster/order.json')).filter((k) => k !== 'activatePrice' && k !== 'priceRate');
      assert.deepEqual(keysOf(entry.body), documented);

      const positions = (await call('GET', '/fapi/v3/positionRisk')).body;
      assert.deepEqual(keysOf(positions[0]), keysOf(fixture('aster/positionRisk.json')[0]));
      assert.equal(positions[0].positionAmt, '0.010');
      assert.equal(positions[0].marginType, 'cross');

      const stop = { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', closePosition: 'true' };
      expectError(await call('POST', '/fapi/v3/order', { ...stop, stopPrice: '60500' }), 400, -2021);
      expectError(await call('POST', '/fapi/v3/order', { ...stop, stopPrice: '59000', quantity: '0.010' }), 400, -4137);
      const placed = await call('POST', '/fapi/v3/order', { ...stop, stopPrice: '59000', newClientOrderId: 'sl-1' });
      assert.equal(placed.status, 200, placed.text);
      assert.equal(placed.body.type, 'STOP_MARKET');
      assert.equal((await call('GET', '/fapi/v3/openOrders', { symbol: 'BTCUSDT' })).body.length, 1);

      mock.setPrice('BTCUSDT', 58000);
      const fired = (await call('GET', '/fapi/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'sl-1' })).body;
      assert.equal(fired.status, 'FILLED');
      assert.equal(fired.executedQty, '0.010');
      assert.equal(fired.avgPrice, '58000.00000');
      assert.deepEqual((await call('GET', '/fapi/v3/positionRisk')).body, []);

      const trades = (await call('GET', '/fapi/v3/userTrades', { symbol: 'BTCUSDT' })).body;
      assert.deepEqual(keysOf(trades[1]), keysOf(fixture('aster/userTrades.json')[0]));
      assert.equal(trades[1].realizedPnl, '-20.00000000');
      assert.equal(trades[1].commission, '0.20300000'); // 580 x 0.00035
      const income = (await call('GET', '/fapi/v3/income')).body;
      assert.deepEqual(keysOf(income[0]), keysOf(fixture('aster/income.json')[0]));
      assert.equal(typeof income[0].tranId, 'string');
      assert.deepEqual(
        income.map((i: any) => i.incomeType),
        ['COMMISSION', 'REALIZED_PNL', 'COMMISSION'],
      );
      const wallet = 10000 - 600 * 0.00035 - 20 - 580 * 0.00035;
      assert.ok(Math.abs(mock.balanceOf(ASTER.user.toUpperCase()).walletBalance - wallet) < 1e-9);
    });

    it('checks the same filters as Binance (-1111, -4014, -4164)', async () => {
      const order = (extra: Record<string, string>) => call('POST', '/fapi/v3/order', { symbol: 'BTCUSDT', side: 'BUY', ...extra });
      expectError(await order({ type: 'MARKET', quantity: '0.0015' }), 400, -1111);
      expectError(await order({ type: 'STOP_MARKET', quantity: '0.010', stopPrice: '61000.05' }), 400, -4014);
      expectError(await order({ type: 'MARKET', quantity: '0.001' }), 400, -4164);
    });

    it('cancels all open orders with the documented answer', async () => {
      await call('POST', '/fapi/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.010',
        price: '59000',
      });
      const response = await call('DELETE', '/fapi/v3/allOpenOrders', { symbol: 'BTCUSDT' });
      assert.deepEqual(response.body, fixture('aster/allOpenOrders.cancel.json'));
      assert.equal(mock.ordersOf(ASTER.user)[0]!.status, 'CANCELED');
    });
  });

  describe('public market data (unsigned)', () => {
    it('serves exchangeInfo, klines, ticker, premiumIndex, fundingRate and time', async () => {
      const info = (await publicGet(mock.url, '/fapi/v3/exchangeInfo')).body;
      const recorded = fixture('aster/exchangeInfo.recorded.json');
      assert.deepEqual(
        keysOf(info).filter((k) => k !== 'futuresType'),
        keysOf(fixture('aster/exchangeInfo.json')),
      );
      const aster = info.symbols.find((s: any) => s.symbol === 'ASTERUSDT');
      assert.deepEqual(keysOf(aster), keysOf(recorded.symbols[0]));
      assert.deepEqual(
        aster.filters.map((f: any) => keysOf(f)),
        recorded.symbols[0].filters.map((f: any) => keysOf(f)).map((k: string[]) => k.filter((name) => !name.startsWith('lt'))),
      );
      const klines = (await publicGet(mock.url, '/fapi/v3/klines', { symbol: 'ETHUSDT', interval: '4h', limit: 3 })).body;
      assert.equal(klines.length, 3);
      assert.deepEqual(
        keysOf((await publicGet(mock.url, '/fapi/v3/ticker/price', { symbol: 'BTCUSDT' })).body),
        keysOf(fixture('aster/tickerPrice.json')),
      );
      assert.deepEqual(
        keysOf((await publicGet(mock.url, '/fapi/v3/premiumIndex', { symbol: 'BTCUSDT' })).body),
        keysOf(fixture('aster/premiumIndex.json')),
      );
      mock.payFunding('BTCUSDT', -0.0002);
      const funding = (await publicGet(mock.url, '/fapi/v3/fundingRate', { symbol: 'BTCUSDT' })).body;
      assert.deepEqual(keysOf(funding[0]), keysOf(fixture('aster/fundingRate.json')[0]));
      assert.equal(funding[0].fundingRate, '-0.00020000');
      assert.equal((await publicGet(mock.url, '/fapi/v3/time')).status, 200);
      expectError(await publicGet(mock.url, '/fapi/v3/ticker/price', { symbol: 'NOPEUSDT' }), 400, -1121, 'Invalid symbol.');
      assert.equal((await publicGet(mock.url, '/fapi/v1/openInterest', { symbol: 'BTCUSDT' })).status, 404, 'Aster has no openInterest');
    });
  });
});
