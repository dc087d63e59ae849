/**
 * Where the JSON is in a model's reply. The reply is scanned once for top-level balanced `{...}` and
 * `[...]` spans, aware of double-quoted strings, so that braces, fences or tags quoted inside a JSON
 * string (a prompt injection, say) stay data. A span wrapped in a ```fence``` or in a
 * <decisions>/<decision>/<json>/<output>/<answer> tag ranks above bare spans; spans inside a model's
 * thinking (<think>, <thinking>, <reasoning>) are not candidates at all.
 */

export interface JsonSpan {
  start: number;
  /** Exclusive. */
  end: number;
  /** 1 when fenced or tagged, 0 otherwise. */
  rank: number;
  /** Where the surrounding fence/tag begins and ends (the span itself when bare), for the prose around it. */
  outerStart: number;
  outerEnd: number;
}

/**
 * A failed span (an opener never closed, or closed by the wrong bracket) restarts the scan just after
 * its opener; the characters scanned in all are capped at this multiple of the text's length.
 */
const SCAN_BUDGET_FACTOR = 32;
const MAX_SPANS = 500;

export function findJsonSpans(text: string): JsonSpan[] {
  // Thinking is blanked out (same length, so positions hold): a draft there, even a broken one, is no candidate.
  let visible = text;
  for (const [a, b] of thinkingRanges(text)) visible = visible.slice(0, a) + ' '.repeat(b - a) + visible.slice(b);
  return balancedSpans(visible).map((s) => wrap(text, s.start, s.end));
}

/** An opener followed by a quote, another opener, or `key:`. */
const LOOKS_LIKE_JSON = /^[{[]\s*(?:["'{[]|[A-Za-z_$][\w$]*\s*:)/;

function balancedSpans(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let budget = SCAN_BUDGET_FACTOR * text.length + 1024;
  // The end of the last failed span that began like JSON (`{"`, `[{`...): what lies inside it is part
  // of broken JSON (cut off, or closed by the wrong bracket), and a fragment of it must not trade.
  let brokenUntil = -1;
  let i = 0;
  while (i < text.length && spans.length < MAX_SPANS && budget > 0) {
    const ch = text[i];
    if (ch !== '{' && ch !== '[') {
      i++;
      continue;
    }
    const { end, scanned } = matchingClose(text, i);
    budget -= scanned;
    if (end !== null) {
      if (i >= brokenUntil) spans.push({ start: i, end });
      i = end;
    } else {
      if (LOOKS_LIKE_JSON.test(text.slice(i, i + 64))) brokenUntil = Math.max(brokenUntil, i + scanned);
      i++;
    }
  }
  return spans;
}

/** The index after the bracket closing the one at `start` (null: mismatched or never closed), and the work done. */
function matchingClose(text: string, start: number): { end: number | null; scanned: number } {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{') {
      stack.push('}');
    } else if (ch === '[') {
      stack.push(']');
    } else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return { end: null, scanned: i - start + 1 };
      if (stack.length === 0) return { end: i + 1, scanned: i - start + 1 };
    }
  }
  return { end: null, scanned: text.length - start };
}

const OPENER_BEFORE = /(?:```[\w-]*|<(decisions?|json|output|answer)>)\s*$/i;
const CLOSER_AFTER = /^\s*(?:```|<\/(decisions?|json|output|answer)>)/i;

function wrap(text: string, start: number, end: number): JsonSpan {
  const before = OPENER_BEFORE.exec(text.slice(Math.max(0, start - 40), start));
  if (!before) return { start, end, rank: 0, outerStart: start, outerEnd: end };
  const after = CLOSER_AFTER.exec(text.slice(end, end + 40));
  return { start, end, rank: 1, outerStart: start - before[0].length, outerEnd: end + (after ? after[0].length : 0) };
}

/** [start, end) of every thinking block; an orphan closing tag makes everything before it thinking. */
function thinkingRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const block = /<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi;
  for (let m = block.exec(text); m; m = block.exec(text)) ranges.push([m.index, m.index + m[0].length]);
  const orphan = /<\/(think|thinking)>/i.exec(text);
  if (orphan && !ranges.some(([a, b]) => orphan.index >= a && orphan.index < b)) ranges.push([0, orphan.index]);
  return ranges;
}

const SMART_DOUBLE = new Set(['\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u00AB', '\u00BB', '\uFF02']);
const SMART_SINGLE = new Set(['\u2018', '\u2019', '\u201A', '\u201B', '\u2032']);
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/;

/**
 * Full-width punctuation (，：［］｛｝＂ and the rest of U+FF01-FF5E) and smart quotes become ASCII,
 * invisible characters go, unusual spaces become spaces: outside strings only, so a reason quoting
 * “something” inside a proper JSON string is left alone. A string opened by a smart quote ends at the
 * next smart or ASCII double quote.
 */
export function normalisePunctuation(text: string): string {
  let out = '';
  let open: 'ascii' | 'smart' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (open !== null) {
      if (ch === '\\') {
        out += ch + (text[i + 1] ?? '');
        i++;
      } else if (ch === '"' || (open === 'smart' && SMART_DOUBLE.has(ch))) {
        out += '"';
        open = null;
      } else {
        out += ch;
      }
      continue;
    }
    if (ch === '"') {
      out += ch;
      open = 'ascii';
    } else if (SMART_DOUBLE.has(ch)) {
      out += '"';
      open = 'smart';
    } else if (SMART_SINGLE.has(ch)) {
      out += "'";
    } else if (INVISIBLE.test(ch)) {
      // dropped
    } else {
      const code = ch.charCodeAt(0);
      if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
      else if (code === 0x3001) out += ','; // 、
      else if (code === 0x3000 || code === 0xa0 || (code >= 0x2000 && code <= 0x200a)) out += ' ';
      else out += ch;
    }
  }
  return out;
}
