import { ApplicationFailure } from '@temporalio/common';
import { VenueRejection } from './venue';

export { VenueRejection };

/**
 * A failure that may pass by itself: network error, timeout, 5xx, rate limit or ban. Retrying is
 * right; `retryAfterMs` says when, if the venue said (Retry-After) or a ban is known to last.
 */
export class VenueTemporaryError extends Error {
  override name = 'VenueTemporaryError';
  constructor(message: string, readonly retryAfterMs?: number, readonly status?: number) {
    super(message);
  }
}

/**
 * The venue may or may not have acted on the request (503 "unknown error", a timeout after an order
 * was sent). Retrying is still right because every order carries its client id: the retry looks the
 * order up before placing it again.
 */
export class VenueOutcomeUnknown extends VenueTemporaryError {
  override name = 'VenueOutcomeUnknown';
}

/**
 * How a venue error leaves an activity: a rejection is permanent (non-retryable, its code in the
 * failure type); a temporary error is retried by Temporal, no sooner than the venue asked.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof VenueRejection) {
    return ApplicationFailure.create({
      message: `${err.code}: ${err.message}`, type: `VenueRejection.${err.code}`, nonRetryable: true, cause: err,
    });
  }
  if (err instanceof VenueTemporaryError) {
    return ApplicationFailure.create({
      message: err.message, type: err.name, nonRetryable: false, cause: err,
      ...(err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  return err;
}
