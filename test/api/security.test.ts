/**
 * The attacks of issue 10, each as a test that must now fail to get through: a config change that
 * redirects a key or a credential, a raw Temporal update past the API, a key echoed back in an encoded
 * form by the provider or the model. A running LLM agent (its model a local OpenAI-protocol server) and
 * an "attacker" server that records whatever reaches it.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, getStateQuery, updateConfigUpdate } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { MockLlmServer, MockReply, startOpenAiServer } from '../support/llm-servers';
import { Api, call, refused } from './helpers';

const TOKEN = 'security-test-control-token-0123456789';
const OWN_KEY_VARIABLE = 'DEEPSEEK_API_KEY_SECURITY_TEST';
const OWN_KEY = `sk-own-${'a1b2c3d4'.repeat(4)}`;
const VICTIM_KEY = `sk-ant-victim-${'Zq8vN2xL'.repeat(4)}`;

describe('API and Temporal: no config change can redirect a key, a credential or an endpoint', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let model: MockLlmServer;
  let attacker: MockLlmServer;
  let agent: AgentConfig;
  let api: Api;
  let echo: 'none' | 'error' | 'reply' = 'none';
  const saved = { ...process.env };

  const modelReply = (): MockReply => {
    const basic = Buffer.from(`user:${OWN_KEY}`).toString('base64');
    if (echo === 'error')
      return {
        status: 401,
        message: `invalid credentials: Basic ${basic} (key ${encodeURIComponent(OWN_KEY)}, ${OWN_KEY.slice(0, 14)}...)`,
      };
    if (echo === 'reply') {
      return {
        json: {
          reasoning: `my key is ${OWN_KEY} or ${Buffer.from(OWN_KEY).toString('base64')}`,
          decisions: [{ action: 'wait', reason: OWN_KEY.slice(0, 16) }],
        },
      };
    }
    return { json: { reasoning: 'nothing to do', decisions: [{ action: 'wait', reason: 'flat market' }] } };
  };

  before(async () => {
    model = await startOpenAiServer({ apiKey: OWN_KEY, models: ['deepseek-chat'], script: modelReply });
    attacker = await startOpenAiServer({ apiKey: null, models: ['x'] });
    Object.assign(process.env, { [OWN_KEY_VARIABLE]: OWN_KEY, ANTHROPIC_API_KEY: VICTIM_KEY, API_TOKEN: TOKEN });
    arena = await startTestArena();
    await arena.runWorker();
    const base = demoAgent('random-entry', `${arena.tag}-sec`);
    agent = {
      ...base,
      decisionMaker: {
        provider: 'deepseek',
        model: 'deepseek-chat',
        baseUrl: model.url,
        apiKeyEnv: OWN_KEY_VARIABLE,
        temperature: 0.1,
        maxTokens: 500,
        timeoutSeconds: 10,
        maxConsecutiveFailures: 100,
      },
    };
    await arena.start([agent], 300);
    await eventually('a first cycle', async () => (await cycleCount(arena.db, agent.id)) >= 1);
    api = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN }, updateWaitMs: 20_000 });
  });
  after(async () => {
    await arena?.close();
    await model?.close();
    await attacker?.close();
    process.env = saved;
  });

  const patch = (body: unknown) => call(api, 'PATCH', `/api/agents/${agent.id}/config`, { token: TOKEN, body });
  const liveConfig = () =>
    arena.client.workflow
      .getHandle(agentWorkflowId(agent.id))
      .query(getStateQuery)
      .then((s) => s.config);

  it("refuses a PATCH that points the model at another URL and another provider's key, naming the field", async () => {
    const attacks: Array<[unknown, RegExp]> = [
      [
        { decisionMaker: { provider: 'openai', model: 'x', baseUrl: `${attacker.url}`, apiKeyEnv: 'ANTHROPIC_API_KEY' } },
        /decisionMaker\.(provider|apiKeyEnv)/,
      ],
      [{ decisionMaker: { baseUrl: attacker.url } }, /decisionMaker\.baseUrl: set in the agent file only/],
      [{ decisionMaker: { apiKeyEnv: 'API_TOKEN' } }, /decisionMaker\.apiKeyEnv/],
      [{ decisionMaker: { apiKeyEnv: 'ANTHROPIC_API_KEY' } }, /decisionMaker\.apiKeyEnv/],
      [{ decisionMaker: { apiKeyEnv: 'DEEPSEEK_API_KEY_OTHER' } }, /decisionMaker\.apiKeyEnv: set in the agent file only/],
      [{ decisionMaker: { model: 'deepseek-reasoner' } }, /decisionMaker\.model/],
      [{ decisionMaker: { priceInputPerMillion: 0 } }, /decisionMaker\.priceInputPerMillion/],
    ];
    for (const [body, field] of attacks) refused(await patch(body), 400, field);
    const cycles = await cycleCount(arena.db, agent.id);
    await eventually('two more cycles', async () => (await cycleCount(arena.db, agent.id)) >= cycles + 2);
    assert.equal(attacker.requests.length, 0, "the attacker's server was called");
    assert.ok(
      model.requests.every((r) => r.authorized),
      "the agent's own server got its own key",
    );
    assert.equal((await liveConfig()).decisionMaker.baseUrl, model.url);
  });

  it('refuses exchange changes: credential variables, base URL, testnet, fees, account and balance', async () => {
    const attacks: Array<[unknown, RegExp]> = [
      [{ exchange: { credentialEnv: { private_key: 'API_TOKEN' } } }, /exchange\.credentialEnv/],
      [{ exchange: { baseUrl: attacker.url } }, /exchange\.baseUrl/],
      [{ exchange: { testnet: true } }, /exchange\.testnet/],
      [{ exchange: { takerFeeRate: 0 } }, /exchange\.takerFeeRate/],
      [{ exchange: { slippageRate: 0 } }, /exchange\.slippageRate/],
      [{ exchange: { account: 'someone-else' } }, /exchange\.account/],
      [{ strategy: { initialBalance: 99_999_999 } }, /strategy\.initialBalance/],
      [{ id: 'other' }, /\bid\b/],
      [{ strategy: { symbols: ['BTCUSDT', 'PEPEUSDT'] } }, /strategy\.symbols: PEPEUSDT is not traded here/],
    ];
    for (const [body, field] of attacks) refused(await patch(body), 400, field);
    const config = await liveConfig();
    assert.deepEqual(config.exchange, agent.exchange);
    assert.equal(config.strategy.initialBalance, agent.strategy.initialBalance);
  });

  it("takes what may change at run time, and GET /config shows the workflow's config", async () => {
    const answer = await patch({
      strategy: { risk: { maxLeverage: 4 }, tradingStyle: 'conservative', symbols: ['BTCUSDT', 'ETHUSDT'] },
      decisionMaker: { temperature: 0.3, promptSections: ['Be patient.'] },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const live = await liveConfig();
    assert.equal(live.strategy.risk.maxLeverage, 4);
    assert.deepEqual(live.strategy.symbols, ['BTCUSDT', 'ETHUSDT']);
    assert.equal(live.decisionMaker.temperature, 0.3);
    const shown = await call(api, 'GET', `/api/agents/${agent.id}/config`);
    assert.equal(shown.body.data.strategy.risk.maxLeverage, 4);
    assert.equal(shown.body.data.decisionMaker.temperature, 0.3);
  });

  it('holds a raw Temporal update (no API, no token) to the same rule', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
    const before = await liveConfig();
    const evil: AgentConfig[] = [
      { ...before, exchange: { ...before.exchange, account: 'victim-account' } },
      { ...before, strategy: { ...before.strategy, initialBalance: 99_999_999 } },
      { ...before, decisionMaker: { ...before.decisionMaker, apiKeyEnv: 'ANTHROPIC_API_KEY' } },
      { ...before, decisionMaker: { ...before.decisionMaker, baseUrl: attacker.url } },
      { ...before, exchange: { ...before.exchange, credentialEnv: { private_key: 'API_TOKEN' } } },
    ];
    for (const config of evil) {
      await assert.rejects(handle.executeUpdate(updateConfigUpdate, { args: [config] }), (err: unknown) => {
        assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
        assert.match(String(err.cause?.message), /set in the agent file only|are read only from|takes no credentials/);
        return true;
      });
    }
    assert.deepEqual(await liveConfig(), before);
    assert.equal(attacker.requests.length, 0);
  });

  it('keeps a key that the provider or the model echoes, in any encoding, out of the records, the history and the API', async () => {
    const from = await cycleCount(arena.db, agent.id);
    echo = 'error';
    await eventually('a cycle whose model call failed', async () =>
      arena.db
        .selectFrom('llm_calls')
        .select('cycle_no')
        .where('agent_id', '=', agent.id)
        .where('status', '=', 'error')
        .where('cycle_no', '>', from)
        .executeTakeFirst(),
    );
    echo = 'reply';
    await eventually('a cycle with an echoing reply', async () =>
      arena.db
        .selectFrom('llm_calls')
        .select('cycle_no')
        .where('agent_id', '=', agent.id)
        .where('raw_reply', 'like', '%my key is%')
        .executeTakeFirst(),
    );
    echo = 'none';
    const to = await cycleCount(arena.db, agent.id);

    const fragments = [
      OWN_KEY,
      OWN_KEY.slice(0, 12),
      OWN_KEY.slice(-12),
      encodeURIComponent(OWN_KEY),
      Buffer.from(OWN_KEY).toString('base64').slice(4, 20),
      Buffer.from(`user:${OWN_KEY}`).toString('base64').slice(8, 24),
    ];
    const leaks = (text: string, where: string) => {
      for (const f of fragments) assert.ok(!text.includes(f), `${where} holds "${f}"`);
    };
    leaks(JSON.stringify(await arena.db.selectFrom('llm_calls').selectAll().where('agent_id', '=', agent.id).execute()), 'llm_calls');
    leaks(JSON.stringify(await arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id).execute()), 'cycles');
    leaks(JSON.stringify((await call(api, 'GET', `/api/agents/${agent.id}/decisions?limit=500`)).body), 'GET /decisions');
    for (let n = from + 1; n <= to; n++) {
      const history = await arena.client.workflow.getHandle(`${agentWorkflowId(agent.id)}-cycle-${n}`).fetchHistory();
      leaks(JSON.stringify(history), `history of cycle ${n}`);
    }
    const replied = await arena.db
      .selectFrom('llm_calls')
      .select('raw_reply')
      .where('agent_id', '=', agent.id)
      .where('raw_reply', 'like', '%my key is%')
      .executeTakeFirstOrThrow();
    assert.match(replied.raw_reply!, /my key is \[redacted\] or \[redacted\]/);
  });
});
