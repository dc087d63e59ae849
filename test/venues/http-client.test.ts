import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../../activities/failures';
import { VenueOutcomeUnknown, VenueRejection, VenueTemporaryError } from '../../venues/errors';
import { DEFAULT_BACKOFF_MS, type HttpRequest, retryAfter, sendHttp } from '../../venues/http/http-client';
import { WeightedRateLimiter } from '../../venues/http/rate-limiter';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local venue stand-in. The path picks the answer: /ok, /429, /429-seconds, /429-date, /418,
 * /418-seconds, /503, /500, /408, /400, /hang (never answers), /destroy (drops the connection before
 * answering), /truncated (a 200 whose body is cut off), /slow-body (a 200 whose body never ends).
 */
function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const path = new URL(req.url!, 'http://x').pathname;
  switch (path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'application/json', 'x-mbx-used-weight-1m': '17' });
      res.end(JSON.stringify({ method: req.method, body, header: req.headers['x-test'] ?? null }));
      return;
    case '/429':
      res.writeHead(429).end('{"code":-1003,"msg":"Too many requests"}');
      return;
    case '/429-seconds':
      res.writeHead(429, { 'retry-after': '7' }).end();
      return;
    case '/429-date':
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end();
      return;
    case '/418':
      res.writeHead(418).end('{"code":-1003,"msg":"Way too many requests; IP banned"}');
      return;
    case '/418-seconds':
      res.writeHead(418, { 'retry-after': '300' }).end();
      return;
    case '/503':
      res.writeHead(503).end('{"code":-1000,"msg":"Unknown error, please check your request or try again later."}');
      return;
    case '/500':
      res.writeHead(500).end('internal error');
      return;
    case '/408':
      res.writeHead(408).end('timeout');
      return;
    case '/400':
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":-1102,"msg":"Mandatory parameter missing"}');
      return;
    case '/hang':
      return; // never answers; the client's timeout ends it
    case '/destroy':
      req.socket.destroy();
      return;
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"orderId":12'); // and nothing more: the timeout runs out while the body arrives
      return;
    case '/truncated':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"orderId":12');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    default:
      res.writeHead(404).end('not found');
  }
}

describe('sendHttp', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        handle(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  function freshLimiter(maxWaitMs = 15_000): WeightedRateLimiter {
    return new WeightedRateLimiter('venue-test', [{ intervalMs: 60_000, limit: 10_000 }], { maxWaitMs });
  }

  function get(path: string, extra: Partial<HttpRequest> = {}): HttpRequest {
    return { method: 'GET', url: `${base}${path}`, weight: 1, ...extra };
  }

  async function failure(promise: Promise<unknown>): Promise<VenueTemporaryError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof VenueTemporaryError, `expected a VenueTemporaryError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected sendHttp to fail');
  }

  /** Records the back-off deadlines the client sets, against the time they were set. */
  /** The back-offs sendHttp asked the limiter for, in ms. */
  function spyBackOff(limiter: WeightedRateLimiter): number[] {
    const calls: number[] = [];
    const original = limiter.backOffFor.bind(limiter);
    limiter.backOffFor = (ms: number) => {
      calls.push(ms);
      original(ms);
    };
    return calls;
  }

  it('returns a 200 with its text and headers, sending method, headers and body', async () => {
    const res = await sendHttp(freshLimiter(), {
      method: 'POST',
      url: `${base}/ok?symbol=BTCUSDT`,
      headers: { 'x-test': 'yes', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
      weight: 1,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { method: 'POST', body: 'a=1&b=2', header: 'yes' });
    assert.equal(res.headers.get('x-mbx-used-weight-1m'), '17');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, '/ok?symbol=BTCUSDT');
  });

  it("returns other error statuses for the adapter to read the venue's error body", async () => {
    const res = await sendHttp(freshLimiter(), get('/400', { mutates: true }));
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: -1102, msg: 'Mandatory parameter missing' });
    assert.equal((await sendHttp(freshLimiter(), get('/nowhere'))).status, 404);
  });

  it("spends the request's weight on the limiter before sending", async () => {
    const limiter = new WeightedRateLimiter('venue-test', [{ intervalMs: 60_000, limit: 5 }], { headroom: 1, maxWaitMs: 0 });
    await sendHttp(limiter, get('/ok', { weight: 5 }));
    const err = await failure(sendHttp(limiter, get('/ok', { weight: 1 })));
    assert.match(err.message, /rate limit budget exhausted/);
    assert.equal(seen.length, 1, 'the second request never left');
  });

  describe('429 and 418', () => {
    it('429 without Retry-After backs off the default 10 s and says so', async () => {
      const limiter = freshLimiter();
      const calls = spyBackOff(limiter);
      const err = await failure(sendHttp(limiter, get('/429')));
      assert.ok(!(err instanceof VenueOutcomeUnknown));
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterMs, DEFAULT_BACKOFF_MS[429]);
      assert.equal(DEFAULT_BACKOFF_MS[429], 10_000);
      assert.equal(err.message, 'venue-test: GET /429 answered 429 (rate limit hit), backing off 10 s');
      assert.equal(calls.length, 1);
      assert.equal(calls[0], 10_000);
      const remaining = limiter.backOffRemaining();
      assert.ok(remaining > 0 && remaining <= 10_000, `back-off remaining ${remaining}`);
    });

    it('429 honours Retry-After in seconds', async () => {
      const limiter = freshLimiter();
      const calls = spyBackOff(limiter);
      const err = await failure(sendHttp(limiter, get('/429-seconds')));
      assert.equal(err.retryAfterMs, 7_000);
      assert.equal(err.status, 429);
      assert.equal(calls[0], 7_000);
    });

    it('429 honours Retry-After as an HTTP date', async () => {
      const limiter = freshLimiter();
      const calls = spyBackOff(limiter);
      const err = await failure(sendHttp(limiter, get('/429-date')));
      // An HTTP date has whole seconds: "30 s from now" is 29-30 s from the moment it is read.
      assert.ok(err.retryAfterMs! > 28_000 && err.retryAfterMs! <= 30_000, `retryAfterMs ${err.retryAfterMs}`);
      assert.equal(calls[0], err.retryAfterMs);
    });

    it('418 (IP ban) backs off the default 2 min, or its Retry-After', async () => {
      const limiter = freshLimiter();
      const err = await failure(sendHttp(limiter, get('/418')));
      assert.equal(err.status, 418);
      assert.equal(err.retryAfterMs, DEFAULT_BACKOFF_MS[418]);
      assert.equal(DEFAULT_BACKOFF_MS[418], 120_000);
      assert.match(err.message, /GET \/418 answered 418 \(IP banned for ignoring rate limits\), backing off 120 s$/);
      const ban = await failure(sendHttp(freshLimiter(), get('/418-seconds')));
      assert.equal(ban.retryAfterMs, 300_000);
    });

    it("reaches Temporal as a retryable failure delayed by the venue's Retry-After", async () => {
      const failure = toActivityFailure(await failure429());
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.nextRetryDelay, 7_000);
      assert.equal(failure.nonRetryable, false);
    });

    async function failure429(): Promise<VenueTemporaryError> {
      return failure(sendHttp(freshLimiter(), get('/429-seconds')));
    }

    it('a state-changing request that got 429 simply failed (not an unknown outcome)', async () => {
      const err = await failure(sendHttp(freshLimiter(), get('/429', { method: 'POST', mutates: true })));
      assert.ok(!(err instanceof VenueOutcomeUnknown));
      assert.equal(err.status, 429);
    });

    it('stops every later request through the same limiter until the back-off ends', async () => {
      const limiter = freshLimiter(1_000);
      await failure(sendHttp(limiter, get('/429-seconds')));
      assert.equal(seen.length, 1);
      const blocked = await failure(sendHttp(limiter, get('/ok')));
      assert.match(blocked.message, /rate limit budget exhausted/);
      assert.ok(blocked.retryAfterMs! > 1_000 && blocked.retryAfterMs! <= 7_000, `retryAfterMs ${blocked.retryAfterMs}`);
      assert.equal(seen.length, 1, 'the request was not sent');
      // Another limiter (another venue) is not affected.
      assert.equal((await sendHttp(freshLimiter(), get('/ok'))).status, 200);
    });
  });

  describe('server errors', () => {
    for (const status of [503, 500, 408]) {
      it(`${status} is a temporary error, or an unknown outcome for a state-changing request`, async () => {
        const read = await failure(sendHttp(freshLimiter(), get(`/${status}`)));
        assert.ok(!(read instanceof VenueOutcomeUnknown));
        assert.equal(read.status, status);
        assert.equal(read.retryAfterMs, undefined);
        assert.match(read.message, new RegExp(`^venue-test: GET /${status} answered ${status}: `));

        const order = await failure(sendHttp(freshLimiter(), get(`/${status}`, { method: 'POST', mutates: true })));
        assert.ok(order instanceof VenueOutcomeUnknown);
        assert.equal(order.name, 'VenueOutcomeUnknown');
        assert.equal(order.status, status);
      });
    }

    it('quotes the start of the body but never the query string (it carries the signature)', async () => {
      const err = await failure(sendHttp(freshLimiter(), get('/503?symbol=BTCUSDT&signature=abcdef0123456789', { mutates: true })));
      assert.match(err.message, /answered 503: \{"code":-1000,"msg":"Unknown error/);
      assert.ok(!err.message.includes('abcdef0123456789'));
      assert.ok(!err.message.includes('symbol='));
    });
  });

  describe('no answer', () => {
    it('a timeout is a temporary error, or an unknown outcome for a state-changing request', async () => {
      const read = await failure(sendHttp(freshLimiter(), get('/hang', { timeoutMs: 100 })));
      assert.ok(!(read instanceof VenueOutcomeUnknown));
      assert.equal(read.status, undefined);
      assert.match(read.message, /^venue-test: GET \/hang failed before an answer \(TimeoutError: /);

      const order = await failure(sendHttp(freshLimiter(), get('/hang', { method: 'POST', mutates: true, timeoutMs: 100 })));
      assert.ok(order instanceof VenueOutcomeUnknown);
      assert.match(order.message, /POST \/hang failed before an answer/);
    });

    it('a dropped connection is a temporary error, or an unknown outcome for a state-changing request', async () => {
      const read = await failure(sendHttp(freshLimiter(), get('/destroy')));
      assert.ok(!(read instanceof VenueOutcomeUnknown));
      assert.match(read.message, /GET \/destroy failed before an answer/);
      const order = await failure(sendHttp(freshLimiter(), get('/destroy', { method: 'DELETE', mutates: true })));
      assert.ok(order instanceof VenueOutcomeUnknown);
    });

    it('a connection refused is a temporary error', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const err = await failure(sendHttp(freshLimiter(), { method: 'GET', url: `http://127.0.0.1:${port}/x`, weight: 1 }));
      assert.ok(!(err instanceof VenueOutcomeUnknown));
    });

    it('a 200 whose body is cut off is not a success with an empty text', async () => {
      const read = await failure(sendHttp(freshLimiter(), get('/truncated')));
      assert.ok(!(read instanceof VenueOutcomeUnknown));
      assert.match(read.message, /GET \/truncated answered 200 but the body was cut off/);
      const order = await failure(sendHttp(freshLimiter(), get('/truncated', { method: 'POST', mutates: true })));
      assert.ok(order instanceof VenueOutcomeUnknown, 'the order may have been placed');
      assert.equal(order.status, 200);
    });

    it('a timeout while the body arrives is a temporary error, not an empty success', async () => {
      const read = await failure(sendHttp(freshLimiter(), get('/slow-body', { timeoutMs: 150 })));
      assert.ok(!(read instanceof VenueOutcomeUnknown));
      assert.match(read.message, /GET \/slow-body answered 200 but the body was cut off \(TimeoutError: /);
      const order = await failure(sendHttp(freshLimiter(), get('/slow-body', { method: 'POST', mutates: true, timeoutMs: 150 })));
      assert.ok(order instanceof VenueOutcomeUnknown);
    });
  });
});

describe('retryAfter', () => {
  const headers = (value?: string) => new Headers(value === undefined ? {} : { 'retry-after': value });

  it('reads seconds, fractions and an HTTP date; ignores what it cannot read', () => {
    assert.equal(retryAfter(headers()), undefined);
    assert.equal(retryAfter(headers('')), undefined);
    assert.equal(retryAfter(headers('0')), 0);
    assert.equal(retryAfter(headers('120')), 120_000);
    assert.equal(retryAfter(headers('1.5')), 1_500);
    assert.equal(retryAfter(headers('-3')), 0);
    assert.equal(retryAfter(headers('soon')), undefined);
    const inAMinute = retryAfter(headers(new Date(Date.now() + 60_000).toUTCString()))!;
    assert.ok(inAMinute > 58_000 && inAMinute <= 60_000, `${inAMinute}`);
    assert.equal(retryAfter(headers('Wed, 21 Oct 2015 07:28:00 GMT')), 0, 'a date in the past means now');
  });
});

describe('toActivityFailure', () => {
  it('turns a rejection into a non-retryable failure typed by its code', () => {
    const failure = toActivityFailure(new VenueRejection('INSUFFICIENT_MARGIN', 'margin is insufficient'));
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'VenueRejection.INSUFFICIENT_MARGIN');
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.message, 'INSUFFICIENT_MARGIN: margin is insufficient');
    assert.ok(failure.cause instanceof VenueRejection);
  });

  it('turns a temporary error into a retryable failure, no sooner than the venue asked', () => {
    const failure = toActivityFailure(new VenueTemporaryError('rate limit hit', 7_000, 429));
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'VenueTemporaryError');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 7_000);
    assert.equal(failure.message, 'rate limit hit');

    const noDelay = toActivityFailure(new VenueTemporaryError('503'));
    assert.ok(noDelay instanceof ApplicationFailure);
    assert.equal(noDelay.nextRetryDelay, undefined, "Temporal's own backoff applies");
  });

  it('keeps an unknown outcome retryable under its own type', () => {
    const failure = toActivityFailure(new VenueOutcomeUnknown('503 after an order', undefined, 503));
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'VenueOutcomeUnknown');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, undefined);
  });

  it('leaves other errors unchanged', () => {
    const err = new TypeError('bug');
    assert.equal(toActivityFailure(err), err);
    assert.equal(toActivityFailure('text'), 'text');
  });
});
