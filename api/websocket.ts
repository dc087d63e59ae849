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
import { CycleFeed, type FeedMessage } from './cycle-feed';

export interface WebSocketLimits {
  maxConnections: number;
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
  maxSubscriptionsPerSocket: 20,
  maxMessageBytes: 4_096,
  maxFrameBytes: 64 * 1024,
  maxMessagesPerSecond: 20,
  maxBufferedBytes: 4 * 1024 * 1024,
  pingIntervalMs: 30_000,
};

export interface WebSocketDeps {
  db: Kysely<Database>;
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

export function attachWebSocket(app: Hono<any, any, any>, deps: WebSocketDeps): AttachedWebSocket {
  const limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...deps.limits };
  const onError = deps.onError ?? ((err: unknown) => console.error('websocket:', err));
  const ownFeed = !deps.feed;
  const feed = deps.feed ?? new CycleFeed(deps.db, { intervalMs: deps.pollIntervalMs, onError });
  const nodeWs = createNodeWebSocket({ app });
  // node-ws makes its server without options: cap the frame size before anything is buffered.
  (nodeWs.wss as { options: { maxPayload: number } }).options.maxPayload = limits.maxFrameBytes;
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return error(client, 'expected an object such as {"action":"subscribe","agent_id":"..."}');
    }
    const { action, agent_id: agentId } = parsed as { action?: unknown; agent_id?: unknown };
    if (action === 'ping') return send(client, { type: 'pong', data: { timestamp: new Date().toISOString() } });
    if (action !== 'subscribe' && action !== 'unsubscribe') {
      return error(client, `unknown action ${JSON.stringify(String(action).slice(0, 40))}: use subscribe, unsubscribe or ping`);
    }
    if (typeof agentId !== 'string' || !AGENT_ID.test(agentId)) {
      return error(client, `"${action}" needs "agent_id": an agent id`);
    }
    if (action === 'subscribe') void subscribe(client, agentId);
    else unsubscribe(client, agentId);
  }

  function drop(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    clients.delete(client);
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
    const agentId = c.req.param('id') ?? '';
    upgrading += 1;
    let counted = true;
    const settle = () => {
      if (counted) upgrading -= 1;
      counted = false;
    };
    // The upgrade happens after this response; a connection that never completes gives its slot back.
    setTimeout(settle, 10_000).unref();
    let client: Client | undefined;
    return nodeWs.upgradeWebSocket(c, {
      onOpen(_event, ws) {
        settle();
        const raw = ws.raw as RawSocket;
        const opened: Client = {
          ws, raw, subscriptions: new Map(), pending: new Map(), alive: true, closed: false, windowStart: Date.now(), windowCount: 0,
        };
        client = opened;
        clients.add(opened);
        raw.on('pong', () => { opened.alive = true; });
        if (closing) {
          ws.close(1001, 'server shutting down');
          return;
        }
        if (AGENT_ID.test(agentId)) void subscribe(opened, agentId);
        else error(opened, `no agent "${agentId.slice(0, 200)}"`);
      },
      onMessage(event) {
        if (client) onMessage(client, event.data);
      },
      onClose() {
        if (client) drop(client);
      },
    }, {
      // node-ws builds an ErrorEvent for socket errors, which Node 20 does not have; the socket closes anyway.
      onError: (err: unknown) => {
        if (!(err instanceof ReferenceError && err.message.includes('ErrorEvent'))) onError(err);
      },
    });
  });

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
      await Promise.all(open.map((client) => new Promise<void>((resolve) => {
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
      })));
      for (const client of open) drop(client);
      if (ownFeed) await feed.close();
    },
  };
}
