/**
 * Safe mode: after `decisionMaker.maxConsecutiveFailures` failed model calls in a row, or after
 * SAFE_MODE_AFTER_FAILURES (3) failed cycles in a row, the agent's next cycles run with `safeMode`
 * (the risk step opens nothing new), until one cycle succeeds. Real workflow bundle, stub activities;
 * cycles driven one by one with runCycleNow, so each cycle's inputs are known.
 */
import assert from 'node:assert/strict';
import { LlmCallError } from '../../decisions/llm/types';
import { VenueUnavailableError } from '../../venues/errors';
import { SAFE_MODE_AFTER_FAILURES, getStateQuery, runCycleNowUpdate, stopSignal } from '../../workflows/definitions';
import { ActivityStubs, OPEN_BTC, cycleOfMarketTime, decided, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const HOUR = 3_600_000;

/** The markdown the Web UI shows on the agent's page (setCurrentDetails), through the SDK's built-in metadata query. */
async function currentDetails(handle: { query: (name: string) => Promise<unknown> }): Promise<string> {
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

describe('workflows: safe mode (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;

  beforeEach(async () => {
    stubs = new ActivityStubs();
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => worker?.stop());

  const riskSafeModeOfCycle = (cycleNo: number) =>
    stubs
      .of('checkRisk')
      .filter((r) => cycleOfMarketTime(r.marketTime) === cycleNo)
      .map((r) => r.safeMode);

  it('enters safe mode after maxConsecutiveFailures failed model calls, and one good cycle clears it', async () => {
    const agent = llmAgent(`${worker.tag}-model`, 2);
    let modelDown = true;
    stubs.script.askDecisionMaker = async (input) => {
      if (modelDown) throw new LlmCallError('auth', 'HTTP 401: key refused', 401);
      return decided(stubs.modelOf(input), [OPEN_BTC]);
    };
    const handle = await worker.startAgent(agent, HOUR);

    await handle.executeUpdate(runCycleNowUpdate);
    let state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveModelFailures, 1);
    assert.equal(state.safeMode, false, '1 of 2');

    await handle.executeUpdate(runCycleNowUpdate);
    state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveModelFailures, 2);
    assert.equal(state.consecutiveFailures, 0, 'the cycles themselves succeeded');
    assert.equal(state.safeMode, true, '2 of 2: safe mode');
    assert.equal(state.status, 'RUNNING');
    assert.match(await currentDetails(handle), /SAFE MODE/);
    assert.deepEqual([...riskSafeModeOfCycle(1), ...riskSafeModeOfCycle(2)], [false, false]);

    // The model answers with an open: this cycle still runs in safe mode (the risk step refuses the open)...
    modelDown = false;
    const third = await handle.executeUpdate(runCycleNowUpdate);
    assert.deepEqual(riskSafeModeOfCycle(3), [true], 'the risk step is told: safe mode');
    assert.deepEqual(stubs.of('checkRisk').at(-1)!.decisions, [OPEN_BTC]);
    assert.equal(third.summary, '1 rejected');
    assert.equal(stubs.of('placeOrders').length, 0, 'no new position in safe mode');
    const recorded = stubs.of('recordCycleOutcome').find((r) => r.cycleNo === 3)!;
    assert.equal(recorded.safeMode, true);
    assert.equal(recorded.verdicts[0]!.status, 'rejected');
    // ...and its success clears the mode.
    state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveModelFailures, 0);
    assert.equal(state.safeMode, false);
    assert.doesNotMatch(await currentDetails(handle), /SAFE MODE/);

    const fourth = await handle.executeUpdate(runCycleNowUpdate);
    assert.deepEqual(riskSafeModeOfCycle(4), [false]);
    assert.equal(fourth.summary, 'open long BTCUSDT 0.01 @2x');
    assert.deepEqual(
      stubs.of('placeOrders').map((p) => p.cycleNo),
      [4],
    );

    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });

  it(`enters safe mode after ${SAFE_MODE_AFTER_FAILURES} failed cycles in a row, and one good cycle clears it`, async () => {
    const agent = llmAgent(`${worker.tag}-cycles`);
    const defaults = stubs.defaults();
    let venueDown = true;
    stubs.script.readAccount = async (input) => {
      if (venueDown) throw new VenueUnavailableError(`no adapter for venue ${input.ref.exchange.type}`);
      return defaults.readAccount(input);
    };
    stubs.script.askDecisionMaker = async (input) => decided(stubs.modelOf(input), [OPEN_BTC]);
    const handle = await worker.startAgent(agent, HOUR);

    for (let n = 1; n <= SAFE_MODE_AFTER_FAILURES; n++) {
      const summary = await handle.executeUpdate(runCycleNowUpdate);
      assert.equal(summary.ok, false);
      assert.equal(summary.failureType, 'VenueUnavailable');
      const state = await handle.query(getStateQuery);
      assert.equal(state.consecutiveFailures, n);
      assert.equal(state.safeMode, n >= SAFE_MODE_AFTER_FAILURES, `after ${n} failed cycles`);
      assert.equal(state.status, 'RUNNING', 'a failed cycle never kills the agent');
    }
    assert.deepEqual(
      stubs.callsOf('readAccount').map((c) => [c.input.cycleNo, c.attempt]),
      [
        [1, 1],
        [2, 1],
        [3, 1],
      ],
      'VenueUnavailable is permanent: no retry',
    );
    const failures = stubs.of('recordCycleFailure');
    assert.deepEqual(
      failures.map((f) => f.cycleNo),
      [1, 2, 3],
    );
    assert.match(failures[0]!.error, /^VenueUnavailable: no adapter for venue paper$/);
    assert.equal(failures[0]!.marketTime, null, 'it failed before it knew the bar');
    assert.equal(stubs.of('askDecisionMaker').length, 0);
    assert.equal(stubs.of('checkRisk').length, 0);

    venueDown = false;
    const good = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(good.ok, true);
    assert.deepEqual(riskSafeModeOfCycle(4), [true]);
    assert.equal(good.summary, '1 rejected');
    assert.equal(stubs.of('placeOrders').length, 0);
    const state = await handle.query(getStateQuery);
    assert.equal(state.safeMode, false);
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(state.failedCycles, 3, 'the failed cycles stay counted');

    await handle.executeUpdate(runCycleNowUpdate);
    assert.deepEqual(riskSafeModeOfCycle(5), [false]);
    assert.deepEqual(
      stubs.of('placeOrders').map((p) => p.cycleNo),
      [5],
    );

    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });
});
