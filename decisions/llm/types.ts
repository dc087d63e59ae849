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
  /** What the model sent, as recorded in llm_calls: the structured output serialised when there is one, else the text. */
  raw: string;
  /** The model's visible text, without the structured output ('' when it wrote none). */
  text: string;
  /**
   * The provider's structured output, for `parseReply`'s `structured` option; absent when the reply
   * is plain text. Anthropic: the forced tool call's input (the API parsed it). OpenAI-compatible: the
   * tool call's arguments or a strict JSON-schema reply, as the string received, so that the parser
   * reads the JSON itself (size cap, value budget, duplicate keys: JSON.parse keeps the last of two
   * `"action"` keys silently).
   */
  structuredOutput?: unknown;
  /** The provider says the reply was cut by its output limit (`finish_reason: "length"`, `stop_reason: "max_tokens"`). */
  truncated: boolean;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
}

export interface ParsedReply {
  reasoning: string;
  /** Valid decisions only; `[{ action: 'wait' }]` when the reply held no answer that may trade. */
  decisions: Decision[];
  /**
   * Everything dropped, each with the reason (shown in the decision log): first the answer's invalid
   * items and its contradictions (`decision N: ...`), then skipped blocks and drafts that looked like
   * decisions (inside reasoning, disagreeing, hypothetical, repeated, cut off).
   */
  rejected: Array<{ item: unknown; reason: string }>;
  /** False when the reply held no answer (the decisions are then one `wait` saying why). */
  parsed: boolean;
}

export interface ParseReplyOptions {
  /**
   * The provider's structured output, when there is one (a forced tool call's input, a JSON-schema
   * reply already parsed): it is the answer, and the text is read only for the reasoning. A string
   * is read as JSON.
   */
  structured?: unknown;
  /** At most this many characters are read (default 256 KiB); a longer reply trades nothing. */
  maxChars?: number;
  /**
   * The provider says the reply was cut by its output limit (OpenAI-compatible `finish_reason:
   * "length"`, Anthropic `stop_reason: "max_tokens"`): an unfinished reply trades nothing.
   */
  truncated?: boolean;
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
