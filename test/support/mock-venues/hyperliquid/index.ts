import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import type { MockRequestLog, MockVenueFault, MockVenueServer } from '../mock-venue';
import { NonceBook, SignedBody, recoverL1Signer } from './auth';
import { MockAccount, MockExchange, MockOrder, OrderWire } from './engine';
import { Directory, UnknownInfoRequest, answerInfo } from './info';
import { IpWeightLimiter, exchangeWeight, infoWeight } from './rate-limit';
import { CLOID, DEFAULT_UNIVERSE, MockAsset } from './rules';

export interface HyperliquidMockAccount {
  /** Main account address. */
  user: string;
  /** Agent (API) wallets approved for it. */
  agents?: string[];
  /** USDC balance; default options.initialBalance. */
  balance?: number;
}

export interface HyperliquidMockOptions {
  accounts: HyperliquidMockAccount[];
  /** USDC per account (default 10 000). */
  initialBalance?: number;
  /** Prices by arena symbol (BTCUSDT) or coin. */
  prices?: Record<string, number>;
  /** Per-IP weight per minute (default 1200); over it, 429. */
  weightPerMinute?: number;
  /** Signatures must carry the testnet source "b" (default false: mainnet "a"). */
  testnet?: boolean;
  universe?: MockAsset[];
  /** Taker fee rate (default 0.00045 = 0.045 %). */
  takerFeeRate?: number;
  /** Open interest by arena symbol or coin, on top of the accounts' positions (metaAndAssetCtxs). */
  openInterest?: Record<string, number>;
  now?: () => number;
}

export interface MockBalance {
  withdrawable: number;
  accountValue: number;
  marginUsed: number;
}

export interface MockPositionView {
  symbol: string;
  coin: string;
  szi: number;
  entryPx: number;
  margin: number;
  leverage: number;
  marginType: 'isolated' | 'cross';
}

export interface HyperliquidMockServer extends MockVenueServer {
  balanceOf(user: string): MockBalance;
  positionsOf(user: string): MockPositionView[];
  /** Every order of the user the mock holds (any status). */
  ordersOf(user: string): readonly MockOrder[];
  /** Settles funding at `rate` (positive: longs pay shorts) on every position of the symbol. */
  payFunding(symbol: string, rate: number): void;
}

const UNREADABLE = 'Failed to deserialize the JSON body into the target type';
const FAULT_BODIES: Record<number, unknown> = {
  429: null,
  418: null,
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

interface PendingFault {
  method?: string;
  path: string;
  fault: MockVenueFault;
  remaining: number;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * A local server that speaks Hyperliquid's wire protocol on 127.0.0.1 (free port): POST /info and
 * POST /exchange. Exchange actions are verified as the venue does (action hash, EIP-712 Agent
 * signature, signer = a registered user or an approved agent of one, nonce rules) before the mock
 * exchange (engine.ts) acts on them; info answers come in the documented shapes (meta with its margin
 * tables, and liquidation prices that follow them: rules.ts).
 */
export async function startHyperliquidMock(options: HyperliquidMockOptions): Promise<HyperliquidMockServer> {
  const now = options.now ?? Date.now;
  const testnet = options.testnet ?? false;
  const exchange = new MockExchange(options.universe ?? DEFAULT_UNIVERSE, new Decimal(options.takerFeeRate ?? 0.00045), now);
  const agentOwner = new Map<string, string>();
  for (const a of options.accounts) {
    const user = a.user.toLowerCase();
    exchange.addAccount(user, a.balance ?? options.initialBalance ?? 10_000);
    for (const agent of a.agents ?? []) agentOwner.set(agent.toLowerCase(), user);
  }
  for (const [symbol, price] of Object.entries(options.prices ?? {})) exchange.setPrice(exchange.coinOf(symbol), price);
  for (const [symbol, oi] of Object.entries(options.openInterest ?? {}))
    exchange.extraOpenInterest.set(exchange.coinOf(symbol), new Decimal(oi));
  const directory: Directory = {
    accountOf: (user) => exchange.accounts.get(user),
    userOfAgent: (agent) => agentOwner.get(agent),
    agentsOf: (user) => [...agentOwner].filter(([, owner]) => owner === user).map(([agent]) => agent),
  };
  const nonces = new NonceBook();
  const limiter = new IpWeightLimiter(options.weightPerMinute ?? 1200);
  const faults: PendingFault[] = [];
  const requests: MockRequestLog[] = [];

  function takeFault(method: string, path: string): MockVenueFault | undefined {
    const index = faults.findIndex((f) => f.path === path && (!f.method || f.method === method));
    if (index < 0) return undefined;
    const pending = faults[index]!;
    if (--pending.remaining <= 0) faults.splice(index, 1);
    return pending.fault;
  }

  function info(body: Record<string, any>, ip: string, limited: boolean): Answer {
    let answer: unknown;
    try {
      answer = answerInfo(exchange, directory, body, now());
    } catch (err) {
      if (err instanceof UnknownInfoRequest) return { status: 422, body: UNREADABLE };
      throw err;
    }
    const weight = infoWeight(String(body.type), Array.isArray(answer) ? answer.length : 0);
    if (limited && !limiter.take(ip, weight, now())) return { status: 429, body: null };
    return { status: 200, body: answer };
  }

  function act(body: Record<string, any>, ip: string, limited: boolean): Answer {
    const action = body.action as Record<string, any> | undefined;
    if (!action || typeof action.type !== 'string' || !body.signature || !wellFormed(action)) return { status: 422, body: UNREADABLE };
    if (limited && !limiter.take(ip, exchangeWeight(action), now())) return { status: 429, body: null };
    let signer: string;
    try {
      signer = recoverL1Signer(body as SignedBody, testnet);
    } catch {
      return { status: 200, body: { status: 'err', response: 'Invalid signature.' } };
    }
    const user = exchange.accounts.has(signer) ? signer : agentOwner.get(signer);
    if (!user) return err(`User or API Wallet ${signer} does not exist.`);
    if (body.vaultAddress) return err(`Vault ${String(body.vaultAddress)} does not exist.`);
    if (typeof body.expiresAfter === 'number' && body.expiresAfter < now()) return err('Action expired.');
    const nonceError = nonces.check(signer, body.nonce, now());
    if (nonceError) return err(nonceError);
    nonces.use(signer, body.nonce);
    const account = exchange.accounts.get(user)!;
    return { status: 200, body: perform(account, action) };
  }

  function perform(account: MockAccount, action: Record<string, any>): unknown {
    switch (action.type) {
      case 'order': {
        const statuses = (action.orders as OrderWire[]).map((o) => exchange.placeOrder(account, o, String(action.grouping ?? 'na')));
        return { status: 'ok', response: { type: 'order', data: { statuses } } };
      }
      case 'cancel':
      case 'cancelByCloid': {
        const statuses = (action.cancels as Array<Record<string, unknown>>).map((c) =>
          action.type === 'cancel'
            ? exchange.cancel(account, c.a, { oid: c.o })
            : exchange.cancel(account, c.asset, { cloid: String(c.cloid).toLowerCase() }),
        );
        return { status: 'ok', response: { type: 'cancel', data: { statuses } } };
      }
      case 'updateLeverage': {
        const error = exchange.updateLeverage(account, action.asset, action.isCross, action.leverage);
        return error ? { status: 'err', response: error } : { status: 'ok', response: { type: 'default' } };
      }
      default:
        return { status: 'err', response: `Unsupported action type ${String(action.type)} (mock)` };
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      let body: Record<string, any> | undefined;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, any>;
      } catch {
        body = undefined;
      }
      const params = { type: path === '/exchange' ? body?.action?.type : body?.type };
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
        res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...headers });
        res.end(text);
        requests.push({ method, path, params, status, at: now() });
      };
      const sendFault = (fault: MockVenueFault) =>
        send(
          fault.status,
          fault.body !== undefined ? fault.body : (FAULT_BODIES[fault.status] ?? ''),
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
        );

      if (method !== 'POST' || (path !== '/info' && path !== '/exchange')) return send(404, 'Not Found');
      const fault = takeFault(method, path);
      if (fault && !fault.afterProcessing) return sendFault(fault);
      if (!body) return send(422, UNREADABLE);
      const ip = req.socket.remoteAddress ?? '?';
      let answer: Answer;
      try {
        answer = path === '/info' ? info(body, ip, !fault) : act(body, ip, !fault);
      } catch (e) {
        answer = { status: 500, body: `mock error: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (fault) return sendFault(fault);
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const accountOf = (user: string) => {
    const account = exchange.accounts.get(user.toLowerCase());
    if (!account) throw new Error(`mock hyperliquid: no account ${user}`);
    return account;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setPrice: (symbol, price) => exchange.setPrice(exchange.coinOf(symbol), price),
    failNext: (match, fault, count = 1) => {
      faults.push({ method: match.method, path: match.path, fault, remaining: count });
    },
    balanceOf(user) {
      const state = answerInfo(exchange, directory, { type: 'clearinghouseState', user }, now()) as {
        withdrawable: string;
        marginSummary: { accountValue: string; totalMarginUsed: string };
      };
      return {
        withdrawable: Number(state.withdrawable),
        accountValue: Number(state.marginSummary.accountValue),
        marginUsed: Number(state.marginSummary.totalMarginUsed),
      };
    },
    positionsOf: (user) =>
      [...accountOf(user).positions.values()].map((p) => ({
        symbol: `${p.coin.toUpperCase()}USDT`,
        coin: p.coin,
        szi: p.szi.toNumber(),
        entryPx: p.entryPx.toNumber(),
        margin: p.margin.toNumber(),
        leverage: p.leverage.value,
        marginType: p.leverage.type,
      })),
    ordersOf: (user) => accountOf(user).orders,
    payFunding: (symbol, rate) => exchange.payFunding(exchange.coinOf(symbol), rate),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function err(message: string): Answer {
  return { status: 200, body: { status: 'err', response: message } };
}

/** What the venue's deserializer would refuse (422): wrong field types, a malformed cloid. */
function wellFormed(action: Record<string, any>): boolean {
  const cloidOk = (c: unknown) => typeof c === 'string' && CLOID.test(c);
  switch (action.type) {
    case 'order':
      return (
        Array.isArray(action.orders) &&
        action.orders.every(
          (o: any) =>
            o &&
            typeof o === 'object' &&
            typeof o.a === 'number' &&
            typeof o.b === 'boolean' &&
            typeof o.p === 'string' &&
            typeof o.s === 'string' &&
            typeof o.r === 'boolean' &&
            o.t &&
            typeof o.t === 'object' &&
            (o.c === undefined || cloidOk(o.c)),
        )
      );
    case 'cancel':
      return Array.isArray(action.cancels) && action.cancels.every((c: any) => typeof c?.a === 'number' && typeof c?.o === 'number');
    case 'cancelByCloid':
      return Array.isArray(action.cancels) && action.cancels.every((c: any) => typeof c?.asset === 'number' && cloidOk(c?.cloid));
    default:
      return true;
  }
}

export type { MockAsset } from './rules';
export { DEFAULT_UNIVERSE } from './rules';
