/**
 * `ws://<host>/ws/agents/:id` (seed §4.2): the socket is subscribed to `:id` on connect and receives
 * `new_decision`, `position_update` and `agent_update` messages (`{ type, data }`) for every cycle
 * recorded from then on, from the shared cycle feed. Client messages:
 *
 *   {"action":"subscribe","agent_id":"x"}    -> {"type":"subscribed","data":{"agent_id":"x","subscriptions":[...]}}
 *   {"action":"unsubscribe","agent_id":"x"}  -> {"type":"unsubscribed","data":{...}}
 *   {"action":"ping"}                        -> {"type":"pong","data":{"timestamp":...}}
 *
 * Anything wrong (malformed JSON, unknown action or agent, too many subscriptions, too large, too
 * many messages) is answered with {"type":"error","data":{"message":...}} and the socket stays open.
 *
 * Who may connect: a browser page only from the API's own origin or an origin in API_CORS_ORIGINS
 * (other Origins get 403), at most `maxConnectionsPerClient` sockets per remote address (429), and when
 * reads need the token (API_READ_TOKEN_REQUIRED=true), only with API_TOKEN, given either as the
 * subprotocols `arena.v1, bearer.<token>` (`new WebSocket(url, ['arena.v1', 'bearer.' + token])`; the
 * server answers `arena.v1`, never the token) or as the first message {"action":"auth","token":"..."}
 * within 5 s. Never in the URL: URLs end up in logs. Until then nothing is subscribed or sent.
 * The server pings every socket (protocol ping) and drops one that missed a pong; a socket that
 * cannot keep up with its messages is closed (1013) rather than buffered without bound.
 */
import type { Server } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import type { WSContext } from 'hono/ws';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { z } from 'zod';
import { type AuthOptions, tokenMatches } from './auth';
import { CycleFeed, type FeedMessage } from './cycle-feed';

export interface WebSocketLimits {
  maxConnections: number;
  /** Sockets per remote address. */
  maxConnectionsPerClient: number;
  /** A socket that must authenticate by message and has not within this long is closed (4401). */
  authTimeoutMs: number;
  maxSubscriptionsPerSocket: number;
  /** Client messages longer than this get an error message. */
  maxMessageBytes: number;
  /** Frames longer than this close the socket (1009) before they are buffered. */
  maxFrameBytes: number;
  /** Client messages per second per socket; the rest get an error message. */
  maxMessagesPerSecond: number;
  /** Unsent bytes after which a slow socket is closed. */
  maxBufferedBytes: number;
  pingIntervalMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxConnections: 1_000,
  maxConnectionsPerClient: 20,
  authTimeoutMs: 5_000,
  maxSubscriptionsPerSocket: 20,
  maxMessageBytes: 4_096,
  maxFrameBytes: 64 * 1024,
  maxMessagesPerSecond: 20,
  maxBufferedBytes: 4 * 1024 * 1024,
  pingIntervalMs: 30_000,
};

export interface WebSocketDeps {
  db: Kysely<Database>;
  /** The API's tokens and CORS origins (auth.ts); default: reads open, same-origin browsers only. */
  auth?: AuthOptions;
  /** A feed to share; by default one is made (and closed by `close()`). */
  feed?: CycleFeed;
  /** Poll interval of the feed made here. */
  pollIntervalMs?: number;
  limits?: Partial<WebSocketLimits>;
  onError?: (err: unknown) => void;
}

export interface AttachedWebSocket {
  /** Call with the node server `serve()` returned. */
  injectWebSocket(server: Server | Http2Server | Http2SecureServer): void;
  /** Closes every socket (1001) and stops the feed. Call before closing the HTTP server. */
  close(): Promise<void>;
}

/** The `ws` socket under Hono's WSContext (the `ws` package has no types here): what we use of it. */
interface RawSocket {
  readonly bufferedAmount: number;
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'close', listener: () => void): void;
}

interface Client {
  ws: WSContext;
  raw: RawSocket;
  /** Remote address, for the per-client cap. */
  address: string;
  /** False until a socket that must show the token has shown it. */
  authenticated: boolean;
  /** Subscribed once authenticated. */
  initialAgent: string;
  /** Agent id -> stops its messages. */
  subscriptions: Map<string, () => void>;
  /** Subscriptions waiting for the database; `cancelled` when unsubscribed meanwhile. */
  pending: Map<string, { cancelled: boolean }>;
  alive: boolean;
  closed: boolean;
  windowStart: number;
  windowCount: number;
}

const AGENT_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
const OPEN = 1;
const SUBPROTOCOL = 'arena.v1';
const TOKEN_PROTOCOL_PREFIX = 'bearer.';
/** Close code for "unauthorized" (the 4000-4999 range is the application's). */
const UNAUTHORIZED = 4401;

const agentIdField = z.string({ error: 'needs "agent_id": an agent id' }).regex(AGENT_ID, { error: 'needs "agent_id": an agent id' });
/** Every message a client may send; anything else gets an error message, never an exception. */
const ClientMessage = z.discriminatedUnion('action', [
  z.object({ action: z.literal('auth'), token: z.string({ error: 'needs "token": the API token' }).max(4096) }),
  z.object({ action: z.literal('subscribe'), agent_id: agentIdField }),
  z.object({ action: z.literal('unsubscribe'), agent_id: agentIdField }),
  z.object({ action: z.literal('ping') }),
]);
type ClientMessage = z.infer<typeof ClientMessage>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app: the socket needs only its routes
export function attachWebSocket(app: Hono<any, any, any>, deps: WebSocketDeps): AttachedWebSocket {
  const limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...deps.limits };
  const auth = deps.auth ?? {};
  const perAddress = new Map<string, number>();
  const onError = deps.onError ?? ((err: unknown) => console.error('websocket:', err));
  const ownFeed = !deps.feed;
  const feed = deps.feed ?? new CycleFeed(deps.db, { intervalMs: deps.pollIntervalMs, onError });
  const nodeWs = createNodeWebSocket({ app });
  // node-ws makes its server without options: cap the frame size before anything is buffered, and
  // answer the arena's subprotocol only (ws would otherwise echo the first one offered: the token).
  const serverOptions = (nodeWs.wss as { options: { maxPayload: number; handleProtocols?: (p: Set<string>) => string | false } }).options;
  serverOptions.maxPayload = limits.maxFrameBytes;
  serverOptions.handleProtocols = (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false);
  const clients = new Set<Client>();
  let upgrading = 0;
  let closing = false;

  const send = (client: Client, message: { type: string; data: unknown }): void => {
    if (client.closed || client.ws.readyState !== OPEN) return;
    if (client.raw.bufferedAmount > limits.maxBufferedBytes) {
      client.ws.close(1013, 'too slow: messages are piling up');
      return;
    }
    client.ws.send(JSON.stringify(message));
  };
  const error = (client: Client, message: string) => send(client, { type: 'error', data: { message } });
  const subscriptionList = (client: Client) => [...client.subscriptions.keys(), ...client.pending.keys()];

  async function subscribe(client: Client, agentId: string): Promise<void> {
    if (client.subscriptions.has(agentId) || client.pending.has(agentId)) {
      send(client, { type: 'subscribed', data: { agent_id: agentId, subscriptions: subscriptionList(client) } });
      return;
    }
    if (client.subscriptions.size + client.pending.size >= limits.maxSubscriptionsPerSocket) {
      error(client, `at most ${limits.maxSubscriptionsPerSocket} subscriptions per connection`);
      return;
    }
    const pending = { cancelled: false };
    client.pending.set(agentId, pending);
    let stop: (() => void) | null;
    try {
      stop = await feed.subscribe(agentId, (message: FeedMessage) => send(client, message));
    } catch (err) {
      client.pending.delete(agentId);
      if (!closing) onError(err);
      error(client, `could not subscribe to "${agentId}" now; try again`);
      return;
    }
    client.pending.delete(agentId);
    if (!stop) {
      error(client, `no agent "${agentId}"`);
      return;
    }
    if (client.closed || pending.cancelled) {
      stop();
      return;
    }
    client.subscriptions.set(agentId, stop);
    send(client, { type: 'subscribed', data: { agent_id: agentId, subscriptions: subscriptionList(client) } });
  }

  function unsubscribe(client: Client, agentId: string): void {
    const stop = client.subscriptions.get(agentId);
    const pending = client.pending.get(agentId);
    if (!stop && !pending) {
      error(client, `not subscribed to "${agentId}"`);
      return;
    }
    stop?.();
    client.subscriptions.delete(agentId);
    if (pending) {
      pending.cancelled = true;
      client.pending.delete(agentId);
    }
    send(client, { type: 'unsubscribed', data: { agent_id: agentId, subscriptions: subscriptionList(client) } });
  }

  function onMessage(client: Client, data: unknown): void {
    client.alive = true;
    const now = Date.now();
    if (now - client.windowStart >= 1_000) {
      client.windowStart = now;
      client.windowCount = 0;
    }
    if (++client.windowCount > limits.maxMessagesPerSecond) {
      // One error per window, not one per flooded message.
      if (client.windowCount === limits.maxMessagesPerSecond + 1) {
        error(client, `too many messages: at most ${limits.maxMessagesPerSecond} per second`);
      }
      return;
    }
    if (typeof data !== 'string') return error(client, 'messages must be JSON text');
    if (Buffer.byteLength(data) > limits.maxMessageBytes) return error(client, `messages must be at most ${limits.maxMessageBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return error(client, 'malformed JSON');
    }
    const problem = shapeProblem(parsed);
    if (problem) return error(client, problem);
    const message = ClientMessage.safeParse(parsed);
    if (!message.success) return error(client, message.error.issues[0]?.message ?? 'invalid message');
    handle(client, message.data);
  }

  function handle(client: Client, message: ClientMessage): void {
    if (!client.authenticated) {
      if (message.action !== 'auth' || !auth.apiToken || !tokenMatches(message.token, auth.apiToken)) {
        client.ws.close(UNAUTHORIZED, 'unauthorized: send {"action":"auth","token":"<API_TOKEN>"} first');
        return;
      }
      client.authenticated = true;
      send(client, { type: 'authenticated', data: {} });
      subscribeInitial(client);
      return;
    }
    switch (message.action) {
      case 'auth':
        return send(client, { type: 'authenticated', data: {} });
      case 'ping':
        return send(client, { type: 'pong', data: { timestamp: new Date().toISOString() } });
      case 'subscribe':
        return void subscribe(client, message.agent_id);
      case 'unsubscribe':
        return unsubscribe(client, message.agent_id);
    }
  }

  function subscribeInitial(client: Client): void {
    if (AGENT_ID.test(client.initialAgent)) void subscribe(client, client.initialAgent);
    else error(client, `no agent "${client.initialAgent.slice(0, 200)}"`);
  }

  function drop(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    clients.delete(client);
    release(client.address);
    for (const stop of client.subscriptions.values()) stop();
    client.subscriptions.clear();
    for (const pending of client.pending.values()) pending.cancelled = true;
    client.pending.clear();
  }

  app.get('/ws/agents/:id', async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      return c.json({ success: false, data: null, error: 'this endpoint expects a WebSocket upgrade' }, 426);
    }
    if (closing || clients.size + upgrading >= limits.maxConnections) {
      return c.json({ success: false, data: null, error: 'too many WebSocket connections; try again later' }, 503);
    }
    if (!originAllowed(c.req.header('origin'), c.req.header('host'), auth.corsOrigins ?? [])) {
      return c.json({ success: false, data: null, error: 'this Origin may not open the feed (see API_CORS_ORIGINS)' }, 403);
    }
    const offered = (c.req.header('sec-websocket-protocol') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const offeredToken = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
    const needsToken = !!auth.readTokenRequired;
    if (needsToken && !auth.apiToken) {
      return c.json({ success: false, data: null, error: 'reads need a token but none is configured: set API_TOKEN' }, 503);
    }
    if (offeredToken !== undefined && !(auth.apiToken && tokenMatches(offeredToken, auth.apiToken))) {
      return c.json({ success: false, data: null, error: 'wrong token' }, 401);
    }
    const address = remoteAddress(c);
    if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerClient) {
      return c.json(
        { success: false, data: null, error: `at most ${limits.maxConnectionsPerClient} WebSocket connections per client` },
        429,
      );
    }
    const agentId = c.req.param('id') ?? '';
    upgrading += 1;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    let counted = true;
    let opened = false;
    const settle = () => {
      if (counted) upgrading -= 1;
      if (counted && !opened) release(address);
      counted = false;
    };
    // The upgrade happens after this response; a connection that never completes gives its slot back.
    setTimeout(settle, 10_000).unref();
    let client: Client | undefined;
    return nodeWs.upgradeWebSocket(
      c,
      {
        onOpen(_event, ws) {
          opened = true;
          settle();
          const raw = ws.raw as RawSocket;
          const fresh: Client = {
            ws,
            raw,
            address,
            authenticated: !needsToken || offeredToken !== undefined,
            initialAgent: agentId,
            subscriptions: new Map(),
            pending: new Map(),
            alive: true,
            closed: false,
            windowStart: Date.now(),
            windowCount: 0,
          };
          client = fresh;
          clients.add(fresh);
          raw.on('pong', () => {
            fresh.alive = true;
          });
          if (closing) {
            ws.close(1001, 'server shutting down');
            return;
          }
          if (fresh.authenticated) {
            subscribeInitial(fresh);
            return;
          }
          setTimeout(() => {
            if (!fresh.authenticated && !fresh.closed) ws.close(UNAUTHORIZED, 'unauthorized: no token');
          }, limits.authTimeoutMs).unref();
        },
        onMessage(event) {
          if (!client) return;
          try {
            onMessage(client, event.data);
          } catch (err) {
            // A bug here must cost the client a message, never the process a stack trace per frame.
            onError(err);
            error(client, 'could not handle that message');
          }
        },
        onClose() {
          if (client) drop(client);
        },
      },
      {
        // node-ws builds an ErrorEvent for socket errors, which Node 20 does not have; the socket closes anyway.
        onError: (err: unknown) => {
          if (!(err instanceof ReferenceError && err.message.includes('ErrorEvent'))) onError(err);
        },
      },
    );
  });

  function release(address: string): void {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.raw.terminate();
        drop(client);
        continue;
      }
      client.alive = false;
      try {
        client.raw.ping();
      } catch {
        drop(client);
      }
    }
  }, limits.pingIntervalMs);
  heartbeat.unref();

  return {
    injectWebSocket: (server) => nodeWs.injectWebSocket(server),
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      const open = [...clients];
      await Promise.all(
        open.map(
          (client) =>
            new Promise<void>((resolve) => {
              if (client.ws.readyState === 3) return resolve();
              const timer = setTimeout(() => {
                client.raw.terminate();
                resolve();
              }, 2_000);
              client.raw.on('close', () => {
                clearTimeout(timer);
                resolve();
              });
              client.ws.close(1001, 'server shutting down');
            }),
        ),
      );
      for (const client of open) drop(client);
      if (ownFeed) await feed.close();
    },
  };
}

/**
 * A browser sends Origin: the page's own origin (same host as the request) and the configured CORS
 * origins may open the feed; any other page may not (cross-site WebSocket hijacking). Clients that are
 * not browsers send no Origin.
 */
function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin.replace(/\/+$/, ''))) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The peer's address as @hono/node-server hands it over (`c.env.incoming`). */
function remoteAddress(c: { env: unknown }): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

const ACTIONS = ['subscribe', 'unsubscribe', 'ping', 'auth'];

/** What is wrong with a message's outline (not an object, no known action), in words a client can act on. */
function shapeProblem(parsed: unknown): string | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'expected an object such as {"action":"subscribe","agent_id":"..."}';
  }
  const action = (parsed as { action?: unknown }).action;
  if (typeof action === 'string' && ACTIONS.includes(action)) return null;
  const shown = typeof action === 'string' ? JSON.stringify(action.slice(0, 40)) : `of type ${action === null ? 'null' : typeof action}`;
  return `unknown action ${shown}: use subscribe, unsubscribe, ping or auth`;
}
