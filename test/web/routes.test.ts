/**
 * The web routes without a browser, on a real arena: `/` for browsers and for everyone else, the
 * assets (local only), the equity-curves endpoint's thinning and refusals, the agent page's 404 and
 * Temporal link, the backtest reports hook, and pages under API_READ_TOKEN_REQUIRED.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../api/app';
import type { AgentConfig } from '../../arena-config/types';
import { DEFAULT_TEMPORAL_UI_URL, temporalUiUrlFromEnv, webRoutes } from '../../web/routes';
import { type TestArena, demoAgent, startTestArena } from '../support/arena';

const TOKEN = 'web-routes-test-token';
const CYCLES = 7;
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('web routes: pages, assets, equity curves, backtest reports', function () {
  this.timeout(180_000);
  let arena: TestArena;
  let agent: AgentConfig;
  let app: ReturnType<typeof createApp>;
  let backtests: string;

  const json = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.request(url, { headers });
    return { status: res.status, body: (await res.json()) as { success: boolean; data: any; error: string | null } };
  };
  const cyclesOf = async (query: string) =>
    (await json(`/api/equity-curves?${query}`)).body.data[0].points.map((p: { cycle: number }) => p.cycle);

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    agent = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([agent], 3_600_000, { barMs: 150 }); // a bar every 150 ms: each run-cycle on a bar of its own
    app = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN } });
    for (let i = 0; i < CYCLES; i += 1) {
      const res = await app.request(`/api/agents/${agent.id}/run-cycle`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
    }
    backtests = await mkdtemp(path.join(os.tmpdir(), 'arena-backtests-'));
  });
  after(async () => {
    await rm(backtests, { recursive: true, force: true });
    await arena?.close();
  });

  it('answers / with the arena page to a browser and with the JSON index to anyone else', async () => {
    const page = await app.request('/', { headers: BROWSER });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self';/);
    const body = await page.text();
    assert.ok(body.includes(`data-agent="${agent.id}"`), 'the agent is ranked');
    assert.ok(!/<script>|style="|\son[a-z]+="/i.test(body), 'no inline script, style or handler');

    const index = await json('/');
    assert.equal(index.body.success, true);
    assert.ok(index.body.data.endpoints.includes('GET /api/equity-curves'));
  });

  it("serves the pages' assets from the repository and npm packages, and nothing else", async () => {
    for (const [name, type] of [
      ['arena-page.js', 'javascript'],
      ['agent-page.js', 'javascript'],
      ['docs-page.js', 'javascript'],
      ['arena.css', 'css'],
      ['swagger-ui.css', 'css'],
      ['swagger-ui-bundle.js', 'javascript'],
    ]) {
      const res = await app.request(`/assets/${name}`);
      assert.equal(res.status, 200, name);
      assert.match(res.headers.get('content-type')!, new RegExp(type), name);
      assert.ok((await res.text()).length > 100, name);
    }
    for (const url of ['/assets/nothing.js', '/assets/..%2Fpackage.json', '/assets/%2e%2e%2fweb%2froutes.ts', '/assets/constructor']) {
      assert.equal((await app.request(url)).status, 404, url);
    }
    for (const url of ['/', `/agents/${agent.id}`, '/docs', '/backtests']) {
      const html = await (await app.request(url, { headers: BROWSER })).text();
      const loads = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(loads.length > 0, url);
      for (const load of loads) assert.ok(load.startsWith('/assets/') || load === 'data:,', `${url} loads ${load}`);
    }
  });

  it('/api/equity-curves thins each curve to at most `points`, always keeping the last, and refuses bad input', async () => {
    assert.deepEqual(await cyclesOf('points=3'), [1, 4, 7]);
    assert.deepEqual(await cyclesOf('points=4'), [1, 3, 5, 7]);
    assert.deepEqual(await cyclesOf('points=5'), [1, 3, 5, 7]);
    assert.deepEqual(await cyclesOf(`agents=${agent.id}`), [1, 2, 3, 4, 5, 6, 7]);
    const all = await json('/api/equity-curves');
    assert.equal(all.body.data[0].snapshots, CYCLES);
    const [last] = (await json(`/api/agents/${agent.id}/equity-history?limit=1`)).body.data;
    assert.deepEqual(all.body.data[0].points.at(-1), { cycle: last.cycle, market_time: last.market_time, equity: last.equity });

    // From the third cycle's bar on (on a loaded machine two run-cycles can share a bar: both are in).
    const points: Array<{ cycle: number; market_time: string }> = all.body.data[0].points;
    const from = points[2]!.market_time;
    const since = points.filter((p) => Date.parse(p.market_time) >= Date.parse(from)).map((p) => p.cycle);
    assert.ok(since.includes(3) && !since.includes(1) && since.length < CYCLES, since.join());
    assert.deepEqual(await cyclesOf(`from=${encodeURIComponent(from)}`), since);
    assert.equal((await json('/api/equity-curves?agents=nobody')).status, 404);
    for (const [query, names] of [
      ['points=1', 'points'],
      ['points=abc', 'points'],
      ['points=5001', 'points'],
      ['agents=a%20b', 'agents'],
      ['from=yesterday', 'from'],
    ]) {
      const answer = await json(`/api/equity-curves?${query}`);
      assert.equal(answer.status, 400, query);
      assert.ok(answer.body.error!.includes(names!), `${query}: ${answer.body.error}`);
    }
  });

  it("an agent's page links to its workflow in the Temporal Web UI; an unknown agent is a 404 page", async () => {
    const page = await (await app.request(`/agents/${agent.id}`, { headers: BROWSER })).text();
    assert.ok(page.includes(`href="${DEFAULT_TEMPORAL_UI_URL}/namespaces/default/workflows/agent-${agent.id}"`));
    for (const id of ['nobody', '-x', 'a%20b', 'x'.repeat(80)]) {
      const res = await app.request(`/agents/${id}`, { headers: BROWSER });
      assert.equal(res.status, 404, id);
      assert.match(await res.text(), /No agent/);
    }
    assert.equal(temporalUiUrlFromEnv({ ARENA_TEMPORAL_UI_URL: 'https://temporal.example.com/ui/' }), 'https://temporal.example.com/ui');
    assert.equal(temporalUiUrlFromEnv({}), DEFAULT_TEMPORAL_UI_URL);
    assert.throws(() => temporalUiUrlFromEnv({ ARENA_TEMPORAL_UI_URL: 'javascript:alert(1)' }), /ARENA_TEMPORAL_UI_URL/);
  });

  it('lists the backtest reports of the folder and serves each one sandboxed', async () => {
    const web = webRoutes({
      api: (url, init) => app.request(url, init),
      namespace: 'default',
      backtestsDir: backtests,
      readTokenRequired: false,
    });
    assert.match(await (await web.request('/backtests')).text(), /No report yet/);
    await mkdir(path.join(backtests, '2026-01-02T03-04-05Z'), { recursive: true });
    await writeFile(path.join(backtests, '2026-01-02T03-04-05Z', 'report.html'), '<!doctype html><title>report</title><p>equity</p>');
    await mkdir(path.join(backtests, 'no-report-here'));
    const list = await (await web.request('/backtests')).text();
    assert.ok(list.includes('href="/backtests/2026-01-02T03-04-05Z/report.html"'));
    assert.ok(!list.includes('no-report-here'));

    const report = await web.request('/backtests/2026-01-02T03-04-05Z/report.html');
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-security-policy')!, /^sandbox allow-scripts; default-src 'none'/);
    assert.match(await report.text(), /equity/);
    for (const url of ['/backtests/no-report-here/report.html', '/backtests/..%2F..%2Fetc/report.html', '/backtests/%2e%2e/report.html']) {
      assert.equal((await web.request(url)).status, 404, url);
    }
    const closed = webRoutes({
      api: (url, init) => app.request(url, init),
      namespace: 'default',
      backtestsDir: backtests,
      readTokenRequired: true,
    });
    assert.doesNotMatch(await (await closed.request('/backtests')).text(), /2026-01-02/);
    assert.equal((await closed.request('/backtests/2026-01-02T03-04-05Z/report.html')).status, 404);
  });

  it('when reads need the token, pages show no record without it and every record with it', async () => {
    const closed = createApp({ db: arena.db, temporal: arena.client }, { auth: { apiToken: TOKEN, readTokenRequired: true } });
    for (const url of ['/', `/agents/${agent.id}`]) {
      const res = await closed.request(url, { headers: BROWSER });
      assert.equal(res.status, 200, url);
      const body = await res.text();
      assert.ok(body.includes('data-locked="401"'), url);
      assert.ok(!body.includes('data-agent=') && !body.includes('data-cycle='), `${url}: no record without the token`);
    }
    for (const url of ['/fragments/arena', `/fragments/agents/${agent.id}`]) {
      assert.equal((await closed.request(url)).status, 401, url);
      const res = await closed.request(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200, url);
      assert.doesNotMatch(await res.text(), /data-locked/);
    }
  });
});
