import { createHmac } from 'node:crypto';
import { type ParamEntries, formEncode } from '../binance-family/encoding';
import type { ClockReason, RequestSigner, SignedPayload } from '../binance-family/signing';

/** hex(HMAC-SHA256(secret, totalParams)), lowercase: Binance's (and Aster v1's) request signature. */
export function hmacSha256Hex(secret: string, totalParams: string): string {
  return createHmac('sha256', secret).update(totalParams, 'utf8').digest('hex');
}

export interface BinanceSignerOptions {
  /** Binance recommends at most 5000 ms. */
  recvWindow?: number;
  /** Resynchronise the clock offset after this long (ms). */
  resyncAfterMs?: number;
  now?: () => number;
}

/**
 * Signs Binance USD-M requests: the parameters, then recvWindow and timestamp (local time corrected by
 * the offset to the venue's clock), URL-encoded, then `signature` = HMAC-SHA256 of that string as the
 * last parameter. The API key travels in the X-MBX-APIKEY header only.
 */
export class BinanceHmacSigner implements RequestSigner {
  private offsetMs = 0;
  private syncedAt: number | null = null;
  private readonly recvWindow: number;
  private readonly resyncAfterMs: number;
  private readonly now: () => number;

  // ES private fields: never shown by util.inspect or JSON.stringify.
  readonly #apiKey: string;
  readonly #apiSecret: string;

  constructor(apiKey: string, apiSecret: string, opts: BinanceSignerOptions = {}) {
    this.#apiKey = apiKey;
    this.#apiSecret = apiSecret;
    this.recvWindow = opts.recvWindow ?? 5000;
    this.resyncAfterMs = opts.resyncAfterMs ?? 30 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Milliseconds the venue's clock is ahead of ours. */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  needsClock(nowMs: number): boolean {
    return this.syncedAt === null || nowMs - this.syncedAt > this.resyncAfterMs;
  }

  setClock(serverTimeMs: number, _reason: ClockReason): void {
    const now = this.now();
    this.offsetMs = serverTimeMs - now;
    this.syncedAt = now;
  }

  async sign(params: ParamEntries): Promise<SignedPayload> {
    const timestamp = Math.round(this.now() + this.offsetMs);
    const query = formEncode([...params, ['recvWindow', String(this.recvWindow)], ['timestamp', String(timestamp)]]);
    return { payload: `${query}&signature=${hmacSha256Hex(this.#apiSecret, query)}`, headers: { 'X-MBX-APIKEY': this.#apiKey } };
  }
}
