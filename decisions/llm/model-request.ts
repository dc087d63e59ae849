/** What callModel hands each protocol's caller, and what it gets back. */
import type { DecisionMakerConfig } from '../../arena-config/types';
import type { ProviderSpec } from './providers';
import type { LlmReply, PromptMessages } from './types';

export interface ModelRequest {
  config: DecisionMakerConfig;
  spec: ProviderSpec;
  prompt: PromptMessages;
  /** Undefined only for a keyless `local` server. */
  apiKey: string | undefined;
  baseUrl: string;
  timeoutMs: number;
  /** Aborted by the caller's signal or by callModel's deadline. */
  signal: AbortSignal;
}

/** A reply before callModel times it: every field of LlmReply but the latency. */
export type ModelAnswer = Omit<LlmReply, 'latencyMs'>;
