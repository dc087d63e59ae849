import { limiterLabels, venueBackoffs, venueErrors, venueRequests } from '../../observability/metrics';
import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';
import type { WeightedRateLimiter } from './rate-limiter';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Weight this request costs on the venue's IP limit. */
  weight: number;
  /**
   * True when the request changes state on the venue (an order): a timeout or 503 then leaves the
   * outcome unknown (VenueOutcomeUnknown) rather than simply failed.
   */
  mutates?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** How long to stay away after a 429 / 418 when the venue gives no Retry-After. */
export const DEFAULT_BACKOFF_MS = { 429: 10_000, 418: 120_000 } as const;

/**
 * Sends one request through the venue's shared limiter. Network errors, timeouts, 429, 418 and 5xx
 * become VenueTemporaryError (VenueOutcomeUnknown for a state-changing request whose fate is not
 * known); 429 and 418 also stop every other request to the venue until the back-off ends, honouring
 * Retry-After. Any other status is returned for the adapter to read the venue's error body.
 */
export async function sendHttp(limiter: WeightedRateLimiter, request: HttpRequest): Promise<HttpResponse> {
  const labels = limiterLabels(limiter.name);
  const failed = (errorClass: VenueErrorClass) => venueErrors.inc({ ...labels, class: errorClass });
  await limiter.acquire(request.weight).catch((err: unknown) => {
    failed('budget_exhausted');
    throw err;
  });
  venueRequests.inc(labels);
  const what = `${request.method} ${new URL(request.url).pathname}`;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    failed(err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'network');
    const message = `${limiter.name}: ${what} failed before an answer (${reason})`;
    throw request.mutates ? new VenueOutcomeUnknown(message) : new VenueTemporaryError(message);
  }
  const { status } = response;
  let text = '';
  let bodyLost: string | undefined;
  try {
    text = await response.text();
  } catch (err) {
    // The connection dropped or the timeout ran out while the body was arriving.
    bodyLost = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  if (status === 429 || status === 418) {
    const retryAfterMs = retryAfter(response.headers) ?? DEFAULT_BACKOFF_MS[status];
    limiter.backOffFor(retryAfterMs);
    failed(status === 418 ? 'ip_banned' : 'rate_limited');
    venueBackoffs.inc({ ...labels, status: String(status) });
    const what429 = status === 418 ? 'IP banned for ignoring rate limits' : 'rate limit hit';
    throw new VenueTemporaryError(
      `${limiter.name}: ${what} answered ${status} (${what429}), backing off ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
      status,
    );
  }
  if (status >= 500 || status === 408) {
    failed(status === 408 ? 'timeout' : 'server');
    const message = `${limiter.name}: ${what} answered ${status}: ${text.slice(0, 200)}`;
    // A server error may come after the venue acted on an order (Binance: 503 "unknown error").
    if (request.mutates) throw new VenueOutcomeUnknown(message, undefined, status);
    throw new VenueTemporaryError(message, undefined, status);
  }
  if (bodyLost !== undefined) {
    // Not an answer the adapter can read: a success with an empty text would be misread. For an order
    // the venue may well have acted (the status said so), so its outcome is unknown.
    failed('body_lost');
    const message = `${limiter.name}: ${what} answered ${status} but the body was cut off (${bodyLost})`;
    if (request.mutates) throw new VenueOutcomeUnknown(message, undefined, status);
    throw new VenueTemporaryError(message, undefined, status);
  }
  // A 4xx is the adapter's to read (a refusal, or an order looked up and not found): counted apart from failures.
  if (status >= 400) failed('refused');
  return { status, headers: response.headers, text };
}

/** How a venue request failed (arena_venue_errors_total); `refused` is a 4xx answer. */
type VenueErrorClass = 'budget_exhausted' | 'network' | 'timeout' | 'rate_limited' | 'ip_banned' | 'server' | 'body_lost' | 'refused';

/** Retry-After as seconds or an HTTP date, in ms from now. */
export function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
