/**
 * A model's reply → the decisions that may go on to the risk check. The reply is attacker-influenced
 * input (news and market data reach the prompt, and the model may quote them), so these rules are a
 * security boundary. In doubt, nothing trades: the reply becomes `wait`, and the record says why.
 *
 *  1. Size. At most `maxChars` characters are read (default 256 KiB), in time linear in their number.
 *     A longer reply, or one the provider reports as cut by its output limit (`truncated`), trades
 *     nothing: what was not read, or not written, could change the answer. Nor does JSON no model
 *     writes: more than 256 structures outside reasoning, 30,000 values, or 256 keys in an object
 *     (and a decision with more than 64 fields is refused).
 *  2. Structured output first. A structured value from the provider (`structured`: a forced tool
 *     call's input, a JSON-schema reply) is the answer; decision-like text beside it is dropped unread.
 *  3. Reasoning. Everything inside a thinking block of a known family (reasoning-tags.ts: <think>,
 *     <thinking>, <thought>, <reasoning>, <reflection>, <scratchpad>, <analysis>, <antThinking>,
 *     <seed:think>, <|begin_of_thought|>, [THINK], ◁think▷, gpt-oss's analysis channel), nested or
 *     not, is reasoning, and never an answer. A block never closed runs to the end of the reply, and
 *     a reply that ends inside reasoning trades nothing: a draft never trades. A `</think>` (or
 *     `</seed:think>`) that is the reply's first reasoning tag, with something after it, closes a
 *     block the chat template opened in the prompt: everything before it is reasoning. Any other
 *     closing tag that closes nothing is ignored, so a `</think>` after the answer leaves it alone.
 *  4. Strings are data. Inside a JSON structure a double-quoted string is never structure: a tag, a
 *     fence, a bracket or a whole decision quoted in it changes nothing. (In reasoning such a string
 *     ends with its line.) Prose brackets ("{equity}", "[see notes") start no structure.
 *  5. Blocks. Outside reasoning, each top-level JSON structure that holds decisions (`{"decisions":
 *     [...]}`, `{"decision": {...}}`, one decision, a list of them), or mentions decision fields but
 *     cannot be read (broken, cut off, decisions nested where they are not read), is decision-like.
 *     Decision-like structures of one shape, each starting its own line, with nothing but spaces,
 *     commas, code fences, answer tags or list bullets between them, are one block: JSON Lines, a
 *     numbered list, one object per fence. An object quoted inline ("the tweet says {...}") or in
 *     another shape than its neighbour stays a block of its own.
 *  6. The answer. A block introduced as a condition, a plan, an example or a draft (the sentence
 *     before it says if, unless, once, otherwise, next cycle, scenario, for example, draft…) is not
 *     this cycle's decision. Of the other blocks the answer is the last, provided they all ask for the
 *     same trades (hold and wait trade nothing): blocks that disagree — a draft and an answer, a
 *     correction, a quoted headline — cannot be told apart safely, and nothing trades. An unreadable
 *     answer trades nothing. No fence or tag ranks one block above another: an injected one could.
 *  7. Decisions. Each item of the answer is validated on its own (validate-decision.ts: one of the five
 *     actions, the agent's symbols, positive finite numbers, `side` agreeing with the action); only
 *     the first 20 are read. Contradictions on a symbol then drop the decisions involved
 *     (contradictions.ts: hold or wait with a trade, open_long with open_short, differing opens, an
 *     open beside a close, where the close stays); the other symbols go on.
 *  8. The record. Every invalid item, contradiction, and skipped block or draft that looked like
 *     decisions is in `rejected`, with its reason. No answer means one `wait` saying why (`parsed`
 *     false).
 *
 * Tolerated in how the JSON is written: fences, tags and prose around it, comments, trailing commas,
 * single quotes, unquoted keys, thousands separators, a double-encoded reply, and full-width
 * punctuation or smart quotes (the reply is read again with ASCII punctuation when nothing readable
 * was found as written).
 */
import type { Decision } from '../types';
import { MAX_JSON_VALUES, visibleDecisionBlocks, type DecisionBlock } from './answer-groups';
import { chooseAnswer, MAX_DECISIONS, validateBlock, type AnswerChoice } from './choose-answer';
import { dropContradictions, type Dropped } from './contradictions';
import { readDecisionValue } from './decision-shape';
import { scanReply } from './find-json';
import { JsonSyntaxError, parseLenientJson } from './lenient-json';
import { hasNormalisablePunctuation, normalisePunctuation } from './normalise-punctuation';
import { previewText } from './record-preview';
import type { ParsedReply, ParseReplyOptions } from './types';

export { MAX_DECISIONS };
/** Only this much of a reply is read (a model at 16k tokens writes about 64 kB). */
export const MAX_REPLY_CHARS = 256 * 1024;
export const MAX_REASONING_CHARS = 8000;

export function parseReply(raw: string, symbols: readonly string[], options: ParseReplyOptions = {}): ParsedReply {
  let text = '';
  try {
    text = typeof raw === 'string' ? raw : String(raw ?? '');
    return readReply(text, symbols, options);
  } catch (err) {
    // Never expected; a reply must not be able to crash the cycle.
    return unparseable(
      text.slice(0, MAX_REASONING_CHARS),
      `the parser failed (${err instanceof Error ? err.message : 'unknown error'})`,
      [],
    );
  }
}

function readReply(full: string, symbols: readonly string[], options: ParseReplyOptions): ParsedReply {
  const maxChars = Number.isInteger(options.maxChars) && options.maxChars! > 0 ? options.maxChars! : MAX_REPLY_CHARS;
  const text = full.length > maxChars ? full.slice(0, maxChars) : full;
  const unfinished =
    full.length > maxChars
      ? `the reply was cut off at the size cap: only the first ${maxChars} of ${full.length} characters were read, and the rest could change the answer`
      : options.truncated === true
        ? 'the provider says the reply was cut off by its output limit (max_tokens): an unfinished reply never trades'
        : undefined;

  if (options.structured !== undefined) return readStructured(options.structured, text, symbols, maxChars, unfinished);
  if (text.trim() === '') return unparseable('', unfinished ?? 'the reply is empty', []);

  const body = unquote(text);
  let reading = readText(body, symbols);
  if (reading.choice.answer === null && reading.choice.worthNormalising && hasNormalisablePunctuation(body)) {
    const again = readText(normalisePunctuation(body), symbols);
    // Its answer, or else its account of what it found, when as written there was no JSON at all.
    if (again.choice.answer !== null || !reading.sawJson) reading = again;
  }
  const { choice } = reading;
  if (choice.answer === null) return unparseable(body, withNote(choice.why, unfinished), choice.dropped);
  if (unfinished !== undefined) {
    const { block } = choice.answer;
    return unparseable(body, unfinished, [
      { item: previewText(reading.text, block.start, block.end), reason: `the answer, not taken: ${unfinished}` },
      ...choice.dropped,
    ]);
  }
  return answered(choice.answer.validated, choice.dropped, reasoningOf(reading.text, choice.answer.block));
}

function readText(text: string, symbols: readonly string[]): { text: string; choice: AnswerChoice; sawJson: boolean } {
  const scan = scanReply(text);
  const visible = visibleDecisionBlocks(text, scan);
  return { text, choice: chooseAnswer(text, scan, visible, symbols), sawJson: visible.sawJson || scan.drafts.length > 0 };
}

/** The structured value is the answer; the text only gives the reasoning (and its drafts are recorded). */
function readStructured(
  structured: unknown,
  text: string,
  symbols: readonly string[],
  maxChars: number,
  unfinished: string | undefined,
): ParsedReply {
  const beside = text.trim() === '' ? [] : besideStructured(text, symbols);
  const json =
    typeof structured === 'string'
      ? structuredJson(structured, maxChars)
      : { value: structured, duplicateKeys: new WeakMap<object, string[]>() };
  if ('why' in json) return unparseable(text, `the structured output is not JSON: ${json.why}`, beside);
  const read = readDecisionValue(json.value, json.duplicateKeys);
  if (read === null || 'why' in read)
    return unparseable(text, `the structured output holds no decision list: ${read === null ? 'no decisions in it' : read.why}`, beside);
  if (unfinished !== undefined) return unparseable(text, unfinished, beside);
  const items = read.items.map((item) => ({
    item,
    duplicateKeys: typeof item === 'object' && item !== null ? (json.duplicateKeys.get(item) ?? []) : [],
  }));
  return answered(validateBlock({ items }, symbols), beside, read.reasoning || text.trim());
}

/** A structured output given as text: one JSON document (decoded once more if it holds a JSON string). */
function structuredJson(text: string, maxChars: number): { value: unknown; duplicateKeys: WeakMap<object, string[]> } | { why: string } {
  if (text.length > maxChars) return { why: `longer than ${maxChars} characters` };
  try {
    const budget = { values: MAX_JSON_VALUES };
    const outer = parseLenientJson(text.trim(), budget);
    return typeof outer.value === 'string' ? parseLenientJson(outer.value.trim(), budget) : outer;
  } catch (err) {
    return { why: err instanceof JsonSyntaxError ? err.message : String(err) };
  }
}

/** Decision-like blocks and drafts in the text beside a structured answer: recorded, never read. */
function besideStructured(text: string, symbols: readonly string[]): Dropped[] {
  const { choice } = readText(text, symbols);
  const reason = 'in the text beside the structured output, which is the answer: never read';
  const answer = choice.answer ? [{ item: previewText(text, choice.answer.block.start, choice.answer.block.end), reason }] : [];
  return [...answer, ...choice.dropped.map((d) => ({ item: d.item, reason: `${d.reason} (${reason})` }))];
}

function answered(validated: ReturnType<typeof validateBlock>, dropped: Dropped[], reasoning: string): ParsedReply {
  const { kept, dropped: contradicted } = dropContradictions(validated.decisions);
  return {
    reasoning: cap(reasoning),
    decisions: kept.map((k) => k.decision),
    rejected: [...validated.rejected, ...contradicted.map((c) => ({ item: c.item, reason: c.reason })), ...dropped],
    parsed: true,
  };
}

function unparseable(text: string, why: string, dropped: Dropped[]): ParsedReply {
  const decisions: Decision[] = [{ action: 'wait', reason: `no parseable decision: ${why}` }];
  return { reasoning: cap(text.trim()), decisions, rejected: dropped, parsed: false };
}

function withNote(why: string, note: string | undefined): string {
  return note === undefined ? why : `${note} (${why})`;
}

/** A reply that is one JSON string holding the JSON (double-encoded), decoded once. */
function unquote(text: string): string {
  const trimmed = text.trim();
  if (!/^"\s*[[{]/.test(trimmed) || !trimmed.endsWith('"')) return text;
  try {
    const inner = parseLenientJson(trimmed).value;
    return typeof inner === 'string' ? inner : text;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// The reasoning shown with the decisions: the answer's reasoning field, else the text around it.

const OPENER_BEFORE = /(?:```[\w-]*|<(?:decisions?|json|output|answer|\|begin_of_solution\|)>)\s*$/i;
const CLOSER_AFTER = /^\s*(?:```|<\/(?:decisions?|json|output|answer)>|<\|end_of_solution\|>)/i;

function reasoningOf(text: string, block: DecisionBlock): string {
  const fields = block.reasoning.filter((r) => r !== '');
  if (fields.length > 0) return fields.join('\n\n');
  const before = OPENER_BEFORE.exec(text.slice(Math.max(0, block.start - 40), block.start));
  const after = before ? CLOSER_AFTER.exec(text.slice(block.end, block.end + 40)) : null;
  const outerStart = block.start - (before ? before[0].length : 0);
  const outerEnd = block.end + (after ? after[0].length : 0);
  return `${text.slice(0, outerStart).trim()}\n\n${text.slice(outerEnd).trim()}`.trim();
}

function cap(text: string): string {
  return text.length > MAX_REASONING_CHARS ? `${text.slice(0, MAX_REASONING_CHARS)}…` : text;
}
