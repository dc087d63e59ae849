/**
 * Model failure: the decide activity fails the way the real one does (an LlmCallError, mapped by the real
 * withDomainFailures: a 429/timeout/5xx retried, a refused key or a bad request not) and the cycle goes
 * on with `wait`: it still checks risk and records, it counts a model failure, and the agent goes on.
 * Real workflow bundle, stub activities, the shared dev server; cycles driven by runCycleNow.
 */
import assert from 'node:assert/strict';
import { LlmCallError } from '../../decisions/llm/types';
import { cycleWorkflowId, getStateQuery, runCycleNowUpdate, stopSignal } from '../../workflows/definitions';
import { ActivityStubs, OPEN_BTC, cycleOfMarketTime, decided, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const HOUR = 3_600_000;

describe('workflows: a failed model call (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;

  beforeEach(async () => {
    stubs = new ActivityStubs();
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => worker?.stop());

  it('retries a passing model failure 3 times, then waits: risk checked, cycle recorded, the agent goes on', async () => {
    const agent = llmAgent(`${worker.tag}-flaky`);
    // HTTP 429 with Retry-After 50 ms: retryable, and the retry honours the delay (fast).
    stubs.script.askDecisionMaker = async () => {
      throw new LlmCallError('rate_limited', 'HTTP 429: slow down', 429, 50);
    };
    const handle = await worker.startAgent(agent, HOUR); // no timed cycle within the test: runCycleNow drives them

    const first = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(first.cycleNo, 1);
    assert.equal(first.ok, true, 'a failed model call is a wait, not a failed cycle');
    assert.equal(first.modelFailed, true);
    assert.equal(first.summary, 'wait');

    const asks = stubs.callsOf('askDecisionMaker');
    assert.deepEqual(
      asks.map((c) => c.attempt),
      [1, 2, 3],
      'the DECIDE retry policy: 3 attempts',
    );
    assert.equal(asks[0]!.input.agentId, agent.id);
    assert.equal(stubs.modelOf(asks[0]!.input).model, 'deepseek-chat');
    const [risk] = stubs.of('checkRisk');
    assert.deepEqual(risk!.decisions, [{ action: 'wait', reason: 'model call failed' }]);
    assert.equal(risk!.safeMode, false);
    assert.equal(stubs.of('placeOrders').length, 0, 'nothing to trade');
    assert.equal(stubs.of('recordCycleFailure').length, 0);
    const [record] = stubs.of('recordCycleOutcome');
    assert.equal(record!.cycleNo, 1);
    assert.match(record!.reasoning, /^model call failed \(LlmRateLimited: HTTP 429: slow down\)/);
    assert.deepEqual(record!.decisions, [{ action: 'wait', reason: 'model call failed' }]);
    assert.equal(record!.llm?.error, 'LlmRateLimited: HTTP 429: slow down');
    assert.equal(record!.summary, 'wait');

    // The cycle's history: one activity that failed on its third attempt, typed as the real mapping types it.
    const events = (await worker.client.workflow.getHandle(cycleWorkflowId(agent.id, 1)).fetchHistory()).events ?? [];
    const started = events.filter((e) => e.activityTaskStartedEventAttributes);
    assert.equal(started.length, 1, 'one activity task (its retries are not events)');
    assert.equal(started[0]!.activityTaskStartedEventAttributes!.attempt, 3);
    const failed = events.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes;
    assert.equal(failed?.failure?.cause?.applicationFailureInfo?.type ?? failed?.failure?.applicationFailureInfo?.type, 'LlmRateLimited');

    let state = await handle.query(getStateQuery);
    assert.equal(state.status, 'RUNNING');
    assert.equal(state.cycleNo, 1);
    assert.equal(state.consecutiveModelFailures, 1);
    assert.equal(state.consecutiveFailures, 0, 'the cycle itself did not fail');
    assert.equal(state.failedCycles, 0);
    assert.equal(state.safeMode, false, 'one failure of 3 allowed');

    // The agent goes on: the model answers again, the open is planned and placed, the model failure count resets.
    stubs.script.askDecisionMaker = async (input) => decided(stubs.modelOf(input), [OPEN_BTC]);
    const second = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(second.cycleNo, 2);
    assert.equal(second.ok, true);
    assert.equal(second.modelFailed, false);
    assert.equal(second.summary, 'open long BTCUSDT 0.01 @2x');
    const placed = stubs.of('placeOrders');
    assert.equal(placed.length, 1);
    assert.equal(placed[0]!.cycleNo, 2);
    assert.deepEqual(
      placed[0]!.plan.orders.map((o) => [o.kind, o.side, o.symbol]),
      [['open', 'long', 'BTCUSDT']],
    );
    state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveModelFailures, 0);
    assert.equal(state.cycleNo, 2);

    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });

  it('does not retry a refused key, and counts an unparseable reply as a model failure too', async () => {
    const agent = llmAgent(`${worker.tag}-refused`);
    stubs.script.askDecisionMaker = async () => {
      throw new LlmCallError('auth', 'HTTP 401: Incorrect API key provided', 401);
    };
    const handle = await worker.startAgent(agent, HOUR);

    const first = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(first.ok, true);
    assert.equal(first.modelFailed, true);
    assert.deepEqual(
      stubs.callsOf('askDecisionMaker').map((c) => c.attempt),
      [1],
      'LlmAuthError is permanent: no retry',
    );
    assert.equal(stubs.of('recordCycleOutcome')[0]!.llm?.error, 'LlmAuthError: HTTP 401: Incorrect API key provided');

    // A reply with nothing parseable: the real decide returns `wait` with llm.parsed false.
    stubs.script.askDecisionMaker = async (input) => {
      const result = decided(stubs.modelOf(input), [{ action: 'wait', reason: 'no answer in the reply' }]);
      return { ...result, llm: { ...result.llm, parsed: false } };
    };
    const second = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(second.ok, true);
    assert.equal(second.modelFailed, true);
    assert.equal(second.costUsd, 0.001, 'a reply that was paid for is counted');
    const recorded = stubs.of('recordCycleOutcome')[1]!;
    assert.equal(recorded.llm?.error, null);
    assert.equal(recorded.llm?.parsed, false);
    const state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveModelFailures, 2);
    assert.equal(state.consecutiveFailures, 0);
    assert.deepEqual(
      stubs.of('checkRisk').map((r) => cycleOfMarketTime(r.marketTime)),
      [1, 2],
    );

    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });
});
