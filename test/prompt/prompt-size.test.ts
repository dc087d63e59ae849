import assert from 'node:assert/strict';
import { BENCH_SETTINGS, benchInput, seedDataBlock } from '../../bench/prompt-size';
import { buildPrompt } from '../../decisions/prompt/build-prompt';
import { estimateTokens } from '../../decisions/prompt/tokens';

/** Budgets (o200k_base tokens) for one cycle: six symbols, two positions, five trades, five cycles. */
const USER_BUDGET = 1_400;
const SYSTEM_BUDGET = 650;

describe('prompt size on the bundled data', () => {
  it(`keeps the user message under ${USER_BUDGET} tokens and the system message under ${SYSTEM_BUDGET}`, async () => {
    const input = await benchInput();
    assert.equal(input.market.length, 6);
    assert.equal(input.positions.length, 2);
    const { system, user } = buildPrompt(input, BENCH_SETTINGS);
    for (const s of input.market) assert.match(user, new RegExp(`^${s.symbol}\\|`, 'm'));
    const userTokens = estimateTokens(user);
    const systemTokens = estimateTokens(system);
    assert.ok(userTokens < USER_BUDGET, `user message: ${userTokens} tokens`);
    assert.ok(systemTokens < SYSTEM_BUDGET, `system message: ${systemTokens} tokens`);
    assert.ok(userTokens < estimateTokens(seedDataBlock(input)), 'leaner than the seed layout of the same data');
  });
});

describe('estimateTokens', () => {
  it('counts o200k_base tokens and reads special-token text as plain text', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('hello world'), 2);
    assert.ok(estimateTokens('<|endoftext|>') > 1);
  });
});
