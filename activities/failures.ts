import { ApplicationFailure } from '@temporalio/common';
import { LlmCallError, type LlmErrorKind } from '../decisions/llm/types';
import { FencingRejected } from '../execution/fencing';
import { ReplayEndedError } from '../market/replay';
import { NoMarketDataError } from '../market/snapshot';
import { VenueRejection, VenueTemporaryError, VenueUnavailableError } from '../venues/errors';
import { LockTimeoutError } from './trading-lock';
import { type ActivityFn, wrapEach } from './wrap';

/** Temporal error types of failed model calls: the first two are permanent. */
const MODEL_FAILURE_TYPE: Record<LlmErrorKind, string> = {
  auth: 'LlmAuthError',
  bad_request: 'LlmBadRequest',
  rate_limited: 'LlmRateLimited',
  timeout: 'LlmTimeout',
  server: 'LlmUnavailable',
  network: 'LlmUnavailable',
  cancelled: 'LlmCancelled',
};

/**
 * How the domain's errors leave an activity, so that Temporal retries what may pass and nothing else:
 * a venue's refusal, a replay past its data, a symbol without data, a fenced-out order phase, a lock
 * not granted in time or a refused model key fail for good (their type names them); a venue's or a
 * model's passing trouble is retried, no sooner than it asked (Retry-After). The domain modules know
 * nothing of Temporal: this is the one place that maps.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const permanent = (type: string, message = (err as Error).message) =>
    ApplicationFailure.create({ message, type, nonRetryable: true, cause: err as Error });
  if (err instanceof VenueRejection) return permanent(`VenueRejection.${err.code}`, `${err.code}: ${err.message}`);
  if (err instanceof VenueTemporaryError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.name,
      nonRetryable: false,
      cause: err,
      ...(err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  if (err instanceof VenueUnavailableError) return permanent('VenueUnavailable');
  if (err instanceof ReplayEndedError) return permanent('ReplayEnded');
  if (err instanceof NoMarketDataError) return permanent('NoMarketData');
  if (err instanceof FencingRejected) return permanent('FencingRejected');
  if (err instanceof LockTimeoutError) return permanent('LockTimeout');
  if (err instanceof LlmCallError) {
    const type = MODEL_FAILURE_TYPE[err.kind];
    if (err.kind === 'auth' || err.kind === 'bad_request') return permanent(type);
    return ApplicationFailure.create({
      message: err.message,
      type,
      nonRetryable: false,
      cause: err,
      ...(err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  return err;
}

export function withDomainFailures<T extends Record<string, ActivityFn>>(activities: T): T {
  return wrapEach(activities, (run) =>
    run().catch((err: unknown) => {
      throw toActivityFailure(err);
    }),
  );
}
