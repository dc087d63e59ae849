import { toActivityFailure } from '../venues/errors';

type ActivityFn = (...args: any[]) => Promise<unknown>;

/**
 * Venue errors leave every activity as Temporal expects them: a rejection (bad signature, margin,
 * precision, unknown symbol, missing credentials) fails for good; a temporary error (network, 5xx,
 * 429/418) is retried by the activity's retry policy, no sooner than the venue's Retry-After.
 */
export function withVenueFailures<T extends Record<string, ActivityFn>>(activities: T): T {
  const wrapped: Record<string, ActivityFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
