/**
 * Every endpoint against a database filled by real cycles: two demo agents run on the real dev
 * server, then each answer is checked against its schema (the same zod schemas that make the
 * OpenAPI document), the records in Postgres, pagination and time ranges.
 */
import assert from 'node:assert/strict';
import { z } from '@hono/zod-openapi';
import { createApp } from '../../api/app';
import { AnalyticsSchema, LeaderboardEntrySchema, PerformanceSchema } from '../../api/routes/analytics';
import { PriceSchema } from '../../api/routes/market';
import { CostsSchema } from '../../api/routes/models';
import {
  AccountSchema,
  AgentConfigSchema,
  AgentDetailSchema,
  AgentSummarySchema,
  CycleSummarySchema,
  DecisionLogSchema,
  EquityPointSchema,
  PositionSchema,
  TradeSchema,
} from '../../api/views/agent-views';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, getStateQuery } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { Api, call, conforms, refused, sleep } from './helpers';

const TOKEN = 'endpoints-test-token';

describe('API: every endpoint on records of real cycles', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let api: Api;
  let trend: AgentConfig;
  let hold: AgentConfig;
  let stopWorker: () => Promise<void>;
  const get = (url: string) => call(api, 'GET', url);

  before(async () => {
    arena = await startTestArena();
    stopWorker = await arena.runWorker();
    api = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN } });
    trend = demoAgent('ema-trend', arena.tag);
    hold = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([trend, hold], 250);
    await eventually(
      '8 cycles of each agent',
      async () => (await cycleCount(arena.db, trend.id)) >= 8 && (await cycleCount(arena.db, hold.id)) >= 8,
    );

    // Running, then paused through the API so that the records stop moving under the assertions.
    const listed = conforms(await get('/api/agents'), z.array(AgentSummarySchema));
    assert.deepEqual(
      listed.map((a) => a.status),
      ['running', 'running'],
    );
    for (const agent of [trend, hold]) conforms(await call(api, 'POST', `/api/agents/${agent.id}/pause`, { token: TOKEN }), z.unknown());
    for (const agent of [trend, hold]) {
      let last = -1;
      await eventually(`${agent.id} settled`, async () => {
        const now = await cycleCount(arena.db, agent.id);
        const settled = now === last;
        last = now;
        if (!settled) await sleep(700);
        return settled;
      });
    }
  });
  after(async () => arena?.close());

  it('answers / with every endpoint, /health, /openapi.json with every route and schema, and /docs', async () => {
    const info = conforms(
      await get('/'),
      z.object({
        name: z.string(),
        description: z.string(),
        docs: z.string(),
        openapi: z.string(),
        endpoints: z.array(z.string()),
      }),
    );
    for (const endpoint of [
      'GET /api/agents',
      'GET /api/agents/{id}',
      'GET /api/agents/{id}/account',
      'GET /api/agents/{id}/positions',
      'GET /api/agents/{id}/decisions',
      'GET /api/agents/{id}/equity-history',
      'GET /api/agents/{id}/trades',
      'GET /api/agents/{id}/costs',
      'GET /api/market/prices',
      'POST /api/agents/{id}/run-cycle',
      'PATCH /api/agents/{id}/config',
      'GET /api/agents/{id}/performance',
      'GET /api/agents/{id}/analytics',
      'GET /api/leaderboard',
    ])
      assert.ok(info.endpoints.includes(endpoint), endpoint);

    const health = conforms(
      await get('/health'),
      z.object({
        status: z.literal('healthy'),
        database: z.literal('ok'),
        temporal: z.literal('ok'),
        // Both agents are paused: none is meant to cycle, so no task queue needs a worker.
        worker: z.literal('not checked: no running agent'),
        task_queue: z.null(),
        agents: z.array(
          z.object({
            id: z.string(),
            status: z.literal('paused'),
            last_cycle_at: z.string(),
            seconds_since_last_cycle: z.number(),
            health: z.literal('idle'),
          }),
        ),
      }),
    );
    assert.deepEqual(
      health.agents.map((a) => a.id),
      [trend.id, hold.id].sort(),
    );
    conforms(await get('/health/live'), z.object({ status: z.literal('alive') }));

    const res = await api.request('/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, any>>;
      components: { schemas: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.0.0');
    for (const [path, methods] of Object.entries({
      '/': ['get'],
      '/health': ['get'],
      '/health/live': ['get'],
      '/metrics': ['get'],
      '/api/agents': ['get'],
      '/api/agents/{id}': ['get'],
      '/api/agents/{id}/account': ['get'],
      '/api/agents/{id}/positions': ['get'],
      '/api/agents/{id}/decisions': ['get'],
      '/api/agents/{id}/equity-history': ['get'],
      '/api/agents/{id}/trades': ['get'],
      '/api/agents/{id}/costs': ['get'],
      '/api/agents/{id}/prompt/preview': ['get'],
      '/api/market/prices': ['get'],
      '/api/agents/{id}/pause': ['post'],
      '/api/agents/{id}/resume': ['post'],
      '/api/agents/{id}/stop': ['post'],
      '/api/agents/{id}/run-cycle': ['post'],
      '/api/agents/{id}/config': ['get', 'put', 'patch'],
    })) {
      for (const method of methods) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    }
    for (const name of [
      'AgentStatus',
      'AgentDetail',
      'AccountInfo',
      'Position',
      'DecisionLog',
      'EquityPoint',
      'Trade',
      'Price',
      'Costs',
      'Error',
    ]) {
      assert.ok(doc.components.schemas[name], `schema ${name}`);
    }
    const limit = doc.paths['/api/agents/{id}/decisions']!.get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.deepEqual([limit.in, limit.schema.minimum, limit.schema.maximum], ['query', 1, 500]);
    assert.ok(doc.paths['/api/agents/{id}/config']!.patch.security, 'control routes declare the bearer token');

    const docs = await api.request('/docs');
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  it('lists the agents and shows one with its live state from the workflow', async () => {
    const list = conforms(await get('/api/agents'), z.array(AgentSummarySchema));
    assert.deepEqual(
      list.map((a) => a.id),
      [trend.id, hold.id].sort(),
    );
    for (const a of list) {
      assert.equal(a.status, 'paused');
      assert.equal(a.cycle_count, await cycleCount(arena.db, a.id));
      assert.equal(a.config.provider, 'rule_based');
      assert.equal(a.initial_balance, 10_000);
    }

    const detail = conforms(await get(`/api/agents/${trend.id}`), AgentDetailSchema);
    assert.equal(detail.state_source, 'workflow');
    assert.equal(detail.status, 'paused');
    assert.equal(detail.status_reason, 'pause via API');
    assert.equal(detail.live!.cycleNo, detail.cycle_count);
    assert.equal(detail.live!.config.id, trend.id);
    assert.deepEqual(detail.live!.config, JSON.parse(JSON.stringify(trend)));
    CycleSummarySchema.parse(detail.live!.lastCycle);
    assert.ok(detail.uptime >= 0);

    const config = conforms(await get(`/api/agents/${hold.id}/config`), AgentConfigSchema);
    assert.deepEqual(config, JSON.parse(JSON.stringify(hold)));
    refused(await get('/api/agents/nobody'), 404, 'nobody');
  });

  it('shows the account and the positions after the last cycle', async () => {
    const account = conforms(await get(`/api/agents/${hold.id}/account`), AccountSchema.nullable())!;
    assert.equal(account.cycle, await cycleCount(arena.db, hold.id));
    assert.ok(Math.abs(account.total_balance - (account.available_balance + account.margin_used + account.unrealized_pnl)) < 1e-6);
    assert.ok(account.used_percentage > 0 && account.used_percentage < 100);
    assert.ok(Math.abs(account.return_pct - (account.total_balance / 10_000 - 1) * 100) < 1e-9);

    const positions = conforms(await get(`/api/agents/${hold.id}/positions`), z.array(PositionSchema));
    assert.equal(positions.length, 1);
    assert.deepEqual([positions[0]!.symbol, positions[0]!.side, positions[0]!.margin_type], ['BTCUSDT', 'long', 'isolated']);
    assert.ok(Math.abs(account.total_positions_value - positions[0]!.position_amt * positions[0]!.mark_price) < 1e-6);
  });

  it('pages the decision log and filters it by market time', async () => {
    const count = await cycleCount(arena.db, trend.id);
    const all = conforms(await get(`/api/agents/${trend.id}/decisions`), z.array(DecisionLogSchema));
    assert.deepEqual(
      all.map((d) => d.cycle),
      range(count, 1),
      'all of them, newest first',
    );
    const first = all[all.length - 1]!;
    assert.equal(first.status, 'ok');
    assert.equal(first.agent_id, trend.id);
    assert.equal(first.market_data.length, trend.strategy.symbols.length);
    assert.ok(first.account && first.account.total_balance === 10_000);
    assert.ok(first.ai_reasoning && first.ai_reasoning.length > 0);
    assert.ok(first.decisions.length >= 1 && first.risk_verdicts.length >= 0);
    assert.equal(first.llm, null);

    const page1 = conforms(await get(`/api/agents/${trend.id}/decisions?limit=3`), z.array(DecisionLogSchema));
    const page2 = conforms(await get(`/api/agents/${trend.id}/decisions?limit=3&offset=3`), z.array(DecisionLogSchema));
    assert.deepEqual(
      [...page1, ...page2].map((d) => d.cycle),
      range(count, count - 5),
    );
    assert.deepEqual(conforms(await get(`/api/agents/${trend.id}/decisions?offset=${count}`), z.array(DecisionLogSchema)), []);

    // [from, to): cycles 3, 4 and 5, in each of the three time forms.
    const at = (cycle: number) => all.find((d) => d.cycle === cycle)!.market_time!;
    const forms = [
      [at(3), at(6)],
      [String(Date.parse(at(3))), String(Date.parse(at(6)))],
      [at(3).replace('Z', '+00:00'), at(6).replace('.000Z', 'Z')],
    ];
    for (const [from, to] of forms) {
      const url = `/api/agents/${trend.id}/decisions?from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`;
      assert.deepEqual(
        conforms(await get(url), z.array(DecisionLogSchema)).map((d) => d.cycle),
        [5, 4, 3],
        url,
      );
    }
    const since = conforms(
      await get(`/api/agents/${trend.id}/decisions?from=${encodeURIComponent(at(count - 1))}`),
      z.array(DecisionLogSchema),
    );
    assert.deepEqual(
      since.map((d) => d.cycle),
      [count, count - 1],
    );
    const day = at(1).slice(0, 10);
    const before = conforms(await get(`/api/agents/${trend.id}/decisions?to=${day}`), z.array(DecisionLogSchema));
    assert.deepEqual(before, [], 'a date is midnight UTC: nothing before the first cycle');
  });

  it('pages the equity curve (oldest first within a page) and filters it by market time', async () => {
    const rows = await arena.db.selectFrom('equity_snapshots').selectAll().where('agent_id', '=', hold.id).orderBy('cycle_no').execute();
    const curve = conforms(await get(`/api/agents/${hold.id}/equity-history`), z.array(EquityPointSchema));
    assert.deepEqual(
      curve.map((p) => p.cycle),
      rows.map((r) => r.cycle_no),
    );
    assert.deepEqual(
      curve.map((p) => p.equity),
      rows.map((r) => Number(r.equity)),
    );
    for (const p of curve) assert.ok(Math.abs(p.equity - (p.cash + p.margin + p.unrealized_pnl)) < 1e-6);

    const newest = conforms(await get(`/api/agents/${hold.id}/equity-history?limit=2`), z.array(EquityPointSchema));
    assert.deepEqual(
      newest.map((p) => p.cycle),
      curve.slice(-2).map((p) => p.cycle),
    );
    const older = conforms(await get(`/api/agents/${hold.id}/equity-history?limit=2&offset=2`), z.array(EquityPointSchema));
    assert.deepEqual(
      older.map((p) => p.cycle),
      curve.slice(-4, -2).map((p) => p.cycle),
    );

    const from = curve[1]!.market_time;
    const to = curve[4]!.market_time;
    const window = conforms(await get(`/api/agents/${hold.id}/equity-history?from=${from}&to=${to}`), z.array(EquityPointSchema));
    assert.deepEqual(
      window.map((p) => p.cycle),
      curve.slice(1, 4).map((p) => p.cycle),
    );
  });

  it('lists trades with the status filter, paging and time range', async () => {
    const trades = conforms(await get(`/api/agents/${hold.id}/trades`), z.array(TradeSchema));
    assert.equal(trades.length, 1, 'buy and hold buys once');
    const [trade] = trades;
    assert.deepEqual([trade!.symbol, trade!.side, trade!.status, trade!.open_cycle], ['BTCUSDT', 'long', 'open', 1]);
    assert.ok(trade!.stop_loss! < trade!.entry_price && trade!.take_profit! > trade!.entry_price);
    assert.equal(conforms(await get(`/api/agents/${hold.id}/trades?status=open`), z.array(TradeSchema)).length, 1);
    assert.equal(conforms(await get(`/api/agents/${hold.id}/trades?status=closed`), z.array(TradeSchema)).length, 0);
    assert.equal(conforms(await get(`/api/agents/${hold.id}/trades?offset=1`), z.array(TradeSchema)).length, 0);
    const opened = Date.parse(trade!.opened_at);
    assert.equal(conforms(await get(`/api/agents/${hold.id}/trades?from=${opened}&to=${opened + 1}`), z.array(TradeSchema)).length, 1);
    assert.equal(conforms(await get(`/api/agents/${hold.id}/trades?from=${opened + 1}`), z.array(TradeSchema)).length, 0);

    const trendTrades = conforms(await get(`/api/agents/${trend.id}/trades?limit=1000`), z.array(TradeSchema));
    const inDb = await arena.db.selectFrom('trades').select('id').where('agent_id', '=', trend.id).orderBy('id', 'desc').execute();
    assert.deepEqual(
      trendTrades.map((t) => t.id),
      inDb.map((t) => Number(t.id)),
    );
  });

  it('shows model costs (none for rule-based agents), and no prompt preview for them', async () => {
    const costs = conforms(await get(`/api/agents/${trend.id}/costs?limit=10&offset=0&from=2020-01-01&to=2030-01-01`), CostsSchema);
    assert.deepEqual(costs.totals, { calls: 0, failed_calls: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0 });
    assert.deepEqual([costs.per_cycle, costs.calls], [[], []]);

    // A rule-based agent decides in code: it has no prompt to show (an LLM agent's preview: llm-agent.test.ts).
    refused(await get(`/api/agents/${trend.id}/prompt/preview`), 409, /rule-based \(ema_trend\): it decides in code and sends no prompt/);
  });

  it('gives the prices at one bar: the newest any agent recorded on the arena clock', async () => {
    const cycles = await arena.db.selectFrom('cycles').select(['agent_id', 'market_time', 'input']).where('status', '=', 'ok').execute();
    const bar = Math.max(...cycles.map((c) => c.market_time!.getTime()));
    const atBar = new Map<string, number>();
    for (const cycle of cycles.filter((c) => c.market_time!.getTime() === bar).sort((a, b) => (a.agent_id < b.agent_id ? -1 : 1))) {
      for (const m of cycle.input.market ?? []) if (!atBar.has(m.symbol)) atBar.set(m.symbol, m.price);
    }

    const all = conforms(await get('/api/market/prices'), z.array(PriceSchema));
    assert.deepEqual(
      all.map((p) => p.symbol),
      [...atBar.keys()].sort(),
    );
    for (const p of all) assert.deepEqual([p.price, p.market_time], [atBar.get(p.symbol)!, new Date(bar).toISOString()], p.symbol);
    assert.equal(new Set(all.map((p) => p.market_time)).size, 1, 'one bar for every symbol');

    const some = conforms(await get('/api/market/prices?symbols=ethusdt,BTCUSDT,ADAUSDT,BTCUSDT'), z.array(PriceSchema));
    assert.deepEqual(
      some.map((p) => p.symbol),
      ['ETHUSDT', 'BTCUSDT', 'ADAUSDT'],
      'in the order asked, once each',
    );
    assert.equal(some[1]!.price, atBar.get('BTCUSDT'));
    assert.ok([trend.id, hold.id].includes(some[1]!.agent_id!));
    assert.deepEqual([some[2]!.price, some[2]!.market_time, some[2]!.agent_id], [null, null, null], 'no agent trades ADAUSDT');
    refused(await get('/api/market/prices?symbols=BTC-USDT'), 400, 'symbols');
  });

  it('mounts performance, analytics and the leaderboard (analytics-routes.ts) in the same envelope and document', async () => {
    const performance = conforms(await get(`/api/agents/${hold.id}/performance`), PerformanceSchema);
    assert.equal(performance.agent_id, hold.id);
    assert.equal(performance.as_of, (await get(`/api/agents/${hold.id}/equity-history?limit=1`)).body.data[0].market_time);
    const analytics = conforms(await get(`/api/agents/${trend.id}/analytics?from=2020-01-01&to=2030-01-01`), AnalyticsSchema);
    assert.ok(Array.isArray(analytics.by_symbol));
    const board = conforms(await get('/api/leaderboard'), z.array(LeaderboardEntrySchema));
    assert.deepEqual(board.map((e) => e.agent_id).sort(), [trend.id, hold.id].sort());
    assert.equal(new Set(board.map((e) => e.market_time)).size, 1, "one market time: the arena's");
    refused(await get('/api/agents/nobody/performance'), 404, 'nobody');
    refused(await get(`/api/agents/${hold.id}/analytics?from=soon`), 400, '"from"');

    const doc = (await (await api.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/agents/{id}/performance', '/api/agents/{id}/analytics', '/api/leaderboard']) assert.ok(doc.paths[path], path);
  });

  it('runs a cycle now and changes the config of a running agent through the API', async () => {
    const slow = demoAgent('rsi-reversion', arena.tag);
    await arena.start([slow], 3_600_000); // next timed cycle in an hour: only the API can run one
    const auth = { token: TOKEN };

    const ran = conforms(
      await call(api, 'POST', `/api/agents/${slow.id}/run-cycle`, auth),
      z.object({ agent_id: z.string(), cycle: CycleSummarySchema }),
    );
    assert.deepEqual([ran.agent_id, ran.cycle.cycleNo, ran.cycle.ok], [slow.id, 1, true]);
    assert.equal(await cycleCount(arena.db, slow.id), 1);
    conforms(await call(api, 'POST', `/api/agents/${slow.id}/run-cycle`, auth), z.unknown());
    assert.equal(await cycleCount(arena.db, slow.id), 2, 'the cycle count grows with each call');

    // A partial patch, merged onto the current config.
    const patched = conforms(
      await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { strategy: { risk: { maxPositions: 1 } } } }),
      z.object({ agent_id: z.string(), config: AgentConfigSchema }),
    );
    assert.equal((patched.config.strategy as unknown as AgentConfig['strategy']).risk.maxPositions, 1);
    assert.equal(
      (patched.config.strategy as unknown as AgentConfig['strategy']).risk.maxLeverage,
      slow.strategy.risk.maxLeverage,
      'the rest is kept',
    );
    const handle = arena.client.workflow.getHandle(agentWorkflowId(slow.id));
    assert.equal((await handle.query(getStateQuery)).config.strategy.risk.maxPositions, 1);
    const row = await arena.db.selectFrom('agents').select('config').where('id', '=', slow.id).executeTakeFirstOrThrow();
    assert.equal((row.config as AgentConfig).strategy.risk.maxPositions, 1, 'the agents row follows');

    // A whole config.
    const whole = { ...slow, name: 'RSI renamed', strategy: { ...slow.strategy, risk: { ...slow.strategy.risk, maxPositions: 2 } } };
    const put = conforms(
      await call(api, 'PUT', `/api/agents/${slow.id}/config`, { ...auth, body: whole }),
      z.object({ agent_id: z.string(), config: AgentConfigSchema }),
    );
    assert.deepEqual(put.config, JSON.parse(JSON.stringify(whole)));
    assert.equal((await handle.query(getStateQuery)).config.name, 'RSI renamed');
    assert.equal(conforms(await get('/api/agents'), z.array(AgentSummarySchema)).find((a) => a.id === slow.id)!.name, 'RSI renamed');

    // Bad configs are refused naming the field.
    refused(
      await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { strategy: { risk: { maxLeverage: 500 } } } }),
      400,
      'strategy.risk.maxLeverage',
    );
    refused(
      await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { decisionMaker: { temperature: 'hot' } } }),
      400,
      'decisionMaker.temperature',
    );
    refused(
      await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { strategy: { symbols: null } } }),
      400,
      'strategy.symbols',
    );
    refused(await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { stratgy: {} } }), 400, 'stratgy');
    refused(
      await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { exchange: { account: 'elsewhere' } } }),
      400,
      'exchange.account',
    );
    refused(await call(api, 'PUT', `/api/agents/${slow.id}/config`, { ...auth, body: { ...slow, id: 'someone-else' } }), 400, /config: id/);
    refused(await call(api, 'PUT', `/api/agents/${slow.id}/config`, { ...auth, body: { name: 'only a name' } }), 400, /config: \w+/);
    assert.equal((await handle.query(getStateQuery)).config.strategy.risk.maxPositions, 2, 'nothing changed');
  });

  it('answers without a worker: status from the description, bad configs at once, good updates 202 then applied', async () => {
    const slow = demoAgent('rsi-reversion', arena.tag);
    const auth = { token: TOKEN };
    const waiting = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN }, updateWaitMs: 1500 });
    const handle = arena.client.workflow.getHandle(agentWorkflowId(slow.id));
    const cycles = await cycleCount(arena.db, slow.id);
    await stopWorker();

    const detail = conforms(await call(waiting, 'GET', `/api/agents/${slow.id}`), AgentDetailSchema);
    assert.deepEqual([detail.status, detail.state_source, detail.live], ['running', 'database', null]);
    assert.equal(detail.cycle_count, cycles);

    // Anything that reached the workflow would wait for a worker: a bad config is refused at once.
    const started = Date.now();
    refused(
      await call(waiting, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { strategy: { risk: { maxLeverage: 500 } } } }),
      400,
      'strategy.risk.maxLeverage',
    );
    assert.ok(Date.now() - started < 1000, 'answered without the workflow');

    const pending = z.object({ agent_id: z.string(), update_id: z.string(), status: z.literal('pending'), message: z.string() });
    const sent = conforms(
      await call(waiting, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: { strategy: { risk: { maxPositions: 3 } } } }),
      pending,
      202,
    );
    assert.match(sent.update_id, /^api-config-/);
    conforms(await call(waiting, 'POST', `/api/agents/${slow.id}/run-cycle`, auth), pending, 202);

    stopWorker = await arena.runWorker();
    await eventually('the pending config applied', async () => (await handle.query(getStateQuery)).config.strategy.risk.maxPositions === 3);
    await eventually('the pending cycle run', async () => (await cycleCount(arena.db, slow.id)) === cycles + 1);
    const history = JSON.stringify(await handle.fetchHistory());
    assert.ok(!history.includes('"maxLeverage":500'), 'the bad config is nowhere in the history');

    // A paused agent refuses to run a cycle; a stopped one takes no signal.
    conforms(await call(api, 'POST', `/api/agents/${slow.id}/pause`, auth), z.unknown());
    refused(await call(api, 'POST', `/api/agents/${slow.id}/run-cycle`, auth), 409, /paused/);
    conforms(await call(api, 'POST', `/api/agents/${slow.id}/stop`, auth), z.unknown());
    await handle.result();
    refused(await call(api, 'POST', `/api/agents/${slow.id}/resume`, auth), 409, 'not running');
    refused(await call(api, 'PATCH', `/api/agents/${slow.id}/config`, { ...auth, body: {} }), 409, 'not running');
    assert.equal(conforms(await get(`/api/agents/${slow.id}`), AgentDetailSchema).status, 'stopped');
  });
});

/** [from, from-1, ..., to]. */
function range(from: number, to: number): number[] {
  return Array.from({ length: from - to + 1 }, (_, i) => from - i);
}
