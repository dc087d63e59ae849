import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import {
  agentWorkflowId,
  cycleWorkflowId,
  getStateQuery,
  type CycleInput,
  pauseSignal,
  runCycleNowUpdate,
  stopSignal,
  updateConfigUpdate,
} from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena, workflowBundle } from '../support/arena';

const HISTORIES = path.join(__dirname, '..', 'histories');

describe('the arena on a real Temporal dev server and a real Postgres', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let api: ReturnType<typeof createApp>;
  let trend: AgentConfig;
  let hold: AgentConfig;

  const get = async (url: string) => (await api.request(url)).json() as Promise<{ success: boolean; data: any; error: string | null }>;
  const API_TOKEN = 'lifecycle-test-token';
  const post = (url: string) => api.request(url, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    api = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: API_TOKEN } });
    trend = demoAgent('ema-trend', arena.tag);
    hold = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([trend, hold], 250);
  });
  after(async () => arena?.close());

  it('runs two agents whose decision logs, orders, trades and equity agree', async () => {
    await eventually(
      '6 cycles of each agent',
      async () => (await cycleCount(arena.db, trend.id)) >= 6 && (await cycleCount(arena.db, hold.id)) >= 6,
    );
    const { db } = arena;

    for (const agent of [trend, hold]) {
      const cycles = await db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id).orderBy('cycle_no').execute();
      assert.deepEqual(
        cycles.map((c) => c.cycle_no),
        cycles.map((_, i) => i + 1),
        'cycles numbered 1..n, none twice',
      );
      assert.ok(
        cycles.every((c) => c.status === 'ok'),
        cycles.map((c) => c.error).join('; '),
      );
      const logged = cycles[0]!;
      assert.ok(logged.reasoning && logged.reasoning.length > 0);
      assert.equal((logged.input as { market: unknown[] }).market.length, agent.strategy.symbols.length);

      const snapshots = await db.selectFrom('equity_snapshots').selectAll().where('agent_id', '=', agent.id).execute();
      assert.ok(snapshots.length >= cycles.length - 1);
      for (const s of snapshots) {
        const parts = Number(s.cash) + Number(s.margin) + Number(s.unrealized_pnl);
        assert.ok(Math.abs(Number(s.equity) - parts) < 1e-6, `cycle ${s.cycle_no}: equity ${s.equity} != ${parts}`);
      }

      const trades = await db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id).execute();
      for (const t of trades) {
        const open = await db
          .selectFrom('orders')
          .selectAll()
          .where('agent_id', '=', agent.id)
          .where('client_order_id', '=', t.open_order_id)
          .executeTakeFirstOrThrow();
        assert.equal(open.status, 'FILLED');
        assert.equal(Number(open.executed_qty), Number(t.quantity));
        assert.equal(Number(open.avg_price), Number(t.entry_price));
      }
      const openTrades = trades.filter((t) => t.status === 'open');
      const venuePositions = await db.selectFrom('paper_positions').selectAll().where('account_id', '=', agent.exchange.account).execute();
      assert.deepEqual(openTrades.map((t) => t.symbol).sort(), venuePositions.map((p) => p.symbol).sort(), 'books agree with the venue');
      for (const t of openTrades) {
        const protection = await db
          .selectFrom('paper_orders')
          .select('type')
          .where('account_id', '=', agent.exchange.account)
          .where('symbol', '=', t.symbol)
          .where('status', '=', 'NEW')
          .execute();
        assert.deepEqual(protection.map((o) => o.type).sort(), ['STOP_MARKET', 'TAKE_PROFIT_MARKET'], `${t.symbol} is protected`);
      }
    }

    const holdTrades = await db.selectFrom('trades').selectAll().where('agent_id', '=', hold.id).execute();
    assert.equal(holdTrades.length, 1, 'buy and hold buys once');
    assert.equal(holdTrades[0]!.symbol, 'BTCUSDT');
    assert.equal(holdTrades[0]!.side, 'long');

    const list = await get('/api/agents');
    assert.equal(list.success, true);
    const listed = list.data.find((a: { id: string }) => a.id === trend.id);
    assert.equal(listed.status, 'running');
    assert.ok(listed.cycle_count >= 6);
    const account = await get(`/api/agents/${hold.id}/account`);
    assert.ok(
      Math.abs(account.data.total_balance - (account.data.available_balance + account.data.margin_used + account.data.unrealized_pnl)) <
        1e-6,
    );
    assert.equal((await get(`/api/agents/${hold.id}/positions`)).data[0].symbol, 'BTCUSDT');
    assert.equal((await get(`/api/agents/${trend.id}/decisions?limit=2`)).data.length, 2);
    assert.ok((await get(`/api/agents/${trend.id}/equity-history`)).data.length >= 5);
    assert.equal((await get(`/api/agents/${hold.id}/trades`)).data.length, 1);
    assert.equal((await api.request('/api/agents/nobody')).status, 404);
    assert.equal((await api.request(`/api/agents/${trend.id}/decisions?limit=abc`)).status, 400);
  });

  it('continues as new and keeps its cycle count and positions', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(hold.id));
    const firstRun = (await handle.describe()).runId;
    const continued = (await handle.query(getStateQuery)).continuedAsNew;
    const before = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', hold.id).execute();
    const state = await eventually(
      'a continue-as-new',
      async () => {
        const s = await handle.query(getStateQuery);
        return s.continuedAsNew > continued ? s : null;
      },
      120_000,
    );
    assert.notEqual((await handle.describe()).runId, firstRun);
    assert.ok(state.cycleNo >= 6);
    const next = state.cycleNo + 2;
    await eventually(`cycle ${next} after continue-as-new`, async () => (await cycleCount(arena.db, hold.id)) >= next);
    const cycles = await arena.db.selectFrom('cycles').select('cycle_no').where('agent_id', '=', hold.id).orderBy('cycle_no').execute();
    assert.deepEqual(
      cycles.map((c) => c.cycle_no),
      cycles.map((_, i) => i + 1),
      'numbering went on, nothing repeated',
    );
    const after = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', hold.id).execute();
    assert.deepEqual(
      after.map((t) => [t.id, t.status]),
      before.map((t) => [t.id, t.status]),
      'the same open position',
    );
  });

  it('pauses, resumes and stops through the API, which shows the status', async () => {
    const id = trend.id;
    assert.equal((await post(`/api/agents/${id}/pause`)).status, 200);
    await eventually('status paused', async () => (await get(`/api/agents/${id}`)).data.status === 'paused');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a cycle in flight may still finish
    const paused = await cycleCount(arena.db, id);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await cycleCount(arena.db, id), paused, 'no new cycle while paused');

    assert.equal((await post(`/api/agents/${id}/resume`)).status, 200);
    await eventually('cycles after resume', async () => (await cycleCount(arena.db, id)) >= paused + 2);
    assert.equal((await get(`/api/agents/${id}`)).data.status, 'running');

    assert.equal((await post(`/api/agents/${id}/stop`)).status, 200);
    const final = await arena.client.workflow.getHandle(agentWorkflowId(id)).result();
    assert.equal(final.status, 'STOPPED');
    assert.equal((await get(`/api/agents/${id}`)).data.status, 'stopped');
    assert.equal((await post(`/api/agents/${id}/pause`)).status, 409);
  });

  it('runs a cycle now and takes a new config through validated updates', async () => {
    const slow = demoAgent('rsi-reversion', arena.tag);
    await arena.start([slow], 3_600_000); // next timed cycle in an hour: only the update can run one
    const handle = arena.client.workflow.getHandle(agentWorkflowId(slow.id));
    const summary = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(summary.cycleNo, 1);
    assert.equal(summary.ok, true, summary.summary);
    assert.equal(await cycleCount(arena.db, slow.id), 1);

    const bad = { ...slow, strategy: { ...slow.strategy, risk: { ...slow.strategy.risk, maxLeverage: 500 } } };
    const rejectedWith = (pattern: RegExp) => (err: any) => pattern.test(String(err?.cause?.message ?? err?.message));
    await assert.rejects(handle.executeUpdate(updateConfigUpdate, { args: [bad] }), rejectedWith(/max_?leverage/i));
    await assert.rejects(
      handle.executeUpdate(updateConfigUpdate, { args: [{ ...slow, id: 'someone-else' }] }),
      rejectedWith(/cannot change/),
    );
    const good = { ...slow, strategy: { ...slow.strategy, risk: { ...slow.strategy.risk, maxPositions: 1 } } };
    await handle.executeUpdate(updateConfigUpdate, { args: [good] });
    assert.equal((await handle.query(getStateQuery)).config.strategy.risk.maxPositions, 1);

    // Each cycle names its config by digest (a few hundred bytes of input, no config); the activities
    // read it from agent_configs, so the cycle after the change runs on the new limits.
    assert.equal((await handle.executeUpdate(runCycleNowUpdate)).cycleNo, 2);
    const inputs = await Promise.all([1, 2].map((n) => cycleInput(arena, cycleWorkflowId(slow.id, n))));
    for (const input of inputs) {
      assert.ok(!('config' in input) && 'digest' in input.agentConfig, JSON.stringify(input));
      assert.ok(JSON.stringify(input).length < 600, `cycle input of ${JSON.stringify(input).length} bytes`);
    }
    const stored = await arena.db.selectFrom('agent_configs').selectAll().where('agent_id', '=', slow.id).execute();
    const limitOf = (input: CycleInput) =>
      stored.find((r) => 'digest' in input.agentConfig && r.digest === input.agentConfig.digest)?.config.strategy.risk.maxPositions;
    assert.equal(stored.length, 2, 'one row per config the agent ran with');
    assert.deepEqual(inputs.map(limitOf), [slow.strategy.risk.maxPositions, 1]);
    if (process.env.WRITE_HISTORIES)
      fs.writeFileSync(path.join(HISTORIES, 'agent-workflow-config-change-new.json'), historyToJSON(await handle.fetchHistory()));

    await handle.signal(pauseSignal);
    await assert.rejects(handle.executeUpdate(runCycleNowUpdate), rejectedWith(/paused/));
    await handle.signal(stopSignal);
    await handle.result();
  });

  it('records failed cycles, keeps going, and enters safe mode after three in a row', async () => {
    const broken = demoAgent('rsi-reversion', `${arena.tag}-broken`);
    broken.exchange = { ...broken.exchange, type: 'aster' }; // no credentials set: every cycle fails at its first step
    await arena.start([broken], 200);
    await eventually('4 failed cycles', async () => (await cycleCount(arena.db, broken.id)) >= 4);
    const cycles = await arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', broken.id).orderBy('cycle_no').execute();
    assert.ok(cycles.every((c) => c.status === 'failed'));
    assert.match(cycles[0]!.error!, /VenueRejection\.MISSING_CREDENTIALS: .*set ASTER_USER_\w+, ASTER_SIGNER_\w+, ASTER_PRIVATE_KEY_\w+/);
    const handle = arena.client.workflow.getHandle(agentWorkflowId(broken.id));
    const state = await handle.query(getStateQuery);
    assert.equal(state.status, 'RUNNING', 'a failed cycle never kills the agent');
    assert.equal(state.safeMode, true);
    assert.ok(state.consecutiveFailures >= 3);
    await handle.signal(stopSignal);
    await handle.result();
  });

  it('replays recorded histories without non-determinism', async () => {
    const histories = [
      { workflowId: agentWorkflowId(trend.id), history: await arena.client.workflow.getHandle(agentWorkflowId(trend.id)).fetchHistory() },
      {
        workflowId: cycleWorkflowId(hold.id, 1),
        history: await arena.client.workflow.getHandle(cycleWorkflowId(hold.id, 1)).fetchHistory(),
      },
    ];
    if (process.env.WRITE_HISTORIES) {
      fs.mkdirSync(HISTORIES, { recursive: true });
      for (const [name, h] of [
        ['agent-workflow-new', histories[0]!],
        ['cycle-workflow-new', histories[1]!],
      ] as const) {
        fs.writeFileSync(path.join(HISTORIES, `${name}.json`), historyToJSON(h.history));
      }
    }
    for (const file of fs.existsSync(HISTORIES) ? fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json')) : []) {
      histories.push({ workflowId: file, history: JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')) });
    }
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) throw result.error;
      replayed += 1;
    }
    assert.equal(replayed, histories.length);
  });
});

/** The input a cycle workflow was started with, from its history. */
async function cycleInput(arena: TestArena, workflowId: string): Promise<CycleInput> {
  const history = await arena.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return defaultPayloadConverter.fromPayload<CycleInput>(payload!);
}
