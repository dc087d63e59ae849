import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clientOrderId } from '../../execution/client-order-id';
import type { RiskVerdict } from '../../risk/types';
import { agentWorkflowId, stopSignal } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena, workflowBundle } from '../support/arena';

const ROOT = path.join(__dirname, '..', '..');
const TRIALS = 10;

describe('a worker SIGKILLed during order execution, 10 times', function () {
  this.timeout(900_000);
  let arena: TestArena;
  let worker: ChildProcess | undefined;
  let bundlePath: string;

  const startWorker = (): ChildProcess =>
    spawn(process.execPath, ['--require', 'tsx/cjs', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: arena.env.address,
        TEMPORAL_NAMESPACE: arena.env.namespace ?? 'default',
        TEMPORAL_TASK_QUEUE: arena.taskQueue,
        DATABASE_URL: arena.dbUrl,
        LOG_LEVEL: 'warn',
        WORKFLOW_BUNDLE: bundlePath,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const venueOrderCount = async (accounts: string[]) =>
    Number(
      (
        await arena.db
          .selectFrom('paper_orders')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('account_id', 'in', accounts)
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    arena = await startTestArena();
    bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arena-bundle-')), 'workflows.js');
    fs.writeFileSync(bundlePath, (await workflowBundle()).code);
  });
  after(async () => {
    if (worker) await kill(worker);
    await arena?.close();
  });

  it('leaves each intended order on the venue exactly once, every position protected, books equal to the venue', async () => {
    const agents = [demoAgent('random-entry', `${arena.tag}-1`), demoAgent('random-entry', `${arena.tag}-2`)];
    const accounts = agents.map((a) => a.exchange.account);
    await arena.start(agents, 50);

    for (let trial = 0; trial < TRIALS; trial++) {
      worker = startWorker();
      const before = await venueOrderCount(accounts);
      // Strike while an order phase is under way: right after the venue received an order.
      await eventually(`an order in trial ${trial + 1}`, async () => (await venueOrderCount(accounts)) > before, 120_000);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 120)));
      await kill(worker);
    }
    worker = startWorker();
    const settled = await Promise.all(agents.map((a) => cycleCount(arena.db, a.id)));
    await eventually(
      'cycles after the last restart',
      async () => (await Promise.all(agents.map((a, i) => cycleCount(arena.db, a.id).then((n) => n >= settled[i]! + 4)))).every(Boolean),
      180_000,
    );
    for (const agent of agents) {
      const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
      await handle.signal(stopSignal);
      await handle.result();
    }
    await kill(worker);

    for (const agent of agents) {
      const account = agent.exchange.account;
      const cycles = await arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id).orderBy('cycle_no').execute();
      assert.deepEqual(
        cycles.map((c) => c.cycle_no),
        cycles.map((_, i) => i + 1),
        `${agent.id}: cycles 1..n, each once`,
      );

      const venueOrders = await arena.db
        .selectFrom('paper_orders')
        .select(['client_order_id', 'type', 'status'])
        .where('account_id', '=', account)
        .where('type', '!=', 'LIQUIDATION')
        .execute();
      const ours = await arena.db.selectFrom('orders').select('client_order_id').where('agent_id', '=', agent.id).execute();
      assert.deepEqual(
        venueOrders.map((o) => o.client_order_id).sort(),
        ours.map((o) => o.client_order_id).sort(),
        `${agent.id}: every venue order is one we intended and recorded`,
      );

      // Each open a recorded cycle approved exists once on the venue, under the id of that (agent, cycle, leg).
      let intended = 0;
      for (const c of cycles.filter((x) => x.status === 'ok')) {
        for (const v of c.risk_verdicts as RiskVerdict[]) {
          if (v.order?.kind !== 'open') continue;
          const id = clientOrderId(agent.id, c.cycle_no, `open:${v.order.symbol}`);
          const found = venueOrders.filter((o) => o.client_order_id === id);
          const executed = (c.executions as Array<{ clientOrderId: string; status: string }>).find((e) => e.clientOrderId === id);
          if (executed?.status === 'rejected') continue;
          assert.equal(found.length, 1, `${agent.id} cycle ${c.cycle_no}: open ${v.order.symbol} placed once`);
          intended += 1;
        }
      }
      assert.ok(intended >= 3, `${agent.id}: ${intended} opens checked`);

      const positions = await arena.db.selectFrom('paper_positions').selectAll().where('account_id', '=', account).execute();
      for (const p of positions) {
        const types = (
          await arena.db
            .selectFrom('paper_orders')
            .select('type')
            .where('account_id', '=', account)
            .where('symbol', '=', p.symbol)
            .where('status', '=', 'NEW')
            .execute()
        )
          .map((o) => o.type)
          .sort();
        assert.deepEqual(types, ['STOP_MARKET', 'TAKE_PROFIT_MARKET'], `${agent.id}: ${p.symbol} is protected`);
      }
      const open = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id).where('status', '=', 'open').execute();
      assert.deepEqual(
        open.map((t) => [t.symbol, t.side, Number(t.quantity)]).sort(),
        positions.map((p) => [p.symbol, p.side, Number(p.quantity)]).sort(),
        `${agent.id}: open trades in the books equal the venue's positions`,
      );
    }
  });
});
