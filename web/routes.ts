/**
 * The pages, served by the API's own Hono app (same server, same port): the arena at `/` (for
 * browsers; `/` stays the API's JSON index for everyone else), an agent at `/agents/:id`, their live
 * regions at `/fragments/...`, the assets at `/assets/*`, backtest reports at `/backtests`.
 * Pages read through the API in process (api-reader.ts) with the caller's Authorization header.
 */
import path from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { AGENT_ID_PATTERN } from '../arena-config/schema';
import { agentWorkflowId } from '../workflows/definitions';
import { type ApiFetch, ApiError, apiReader } from './api-reader';
import { assetRoutes } from './assets';
import { backtestRoutes } from './backtests';
import { pageHeaders, wantsHtml } from './headers';
import { agentPage, agentRegions, loadAgent } from './views/agent';
import { arenaPage, arenaRegions, loadArena } from './views/arena';
import { page } from './views/layout';

export interface WebOptions {
  /** The app's own `request`: how pages read the API. */
  api: ApiFetch;
  /** The Temporal namespace of the agents' workflows. */
  namespace: string;
  /** The Temporal Web UI (default: ARENA_TEMPORAL_UI_URL, else the dev server's http://localhost:8233). */
  temporalUiUrl?: string;
  /** Where backtest runs write `<run>/report.html` (default: ./backtests). */
  backtestsDir?: string;
  /** Reads need the token (API_READ_TOKEN_REQUIRED): reports are then not served. */
  readTokenRequired: boolean;
}

export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

/** ARENA_TEMPORAL_UI_URL, or the dev server's Web UI. Throws on something that is not an http(s) URL. */
export function temporalUiUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.ARENA_TEMPORAL_UI_URL?.trim() || DEFAULT_TEMPORAL_UI_URL;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) {
    throw new Error(`ARENA_TEMPORAL_UI_URL: expected an http(s) URL like http://localhost:8233, got "${url.slice(0, 80)}"`);
  }
  return url.replace(/\/+$/, '');
}

export function webRoutes(options: WebOptions): Hono {
  const routes = new Hono();
  const temporalUiUrl = options.temporalUiUrl ?? temporalUiUrlFromEnv();
  const reader = (authorization: string | undefined) => apiReader(options.api, authorization);
  const workflowUrl = (agentId: string) =>
    `${temporalUiUrl}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(agentWorkflowId(agentId))}`;

  routes.get('/', async (c, next) => {
    if (!wantsHtml(c)) return next();
    const data = await loadArena(reader(c.req.header('authorization')));
    pageHeaders(c);
    return c.html(arenaPage(data));
  });

  routes.get('/fragments/arena', async (c) => {
    const data = await loadArena(reader(c.req.header('authorization')));
    pageHeaders(c);
    return c.html(arenaRegions(data), data.ok ? 200 : (data.status as 401));
  });

  routes.get('/agents/:id', async (c) => {
    const id = c.req.param('id');
    pageHeaders(c);
    const data = AGENT_ID_PATTERN.test(id) ? await loadAgent(reader(c.req.header('authorization')), id).catch(notFound) : null;
    if (!data) return c.html(noSuchAgent(id), 404);
    return c.html(agentPage(id, data, { workflowUrl: workflowUrl(id) }));
  });

  routes.get('/fragments/agents/:id', async (c) => {
    const id = c.req.param('id');
    pageHeaders(c);
    const data = AGENT_ID_PATTERN.test(id) ? await loadAgent(reader(c.req.header('authorization')), id).catch(notFound) : null;
    if (!data) return c.html(html`<p>No agent "${id.slice(0, 64)}".</p>`, 404);
    return c.html(agentRegions(data), data.ok ? 200 : (data.status as 401));
  });

  routes.route('/assets', assetRoutes());
  routes.route('/backtests', backtestRoutes(options.backtestsDir ?? path.resolve('backtests'), options.readTokenRequired));
  return routes;
}

/** The API's 404 (no such agent) as null; anything else goes on up. */
function notFound(err: unknown): null {
  if (err instanceof ApiError && err.status === 404) return null;
  throw err;
}

function noSuchAgent(id: string) {
  return page({
    title: 'No such agent',
    main: html`<h1>No agent "${id.slice(0, 64)}"</h1>
      <section class="panel">
        <p>The <a href="/">arena</a> lists every agent.</p>
      </section>`,
  });
}
