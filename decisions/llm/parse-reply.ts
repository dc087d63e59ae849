/**
 * A model's reply → the decisions that may go on to the risk check. Tolerant about where and how the
 * JSON is written (plain, fenced, tagged, after prose, full-width punctuation, comments, trailing
 * commas, thousands separators, one decision instead of a list), strict about what may trade: every
 * decision is validated on its own (validate-decision.ts), an invalid one is rejected with a reason and
 * the others go on, and a reply with no decision list at all becomes a single `wait`.
 *
 * Text inside JSON strings (reason, reasoning) is only ever data: the JSON is located by a scan that
 * knows strings, so fences, tags or JSON quoted there cannot add decisions or change how the reply is read.
 */
import type { Decision } from '../types';
import { findJsonSpans, normalisePunctuation, type JsonSpan } from './find-json';
import { JsonSyntaxError, parseLenientJson } from './lenient-json';
import type { ParsedReply } from './types';
import { canonicalKey, validateDecision } from './validate-decision';

/** Only this much of a reply is read (a model at 16k tokens writes about 64 kB). */
export const MAX_REPLY_CHARS = 256 * 1024;
export const MAX_DECISIONS = 20;
export const MAX_REASONING_CHARS = 8000;
/** A rejected item is kept as it came when its JSON is at most this long, else as a truncated preview. */
const MAX_REJECTED_ITEM_CHARS = 2000;

const REASONING_KEYS = ['reasoning', 'chain_of_thought', 'thoughts', 'thinking', 'analysis'];

export function parseReply(raw: string, symbols: readonly string[]): ParsedReply {
  const full = typeof raw === 'string' ? raw : String(raw ?? '');
  const text = full.length > MAX_REPLY_CHARS ? full.slice(0, MAX_REPLY_CHARS) : full;
  const cut = full.length > MAX_REPLY_CHARS ? ` (only the first ${MAX_REPLY_CHARS} of ${full.length} characters were read)` : '';
  if (text.trim() === '') return unparseable('', `the reply is empty${cut}`);
  return readReply(unquote(text), symbols, cut);
}

function readReply(text: string, symbols: readonly string[], cut: string): ParsedReply {
  // As written first; with full-width punctuation and smart quotes made ASCII only if that fails
  // (normalising a valid reply could break strings that quote “like this”).
  let found = locate(text);
  if ('why' in found) {
    const normalised = locate(normalisePunctuation(text));
    if (!('why' in normalised) || found.noJson) found = normalised;
  }
  if ('why' in found) return unparseable(text, `${found.why}${cut}`);

  const decisions: Decision[] = [];
  const rejected: ParsedReply['rejected'] = [];
  found.items.slice(0, MAX_DECISIONS).forEach((item, i) => {
    const dupes = typeof item === 'object' && item !== null ? found.duplicateKeys.get(item) : undefined;
    const result = validateDecision(item, symbols, dupes);
    if (result.ok) decisions.push(result.decision);
    else rejected.push({ item: preview(item), reason: `decision ${i + 1}: ${result.reason}` });
  });
  if (found.items.length > MAX_DECISIONS) {
    const extra = found.items.length - MAX_DECISIONS;
    rejected.push({ item: `(${extra} more)`, reason: `only the first ${MAX_DECISIONS} decisions are read: ${extra} more ignored` });
  }
  const reasoning = found.reasoning || prose(found.text, found.span);
  return { reasoning: cap(reasoning), decisions, rejected, parsed: true };
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

interface Located {
  items: unknown[];
  reasoning: string;
  duplicateKeys: WeakMap<object, string[]>;
  text: string;
  span: JsonSpan;
}
type Failure = { why: string; noJson: boolean };

/** The reply's decision list: fenced or tagged JSON before bare JSON, and the last of equals. */
function locate(text: string): Located | Failure {
  const spans = findJsonSpans(text);
  if (spans.length === 0) {
    const why = /[{[]/.test(text)
      ? 'no complete JSON object or list (outside the model\'s thinking); the reply may be cut off'
      : 'no JSON object or list in the reply';
    return { why, noJson: true };
  }
  const ordered = [...spans].sort((a, b) => b.rank - a.rank || b.start - a.start);
  let firstWhy: string | undefined;
  for (const span of ordered) {
    const result = readSpan(text.slice(span.start, span.end));
    if ('items' in result) return { ...result, text, span };
    firstWhy ??= result.why;
  }
  return { why: firstWhy ?? 'no decision list in the reply', noJson: false };
}

function readSpan(json: string): Omit<Located, 'text' | 'span'> | { why: string } {
  let parsed;
  try {
    parsed = parseLenientJson(json);
  } catch (err) {
    return { why: `invalid JSON: ${err instanceof JsonSyntaxError ? err.message : String(err)}` };
  }
  const container = decisionList(parsed.value, parsed.duplicateKeys);
  return 'why' in container ? container : { ...container, duplicateKeys: parsed.duplicateKeys };
}

const NOT_A_LIST = 'no decision list in the JSON (expected {"decisions": [...]}, a list of decisions, or one decision)';

/** `{ "decisions": [...] }`, `{ "decision": ... }`, a bare list of objects, or one decision object. */
function decisionList(value: unknown, duplicateKeys: WeakMap<object, string[]>): { items: unknown[]; reasoning: string } | { why: string } {
  if (Array.isArray(value)) {
    const looksLikeDecisions = value.length === 0 || value.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    return looksLikeDecisions ? { items: value, reasoning: '' } : { why: NOT_A_LIST };
  }
  if (typeof value !== 'object' || value === null) return { why: NOT_A_LIST };

  const entries = Object.entries(value).map(([k, v]) => [canonicalKey(k), v] as const);
  const get = (key: string) => entries.find(([k]) => k === key)?.[1];
  const reasoningValue = REASONING_KEYS.map(get).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const reasoning = reasoningValue?.trim() ?? '';
  const duplicated = (duplicateKeys.get(value) ?? []).map(canonicalKey);

  for (const key of ['decisions', 'decision']) {
    const list = get(key);
    if (list === undefined) continue;
    if (duplicated.includes(key)) return { why: `duplicated key "${key}"` };
    if (Array.isArray(list)) return { items: list, reasoning };
    if (typeof list === 'object' && list !== null) return { items: [list], reasoning };
    return { why: `"${key}" is not a list of decisions (got ${list === null ? 'null' : typeof list})` };
  }
  if (get('action') !== undefined) return { items: [value], reasoning: '' };
  return { why: NOT_A_LIST };
}

// ---------------------------------------------------------------------------------------------

function unparseable(text: string, why: string): ParsedReply {
  return {
    reasoning: cap(text.trim()),
    decisions: [{ action: 'wait', reason: `no parseable decision: ${why}` }],
    rejected: [],
    parsed: false,
  };
}

/** The text around the JSON (and its fence or tags). */
function prose(text: string, span: JsonSpan): string {
  return `${text.slice(0, span.outerStart).trim()}\n\n${text.slice(span.outerEnd).trim()}`.trim();
}

function cap(text: string): string {
  return text.length > MAX_REASONING_CHARS ? `${text.slice(0, MAX_REASONING_CHARS)}…` : text;
}

function preview(item: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(item);
  } catch {
    return String(item);
  }
  return json !== undefined && json.length > MAX_REJECTED_ITEM_CHARS ? `${json.slice(0, MAX_REJECTED_ITEM_CHARS)}…` : item;
}
