/**
 * `/health` component by component, on the real dev server and Postgres: a running agent with no
 * worker polling its task queue is a 503, a worker makes it healthy, an agent without a cycle for
 * too long and a database that does not answer are 503s again; `/health/live` only says the process answers.
 */
import assert from 'node:assert/strict';
import { createApp } from '../../api/app';
import { AgentStates } from '../../api/agent-state';
import type { AgentConfig } from '../../arena-config/types';
import { createDb } from '../../db/connect';
import { checkHealth } from '../../observability/health';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { freePort } from '../support/ports';

interface HealthBody {
  success: boolean;
  data: {
    status: string;
    database: string;
    temporal: string;
    worker: string;
    task_queue: { name: string; workflow_pollers: number; activity_pollers: number } | null;
    agents: Array<{ id: string; status: string; last_cycle_at: string | null; seconds_since_last_cycle: number | null; health: string }>;
  };
  error: string | null;
}

describe('GET /health: every component, and a 503 when one is down', function () {
  this.timeout(180_000);
  let arena: TestArena;
  let agent: AgentConfig;
  const health = async (app: ReturnType<typeof createApp>) => {
    const res = await app.request('/health');
    return { status: res.status, body: (await res.json()) as HealthBody };
  };

  before(async () => {
    arena = await startTestArena();
    agent = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([agent], 500);
  });
  after(async () => arena?.close());

  it("answers 503 while no worker polls the running agent's task queue, then 200 once one does", async () => {
    const app = createApp({ db: arena.db, temporal: arena.client });
    const down = await eventually('the agent running', async () => {
      const answer = await health(app);
      return answer.body.data.agents[0]?.status === 'running' ? answer : null;
    });
    assert.equal(down.status, 503);
    assert.equal(down.body.success, false);
    assert.match(down.body.error!, /^degraded: worker down: no worker has polled task queue arena-test-\w+ in the last 120 s$/);
    assert.deepEqual([down.body.data.database, down.body.data.temporal, down.body.data.status], ['ok', 'ok', 'degraded']);
    assert.deepEqual(down.body.data.task_queue, { name: arena.taskQueue, workflow_pollers: 0, activity_pollers: 0 });
    assert.deepEqual(
      down.body.data.agents.map((a) => [a.id, a.status, a.last_cycle_at, a.health]),
      [[agent.id, 'running', null, 'ok']],
    );

    await arena.runWorker();
    await eventually('a cycle', async () => (await cycleCount(arena.db, agent.id)) >= 1);
    const up = await eventually('healthy', async () => {
      const answer = await health(app);
      return answer.status === 200 ? answer : null;
    });
    assert.equal(up.body.success, true);
    assert.equal(up.body.data.status, 'healthy');
    assert.equal(up.body.data.worker, 'ok');
    assert.equal(up.body.data.task_queue?.name, arena.taskQueue);
    assert.ok(up.body.data.task_queue!.workflow_pollers > 0 && up.body.data.task_queue!.activity_pollers > 0);
    const [state] = up.body.data.agents;
    assert.equal(state!.health, 'ok');
    assert.ok(state!.last_cycle_at && state!.seconds_since_last_cycle! < 60, JSON.stringify(state));
  });

  it('calls a running agent late after three scan intervals (at least 5 minutes) without a cycle', async () => {
    const deps = { db: arena.db, temporal: arena.client, states: new AgentStates(arena.client) };
    const interval = agent.strategy.scanIntervalMinutes * 60_000;
    const soon = await checkHealth(deps, Date.now() + Math.max(5 * 60_000, 3 * interval) - 30_000);
    assert.equal(soon.agents[0]!.health, 'ok');
    const late = await checkHealth(deps, Date.now() + Math.max(5 * 60_000, 3 * interval) + 30_000);
    assert.equal(late.agents[0]!.health, 'late');
    assert.equal(late.status, 'degraded');
  });

  it('answers 503 when the database does not, and /health/live 200 all the same', async () => {
    const deadDb = createDb(`postgres://nobody@127.0.0.1:${await freePort()}/none`, 1);
    try {
      const app = createApp({ db: deadDb, temporal: arena.client });
      const answer = await health(app);
      assert.equal(answer.status, 503);
      assert.match(answer.body.data.database, /^error: /);
      assert.equal(answer.body.data.temporal, 'ok');
      assert.match(answer.body.error!, /^degraded: database error: /);
      const live = await app.request('/health/live');
      assert.equal(live.status, 200);
      assert.deepEqual(await live.json(), { success: true, data: { status: 'alive' }, error: null });
    } finally {
      await deadDb.destroy();
    }
  });
});
