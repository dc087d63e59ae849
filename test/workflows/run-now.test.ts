/**
 * Run a cycle now (the runCycleNow update) when the agent is paused while that cycle runs. The cycle
 * is not undone by the pause: behind patched('run-now-outlives-pause') the update waits for it and
 * answers with its summary; the agent then stays paused. A refusal is a failure of the update, never
 * of the workflow task (which would stall the agent and every later call).
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { getStateQuery, pauseSignal, resumeSignal, runCycleNowUpdate } from '../../workflows/definitions';
import { eventually } from '../support/arena';
import { ActivityStubs, decided, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const HOUR_MS = 3_600_000;

describe('workflows: run a cycle now, paused while it runs (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;
  let release: () => void = () => undefined;

  beforeEach(async () => {
    stubs = new ActivityStubs(HOUR_MS); // the next timed cycle in an hour: only the update runs one
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => {
    release();
    await worker?.stop();
  });

  it('answers with the cycle it started, and the agent stays paused', async () => {
    const agent = llmAgent(`${worker.tag}-now`);
    // The first model call waits for the test (well inside its heartbeat timeout); later ones answer at once.
    stubs.script.askDecisionMaker = async (input) => {
      if (stubs.of('askDecisionMaker').length === 1) await new Promise<void>((resolve) => (release = resolve));
      return decided(stubs.modelOf(input), [{ action: 'wait', reason: 'flat' }]);
    };
    const handle = await worker.startAgent(agent, HOUR_MS);
    const ran = handle.executeUpdate(runCycleNowUpdate);
    await eventually('the model call', async () => stubs.of('askDecisionMaker').length > 0, 20_000);
    await handle.signal(pauseSignal, { reason: 'operator pause' });
    await eventually('paused', async () => (await handle.query(getStateQuery)).status === 'PAUSED');
    release();

    const summary = await ran;
    assert.equal(summary.cycleNo, 1);
    assert.equal(summary.ok, true, summary.summary);
    const state = await handle.query(getStateQuery);
    assert.deepEqual([state.status, state.cycleNo], ['PAUSED', 1]);

    // Paused: refused by the validator. Resumed: the agent answers again, as it would have all along.
    await assert.rejects(handle.executeUpdate(runCycleNowUpdate), WorkflowUpdateFailedError);
    await handle.signal(resumeSignal);
    const next = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(next.cycleNo, 2);
  });
});
