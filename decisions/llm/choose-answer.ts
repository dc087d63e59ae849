/**
 * Which decision block of a reply is its answer, if any (the rules are in parse-reply.ts). Every block
 * and draft that is not the answer is recorded as dropped, with the reason.
 */
import { MAX_VISIBLE_STRUCTURES, type DecisionBlock, type VisibleJson } from './answer-groups';
import type { Dropped, NumberedDecision } from './contradictions';
import { tradeKey } from './contradictions';
import { mentionsDecisionFields } from './decision-shape';
import type { ReplyScan } from './find-json';
import { previewItem, previewText } from './record-preview';
import { validateDecision } from './validate-decision';

export const MAX_DECISIONS = 20;
/** More decision blocks than this outside reasoning: not an answer anyone can trust. */
export const MAX_BLOCKS = 32;
/** Drafts inside reasoning recorded one by one; the rest as a count. */
const MAX_DRAFT_RECORDS = 10;

export interface ValidatedBlock {
  decisions: NumberedDecision[];
  rejected: Dropped[];
}

export interface AnswerChoice {
  answer: { block: DecisionBlock; validated: ValidatedBlock } | null;
  /** Why there is no answer ('' when there is one). */
  why: string;
  /** Nothing readable was found: reading the reply again with ASCII punctuation may find the answer. */
  worthNormalising: boolean;
  dropped: Dropped[];
}

export function chooseAnswer(text: string, scan: ReplyScan, visible: VisibleJson, symbols: readonly string[]): AnswerChoice {
  const dropped = draftRecords(text, scan);
  const none = (why: string, worthNormalising: boolean): AnswerChoice => ({ answer: null, why, worthNormalising, dropped });
  const dropBlock = (b: DecisionBlock, reason: string) => dropped.push({ item: previewText(text, b.start, b.end), reason });
  const blocks = visible.blocks;

  const last = scan.reasoning[scan.reasoning.length - 1];
  if (last !== undefined && !last.closed) {
    for (const b of blocks)
      dropBlock(b, `written before ${last.family.name} at character ${last.start}, which is never closed: the model had not finished`);
    return none(
      `the reply ends inside the model's reasoning (${last.family.name} is never closed): it was cut off before a final answer, and a draft never trades`,
      false,
    );
  }
  if (visible.tooMany !== undefined) {
    dropped.push({
      item: `(${visible.tooMany} JSON structures)`,
      reason: `one of ${visible.tooMany} JSON structures outside the reasoning: too many to read`,
    });
    return none(`${visible.tooMany} JSON structures outside the reasoning (at most ${MAX_VISIBLE_STRUCTURES} are read)`, false);
  }
  if (blocks.length === 0) return none(noBlock(visible, dropped.length), true);
  if (blocks.length > MAX_BLOCKS) {
    for (const b of blocks.slice(0, MAX_BLOCKS))
      dropBlock(b, `one of ${blocks.length} decision blocks outside the reasoning: too many to tell which is the answer`);
    dropped.push({
      item: `(${blocks.length - MAX_BLOCKS} more blocks)`,
      reason: `one of ${blocks.length} decision blocks outside the reasoning`,
    });
    return none(`${blocks.length} decision blocks outside the reasoning (at most ${MAX_BLOCKS} are read)`, false);
  }

  for (const b of blocks) {
    if (b.hypothetical !== undefined)
      dropBlock(
        b,
        `introduced as a condition, a plan or an example (${JSON.stringify(b.hypothetical.slice(0, 120))}): not this cycle's decision`,
      );
  }
  const live = blocks.filter((b) => b.hypothetical === undefined);
  if (live.length === 0) {
    return none(
      `the only decision blocks are introduced as a condition, a plan or an example (${JSON.stringify(blocks[0]!.hypothetical!.slice(0, 120))})`,
      false,
    );
  }

  const validated = live.map((b) => (b.unreadable === undefined ? validateBlock(b, symbols) : null));
  const keys = validated.map((v, i) => (v ? tradesOf(v) : `unreadable block ${i}`));
  if (new Set(keys).size > 1) {
    const unreadable = live.filter((b) => b.unreadable !== undefined).length;
    for (const b of live) {
      const what = b.unreadable === undefined ? '' : `, and this one cannot be read (${b.unreadable})`;
      dropBlock(
        b,
        `one of ${live.length} decision blocks outside the reasoning that disagree${what}: which one is the answer ` +
          '(a draft, a correction, quoted text) cannot be told, so none trades',
      );
    }
    const how = unreadable === 0 ? 'disagree' : `disagree or cannot be read (${unreadable} of them)`;
    return none(`${live.length} decision blocks outside the reasoning ${how}, so none is taken as the answer`, unreadable === live.length);
  }

  const answer = live[live.length - 1]!;
  const repeat =
    keys[keys.length - 1] === ''
      ? 'asks for no trade, as the answer (a later block) does'
      : 'repeats the answer (a later block asks for the same trades)';
  for (const b of live.slice(0, -1)) dropBlock(b, repeat);
  const checked = validated[validated.length - 1];
  if (!checked) {
    dropBlock(answer, `the answer cannot be read: ${answer.unreadable}`);
    return none(answer.unreadable!, true);
  }
  return { answer: { block: answer, validated: checked }, why: '', worthNormalising: false, dropped };
}

/** Each item checked on its own; only the first MAX_DECISIONS are read. */
export function validateBlock(block: Pick<DecisionBlock, 'items'>, symbols: readonly string[]): ValidatedBlock {
  const decisions: NumberedDecision[] = [];
  const rejected: Dropped[] = [];
  block.items.slice(0, MAX_DECISIONS).forEach(({ item, duplicateKeys }, i) => {
    const result = validateDecision(item, symbols, duplicateKeys);
    if (result.ok) decisions.push({ decision: result.decision, item, n: i + 1 });
    else rejected.push({ item: previewItem(item), reason: `decision ${i + 1}: ${result.reason}` });
  });
  if (block.items.length > MAX_DECISIONS) {
    const extra = block.items.length - MAX_DECISIONS;
    rejected.push({ item: `(${extra} more)`, reason: `only the first ${MAX_DECISIONS} decisions are read: ${extra} more ignored` });
  }
  return { decisions, rejected };
}

/** The trades a block asks for, in any order: hold and wait trade nothing. */
function tradesOf(v: ValidatedBlock): string {
  return v.decisions
    .filter((d) => d.decision.action !== 'hold' && d.decision.action !== 'wait')
    .map((d) => tradeKey(d.decision))
    .sort()
    .join('\n');
}

function draftRecords(text: string, scan: ReplyScan): Dropped[] {
  const records: Dropped[] = [];
  let more = 0;
  for (const draft of scan.drafts) {
    if (!mentionsDecisionFields(text.slice(draft.start, draft.end))) continue;
    if (records.length < MAX_DRAFT_RECORDS) {
      records.push({
        item: previewText(text, draft.start, draft.end),
        reason: `inside the model's reasoning (${draft.reasoning!.name}): a draft never trades`,
      });
    } else {
      more++;
    }
  }
  if (more > 0) records.push({ item: `(${more} more drafts)`, reason: "inside the model's reasoning: a draft never trades" });
  return records;
}

function noBlock(visible: VisibleJson, drafts: number): string {
  if (visible.firstProblem !== undefined) return visible.firstProblem;
  if (drafts > 0) return "no decision list outside the model's thinking (the ones inside it are drafts, which never trade)";
  return 'no JSON object or list in the reply';
}
