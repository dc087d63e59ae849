/**
 * A hostile reply with its labelled outcome. The replies are written in the styles of real models
 * (DeepSeek-R1, QwQ/Qwen, OpenThoughts, Magistral, Kimi, Seed, gpt-oss, Claude, GPT) and of attacks
 * on them; each label says what the parsing rules (decisions/llm/parse-reply.ts) require.
 */
import type { ParseReplyOptions } from '../../../decisions/llm/types';
import type { Decision } from '../../../decisions/types';

export const CORPUS_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];

export interface HostileReply {
  /** The style or attack family (the benchmark reports the worst time per family). */
  family: string;
  name: string;
  reply: string;
  options?: ParseReplyOptions;
  /** The decisions kept, exactly, in order; 'none' when the reply must become a single wait. */
  keeps: Decision[] | 'none';
  /** What was dropped: one pattern per entry of `rejected`, in order, exactly this many. */
  drops: RegExp[];
  /** For 'none': what the wait's reason must say. */
  why?: RegExp;
}

// Expected decisions.
export const openLong = (symbol: string, sizeUsd: number, extra: Partial<Decision> = {}): Decision => ({
  action: 'open_long',
  symbol,
  sizeUsd,
  reason: '',
  ...extra,
});
export const openShort = (symbol: string, sizeUsd: number, extra: Partial<Decision> = {}): Decision => ({
  action: 'open_short',
  symbol,
  sizeUsd,
  reason: '',
  ...extra,
});
export const close = (symbol: string, reason = ''): Decision => ({ action: 'close', symbol, reason });
export const hold = (reason = '', symbol?: string): Decision => ({ action: 'hold', ...(symbol && { symbol }), reason });
export const wait = (reason = ''): Decision => ({ action: 'wait', reason });

// Reasons of drops.
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const DRAFT = (tag = '<think>') => new RegExp(`^inside the model's reasoning \\(${escape(tag)}\\): a draft never trades`);
export const REPEAT = /^repeats the answer/;
export const NO_TRADE_EITHER = /^asks for no trade, as the answer/;
export const DISAGREE = /^one of \d+ decision blocks outside the reasoning that disagree/;
export const HYPOTHETICAL = /^introduced as a condition, a plan or an example/;
export const BEFORE_UNCLOSED = /^written before .* which is never closed/;
export const UNREADABLE = /^the answer cannot be read: /;
export const NOT_TAKEN = /^the answer, not taken: /;
export const BESIDE = /\(?in the text beside the structured output, which is the answer: never read\)?$/;
export const TOO_MANY = /^one of \d+ decision blocks outside the reasoning(: too many)?/;
export const item = (n: number, pattern: string) => new RegExp(`^decision ${n}: ${pattern}`);

// Reasons of waits.
export const ENDS_IN_REASONING = /the reply ends inside the model's reasoning/;
export const CUT_OFF = /may be cut off/;
export const AMBIGUOUS = /decision blocks outside the reasoning disagree/;
export const ONLY_HYPOTHETICAL = /the only decision blocks are introduced as a condition/;
export const NO_JSON = /no JSON object or list in the reply/;
export const SIZE_CAP = /cut off at the size cap/;
export const MAX_TOKENS = /cut off by its output limit/;
