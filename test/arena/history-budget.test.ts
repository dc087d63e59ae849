/**
 * What a cycle costs Temporal: the events it writes to its own history, to its agent's and (when it
 * trades) to its account's trading lock. Budget: at most 25 for a cycle without orders, 45 with.
 *
 * Counted per cycle, in the steady state: what a workflow writes once per run (its start, the first
 * workflow task, the version markers `patched()` records and their search attribute, continue-as-new)
 * is left out, since a run lasts hundreds of cycles in production (the test server continues every 60
 * events, which would otherwise charge a run's start to every fourth cycle).
 */
import assert from 'node:assert/strict';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, cycleWorkflowId, stopSignal } from '../../workflows/definitions';
import { tradingLockId } from '../../workflows/trading-lock-definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { type HistoryEvent, oncePerRun, splitAtTimers } from '../support/history-events';

type Event = HistoryEvent;

const NO_ORDERS_BUDGET = 25;
const WITH_ORDERS_BUDGET = 45;

describe('the history budget of a cycle', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let trader: AgentConfig;
  let holder: AgentConfig;

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    // random-entry trades on every cycle (an open, then a close two bars later); buy-and-hold opens
    // once, then holds: its cycles send nothing.
    trader = demoAgent('random-entry', arena.tag);
    holder = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([trader, holder], 400);
    await eventually(
      '10 cycles each',
      async () => (await cycleCount(arena.db, trader.id)) >= 10 && (await cycleCount(arena.db, holder.id)) >= 10,
      180_000,
    );
    for (const agent of [trader, holder]) {
      const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
      await handle.signal(stopSignal);
      await handle.result();
    }
  });
  after(async () => arena?.close());

  const eventsOf = async (workflowId: string): Promise<Event[]> =>
    (await arena.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  /** Every run of a workflow (it continues as new), oldest first, each run's events. */
  const runsOf = async (workflowId: string): Promise<Event[][]> => {
    const runs: Array<{ runId: string; start: number }> = [];
    for await (const run of arena.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      runs.push({ runId: run.runId, start: run.startTime.getTime() });
    }
    runs.sort((a, b) => a.start - b.start);
    return Promise.all(runs.map(async (r) => (await arena.client.workflow.getHandle(workflowId, r.runId).fetchHistory()).events ?? []));
  };

  it(`writes at most ${NO_ORDERS_BUDGET} events for a cycle without orders and ${WITH_ORDERS_BUDGET} with`, async () => {
    let withOrders = 0;
    let withoutOrders = 0;
    const report: string[] = [];
    for (const agent of [trader, holder]) {
      // The agent's share of a cycle: from the timer that waits for it to the start of the next wait (in
      // every run: the agent continues as new every 60 events on the test server).
      const perCycle = (await runsOf(agentWorkflowId(agent.id))).flatMap((run) => splitAtTimers(run.filter((e) => !oncePerRun(e))));
      const lockRuns = await runsOf(tradingLockId('paper', agent.exchange.account));
      const lockEvents = lockRuns.flatMap((run) => run.slice(4).filter((e) => !oncePerRun(e))); // a run's start and first task
      const grants = lockEvents.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
      const lockPerGrant = grants ? lockEvents.length / grants : 0;
      const cycles = await arena.db
        .selectFrom('cycles')
        .select(['cycle_no', 'executions'])
        .where('agent_id', '=', agent.id)
        .orderBy('cycle_no')
        .execute();
      for (const c of cycles.slice(1, -1)) {
        // the first cycle also starts the agent, the last one stops it
        const own = (await eventsOf(cycleWorkflowId(agent.id, c.cycle_no))).length;
        const share = perCycle[c.cycle_no - 1]!;
        const traded = c.executions.length > 0;
        const total = own + share + (traded ? lockPerGrant : 0);
        report.push(
          `${agent.id} cycle ${c.cycle_no}: ${own} own + ${share} agent${traded ? ` + ${lockPerGrant.toFixed(1)} lock` : ''} = ${total.toFixed(1)}`,
        );
        if (traded) withOrders += 1;
        else withoutOrders += 1;
        assert.ok(total <= (traded ? WITH_ORDERS_BUDGET : NO_ORDERS_BUDGET), report.join('\n'));
      }
    }
    assert.ok(withOrders >= 4 && withoutOrders >= 4, `both kinds of cycle were measured:\n${report.join('\n')}`);
  });
});
