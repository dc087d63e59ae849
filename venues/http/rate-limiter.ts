import { VenueTemporaryError } from '../errors';

/** At most `limit` weight in any `intervalMs` window. */
export interface RateLimit {
  intervalMs: number;
  limit: number;
}

export interface RateLimiterOptions {
  /** Waits longer than this are not slept through: the caller gets a VenueTemporaryError to retry later. */
  maxWaitMs?: number;
  /** Share of each limit we allow ourselves (the venue's own counter may run slightly ahead of ours). */
  headroom?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Spent {
  at: number;
  weight: number;
}

/**
 * A weighted sliding-window limiter for one venue and egress IP. Every agent and activity of a worker
 * that talks to that venue goes through the same instance (see `sharedRateLimiter`), so together they
 * stay under the venue's limits instead of each believing it has the whole budget.
 */
export class WeightedRateLimiter {
  private limits: RateLimit[];
  private spent: Spent[] = [];
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly maxWaitMs: number;
  private readonly headroom: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly name: string,
    limits: RateLimit[],
    options: RateLimiterOptions = {},
  ) {
    this.limits = limits;
    this.maxWaitMs = options.maxWaitMs ?? 15_000;
    this.headroom = options.headroom ?? 0.9;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Replaces the limits, e.g. with the ones the venue publishes in its exchange info. */
  setLimits(limits: RateLimit[]): void {
    if (limits.length > 0) this.limits = limits;
  }

  currentLimits(): readonly RateLimit[] {
    return this.limits;
  }

  /** Waits until `weight` fits in every window, then spends it. Callers are served in arrival order. */
  acquire(weight: number): Promise<void> {
    const turn = this.queue.then(() => this.take(weight));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The venue reported how much of a window's weight this IP has used; never trust ours to be higher. */
  observeUsed(intervalMs: number, used: number): void {
    const now = this.now();
    const ours = this.usedIn(intervalMs, now);
    if (used > ours) this.spent.push({ at: now, weight: used - ours });
  }

  /** After a 429 / 418: nothing goes out before `untilMs` (epoch ms). */
  backOffUntil(untilMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, untilMs);
  }

  /** After a 429 / 418: nothing goes out for `ms` from now (the limiter's clock). */
  backOffFor(ms: number): void {
    this.backOffUntil(this.now() + ms);
  }

  /** Weight spent in the last `intervalMs` (ours, raised to the venue's own count when it reported more). */
  usedWeight(intervalMs: number): number {
    return this.usedIn(intervalMs, this.now());
  }

  /** Milliseconds until requests may go out again because of a back-off (0 when none). */
  backOffRemaining(): number {
    return Math.max(0, this.blockedUntil - this.now());
  }

  private async take(weight: number): Promise<void> {
    for (;;) {
      const now = this.now();
      this.forget(now);
      const wait = Math.max(this.blockedUntil - now, this.waitForRoom(weight, now));
      if (wait <= 0) {
        this.spent.push({ at: now, weight });
        return;
      }
      if (wait > this.maxWaitMs) {
        throw new VenueTemporaryError(
          `${this.name}: rate limit budget exhausted, next request possible in ${Math.ceil(wait / 1000)} s`,
          wait,
        );
      }
      await this.sleep(wait);
    }
  }

  private waitForRoom(weight: number, now: number): number {
    let wait = 0;
    for (const { intervalMs, limit } of this.limits) {
      const budget = Math.max(1, Math.floor(limit * this.headroom));
      // A request heavier than the whole budget could never fit: it goes alone, once the window is empty
      // (without this it would wait one interval after another, forever).
      const needed = Math.min(weight, budget);
      let used = this.usedIn(intervalMs, now);
      if (used + needed <= budget) continue;
      // Oldest entries leave the window first: wait until enough of them have.
      const windowStart = now - intervalMs;
      for (const s of this.spent) {
        if (s.at <= windowStart) continue;
        used -= s.weight;
        if (used + needed <= budget) {
          wait = Math.max(wait, s.at + intervalMs - now + 1);
          break;
        }
      }
    }
    return wait;
  }

  private usedIn(intervalMs: number, now: number): number {
    let used = 0;
    for (const s of this.spent) if (s.at > now - intervalMs) used += s.weight;
    return used;
  }

  private forget(now: number): void {
    const longest = Math.max(0, ...this.limits.map((l) => l.intervalMs));
    while (this.spent.length > 0 && this.spent[0]!.at <= now - longest) this.spent.shift();
  }
}

const shared = new Map<string, WeightedRateLimiter>();

/** Every process-wide limiter made so far (for the metrics). */
export function sharedRateLimiters(): WeightedRateLimiter[] {
  return [...shared.values()];
}

/**
 * The process-wide limiter for `key` (venue and egress host, e.g. "binance:fapi.binance.com"),
 * created with `limits` the first time it is asked for.
 */
export function sharedRateLimiter(key: string, limits: RateLimit[], options?: RateLimiterOptions): WeightedRateLimiter {
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = new WeightedRateLimiter(key, limits, options);
    shared.set(key, limiter);
  }
  return limiter;
}
