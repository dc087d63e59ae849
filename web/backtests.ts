/**
 * /backtests: the hook for the backtester's reports (issue 14). Every `<dir>/<run>/report.html` is
 * listed, newest run first, and served as it is: a self-contained file, sandboxed (its scripts run in
 * an origin of their own, away from the token in this site's sessionStorage) and kept off the network.
 * While reads need the token, reports are not served (a browser cannot send it on a link).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { pageHeaders } from './headers';
import { page } from './views/layout';

const REPORT = 'report.html';
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const REPORT_CSP =
  "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

export interface BacktestReport {
  run: string;
  modifiedAt: Date;
}

/** The runs of `dir` that have a report, newest first; none when the folder does not exist. */
export async function listReports(dir: string): Promise<BacktestReport[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const reports = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && RUN_NAME.test(e.name))
      .map(async (e) => {
        const info = await stat(path.join(dir, e.name, REPORT)).catch(() => null);
        return info?.isFile() ? { run: e.name, modifiedAt: info.mtime } : null;
      }),
  );
  return reports.filter((r): r is BacktestReport => r !== null).sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
}

export function backtestRoutes(dir: string, readTokenRequired: boolean): Hono {
  const routes = new Hono();

  routes.get('/', async (c) => {
    pageHeaders(c);
    const reports = readTokenRequired ? [] : await listReports(dir);
    return c.html(
      page({
        title: 'Backtests',
        main: html`<h1>Backtest reports</h1>
          <section class="panel">
            ${
              readTokenRequired
                ? html`<p>
                    Reads need the API token on this arena, so reports are not served here: open
                    <code>backtests/&lt;run&gt;/report.html</code> from disk.
                  </p>`
                : reports.length === 0
                  ? html`<p>No report yet. Each backtest run writes <code>backtests/&lt;run&gt;/report.html</code>; it is listed here.</p>`
                  : html`<ul class="reports">
                      ${reports.map((r) => html`<li><a href="/backtests/${encodeURIComponent(r.run)}/${REPORT}">${r.run}</a> <small>written ${r.modifiedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</small></li>`)}
                    </ul>`
            }
          </section>`,
      }),
    );
  });

  routes.get(`/:run/${REPORT}`, async (c) => {
    const run = c.req.param('run');
    if (readTokenRequired || !RUN_NAME.test(run)) return c.notFound();
    const report = await readFile(path.join(dir, run, REPORT)).catch(() => null);
    if (!report) return c.notFound();
    pageHeaders(c, REPORT_CSP);
    return c.body(new Uint8Array(report), 200, { 'content-type': 'text/html; charset=utf-8' });
  });

  return routes;
}
