import { processSecrets } from '../secrets/known-secrets';
import { type ActivityFn, wrapEach } from './wrap';

/**
 * No secret leaves an activity inside an error: a failure's message, stack and causes are redacted
 * (secrets/redact.ts) before Temporal writes them into the workflow's history, its logs and, through
 * the cycle's failure record, the database.
 */
export function withRedactedFailures<T extends Record<string, ActivityFn>>(activities: T): T {
  return wrapEach(activities, (run) =>
    run().catch((err: unknown) => {
      throw redactError(err);
    }),
  );
}

export function redactError<E>(err: E): E {
  const redactor = processSecrets();
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    e.message = redactor.redact(e.message);
    if (e.stack) e.stack = redactor.redact(e.stack);
  }
  return err;
}
