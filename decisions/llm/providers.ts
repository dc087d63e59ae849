/**
 * What the arena knows about each model provider: which wire protocol it speaks, where its API lives,
 * and which kind of structured output it offers for the decision reply. The reply is validated in
 * code whatever the mode (parse-reply.ts): structured output only makes garbage less likely.
 */
import { type DecisionMakerConfig, LLM_PROVIDERS } from '../../arena-config/types';

export type LlmProvider = (typeof LLM_PROVIDERS)[number];

export type ProviderFamily = 'anthropic' | 'openai-compatible';

/**
 * - `json_schema`: `response_format: { type: 'json_schema' }` with the reply's schema (strict for OpenAI);
 * - `json_object`: `response_format: { type: 'json_object' }`, valid JSON of any shape (the messages
 *   must contain the word "json", which callModel makes sure of);
 * - `tool_call`: Anthropic, a forced call of the `submit_decisions` tool whose input schema is the reply;
 * - `none`: plain text, the prompt alone asks for the JSON.
 */
export type StructuredOutputMode = 'json_schema' | 'json_object' | 'tool_call' | 'none';

export interface ProviderSpec {
  id: LlmProvider;
  family: ProviderFamily;
  /** The API's base URL (as the SDK's `baseURL`); null when the config must give one. */
  defaultBaseUrl: string | null;
  /** False only for `local`: self-hosted servers often take no key. */
  keyRequired: boolean;
  structuredOutput: StructuredOutputMode;
  /** OpenAI-compatible only: the request field that bounds the reply's tokens. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /**
   * The highest temperature the API accepts (a higher configured value is lowered to it); null when
   * the API takes no temperature at all, so the config's is not sent.
   */
  maxTemperature: number | null;
}

const openAiCompatible = (
  id: LlmProvider,
  defaultBaseUrl: string | null,
  structuredOutput: StructuredOutputMode,
  extra: Partial<ProviderSpec> = {},
): ProviderSpec => ({
  id,
  family: 'openai-compatible',
  defaultBaseUrl,
  keyRequired: true,
  structuredOutput,
  maxTokensField: 'max_tokens',
  maxTemperature: 2,
  ...extra,
});

export const PROVIDERS: Readonly<Record<LlmProvider, ProviderSpec>> = {
  // JSON Output is `json_object` only (api-docs.deepseek.com/guides/json_mode); there is no json_schema.
  // The docs warn that content may come back blank: parseReply turns that into `wait`.
  deepseek: openAiCompatible('deepseek', 'https://api.deepseek.com', 'json_object'),

  // Model Studio documents `json_object` for most Qwen models and `json_schema` for "only some
  // qwen-plus models", so the weaker mode for all. Thinking-mode models support neither (a 400, which
  // surfaces as bad_request). Keys from the mainland China console need
  // https://dashscope.aliyuncs.com/compatible-mode/v1 as base_url.
  qwen: openAiCompatible('qwen', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', 'json_object'),

  // Forced tool call (`tool_choice: { type: 'tool' }`), documented for every current Claude model.
  // The SDK (1.x) speaks API version 2026-10-21, which answers 400 to any temperature, top_p or top_k
  // (even the default): the config's temperature is not sent, and the SDK has no field for it.
  anthropic: {
    id: 'anthropic',
    family: 'anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    keyRequired: true,
    structuredOutput: 'tool_call',
    maxTokensField: 'max_tokens',
    maxTemperature: null,
  },

  // Structured Outputs with a strict schema. The SDK's default URL, written out so that an
  // OPENAI_BASE_URL in the environment cannot silently send the key elsewhere. Reasoning models
  // (o-series, GPT-5) refuse `max_tokens`, hence `max_completion_tokens`.
  openai: openAiCompatible('openai', 'https://api.openai.com/v1', 'json_schema', { maxTokensField: 'max_completion_tokens' }),

  // xAI documents Structured Outputs (`response_format` json_schema) on its chat completions API for
  // its language models. We send a non-strict schema made of the plainest keywords only.
  xai: openAiCompatible('xai', 'https://api.x.ai/v1', 'json_schema'),

  // Gemini's OpenAI-compatible endpoint documents json_schema too, but its schema dialect has refused
  // keywords that plain JSON Schema allows; a schema it dislikes would fail every call. Unsure, so the
  // weaker `json_object` (documented in the same compatibility API).
  google: openAiCompatible('google', 'https://generativelanguage.googleapis.com/v1beta/openai/', 'json_object'),

  // OpenRouter forwards `response_format` to models that support it and, unless the request asks for
  // `provider.require_parameters`, drops it for the others; json_schema support varies per model, so
  // the weaker mode.
  openrouter: openAiCompatible('openrouter', 'https://openrouter.ai/api/v1', 'json_object'),

  // llama.cpp, vLLM, Ollama, LM Studio...: `response_format` support differs (LM Studio refuses
  // json_object), so none: the prompt asks for JSON and parseReply is tolerant.
  local: openAiCompatible('local', null, 'none', { keyRequired: false }),
};

export function isLlmProvider(provider: string): provider is LlmProvider {
  return (LLM_PROVIDERS as readonly string[]).includes(provider);
}

/** The spec of a model provider; throws for `rule_based`, which calls no model. */
export function providerSpec(provider: string): ProviderSpec {
  if (!isLlmProvider(provider)) throw new Error(`"${provider}" is not a model provider (one of ${LLM_PROVIDERS.join(', ')})`);
  return PROVIDERS[provider];
}

/** The config's base_url, else the provider's; null when neither (only `local` has no default). */
export function resolveBaseUrl(config: Pick<DecisionMakerConfig, 'provider' | 'baseUrl'>): string | null {
  const given = config.baseUrl?.trim();
  return given ? given : providerSpec(config.provider).defaultBaseUrl;
}
