import { Context } from '@temporalio/activity';
import { type ActivityFn, wrapEach } from './wrap';

const HEARTBEAT_EVERY_MS = 2000;

/**
 * Heartbeats every 2 s while each activity runs, so that with a short `heartbeatTimeout` a worker
 * that dies mid-activity is noticed in seconds (not at the end of the start-to-close timeout) and the
 * activity is retried elsewhere. Retrying is safe: every activity is idempotent.
 */
export function withHeartbeats<T extends Record<string, ActivityFn>>(activities: T): T {
  return wrapEach(activities, async (run) => {
    const context = Context.current();
    const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await run();
    } finally {
      clearInterval(timer);
    }
  });
}
