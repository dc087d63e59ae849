/**
 * Where the reasoning and the JSON are in a model's reply: one left-to-right pass, linear in the
 * reply's length, that tells apart
 *  - reasoning blocks (reasoning-tags.ts), nested or not, closed or running to the end of the reply;
 *  - top-level JSON-looking structures, inside reasoning (drafts) and outside it.
 *
 * Inside a JSON structure a double-quoted string is data: a tag, a fence or a bracket in it changes
 * nothing. Outside strings a reasoning tag is always structure, and ends any JSON structure it
 * interrupts. Prose brackets do not start a structure: only an opener that looks like JSON does (`{`
 * then a quote, `}` or `key:`; `[` then `{`, `[`, `]` or a quote), so "{equity}" or "[see notes" are
 * plain text. A structure that fails (closed by the wrong bracket, interrupted by a tag or a fence, or
 * never closed) is not rescanned from inside: the scan goes on after it, which keeps it linear, and
 * none of its fragments can become a structure of its own.
 *
 * Two rules keep the reading of reasoning safe:
 *  - inside reasoning a JSON string ends at the end of its line (a model's JSON has no raw newline in a
 *    string), so a stray quote in thinking prose cannot hide the closing tag for more than a line;
 *  - a closing tag with no block open, when it is the reply's first reasoning tag, of a family whose
 *    chat templates open the block in the prompt (`</think>`, `</seed:think>`), and something follows
 *    it, closes the reply's implicit first block: everything before it is reasoning. Any other closing
 *    tag with no block open is stray and ignored, so a `</think>` after the answer does not wipe it.
 */
import { mayStartTag, reasoningTagAt, type ReasoningFamily } from './reasoning-tags';

export { normalisePunctuation } from './normalise-punctuation';

export type StructureState =
  /** Balanced: every bracket closed by its own. */
  | 'complete'
  /** A bracket closed by the wrong one (at `problemAt`). */
  | 'mismatched'
  /** Cut by a reasoning tag or a fence outside any string, or (in reasoning) a string cut by a newline. */
  | 'interrupted'
  /** Still open at the end of the reply. */
  | 'unclosed';

export interface JsonStructure {
  start: number;
  /** Exclusive. */
  end: number;
  state: StructureState;
  problemAt?: number;
  /** The outermost reasoning block it lies in; undefined for a structure outside reasoning. */
  reasoning?: ReasoningFamily;
}

export interface ReasoningBlock {
  /** Where its opening tag starts (0 for the implicit first block). */
  start: number;
  /** After its closing tag; the reply's length when never closed. */
  end: number;
  family: ReasoningFamily;
  closed: boolean;
}

export interface ReplyScan {
  /** Outermost reasoning blocks, in order, not overlapping. */
  reasoning: ReasoningBlock[];
  /** Top-level JSON-looking structures outside reasoning, in order. */
  visible: JsonStructure[];
  /** Top-level JSON-looking structures inside reasoning (drafts), in order. */
  drafts: JsonStructure[];
}

interface OpenStructure {
  start: number;
  /** The closers awaited (character codes), innermost last. */
  closers: number[];
  inString: boolean;
  reasoning?: ReasoningFamily;
}

export function scanReply(text: string): ReplyScan {
  const scan: ReplyScan = { reasoning: [], visible: [], drafts: [] };
  const open: ReasoningFamily[] = [];
  const openCount = new Map<ReasoningFamily, number>();
  let blockStart = 0;
  let sawTag = false;
  let structure: OpenStructure | null = null;

  const finish = (end: number, state: StructureState, problemAt?: number) => {
    const s = structure!;
    const done: JsonStructure = {
      start: s.start,
      end,
      state,
      ...(problemAt !== undefined && { problemAt }),
      ...(s.reasoning && { reasoning: s.reasoning }),
    };
    (s.reasoning ? scan.drafts : scan.visible).push(done);
    structure = null;
  };

  let i = 0;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);

    if (structure?.inString) {
      const escaped = code === BACKSLASH;
      const at = escaped ? i + 1 : i;
      if (structure.reasoning && text.charCodeAt(at) === NEWLINE) {
        finish(at, 'interrupted'); // in reasoning a string ends with its line, escaped or not
        i = at + 1;
      } else if (escaped) {
        i += 2;
      } else {
        if (code === QUOTE) structure.inString = false;
        i++;
      }
      continue;
    }

    const tag = mayStartTag(code) ? reasoningTagAt(text, i) : null;
    if (tag) {
      if (structure) finish(i, 'interrupted');
      const end = i + tag.length;
      if (tag.kind === 'open') {
        if (open.length === 0) blockStart = i;
        open.push(tag.family);
        openCount.set(tag.family, (openCount.get(tag.family) ?? 0) + 1);
      } else if ((openCount.get(tag.family) ?? 0) > 0) {
        // Closes its own block and any block opened inside it and left open.
        for (;;) {
          const top = open.pop()!;
          openCount.set(top, openCount.get(top)! - 1);
          if (top === tag.family) break;
        }
        if (open.length === 0) scan.reasoning.push({ start: blockStart, end, family: tag.family, closed: true });
      } else if (open.length > 0) {
        // A closer of another family inside reasoning: part of the thinking.
      } else if (!sawTag && tag.family.openedByTemplate && !blankFrom(text, end)) {
        scan.reasoning.push({ start: 0, end, family: tag.family, closed: true });
        for (const s of scan.visible) scan.drafts.push({ ...s, reasoning: tag.family });
        scan.visible = [];
      } else {
        // Stray: closes nothing.
      }
      sawTag = true;
      i = end;
      continue;
    }

    if (structure) {
      if (code === QUOTE) {
        structure.inString = true;
      } else if (code === OPEN_BRACE) {
        structure.closers.push(CLOSE_BRACE);
      } else if (code === OPEN_BRACKET) {
        structure.closers.push(CLOSE_BRACKET);
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (structure.closers.pop() !== code) finish(i + 1, 'mismatched', i);
        else if (structure.closers.length === 0) finish(i + 1, 'complete');
      } else if (code === BACKTICK && text.startsWith('```', i)) {
        finish(i, 'interrupted');
        continue; // the fence is read again as plain text
      }
      i++;
      continue;
    }

    if ((code === OPEN_BRACE || code === OPEN_BRACKET) && looksLikeJson(text, i)) {
      const closer = code === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      structure = { start: i, closers: [closer], inString: false, ...(open.length > 0 && { reasoning: open[0] }) };
    }
    i++;
  }

  if (structure) finish(n, 'unclosed');
  if (open.length > 0) scan.reasoning.push({ start: blockStart, end: n, family: open[0]!, closed: false });
  return scan;
}

const [QUOTE, BACKSLASH, NEWLINE, BACKTICK] = ['"', '\\', '\n', '`'].map((c) => c.charCodeAt(0)) as [number, number, number, number];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = ['{', '}', '[', ']'].map((c) => c.charCodeAt(0)) as [
  number,
  number,
  number,
  number,
];
const [SPACE, TAB, CR, SINGLE_QUOTE, COLON] = [' ', '\t', '\r', "'", ':'].map((c) => c.charCodeAt(0)) as [
  number,
  number,
  number,
  number,
  number,
];

/** Nothing but whitespace from `i` to the end. */
function blankFrom(text: string, i: number): boolean {
  for (let j = i; j < text.length; j++) if (!isSpace(text.charCodeAt(j))) return false;
  return true;
}

const isSpace = (code: number) => code === SPACE || code === NEWLINE || code === TAB || code === CR;
const isIdentifierStart = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
const isIdentifierPart = (code: number) => isIdentifierStart(code) || (code >= 48 && code <= 57);

function looksLikeJson(text: string, i: number): boolean {
  let j = i + 1;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (j >= text.length) return false;
  const next = text.charCodeAt(j);
  if (text.charCodeAt(i) === OPEN_BRACKET) {
    return next === OPEN_BRACE || next === OPEN_BRACKET || next === CLOSE_BRACKET || next === QUOTE || next === SINGLE_QUOTE;
  }
  if (next === QUOTE || next === SINGLE_QUOTE || next === CLOSE_BRACE) return true;
  if (!isIdentifierStart(next)) return false;
  while (j < text.length && isIdentifierPart(text.charCodeAt(j))) j++;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === COLON;
}
