/**
 * The hostile corpus (hostile-corpus/): replies in the styles of real reasoning and chat models, and
 * attacks on them, each with its labelled outcome: the exact decisions kept (or a single wait, and
 * why), and every drop recorded with its reason.
 */
import assert from 'node:assert/strict';
import { parseReply } from '../../decisions/llm/parse-reply';
import { CORPUS_SYMBOLS, HOSTILE_CORPUS } from './hostile-corpus';

describe('parseReply: the hostile corpus', () => {
  it(`holds at least 150 replies with unique names (${HOSTILE_CORPUS.length})`, () => {
    assert.ok(HOSTILE_CORPUS.length >= 150);
    assert.equal(new Set(HOSTILE_CORPUS.map((c) => c.name)).size, HOSTILE_CORPUS.length);
  });

  for (const c of HOSTILE_CORPUS) {
    it(`${c.family}: ${c.name}`, () => {
      const result = parseReply(c.reply, CORPUS_SYMBOLS, c.options);
      const summary = JSON.stringify({ decisions: result.decisions, rejected: result.rejected.map((r) => r.reason) }, null, 1).slice(
        0,
        3000,
      );
      if (c.keeps === 'none') {
        assert.equal(result.parsed, false, summary);
        assert.equal(result.decisions.length, 1);
        assert.equal(result.decisions[0]!.action, 'wait');
        assert.match(result.decisions[0]!.reason, /^no parseable decision: /);
        if (c.why) assert.match(result.decisions[0]!.reason, c.why, summary);
      } else {
        assert.equal(result.parsed, true, summary);
        assert.deepEqual(result.decisions, c.keeps, summary);
      }
      assert.equal(result.rejected.length, c.drops.length, summary);
      c.drops.forEach((pattern, i) => assert.match(result.rejected[i]!.reason, pattern, summary));
    });
  }
});
