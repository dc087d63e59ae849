import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';

/**
 * Pauses before the second and third attempt of a read. A venue request that failed on the way (a
 * reset, a timeout, a 5xx, a short 429) usually succeeds at once when sent again; without this, one
 * failed read fails the whole step, and a step that reads five times fails a fifth of the time when
 * one request in twenty-five fails.
 */
export const READ_RETRY_DELAYS_MS = [250, 1_000] as const;
/** A 429 asking to stay away longer than this is not waited out here: the step fails and its own retry comes later. */
export const MAX_READ_RETRY_AFTER_MS = 5_000;

/**
 * Runs a read (`send` builds and sends the request anew each time, so a signed request is signed
 * again) and sends it again after a temporary failure, at most twice. Never for a request that
 * changes state (VenueOutcomeUnknown: the order's client id lookup decides, one level up), an IP ban
 * (418), a refusal, or our own rate-limit budget running out.
 */
export async function retryRead<T>(
  send: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const delay = READ_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !retriable(err)) throw err;
      await sleep(Math.max(delay, err.retryAfterMs ?? 0));
    }
  }
}

function retriable(err: unknown): err is VenueTemporaryError {
  if (!(err instanceof VenueTemporaryError) || err instanceof VenueOutcomeUnknown) return false;
  if (err.status === 418) return false;
  return err.retryAfterMs === undefined || err.retryAfterMs <= MAX_READ_RETRY_AFTER_MS;
}
