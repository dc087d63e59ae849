import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { AgentConfig } from '../../arena-config/types';
import { executeOrders } from '../../execution/execute-orders';
import { FencingRejected } from '../../execution/fencing';
import { openVenue } from '../../venues/open-venue';
import { agentWorkflow } from '../../workflows/agent';
import { agentWorkflowId, stopSignal } from '../../workflows/definitions';
import { acquireLockSignal } from '../../workflows/trading-lock-definitions';
import { executionContext } from '../fixtures/paper-account';
import { TestArena, demoAgent, eventually, startTestArena } from '../support/arena';

describe('the trading lock (workflow mutex with fencing) on a real dev server', function () {
  this.timeout(240_000);
  let arena: TestArena;

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
  });
  after(async () => arena?.close());

  const onAccount = (agent: AgentConfig, account: string, symbols: string[]): AgentConfig => ({
    ...agent,
    exchange: { ...agent.exchange, account },
    strategy: { ...agent.strategy, symbols },
  });

  it('never lets two agents on one account place orders at the same time', async () => {
    const account = `shared-${arena.tag}`;
    const a = onAccount(demoAgent('random-entry', `${arena.tag}-a`), account, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const b = onAccount(demoAgent('random-entry', `${arena.tag}-b`), account, ['BNBUSDT', 'DOGEUSDT', 'XRPUSDT']);
    await arena.start([a, b], 50);
    const phaseCount = async (agentId: string) =>
      Number(
        (
          await arena.db
            .selectFrom('orders')
            .select(sql<string>`count(distinct cycle_no)`.as('n'))
            .where('agent_id', '=', agentId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await eventually('8 order phases per agent', async () => (await phaseCount(a.id)) >= 8 && (await phaseCount(b.id)) >= 8, 180_000);
    for (const agent of [a, b]) {
      const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
      await handle.signal(stopSignal);
      await handle.result();
    }

    // Venue-side receipt times of every order, grouped into each agent's order phases (one per cycle).
    const rows = await arena.db
      .selectFrom('paper_orders as p')
      .innerJoin('orders as o', (j) => j.onRef('o.client_order_id', '=', 'p.client_order_id'))
      .select(['o.agent_id', 'o.cycle_no', 'p.received_at'])
      .where('p.account_id', '=', account)
      .execute();
    const phases = new Map<string, { agent: string; start: number; end: number }>();
    for (const r of rows) {
      const key = `${r.agent_id}#${r.cycle_no}`;
      const t = r.received_at.getTime();
      const phase = phases.get(key) ?? { agent: r.agent_id, start: t, end: t };
      phases.set(key, { agent: phase.agent, start: Math.min(phase.start, t), end: Math.max(phase.end, t) });
    }
    const sorted = [...phases.values()].sort((x, y) => x.start - y.start);
    assert.ok(sorted.length >= 16);
    for (let i = 1; i < sorted.length; i++) {
      const [prev, next] = [sorted[i - 1]!, sorted[i]!];
      if (prev.agent !== next.agent) {
        assert.ok(next.start >= prev.end, `phases overlap: ${prev.agent} until ${prev.end}, ${next.agent} from ${next.start}`);
      }
    }
    const lock = await arena.db
      .selectFrom('trading_locks')
      .selectAll()
      .where('lock_id', '=', `lock-paper-${account}`)
      .executeTakeFirstOrThrow();
    assert.ok(Number(lock.token) >= sorted.length, 'one fencing token per grant at least');
    const runs = [];
    for await (const run of arena.client.workflow.list({ query: `WorkflowId = 'lock-paper-${account}'` })) runs.push(run);
    assert.ok(runs.length >= 2, `the lock workflow continued as new (${runs.length} runs)`);
  });

  it('fences out a holder whose lease expired: its orders are refused, the next holder trades', async () => {
    const lockId = `lock-fence-${arena.tag}`;
    // Two requesters that never release (paused agents): the first lease can only end by expiring.
    const holders = [demoAgent('random-entry', `${arena.tag}-h1`), demoAgent('random-entry', `${arena.tag}-h2`)];
    for (const config of holders) {
      await arena.client.workflow.start(agentWorkflow, {
        workflowId: agentWorkflowId(config.id),
        taskQueue: arena.taskQueue,
        args: [
          {
            config,
            cycleIntervalMs: 3_600_000,
            state: {
              config,
              status: 'PAUSED',
              pauseReason: 'test',
              cycleNo: 0,
              consecutiveFailures: 0,
              failedCycles: 0,
              lastCycle: null,
              continuedAsNew: 0,
            },
          },
        ],
      });
    }
    const request = (holder: AgentConfig, leaseMs: number) =>
      arena.client.workflow.signalWithStart('tradingLockWorkflow', {
        workflowId: lockId,
        taskQueue: arena.taskQueue,
        args: [{ lockId }],
        signal: acquireLockSignal,
        signalArgs: [{ requesterWorkflowId: agentWorkflowId(holder.id), requestId: holder.id, leaseMs }],
      });
    const current = () => arena.db.selectFrom('trading_locks').selectAll().where('lock_id', '=', lockId).executeTakeFirst();

    await request(holders[0]!, 1500);
    await request(holders[1]!, 60_000);
    const first = await eventually('the first grant', async () => ((await current())?.token === '1' ? await current() : null));
    assert.equal(first!.holder, agentWorkflowId(holders[0]!.id));
    const second = await eventually(
      'the second grant after the lease expired',
      async () => ((await current())?.token === '2' ? await current() : null),
      30_000,
    );
    assert.equal(second!.holder, agentWorkflowId(holders[1]!.id));

    await arena.db
      .insertInto('agents')
      .values({
        id: holders[0]!.id,
        name: 'h1',
        provider: 'rule_based',
        model: 'random_entry',
        venue: 'paper',
        account: holders[0]!.exchange.account,
        initial_balance: 10_000,
        config: '{}',
      })
      .execute();
    const venue = openVenue(arena.deps, holders[0]!.exchange, 10_000, Date.UTC(2023, 7, 1));
    const order = {
      kind: 'open' as const,
      symbol: 'BTCUSDT',
      side: 'long' as const,
      quantity: '0.01',
      leverage: 2,
      referencePrice: 29000,
      stopLoss: '28000.0',
      takeProfit: '31000.0',
    };
    const phase = (token: number) => executionContext(arena.db, venue, holders[0]!.id, 1, { lockId, token });
    await assert.rejects(
      executeOrders(phase(1), { orders: [order], protect: [], cancel: [] }),
      (err: unknown) => err instanceof FencingRejected && /superseded by 2/.test(err.message),
    );
    assert.deepEqual(await venue.openOrders(), []);
    assert.deepEqual(await venue.positions(), [], 'the expired holder placed nothing');
    const results = await executeOrders(phase(2), { orders: [order], protect: [], cancel: [] });
    assert.equal(results[0]!.status, 'filled');
    for (const config of holders) await arena.client.workflow.getHandle(agentWorkflowId(config.id)).terminate('test over');
  });
});
