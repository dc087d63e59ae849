/**
 * What identifies a model call for reuse: provider, model, the prompt (system and user) and the
 * sampling settings. Two calls with the same key asked the same thing the same way, so a stored
 * reply stands for a new call. The endpoint and the key are not part of it (a proxy of the same model
 * answers the same question).
 */
import { createHash } from 'node:crypto';
import type { DecisionMakerConfig } from '../arena-config/types';
import type { LlmReply, PromptMessages } from '../decisions/llm/types';

export function modelReplyKey(dm: DecisionMakerConfig, prompt: PromptMessages): string {
  const asked = {
    v: 1,
    provider: dm.provider,
    model: dm.model,
    temperature: dm.temperature,
    maxTokens: dm.maxTokens,
    system: prompt.system,
    user: prompt.user,
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex');
}

/** The prompt's hash as llm_calls records it (system, a blank line, user). */
export function promptSha256(prompt: PromptMessages): string {
  return createHash('sha256').update(`${prompt.system}\n\n${prompt.user}`).digest('hex');
}

/** A stored reply: the model's answer as the client gave it (secrets already redacted), and what was asked of whom. */
export interface StoredReply {
  key: string;
  provider: string;
  model: string;
  promptSha256: string;
  reply: LlmReply;
}

/** Where replies are kept: Postgres (db/model-replies.ts) or a folder (model-replies/file-store.ts). */
export interface ModelReplyStore {
  get(key: string): Promise<StoredReply | null>;
  /** Keeps the first reply stored under a key (a second, concurrent one is dropped). */
  put(entry: StoredReply): Promise<void>;
  close?(): Promise<void>;
}
