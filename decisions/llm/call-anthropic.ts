/** One Messages API call to Claude, the reply forced through the `submit_decisions` tool. */
import Anthropic from '@anthropic-ai/sdk';
import type { ModelAnswer, ModelRequest } from './model-request';
import { SUBMIT_TOOL_DESCRIPTION, SUBMIT_TOOL_NAME, replyJsonSchema } from './reply-schema';

export async function callAnthropic(req: ModelRequest): Promise<ModelAnswer> {
  const { config, prompt } = req;
  const client = new Anthropic({
    // Always passed explicitly: with no key the SDK would look in the environment and profile files.
    apiKey: req.apiKey ?? '',
    baseURL: req.baseUrl,
    timeout: req.timeoutMs,
    maxRetries: 0, // retries are Temporal's
  });

  const message = await client.messages.create(
    {
      model: config.model,
      max_tokens: config.maxTokens,
      // No temperature: API version 2026-10-21 (this SDK's) refuses it (see providers.ts).
      system: prompt.system,
      messages: [{ role: 'user', content: prompt.user }],
      tools: [
        {
          name: SUBMIT_TOOL_NAME,
          description: SUBMIT_TOOL_DESCRIPTION,
          input_schema: replyJsonSchema({ strict: false }) as Anthropic.Tool.InputSchema,
        },
      ],
      tool_choice: { type: 'tool', name: SUBMIT_TOOL_NAME },
    },
    { signal: req.signal },
  );

  const blocks: unknown[] = Array.isArray(message?.content) ? message.content : [];
  const toolUse = blocks.find(
    (b): b is { type: 'tool_use'; name: string; input: unknown } =>
      isBlock(b, 'tool_use') && (b as { name?: unknown }).name === SUBMIT_TOOL_NAME,
  );
  const text = blocks
    .filter((b): b is { type: 'text'; text: string } => isBlock(b, 'text') && typeof (b as { text?: unknown }).text === 'string')
    .map((b) => b.text)
    .join('\n');
  const usage = message?.usage;
  return {
    raw: toolUse ? JSON.stringify(toolUse.input ?? null) : text,
    text,
    ...(toolUse && { structuredOutput: toolUse.input ?? null }),
    truncated: CUT_OFF.includes(String(message?.stop_reason)),
    // Cached prompt tokens are input tokens too (none today: the arena sets no cache breakpoints).
    tokensIn: count(usage?.input_tokens) + count(usage?.cache_creation_input_tokens) + count(usage?.cache_read_input_tokens),
    tokensOut: count(usage?.output_tokens),
  };
}

/** Stop reasons of a reply cut before the model finished it: its output limit, or the context window's. */
const CUT_OFF = ['max_tokens', 'model_context_window_exceeded'];

function isBlock(b: unknown, type: string): boolean {
  return typeof b === 'object' && b !== null && (b as { type?: unknown }).type === type;
}

function count(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
