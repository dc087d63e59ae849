import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import { VenueOutcomeUnknown, VenueTemporaryError } from '../../../venues/errors';
import { liquidationPrice } from '../../../venues/symbol-rules';
import type { OrderRequest, Venue, VenueOrder } from '../../../venues/venue';
import { VenueRejection } from '../../../venues/venue';
import type { ConformanceHarness, HarnessFactory } from './harness';

const SYMBOL = 'BTCUSDT';
const PRICE = 60_000;
const BALANCE = 10_000;

/** Client order ids in the arena's format: 32 hex characters. */
const cid = (label: string) => createHash('sha256').update(`conformance|${label}`).digest('hex').slice(0, 32);

const approx = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

const rejectedWith = (codes: string[]) => (err: unknown) => {
  assert.ok(err instanceof VenueRejection, `expected a VenueRejection, got ${String(err)}`);
  assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`);
  return true;
};

/**
 * The same behaviour from every venue behind the interface: the paper venue and each live adapter
 * against its local protocol server. Live-only cases (rate limits, server errors) need a server.
 */
export function venueConformance(name: string, factory: HarnessFactory): void {
  describe(`venue conformance: ${name}`, function () {
    this.timeout(60_000);
    let h: ConformanceHarness;
    let venue: () => Venue;
    beforeEach(async () => {
      h = await factory({ symbol: SYMBOL, price: PRICE, balance: BALANCE });
      venue = h.venue;
    });
    afterEach(async () => h.close());

    const market = (label: string, side: OrderRequest['side'], quantity: string, reduceOnly = false): OrderRequest => ({
      clientOrderId: cid(`${name}|${label}`),
      symbol: SYMBOL,
      side,
      type: 'MARKET',
      quantity,
      reduceOnly,
    });
    const trigger = (label: string, type: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET', stopPrice: string): OrderRequest => ({
      clientOrderId: cid(`${name}|${label}`),
      symbol: SYMBOL,
      side: 'SELL',
      type,
      stopPrice,
      closePosition: true,
    });

    async function openLong(quantity = '0.01'): Promise<VenueOrder> {
      await venue().setLeverage(SYMBOL, 5);
      return venue().placeOrder(market('open', 'BUY', quantity));
    }

    it('opens: a market order fills at the price, with a fee, and shows as a position', async () => {
      const balanceBefore = await venue().balance();
      approx(balanceBefore.equity, BALANCE, 1e-6, 'equity before');
      const fill = await openLong();
      assert.equal(fill.status, 'FILLED');
      assert.equal(fill.clientOrderId, cid(`${name}|open`));
      assert.equal(fill.executedQty, 0.01);
      approx(fill.avgPrice!, PRICE, PRICE * 0.001, 'fill price');
      assert.ok(fill.fee > 0, 'a taker fee is charged');

      const [position, ...others] = await venue().positions();
      assert.equal(others.length, 0);
      assert.equal(position!.symbol, SYMBOL);
      assert.equal(position!.side, 'long');
      assert.equal(position!.quantity, 0.01);
      assert.equal(position!.leverage, 5);
      approx(position!.margin, (0.01 * fill.avgPrice!) / 5, 1, 'isolated margin');

      const found = await venue().getOrder(SYMBOL, fill.clientOrderId);
      assert.equal(found?.status, 'FILLED');
      assert.equal(await venue().getOrder(SYMBOL, cid('never placed')), null);
      const balance = await venue().balance();
      approx(balance.marginUsed, position!.margin, 1, 'margin used');
      approx(balance.equity, BALANCE - fill.fee, 1, 'equity after the fee');
    });

    it('protects: stop-loss and take-profit rest on the venue, and the stop fires when the price falls', async () => {
      const fill = await openLong();
      const stop = await venue().placeOrder(trigger('sl', 'STOP_MARKET', '58800'));
      const target = await venue().placeOrder(trigger('tp', 'TAKE_PROFIT_MARKET', '62400'));
      assert.equal(stop.status, 'NEW');
      assert.equal(target.status, 'NEW');
      const resting = await venue().openOrders(SYMBOL);
      const byId = new Map(resting.map((o) => [o.clientOrderId, o]));
      assert.equal(byId.get(stop.clientOrderId)?.type, 'STOP_MARKET');
      assert.equal(byId.get(stop.clientOrderId)?.stopPrice, 58_800);
      assert.equal(byId.get(target.clientOrderId)?.type, 'TAKE_PROFIT_MARKET');
      assert.equal(byId.get(target.clientOrderId)?.stopPrice, 62_400);

      await h.setPrice(SYMBOL, 58_700);
      assert.deepEqual(await venue().positions(), [], 'the stop closed the position');
      const fills = await venue().filledOrders(fill.updatedAt, [SYMBOL]);
      const exit = fills.find((o) => o.clientOrderId === stop.clientOrderId);
      assert.ok(exit, `the stop's fill is listed under its client id (got ${fills.map((o) => `${o.type}:${o.clientOrderId}`).join(', ')})`);
      assert.equal(exit!.type, 'STOP_MARKET');
      assert.equal(exit!.side, 'SELL');
      assert.equal(exit!.executedQty, 0.01);
      approx(exit!.avgPrice!, 58_750, 100, 'stop fill price');
      assert.ok(exit!.realizedPnl < 0, 'the stop realised a loss');
    });

    it('closes in parts: a reduce-only order shrinks the position, the last one flattens it', async () => {
      const fill = await openLong('0.02');
      const partial = await venue().placeOrder(market('partial', 'SELL', '0.005', true));
      assert.equal(partial.status, 'FILLED');
      assert.equal(partial.executedQty, 0.005);
      assert.equal((await venue().positions())[0]?.quantity, 0.015);

      await h.setPrice(SYMBOL, 61_000);
      const rest = await venue().placeOrder(market('close', 'SELL', '0.015', true));
      assert.equal(rest.executedQty, 0.015);
      assert.deepEqual(await venue().positions(), []);
      assert.ok(rest.realizedPnl > 0, 'closing above the entry realised a gain');
      approx(rest.realizedPnl, 0.015 * (rest.avgPrice! - fill.avgPrice!), 0.5, 'realised PnL of the close (not leveraged)');

      const fills = await venue().filledOrders(fill.updatedAt, [SYMBOL]);
      assert.deepEqual(
        [fill.clientOrderId, partial.clientOrderId, rest.clientOrderId].filter((id) => fills.some((o) => o.clientOrderId === id)),
        [fill.clientOrderId, partial.clientOrderId, rest.clientOrderId],
        'all three fills are listed',
      );
      await assert.rejects(venue().placeOrder(market('reduce nothing', 'SELL', '0.01', true)), rejectedWith(['REDUCE_ONLY_REJECTED']));
    });

    it('cancels a protective order once the position is gone; a second cancel finds nothing to do', async () => {
      await openLong();
      const stop = await venue().placeOrder(trigger('sl', 'STOP_MARKET', '58800'));
      await venue().placeOrder(market('close', 'SELL', '0.01', true));
      // Some venues expire a close-position order with its position; either way it is no longer open.
      const gone = (o: VenueOrder | null) => o === null || o.status === 'CANCELED' || o.status === 'EXPIRED';
      const canceled = await venue().cancelOrder(SYMBOL, stop.clientOrderId);
      assert.ok(gone(canceled), `cancel answered ${canceled?.status}`);
      assert.deepEqual(
        (await venue().openOrders(SYMBOL)).map((o) => o.clientOrderId),
        [],
      );
      assert.ok(gone(await venue().cancelOrder(SYMBOL, stop.clientOrderId)));
    });

    it('changes leverage: a new position uses it, and an impossible leverage is refused', async () => {
      await venue().setLeverage(SYMBOL, 3);
      await venue().placeOrder(market('open', 'BUY', '0.01'));
      const [position] = await venue().positions();
      assert.equal(position!.leverage, 3);
      approx(position!.margin, (0.01 * position!.entryPrice) / 3, 1, 'margin at 3x');
      const rules = await venue().symbolRules(SYMBOL);
      await assert.rejects(venue().setLeverage(SYMBOL, rules.maxLeverage + 1), (err: unknown) => err instanceof VenueRejection);
    });

    it("margin brackets: the rules carry them, and an isolated position's liquidation price follows them", async () => {
      const rules = await venue().symbolRules(SYMBOL);
      const brackets = rules.marginBrackets;
      assert.ok(brackets && brackets.length > 0, 'brackets in the symbol rules');
      assert.equal(rules.maxLeverage, Math.max(...brackets.map((b) => b.initialLeverage)));
      await venue().setMarginType(SYMBOL, 'isolated');
      await openLong();
      const [p] = await venue().positions();
      const expected = liquidationPrice({ side: p!.side, quantity: p!.quantity, entryPrice: p!.entryPrice, margin: p!.margin }, brackets);
      approx(p!.liquidationPrice, expected.toNumber(), 0.5, 'liquidation price');
    });

    it('rounds what must round: quantity down to the step, trigger prices to a valid price', async () => {
      const rules = await venue().symbolRules(SYMBOL);
      const fill = await openLong('0.0100000009');
      assert.equal(fill.executedQty, 0.01);
      assert.ok(new Decimal(fill.executedQty).mod(rules.stepSize).isZero());
      const stop = await venue().placeOrder(trigger('sl', 'STOP_MARKET', '58800.0300001'));
      approx(stop.stopPrice!, 58_800, Number(rules.tickSize), 'rounded stop');
      assert.ok(new Decimal(stop.stopPrice!).mod(rules.tickSize).isZero(), `stop ${stop.stopPrice} on the tick ${rules.tickSize}`);
    });

    it('refuses below the minimums before anything is sent, with a reason', async () => {
      const rules = await venue().symbolRules(SYMBOL);
      await venue().setLeverage(SYMBOL, 5);
      const tiny = new Decimal(rules.minQty).div(10).toString();
      await assert.rejects(venue().placeOrder(market('tiny', 'BUY', tiny)), rejectedWith(['QUANTITY_BELOW_MIN', 'MIN_NOTIONAL']));
      const smallest = Decimal.max(rules.minQty, rules.stepSize);
      assert.ok(smallest.mul(PRICE).lt(rules.minNotional), 'the smallest quantity is below the minimum notional here');
      await assert.rejects(venue().placeOrder(market('small', 'BUY', smallest.toString())), rejectedWith(['MIN_NOTIONAL']));
      await assert.rejects(venue().placeOrder(market('too big', 'BUY', '10')), rejectedWith(['INSUFFICIENT_MARGIN']));
      assert.deepEqual(await venue().positions(), []);
    });

    if (name === 'paper') return;

    it('rate-limit storm: the shared limiter keeps the worker under the limit, and 429 backs everyone off', async () => {
      const mock = h.mock!;
      // 429 with a short Retry-After: a read waits the venue's delay out and is sent again; so does the next one.
      mock.failNext({ path: balancePath(name) }, { status: 429, retryAfterSeconds: 1 });
      const waited = Date.now();
      await venue().balance();
      assert.ok(Date.now() - waited >= 900, 'the read was sent again after the back-off');
      // Three in a row: the read fails as temporary with the venue's delay.
      mock.failNext({ path: balancePath(name) }, { status: 429, retryAfterSeconds: 1 }, 3);
      const err = await venue()
        .balance()
        .catch((e: unknown) => e);
      assert.ok(err instanceof VenueTemporaryError, `got ${String(err)}`);
      assert.equal(err.retryAfterMs, 1000);
      const next = Date.now();
      await venue().balance();
      assert.ok(Date.now() - next >= 900, 'the next request waited for the back-off');

      // A storm far beyond the budget: the venue never sees a request over its limit, never bans.
      const results = await Promise.allSettled(Array.from({ length: 400 }, () => venue().balance()));
      const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      for (const failure of failures) assert.ok(failure instanceof VenueTemporaryError, `storm failure ${String(failure)}`);
      const statuses = mock.requests.map((r) => r.status);
      assert.ok(!statuses.includes(418), 'never banned');
      assert.equal(statuses.filter((s) => s === 429).length, 4, 'only the injected 429s (one, then three in a row)');
    });

    it('server error mid-order: an order the venue executed but did not confirm is found by its client id, never placed twice', async () => {
      const mock = h.mock!;
      await venue().setLeverage(SYMBOL, 5);
      const request = market('open', 'BUY', '0.01');
      mock.failNext({ method: 'POST', path: orderPath(name) }, { status: 503, afterProcessing: true });
      const err = await venue()
        .placeOrder(request)
        .catch((e: unknown) => e);
      assert.ok(err instanceof VenueOutcomeUnknown, `got ${String(err)}`);
      // What the execution layer does on retry: look up by client id before placing again.
      const found = await venue().getOrder(SYMBOL, request.clientOrderId);
      assert.equal(found?.status, 'FILLED');
      assert.equal((await venue().positions())[0]?.quantity, 0.01);

      // A 500 before the venue acted: nothing happened, and placing again works.
      const second = market('second', 'BUY', '0.01');
      mock.failNext({ method: 'POST', path: orderPath(name) }, { status: 500 });
      await assert.rejects(venue().placeOrder(second), (e: unknown) => e instanceof VenueTemporaryError);
      assert.equal(await venue().getOrder(SYMBOL, second.clientOrderId), null);
      const placed = await venue().placeOrder(second);
      assert.equal(placed.status, 'FILLED');
      assert.equal((await venue().positions())[0]?.quantity, 0.02);
    });
  });
}

function balancePath(venue: string): string {
  return { binance: '/fapi/v3/balance', aster: '/fapi/v3/balance', hyperliquid: '/info' }[venue]!;
}

function orderPath(venue: string): string {
  return { binance: '/fapi/v1/order', aster: '/fapi/v3/order', hyperliquid: '/exchange' }[venue]!;
}
