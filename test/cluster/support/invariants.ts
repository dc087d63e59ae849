/**
 * What must hold after any fault, read from the records (Postgres), the paper venue's books and
 * Temporal's visibility: every agent carries on, every cycle is recorded once and none is lost, no
 * order is placed twice, no workflow failed, and the arena's search attributes answer queries.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { AgentConfig } from '../../../arena-config/types';
import type { Database } from '../../../db/schema';
import { clientOrderId } from '../../../execution/client-order-id';
import type { ExecutionResult } from '../../../execution/execute-orders';
import type { RiskVerdict } from '../../../risk/types';
import { agentWorkflowId } from '../../../workflows/definitions';
import { eventually } from '../../support/arena';

/** Recorded cycles per agent. */
export async function cycleCounts(db: Kysely<Database>, agents: readonly AgentConfig[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('cycles')
    .select(['agent_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where(
      'agent_id',
      'in',
      agents.map((a) => a.id),
    )
    .groupBy('agent_id')
    .execute();
  const counts = new Map(agents.map((a) => [a.id, 0]));
  for (const row of rows) counts.set(row.agent_id, Number(row.n));
  return counts;
}

/** Every agent records at least `more` further cycles after `since`. */
export async function assertAgentsCarryOn(
  db: Kysely<Database>,
  agents: readonly AgentConfig[],
  since: Map<string, number>,
  more: number,
  timeoutMs: number,
): Promise<Map<string, number>> {
  let counts = since;
  try {
    await eventually(
      `${more} more cycles of every agent`,
      async () => {
        counts = await cycleCounts(db, agents);
        return agents.every((a) => counts.get(a.id)! >= since.get(a.id)! + more);
      },
      timeoutMs,
    );
  } catch (err) {
    const progress = agents.map((a) => `${a.id}: ${since.get(a.id)} -> ${counts.get(a.id)}`).join(', ');
    throw new Error(`${(err as Error).message} (${progress})`);
  }
  return counts;
}

/** Cycles 1..n of each agent, one row each (none twice, none skipped), and none failed. */
export async function assertCyclesOnceEach(db: Kysely<Database>, agents: readonly AgentConfig[]): Promise<void> {
  for (const agent of agents) {
    const cycles = await db
      .selectFrom('cycles')
      .select(['cycle_no', 'status', 'error'])
      .where('agent_id', '=', agent.id)
      .orderBy('cycle_no')
      .execute();
    assert.deepEqual(
      cycles.map((c) => c.cycle_no),
      cycles.map((_, i) => i + 1),
      `${agent.id}: cycles 1..${cycles.length}, each once`,
    );
    const failed = cycles.filter((c) => c.status !== 'ok');
    assert.deepEqual(
      failed.map((c) => `${c.cycle_no}: ${c.error}`),
      [],
      `${agent.id}: no failed cycle`,
    );
  }
}

/**
 * No order placed twice, checked on the paper venue's books against the records. While agents run,
 * the one cycle in flight per agent may have venue orders it has not recorded yet: `settled: false`
 * allows those (and only those: their ids derive from that cycle's number), `settled: true` none.
 */
export async function assertOrdersPlacedOnce(
  db: Kysely<Database>,
  agents: readonly AgentConfig[],
  settled: boolean,
): Promise<{ opens: number }> {
  // One snapshot of records and venue together: a cycle recorded between two reads would look inconsistent.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (snapshot) => {
      let opens = 0;
      for (const agent of agents) opens += await checkAgentOrders(snapshot, agent, settled);
      return { opens };
    });
}

/** The checks of assertOrdersPlacedOnce for one agent; returns how many approved opens it checked. */
async function checkAgentOrders(db: Kysely<Database>, agent: AgentConfig, settled: boolean): Promise<number> {
  const account = agent.exchange.account;
  const cycles = new Map(
    (await db.selectFrom('cycles').select(['cycle_no', 'risk_verdicts', 'executions']).where('agent_id', '=', agent.id).execute()).map(
      (c) => [c.cycle_no, c],
    ),
  );
  const venue = new Set(
    (
      await db
        .selectFrom('paper_orders')
        .select('client_order_id')
        .where('account_id', '=', account)
        .where('type', '!=', 'LIQUIDATION')
        .execute()
    ).map((o) => o.client_order_id),
  );
  const ours = new Map(
    (
      await db
        .selectFrom('orders')
        .select(['client_order_id', 'cycle_no', 'purpose', 'status', 'executed_qty'])
        .where('agent_id', '=', agent.id)
        .execute()
    ).map((o) => [o.client_order_id, o]),
  );
  const fills = new Map(
    (await db.selectFrom('fills').select(['client_order_id', 'quantity']).where('agent_id', '=', agent.id).execute()).map((f) => [
      f.client_order_id,
      f,
    ]),
  );
  const executionsOf = (cycleNo: number) => (cycles.get(cycleNo)?.executions ?? []) as ExecutionResult[];
  const lastCycle = Math.max(0, ...cycles.keys());

  let opens = 0;
  for (const [cycleNo, cycle] of cycles) {
    // What the cycle says it sent is on the venue, under its id, and in our books for that cycle.
    for (const e of executionsOf(cycleNo).filter((x) => x.status === 'filled' || x.status === 'placed')) {
      assert.ok(venue.has(e.clientOrderId), `${agent.id} cycle ${cycleNo}: ${e.leg} ${e.symbol} is on the venue`);
      assert.equal(ours.get(e.clientOrderId)?.cycle_no, cycleNo, `${agent.id} cycle ${cycleNo}: ${e.leg} ${e.symbol} is in the books`);
    }
    // Each open the risk engine approved was placed, under the id of (agent, cycle, leg): so at most once.
    for (const v of cycle.risk_verdicts as RiskVerdict[]) {
      if (v.order?.kind !== 'open') continue;
      const id = clientOrderId(agent.id, cycleNo, `open:${v.order.symbol}`);
      if (executionsOf(cycleNo).find((e) => e.clientOrderId === id)?.status === 'rejected') continue;
      assert.ok(venue.has(id), `${agent.id} cycle ${cycleNo}: approved open ${v.order.symbol} is on the venue`);
      opens += 1;
    }
  }
  for (const order of ours.values()) {
    // Every order of a recorded cycle is one that cycle reports (none from a second run of it).
    if (order.cycle_no <= lastCycle) {
      assert.ok(
        executionsOf(order.cycle_no).some((e) => e.clientOrderId === order.client_order_id),
        `${agent.id} cycle ${order.cycle_no}: order ${order.client_order_id} (${order.purpose}) is one the cycle reports`,
      );
    }
    // A filled open has its fill, of its quantity.
    if (order.purpose === 'open' && order.status === 'FILLED') {
      assert.equal(
        Number(fills.get(order.client_order_id)?.quantity),
        Number(order.executed_qty),
        `${agent.id}: open ${order.client_order_id} has its fill`,
      );
    }
  }
  // Nothing on the venue that no cycle accounts for.
  const inFlight = settled ? new Set<string>() : possibleOrderIds(agent, lastCycle + 1);
  const unknown = [...venue].filter((id) => !ours.has(id) && !inFlight.has(id));
  assert.deepEqual(unknown, [], `${agent.id}: every venue order is one of ours`);
  return opens;
}

/** Every client order id cycle `cycleNo` of `agent` could use (execution/execute-orders.ts: leg:symbol[:again]). */
function possibleOrderIds(agent: AgentConfig, cycleNo: number): Set<string> {
  const legs = ['open', 'close', 'stop_loss', 'take_profit', 'emergency_close'];
  return new Set(
    agent.strategy.symbols.flatMap((symbol) =>
      legs.flatMap((leg) => [
        clientOrderId(agent.id, cycleNo, `${leg}:${symbol}`),
        clientOrderId(agent.id, cycleNo, `${leg}:${symbol}:again`),
      ]),
    ),
  );
}

/** After the agents stopped: each venue position is protected and equals the open trades in the books. */
export async function assertBooksEqualVenue(db: Kysely<Database>, agents: readonly AgentConfig[]): Promise<void> {
  for (const agent of agents) {
    const account = agent.exchange.account;
    const positions = await db.selectFrom('paper_positions').selectAll().where('account_id', '=', account).execute();
    for (const p of positions) {
      const protection = (
        await db
          .selectFrom('paper_orders')
          .select('type')
          .where('account_id', '=', account)
          .where('symbol', '=', p.symbol)
          .where('status', '=', 'NEW')
          .execute()
      )
        .map((o) => o.type)
        .sort();
      assert.deepEqual(protection, ['STOP_MARKET', 'TAKE_PROFIT_MARKET'], `${agent.id}: ${p.symbol} is protected`);
    }
    const open = await db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id).where('status', '=', 'open').execute();
    assert.deepEqual(
      open.map((t) => [t.symbol, t.side, Number(t.quantity)]).sort(),
      positions.map((p) => [p.symbol, p.side, Number(p.quantity)]).sort(),
      `${agent.id}: open trades in the books equal the venue's positions`,
    );
  }
}

/** No workflow of the namespace ended failed, timed out, terminated or cancelled. */
export async function assertNoWorkflowFailed(client: Client): Promise<void> {
  const ended: string[] = [];
  const query = "ExecutionStatus != 'Running' AND ExecutionStatus != 'Completed' AND ExecutionStatus != 'ContinuedAsNew'";
  for await (const wf of client.workflow.list({ query })) ended.push(`${wf.workflowId}: ${wf.status.name}`);
  assert.deepEqual(ended, [], 'no workflow failed');
}

/**
 * The arena's search attributes answer on Postgres visibility: `AgentId = '…'` finds the agent's
 * workflow, and `AgentCycle > n` finds every running agent once it is past cycle n (visibility is
 * eventually consistent: polled).
 */
export async function assertSearchAttributesQueryable(client: Client, agents: readonly AgentConfig[], pastCycle: number): Promise<void> {
  for (const agent of agents) {
    const found: string[] = [];
    for await (const wf of client.workflow.list({ query: `AgentId = '${agent.id}'` })) found.push(wf.workflowId);
    assert.ok(
      found.includes(agentWorkflowId(agent.id)),
      `AgentId = '${agent.id}' finds ${agentWorkflowId(agent.id)} (got ${found.join(', ')})`,
    );
  }
  const query = `AgentCycle > ${pastCycle} AND ExecutionStatus = 'Running'`;
  await eventually(
    query,
    async () => {
      const ids = new Set<string>();
      for await (const wf of client.workflow.list({ query })) ids.add(wf.workflowId);
      return agents.every((a) => ids.has(agentWorkflowId(a.id)));
    },
    30_000,
  );
}
