/** One chat completion on an OpenAI-compatible API (DeepSeek, Qwen, OpenAI, xAI, Gemini, OpenRouter, local). */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessage } from 'openai/resources/chat/completions';
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
  // Only OpenAI gets a strict schema: its reply is then guaranteed to be one JSON document of that shape.
  const strict = spec.id === 'openai';
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
        json_schema: { name: REPLY_SCHEMA_NAME, schema: replyJsonSchema({ strict }), strict },
      },
    }),
    ...(mode === 'json_object' && { response_format: { type: 'json_object' } }),
  };

  const completion = await client.chat.completions.create(body, { signal: req.signal });
  // Defensive reads: OpenAI-compatible servers differ, and a proxy may answer 200 with anything.
  const choice = completion?.choices?.[0];
  const reply = readMessage(choice?.message, mode === 'json_schema' && strict);
  return {
    ...reply,
    truncated: choice?.finish_reason === 'length',
    tokensIn: count(completion?.usage?.prompt_tokens),
    tokensOut: count(completion?.usage?.completion_tokens),
  };
}

/**
 * The message's text and structured output. A strict JSON-schema reply is structured output (the API
 * guarantees its shape), so the parser takes it as the answer; a non-strict schema or JSON mode only
 * asks for JSON, so that content is text, read under every rule of the parser. With no content, a
 * function call's arguments are the structured output. Structured output stays the string received:
 * the parser reads its JSON (see LlmReply).
 */
function readMessage(
  message: ChatCompletionMessage | undefined,
  strictSchema: boolean,
): Pick<ModelAnswer, 'raw' | 'text' | 'structuredOutput'> {
  const content = typeof message?.content === 'string' ? message.content : '';
  if (content !== '') return strictSchema ? { raw: content, text: '', structuredOutput: content } : { raw: content, text: content };
  const toolArguments = message?.tool_calls?.find((c) => c.type === 'function')?.function?.arguments;
  if (typeof toolArguments === 'string') return { raw: toolArguments, text: '', structuredOutput: toolArguments };
  const refusal = typeof message?.refusal === 'string' ? message.refusal : '';
  return { raw: refusal, text: refusal };
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
