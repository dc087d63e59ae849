import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';
import { type HttpRequest, sendHttp } from '../http/http-client';
import type { WeightedRateLimiter } from '../http/rate-limiter';
import { retryRead } from '../http/read-retry';
import { type Params, formEncode, paramEntries } from './encoding';
import { BinanceFamilyRejection, type ErrorContext, errorRule, venueError } from './errors';
import type { RequestSigner } from './signing';

export interface RestClientOptions {
  /** "binance" / "aster": first word of every error message. */
  venue: string;
  /** Account name for error messages (never a credential); absent for public market data. */
  account?: string;
  baseUrl: string;
  limiter: WeightedRateLimiter;
  /** Path of the server time endpoint (unsigned). */
  timePath: string;
  /** Needed for signed calls only. */
  signer?: RequestSigner;
  timeoutMs?: number;
  /** Told about every rejection before it is thrown (e.g. to refresh cached exchange info). */
  onRejection?: (err: BinanceFamilyRejection) => void;
}

export interface CallSpec {
  method: HttpRequest['method'];
  path: string;
  params?: Params;
  /** IP weight of the request. */
  weight: number;
  signed?: boolean;
  /** State-changing (orders, leverage...): a lost answer leaves the outcome unknown. */
  mutates?: boolean;
}

const USED_WEIGHT_HEADER = 'x-mbx-used-weight-1m';

/**
 * The request layer of a Binance-family venue, on top of `sendHttp` and the venue's shared limiter:
 * signs (GET/DELETE in the query string, POST/PUT as a form body), reads the used-weight header,
 * turns the venue's `{code, msg}` errors into VenueRejection / VenueTemporaryError, resynchronises the
 * clock and retries once on -1021, moves the nonce on -4225. Error messages name the venue, account,
 * method and path, and the venue's code and message; never the query string, a key or a signature.
 */
export class BinanceFamilyRestClient {
  readonly who: string;
  private clockSync: Promise<void> | null = null;
  /** The venue's clock minus ours (ms), as last read. */
  private offsetMs = 0;

  constructor(private readonly opts: RestClientOptions) {
    this.who = opts.account !== undefined ? `${opts.venue} account "${opts.account}"` : opts.venue;
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  get limiter(): WeightedRateLimiter {
    return this.opts.limiter;
  }

  /** The venue's clock (ms). */
  async serverTime(): Promise<number> {
    const body = await this.call<{ serverTime?: number }>({ method: 'GET', path: this.opts.timePath, weight: 1 });
    const time = Number(body?.serverTime);
    if (!Number.isFinite(time) || time <= 0) {
      throw new VenueTemporaryError(`${this.who}: GET ${this.opts.timePath} answered no serverTime`);
    }
    this.offsetMs = time - Date.now();
    return time;
  }

  /**
   * The venue's current time (ms): ours corrected by the last reading of its clock, which is taken
   * first when a signer has not synchronised yet. History windows are cut on this clock.
   */
  async venueNow(): Promise<number> {
    if (this.opts.signer?.needsClock(Date.now())) await this.syncClock('initial');
    return Date.now() + this.offsetMs;
  }

  async call<T = unknown>(spec: CallSpec): Promise<T> {
    const ctx: ErrorContext = { who: this.who, what: `${spec.method} ${spec.path}`, mutates: !!spec.mutates };
    for (let attempt = 0; ; attempt++) {
      // A read that failed on the way is sent again (signed anew); an order's fate is decided one level up.
      const response = spec.mutates ? await this.send(spec) : await retryRead(() => this.send(spec));
      const used = Number(response.headers.get(USED_WEIGHT_HEADER));
      if (Number.isFinite(used) && used > 0) this.opts.limiter.observeUsed(60_000, used);
      const body = parseBody(response.text);
      const error = errorOf(response.status, body, response.text);
      if (!error) {
        if (body === undefined) {
          // A 2xx the adapter cannot read; for an order the venue did act.
          const message = `${this.who}: ${ctx.what} answered ${response.status} with a body that is not JSON`;
          throw spec.mutates
            ? new VenueOutcomeUnknown(message, undefined, response.status)
            : new VenueTemporaryError(message, undefined, response.status);
        }
        return body as T;
      }
      const rule = error.code === null ? null : errorRule(error.code);
      if (rule?.kind === 'clock' && spec.signed && this.opts.signer) {
        await this.syncClock('clock-error');
        if (attempt === 0) continue; // -1021: once more with the venue's time
      }
      if (rule?.kind === 'nonce' && spec.signed && this.opts.signer) await this.syncClock('nonce-expired');
      if (error.code === -1003) this.opts.limiter.backOffUntil(Date.now() + 10_000);
      const err = venueError(ctx, response.status, error.code, error.msg);
      if (err instanceof BinanceFamilyRejection) this.opts.onRejection?.(err);
      throw err;
    }
  }

  private async send(spec: CallSpec) {
    let payload: string;
    const headers: Record<string, string> = {};
    if (spec.signed) {
      const signer = this.opts.signer;
      if (!signer) throw new Error(`${this.who}: ${spec.method} ${spec.path} needs credentials`);
      if (signer.needsClock(Date.now())) await this.syncClock('initial');
      const signed = await signer.sign(paramEntries(spec.params));
      payload = signed.payload;
      Object.assign(headers, signed.headers);
    } else {
      payload = formEncode(paramEntries(spec.params));
    }
    const inBody = spec.method === 'POST' || spec.method === 'PUT';
    let url = `${this.opts.baseUrl}${spec.path}`;
    let body: string | undefined;
    if (inBody) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = payload;
    } else if (payload) {
      url += `?${payload}`;
    }
    return sendHttp(this.opts.limiter, {
      method: spec.method,
      url,
      headers,
      body,
      weight: spec.weight,
      mutates: spec.mutates,
      timeoutMs: this.opts.timeoutMs,
    });
  }

  /**
   * Reads the venue's clock into the signer; concurrent callers share one request. A venue that does
   * not answer the time endpoint with a usable answer (a rejection) leaves the local clock in use.
   */
  private syncClock(reason: 'initial' | 'clock-error' | 'nonce-expired'): Promise<void> {
    const signer = this.opts.signer!;
    if (reason !== 'initial' || !this.clockSync) {
      const sync = this.serverTime()
        .then(
          (time) => signer.setClock(time, reason),
          (err: unknown) => {
            if (err instanceof BinanceFamilyRejection) {
              if (reason === 'initial') signer.setClock(Date.now(), reason);
              return;
            }
            throw err;
          },
        )
        .finally(() => {
          if (this.clockSync === sync) this.clockSync = null;
        });
      this.clockSync = sync;
    }
    return this.clockSync!;
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The venue's error, if any: a 4xx status, or a 2xx whose body is a negative `{code, msg}` (success
 * answers may carry `code: 200` or `"200"`).
 */
function errorOf(status: number, body: unknown, text: string): { code: number | null; msg: string } | null {
  const obj = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { code?: unknown; msg?: unknown }) : null;
  const code = obj && obj.code !== undefined && obj.code !== null && obj.code !== '' ? Number(obj.code) : NaN;
  const msg = obj && typeof obj.msg === 'string' ? obj.msg : '';
  if (status >= 400) {
    // A body that is not the venue's JSON (a proxy or firewall page): a short, tag-free excerpt.
    const excerpt = obj
      ? msg
      : text
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 160);
    return { code: Number.isFinite(code) && code < 0 ? code : null, msg: excerpt };
  }
  if (Number.isFinite(code) && code < 0) return { code, msg };
  return null;
}
