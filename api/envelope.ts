/**
 * What every route shares: the seed's `{ success, data, error }` envelope, error responses, the
 * validation hook that turns a zod issue into a 400 naming the parameter, and the common parameters
 * (agent id, paging, time range).
 */
import { z, type Hook } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AGENT_ID_PATTERN } from '../arena-config/schema';

// ---------------------------------------------------------------------------------------------
// The envelope.

export const ErrorBody = z
  .object({
    success: z.literal(false),
    data: z.null(),
    error: z.string().openapi({ description: 'What went wrong; names the parameter or field at fault' }),
  })
  .openapi('Error');

export const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data, error: z.null() });

export function ok<T>(c: Context, data: T) {
  return c.json({ success: true as const, data, error: null }, 200);
}

/** The bytes `ok(c, data)` would send, serialised ahead (for answers cached as text). */
export function successBody<T>(data: T): string {
  return JSON.stringify({ success: true, data, error: null });
}

/** `ok` for a body made by `successBody`, typed as `ok`'s answer (the route's response schema checks `data`). */
export function okSerialized<T>(c: Context, body: string) {
  return c.body(body, 200, { 'content-type': 'application/json' }) as unknown as ReturnType<typeof ok<T>>;
}

/** A success answer with another status (202). */
export function okAs<T, S extends ContentfulStatusCode>(c: Context, status: S, data: T) {
  return c.json({ success: true as const, data, error: null }, status);
}

export function fail<S extends ContentfulStatusCode>(c: Context, status: S, error: string) {
  return c.json({ success: false as const, data: null, error }, status);
}

// ---------------------------------------------------------------------------------------------
// Route response declarations: `responses: { ...okJson(Schema, '...'), ...errors(400, 404) }`.

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

export const okJson = <T extends z.ZodType>(data: T, description: string) => ({ 200: json(envelope(data), description) });

const ERRORS = {
  400: json(ErrorBody, 'A bad parameter or body field: the message names it'),
  401: json(ErrorBody, 'No bearer token, or not the right one'),
  404: json(ErrorBody, 'No such agent'),
  409: json(ErrorBody, 'The agent is not in a state that allows this (stopped, paused, no record yet)'),
  413: json(ErrorBody, 'The body is too large'),
  415: json(ErrorBody, 'The body is not JSON'),
  503: json(ErrorBody, 'Control is disabled (no API_TOKEN), or Temporal did not answer'),
};

export function errors<const C extends keyof typeof ERRORS>(...codes: C[]): Pick<typeof ERRORS, C> {
  return Object.fromEntries(codes.map((code) => [code, ERRORS[code]])) as Pick<typeof ERRORS, C>;
}

// ---------------------------------------------------------------------------------------------
// Validation failures become a 400 envelope that names the parameter.

const WHERE: Record<string, string> = { query: 'query parameter', param: 'path parameter', json: 'body field', header: 'header' };

/** The OpenAPIHono `defaultHook`: every route (and every mounted OpenAPIHono without its own hook) answers this way. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the hook serves every route: any environment, any path
export const validationHook: Hook<unknown, any, any, unknown> = (result, c) => {
  if (result.success) return undefined;
  return fail(c, 400, describeIssue(result.target, result.error.issues[0]));
};

function describeIssue(target: string, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `invalid ${target}`;
  const path = issue.path.map(String).join('.');
  const where = path ? `${WHERE[target] ?? target} "${path}"` : target === 'json' ? 'request body' : `${WHERE[target] ?? target}s`;
  if (issue.code === 'unrecognized_keys') return `${where}: unknown field "${issue.keys[0]}"`;
  return `${where}: ${issue.message}`;
}

// ---------------------------------------------------------------------------------------------
// Parameters.

export const AgentIdParam = z.object({
  id: z
    .string()
    .regex(AGENT_ID_PATTERN, { error: 'expected an agent id: letters, digits, ".", "_" or "-", at most 64 characters' })
    .openapi({ param: { name: 'id', in: 'path' }, example: 'ema-trend' }),
});

/** A whole number in a query string: digits only (no signs, exponents, spaces or hex), within bounds. */
export function wholeNumber(min: number, max: number, fallback: number, description: string) {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z
    .string({ error: `${expected} (given once)` })
    .regex(/^\d{1,12}$/, { error: expected })
    .transform(Number)
    .pipe(z.number().min(min, { error: expected }).max(max, { error: expected }))
    .default(fallback)
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback, description });
}

const TIME_FORMS = 'an ISO 8601 time with a zone (2024-10-01T00:00:00Z), a date (2024-10-01, UTC) or epoch milliseconds';
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);

/** Epoch ms, or a strict ISO 8601 date / date-time with a zone (no February 30th, no 24:00). */
function parseTime(text: string): Date | null {
  let ms = NaN;
  if (/^\d{1,15}$/.test(text)) {
    ms = Number(text);
  } else {
    const m = ISO_TIME.exec(text);
    const [year, month, day, hour, minute, second] = (m?.slice(1) ?? []).map((part) => Number(part ?? 0));
    const realDay = m !== null && month! >= 1 && month! <= 12 && new Date(Date.UTC(year!, month! - 1, day!)).getUTCDate() === day;
    if (realDay && hour! < 24 && minute! < 60 && second! < 60) ms = Date.parse(text);
  }
  return Number.isFinite(ms) && ms >= MIN_TIME && ms <= MAX_TIME ? new Date(ms) : null;
}

function timeParam(description: string) {
  return z
    .string({ error: `expected ${TIME_FORMS} (given once)` })
    .transform((text, ctx) => {
      const time = parseTime(text);
      if (time) return time;
      ctx.addIssue({ code: 'custom', message: `expected ${TIME_FORMS}, got "${text.slice(0, 40)}"` });
      return z.NEVER;
    })
    .optional()
    .openapi({ type: 'string', description, example: '2024-10-01T00:00:00Z' });
}

const timeRange = {
  from: timeParam('Market time from (inclusive)'),
  to: timeParam('Market time to (exclusive)'),
};
const fromBeforeTo = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to;

/**
 * The market-time window `[from, to)`. Market time is the replay's clock (the bars the agent traded
 * on); in live trading it is the wall clock.
 */
export function timeRangeQuery() {
  return z.object(timeRange).refine(fromBeforeTo, { path: ['to'], error: 'must be later than "from"' });
}

/** `limit` / `offset` (newest first) and the market-time window `[from, to)` of a growing list. */
export function listQuery(defaultLimit: number, maxLimit: number) {
  return z
    .object({
      limit: wholeNumber(1, maxLimit, defaultLimit, `How many rows (1 to ${maxLimit}, default ${defaultLimit})`),
      offset: wholeNumber(0, 1_000_000_000, 0, 'How many of the newest rows to skip'),
      ...timeRange,
    })
    .refine(fromBeforeTo, { path: ['to'], error: 'must be later than "from"' });
}

// ---------------------------------------------------------------------------------------------
// The agent's row, or a 404.

export { findAgent } from '../db/agents';

export const noAgent = (c: Context, id: string) => fail(c, 404, `no agent "${id}"`);
