/**
 * A real browser for the page tests: Debian's Chromium (scripts/ensure-chromium.sh installs it) driven
 * by playwright-core, and a watch on every page it opens: console errors, uncaught exceptions, and
 * every request or WebSocket to a host other than the arena's (aborted, and recorded).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the tests save their screenshots (gitignored). */
export const SCREENSHOTS = path.join(__dirname, 'screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/ensure-chromium.sh (it installs Debian's chromium package)`);
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** What the pages of a context did that they should not have. */
export interface PageProblems {
  consoleErrors: string[];
  /** Requests and WebSockets to any host but the arena's. */
  foreignRequests: string[];
  /** Every URL requested (to check that no token ever travels in one). */
  urls: string[];
}

/** A browser context whose pages may talk to `origin` only; everything else is aborted and recorded. */
export async function watchedContext(
  browser: Browser,
  origin: string,
  problems: PageProblems,
  viewport = DESKTOP,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    problems.urls.push(url);
    if (new URL(url).origin === origin) return route.continue();
    problems.foreignRequests.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (err) => problems.consoleErrors.push(`${page.url()}: uncaught ${err.message}`));
    page.on('websocket', (socket) => {
      problems.urls.push(socket.url());
      if (new URL(socket.url()).host !== new URL(origin).host) problems.foreignRequests.push(socket.url());
    });
  });
  return context;
}

export function noProblems(): PageProblems {
  return { consoleErrors: [], foreignRequests: [], urls: [] };
}
