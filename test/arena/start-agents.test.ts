/**
 * The launcher (arena/start-agents.ts) brings running agents to the files' config: a change that may
 * happen at run time through `updateConfig`, a change to what only the files may set by stopping the
 * agent after its cycle and starting it again, keeping its state (cycle numbers, pause).
 */
import assert from 'node:assert/strict';
import type { AgentConfig } from '../../arena-config/types';
import { notReadyYet, startAgents } from '../../arena/start-agents';
import { configDigest, findAgentConfig } from '../../db/agent-configs';
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
    assert.equal(after.configDigest, configDigest(changed), 'its cycles name the new config, not the one its state named before');
    assert.deepEqual(await findAgentConfig(arena.db, agent.id, configDigest(changed)), changed);
    assert.equal(after.status, 'PAUSED');
    assert.equal(after.pauseReason, 'operator pause');
    assert.equal(after.cycleNo, before.cycleNo);
    const description = await handle.describe();
    assert.equal(description.status.name, 'RUNNING');
  });
});

describe('launcher: which start errors mean "not ready yet, try again"', () => {
  const serviceError = (code: number, details: string) =>
    Object.assign(new Error('Failed to start Workflow'), { cause: Object.assign(new Error(`${code} ${details}`), { code, details }) });

  it('a search attribute registered a moment ago that a cluster service does not know yet, a task still replaying, no poller', () => {
    assert.ok(notReadyYet(serviceError(3, 'Namespace default has no mapping defined for search attribute AgentId')));
    assert.ok(notReadyYet(serviceError(9, 'Workflow Task in failed state')));
    assert.ok(notReadyYet(new Error('no poller seen for task queue recently')));
  });

  it('not any other invalid argument or error', () => {
    assert.ok(!notReadyYet(serviceError(3, 'WorkflowId length exceeds limit')));
    assert.ok(!notReadyYet(new Error('connection refused')));
    assert.ok(!notReadyYet('a string'));
  });
});
