import { VenueRejection } from './venue';

export { VenueRejection };

/**
 * A failure that may pass by itself: network error, timeout, 5xx, rate limit or ban. Retrying is
 * right; `retryAfterMs` says when, if the venue said (Retry-After) or a ban is known to last.
 */
export class VenueTemporaryError extends Error {
  override name = 'VenueTemporaryError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
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

/** No adapter serves this venue type: no retry will change that. */
export class VenueUnavailableError extends Error {
  override name = 'VenueUnavailable';
}
