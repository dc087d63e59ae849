import assert from 'node:assert/strict';
import type { z } from '@hono/zod-openapi';
import type { createApp } from '../../api/app';
import { envelope } from '../../api/envelope';

export type Api = ReturnType<typeof createApp>;

export interface Answer {
  status: number;
  headers: Headers;
  body: { success: boolean; data: any; error: string | null };
}

export interface CallOptions {
  token?: string;
  /** A value is sent as JSON; a string as it is. */
  body?: unknown;
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** One request; the body must be JSON (every answer of the API is). */
export async function call(api: Api, method: string, url: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await api.request(url, { method, headers, body });
  const text = await res.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url.slice(0, 120)}: ${res.status} answered with no JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** A success envelope whose data is exactly what `schema` describes: no field missing, none undeclared. */
export function conforms<T extends z.ZodType>(answer: Answer, schema: T, status = 200): z.output<T> {
  assert.equal(answer.status, status, JSON.stringify(answer.body).slice(0, 500));
  const parsed = envelope(schema).parse(answer.body);
  assert.deepEqual(parsed, answer.body, 'the answer has fields its schema does not declare');
  return parsed.data as z.output<T>;
}

/** An error envelope with a message (mentioning `mentions` when given). */
export function refused(answer: Answer, status: number | 'any4xx', mentions?: string | RegExp): string {
  const what = JSON.stringify(answer.body).slice(0, 300);
  if (status === 'any4xx') assert.ok(answer.status >= 400 && answer.status < 500, `expected a 4xx, got ${answer.status}: ${what}`);
  else assert.equal(answer.status, status, what);
  assert.equal(answer.body.success, false, what);
  assert.equal(answer.body.data, null, what);
  assert.equal(typeof answer.body.error, 'string', what);
  assert.ok(answer.body.error!.length > 0, what);
  if (mentions !== undefined) {
    if (typeof mentions === 'string')
      assert.ok(answer.body.error!.includes(mentions), `"${answer.body.error}" does not mention ${mentions}`);
    else assert.match(answer.body.error!, mentions);
  }
  return answer.body.error!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
