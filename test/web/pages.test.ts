/**
 * The pages in a real browser (Debian's Chromium through playwright-core) against a real arena: the
 * four demo agents on the dev server and Postgres, the API and its WebSocket served on a free port.
 * Cycles run only when a test asks (run-cycle), so what the page shows can be compared with what the
 * API answers at the same moment.
 *
 * Screenshots of both pages at desktop and phone width go to test/web/screenshots/ (gitignored);
 * WRITE_README_SCREENSHOT=1 also copies the arena's to docs/arena-page.png, the README's picture.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LeaderboardRow } from '../../analytics/answers';
import { createApp } from '../../api/app';
import type { AuthOptions } from '../../api/auth';
import { attachWebSocket } from '../../api/websocket';
import type { AgentConfig } from '../../arena-config/types';
import type { AgentDetail, DecisionLog, EquityPoint, Performance, Position, Trade } from '../../web/api-types';
import * as format from '../../web/format';
import { agentWorkflowId, getStateQuery } from '../../workflows/definitions';
import { type TestArena, demoAgent, eventually, startTestArena } from '../support/arena';
import { DESKTOP, PHONE, SCREENSHOTS, launchChromium, noProblems, watchedContext } from './browser';

const TOKEN = 'web-test-token';
/** Cycles each agent runs before the pages are opened: enough for a chart worth looking at. */
const HISTORY_CYCLES = 40;

interface ServedApp {
  base: string;
  close(): Promise<void>;
}

/** The arena's app and WebSocket on 127.0.0.1, on a free port. */
async function serveApp(arena: TestArena, auth: AuthOptions): Promise<ServedApp> {
  const app = createApp({ db: arena.db, temporal: arena.client }, { auth, logError: (err) => console.error(err) });
  const ws = attachWebSocket(app, { db: arena.db, auth, pollIntervalMs: 200, onError: (err) => console.error(err) });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
  });
  ws.injectWebSocket(server);
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('web pages in a real browser', function () {
  this.timeout(300_000);
  let arena: TestArena;
  let agents: AgentConfig[];
  let hold: AgentConfig;
  let trend: AgentConfig;
  let served: ServedApp;
  let browser: Browser;
  const problems = noProblems();
  const contexts: BrowserContext[] = [];

  /** The `data` of the API's answer (through the served app, as the browser sees it). */
  const api = async <T>(urlPath: string): Promise<T> => {
    const res = await fetch(`${served.base}${urlPath}`);
    const body = (await res.json()) as { success: boolean; data: T; error: string | null };
    assert.ok(body.success, `${urlPath}: ${body.error}`);
    return body.data;
  };
  const runCycle = async (agentId: string) => {
    const res = await fetch(`${served.base}/api/agents/${agentId}/run-cycle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200, await res.text());
  };
  const workflowStatus = async (agentId: string) =>
    (await arena.client.workflow.getHandle(agentWorkflowId(agentId)).query(getStateQuery)).status;

  const newContext = async (viewport = DESKTOP, origin = served.base) => {
    const context = await watchedContext(browser, origin, problems, viewport);
    contexts.push(context);
    return context;
  };
  const open = async (context: BrowserContext, urlPath: string, base = served.base): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${base}${urlPath}`);
    await page.locator('#live-status[data-state="on"]').waitFor({ timeout: 30_000 });
    return page;
  };
  const text = (page: Page, selector: string) =>
    page
      .locator(selector)
      .innerText()
      .then((t) => t.trim());
  const rowCell = (page: Page, agentId: string, field: string) => text(page, `tr[data-agent="${agentId}"] [data-field="${field}"]`);
  /** A figure the API held back: "n/a", and the API's reason as visible text and as the title. */
  const heldBack = async (page: Page, selector: string, reason: string) => {
    assert.equal(await text(page, `${selector} .missing`), format.MISSING);
    assert.equal(await page.locator(`${selector} .missing`).getAttribute('title'), reason);
    assert.equal(await text(page, `${selector} .why`), reason);
  };

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    agents = (['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'] as const).map((base) => demoAgent(base, arena.tag));
    [trend, , hold] = agents as [AgentConfig, AgentConfig, AgentConfig, AgentConfig];
    // Cycles only when asked: the pages and the API are compared on records that hold still.
    await arena.start(agents, 3_600_000, { barMs: 150 }); // a bar every 150 ms: each run-cycle on a bar of its own
    served = await serveApp(arena, { apiToken: TOKEN });
    await Promise.all(
      agents.map(async (agent) => {
        for (let i = 0; i < HISTORY_CYCLES; i += 1) await runCycle(agent.id);
      }),
    );
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await served?.close();
    await arena?.close();
  });

  it('the arena page lists every running agent with the figures and status the API gives', async () => {
    const page = await open(await newContext(), '/');
    const leaderboard = await api<LeaderboardRow[]>('/api/leaderboard');
    assert.deepEqual(leaderboard.map((e) => e.agent_id).sort(), agents.map((a) => a.id).sort());
    const rows = await page.locator('tr[data-agent]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.agent));
    assert.deepEqual(
      rows,
      leaderboard.map((e) => e.agent_id),
      'ranked in the API order',
    );

    // One market time for the arena: the newest bar any agent recorded, on every entry.
    const arenaTime = leaderboard[0]!.market_time!;
    const newest = (
      await Promise.all(
        leaderboard.map(async (e) => (await api<EquityPoint[]>(`/api/agents/${e.agent_id}/equity-history?limit=1`))[0]!.market_time),
      )
    )
      .sort()
      .at(-1)!;
    assert.equal(Date.parse(arenaTime), Date.parse(newest));
    for (const entry of leaderboard) {
      const id = entry.agent_id;
      const detail = await api<AgentDetail>(`/api/agents/${id}`);
      assert.equal(entry.market_time, arenaTime);
      assert.equal(detail.status, 'running');
      assert.equal(await rowCell(page, id, 'status'), 'Running');
      assert.equal(await rowCell(page, id, 'rank'), String(entry.rank));
      assert.equal(await rowCell(page, id, 'equity'), format.money(entry.equity));
      assert.equal(await rowCell(page, id, 'return_pct'), format.signedPct(entry.return_pct));
      assert.equal(await rowCell(page, id, 'pnl'), format.signedMoney(entry.pnl));
      assert.equal(await rowCell(page, id, 'max_drawdown_pct'), format.pct(entry.max_drawdown_pct));
      assert.equal(await rowCell(page, id, 'win_rate'), format.pct(entry.win_rate));
      assert.equal(await rowCell(page, id, 'trades'), format.count(entry.trades));
      assert.equal(await rowCell(page, id, 'open_trades'), format.count(entry.open_trades));
      assert.equal(await rowCell(page, id, 'llm_cost_usd'), format.usd(entry.llm_cost_usd));
      assert.equal(await rowCell(page, id, 'cycle_count'), format.count(HISTORY_CYCLES));
      // A few hours of market time support no Sharpe: n/a, with the API's reason in words.
      assert.equal(entry.sharpe_ratio, null);
      await heldBack(page, `tr[data-agent="${id}"] [data-field="sharpe_ratio"]`, entry.sharpe_ratio_note!.reason);
      await heldBack(page, `tr[data-agent="${id}"] [data-field="vs_random_entry"]`, entry.vs_random_entry_note!.reason);
      // Each run-cycle traded at a bar of its own: an agent whose newest cycle is older says so.
      assert.equal(
        await rowCell(page, id, 'as_of'),
        entry.behind_seconds === 0 ? 'current' : `${format.utcTime(entry.as_of)}\n${format.duration(entry.behind_seconds)} behind`,
      );
    }
    assert.ok((await text(page, '[data-region="summary"] [data-field="market_time"]')).startsWith(format.utcTime(arenaTime)));
    const behind = leaderboard.filter((e) => e.behind_seconds! > 0).length;
    assert.equal(await page.locator('[data-region="summary"] [data-field="behind"]').count(), behind > 0 ? 1 : 0);
    assert.equal(await text(page, '[data-region="summary"] [data-field="agents"]'), '4 (4 running)');
  });

  it('the chart has one line per agent, each with all its points', async () => {
    const page = await open(await newContext(), '/');
    const curves =
      await api<Array<{ agent_id: string; snapshots: number; points: Array<{ equity: number }> }>>('/api/equity-curves?points=2000');
    assert.equal(curves.length, agents.length);
    const legend = page.locator('#equity-legend li');
    assert.equal(await legend.count(), agents.length, 'one line (and legend entry) per agent');
    for (const curve of curves) {
      assert.equal(curve.snapshots, HISTORY_CYCLES);
      const item = page.locator(`#equity-legend li[data-series="${curve.agent_id}"]`);
      assert.equal(await item.getAttribute('data-points'), String(HISTORY_CYCLES), `${curve.agent_id}: every snapshot drawn`);
      assert.equal(
        await text(page, `#equity-legend li[data-series="${curve.agent_id}"] .value`),
        format.money(curve.points.at(-1)!.equity),
      );
    }
    const canvas = await page.locator('#equity-chart canvas').first().boundingBox();
    assert.ok(canvas && canvas.width > 600 && canvas.height > 200, `the chart is drawn: ${JSON.stringify(canvas)}`);
  });

  it('a new cycle updates the ranking and the chart without a reload', async () => {
    const page = await open(await newContext(), '/');
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const points = () => page.locator(`#equity-legend li[data-series="${hold.id}"]`).getAttribute('data-points');
    assert.equal(await points(), String(HISTORY_CYCLES));

    await runCycle(hold.id);
    await eventually(
      'the new cycle on the page',
      async () =>
        (await rowCell(page, hold.id, 'cycle_count')) === format.count(HISTORY_CYCLES + 1) &&
        (await points()) === String(HISTORY_CYCLES + 1),
      30_000,
    );
    const entry = (await api<LeaderboardRow[]>('/api/leaderboard')).find((e) => e.agent_id === hold.id)!;
    assert.equal(await rowCell(page, hold.id, 'equity'), format.money(entry.equity));
    assert.equal(await rowCell(page, hold.id, 'return_pct'), format.signedPct(entry.return_pct));
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no reload');
    // The others catch up: every agent at the same cycle again.
    await Promise.all(agents.filter((a) => a !== hold).map((a) => runCycle(a.id)));
  });

  it("an agent's page shows its positions and its latest decision with the reasoning", async () => {
    const page = await open(await newContext(), `/agents/${hold.id}`);
    const [position] = await api<Position[]>(`/api/agents/${hold.id}/positions`);
    const [trade] = await api<Trade[]>(`/api/agents/${hold.id}/trades?status=open`);
    assert.ok(position && trade, 'buy & hold holds BTC');
    const row = `[data-region="positions"] tr[data-symbol="${position.symbol}"]`;
    assert.equal(await text(page, `${row} [data-field="side"]`), 'long');
    assert.equal(await text(page, `${row} [data-field="position_amt"]`), format.quantity(position.position_amt));
    assert.equal(await text(page, `${row} [data-field="entry_price"]`), format.price(position.entry_price));
    assert.equal(await text(page, `${row} [data-field="mark_price"]`), format.price(position.mark_price));
    assert.equal(await text(page, `${row} [data-field="leverage"]`), format.leverage(position.leverage));
    assert.equal(
      await text(page, `${row} [data-field="liquidation_price"]`),
      position.liquidation_price > 0 ? format.price(position.liquidation_price) : 'none',
    );
    assert.equal(await text(page, `${row} [data-field="stop_loss"]`), format.price(trade.stop_loss));
    assert.equal(await text(page, `${row} [data-field="take_profit"]`), format.price(trade.take_profit));

    const [latest, previous] = await api<DecisionLog[]>(`/api/agents/${hold.id}/decisions?limit=2`);
    const first = page.locator('[data-region="decisions"] ol.decisions > li').first();
    assert.equal(await first.getAttribute('data-cycle'), String(latest!.cycle));
    assert.ok(latest!.ai_reasoning, 'the agent gave its reasoning');
    assert.equal(
      (await first.locator('.reasoning').innerText()).trim(),
      latest!.ai_reasoning!.trim(),
      'the newest is open, with its reasoning',
    );
    assert.match(await first.locator('[data-field="verdict"]').first().innerText(), /no order|approved|resized|rejected/);

    // The older ones open from the keyboard.
    const second = page.locator(`[data-region="decisions"] li[data-cycle="${previous!.cycle}"]`);
    assert.equal(await second.locator('.reasoning').isVisible(), false);
    await second.locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal((await second.locator('.reasoning').innerText()).trim(), previous!.ai_reasoning!.trim());

    // Holding one position: 0 closed trades and 1 open, its opening fee among the fees.
    const p = await api<Performance>(`/api/agents/${hold.id}/performance`);
    assert.deepEqual([p.total_trades, p.open_trades], [0, 1]);
    assert.ok(p.open_fees_paid > 0 && p.fees_paid === p.open_fees_paid);
    const overview = (field: string) => `[data-region="overview"] [data-field="${field}"]`;
    assert.equal(await text(page, overview('total_trades')), '0');
    assert.equal(await text(page, overview('open_trades')), '1');
    assert.equal(
      await text(page, overview('fees_paid')),
      `${format.money(p.fees_paid)} (${format.money(p.open_fees_paid)} on open trades)`,
    );
    assert.equal(await text(page, overview('as_of')).then((t) => t.split('\n')[0]), format.utcTime(p.as_of));
    for (const figure of [
      'sharpe_ratio',
      'sortino_ratio',
      'annualized_return_pct',
      'calmar_ratio',
      'profit_factor',
      'vs_random_entry',
    ] as const) {
      assert.equal(p[figure], null, figure);
      await heldBack(page, overview(figure), p[`${figure}_note`]!.reason);
    }

    assert.equal(
      await page.locator('a.workflow-link').getAttribute('href'),
      `http://localhost:8233/namespaces/default/workflows/agent-${hold.id}`,
    );
    assert.ok(Number(await page.locator('#agent-chart').getAttribute('data-points')) >= HISTORY_CYCLES, 'equity and drawdown drawn');
  });

  it('without the token there are no control buttons, and the API refuses control', async () => {
    const page = await open(await newContext(), `/agents/${trend.id}`);
    assert.equal(await page.locator('#controls-locked').isVisible(), true);
    for (const name of ['Pause', 'Resume', 'Stop', 'Run a cycle now']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button to press`);
    }
    const res = await fetch(`${served.base}/api/agents/${trend.id}/pause`, { method: 'POST' });
    assert.equal(res.status, 401);
    assert.equal(await workflowStatus(trend.id), 'RUNNING');
  });

  it('with the token, Pause pauses the agent and Resume resumes it', async () => {
    const page = await open(await newContext(), `/agents/${trend.id}`);
    await page.getByRole('button', { name: 'Enter the token' }).click();
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByLabel('Token').press('Enter');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('arena.apiToken')), TOKEN);

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await eventually('the workflow paused', async () => (await workflowStatus(trend.id)) === 'PAUSED', 20_000);
    await page.locator('[data-region="overview"] [data-field="status"]', { hasText: 'Paused' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).isDisabled(), true);

    // Paused, its figures stay at its last bar while the arena moves on: both pages say how far behind.
    await runCycle(hold.id);
    const entry = (await api<LeaderboardRow[]>('/api/leaderboard')).find((e) => e.agent_id === trend.id)!;
    assert.ok(entry.behind_seconds! > 0, 'behind the arena');
    const behind = `${format.duration(entry.behind_seconds)} behind`;
    const arenaPage = await open(page.context(), '/');
    assert.equal(await rowCell(arenaPage, trend.id, 'status'), 'Paused');
    assert.equal(await rowCell(arenaPage, trend.id, 'as_of'), `${format.utcTime(entry.as_of)}\n${behind}`);
    assert.ok((await text(arenaPage, '[data-region="summary"] [data-field="market_time"]')).startsWith(format.utcTime(entry.market_time)));
    const agentPage = await open(page.context(), `/agents/${trend.id}`);
    assert.equal(
      await text(agentPage, '[data-region="overview"] [data-field="as_of"]'),
      `${format.utcTime(entry.as_of)}\n${behind} the arena (${format.utcTime(entry.market_time)})`,
    );
    await arenaPage.close();
    await agentPage.close();

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await eventually('the workflow running again', async () => (await workflowStatus(trend.id)) === 'RUNNING', 20_000);
    await page.locator('[data-region="overview"] [data-field="status"]', { hasText: 'Running' }).waitFor({ timeout: 20_000 });
    assert.match(await text(page, '#control-result'), /Resume/);
    assert.ok(!page.url().includes(TOKEN));
  });

  it('when reads need the token, the page asks for it and then shows the arena', async () => {
    const closed = await serveApp(arena, { apiToken: TOKEN, readTokenRequired: true });
    const context = await newContext(DESKTOP, closed.base);
    try {
      const page = await context.newPage();
      await page.goto(`${closed.base}/`);
      assert.equal(await page.locator('[data-region="ranking"][data-locked]').count(), 1, 'nothing shown without the token');
      const dialog = page.getByRole('dialog', { name: 'API token' });
      await dialog.waitFor();
      await dialog.getByLabel('Token').fill(TOKEN);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.locator(`tr[data-agent="${hold.id}"]`).waitFor({ timeout: 20_000 });
      await page.locator('#live-status[data-state="on"]').waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('#equity-legend li').count(), agents.length);
    } finally {
      // The page first: it would try to reconnect to the server closed under it.
      await context.close();
      await closed.close();
    }
  });

  it('/docs shows every operation of the API, offline', async () => {
    const doc = (await (await fetch(`${served.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    const page = await (await newContext()).newPage();
    await page.goto(`${served.base}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.opblock').count(), operations);
    assert.equal(await page.locator('.opblock-summary-path', { hasText: '/api/leaderboard' }).count(), 1);
  });

  it('both pages at desktop and phone width: screenshots, and nothing wider than a phone', async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const context = await newContext(viewport);
      for (const [name, urlPath] of [
        ['arena', '/'],
        ['agent', `/agents/${hold.id}`],
      ] as const) {
        const page = await open(context, urlPath);
        await page.locator('.chart canvas').first().waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} at ${size} width is ${overflow}px wider than the screen`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
        await page.close();
      }
    }
    if (process.env.WRITE_README_SCREENSHOT) {
      await mkdir(path.join(__dirname, '../../docs'), { recursive: true });
      await copyFile(path.join(SCREENSHOTS, 'arena-desktop.png'), path.join(__dirname, '../../docs/arena-page.png'));
    }
  });

  it('logged no console error, asked no other host, and never put the token in a URL', () => {
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    assert.ok(problems.urls.length > 20, `${problems.urls.length} requests watched`);
    assert.deepEqual(
      problems.urls.filter((url) => url.includes(TOKEN)),
      [],
    );
  });
});
