/**
 * Bad input over every route and parameter: wrong types, negative and huge numbers, 10 KB strings,
 * unknown ids, SQL-injection and path-traversal strings, invalid JSON, wrong content types. Every
 * answer is a 4xx envelope with a message (naming the parameter where there is one); never a 5xx.
 */
import assert from 'node:assert/strict';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, getStateQuery } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { Api, call, refused } from './helpers';

const TOKEN = 'bad-inputs-test-token';
const TEN_KB = 'x'.repeat(10 * 1024);

/** Wrong for every parameter of the API. */
const HOSTILE = [
  TEN_KB,
  `${'9'.repeat(400)}`,
  "' OR '1'='1",
  '1; DROP TABLE agents; --',
  "1' UNION SELECT * FROM llm_calls --",
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  '\u0000',
  '\n',
  ' ',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '🚀',
  '-',
  '[]',
  '{}',
  '__proto__',
  'NaN',
  '-Infinity',
  '1e309',
  '0x1F',
  'null',
];
const NUMBERS = [
  '',
  'abc',
  '-1',
  '-0',
  '1.5',
  '1e3',
  '+1',
  ' 1',
  '1 ',
  '1,5',
  '99999999999999999999',
  '1000000000001',
  'Infinity',
  'true',
  ...HOSTILE,
];
/** Refused by our strict parser; analytics-routes.ts has its own, which lets February 30th roll over. */
const STRICT_TIMES = ['2024-02-30', '2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z'];
const TIMES = [
  '',
  'yesterday',
  'now',
  '-1',
  '2024-13-01',
  '2024-01-01T00:00:00',
  '2024-01-01T00:00:00+25:00',
  '2024/01/01',
  '1969-12-31',
  '10000-01-01T00:00:00Z',
  '99999999999999999',
  '2024-01-01T00:00:00Z; DROP TABLE cycles',
  ...HOSTILE,
];
const SYMBOLS = [
  '',
  ',',
  'BTCUSDT,,ETHUSDT',
  'BTC',
  'BTC-USDT',
  'BTCUSDT ETHUSDT',
  'USDT',
  Array.from({ length: 51 }, (_, i) => `C${i}USDT`).join(','),
  ...HOSTILE,
];
const STATUSES = ['', 'OPEN', 'all', 'open,closed', ...HOSTILE];
const IDS = [
  'nobody',
  'no-such-agent',
  'constructor',
  TEN_KB,
  "x' OR '1'='1",
  "x'; DROP TABLE agents; --",
  '../../../etc/passwd',
  '..%2F..%2Fetc',
  '%00',
  '\u0000',
  '-x',
  '_x',
  'a b',
  '<b>',
  '🚀',
  'a'.repeat(65),
];

const LISTS = ['decisions', 'equity-history', 'trades', 'costs'];
const RANGES = ['performance', 'analytics'];
const READS = ['', '/account', '/positions', '/config', '/prompt/preview', ...[...LISTS, ...RANGES].map((l) => `/${l}`)];
const CONTROL: Array<[string, string]> = [
  ['POST', 'pause'],
  ['POST', 'resume'],
  ['POST', 'stop'],
  ['POST', 'run-cycle'],
  ['PUT', 'config'],
  ['PATCH', 'config'],
];

describe('API: a sweep of bad inputs over every route and parameter', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let agent: AgentConfig;
  let api: Api;
  const unexpected: unknown[] = [];
  let requests = 0;

  /** Any answer: JSON, < 500, and when an error, the envelope with a message. */
  const send = async (method: string, url: string, opts: Parameters<typeof call>[3] = {}) => {
    requests += 1;
    const answer = await call(api, method, url, opts);
    assert.ok(answer.status < 500, `${method} ${url.slice(0, 150)} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    if (answer.status >= 400) refused(answer, answer.status);
    else assert.equal(answer.body.success, true);
    return answer;
  };
  /** Must be refused with a 4xx naming `mentions`. */
  const bad = async (method: string, url: string, mentions?: string | RegExp, opts: Parameters<typeof call>[3] = {}) => {
    const answer = await send(method, url, opts);
    try {
      return refused(answer, 'any4xx', mentions);
    } catch (err) {
      throw new Error(`${method} ${url.slice(0, 150)}: ${(err as Error).message}`);
    }
  };
  const query = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    api = createApp(
      { db: arena.db, temporal: arena.client },
      {
        auth: { apiToken: TOKEN },
        updateWaitMs: 10_000,
        logError: (err) => unexpected.push(err),
      },
    );
    agent = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([agent], 3_600_000); // cycles only when asked: the sweep runs on still records
    await call(api, 'POST', `/api/agents/${agent.id}/run-cycle`, { token: TOKEN });
    await call(api, 'POST', `/api/agents/${agent.id}/run-cycle`, { token: TOKEN });
    assert.equal(await cycleCount(arena.db, agent.id), 2);
  });
  after(async () => arena?.close());
  afterEach(() => assert.deepEqual(unexpected, [], 'no handler threw'));

  it('refuses bad and unknown agent ids on every route', async () => {
    for (const id of IDS) {
      const path = `/api/agents/${encodeURIComponent(id)}`;
      for (const read of READS) await bad('GET', `${path}${read}`, /path parameter "id"|no agent|no route/);
      for (const [method, action] of CONTROL) {
        await bad(method, `${path}/${action}`, /path parameter "id"|no agent|no route/, {
          token: TOKEN,
          body: method === 'POST' ? undefined : {},
        });
      }
    }
    // Raw paths: malformed percent-encoding, traversal, empty segments.
    for (const raw of [
      '/api/agents/%E0%A4%A/account',
      '/api/agents/%/decisions',
      '/api/agents/../../etc/passwd',
      '/api/agents//account',
      '/api/agents/x/../../../etc/passwd',
      '/api/agents/x/decisions/extra',
      '/api/agents/x%2F..%2F..%2Fetc/trades',
      '/api/%00',
      '/api/agents/.%2e/config',
    ]) {
      await bad('GET', raw);
    }
  });

  it('refuses bad paging and time-range values on every list, naming the parameter', async () => {
    const path = `/api/agents/${agent.id}`;
    for (const list of LISTS) {
      for (const value of NUMBERS) {
        await bad('GET', `${path}/${list}${query({ limit: value })}`, '"limit"');
        await bad('GET', `${path}/${list}${query({ offset: value })}`, '"offset"');
      }
      for (const value of ['0', '1001', '10001']) {
        if (list === 'equity-history' && value !== '10001') continue; // its limit goes to 10,000
        await bad('GET', `${path}/${list}${query({ limit: value })}`, '"limit"');
      }
      await bad('GET', `${path}/${list}${query({ offset: '1000000001' })}`, '"offset"');
      await bad('GET', `${path}/${list}?limit=1&limit=2`, '"limit"');
      for (const value of TIMES) {
        await bad('GET', `${path}/${list}${query({ from: value })}`, '"from"');
        await bad('GET', `${path}/${list}${query({ to: value })}`, '"to"');
      }
      await bad('GET', `${path}/${list}${query({ from: '2024-02-01', to: '2024-01-01' })}`, '"to"');
      await bad('GET', `${path}/${list}${query({ from: '2024-01-01', to: '2024-01-01' })}`, '"to"');
      await bad('GET', `${path}/${list}?from=%E0%A4%A`, '"from"');
      // Fine values still answer, with unknown parameters ignored.
      await send('GET', `${path}/${list}${query({ limit: '1', offset: '0', from: '0', to: '9999-12-31', whatever: TEN_KB })}`);
    }
    for (const value of STATUSES) await bad('GET', `${path}/trades${query({ status: value })}`, '"status"');
    for (const list of LISTS) {
      for (const value of STRICT_TIMES) await bad('GET', `${path}/${list}${query({ from: value })}`, '"from"');
    }
    for (const range of RANGES) {
      for (const value of TIMES) {
        await bad('GET', `${path}/${range}${query({ from: value })}`, '"from"');
        await bad('GET', `${path}/${range}${query({ to: value })}`, '"to"');
      }
      await bad('GET', `${path}/${range}${query({ from: '2024-02-01', to: '2024-01-01' })}`, '"to"');
      await send('GET', `${path}/${range}${query({ from: '0', to: '9999-12-31', limit: TEN_KB })}`);
    }
    await send('GET', `/api/leaderboard${query({ limit: TEN_KB, from: 'junk' })}`);
  });

  it('refuses malformed symbols for the prices', async () => {
    for (const value of SYMBOLS) await bad('GET', `/api/market/prices${query({ symbols: value })}`, '"symbols"');
    await bad('GET', '/api/market/prices?symbols=BTCUSDT&symbols=ETHUSDT', '"symbols"');
    await send('GET', '/api/market/prices?symbols=BTCUSDT,ETHUSDT');
  });

  it('refuses bad config bodies, bad JSON and wrong content types before anything reaches the workflow', async () => {
    const url = `/api/agents/${agent.id}/config`;
    const auth = { token: TOKEN };
    for (const method of ['PUT', 'PATCH']) {
      for (const text of ['{', '{"a":', 'nul', "{'strategy': {}}", '{"a":1,}', TEN_KB, '\u0000', '{"a":1}{"b":2}', '[', '"']) {
        await bad(method, url, /request body|body field|config/, { ...auth, body: text });
      }
      for (const text of ['[]', '[1,2]', '"text"', '123', '-1e309', 'null', 'true'])
        await bad(method, url, 'request body', { ...auth, body: text });
      for (const [contentType, body] of [
        ['text/plain', '{}'],
        ['application/x-www-form-urlencoded', 'strategy=1'],
        ['multipart/form-data; boundary=x', '--x--'],
        ['application/xml', '<config/>'],
        ['application/jsonp', '{}'],
        [TEN_KB, '{}'],
        ['', '{}'],
      ] as const) {
        await bad(method, url, 'request body', { ...auth, body, contentType });
      }
      await bad(method, url, 'request body', { ...auth, body: '{"strategy":{}}', contentType: null });
      await bad(method, url, 'at most 64 KB', { ...auth, body: { description: 'x'.repeat(70 * 1024) } });
      await bad(method, url, 'config', { ...auth, body: `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}` });
    }
    for (const [patch, field] of [
      [{ strategy: 5 }, 'strategy'],
      [{ strategy: { risk: { maxLeverage: 'ten' } } }, 'strategy.risk.maxLeverage'],
      [{ strategy: { risk: { maxLeverage: -1 } } }, 'strategy.risk.maxLeverage'],
      [{ strategy: { risk: { maxLeverage: 1e308 } } }, 'strategy.risk.maxLeverage'],
      [{ strategy: { risk: { maxPositions: 1.5 } } }, 'strategy.risk.maxPositions'],
      [{ strategy: { symbols: [] } }, 'strategy.symbols'],
      [{ strategy: { symbols: ["BTCUSDT'; DROP TABLE trades; --"] } }, 'strategy.symbols[0]'],
      [{ strategy: { symbols: 'BTCUSDT' } }, 'strategy.symbols'],
      [{ strategy: null }, 'strategy'],
      [{ decisionMaker: { provider: 'evil' } }, 'decisionMaker.provider'],
      [{ decisionMaker: { baseUrl: 'file:///etc/passwd' } }, 'decisionMaker.baseUrl'],
      [{ decisionMaker: { apiKeyEnv: 'sk-live-0123456789' } }, 'decisionMaker.apiKeyEnv'],
      [{ name: TEN_KB }, 'name'],
      [{ description: TEN_KB }, 'description'],
      [{ name: '' }, 'name'],
      [{ name: 42 }, 'name'],
      [{ id: 'someone-else' }, 'id'],
      [{ id: 42 }, 'id'],
      [{ exchange: { type: 'aster' } }, 'exchange.type'],
      [{ exchange: { account: '../../etc' } }, 'exchange.account'],
      [{ strategy: { initialBalance: 1 } }, 'strategy.initialBalance'],
      [{ unknownField: 1 }, 'unknownField'],
      [{ constructor: { prototype: { polluted: true } } }, 'constructor'],
      [{ strategy: { risk: { maxLeverage: 5, sneaky: true } } }, 'strategy.risk.sneaky'],
    ] as Array<[Record<string, unknown>, string]>) {
      const message = await bad('PATCH', url, `config: ${field}`, { ...auth, body: patch });
      assert.ok(!message.includes(TEN_KB) && !message.includes('sk-live'), 'no long or secret-looking value is echoed');
    }
    for (const body of [{}, { name: 'only a name' }, { ...agent, strategy: 'none' }])
      await bad('PUT', url, /config: \w+/, { ...auth, body });
    await send('PATCH', url, { ...auth, body: '{"__proto__": {"id": "someone-else"}}' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).id, undefined);

    const state = await arena.client.workflow.getHandle(agentWorkflowId(agent.id)).query(getStateQuery);
    assert.deepEqual(state.config, JSON.parse(JSON.stringify(agent)), 'the workflow kept its config');
  });

  it('ignores bodies and junk on routes that take none, and answers unknown routes and methods with a 404 envelope', async () => {
    for (const [method, action] of CONTROL.filter(([m]) => m === 'POST')) {
      await bad(method, `/api/agents/nobody/${action}`, 'no agent', { token: TOKEN, body: '{not json', contentType: 'application/json' });
    }
    for (const [method, url] of [
      ['DELETE', `/api/agents/${agent.id}`],
      ['PUT', `/api/agents/${agent.id}`],
      ['POST', '/api/agents'],
      ['GET', `/api/agents/${agent.id}/pause`],
      ['GET', '/api/nothing'],
      ['GET', `/${TEN_KB}`],
      ['POST', '/api/market/prices'],
      ['PATCH', '/health'],
      ['GET', '/api/agents/x/y/z/w'],
    ])
      await bad(method!, url!, 'no route');
    for (const url of ['/', '/health', '/api/agents', `/api/agents/${agent.id}`, `/api/agents/${agent.id}/decisions?limit=abc`]) {
      const res = await api.request(url, { method: 'HEAD' });
      assert.ok(res.status < 500, `HEAD ${url}`);
    }
    await send('GET', `/api/agents${query({ limit: TEN_KB, id: "' OR 1=1" })}`);
    await send('GET', `/${query({ x: TEN_KB })}`);
  });

  it('made hundreds of requests, none of them a 5xx, and the records are intact', async () => {
    assert.ok(requests > 1000, `${requests} requests`);
    assert.equal(await cycleCount(arena.db, agent.id), 2);
    await eventually('agents table intact', async () => (await arena.db.selectFrom('agents').selectAll().execute()).length === 1);
  });
});
