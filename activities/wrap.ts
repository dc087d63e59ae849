// Any parameters: an activity of any signature must be assignable (unknown[] parameters are not, by variance).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActivityFn = (...args: any[]) => Promise<unknown>;

/** Every activity of `activities`, run inside `around` (which calls `run` once and returns its result). */
export function wrapEach<T extends Record<string, ActivityFn>>(
  activities: T,
  around: (run: () => Promise<unknown>, name: string) => Promise<unknown>,
): T {
  const wrapped: Record<string, ActivityFn> = {};
  for (const [name, fn] of Object.entries(activities)) wrapped[name] = (...args: unknown[]) => around(() => fn(...args), name);
  return wrapped as T;
}
