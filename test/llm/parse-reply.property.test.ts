/**
 * parseReply's rules as properties, over generated replies (parse-reply-generators.ts): reasoning of
 * every family with drafts, nesting and tags quoted in JSON strings; answers in every style; plans
 * after the answer; noise; truncation at every position. Timing is not tested here: see
 * bench/parse-reply.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseReply } from '../../decisions/llm/parse-reply';
import type { ParsedReply } from '../../decisions/llm/types';
import { DECISION_ACTIONS, type Decision } from '../../decisions/types';
import {
  DRAFT_MIN_LEVERAGE,
  DRAFT_MIN_SIZE,
  generatedReply,
  noisyReply,
  replyText,
  structuralSoup,
  SYMBOLS,
  type GeneratedReply,
} from './parse-reply-generators';

const RUNS = Number(process.env.PARSE_REPLY_RUNS ?? 300);

/** Whatever the input: a well-formed result, and nothing the parser's own guard had to catch. */
function wellFormed(result: ParsedReply): void {
  assert.ok(Array.isArray(result.decisions) && Array.isArray(result.rejected));
  assert.ok(result.reasoning.length <= 8001);
  for (const d of result.decisions) {
    assert.ok((DECISION_ACTIONS as readonly string[]).includes(d.action));
    assert.equal(typeof d.reason, 'string');
    if (d.symbol !== undefined) assert.ok(SYMBOLS.includes(d.symbol), d.symbol);
    for (const n of [d.sizeUsd, d.quantity, d.leverage, d.stopLoss, d.takeProfit])
      if (n !== undefined) assert.ok(Number.isFinite(n) && n > 0);
  }
  for (const r of result.rejected) assert.equal(typeof r.reason, 'string');
  if (!result.parsed) {
    assert.equal(result.decisions.length, 1);
    assert.equal(result.decisions[0]!.action, 'wait');
    assert.doesNotMatch(result.decisions[0]!.reason, /the parser failed/);
  }
}

/** No decision the answer does not hold. */
function onlyFromAnswer(result: ParsedReply, g: GeneratedReply): void {
  if (!result.parsed) return;
  for (const d of result.decisions) {
    assert.ok(
      g.answer.some((a) => sameDecision(a, d)),
      `not in the answer: ${JSON.stringify(d)}\nanswer: ${JSON.stringify(g.answer)}`,
    );
  }
}

function sameDecision(a: Decision, b: Decision): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

const show = (g: GeneratedReply) => JSON.stringify(replyText(g)).slice(0, 3000);

describe('parseReply: properties', function () {
  this.timeout(300_000);

  it('a generated reply gives exactly its answer, whatever its reasoning, drafts, quoted tags and plans', () => {
    fc.assert(
      fc.property(generatedReply, (g) => {
        const result = parseReply(replyText(g), SYMBOLS);
        wellFormed(result);
        assert.equal(result.parsed, true, `${show(g)}\n${JSON.stringify(result.decisions)}`);
        assert.deepEqual(result.decisions, g.answer, show(g));
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated at every position, a reply never trades anything its answer does not hold', () => {
    fc.assert(
      fc.property(generatedReply, (g) => {
        const text = replyText(g);
        for (let cut = 0; cut <= text.length; cut++) {
          const result = parseReply(text.slice(0, cut), SYMBOLS);
          wellFormed(result);
          onlyFromAnswer(result, g);
        }
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 10)) },
    );
  });

  it('truncated inside a reasoning block, a reply trades nothing', () => {
    fc.assert(
      fc.property(generatedReply, fc.nat(), (g, at) => {
        const firstReasoning = g.parts.findIndex((p) => p.kind === 'reasoning');
        fc.pre(firstReasoning > 0);
        const before = replyText({ parts: g.parts.slice(0, firstReasoning) });
        const content = g.parts[firstReasoning]!.text;
        const result = parseReply(before + content.slice(0, at % (content.length + 1)), SYMBOLS);
        wellFormed(result);
        assert.equal(result.parsed, false, JSON.stringify(result.decisions));
      }),
      { numRuns: RUNS },
    );
  });

  it('the provider saying the reply was cut off means no trade, however complete it looks', () => {
    fc.assert(
      fc.property(generatedReply, (g) => {
        const result = parseReply(replyText(g), SYMBOLS, { truncated: true });
        wellFormed(result);
        assert.equal(result.parsed, false);
      }),
      { numRuns: Math.round(RUNS / 3) },
    );
  });

  it('noise (tags, brackets, quotes, fences, whitespace runs) in the reasoning and the prose never brings in a decision from elsewhere', () => {
    fc.assert(
      fc.property(noisyReply, (g) => {
        const result = parseReply(replyText(g), SYMBOLS);
        wellFormed(result);
        onlyFromAnswer(result, g);
      }),
      { numRuns: RUNS },
    );
  });

  it('any mix of the pieces replies are made of never throws, and what comes out is well formed', () => {
    fc.assert(
      fc.property(structuralSoup, (text) => {
        wellFormed(parseReply(text, SYMBOLS));
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary text, and arbitrary edits of a generated reply, never throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => wellFormed(parseReply(text, SYMBOLS))),
      { numRuns: RUNS },
    );
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 40 }), insert: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) });
    fc.assert(
      fc.property(generatedReply, fc.array(edit, { maxLength: 6 }), (g, edits) => {
        let text = replyText(g);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        const result = parseReply(text, SYMBOLS);
        wellFormed(result);
        // Edits can change the answer's own values, but never turn a draft into an answer on their own
        // unless they also rewrite the reasoning's tags; the weakest claim that always holds: well formed.
      }),
      { numRuns: RUNS },
    );
  });

  it('a structured output of any shape never throws; when it is a decision list it is the answer, and the text is not read', () => {
    fc.assert(
      fc.property(fc.anything(), structuralSoup, (structured, text) => wellFormed(parseReply(text, SYMBOLS, { structured }))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(generatedReply, generatedReply, (answer, text) => {
        const fromText = parseReply(replyText(answer), SYMBOLS);
        const structured = { decisions: answer.answer.map(toItem) };
        const result = parseReply(replyText(text), SYMBOLS, { structured });
        wellFormed(result);
        assert.deepEqual(result.decisions.map(stripReason), fromText.decisions.map(stripReason));
      }),
      { numRuns: Math.round(RUNS / 3) },
    );
  });

  it("no decision ever carries a draft's size or leverage", () => {
    fc.assert(
      fc.property(fc.oneof(generatedReply, noisyReply), (g) => {
        const result = parseReply(replyText(g), SYMBOLS);
        for (const d of result.decisions) {
          assert.ok((d.sizeUsd ?? 0) < DRAFT_MIN_SIZE && (d.leverage ?? 0) < DRAFT_MIN_LEVERAGE, JSON.stringify(d));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

function toItem(d: Decision): Record<string, unknown> {
  return {
    action: d.action,
    symbol: d.symbol,
    size_usd: d.sizeUsd,
    leverage: d.leverage,
    stop_loss: d.stopLoss,
    take_profit: d.takeProfit,
    reason: 'r',
  };
}

function stripReason(d: Decision): Omit<Decision, 'reason'> {
  const { reason: _reason, ...rest } = d;
  return rest;
}
