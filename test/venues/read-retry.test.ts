import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinanceFamilyRestClient } from '../../venues/binance-family/rest-client';
import { VenueOutcomeUnknown, VenueRejection, VenueTemporaryError } from '../../venues/errors';
import { MAX_READ_RETRY_AFTER_MS, READ_RETRY_DELAYS_MS, retryRead } from '../../venues/http/read-retry';
import { WeightedRateLimiter } from '../../venues/http/rate-limiter';
import { HyperliquidTransport } from '../../venues/hyperliquid/transport';

/** Runs `retryRead` over a scripted sequence of outcomes, recording the pauses instead of sleeping. */
async function run(outcomes: Array<Error | string>): Promise<{ result: string | Error; calls: number; pauses: number[] }> {
  let calls = 0;
  const pauses: number[] = [];
  const result = await retryRead(
    async () => {
      const next = outcomes[calls++];
      if (next instanceof Error) throw next;
      return next!;
    },
    async (ms) => {
      pauses.push(ms);
    },
  ).catch((err: Error) => err);
  return { result, calls, pauses };
}

describe('retryRead: a read that failed on the way is sent again, at most twice', () => {
  it('returns the answer of the attempt that succeeded, after the documented pauses', async () => {
    const { result, calls, pauses } = await run([new VenueTemporaryError('reset'), new VenueTemporaryError('503', undefined, 503), 'ok']);
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.deepEqual(pauses, [...READ_RETRY_DELAYS_MS]);
  });

  it('gives up after three attempts with the last error', async () => {
    const last = new VenueTemporaryError('third');
    const { result, calls } = await run([new VenueTemporaryError('first'), new VenueTemporaryError('second'), last, 'never']);
    assert.equal(result, last);
    assert.equal(calls, 3);
  });

  it('waits out a short Retry-After, but not a long one, an IP ban, a refusal, an unknown outcome or a plain bug', async () => {
    const short = await run([new VenueTemporaryError('429', 3_000, 429), 'ok']);
    assert.deepEqual([short.result, short.pauses], ['ok', [3_000]]);
    for (const err of [
      new VenueTemporaryError('429', MAX_READ_RETRY_AFTER_MS + 1, 429),
      new VenueTemporaryError('418', 1_000, 418),
      new VenueRejection('INVALID_ORDER', 'refused'),
      new VenueOutcomeUnknown('order sent, no answer'),
      new TypeError('a bug'),
    ]) {
      const once = await run([err, 'ok']);
      assert.equal(once.result, err, `${err.name}: ${err.message}`);
      assert.equal(once.calls, 1, `${err.name}: ${err.message}`);
    }
  });
});

describe('venue adapters retry reads, never state changes', () => {
  let server: http.Server;
  let base = '';
  const seen: string[] = [];
  /** Requests per path that fail before the next one is answered. */
  const failFirst = new Map<string, number>();

  before(async () => {
    server = http.createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      seen.push(`${req.method} ${path}`);
      const left = failFirst.get(path) ?? 0;
      if (left > 0) {
        failFirst.set(path, left - 1);
        if (left % 2 === 0) req.socket.destroy();
        else res.writeHead(503).end('{"code":-1001,"msg":"Internal error"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(path === '/info' ? '{"universe":[]}' : '{"serverTime":1700000000000,"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    failFirst.clear();
  });

  const restClient = () =>
    new BinanceFamilyRestClient({
      venue: 'binance',
      baseUrl: base,
      limiter: new WeightedRateLimiter('read-retry-test', [{ intervalMs: 60_000, limit: 10_000 }]),
      timePath: '/fapi/v1/time',
    });

  it('Binance family: a GET that fails twice (a reset, a 503) is answered by the third attempt', async () => {
    failFirst.set('/fapi/v1/ticker/price', 2);
    const body = await restClient().call<{ ok: boolean }>({ method: 'GET', path: '/fapi/v1/ticker/price', weight: 1 });
    assert.equal(body.ok, true);
    assert.deepEqual(seen, Array(3).fill('GET /fapi/v1/ticker/price'));
  });

  it('Binance family: an order that got a 503 is sent once and its outcome is unknown', async () => {
    failFirst.set('/fapi/v1/order', 1);
    await assert.rejects(
      restClient().call({ method: 'POST', path: '/fapi/v1/order', weight: 1, mutates: true, params: { symbol: 'BTCUSDT' } }),
      VenueOutcomeUnknown,
    );
    assert.deepEqual(seen, ['POST /fapi/v1/order']);
  });

  it('Hyperliquid: an info read is sent again; an exchange action is not', async () => {
    const transport = new HyperliquidTransport(base, true);
    failFirst.set('/info', 1);
    const meta = await transport.request<{ universe: unknown[] }>('info', { type: 'meta' });
    assert.deepEqual(meta, { universe: [] });
    assert.deepEqual(seen, ['POST /info', 'POST /info']);

    seen.length = 0;
    failFirst.set('/exchange', 1);
    await assert.rejects(transport.request('exchange', { action: { type: 'order', orders: [] }, nonce: 1 }), VenueOutcomeUnknown);
    assert.deepEqual(seen, ['POST /exchange']);
  });
});
