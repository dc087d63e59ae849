import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The seed's response envelope: `{ success, data, error }`. */
export function ok<T>(c: Context, data: T, status: ContentfulStatusCode = 200) {
  return c.json({ success: true, data, error: null }, status);
}

export function fail(c: Context, status: ContentfulStatusCode, error: string) {
  return c.json({ success: false, data: null, error }, status);
}

/** A bounded non-negative integer query parameter, or an error message naming it. */
export function intParam(c: Context, name: string, fallback: number, max: number): number | string {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) return `query parameter "${name}" must be a whole number from 0 to ${max}, got "${raw.slice(0, 40)}"`;
  const value = Number(raw);
  return value > max ? `query parameter "${name}" must be at most ${max}, got ${value}` : value;
}
