/**
 * The decision blocks of a reply's visible text (outside reasoning). Each top-level JSON structure is
 * read with the lenient reader; the ones that hold decisions, or mention decision fields without being
 * readable (broken, cut off, or decisions nested where they are not read), are decision-like.
 *
 * Decision-like structures form one block (JSON Lines, one object per fence, a numbered list) when
 * each starts its own line (after nothing but spaces, a list bullet or number, a fence or an answer
 * tag), nothing else separates them, and they have the same shape (all decision objects, all
 * `{"decisions": ...}` envelopes, or all lists). So a decision the model quotes inline ("the tweet
 * says {...}"), or in another shape than its answer, stays a block of its own.
 *
 * A block is hypothetical when the sentence just before it introduces a condition, a plan, an example
 * or a draft.
 */
import { mentionsDecisionFields, NOT_A_LIST, readDecisionValue } from './decision-shape';
import type { JsonStructure, ReplyScan } from './find-json';
import { JsonSyntaxError, parseLenientJson, type ValueBudget } from './lenient-json';

export interface DecisionItem {
  item: unknown;
  /** Keys the JSON held more than once in this item. */
  duplicateKeys: string[];
}

export interface DecisionBlock {
  /** Where its first structure starts and its last one ends. */
  start: number;
  end: number;
  items: DecisionItem[];
  /** Reasoning fields of its envelopes. */
  reasoning: string[];
  /** Why it cannot be read; undefined when it can. */
  unreadable?: string;
  /** The sentence introducing it, when that makes it a condition, a plan, an example or a draft. */
  hypothetical?: string;
  /** Whether its first structure starts its line, and the shape of its readable structures (for JSON Lines). */
  startsLine: boolean;
  shape?: Shape;
}

type Shape = 'envelope' | 'object' | 'list';

/** More JSON structures than this outside reasoning: none is read (no reply a model writes has that many). */
export const MAX_VISIBLE_STRUCTURES = 256;
/** JSON values built for all of them together: 20 decisions take a few hundred. */
export const MAX_JSON_VALUES = 30_000;

export interface VisibleJson {
  blocks: DecisionBlock[];
  /** Set when there were more than MAX_VISIBLE_STRUCTURES structures, none of them read. */
  tooMany?: number;
  /** Any JSON-looking structure outside reasoning at all. */
  sawJson: boolean;
  /** The first problem of a structure outside reasoning (broken, cut off, not a decision list). */
  firstProblem?: string;
}

interface Reading {
  structure: JsonStructure;
  items?: DecisionItem[];
  reasoning?: string;
  shape?: Shape;
  /** Set when the structure cannot be read. */
  why?: string;
  decisionLike: boolean;
}

export function visibleDecisionBlocks(text: string, scan: ReplyScan): VisibleJson {
  if (scan.visible.length > MAX_VISIBLE_STRUCTURES) return { blocks: [], tooMany: scan.visible.length, sawJson: true };
  const budget: ValueBudget = { values: MAX_JSON_VALUES };
  const readings = scan.visible.map((s) => readStructure(text, s, budget));
  const firstProblem = readings.find((r) => r.why !== undefined)?.why ?? (readings.length > 0 ? NOT_A_LIST : undefined);
  const blocks: DecisionBlock[] = [];
  let previousEnd = 0;
  let visibleFrom = 0;
  let current: DecisionBlock | null = null;
  let reasoningIndex = 0;
  for (const r of readings) {
    const { start, end } = r.structure;
    // The visible text before this structure begins after the last reasoning block before it.
    while (reasoningIndex < scan.reasoning.length && scan.reasoning[reasoningIndex]!.end <= start) {
      visibleFrom = Math.max(visibleFrom, scan.reasoning[reasoningIndex]!.end);
      reasoningIndex++;
    }
    const boundary = Math.max(previousEnd, visibleFrom);
    if (r.decisionLike) {
      const startsLine = startsItsLine(text, start, visibleFrom);
      const sameList =
        current !== null &&
        boundary === previousEnd &&
        current.end === previousEnd &&
        current.startsLine &&
        startsLine &&
        (current.shape === undefined || r.shape === undefined || current.shape === r.shape) &&
        isListGap(text, previousEnd, start);
      if (sameList) {
        extend(current!, r);
      } else {
        current = { start, end, items: [], reasoning: [], startsLine };
        extend(current, r);
        const intro = introduction(text, boundary, start);
        if (CONDITIONAL.test(intro)) current.hypothetical = intro;
        blocks.push(current);
      }
    }
    previousEnd = end;
  }
  return { blocks, sawJson: readings.length > 0, ...(firstProblem !== undefined && { firstProblem }) };
}

function extend(block: DecisionBlock, r: Reading): void {
  block.end = r.structure.end;
  block.shape ??= r.shape;
  if (r.why !== undefined) block.unreadable ??= r.why;
  if (r.items) block.items.push(...r.items);
  if (r.reasoning) block.reasoning.push(r.reasoning);
}

function readStructure(text: string, structure: JsonStructure, budget: ValueBudget): Reading {
  const json = text.slice(structure.start, structure.end);
  const broken = (why: string): Reading => ({ structure, why, decisionLike: mentionsDecisionFields(json) });
  if (structure.state === 'unclosed') return broken('no complete JSON object or list: the reply ends inside one, so it may be cut off');
  if (structure.state === 'mismatched') {
    return broken(
      `no complete JSON: ${JSON.stringify(text[structure.problemAt!])} at character ${structure.problemAt} closes the wrong bracket`,
    );
  }
  if (structure.state === 'interrupted') {
    return broken(
      `no complete JSON: a JSON structure is interrupted at character ${structure.end} by a tag, a fence or (in reasoning) the end of a line`,
    );
  }
  let parsed;
  try {
    parsed = parseLenientJson(json, budget);
  } catch (err) {
    return broken(`invalid JSON: ${err instanceof JsonSyntaxError ? err.message : String(err)}`);
  }
  const value = readDecisionValue(parsed.value, parsed.duplicateKeys);
  if (value === null) {
    const decisionLike = mentionsDecisionFields(json);
    return { structure, decisionLike, ...(decisionLike && { why: `decision fields, but not where they are read: ${NOT_A_LIST}` }) };
  }
  if ('why' in value) return { structure, why: value.why, decisionLike: true };
  const items = value.items.map((item) => ({
    item,
    duplicateKeys: typeof item === 'object' && item !== null ? (parsed.duplicateKeys.get(item) ?? []) : [],
  }));
  return { structure, items, reasoning: value.reasoning, shape: value.shape, decisionLike: true };
}

const LINE_LOOK_BACK = 80;

/** Only spaces, a list bullet or number, a fence or an answer tag between the start of the line (or of the visible text) and `pos`. */
function startsItsLine(text: string, pos: number, visibleFrom: number): boolean {
  const floor = Math.max(visibleFrom, pos - LINE_LOOK_BACK);
  let j = pos;
  while (j > floor && text[j - 1] !== '\n') j--;
  if (j === floor && floor > visibleFrom && text[j - 1] !== '\n') return false;
  return isListGap(text, j, pos);
}

/** Tags that wrap an answer: like a fence, they may stand between the lines of one list. */
const ANSWER_TAGS = [
  '<answer>',
  '</answer>',
  '<decisions>',
  '</decisions>',
  '<decision>',
  '</decision>',
  '<output>',
  '</output>',
  '<json>',
  '</json>',
  '<final_answer>',
  '</final_answer>',
  '<|begin_of_solution|>',
  '<|end_of_solution|>',
  '<|start|>assistant<|channel|>final<|message|>',
];

function answerTagAt(text: string, j: number): number {
  const window = text.slice(j, j + 48).toLowerCase();
  return ANSWER_TAGS.find((tag) => window.startsWith(tag))?.length ?? 0;
}

/** Only spaces, commas, semicolons, code fences, answer tags and list bullets ("-", "*", "•", "1.", "2)"). */
function isListGap(text: string, from: number, to: number): boolean {
  let j = from;
  while (j < to) {
    const ch = text[j]!;
    const tag = ch === '<' ? answerTagAt(text, j) : 0;
    if (tag > 0) {
      j += tag;
    } else if (/[\s,;*•-]/.test(ch)) {
      j++;
    } else if (text.startsWith('```', j)) {
      j += 3;
      while (j < to && /[\w-]/.test(text[j]!)) j++;
    } else if (/\d/.test(ch)) {
      let k = j;
      while (k < to && k - j < 3 && /\d/.test(text[k]!)) k++;
      if (text[k] !== '.' && text[k] !== ')') return false;
      j = k + 1;
    } else {
      return false;
    }
  }
  return true;
}

const INTRO_WINDOW = 400;

/**
 * The sentence just before `to` (within the visible text from `from`): the last non-empty line, fence
 * openers and tags set aside, and of that the last sentence.
 */
function introduction(text: string, from: number, to: number): string {
  let window = text.slice(Math.max(from, to - INTRO_WINDOW), to);
  for (let round = 0; round < 4; round++) {
    const trimmed = window
      .trimEnd()
      .replace(/```[\w-]*$/, '')
      .replace(/<[^<>\n]{1,40}>$/, '');
    if (trimmed === window) break;
    window = trimmed;
  }
  const line = window.slice(window.lastIndexOf('\n') + 1);
  const sentences = line.split(/(?<=[.!?。！？])\s+/).filter((s) => s.trim() !== '');
  return (sentences[sentences.length - 1] ?? '').trim();
}

/**
 * Words that make what follows a condition, a plan for later, an example or a draft rather than this
 * cycle's decision. A block so introduced never trades; a false alarm only costs a `wait`.
 */
const CONDITIONAL = new RegExp(
  [
    String.raw`\b(?:if|unless|once|whenever|in case|otherwise|alternative(?:ly)?|later|tomorrow|hypothetical(?:ly)?|scenario|contingency`,
    String.raw`next (?:cycle|time|round|candle|bar|hour|session|run)|for example|for instance|example`,
    String.raw`draft|preliminary|tentative)\b`,
    String.raw`\be\.g\.|如果|假如|若是|下一?个?周期|例如|比如|示例`,
  ].join('|'),
  'i',
);
