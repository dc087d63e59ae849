/** One chat completion on an OpenAI-compatible API (DeepSeek, Qwen, OpenAI, xAI, Gemini, OpenRouter, local). */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ModelAnswer, ModelRequest } from './model-request';
import { JSON_REPLY_INSTRUCTION, REPLY_SCHEMA_NAME, replyJsonSchema } from './reply-schema';

export async function callOpenAiCompatible(req: ModelRequest): Promise<ModelAnswer> {
  const { config, spec, prompt } = req;
  const client = new OpenAI({
    // The SDK insists on a key; a keyless `local` server gets a placeholder and no Authorization header.
    apiKey: req.apiKey ?? 'no-key',
    ...(req.apiKey === undefined && { defaultHeaders: { Authorization: null } }),
    baseURL: req.baseUrl,
    timeout: req.timeoutMs,
    maxRetries: 0, // retries are Temporal's
    // Nothing from the environment: no OPENAI_ORG_ID / OPENAI_PROJECT_ID headers sent to other providers.
    organization: null,
    project: null,
  });

  const mode = spec.structuredOutput;
  let system = prompt.system;
  if (mode === 'json_object' && !/json/i.test(`${prompt.system}\n${prompt.user}`)) {
    system = `${system}\n\n${JSON_REPLY_INSTRUCTION}`;
  }
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: config.model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: prompt.user },
    ],
    ...(spec.maxTemperature !== null && { temperature: Math.min(config.temperature, spec.maxTemperature) }),
    [spec.maxTokensField]: config.maxTokens,
    ...(mode === 'json_schema' && {
      response_format: {
        type: 'json_schema',
        json_schema: { name: REPLY_SCHEMA_NAME, schema: replyJsonSchema({ strict: spec.id === 'openai' }), strict: spec.id === 'openai' },
      },
    }),
    ...(mode === 'json_object' && { response_format: { type: 'json_object' } }),
  };

  const completion = await client.chat.completions.create(body, { signal: req.signal });
  // Defensive reads: OpenAI-compatible servers differ, and a proxy may answer 200 with anything.
  const message = completion?.choices?.[0]?.message;
  const toolArguments = message?.tool_calls?.find((c) => c.type === 'function')?.function?.arguments;
  const raw = typeof message?.content === 'string' && message.content !== ''
    ? message.content
    : typeof toolArguments === 'string' ? toolArguments : typeof message?.refusal === 'string' ? message.refusal : '';
  return {
    raw,
    tokensIn: count(completion?.usage?.prompt_tokens),
    tokensOut: count(completion?.usage?.completion_tokens),
    structured: mode === 'json_schema' && typeof message?.content === 'string' && message.content !== '',
  };
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
