import assert from 'node:assert/strict';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, cycleWorkflowId, getStateQuery, stopSignal } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { MockLlmServer, MockReply, startOpenAiServer } from '../support/llm-servers';

const KEY_VARIABLE = 'DEEPSEEK_API_KEY_ARENA_TEST';

describe('an LLM agent on a real dev server, its model a local OpenAI-protocol server', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let server: MockLlmServer;
  let agent: AgentConfig;
  let mode: 'trade' | 'garbage' | 'unauthorized' | 'hang' = 'trade';
  const key = `sk-test-${Math.random().toString(36).slice(2)}`;

  const reply = (): MockReply => {
    if (mode === 'garbage') return { text: 'The market looks interesting today, but I cannot decide.' };
    if (mode === 'unauthorized') return { status: 401, message: 'Incorrect API key provided' };
    if (mode === 'hang') return 'hang';
    return {
      json: {
        reasoning: 'BTC holds its 4h uptrend; a small long with a stop under the range.',
        decisions: [
          { action: 'open_long', symbol: 'BTCUSDT', size_usd: 2000, leverage: 3, confidence: 0.7, reason: 'trend' },
          { action: 'open_long', symbol: 'PEPEUSDT', size_usd: 500, leverage: 3, confidence: 0.2, reason: 'meme' },
        ],
      },
      usage: { input: 1200, output: 80 },
    };
  };

  before(async () => {
    server = await startOpenAiServer({ apiKey: key, models: ['deepseek-chat'], script: reply });
    process.env[KEY_VARIABLE] = key;
    arena = await startTestArena();
    await arena.runWorker();
    const base = demoAgent('random-entry', `${arena.tag}-llm`);
    agent = {
      ...base,
      decisionMaker: {
        provider: 'deepseek',
        model: 'deepseek-chat',
        baseUrl: server.url,
        apiKeyEnv: KEY_VARIABLE,
        temperature: 0.1,
        maxTokens: 1000,
        timeoutSeconds: 30,
        priceInputPerMillion: 0.27,
        priceOutputPerMillion: 1.1,
        maxConsecutiveFailures: 2,
      },
    };
  });
  after(async () => {
    await arena?.close();
    await server?.close();
    delete process.env[KEY_VARIABLE];
  });

  it('runs a cycle whose decision log holds the reasoning, the decisions, the dropped one and the cost', async () => {
    await arena.start([agent], 300);
    await eventually('2 cycles', async () => (await cycleCount(arena.db, agent.id)) >= 2);
    const [first] = await arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id).orderBy('cycle_no').limit(1).execute();
    assert.equal(first!.status, 'ok', first!.error ?? '');
    assert.match(first!.reasoning!, /BTC holds its 4h uptrend/);
    assert.deepEqual(
      (first!.decisions as Array<{ action: string; symbol: string }>).map((d) => [d.action, d.symbol]),
      [['open_long', 'BTCUSDT']],
    );
    const llm = first!.llm as { tokensIn: number; tokensOut: number; costUsd: number; rejected: Array<{ reason: string }> };
    assert.equal(llm.tokensIn, 1200);
    assert.equal(llm.tokensOut, 80);
    const cost = (1200 * 0.27 + 80 * 1.1) / 1e6;
    assert.ok(Math.abs(llm.costUsd - cost) < 1e-12);
    assert.ok(Math.abs(Number(first!.llm_cost_usd) - cost) < 1e-12);
    assert.match(llm.rejected[0]!.reason, /PEPEUSDT/);
    const trades = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id).execute();
    assert.equal(trades[0]!.symbol, 'BTCUSDT');

    const request = server.requests[0]!;
    assert.equal(request.authorized, true);
    assert.equal(request.body.model, 'deepseek-chat');
    assert.match(JSON.stringify(request.body.messages), /BTCUSDT/);

    const api = createApp({ db: arena.db, temporal: arena.client });
    const costs = (await (await api.request(`/api/agents/${agent.id}/costs`)).json()) as any;
    assert.ok(costs.data.totals.calls >= 2);
    assert.ok(Math.abs(costs.data.totals.cost_usd - costs.data.totals.calls * cost) < 1e-9);
    const preview = (await (await api.request(`/api/agents/${agent.id}/prompt/preview`)).json()) as any;
    assert.match(preview.data.user, /BTCUSDT/);
    // The preview is built as the decide step builds it: the limits line and the fee are in both.
    assert.match(JSON.stringify(request.body.messages), /Limits now:/);
    assert.match(preview.data.user, /Limits now:/);
    assert.match(preview.data.system, /Fees: 0\.05% of the position value/);
    assert.ok(preview.data.tokens.total > 100);

    // The key lives in the environment only: not in the history, the database or the API.
    const histories = [
      await arena.client.workflow.getHandle(agentWorkflowId(agent.id)).fetchHistory(),
      await arena.client.workflow.getHandle(cycleWorkflowId(agent.id, 1)).fetchHistory(),
    ];
    for (const h of histories) assert.ok(!JSON.stringify(h).includes(key), 'key in workflow history');
    // Every reply is kept under the hash of what was asked, where a backtest of the same question finds it.
    const stored = await arena.db.selectFrom('model_replies').selectAll().execute();
    const okCalls = await arena.db
      .selectFrom('llm_calls')
      .select('prompt_sha256')
      .where('agent_id', '=', agent.id)
      .where('status', '=', 'ok')
      .execute();
    assert.ok(stored.length >= 1);
    assert.deepEqual(new Set(stored.map((r) => r.prompt_sha256)), new Set(okCalls.map((c) => c.prompt_sha256)));
    for (const table of ['agents', 'cycles', 'llm_calls', 'orders', 'trades', 'model_replies'] as const) {
      const rows = await arena.db.selectFrom(table).selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(key), `key in table ${table}`);
    }
    assert.ok(!JSON.stringify([costs, preview]).includes(key));
  });

  it('engages safe mode after N failed model calls, records why, and clears it after a success', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
    mode = 'garbage';
    await eventually('safe mode', async () => (await handle.query(getStateQuery)).safeMode, 60_000);
    const state = await handle.query(getStateQuery);
    assert.ok((state.consecutiveModelFailures ?? 0) >= 2);
    const unparseable = await arena.db
      .selectFrom('llm_calls')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('status', '=', 'unparseable')
      .execute();
    assert.ok(unparseable.length >= 2);
    assert.match(unparseable[0]!.raw_reply!, /cannot decide/);

    mode = 'unauthorized';
    const before = await cycleCount(arena.db, agent.id);
    await eventually('a cycle with a refused key', async () => (await cycleCount(arena.db, agent.id)) >= before + 1);
    const failedCall = await arena.db
      .selectFrom('llm_calls')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('status', '=', 'error')
      .executeTakeFirstOrThrow();
    assert.match(failedCall.error!, /auth/);
    const refused = await arena.db
      .selectFrom('cycles')
      .selectAll()
      .where('agent_id', '=', agent.id)
      .where('cycle_no', '=', before + 1)
      .executeTakeFirstOrThrow();
    assert.equal(refused.status, 'ok', 'a failed model call is a wait, not a failed cycle');
    assert.match(JSON.stringify(refused.llm), /LlmAuthError/);

    // Safe mode: the good reply of the next cycle is refused by the risk engine, then the mode clears.
    mode = 'trade';
    await eventually('safe mode cleared', async () => !(await handle.query(getStateQuery)).safeMode, 60_000);
    const verdicts = await arena.db
      .selectFrom('cycles')
      .select(['cycle_no', 'risk_verdicts'])
      .where('agent_id', '=', agent.id)
      .where('cycle_no', '>', before + 1)
      .orderBy('cycle_no')
      .execute();
    assert.ok(
      verdicts.some((v) => JSON.stringify(v.risk_verdicts).includes('safe mode')),
      'opens refused while in safe mode',
    );
    await handle.signal(stopSignal);
    await handle.result();
  });

  it('cancels a model call in flight when the agent is stopped', async () => {
    mode = 'hang';
    const stuck = { ...agent, id: `${agent.id}-stuck`, exchange: { ...agent.exchange, account: `${agent.id}-stuck` } };
    const seen = server.requests.length;
    await arena.start([stuck], 100);
    await eventually('the model call to hang', async () => server.requests.length > seen);
    const handle = arena.client.workflow.getHandle(agentWorkflowId(stuck.id));
    const stoppedAt = Date.now();
    await handle.signal(stopSignal);
    const final = await handle.result();
    assert.equal(final.status, 'STOPPED');
    assert.ok(Date.now() - stoppedAt < 15_000, 'the stop did not wait for the 30 s model timeout');
    const [cycle] = await arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', stuck.id).execute();
    assert.equal(cycle!.status, 'ok');
    assert.match(JSON.stringify(cycle!.llm), /Cancel/i);
    const call = await eventually('the cancelled call recorded', async () =>
      arena.db.selectFrom('llm_calls').selectAll().where('agent_id', '=', stuck.id).where('status', '=', 'error').executeTakeFirst(),
    );
    assert.match(call.error!, /cancelled/);
  });
});
