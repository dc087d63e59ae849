import type { IRequestTransport } from '@nktkas/hyperliquid';
import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';
import { sendHttp } from '../http/http-client';
import { RateLimit, WeightedRateLimiter, sharedRateLimiter } from '../http/rate-limiter';
import { retryRead } from '../http/read-retry';
import { errorForMessage } from './errors';

export const MAINNET_API_URL = 'https://api.hyperliquid.xyz';
export const TESTNET_API_URL = 'https://api.hyperliquid-testnet.xyz';
export const HYPERLIQUID_BASE_URLS = { mainnet: MAINNET_API_URL, testnet: TESTNET_API_URL } as const;

/** Per IP: 1200 weight per minute (gitbook "Rate limits"). */
export const IP_LIMIT: RateLimit = { intervalMs: 60_000, limit: 1200 };

/** The REST base URL: the configured one, else the venue's default for mainnet / testnet. */
export function hyperliquidBaseUrl(testnet: boolean, override?: string): string {
  return (override || (testnet ? TESTNET_API_URL : MAINNET_API_URL)).replace(/\/+$/, '');
}

/** The one limiter of every Hyperliquid call of this process to `baseUrl`'s host. */
export function hyperliquidLimiter(baseUrl: string): WeightedRateLimiter {
  return sharedRateLimiter(`hyperliquid:${new URL(baseUrl).host}`, [IP_LIMIT]);
}

const LIGHT_INFO = new Set(['l2Book', 'allMids', 'clearinghouseState', 'orderStatus', 'spotClearinghouseState', 'exchangeStatus']);
const CANDLE_MS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 2_592_000_000,
};
/** candleSnapshot answers at most this many bars. */
const MAX_CANDLES = 5000;

/**
 * The IP weight of one request: exchange actions 1 + floor(batch / 40); l2Book, allMids,
 * clearinghouseState, orderStatus (and two others) 2; userRole 60; any other info request 20, and
 * candleSnapshot one more per 60 bars (estimated from the requested range before the answer comes).
 */
export function requestWeight(endpoint: string, payload: unknown): number {
  const body = (payload ?? {}) as Record<string, unknown>;
  if (endpoint === 'exchange') {
    const action = (body.action ?? {}) as Record<string, unknown>;
    const batch = [action.orders, action.cancels, action.modifies].find(Array.isArray) as unknown[] | undefined;
    return 1 + Math.floor((batch?.length ?? 1) / 40);
  }
  const type = String(body.type);
  if (LIGHT_INFO.has(type)) return 2;
  if (type === 'userRole') return 60;
  if (type === 'candleSnapshot') {
    const req = (body.req ?? {}) as { interval?: string; startTime?: number; endTime?: number };
    const step = CANDLE_MS[req.interval ?? ''] ?? 60_000;
    const span = Math.max(0, (req.endTime ?? Date.now()) - (req.startTime ?? 0));
    return 20 + Math.floor(Math.min(MAX_CANDLES, Math.floor(span / step) + 1) / 60);
  }
  return 20;
}

/**
 * The SDK's transport, through the arena's HTTP client: every info and exchange call of InfoClient
 * and ExchangeClient takes its weight from the shared limiter, and network errors, timeouts, 429/418
 * and 5xx are classified there (an exchange action whose fate is unknown is VenueOutcomeUnknown).
 * Other non-2xx answers (422 "Failed to deserialize…") are refusals.
 */
export class HyperliquidTransport implements IRequestTransport {
  readonly limiter: WeightedRateLimiter;

  constructor(
    readonly baseUrl: string,
    readonly isTestnet: boolean,
    private readonly timeoutMs = 10_000,
  ) {
    this.limiter = hyperliquidLimiter(baseUrl);
  }

  async request<T>(endpoint: 'info' | 'exchange' | 'explorer', payload: unknown): Promise<T> {
    const mutates = endpoint === 'exchange';
    const send = () =>
      sendHttp(this.limiter, {
        method: 'POST',
        url: `${this.baseUrl}/${endpoint}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        weight: requestWeight(endpoint, payload),
        mutates,
        timeoutMs: this.timeoutMs,
      });
    // An info read that failed on the way is sent again; an exchange action's fate is decided one level up.
    const response = mutates ? await send() : await retryRead(send);
    const what = endpoint === 'exchange' ? `exchange ${actionType(payload)}` : `info ${infoType(payload)}`;
    if (response.status < 200 || response.status >= 300) {
      throw errorForMessage(`HTTP ${response.status} ${response.text.slice(0, 300)}`, what);
    }
    try {
      return JSON.parse(response.text) as T;
    } catch {
      const message = `hyperliquid: ${what}: unreadable answer (${response.text.slice(0, 100)})`;
      throw mutates ? new VenueOutcomeUnknown(message) : new VenueTemporaryError(message);
    }
  }
}

function actionType(payload: unknown): string {
  return String((payload as { action?: { type?: unknown } })?.action?.type ?? '?');
}

function infoType(payload: unknown): string {
  return String((payload as { type?: unknown })?.type ?? '?');
}
