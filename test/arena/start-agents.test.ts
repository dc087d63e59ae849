/**
 * The launcher (arena/start-agents.ts) brings running agents to the files' config: a change that may
 * happen at run time through `updateConfig`, a change to what only the files may set by stopping the
 * agent after its cycle and starting it again, keeping its state (cycle numbers, pause).
 */
import assert from 'node:assert/strict';
import type { AgentConfig } from '../../arena-config/types';
import { startAgents } from '../../arena/start-agents';
import { agentWorkflowId, getStateQuery, pauseSignal } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';

describe("launcher: the files' config reaches running agents", function () {
  this.timeout(180_000);
  let arena: TestArena;
  let agent: AgentConfig;
  const logs: string[] = [];
  const launch = (configs: AgentConfig[]) =>
    startAgents(
      {
        client: arena.client,
        db: arena.db,
        taskQueue: arena.taskQueue,
        cycleIntervalMs: () => 300,
        symbolUniverse: [...arena.deps.market.symbols()],
        log: (m) => logs.push(m),
      },
      configs,
    );
  const state = () => arena.client.workflow.getHandle(agentWorkflowId(agent.id)).query(getStateQuery);

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    agent = demoAgent('ema-trend', arena.tag);
    await arena.start([agent], 300);
    await eventually('2 cycles', async () => (await cycleCount(arena.db, agent.id)) >= 2);
  });
  after(async () => arena?.close());

  it('sends a run-time change through updateConfig, keeping the same workflow run', async () => {
    const run = (await arena.client.workflow.getHandle(agentWorkflowId(agent.id)).describe()).runId;
    await launch([{ ...agent, strategy: { ...agent.strategy, risk: { ...agent.strategy.risk, maxLeverage: 2 } } }]);
    assert.equal((await state()).config.strategy.risk.maxLeverage, 2);
    assert.equal((await arena.client.workflow.getHandle(agentWorkflowId(agent.id)).describe()).runId, run);
    assert.match(logs.at(-1)!, /config refreshed/);
  });

  it('restarts a paused agent whose files changed a fixed field, keeping its cycle count and its pause', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
    await handle.signal(pauseSignal, { reason: 'operator pause' });
    await eventually('paused', async () => (await state()).status === 'PAUSED');
    const before = await state();
    const changed: AgentConfig = { ...agent, exchange: { ...agent.exchange, takerFeeRate: 0.0004 } };
    await launch([changed]);
    assert.match(logs.find((l) => l.includes('exchange.takerFeeRate changed in the files')) ?? '', /restarting it after its current cycle/);
    const after = await state();
    assert.equal(after.config.exchange.takerFeeRate, 0.0004);
    assert.equal(after.status, 'PAUSED');
    assert.equal(after.pauseReason, 'operator pause');
    assert.equal(after.cycleNo, before.cycleNo);
    const description = await handle.describe();
    assert.equal(description.status.name, 'RUNNING');
  });
});
