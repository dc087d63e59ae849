/** Bearer token for control (and reads when configured), CORS for configured origins only. */
import assert from 'node:assert/strict';
import { z } from '@hono/zod-openapi';
import { createApp } from '../../api/app';
import { authFromEnv, bearerToken, tokenMatches, type AuthOptions } from '../../api/auth';
import type { AgentConfig } from '../../arena-config/types';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { Api, call, conforms, refused } from './helpers';

const TOKEN = 'a-long-random-token-for-tests-0123456789';

const CONTROL: Array<[string, string, unknown?]> = [
  ['POST', 'pause'],
  ['POST', 'resume'],
  ['POST', 'stop'],
  ['POST', 'run-cycle'],
  ['PUT', 'config', {}],
  ['PATCH', 'config', { strategy: { risk: { maxPositions: 1 } } }],
];
const READS = ['', '/account', '/positions', '/decisions', '/equity-history', '/trades', '/costs', '/config', '/prompt/preview'];

describe('API: tokens and CORS', function () {
  this.timeout(120_000);
  let arena: TestArena;
  let agent: AgentConfig;
  const appWith = (auth: AuthOptions): Api => createApp({ db: arena.db, temporal: arena.client }, { auth });

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    agent = demoAgent('ema-trend', arena.tag);
    await arena.start([agent], 250);
    await eventually('a first cycle', async () => (await cycleCount(arena.db, agent.id)) >= 1);
  });
  after(async () => arena?.close());

  it('disables control with 503 while no API_TOKEN is set', async () => {
    for (const api of [createApp({ db: arena.db, temporal: arena.client }), appWith({}), appWith({ apiToken: '' })]) {
      for (const [method, action, body] of CONTROL) {
        const answer = await call(api, method, `/api/agents/${agent.id}/${action}`, { token: TOKEN, body });
        assert.equal(refused(answer, 503), 'control is disabled: set API_TOKEN', `${method} ${action}`);
      }
    }
    assert.equal(
      await arena.db
        .selectFrom('agents')
        .select('config')
        .where('id', '=', agent.id)
        .executeTakeFirstOrThrow()
        .then((r) => (r.config as AgentConfig).strategy.risk.maxPositions),
      agent.strategy.risk.maxPositions,
    );
  });

  it('answers 401 to control without the right bearer token, before looking at anything else', async () => {
    const api = appWith({ apiToken: TOKEN });
    const wrong: Array<Record<string, string>> = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: `Bearer ${TOKEN} ${TOKEN}` },
      { authorization: `Token ${TOKEN}` },
      { authorization: `Bearer ${'x'.repeat(10_000)}` },
      { 'x-api-token': TOKEN },
    ];
    for (const headers of wrong) {
      for (const [method, action, body] of CONTROL) {
        for (const id of [agent.id, 'nobody', 'bad id!']) {
          const answer = await call(api, method, `/api/agents/${encodeURIComponent(id)}/${action}`, { headers, body });
          refused(answer, 401, 'bearer token');
          assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
      }
    }
    assert.ok(tokenMatches(TOKEN, TOKEN) && !tokenMatches(TOKEN, `${TOKEN}x`) && !tokenMatches('', TOKEN));
    assert.equal(bearerToken(`bearer ${TOKEN}`), TOKEN, 'the scheme is case-insensitive');
  });

  it('lets the right token pause and resume a running agent', async () => {
    const api = appWith({ apiToken: TOKEN });
    const signalled = z.object({ agent_id: z.string(), signal: z.string(), accepted: z.literal(true) });
    assert.equal(conforms(await call(api, 'POST', `/api/agents/${agent.id}/pause`, { token: TOKEN }), signalled).signal, 'pause');
    await eventually('paused', async () => (await call(api, 'GET', `/api/agents/${agent.id}`)).body.data.status === 'paused');
    conforms(await call(api, 'POST', `/api/agents/${agent.id}/resume`, { headers: { authorization: `bearer  ${TOKEN}` } }), signalled);
    await eventually('running', async () => (await call(api, 'GET', `/api/agents/${agent.id}`)).body.data.status === 'running');
    refused(await call(api, 'POST', '/api/agents/nobody/pause', { token: TOKEN }), 404, 'nobody');
  });

  it('keeps reads open by default and closes them when configured', async () => {
    const open = appWith({ apiToken: TOKEN });
    const closed = appWith({ apiToken: TOKEN, readTokenRequired: true });
    const urls = ['/api/agents', '/api/market/prices', ...READS.map((r) => `/api/agents/${agent.id}${r}`)];
    // A rule-based agent has no prompt: its preview answers 409, once the read is let through.
    const expected = (url: string) => (url.endsWith('/prompt/preview') ? 409 : 200);
    for (const url of urls) {
      assert.equal((await call(open, 'GET', url)).status, expected(url), url);
      refused(await call(closed, 'GET', url), 401, 'bearer token');
      refused(await call(closed, 'GET', url, { token: 'wrong' }), 401);
      assert.equal((await call(closed, 'GET', url, { token: TOKEN })).status, expected(url), url);
    }
    refused(await call(closed, 'GET', '/api/agents/nobody'), 401, undefined);
    for (const url of ['/', '/health', '/openapi.json']) assert.equal((await closed.request(url)).status, 200, url);
    assert.equal((await closed.request('/docs')).status, 200);
    refused(await call(appWith({ readTokenRequired: true }), 'GET', '/api/agents', { token: TOKEN }), 503, 'API_TOKEN');
  });

  it('sends CORS headers to the configured origins only', async () => {
    const allowed = 'https://arena.example.com';
    const none = appWith({ apiToken: TOKEN });
    const some = appWith({ apiToken: TOKEN, corsOrigins: [allowed, 'http://localhost:3000'] });
    const preflight = (api: Api, origin: string) =>
      api.request(`/api/agents/${agent.id}/config`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type' },
      });

    for (const origin of [allowed, 'https://evil.example.com']) {
      const res = await none.request('/api/agents', { headers: { origin } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), null, 'no origin is allowed by default');
      assert.equal((await preflight(none, origin)).headers.get('access-control-allow-origin'), null);
    }

    const ok = await some.request('/api/agents', { headers: { origin: allowed } });
    assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
    assert.match(ok.headers.get('vary') ?? '', /origin/i);
    const pre = await preflight(some, allowed);
    assert.ok(pre.status === 204 || pre.status === 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), allowed);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/i);

    for (const origin of ['https://evil.example.com', `${allowed}.evil.com`, 'http://arena.example.com', 'null']) {
      const res = await some.request('/api/agents', { headers: { origin } });
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      assert.equal((await preflight(some, origin)).headers.get('access-control-allow-origin'), null, origin);
    }
    const denied = await some.request(`/api/agents/${agent.id}/pause`, { method: 'POST', headers: { origin: allowed } });
    assert.equal(denied.status, 401, 'CORS never stands in for the token');
  });

  it('reads its settings from the environment and refuses bad ones', () => {
    assert.deepEqual(authFromEnv({}), { apiToken: undefined, readTokenRequired: false, corsOrigins: [] });
    assert.deepEqual(
      authFromEnv({
        API_TOKEN: ` ${TOKEN} `,
        API_READ_TOKEN_REQUIRED: 'true',
        API_CORS_ORIGINS: 'https://a.example, http://localhost:3000/ ,',
      }),
      {
        apiToken: TOKEN,
        readTokenRequired: true,
        corsOrigins: ['https://a.example', 'http://localhost:3000'],
      },
    );
    assert.equal(authFromEnv({ API_TOKEN: '   ' }).apiToken, undefined, 'a blank token is no token');
    assert.throws(() => authFromEnv({ API_READ_TOKEN_REQUIRED: 'yes please' }), /API_READ_TOKEN_REQUIRED/);
    assert.throws(() => authFromEnv({ API_READ_TOKEN_REQUIRED: 'true' }), /API_TOKEN/);
    assert.throws(() => authFromEnv({ API_CORS_ORIGINS: 'arena.example.com' }), /API_CORS_ORIGINS/);
    assert.throws(() => authFromEnv({ API_CORS_ORIGINS: 'https://a.example/path' }), /API_CORS_ORIGINS/);
  });
});
