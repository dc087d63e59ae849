/**
 * Turns whatever a model call threw (either SDK's errors, fetch errors, our own deadline) into an
 * `LlmCallError` whose kind tells Temporal whether retrying can help, and whose message is safe to
 * log: capped, and scrubbed of the API key (SDKs and servers echo request details).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { processSecrets } from '../../secrets/known-secrets';
import { LlmCallError, type LlmErrorKind } from './types';

const MAX_MESSAGE_CHARS = 500;

export interface CallContext {
  /** "deepseek deepseek-chat": prefixes every message. */
  label: string;
  apiKey: string | undefined;
  /** The caller's signal (activity cancellation). */
  signal?: AbortSignal;
  /** True once our own deadline fired. */
  timedOut: boolean;
  timeoutMs: number;
}

export function toLlmCallError(err: unknown, ctx: CallContext): LlmCallError {
  if (err instanceof LlmCallError) return err;
  const make = (kind: LlmErrorKind, detail: string, status?: number, retryAfterMs?: number) =>
    new LlmCallError(kind, safeMessage(`${ctx.label}: ${detail}`, ctx.apiKey), status, retryAfterMs);

  // The caller's cancellation first: the SDKs then report a user abort, or a connection error.
  if (ctx.signal?.aborted) return make('cancelled', 'call cancelled');
  if (ctx.timedOut || isSdkError(err, 'APIConnectionTimeoutError')) return make('timeout', `no reply within ${ctx.timeoutMs} ms`);
  if (isSdkError(err, 'APIUserAbortError')) return make('cancelled', 'call aborted');
  if (isSdkError(err, 'APIConnectionError')) return make('network', `connection failed: ${describe(err)}`);

  if (isSdkError(err, 'APIError')) {
    const apiError = err as { status?: unknown; headers?: unknown; message?: unknown };
    const status = typeof apiError.status === 'number' ? apiError.status : undefined;
    if (status === undefined) return make('network', describe(err));
    const detail = `HTTP ${status}: ${apiErrorDetail(err)}`;
    const kind = kindOfStatus(status);
    const retryAfter = kind === 'rate_limited' || kind === 'server' ? retryAfterMs(apiError.headers) : undefined;
    return make(kind, detail, status, retryAfter);
  }
  // Not an SDK error: a fetch failure outside the SDK's wrapping, or a bug. Retryable, bounded by Temporal.
  return make('network', describe(err));
}

export function kindOfStatus(status: number): LlmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  // 402: DeepSeek's "Insufficient Balance". Retrying will not top the account up.
  if (status === 402) return 'auth';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server'; // 529 is Anthropic's "overloaded"
  if (status === 409) return 'server'; // a conflict may clear on its own
  return 'bad_request'; // 400, 404, 413, 422 and the other 4xx
}

/** From `retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date). */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  const get = (name: string): string | null => {
    if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
    if (headers && typeof headers === 'object') {
      const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
      return entry && typeof entry[1] === 'string' ? entry[1] : null;
    }
    return null;
  };
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Caps a message and removes the key in every form it may be echoed in, and any other secret of the process. */
export function safeMessage(message: string, apiKey: string | undefined): string {
  let text = processSecrets().with([apiKey]).redact(message).replace(/\s+/g, ' ').trim();
  if (text.length > MAX_MESSAGE_CHARS) text = `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length} chars)`;
  return text;
}

const SDK_ERROR_CLASSES = {
  APIError: [OpenAI.APIError, Anthropic.APIError],
  APIUserAbortError: [OpenAI.APIUserAbortError, Anthropic.APIUserAbortError],
  APIConnectionError: [OpenAI.APIConnectionError, Anthropic.APIConnectionError],
  APIConnectionTimeoutError: [OpenAI.APIConnectionTimeoutError, Anthropic.APIConnectionTimeoutError],
} as const;

function isSdkError(err: unknown, name: keyof typeof SDK_ERROR_CLASSES): boolean {
  return SDK_ERROR_CLASSES[name].some((cls) => err instanceof cls);
}

/** "rate_limit_error: Number of requests..." from the provider's error body, else the SDK's message (HTML tags dropped). */
function apiErrorDetail(err: unknown): string {
  // OpenAI's SDK keeps the body's `error` member; Anthropic's the whole `{ type: 'error', error }` body.
  const body = (err as { error?: unknown }).error;
  const inner = isRecord(body) && isRecord(body.error) ? body.error : body;
  if (isRecord(inner) && typeof inner.message === 'string' && inner.message.trim()) {
    return typeof inner.type === 'string' && inner.type ? `${inner.type}: ${inner.message}` : inner.message;
  }
  return describe(err)
    .replace(/^\d{3}\s+/, '')
    .replace(/<[^>]*>/g, ' ');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The message and its causes' ("Connection error. (fetch failed; connect ECONNREFUSED 127.0.0.1:9)"). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const causes: string[] = [];
  for (
    let c = (err as { cause?: unknown }).cause, depth = 0;
    c instanceof Error && depth < 3;
    c = (c as { cause?: unknown }).cause, depth++
  ) {
    if (c.message && !err.message.includes(c.message)) causes.push(c.message);
  }
  return `${err.message || err.name}${causes.length ? ` (${causes.join('; ')})` : ''}`;
}
