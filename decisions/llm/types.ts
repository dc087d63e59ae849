import type { Decision } from '../types';

/** The canonical reply every model is asked for (tool input, JSON schema, or a JSON block in text):
 *  { "reasoning": string, "decisions": [{ "action", "symbol", "size_usd" | "quantity", "leverage",
 *    "stop_loss", "take_profit", "confidence", "reason" }] } */
export interface PromptMessages {
  system: string;
  user: string;
}

export interface LlmCallOptions {
  /** The key's value, read from the environment inside the activity; never logged or stored. */
  apiKey: string | undefined;
  /** Aborts the HTTP call (the activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface LlmReply {
  /** The model's text (or the tool input, serialised), exactly as received. */
  raw: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  /** True when the provider's structured output (JSON schema / tool call) was used. */
  structured: boolean;
}

export interface ParsedReply {
  reasoning: string;
  /** Valid decisions only; `[{ action: 'wait' }]` when nothing parseable came back. */
  decisions: Decision[];
  /** Items dropped, each with the reason (shown in the decision log). */
  rejected: Array<{ item: unknown; reason: string }>;
  /** False when the reply held no parseable decision list at all. */
  parsed: boolean;
}

export type LlmErrorKind = 'auth' | 'bad_request' | 'rate_limited' | 'timeout' | 'server' | 'network' | 'cancelled';

/** A failed model call, classified for retrying: auth and bad_request are permanent. */
export class LlmCallError extends Error {
  override readonly name = 'LlmCallError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
    /** From a 429's Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
