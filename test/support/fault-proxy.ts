import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fault-injecting HTTP proxy for the local mock venues (127.0.0.1 only). The venue adapters take a
 * base URL: point one at the proxy and a seeded share of its requests fail in one of five ways, the
 * others pass through unchanged:
 *
 * - `server_error`: answered 500 / 502 / 503 / 504 by the proxy; the venue never sees the request.
 * - `timeout`: never answered (the venue never sees it) until the client gives up at its own timeout.
 * - `rate_limited`: answered 429 with `Retry-After`; the venue never sees it.
 * - `connection_reset`: the connection is reset (TCP RST) once the request has arrived; the venue never sees it.
 * - `reply_lost`: the venue carries the request out (places the order...) and answers, then the client
 *   gets no answer: the connection is reset (`reset`) or left hanging past the client's timeout (`hang`).
 *
 * Deterministic: whether request number n (in arrival order at this proxy) fails, and how, is a pure
 * function of (seed, proxy name, n). Every injected fault is logged; so is every request the venue
 * received (`forwarded`), with the body of state-changing ones and the venue's answer to them.
 */

export const FAULT_KINDS = ['server_error', 'timeout', 'rate_limited', 'connection_reset', 'reply_lost'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface InjectedFault {
  proxy: string;
  /** Request number at this proxy (0-based, arrival order). */
  seq: number;
  kind: FaultKind;
  /** HTTP status sent (server_error, rate_limited), or how a lost reply was lost. */
  detail: string;
  method: string;
  path: string;
  /** Wall-clock time the request arrived (epoch ms). */
  at: number;
  /** The venue received the request (reply_lost only). */
  forwarded: boolean;
  /** The venue's status for a forwarded request. */
  venueStatus?: number;
}

export interface ForwardedRequest {
  proxy: string;
  seq: number;
  method: string;
  /** Path and query string. */
  url: string;
  at: number;
  venueStatus: number;
  /** Request and answer bodies of POST / PUT / DELETE requests (the state-changing ones); empty for reads. */
  body: string;
  answer: string;
  /** The client never got the answer (a reply_lost fault). */
  replyLost: boolean;
}

export interface FaultProxyOptions {
  /** The mock venue's base URL, e.g. http://127.0.0.1:43121. */
  target: string;
  /** Names the proxy in the logs and the fault schedule. */
  name: string;
  seed: string | number;
  /** Share of requests that fail, 0..1. */
  rate: number;
  /** Source address of the connections to the venue (any 127.x.y.z): the venue sees each proxy as its own IP. */
  localAddress?: string;
  /** Retry-After of a 429, seconds. Default 1. */
  retryAfterSeconds?: number;
  /** A request held for a timeout is dropped after this long if the client has not given up by then. Default 30 s. */
  hangMs?: number;
  /** The body of an injected 5xx / 429 (a venue-shaped one); default a plain-text reason phrase. */
  faultBody?: (status: number) => { contentType: string; text: string };
}

export interface FaultProxy {
  readonly name: string;
  /** Base URL to give the adapter, e.g. http://127.0.0.1:40001 */
  readonly url: string;
  /** host:port of `url` (what the adapter's rate limiter and metrics are keyed by). */
  readonly host: string;
  readonly faults: readonly InjectedFault[];
  readonly forwarded: readonly ForwardedRequest[];
  /** Requests received so far. */
  requestCount(): number;
  /** Switches injection on or off (on at start). */
  setEnabled(on: boolean): void;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const SERVER_STATUSES = [500, 502, 503, 504];
const MUTATING = new Set(['POST', 'PUT', 'DELETE']);
/** Hop-by-hop headers are the proxy's own business. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'upgrade']);

/** Two uniform draws in [0, 1) for request `seq` of proxy `name` under `seed`. */
export function faultDraw(seed: string | number, name: string, seq: number): [number, number, number] {
  const digest = createHash('sha256').update(`${seed}|${name}|${seq}`).digest();
  return [digest.readUInt32BE(0) / 2 ** 32, digest.readUInt32BE(4) / 2 ** 32, digest.readUInt32BE(8) / 2 ** 32];
}

/** The fault (if any) request `seq` of proxy `name` gets: the schedule, without a proxy. */
export function scheduledFault(
  seed: string | number,
  name: string,
  seq: number,
  rate: number,
): { kind: FaultKind; variant: number } | null {
  const [fails, which, variant] = faultDraw(seed, name, seq);
  if (fails >= rate) return null;
  return { kind: FAULT_KINDS[Math.min(FAULT_KINDS.length - 1, Math.floor(which * FAULT_KINDS.length))]!, variant };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const hangMs = options.hangMs ?? 30_000;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const faults: InjectedFault[] = [];
  const forwarded: ForwardedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let enabled = true;
  let seq = 0;
  const upstream = new http.Agent({ keepAlive: true, maxSockets: 64, ...(options.localAddress && { localAddress: options.localAddress }) });

  const bodyOf = (status: number) =>
    options.faultBody?.(status) ?? { contentType: 'text/plain', text: STATUS_TEXT[status] ?? `HTTP ${status}` };

  /** Holds a request unanswered until the client gives up (or hangMs passes). */
  const hang = (res: http.ServerResponse) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.socket?.destroy();
    }, hangMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const reset = (req: http.IncomingMessage) => {
    const socket = req.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };

  /**
   * Forwards to the venue. A kept-alive upstream socket the venue closed (its 5 s keep-alive ran out)
   * as the request went out fails with a reset the venue never saw: sent again once on a new socket,
   * so that every failure the client sees is one the proxy injected (Node's documented pattern).
   */
  const forward = async (req: http.IncomingMessage, body: Buffer) => {
    try {
      return await forwardOnce(req, body);
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      return forwardOnce(req, body);
    }
  };

  const forwardOnce = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [key, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(key)) headers[key] = value;
      headers.host = target.host;
      headers['content-length'] = String(body.length);
      let answered = false;
      const out = http.request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent: upstream,
        },
        (answer) => {
          answered = true;
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', reject);
        },
      );
      out.on('error', (err: NodeJS.ErrnoException) => {
        const stale = out.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE') && !answered;
        reject(stale ? new StaleSocket(err.message) : err);
      });
      out.end(body);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const n = seq++;
    const at = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const fault = enabled ? scheduledFault(options.seed, options.name, n, options.rate) : null;
    const note = (kind: FaultKind, detail: string, extra: Partial<InjectedFault> = {}) =>
      faults.push({ proxy: options.name, seq: n, kind, detail, method, path, at, forwarded: false, ...extra });

    if (fault && fault.kind !== 'reply_lost') {
      switch (fault.kind) {
        case 'server_error': {
          const status = SERVER_STATUSES[Math.floor(fault.variant * SERVER_STATUSES.length)]!;
          note('server_error', String(status));
          const { contentType, text } = bodyOf(status);
          res.writeHead(status, { 'content-type': contentType });
          res.end(text);
          return;
        }
        case 'rate_limited': {
          note('rate_limited', `429 Retry-After ${retryAfter}`);
          const { contentType, text } = bodyOf(429);
          res.writeHead(429, { 'content-type': contentType, 'retry-after': String(retryAfter) });
          res.end(text);
          return;
        }
        case 'timeout':
          note('timeout', 'no answer');
          hang(res);
          return;
        case 'connection_reset':
          note('connection_reset', 'reset before the venue saw it');
          reset(req);
          return;
      }
    }

    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch (err) {
      // The venue itself is gone (closing down): the client sees a reset it would see anyway.
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    const replyLost = fault?.kind === 'reply_lost';
    const mutating = MUTATING.has(method);
    forwarded.push({
      proxy: options.name,
      seq: n,
      method,
      url,
      at,
      venueStatus: answer.status,
      body: mutating ? body.toString('utf8') : '',
      answer: mutating ? answer.body.toString('utf8') : '',
      replyLost,
    });
    if (replyLost) {
      const mode = fault!.variant < 0.5 ? 'reset' : 'hang';
      note('reply_lost', mode, { forwarded: true, venueStatus: answer.status });
      if (mode === 'reset') reset(req);
      else hang(res);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [key, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(key)) headers[key] = value;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks)));
  });
  // No idle timeout here: the client closes its idle sockets itself (undici, after 4 s), so it never
  // sends on a socket this side has just closed, a reset no fault schedule would account for.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset socket may still report the peer's late writes: nothing to do with them.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    faults,
    forwarded,
    requestCount: () => seq,
    setEnabled: (on) => {
      enabled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        upstream.destroy();
      }),
  };
}

/** An upstream keep-alive socket that the venue had closed: the request never reached it. */
class StaleSocket extends Error {}
