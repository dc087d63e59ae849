/**
 * Every agent's cycle sees the arena's bar, not one of its own: an agent paused while the arena runs
 * skips the bars it missed, and once resumed it trades the bar every other agent trades at that
 * moment. A bar is never traded twice by one agent.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { AgentConfig } from '../../arena-config/types';
import { REPLAY_BAR_MS } from '../../market/replay';
import { agentWorkflowId, cycleWorkflowId, getStateQuery, pauseSignal, resumeSignal } from '../../workflows/definitions';
import { type TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';

const BAR_WALL_MS = 600;

describe('one market clock for all agents (real dev server)', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let paused: AgentConfig;
  let running: AgentConfig;

  const cyclesOf = (a: AgentConfig) =>
    arena.db
      .selectFrom('cycles')
      .select(['cycle_no', 'market_time', 'started_at'])
      .where('agent_id', '=', a.id)
      .orderBy('cycle_no')
      .execute();

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    paused = demoAgent('ema-trend', arena.tag);
    running = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([paused, running], BAR_WALL_MS, { barMs: BAR_WALL_MS });
    await eventually(
      '3 cycles each',
      async () => (await cycleCount(arena.db, paused.id)) >= 3 && (await cycleCount(arena.db, running.id)) >= 3,
    );
  });
  after(async () => arena?.close());

  it('a paused agent skips the bars it missed, then trades the bar every agent trades; no bar twice', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(paused.id));
    await handle.signal(pauseSignal);
    await eventually('paused', async () => (await handle.query(getStateQuery)).status === 'PAUSED');
    const beforePause = (await cyclesOf(paused)).at(-1)!;
    const runningAtPause = (await cyclesOf(running)).length;
    await eventually('the other agent 5 bars on', async () => (await cyclesOf(running)).length >= runningAtPause + 5);
    await handle.signal(resumeSignal);
    await eventually(
      '4 cycles after the resume',
      async () => (await cyclesOf(paused)).filter((c) => c.cycle_no > beforePause.cycle_no).length >= 4,
    );

    const mine = await cyclesOf(paused);
    const theirs = await cyclesOf(running);
    const times = mine.map((c) => c.market_time!.getTime());
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i]! > times[i - 1]!, `bar ${new Date(times[i]!).toISOString()} traded twice or out of order`);
    for (const c of [...mine, ...theirs]) assert.equal((c.market_time!.getTime() - times[0]!) % REPLAY_BAR_MS, 0);

    const afterResume = mine.filter((c) => c.cycle_no > beforePause.cycle_no);
    const skipped = (afterResume[0]!.market_time!.getTime() - beforePause.market_time!.getTime()) / REPLAY_BAR_MS - 1;
    assert.ok(skipped >= 4, `only ${skipped} bars skipped while paused for 5 bars of the other agent`);

    // WRITE_HISTORIES=1 keeps this run (pause, resume, cycles on the arena clock) for the replay test.
    if (process.env.WRITE_HISTORIES) {
      const history = await handle.fetchHistory();
      fs.writeFileSync(path.join(__dirname, '..', 'histories', 'agent-workflow-paused-new.json'), historyToJSON(history));
    }

    // The other agent samples the arena's clock: at the moment each resumed cycle started, the other one
    // was trading the same bar. It may skip a bar when the machine is slow, so the resumed cycle's bar must
    // lie between the other agent's bars started around it (and match one exactly most of the time).
    const slack = 2 * BAR_WALL_MS;
    let exact = 0;
    for (const c of afterResume.slice(0, -1)) {
      const bar = c.market_time!.getTime();
      const started = c.started_at.getTime();
      const before = theirs.filter((t) => t.market_time!.getTime() <= bar).at(-1);
      const after = theirs.find((t) => t.market_time!.getTime() >= bar);
      assert.ok(before && after, `the other agent has cycles around ${c.market_time!.toISOString()}`);
      assert.ok(before.started_at.getTime() <= started + slack, `bar ${c.market_time!.toISOString()}: the other agent reached it later`);
      assert.ok(after.started_at.getTime() >= started - slack, `bar ${c.market_time!.toISOString()}: the other agent was past it`);
      if (before.market_time!.getTime() === bar) exact += 1;
    }
    assert.ok(exact >= 2, `only ${exact} resumed cycles on a bar the other agent also traded`);
  });

  it("each cycle's page in the Temporal Web UI tells what was asked, decided and done, with the equity after", async () => {
    const [last] = await arena.db
      .selectFrom('cycles')
      .select(['cycle_no', 'market_time'])
      .where('agent_id', '=', running.id)
      .where('status', '=', 'ok')
      .orderBy('cycle_no', 'desc')
      .limit(1)
      .execute();
    const metadata = await arena.client.workflow
      .getHandle(cycleWorkflowId(running.id, last!.cycle_no))
      .query<{ currentDetails: string }>('__temporal_workflow_metadata');
    const bar = last!.market_time!.toISOString().slice(0, 16).replace('T', ' ');
    assert.ok(metadata.currentDetails.startsWith(`**Cycle ${last!.cycle_no}** · bar ${bar}Z`), metadata.currentDetails);
    assert.match(metadata.currentDetails, /\*\*Asked\*\* rule_based\/buy_and_hold · equity [\d,.]+ USDT/);
    assert.match(metadata.currentDetails, /\*\*Decided\*\*: /);
    assert.match(metadata.currentDetails, /\*\*Equity after\*\* [\d,.]+ USDT · 1 position/);
  });
});
