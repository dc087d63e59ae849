/** What callModel hands each protocol's caller, and what it gets back. */
import type { DecisionMakerConfig } from '../../arena-config/types';
import type { ProviderSpec } from './providers';
import type { PromptMessages } from './types';

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

export interface ModelAnswer {
  raw: string;
  tokensIn: number;
  tokensOut: number;
  structured: boolean;
}
