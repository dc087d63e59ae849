import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { createActivities } from '../../activities';
import { activityDeps } from '../../activities/deps';
import type { Database } from '../../db/schema';
import { replayClock } from '../../market/clock';
import { REPLAY_BAR_MS, ReplayMarketData } from '../../market/replay';
import type { DecideInput, DecideResult } from '../../workflows/definitions';
import type { DecideInputWithSettings } from '../../activities/decide';
import { findAgentConfig } from '../../db/agent-configs';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';
import { MockReply, startOpenAiServer } from '../support/llm-servers';
import { storedLlmAgent } from '../fixtures/stored-llm-agent';

/** How a failed model call leaves the activity: what Temporal will retry, when, and what it will not. */
describe('the decide activity with a model behind a local OpenAI-protocol server', () => {
  let db: Kysely<Database>;
  let database: MigratedTestDatabase;
  let next: MockReply = 'reset';
  let input: DecideInput;
  const server = startOpenAiServer({ apiKey: 'sk-decide', models: ['m'], script: () => next });

  before(async () => {
    database = await createMigratedTestDatabase(2);
    db = database.db;
    process.env.OPENAI_API_KEY_DECIDE_TEST = 'sk-decide';
    const marketTime = new ReplayMarketData().window().firstMarketTime + 9 * REPLAY_BAR_MS;
    input = await storedLlmAgent(
      db,
      'llm-a',
      {
        provider: 'openai',
        model: 'm',
        temperature: 0,
        maxTokens: 500,
        baseUrl: (await server).url,
        apiKeyEnv: 'OPENAI_API_KEY_DECIDE_TEST',
        timeoutSeconds: 10,
      },
      { marketTime },
    );
  });
  after(async () => {
    await (await server).close();
    await database.close();
    delete process.env.OPENAI_API_KEY_DECIDE_TEST;
  });

  const decide = (asked: DecideInput | DecideInputWithSettings = input): Promise<DecideResult> =>
    new MockActivityEnvironment().run(
      createActivities(
        activityDeps({
          db,
          market: new ReplayMarketData(),
          clock: replayClock(db),
          log: pino({ level: 'silent' }),
          temporal: undefined as never,
        }),
      ).askDecisionMaker as (asked: DecideInput | DecideInputWithSettings) => Promise<DecideResult>,
      asked,
    );

  it('passes a 429 Retry-After on to Temporal as the next retry delay', async () => {
    next = { status: 429, message: 'slow down', headers: { 'retry-after': '7' } };
    await assert.rejects(
      decide(),
      (err: unknown) =>
        err instanceof ApplicationFailure && err.type === 'LlmRateLimited' && !err.nonRetryable && err.nextRetryDelay === 7000,
    );
  });

  it('does not retry a refused key or a bad request, and retries outages', async () => {
    next = { status: 401, message: 'bad key' };
    await assert.rejects(decide(), (err: unknown) => err instanceof ApplicationFailure && err.type === 'LlmAuthError' && err.nonRetryable);
    next = { status: 400, message: 'bad model' };
    await assert.rejects(decide(), (err: unknown) => err instanceof ApplicationFailure && err.type === 'LlmBadRequest' && err.nonRetryable);
    next = { status: 503, message: 'overloaded' };
    await assert.rejects(
      decide(),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'LlmUnavailable' && !err.nonRetryable,
    );
    const calls = await db.selectFrom('llm_calls').select(['status', 'error']).where('agent_id', '=', 'llm-a').execute();
    assert.ok(calls.every((c) => c.status === 'error' && c.error && !c.error.includes('sk-decide')));
  });

  it('turns a reply with nothing parseable into wait, and says why', async () => {
    next = { text: 'Sorry, as an AI I cannot give financial advice.' };
    const result = await decide();
    assert.deepEqual(
      result.decisions.map((d) => d.action),
      ['wait'],
    );
    assert.equal(result.llm?.parsed, false);
  });

  it('answers a call scheduled by a cycle that began before configs were stored (every setting inline)', async () => {
    const { agentConfig, ...asked } = input;
    const config = 'digest' in agentConfig ? await findAgentConfig(db, input.agentId, agentConfig.digest) : undefined;
    assert.ok(config);
    next = { json: { reasoning: 'flat market', decisions: [{ action: 'wait', reason: 'flat' }] } };
    const result = await decide({
      ...asked,
      cycleNo: 2,
      decisionMaker: config.decisionMaker,
      takerFeeRate: config.exchange.takerFeeRate,
      symbols: config.strategy.symbols,
      risk: config.strategy.risk,
      tradingStyle: config.strategy.tradingStyle,
    });
    assert.equal(result.llm?.parsed, true);
    assert.equal(result.reasoning, 'flat market');
  });
});
