import { createHmac } from 'node:crypto';
import { Wallet } from 'ethers';

/**
 * A minimal raw client for tests that want to speak to the mocks (or check a request) without an
 * adapter: builds parameter strings, signs them the documented way and sends them with fetch.
 */

export type ParamValue = string | number | boolean;
export type ParamList = Record<string, ParamValue> | Array<[string, ParamValue]>;

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON (undefined when the body is not JSON). */
  body: any;
}

/** `k=v&...` in the given order, values percent-encoded as a form would be. */
export function paramString(params: ParamList): string {
  const entries = Array.isArray(params) ? params : Object.entries(params);
  return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

/** Sends `payload` as the query string or as an x-www-form-urlencoded body. */
export async function sendRaw(
  baseUrl: string,
  method: string,
  path: string,
  payload: string,
  options: { in?: 'query' | 'body'; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const inBody = options.in === 'body' || (options.in === undefined && method !== 'GET');
  const url = `${baseUrl}${path}${!inBody && payload ? `?${payload}` : ''}`;
  const response = await fetch(url, {
    method,
    headers: { ...(inBody && { 'Content-Type': 'application/x-www-form-urlencoded' }), ...options.headers },
    body: inBody ? payload : undefined,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function publicGet(baseUrl: string, path: string, params: ParamList = {}): Promise<RawResponse> {
  return sendRaw(baseUrl, 'GET', path, paramString(params), { in: 'query' });
}

// ---------------------------------------------------------------------------------------------
// Binance: HMAC-SHA256 over query + body, signature last, X-MBX-APIKEY header.

export interface BinanceCreds {
  apiKey: string;
  apiSecret: string;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** `params&timestamp=..[&recvWindow=..]&signature=..` ready to send. */
export function binanceSignedString(params: ParamList, secret: string, options: { timestamp?: number; recvWindow?: number } = {}): string {
  const entries: Array<[string, ParamValue]> = Array.isArray(params) ? [...params] : Object.entries(params);
  if (options.recvWindow !== undefined) entries.push(['recvWindow', options.recvWindow]);
  entries.push(['timestamp', options.timestamp ?? Date.now()]);
  const payload = paramString(entries);
  return `${payload}&signature=${hmacHex(secret, payload)}`;
}

export function binanceRequest(
  baseUrl: string,
  creds: BinanceCreds,
  method: string,
  path: string,
  params: ParamList = {},
  options: { timestamp?: number; recvWindow?: number; in?: 'query' | 'body' } = {},
): Promise<RawResponse> {
  const payload = binanceSignedString(params, creds.apiSecret, options);
  return sendRaw(baseUrl, method, path, payload, { in: options.in, headers: { 'X-MBX-APIKEY': creds.apiKey } });
}

// ---------------------------------------------------------------------------------------------
// Aster v3: EIP-712 Message{msg} over the parameter string with nonce and signer (and user).

export interface AsterCreds {
  user: string;
  signer: string;
  privateKey: string;
}

let lastNonce = 0;

/** Microseconds, strictly increasing within this process. */
export function asterNonce(): number {
  lastNonce = Math.max(lastNonce + 1, Date.now() * 1000);
  return lastNonce;
}

export const asterDomain = (chainId: number) => ({
  name: 'AsterSignTransaction',
  version: '1',
  chainId,
  verifyingContract: '0x0000000000000000000000000000000000000000',
});
const MESSAGE_TYPES = { Message: [{ name: 'msg', type: 'string' }] };

export interface AsterSignOptions {
  nonce?: number;
  chainId?: number;
  /** Add user=<main account> (the Jan–Apr 2026 scheme). Default false. */
  includeUser?: boolean;
  /** Default true. */
  prefix0x?: boolean;
}

/** `params&nonce=..[&user=..]&signer=..&signature=..` ready to send. */
export async function asterSignedString(params: ParamList, creds: AsterCreds, options: AsterSignOptions = {}): Promise<string> {
  const entries: Array<[string, ParamValue]> = Array.isArray(params) ? [...params] : Object.entries(params);
  entries.push(['nonce', options.nonce ?? asterNonce()]);
  if (options.includeUser) entries.push(['user', creds.user]);
  entries.push(['signer', creds.signer]);
  const msg = paramString(entries);
  const signature = await new Wallet(creds.privateKey).signTypedData(asterDomain(options.chainId ?? 1666), MESSAGE_TYPES, { msg });
  return `${msg}&signature=${options.prefix0x === false ? signature.slice(2) : signature}`;
}

export async function asterRequest(
  baseUrl: string,
  creds: AsterCreds,
  method: string,
  path: string,
  params: ParamList = {},
  options: AsterSignOptions & { in?: 'query' | 'body' } = {},
): Promise<RawResponse> {
  const payload = await asterSignedString(params, creds, options);
  return sendRaw(baseUrl, method, path, payload, { in: options.in });
}
