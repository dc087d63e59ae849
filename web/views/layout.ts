/**
 * The frame every page shares: head (one stylesheet, one deferred script, no inline code, so the
 * strict Content-Security-Policy of routes.ts holds), the top bar with the live-update status and the
 * token button, and the token dialog.
 */
import { html } from 'hono/html';

export type Html = ReturnType<typeof html>;

export interface PageFrame {
  title: string;
  /** The client island of the page (an entry of assets.ts), if it has one. */
  script?: 'arena-page.js' | 'agent-page.js';
  /** `data-*` attributes of <body>: what the page's script needs to know (ids, links). */
  data?: Record<string, string>;
  main: Html;
}

export function page({ title, script, data = {}, main }: PageFrame): Html {
  const attributes = Object.entries(data).map(([name, value]) => html` data-${name}="${value}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Agent Arena</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/arena.css">
${script ? html`<script defer src="/assets/${script}"></script>` : ''}
</head>
<body${attributes}>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/">Agent Arena</a>
  <nav aria-label="Site">
    <a href="/">Arena</a>
    <a href="/backtests">Backtests</a>
    <a href="/docs">API</a>
  </nav>
  ${
    script
      ? html`<span class="live-status" id="live-status" role="status" data-state="off">Live updates: starting</span>
          <button type="button" class="token-button" id="token-button" hidden>API token</button>`
      : ''
  }
</header>
<main id="main">
${main}
</main>
${script ? tokenDialog() : ''}
</body>
</html>`;
}

function tokenDialog(): Html {
  return html`<dialog id="token-dialog" aria-labelledby="token-title">
    <form method="dialog" id="token-form">
      <h2 id="token-title">API token</h2>
      <p id="token-reason">Pausing, resuming, stopping and running a cycle need the arena's API token (<code>API_TOKEN</code>).</p>
      <p class="note">Kept in this browser tab only (sessionStorage) and sent as a request header: never in a URL.</p>
      <label for="token-input">Token</label>
      <input id="token-input" name="token" type="password" autocomplete="off" spellcheck="false" />
      <div class="dialog-actions">
        <button type="button" id="token-cancel">Cancel</button>
        <button type="submit" value="save" class="primary">Save</button>
      </div>
    </form>
  </dialog>`;
}

/** `<section>` with a heading, labelled for screen readers. */
export function section(id: string, heading: string, body: Html | string, extraClass = ''): Html {
  return html`<section class="panel ${extraClass}" aria-labelledby="${id}-title">
    <h2 id="${id}-title">${heading}</h2>
    ${body}
  </section>`;
}

/** A wide table in a box that scrolls sideways on a phone, reachable with the keyboard. */
export function scrollTable(label: string, table: Html): Html {
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}

/**
 * lightweight-charts' licence asks for its NOTICE and a link to TradingView on the page. Its own logo
 * would inject a <style> element, which the pages' CSP refuses: this line is the attribution instead.
 */
export function chartAttribution(): Html {
  return html`<p class="note attribution">
    Charts: <a href="https://www.tradingview.com/" rel="noopener noreferrer">TradingView Lightweight Charts™</a>, Copyright © 2025
    TradingView, Inc.
  </p>`;
}
