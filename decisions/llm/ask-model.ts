import type { DecisionMakerConfig } from '../../arena-config/types';
import { processSecrets } from '../../secrets/known-secrets';
import { readApiKey } from './api-key';
import { callModel } from './call-model';
import type { LlmReply, PromptMessages } from './types';

/**
 * One call to the decision maker's provider with its own key, the reply cleaned of secrets: a reply
 * is untrusted, and a key it echoes (in any encoding) is gone before it is parsed, stored or returned.
 * The arena's and the backtest's way to a model.
 */
export async function askModel(
  dm: DecisionMakerConfig,
  prompt: PromptMessages,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LlmReply> {
  const apiKey = readApiKey(dm, env);
  const reply = await callModel(dm, prompt, { apiKey, signal });
  const redactor = processSecrets().with([apiKey]);
  return {
    ...reply,
    raw: redactor.redact(reply.raw),
    text: redactor.redact(reply.text),
    ...(reply.structuredOutput !== undefined && { structuredOutput: redactor.redactDeep(reply.structuredOutput) }),
  };
}
