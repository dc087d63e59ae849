/**
 * Continue-as-new. The agent has no cycle-count option: it continues as new between cycles when the
 * server suggests it (workflowInfo().continueAsNewSuggested), which the test dev server does after 60
 * history events (`limit.historyCount.suggestContinueAsNew=60` in test/support/temporal.ts): a few
 * cycles at a short cadence (the dev server fires timers with about 1 s precision, so a timed cycle
 * takes about a second whatever the cadence: the test takes some 7 s). The new run carries the
 * compact state: cycle number, counters, the config as changed by updateConfig, the cadence.
 */
import assert from 'node:assert/strict';
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AgentInput } from '../../workflows/definitions';
import { agentWorkflowId, cycleWorkflowId, getStateQuery, stopSignal, updateConfigUpdate } from '../../workflows/definitions';
import { VenueUnavailableError } from '../../venues/errors';
import { eventually } from '../support/arena';
import { ActivityStubs, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const CADENCE_MS = 200;
/** The test server's suggestion threshold (test/support/temporal.ts). */
const SUGGEST_AFTER_EVENTS = 60;

type Event = temporal.api.history.v1.IHistoryEvent;

describe('workflows: continue-as-new (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;

  beforeEach(async () => {
    stubs = new ActivityStubs(CADENCE_MS);
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => worker?.stop());

  it('continues as new between cycles and keeps its cycle number, counters and config', async () => {
    const agent = llmAgent(`${worker.tag}-can`);
    const defaults = stubs.defaults();
    // Cycle 2 fails (a counter to carry over); the others are quiet.
    stubs.script.readAccount = async (input) => {
      if (input.cycleNo === 2) throw new VenueUnavailableError('venue down for cycle 2');
      return defaults.readAccount(input);
    };
    const handle = await worker.startAgent(agent, CADENCE_MS);
    const firstRunId = (await handle.describe()).runId;

    await eventually('cycle 1', async () => (await handle.query(getStateQuery)).cycleNo >= 1, 20_000);
    const tuned = { ...agent, strategy: { ...agent.strategy, risk: { ...agent.strategy.risk, maxPositions: 1 } } };
    await handle.executeUpdate(updateConfigUpdate, { args: [tuned] });
    assert.deepEqual(
      stubs.of('saveAgentConfig').map((c) => c.strategy.risk.maxPositions),
      [1],
    );

    const continued = await eventually(
      'a continue-as-new',
      async () => {
        const s = await handle.query(getStateQuery);
        return s.continuedAsNew >= 1 ? s : null;
      },
      30_000,
    );
    const secondRunId = (await handle.describe()).runId;
    assert.notEqual(secondRunId, firstRunId);

    // The first run: long enough to be told, ended by ContinuedAsNew between cycles, with the compact state as input.
    const firstRun = (await worker.client.workflow.getHandle(agentWorkflowId(agent.id), firstRunId).fetchHistory()).events ?? [];
    assert.ok(firstRun.length >= SUGGEST_AFTER_EVENTS, `${firstRun.length} events`);
    const last = firstRun.at(-1)!;
    const can = last.workflowExecutionContinuedAsNewEventAttributes;
    assert.ok(can, 'the first run ended in continue-as-new');
    assert.equal(can.newExecutionRunId, secondRunId);
    assert.ok(!hasOpenChild(firstRun), 'no cycle was running when it continued');
    const carried = defaultPayloadConverter.fromPayload<AgentInput>(can.input!.payloads![0]!);
    const cyclesInFirstRun = carried.state!.cycleNo;
    assert.ok(cyclesInFirstRun >= 3, `${cyclesInFirstRun} cycles before continuing`);
    assert.equal(carried.cycleIntervalMs, CADENCE_MS);
    assert.equal(carried.state!.failedCycles, 1);
    assert.equal(carried.state!.continuedAsNew, 1);
    assert.equal(carried.state!.status, 'RUNNING');
    assert.equal(carried.config.strategy.risk.maxPositions, 1, 'the config as updated, not as started');
    assert.equal(carried.state!.lastCycle?.cycleNo, cyclesInFirstRun);
    if (carried.state!.lastCycle?.ok) assert.ok(carried.state!.lastCycle.nextBarAt, 'the clock reading that times the next cycle');
    assert.ok(continued.cycleNo >= cyclesInFirstRun);

    // The new run goes on from there: the next cycle numbers, no cycle twice, counters kept.
    const target = cyclesInFirstRun + 2;
    await eventually(`cycle ${target}`, async () => (await handle.query(getStateQuery)).cycleNo >= target, 20_000);
    await handle.signal(stopSignal);
    const final = await handle.result();
    assert.equal(final.status, 'STOPPED');
    assert.ok(final.cycleNo >= target);
    assert.equal(final.failedCycles, 1);
    assert.ok(final.continuedAsNew >= 1);
    assert.equal(final.config.strategy.risk.maxPositions, 1);
    const synced = stubs.of('readAccount').map((r) => r.cycleNo);
    assert.deepEqual(
      synced,
      Array.from({ length: final.cycleNo }, (_, i) => i + 1),
      'cycles 1..n, each once, across runs',
    );
    assert.ok(
      stubs
        .of('readAccount')
        .filter((r) => r.cycleNo > cyclesInFirstRun)
        .every((r) => stubs.configOf(r.agentConfig).strategy.risk.maxPositions === 1),
    );
    const nextCycle = await worker.client.workflow.getHandle(cycleWorkflowId(agent.id, cyclesInFirstRun + 1)).describe();
    assert.equal(nextCycle.status.name, 'COMPLETED');
    assert.equal(nextCycle.parentExecution?.runId, secondRunId, 'the next cycle is a child of the new run');
  });
});

/** A child started in the history whose completion is not in it. */
function hasOpenChild(events: Event[]): boolean {
  const started = events.filter((e) => e.childWorkflowExecutionStartedEventAttributes).length;
  const ended = events.filter(
    (e) =>
      e.childWorkflowExecutionCompletedEventAttributes ||
      e.childWorkflowExecutionFailedEventAttributes ||
      e.childWorkflowExecutionTimedOutEventAttributes ||
      e.childWorkflowExecutionTerminatedEventAttributes ||
      e.childWorkflowExecutionCanceledEventAttributes,
  ).length;
  return started !== ended;
}
