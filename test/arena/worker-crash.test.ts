import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { AgentConfig } from '../../arena-config/types';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';

const ROOT = path.join(__dirname, '..', '..');

describe('a worker process killed (SIGKILL) in the middle of cycles', function () {
  this.timeout(420_000);
  let arena: TestArena;
  let worker: ChildProcess | undefined;

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: arena.env.address,
        TEMPORAL_NAMESPACE: arena.env.namespace ?? 'default',
        TEMPORAL_TASK_QUEUE: arena.taskQueue,
        DATABASE_URL: arena.dbUrl,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return child;
  };
  const kill = async (child: ChildProcess) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const total = async (agents: AgentConfig[]) => {
    let n = 0;
    for (const a of agents) n += await cycleCount(arena.db, a.id);
    return n;
  };

  before(async () => {
    arena = await startTestArena();
  });
  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) await kill(worker);
    await arena?.close();
  });

  it('carries on after a restart, with every cycle and every order recorded once', async () => {
    const agents = [demoAgent('ema-trend', arena.tag), demoAgent('btc-buy-hold', arena.tag)];
    await arena.start(agents, 100);
    for (let round = 0; round < 2; round++) {
      worker = startWorker();
      const before = await total(agents);
      await eventually(`cycles progressing (round ${round})`, async () => (await total(agents)) >= before + 3, 180_000);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 800)));
      await kill(worker);
    }
    const afterKills = await total(agents);
    worker = startWorker();
    await eventually('cycles after the last restart', async () => (await total(agents)) >= afterKills + 4, 180_000);
    await kill(worker);

    for (const agent of agents) {
      const cycles = await arena.db
        .selectFrom('cycles')
        .select(['cycle_no', 'status', 'error'])
        .where('agent_id', '=', agent.id)
        .orderBy('cycle_no')
        .execute();
      assert.deepEqual(
        cycles.map((c) => c.cycle_no),
        cycles.map((_, i) => i + 1),
        `${agent.id}: cycles 1..n, each once`,
      );
      assert.deepEqual(
        cycles.filter((c) => c.status !== 'ok'),
        [],
        `${agent.id}: a crash costs time, not a cycle`,
      );

      const ours = await arena.db.selectFrom('orders').select('client_order_id').where('agent_id', '=', agent.id).execute();
      const onVenue = await arena.db
        .selectFrom('paper_orders')
        .select('client_order_id')
        .where('account_id', '=', agent.exchange.account)
        .where('type', '!=', 'LIQUIDATION')
        .execute();
      assert.deepEqual(
        onVenue.map((o) => o.client_order_id).sort(),
        ours.map((o) => o.client_order_id).sort(),
        `${agent.id}: every venue order is in our records and nothing was placed twice`,
      );
      const opens = await arena.db
        .selectFrom('orders')
        .select('client_order_id')
        .where('agent_id', '=', agent.id)
        .where('purpose', '=', 'open')
        .where('status', '=', 'FILLED')
        .execute();
      const trades = await arena.db.selectFrom('trades').select('open_order_id').where('agent_id', '=', agent.id).execute();
      assert.deepEqual(trades.map((t) => t.open_order_id).sort(), opens.map((o) => o.client_order_id).sort());
    }
    const holds = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', agents[1]!.id).execute();
    assert.equal(holds.length, 1, 'buy and hold bought exactly once');
  });
});
