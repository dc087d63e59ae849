import { toActivityFailure } from '../venues/errors';
import { type ActivityFn, wrapEach } from './wrap';

/**
 * Venue errors leave every activity as Temporal expects them: a rejection (bad signature, margin,
 * precision, unknown symbol, missing credentials) fails for good; a temporary error (network, 5xx,
 * 429/418) is retried by the activity's retry policy, no sooner than the venue's Retry-After.
 */
export function withVenueFailures<T extends Record<string, ActivityFn>>(activities: T): T {
  return wrapEach(activities, (run) => run().catch((err: unknown) => {
    throw toActivityFailure(err);
  }));
}
