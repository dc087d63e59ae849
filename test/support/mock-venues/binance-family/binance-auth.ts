import { createHmac, timingSafeEqual } from 'node:crypto';
import { Errors } from './errors';
import { type Authenticator, type RawRequest, withoutSignature } from './request';

/**
 * Binance SIGNED (TRADE / USER_DATA) endpoints:
 * - `X-MBX-APIKEY` header: missing → 401 -2014, unknown → 401 -2015.
 * - `signature` = lowercase hex HMAC-SHA256(secret, queryString + body), no `&` between the two,
 *   computed over the strings as sent; `signature` must be the last parameter; else -1022.
 * - `timestamp` (ms) mandatory (-1102); `recvWindow` default 5000, at most 60000 (-1131);
 *   -1021 when `timestamp >= serverTime + 1000` or `serverTime - timestamp > recvWindow`.
 */
export interface BinanceKey {
  apiKey: string;
  apiSecret: string;
  account: string;
}

export class BinanceAuth implements Authenticator {
  private readonly keys = new Map<string, BinanceKey>();

  constructor(
    keys: BinanceKey[],
    private readonly now: () => number,
  ) {
    for (const key of keys) this.keys.set(key.apiKey, key);
  }

  authenticate(request: RawRequest): string {
    const header = request.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (!apiKey) throw Errors.badApiKeyFormat();
    const key = this.keys.get(apiKey);
    if (!key) throw Errors.rejectedKey();

    const { params } = request;
    const timestamp = params.requiredInt('timestamp');
    const recvWindow = params.int('recvWindow') ?? 5000;
    if (recvWindow <= 0 || recvWindow > 60_000) throw Errors.badRecvWindow();
    const signature = params.required('signature');

    const query = withoutSignature(request.query);
    const body = withoutSignature(request.body);
    const signedLast = query.found ? query.last && !body.found : body.last;
    const expected = createHmac('sha256', key.apiSecret)
      .update(query.rest + body.rest)
      .digest('hex');
    if (!signedLast || !sameHex(signature, expected)) throw Errors.badSignature();

    const serverTime = this.now();
    if (timestamp >= serverTime + 1000) throw Errors.timestampAhead();
    if (serverTime - timestamp > recvWindow) throw Errors.timestampOutside();
    return key.account;
  }
}

function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
