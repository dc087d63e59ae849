import { stepDuration } from '../observability/metrics';
import { type ActivityFn, wrapEach } from './wrap';

/** Each attempt of each activity timed into arena_step_duration_seconds{step, outcome}. */
export function withStepTimings<T extends Record<string, ActivityFn>>(activities: T): T {
  return wrapEach(activities, async (run, step) => {
    const stop = stepDuration.startTimer({ step });
    try {
      const result = await run();
      stop({ outcome: 'ok' });
      return result;
    } catch (err) {
      stop({ outcome: 'error' });
      throw err;
    }
  });
}
