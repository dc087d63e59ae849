/**
 * The tags that open and close a model's reasoning (its thinking), by family. Everything between an
 * opener and its closer is reasoning: never an answer. Matched case-insensitively, exactly as written
 * here (no attributes, no spaces inside the tag).
 */

export interface ReasoningFamily {
  /** How the block is named in reasons: its opening tag. */
  name: string;
  open: string;
  close: string;
  /**
   * Chat templates of this family may put the opening tag in the prompt, so that the reply begins
   * inside the block and holds only the closing tag (DeepSeek-R1 and its distills, QwQ, Seed-OSS).
   */
  openedByTemplate?: boolean;
}

export const REASONING_FAMILIES: readonly ReasoningFamily[] = [
  // DeepSeek-R1, QwQ, Qwen3, MiniMax, GLM, OLMo and most open reasoning models.
  { name: '<think>', open: '<think>', close: '</think>', openedByTemplate: true },
  { name: '<thinking>', open: '<thinking>', close: '</thinking>' },
  { name: '<thought>', open: '<thought>', close: '</thought>' },
  { name: '<reasoning>', open: '<reasoning>', close: '</reasoning>' },
  { name: '<reflection>', open: '<reflection>', close: '</reflection>' },
  { name: '<scratchpad>', open: '<scratchpad>', close: '</scratchpad>' },
  { name: '<analysis>', open: '<analysis>', close: '</analysis>' },
  { name: '<antThinking>', open: '<antthinking>', close: '</antthinking>' },
  // ByteDance Seed-OSS.
  { name: '<seed:think>', open: '<seed:think>', close: '</seed:think>', openedByTemplate: true },
  // OpenThoughts / Bespoke / Sky-T1 (the answer follows in <|begin_of_solution|>, which is plain text here).
  { name: '<|begin_of_thought|>', open: '<|begin_of_thought|>', close: '<|end_of_thought|>' },
  // Mistral Magistral.
  { name: '[THINK]', open: '[think]', close: '[/think]' },
  // Kimi.
  { name: '◁think▷', open: '◁think▷', close: '◁/think▷' },
  // OpenAI gpt-oss (harmony): the analysis channel, up to its end token.
  { name: '<|channel|>analysis', open: '<|channel|>analysis<|message|>', close: '<|end|>' },
];

export interface TagMatch {
  family: ReasoningFamily;
  kind: 'open' | 'close';
  length: number;
}

interface Candidate extends TagMatch {
  text: string;
}

const CANDIDATES: readonly Candidate[] = REASONING_FAMILIES.flatMap((family) => [
  { family, kind: 'open' as const, text: family.open, length: family.open.length },
  { family, kind: 'close' as const, text: family.close, length: family.close.length },
]);
/** Candidates by their first two characters (lower case): almost every position is ruled out at once. */
const BY_PREFIX = new Map<number, Candidate[]>();
for (const c of CANDIDATES) {
  const key = prefixKey(c.text.charCodeAt(0), c.text.charCodeAt(1));
  BY_PREFIX.set(key, [...(BY_PREFIX.get(key) ?? []), c]);
}
// Longest first: a longer tag is never taken for a shorter one that it begins with.
for (const list of BY_PREFIX.values()) list.sort((a, b) => b.length - a.length);
/** By character code (lower case): 1 where a tag may start. Tags start with "<", "[" or "◁". */
const FIRST_CODES = new Uint8Array(0x10000);
for (const c of CANDIDATES) FIRST_CODES[c.text.charCodeAt(0)] = 1;

function prefixKey(first: number, second: number): number {
  return first * 0x10000 + second;
}

function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Whether a reasoning tag may start with this character code: the scanner only asks reasoningTagAt there. */
export function mayStartTag(code: number): boolean {
  return FIRST_CODES[lower(code)] === 1;
}

/** The reasoning tag starting at `i`, if any. Constant work per call, and no allocation. */
export function reasoningTagAt(text: string, i: number): TagMatch | null {
  if (i + 1 >= text.length) return null;
  const candidates = BY_PREFIX.get(prefixKey(lower(text.charCodeAt(i)), lower(text.charCodeAt(i + 1))));
  if (candidates === undefined) return null;
  for (const c of candidates) if (matchesAt(text, i, c.text)) return c;
  return null;
}

/** `tag` (lower case) at `i`, ASCII letters compared case-insensitively. */
function matchesAt(text: string, i: number, tag: string): boolean {
  if (i + tag.length > text.length) return false;
  for (let k = 0; k < tag.length; k++) if (lower(text.charCodeAt(i + k)) !== tag.charCodeAt(k)) return false;
  return true;
}
