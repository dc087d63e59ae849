/**
 * Which JSON values hold decisions, and in which shapes they are read: `{ "decisions": [...] }`,
 * `{ "decision": {...} }`, one decision object (it has an `action`), or a list holding decision objects.
 * Decisions nested anywhere else (under an unknown key, inside a decision) are data, never read.
 */
import { canonicalKey } from './validate-decision';

export const REASONING_KEYS = ['reasoning', 'chain_of_thought', 'thoughts', 'thinking', 'analysis'];

export const NOT_A_LIST = 'no decision list in the JSON (expected {"decisions": [...]}, a list of decisions, or one decision)';

export interface DecisionItems {
  items: unknown[];
  /** The envelope's reasoning field, when it has one. */
  reasoning: string;
  shape: 'envelope' | 'object' | 'list';
}

/**
 * The decisions a value holds; `{ why }` when it has the shape of a decision list but cannot be read
 * (a duplicated or non-list `decisions`); null when it does not hold decisions at all.
 */
export function readDecisionValue(value: unknown, duplicateKeys: WeakMap<object, string[]>): DecisionItems | { why: string } | null {
  if (Array.isArray(value)) return value.some(isDecisionObject) ? { items: value, reasoning: '', shape: 'list' } : null;
  if (typeof value !== 'object' || value === null) return null;

  const entries = Object.entries(value).map(([k, v]) => [canonicalKey(k), v] as const);
  const get = (key: string) => entries.find(([k]) => k === key)?.[1];
  const duplicated = (duplicateKeys.get(value) ?? []).map(canonicalKey);
  for (const key of ['decisions', 'decision']) {
    const list = get(key);
    if (list === undefined) continue;
    if (duplicated.includes(key)) return { why: `duplicated key "${key}"` };
    const reasoning =
      REASONING_KEYS.map(get)
        .find((v): v is string => typeof v === 'string' && v.trim() !== '')
        ?.trim() ?? '';
    if (Array.isArray(list)) return { items: list, reasoning, shape: 'envelope' };
    if (typeof list === 'object' && list !== null) return { items: [list], reasoning, shape: 'envelope' };
    return { why: `"${key}" is not a list of decisions (got ${list === null ? 'null' : typeof list})` };
  }
  return entries.some(([k]) => k === 'action') ? { items: [value], reasoning: '', shape: 'object' } : null;
}

function isDecisionObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => canonicalKey(k) === 'action');
}

/**
 * A key named action, decision or decisions followed by a colon, quoted or not: what broken or
 * unrecognised JSON must not hide. Linear: the pattern has no nested repetition.
 */
const DECISION_FIELD = /["'\u201C\u201D\uFF02]?\b(?:action|decisions?)\b["'\u201C\u201D\uFF02]?\s*[:\uFF1A]/i;

export function mentionsDecisionFields(text: string): boolean {
  return DECISION_FIELD.test(text);
}
