/**
 * Stop while a cycle runs. The real code (workflows/agent.ts, cycle.ts): `stop` sets STOPPED and, behind
 * patched('stop-aborts-decision'), signals the running cycle `abortDecision`, which cancels the model
 * call's scope (TRY_CANCEL: the cycle does not wait for the activity to acknowledge). The cycle goes on
 * with `wait` (it still checks risk and records), places nothing, and the agent ends STOPPED without
 * another cycle. An order phase in flight is NOT cancelled: the stop waits for it, then ends.
 */
import assert from 'node:assert/strict';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { agentCycle } from '../../workflows/cycle';
import { agentWorkflowId, cycleWorkflowId, getStateQuery, stopSignal } from '../../workflows/definitions';
import { eventually } from '../support/arena';
import { ActivityStubs, OPEN_BTC, decided, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const CADENCE_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('workflows: stop during a cycle (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;
  let release: () => void;

  beforeEach(async () => {
    stubs = new ActivityStubs(CADENCE_MS);
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => {
    release?.(); // an activity still pending must not hold the worker's shutdown
    await worker?.stop();
  });

  it('cancels the model call in flight, places no order, records a wait and ends STOPPED', async () => {
    const agent = llmAgent(`${worker.tag}-stop`);
    let cancelled = false;
    // The model hangs (it would answer with an open); it heartbeats, as the real activity does, so it hears a cancel.
    stubs.script.askDecisionMaker = async (input) => {
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 50);
      try {
        await Promise.race([context.cancelled, new Promise<void>((resolve) => (release = resolve))]);
      } catch (err) {
        if (err instanceof CancelledFailure) cancelled = true;
        throw err;
      } finally {
        clearInterval(beat);
      }
      return decided(stubs.modelOf(input), [OPEN_BTC]);
    };
    const handle = await worker.startAgent(agent, CADENCE_MS);
    await eventually('the model call', async () => stubs.of('askDecisionMaker').length > 0, 20_000);
    await sleep(300); // well inside the call

    const stoppedAt = Date.now();
    await handle.signal(stopSignal, { reason: 'operator stop' });
    const final = await handle.result();
    const took = Date.now() - stoppedAt;
    assert.ok(took < 5_000, `the stop did not wait for the model (heartbeat timeout 10 s, call timeout 3 min): ${took} ms`);
    assert.equal(final.status, 'STOPPED');
    assert.equal(final.pauseReason, 'operator stop');
    assert.equal(final.cycleNo, 1, 'the interrupted cycle is counted; no cycle after it');
    assert.equal(final.lastCycle?.ok, true);
    assert.equal(final.lastCycle?.modelFailed, true);

    assert.equal(stubs.of('placeOrders').length, 0, 'no order placed');
    const risk = stubs.of('checkRisk');
    assert.equal(risk.length, 1);
    assert.deepEqual(risk[0]!.decisions, [{ action: 'wait', reason: 'model call failed' }]);
    const records = stubs.of('recordCycleOutcome');
    assert.equal(records.length, 1, 'the interrupted cycle is still recorded');
    assert.match(records[0]!.llm?.error ?? '', /Cancel/i);
    assert.equal(records[0]!.summary, 'wait');
    assert.deepEqual(
      stubs.of('readAccount').map((r) => r.cycleNo),
      [1],
    );
    await eventually('the activity to hear the cancel', async () => cancelled, 10_000);

    // The histories say the same: the agent signalled its cycle, the cycle asked to cancel its activity.
    const agentEvents = (await handle.fetchHistory()).events ?? [];
    const signalled = agentEvents.find(
      (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes,
    )?.signalExternalWorkflowExecutionInitiatedEventAttributes;
    assert.equal(signalled?.signalName, 'abortDecision');
    assert.equal(signalled?.workflowExecution?.workflowId, cycleWorkflowId(agent.id, 1));
    const patches = agentEvents
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .flatMap((e) => Object.values(e.markerRecordedEventAttributes!.details ?? {}))
      .flatMap((p) => (p.payloads ?? []).map((payload) => Buffer.from(payload.data ?? []).toString()));
    assert.ok(
      patches.some((p) => p.includes('stop-aborts-decision')),
      `the version marker of the abort (${patches.join(', ')})`,
    );
    const cycle = worker.client.workflow.getHandle<typeof agentCycle>(cycleWorkflowId(agent.id, 1));
    const summary = await cycle.result();
    assert.equal(summary.ok, true);
    const cycleEvents = (await cycle.fetchHistory()).events ?? [];
    assert.ok(
      cycleEvents.some((e) => e.activityTaskCancelRequestedEventAttributes),
      'the model call was cancelled',
    );
    assert.equal((await worker.client.workflow.getHandle(agentWorkflowId(agent.id)).describe()).status.name, 'COMPLETED');
  });

  it('lets an order phase in flight finish, records it, then ends STOPPED', async () => {
    const agent = llmAgent(`${worker.tag}-orders`);
    const defaults = stubs.defaults();
    stubs.script.askDecisionMaker = async (input) => decided(stubs.modelOf(input), [OPEN_BTC]);
    let cancelled = false;
    stubs.script.placeOrders = async (input) => {
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 50);
      void context.cancelled.catch(() => (cancelled = true));
      try {
        await new Promise<void>((resolve) => (release = resolve));
      } finally {
        clearInterval(beat);
      }
      return defaults.placeOrders(input);
    };
    const handle = await worker.startAgent(agent, CADENCE_MS);
    await eventually('the order phase', async () => stubs.of('placeOrders').length > 0, 20_000);

    await handle.signal(stopSignal);
    await eventually('STOPPED', async () => (await handle.query(getStateQuery)).status === 'STOPPED', 10_000);
    await sleep(1000);
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'the agent waits for its order phase');
    assert.equal(stubs.of('recordCycleOutcome').length, 0);

    release();
    const final = await handle.result();
    assert.equal(final.status, 'STOPPED');
    assert.equal(final.cycleNo, 1);
    assert.equal(final.lastCycle?.summary, 'open long BTCUSDT 0.01 @2x');
    assert.equal(cancelled, false, 'the order phase was not cancelled');
    const [record] = stubs.of('recordCycleOutcome');
    assert.deepEqual(
      record!.executions.map((e) => [e.symbol, e.status]),
      [['BTCUSDT', 'filled']],
    );
    assert.deepEqual(
      stubs.of('readAccount').map((r) => r.cycleNo),
      [1],
      'no cycle after the stop',
    );
  });
});
