import { ApiError, Errors } from './errors';

/**
 * The venue's rate limits, as Binance (and Aster, its copy) enforce them:
 *
 * - REQUEST_WEIGHT per minute per client IP, in fixed windows that start on the clock minute (the
 *   counter reported in `X-MBX-USED-WEIGHT-1M` drops to zero at each new minute).
 * - ORDERS per 10 s and per minute per account (`X-MBX-ORDER-COUNT-10S` / `-1M`); over → 429 -1015.
 * - Going over the weight limit answers 429 -1003 with `Retry-After` = seconds to the next window.
 *   Sending again before that is ignoring the back-off: the `banAfterIgnoredBackOffs`-th such request
 *   (default 1, i.e. the first) is answered 418 and bans the IP for `banSeconds` (120 s, doubling with
 *   each further ban up to 3 days); every request during the ban gets 418 with the ban's remaining
 *   seconds in Retry-After.
 */

export interface RateLimitOptions {
  requestWeightPerMinute: number;
  ordersPer10s: number;
  ordersPerMinute: number;
  banSeconds: number;
  banAfterIgnoredBackOffs: number;
  now: () => number;
}

interface IpState {
  window: number;
  used: number;
  backOffUntil: number;
  ignored: number;
  bannedUntil: number;
  bans: number;
}

interface OrderState {
  window10s: number;
  count10s: number;
  window1m: number;
  count1m: number;
}

const MINUTE = 60_000;
const MAX_BAN_MS = 3 * 24 * 3600_000;

export class RateLimits {
  private readonly ips = new Map<string, IpState>();
  private readonly accounts = new Map<string, OrderState>();

  constructor(readonly options: RateLimitOptions) {}

  /** Spends `weight` for the IP, or throws the 429 / 418 the venue would answer. */
  spend(ip: string, weight: number): void {
    const now = this.options.now();
    const state = this.ip(ip, now);
    if (state.bannedUntil > now) throw this.banError(state, now);
    if (state.backOffUntil > now) {
      state.ignored += 1;
      if (state.ignored >= this.options.banAfterIgnoredBackOffs) {
        const banMs = Math.min(MAX_BAN_MS, this.options.banSeconds * 1000 * 2 ** state.bans);
        state.bans += 1;
        state.bannedUntil = now + banMs;
        state.backOffUntil = 0;
        throw this.banError(state, now);
      }
      throw this.tooMany(state.backOffUntil, now);
    }
    if (state.used + weight > this.options.requestWeightPerMinute) {
      state.backOffUntil = (state.window + 1) * MINUTE;
      state.ignored = 0;
      throw this.tooMany(state.backOffUntil, now);
    }
    state.used += weight;
  }

  usedWeight(ip: string): number {
    return this.ip(ip, this.options.now()).used;
  }

  /** Counts one new order for the account; throws 429 -1015 when a window is full. */
  countOrder(account: string): void {
    const now = this.options.now();
    const state = this.orders(account, now);
    if (state.count10s >= this.options.ordersPer10s) {
      throw withRetryAfter(Errors.tooManyOrders(this.options.ordersPer10s, '10 SECOND'), (state.window10s + 1) * 10_000 - now);
    }
    if (state.count1m >= this.options.ordersPerMinute) {
      throw withRetryAfter(Errors.tooManyOrders(this.options.ordersPerMinute, '1 MINUTE'), (state.window1m + 1) * MINUTE - now);
    }
    state.count10s += 1;
    state.count1m += 1;
  }

  orderCounts(account: string): { count10s: number; count1m: number } {
    const { count10s, count1m } = this.orders(account, this.options.now());
    return { count10s, count1m };
  }

  private ip(ip: string, now: number): IpState {
    const window = Math.floor(now / MINUTE);
    let state = this.ips.get(ip);
    if (!state) {
      state = { window, used: 0, backOffUntil: 0, ignored: 0, bannedUntil: 0, bans: 0 };
      this.ips.set(ip, state);
    }
    if (state.window !== window) {
      state.window = window;
      state.used = 0;
    }
    return state;
  }

  private orders(account: string, now: number): OrderState {
    const window10s = Math.floor(now / 10_000);
    const window1m = Math.floor(now / MINUTE);
    let state = this.accounts.get(account);
    if (!state) {
      state = { window10s, count10s: 0, window1m, count1m: 0 };
      this.accounts.set(account, state);
    }
    if (state.window10s !== window10s) Object.assign(state, { window10s, count10s: 0 });
    if (state.window1m !== window1m) Object.assign(state, { window1m, count1m: 0 });
    return state;
  }

  private tooMany(until: number, now: number): ApiError {
    return withRetryAfter(Errors.tooManyRequests(this.options.requestWeightPerMinute), until - now);
  }

  private banError(state: IpState, now: number): ApiError {
    return withRetryAfter(Errors.banned(state.bannedUntil), state.bannedUntil - now);
  }
}

function withRetryAfter(error: ApiError, ms: number): ApiError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new ApiError(error.code, error.msg, error.status, { 'Retry-After': String(seconds) });
}
