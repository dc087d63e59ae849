/**
 * One model call for a decision: the provider's real SDK, no SDK retries (Temporal retries the
 * activity), a hard deadline covering the whole call (the SDKs' own timeout stops once the response
 * headers arrive; ours also bounds a body that stalls), the caller's signal aborting the HTTP request,
 * and every failure classified as an `LlmCallError` whose message never holds the key.
 */
import { type DecisionMakerConfig, DECISION_MAKER_DEFAULTS } from '../../arena-config/types';
import { callAnthropic } from './call-anthropic';
import { toLlmCallError } from './call-errors';
import { callOpenAiCompatible } from './call-openai';
import type { ModelRequest } from './model-request';
import { isLlmProvider, providerSpec, resolveBaseUrl } from './providers';
import { LlmCallError, type LlmCallOptions, type LlmReply, type PromptMessages } from './types';

export async function callModel(config: DecisionMakerConfig, prompt: PromptMessages, opts: LlmCallOptions): Promise<LlmReply> {
  const label = `${config.provider} ${config.model}`;
  if (!isLlmProvider(config.provider)) throw new LlmCallError('bad_request', `${label}: "${config.provider}" calls no model`);
  const spec = providerSpec(config.provider);
  // Keys read from .env files often carry a trailing newline, which no HTTP header accepts.
  const apiKey = opts.apiKey?.trim() || undefined;
  if (spec.keyRequired && apiKey === undefined) {
    throw new LlmCallError(
      'auth',
      `${label}: no API key (${config.apiKeyEnv ? `${config.apiKeyEnv} is not set` : 'api_key is not configured'})`,
    );
  }
  const baseUrl = resolveBaseUrl(config);
  if (baseUrl === null) throw new LlmCallError('bad_request', `${label}: the ${config.provider} provider needs a base_url`);
  const timeoutMs = Math.max(1, Math.round((config.timeoutSeconds ?? DECISION_MAKER_DEFAULTS.timeoutSeconds) * 1000));

  const deadline = new AbortController();
  const ctx = { label, apiKey, signal: opts.signal, timedOut: false, timeoutMs };
  const timer = setTimeout(() => {
    ctx.timedOut = true;
    deadline.abort();
  }, timeoutMs);
  const onCancel = () => deadline.abort();
  if (opts.signal?.aborted) deadline.abort();
  opts.signal?.addEventListener('abort', onCancel, { once: true });

  const request: ModelRequest = { config, spec, prompt, apiKey, baseUrl, timeoutMs, signal: deadline.signal };
  const started = performance.now();
  try {
    const answer = spec.family === 'anthropic' ? await callAnthropic(request) : await callOpenAiCompatible(request);
    return { ...answer, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    throw toLlmCallError(err, ctx);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}
