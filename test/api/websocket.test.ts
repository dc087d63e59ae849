import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { attachWebSocket, type AttachedWebSocket } from '../../api/websocket';
import type { AgentConfig } from '../../arena-config/types';
import { TestArena, demoAgent, eventually, startTestArena } from '../support/arena';

/** The `ws` client @hono/node-ws itself runs on (no types for it here: what the test uses). */
interface WsSocket {
  readonly readyState: number;
  send(data: string | Buffer): void;
  close(code?: number): void;
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface WsOptions {
  autoPong?: boolean;
  headers?: Record<string, string>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the ws that @hono/node-ws uses, which ships no types here
const WebSocketClient = require(require.resolve('ws', { paths: [path.dirname(require.resolve('@hono/node-ws'))] })) as new (
  url: string,
  protocols?: string[],
  options?: WsOptions,
) => WsSocket & { readonly protocol: string };

interface Message {
  type: string;
  data: any;
}

class TestClient {
  readonly messages: Message[] = [];
  closedWith: number | null = null;
  private constructor(readonly socket: WsSocket & { readonly protocol: string }) {
    socket.on('message', (data) => this.messages.push(JSON.parse(data.toString('utf8')) as Message));
    socket.on('close', (code) => {
      this.closedWith = code;
    });
  }

  static open(url: string, options?: WsOptions, protocols: string[] = []): Promise<TestClient> {
    const socket = new WebSocketClient(url, protocols, options);
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.on('open', () => resolve(client));
      socket.on('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message from index `from` on that matches, and its index. */
  async next(what: string, match: (m: Message) => boolean, from = 0, timeoutMs = 60_000): Promise<{ message: Message; index: number }> {
    return eventually(
      what,
      async () => {
        const index = this.messages.findIndex((m, i) => i >= from && match(m));
        return index >= 0 ? { message: this.messages[index]!, index } : null;
      },
      timeoutMs,
    );
  }

  close(): void {
    if (this.socket.readyState === 1) this.socket.close();
  }
}

describe('WebSocket /ws/agents/:id on real cycles', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let hold: AgentConfig;
  let trend: AgentConfig;
  let server: Server;
  let ws: AttachedWebSocket;
  let base: string;
  const clients: TestClient[] = [];

  const connect = async (agentId: string) => {
    const client = await TestClient.open(`${base}/ws/agents/${agentId}`);
    clients.push(client);
    return client;
  };
  const lastCycle = async (agentId: string) =>
    Number(
      (
        await arena.db
          .selectFrom('cycles')
          .select((eb) => eb.fn.max('cycle_no').as('n'))
          .where('agent_id', '=', agentId)
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const isDecision = (agentId: string, cycle?: number) => (m: Message) =>
    m.type === 'new_decision' && m.data.agent_id === agentId && (cycle === undefined || m.data.cycle === cycle);

  before(async () => {
    arena = await startTestArena();
    hold = demoAgent('btc-buy-hold', arena.tag);
    trend = demoAgent('ema-trend', arena.tag);
    // Registered and started, but no worker yet: no cycle runs before the first client is subscribed.
    await arena.start([hold, trend], 400);
    const app = new Hono();
    ws = attachWebSocket(app, { db: arena.db, pollIntervalMs: 200, onError: (err) => console.error(err) });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
    });
    ws.injectWebSocket(server);
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const c of clients) c.close();
    await ws?.close();
    await new Promise((resolve) => server?.close(resolve));
    await arena?.close();
  });

  it('sends a subscribed client the next cycle: its decision log, position changes and agent update', async () => {
    const client = await connect(hold.id);
    await client.next('the subscription', (m) => m.type === 'subscribed' && m.data.agent_id === hold.id);
    await arena.runWorker();

    const { message: decision, index } = await client.next('the first decision', isDecision(hold.id));
    assert.equal(decision.data.cycle, 1);
    assert.equal(decision.data.status, 'ok');
    for (const field of ['timestamp', 'account', 'market_data', 'ai_reasoning', 'decisions', 'risk_verdicts', 'execution_results']) {
      assert.ok(field in decision.data, `new_decision has ${field}`);
    }
    assert.match(decision.data.ai_reasoning, /buy BTCUSDT/);
    assert.deepEqual(
      decision.data.decisions.map((d: { action: string }) => d.action),
      ['open_long'],
    );
    assert.equal(decision.data.execution_results[0].leg, 'open');
    assert.deepEqual(
      Object.keys(decision.data.market_data[0]).sort(),
      ['change_1h_pct', 'change_4h_pct', 'funding_rate', 'price', 'symbol', 'trend_4h'],
      'a market summary, not the indicator tables',
    );

    const { message: update, index: updateAt } = await client.next(
      'the agent update of cycle 1',
      (m) => m.type === 'agent_update' && m.data.cycle === 1,
      index,
    );
    const opened = client.messages.slice(index, updateAt).filter((m) => m.type === 'position_update');
    assert.deepEqual(
      opened.map((m) => [m.data.action, m.data.symbol, m.data.position.side]),
      [['opened', 'BTCUSDT', 'long']],
    );

    const snap = await arena.db
      .selectFrom('equity_snapshots')
      .selectAll()
      .where('agent_id', '=', hold.id)
      .where('cycle_no', '=', 1)
      .executeTakeFirstOrThrow();
    assert.equal(update.data.agent_id, hold.id);
    assert.equal(update.data.account.total_balance, Number(snap.equity));
    assert.equal(update.data.account.available_balance, Number(snap.cash));
    assert.equal(update.data.positions.length, 1);
    assert.equal(update.data.positions[0].position_amt, opened[0]!.data.position.position_amt);
    assert.equal(update.data.status.cycle_status, 'ok');

    // The next cycles hold: decisions and updates, but no position opened or closed.
    const { index: third } = await client.next('cycle 3', (m) => m.type === 'agent_update' && m.data.cycle === 3, updateAt);
    const between = client.messages.slice(updateAt + 1, third + 1);
    assert.deepEqual(
      between.filter((m) => m.type === 'new_decision').map((m) => m.data.cycle),
      [2, 3],
    );
    assert.ok(!between.some((m) => m.type === 'position_update' && m.data.action === 'opened'), 'nothing opened twice');
  });

  it('a client connecting later gets the cycles after it subscribed, not the earlier ones', async () => {
    const before = await lastCycle(hold.id);
    assert.ok(before >= 3);
    const client = await connect(hold.id);
    await client.next('the subscription', (m) => m.type === 'subscribed');
    const atAck = await lastCycle(hold.id);
    const { message: first, index } = await client.next('a decision', isDecision(hold.id));
    assert.ok(first.data.cycle > before && first.data.cycle <= atAck + 1, `cycle ${first.data.cycle} after ${before}..${atAck}`);
    await client.next('the next one', isDecision(hold.id, first.data.cycle + 1), index);
    const cycles = client.messages.filter((m) => m.type === 'new_decision').map((m) => m.data.cycle);
    assert.deepEqual(
      cycles,
      cycles.map((_, i) => first.data.cycle + i),
      'each cycle once, in order',
    );
  });

  it('subscribes to and unsubscribes from more agents on the same socket', async () => {
    const client = await connect(hold.id);
    await client.next('the first subscription', (m) => m.type === 'subscribed');
    client.send({ action: 'subscribe', agent_id: trend.id });
    const { message: ack } = await client.next('the second subscription', (m) => m.type === 'subscribed' && m.data.agent_id === trend.id);
    assert.deepEqual(ack.data.subscriptions.sort(), [hold.id, trend.id].sort());
    await client.next('a decision of the second agent', isDecision(trend.id));

    client.send({ action: 'unsubscribe', agent_id: trend.id });
    const { message: gone, index } = await client.next('the unsubscription', (m) => m.type === 'unsubscribed');
    assert.deepEqual(gone.data.subscriptions, [hold.id]);
    const { index: later } = await client.next(
      'two more cycles of the first agent',
      (m) =>
        m.type === 'agent_update' &&
        m.data.agent_id === hold.id &&
        client.messages.slice(index).filter((x) => isDecision(hold.id)(x)).length >= 2,
      index,
    );
    assert.deepEqual(
      client.messages.slice(index + 1, later + 1).filter((m) => m.data.agent_id === trend.id),
      [],
      'nothing of the agent it left',
    );
  });

  it('answers bad messages with an error message and keeps the socket open', async () => {
    const client = await connect(hold.id);
    await client.next('the subscription', (m) => m.type === 'subscribed');
    const bad: Array<[unknown, RegExp]> = [
      ['{"action": "subscribe", ', /malformed JSON/],
      ['[1, 2]', /expected an object/],
      [{ action: 'dance' }, /unknown action "dance"/],
      [{ action: 'subscribe' }, /needs "agent_id"/],
      [{ action: 'subscribe', agent_id: 'nobody-here' }, /no agent "nobody-here"/],
      [{ action: 'unsubscribe', agent_id: trend.id }, /not subscribed/],
      [{ action: 'subscribe', agent_id: 'x'.repeat(5_000) }, /at most 4096 bytes/],
    ];
    for (const [message, expected] of bad) {
      const from = client.messages.length;
      client.send(message);
      const { message: answer } = await client.next(`an error for ${String(expected)}`, (m) => m.type === 'error', from, 10_000);
      assert.match(answer.data.message, expected);
    }
    const from = client.messages.length;
    client.send({ action: 'ping' });
    await client.next('a pong', (m) => m.type === 'pong', from, 10_000);
    assert.equal(client.socket.readyState, 1, 'still open');
    await client.next('messages still flowing', isDecision(hold.id), from);

    const stranger = await connect('nobody-here');
    const { message: unknown } = await stranger.next('an error for an unknown agent', (m) => m.type === 'error', 0, 10_000);
    assert.match(unknown.data.message, /no agent "nobody-here"/);
    assert.equal(stranger.socket.readyState, 1);
  });

  it('keeps a socket that answers pings and drops one that does not', async () => {
    const app = new Hono();
    const quick = attachWebSocket(app, { db: arena.db, limits: { pingIntervalMs: 100 } });
    const other = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
    });
    quick.injectWebSocket(other);
    const url = `ws://127.0.0.1:${(other.address() as AddressInfo).port}/ws/agents/${hold.id}`;
    try {
      const answering = await TestClient.open(url);
      const silent = await TestClient.open(url, { autoPong: false });
      await eventually('the silent socket dropped', async () => silent.closedWith !== null, 10_000);
      assert.equal(silent.closedWith, 1006, 'terminated, no close handshake');
      assert.equal(answering.socket.readyState, 1);
      answering.close();
    } finally {
      await quick.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('closes a socket that sends an oversized frame, refuses plain HTTP, and closes every socket on shutdown', async () => {
    const big = await connect(hold.id);
    big.send('x'.repeat(100 * 1024));
    await eventually('the oversized frame closing the socket', async () => big.closedWith !== null, 10_000);
    assert.equal(big.closedWith, 1009);

    const plain = await fetch(`${base.replace('ws:', 'http:')}/ws/agents/${hold.id}`);
    assert.equal(plain.status, 426);

    const open = clients.filter((c) => c.socket.readyState === 1);
    assert.ok(open.length >= 3);
    await ws.close();
    await eventually('every socket closed', async () => open.every((c) => c.closedWith !== null), 10_000);
    assert.ok(
      open.every((c) => c.closedWith === 1001),
      open.map((c) => c.closedWith).join(','),
    );
  });
});

describe('WebSocket: who may connect', function () {
  this.timeout(120_000);
  const TOKEN = 'ws-read-token-0123456789';
  let arena: TestArena;
  let hold: AgentConfig;
  let server: Server;
  let ws: AttachedWebSocket;
  let url: string;
  const opened: TestClient[] = [];
  const open = async (options?: WsOptions, protocols?: string[]) => {
    const client = await TestClient.open(url, options, protocols);
    opened.push(client);
    return client;
  };

  before(async () => {
    arena = await startTestArena();
    hold = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([hold], 60_000);
    const app = new Hono();
    ws = attachWebSocket(app, {
      db: arena.db,
      pollIntervalMs: 200,
      auth: { apiToken: TOKEN, readTokenRequired: true, corsOrigins: ['https://arena.example.com'] },
      limits: { authTimeoutMs: 500, maxConnectionsPerClient: 4 },
    });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
    });
    ws.injectWebSocket(server);
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/agents/${hold.id}`;
  });
  afterEach(() => {
    for (const c of opened.splice(0)) c.close();
  });
  after(async () => {
    await ws?.close();
    await new Promise((resolve) => server?.close(resolve));
    await arena?.close();
  });

  it('closes a socket that shows no token (4401) without subscribing it or sending it anything', async () => {
    const silent = await open();
    await eventually('the unauthenticated socket closed', async () => silent.closedWith !== null, 10_000);
    assert.equal(silent.closedWith, 4401);
    assert.deepEqual(silent.messages, []);

    const wrong = await open();
    wrong.send({ action: 'auth', token: `${TOKEN}x` });
    await eventually('the wrong token closing the socket', async () => wrong.closedWith !== null, 10_000);
    assert.equal(wrong.closedWith, 4401);

    const subscribing = await open();
    subscribing.send({ action: 'subscribe', agent_id: hold.id });
    await eventually('a subscribe before auth closing the socket', async () => subscribing.closedWith !== null, 10_000);
    assert.equal(subscribing.closedWith, 4401);
    assert.ok(!subscribing.messages.some((m) => m.type === 'subscribed'));
  });

  it('takes the token as a first message, or as a subprotocol it never echoes', async () => {
    const byMessage = await open();
    byMessage.send({ action: 'auth', token: TOKEN });
    await byMessage.next('authenticated', (m) => m.type === 'authenticated', 0, 10_000);
    await byMessage.next('subscribed', (m) => m.type === 'subscribed' && m.data.agent_id === hold.id, 0, 10_000);

    const byProtocol = await open({}, ['arena.v1', `bearer.${TOKEN}`]);
    assert.equal(byProtocol.socket.protocol, 'arena.v1');
    await byProtocol.next('subscribed', (m) => m.type === 'subscribed' && m.data.agent_id === hold.id, 0, 10_000);

    await assert.rejects(TestClient.open(url, {}, ['arena.v1', 'bearer.wrong-token']), /Unexpected server response: 401/);
  });

  it('refuses pages from other origins, and more than the per-client number of sockets', async () => {
    await assert.rejects(
      TestClient.open(url, { headers: { Origin: 'https://evil.example.net' } }, ['arena.v1', `bearer.${TOKEN}`]),
      /Unexpected server response: 403/,
    );
    const host = new URL(url).host;
    await open({ headers: { Origin: `http://${host}` } }, ['arena.v1', `bearer.${TOKEN}`]);
    await open({ headers: { Origin: 'https://arena.example.com' } }, ['arena.v1', `bearer.${TOKEN}`]);
    await open({}, ['arena.v1', `bearer.${TOKEN}`]);
    await open({}, ['arena.v1', `bearer.${TOKEN}`]);
    await assert.rejects(TestClient.open(url, {}, ['arena.v1', `bearer.${TOKEN}`]), /Unexpected server response: 429/);
    for (const c of opened.splice(0)) c.close();
    await eventually(
      'a slot free again',
      async () => {
        try {
          opened.push(await TestClient.open(url, {}, ['arena.v1', `bearer.${TOKEN}`]));
          return true;
        } catch {
          return false;
        }
      },
      10_000,
    );
  });

  it('answers hostile messages with an error and stays open', async () => {
    const client = await open({}, ['arena.v1', `bearer.${TOKEN}`]);
    await client.next('subscribed', (m) => m.type === 'subscribed', 0, 10_000);
    const hostile = [
      { action: { toString: 1 } },
      { action: 'subscribe', agent_id: { toString: 1 } },
      { action: ['subscribe'] },
      { action: 'subscribe' },
      { action: 'auth' },
      { __proto__: { action: 'ping' } },
      [1, 2],
      'null',
      '"text"',
    ];
    for (const message of hostile) client.send(message);
    await eventually(
      'an error per hostile message',
      async () => client.messages.filter((m) => m.type === 'error').length >= hostile.length,
      10_000,
    );
    assert.equal(client.socket.readyState, 1);
    client.send({ action: 'ping' });
    await client.next('a pong after all that', (m) => m.type === 'pong', 0, 10_000);
  });
});
