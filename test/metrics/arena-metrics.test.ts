/**
 * `GET /metrics` after real cycles (two demo agents on the dev server, the worker in this process):
 * scraped over HTTP, read strictly as the Prometheus text format, and every counter and gauge checked
 * against the records in Postgres.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import { lastSnapshot } from '../../db/equity-snapshots';
import type { Decision } from '../../decisions/types';
import type { ExecutionResult } from '../../execution/execute-orders';
import type { RiskVerdict } from '../../risk/types';
import { agentWorkflowId, pauseSignal } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { type Exposition, byLabel, samples, scrape, total } from './scrape';

const TOKEN = 'metrics-test-token';

describe('GET /metrics after real cycles', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let agents: AgentConfig[];
  let server: ServerType;
  let url: string;
  let families: Exposition;
  let contentType: string;

  const tally = <T>(items: T[], key: (item: T) => string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
    return out;
  };
  const cyclesOf = (agentId: string) =>
    arena.db.selectFrom('cycles').select(['status', 'decisions', 'risk_verdicts', 'executions']).where('agent_id', '=', agentId).execute();

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    agents = [demoAgent('random-entry', arena.tag), demoAgent('btc-buy-hold', arena.tag)];
    await arena.start(agents, 250);
    await eventually(
      '8 cycles of each agent',
      async () => {
        for (const a of agents) if ((await cycleCount(arena.db, a.id)) < 8) return false;
        return true;
      },
      120_000,
    );
    // Paused, so that the records and the counters stop moving under the assertions.
    for (const a of agents) await arena.client.workflow.getHandle(agentWorkflowId(a.id)).signal(pauseSignal, { reason: 'metrics test' });
    for (const a of agents) {
      let last = -1;
      await eventually(`${a.id} settled`, async () => {
        const now = await cycleCount(arena.db, a.id);
        const settled = now === last;
        last = now;
        if (!settled) await new Promise((resolve) => setTimeout(resolve, 1500));
        return settled;
      });
    }
    const app = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN } });
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    ({ families, contentType } = await scrape(url));
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await arena?.close();
  });

  it("answers in the Prometheus text format, with the process's own metrics", () => {
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    for (const name of ['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'arena_cycles_total', 'arena_step_duration_seconds']) {
      assert.ok(families.has(name), name);
    }
    assert.equal(families.get('arena_cycle_duration_seconds')?.type, 'histogram');
  });

  it('counts cycles, decisions and risk rejections as the decision logs record them', async () => {
    for (const a of agents) {
      const cycles = await cyclesOf(a.id);
      const agent = { agent: a.id };
      assert.deepEqual(
        byLabel(families, 'arena_cycles_total', 'outcome', agent),
        tally(cycles, (c) => c.status),
      );
      assert.equal(
        total(families, 'arena_cycle_duration_seconds_count', { ...agent, outcome: 'ok' }),
        cycles.filter((c) => c.status === 'ok').length,
      );
      assert.deepEqual(
        byLabel(families, 'arena_decisions_total', 'action', agent),
        tally(
          cycles.flatMap((c) => c.decisions as Decision[]),
          (d) => d.action,
        ),
      );
      const verdicts = cycles.flatMap((c) => c.risk_verdicts as RiskVerdict[]);
      assert.deepEqual(
        byLabel(families, 'arena_risk_rejections_total', 'rule', agent),
        tally(
          verdicts.filter((v) => v.status === 'rejected'),
          (v) => v.rule!,
        ),
      );
      assert.deepEqual(
        byLabel(families, 'arena_risk_resizes_total', 'rule', agent),
        tally(
          verdicts.filter((v) => v.status === 'resized'),
          (v) => v.rule!,
        ),
      );
    }
    const recorded = (await Promise.all(agents.map((a) => cycleCount(arena.db, a.id)))).reduce((s, n) => s + n, 0);
    assert.ok(total(families, 'arena_step_duration_seconds_count', { step: 'recordCycleOutcome', outcome: 'ok' }) >= recorded);
  });

  it('counts orders by venue, purpose and status as the executions and trades record them', async () => {
    let opened = 0;
    for (const a of agents) {
      const executions = (await cyclesOf(a.id)).flatMap((c) => c.executions as ExecutionResult[]);
      const counted: Record<string, number> = {};
      for (const s of samples(families, 'arena_orders_total', { agent: a.id, venue: 'paper' }))
        counted[`${s.labels.purpose} ${s.labels.status}`] = s.value;
      assert.deepEqual(
        counted,
        tally(executions, (e) => `${e.leg} ${e.status}`),
      );
      const trades = await arena.db.selectFrom('trades').select(['status', 'close_reason']).where('agent_id', '=', a.id).execute();
      assert.equal(
        total(families, 'arena_orders_total', { agent: a.id, purpose: 'open', status: 'filled' }),
        trades.length,
        'one trade per filled open',
      );
      assert.deepEqual(
        byLabel(families, 'arena_closed_trades_total', 'reason', { agent: a.id }),
        tally(
          trades.filter((t) => t.status === 'closed'),
          (t) => t.close_reason!,
        ),
      );
      assert.equal(
        total(families, 'arena_emergency_closes_total', { agent: a.id }),
        executions.filter((e) => e.leg === 'emergency_close').length,
      );
      assert.equal(total(families, 'arena_unprotected_positions_found_total', { agent: a.id }), 0);
      opened += trades.length;
    }
    assert.ok(opened > 0, 'the agents traded');
    assert.ok(total(families, 'arena_trading_lock_wait_seconds_count', { venue: 'paper' }) > 0);
  });

  it("reports each agent's equity, PnL, margin, positions, last cycle, status and safe mode from the records and the workflow", async () => {
    for (const a of agents) {
      const agent = { agent: a.id };
      const snapshot = (await lastSnapshot(arena.db, a.id))!;
      assert.equal(total(families, 'arena_equity_usdt', agent), Number(snapshot.equity));
      assert.equal(total(families, 'arena_unrealized_pnl_usdt', agent), Number(snapshot.unrealized_pnl));
      assert.equal(total(families, 'arena_margin_used_usdt', agent), Number(snapshot.margin));
      assert.equal(total(families, 'arena_open_positions', agent), snapshot.position_count);
      const row = await arena.db.selectFrom('agents').select('last_cycle_at').where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(total(families, 'arena_agent_last_cycle_timestamp_seconds', agent), row.last_cycle_at!.getTime() / 1000);
      assert.deepEqual(
        samples(families, 'arena_agent_status', agent).map((s) => [s.labels.status, s.value]),
        [['paused', 1]],
      );
      assert.equal(total(families, 'arena_safe_mode', agent), 0);
      assert.equal(total(families, 'arena_safe_mode_cycles_total', agent), 0);
    }
  });

  it('keeps labels bounded: ids, names and fixed words, no free text', () => {
    for (const family of families.values()) {
      if (!family.name.startsWith('arena_')) continue;
      for (const s of family.samples) {
        for (const [label, value] of Object.entries(s.labels)) assert.match(value, /^[\w.:+-]{1,64}$/, `${s.name}{${label}="${value}"}`);
      }
    }
  });

  it('needs the read token when reads do', async () => {
    const app = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN, readTokenRequired: true } });
    assert.equal((await app.request('/metrics')).status, 401);
    const answer = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(answer.status, 200);
    assert.ok((await answer.text()).includes('arena_equity_usdt'));
  });
});
