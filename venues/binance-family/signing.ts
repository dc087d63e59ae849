import type { ParamEntries } from './encoding';

/** Why the request layer hands a signer the venue's clock. */
export type ClockReason = 'initial' | 'clock-error' | 'nonce-expired';

export interface SignedPayload {
  /** The parameter string to send, signature included (query string or form body). */
  payload: string;
  /** Headers the signature needs (Binance: X-MBX-APIKEY). */
  headers: Record<string, string>;
}

/**
 * How one venue signs a request: Binance with HMAC-SHA256 over a timestamped query, Aster v3 with an
 * EIP-712 signature over the parameters plus a microsecond nonce.
 */
export interface RequestSigner {
  /** True when the signer wants the venue's clock before its next signature (first use, or stale). */
  needsClock(nowMs: number): boolean;
  /** The venue's time (ms) read just now. */
  setClock(serverTimeMs: number, reason: ClockReason): void;
  /** Signs the business parameters (in the order they are sent). */
  sign(params: ParamEntries): Promise<SignedPayload>;
}
