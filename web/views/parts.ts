/**
 * Pieces the pages share: live regions (the parts the browser swaps after each cycle), figures with
 * their colour and a text equivalent, agent status badges.
 */
import { html } from 'hono/html';
import { ApiError } from '../api-reader';
import type { AgentDetail, FigureNote, LeaderboardRow } from '../api-types';
import { MISSING, count, pValue, pct, tone } from '../format';
import type { Html } from './layout';

/** What a region was made from: the API's data, or its refusal (reads need the token). */
export type Loaded<T> = { ok: true; data: T } | { ok: false; status: number; message: string };

/** Runs the page's reads; a 401 or 503 from the API (reads need a token) becomes a locked page, anything else throws. */
export async function load<T>(read: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await read() };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 503))
      return { ok: false, status: err.status, message: err.message };
    throw err;
  }
}

/**
 * A part of the page the browser replaces with the same region of /fragments/... after each cycle
 * (client/regions.ts); `attributes` are more of the region's own (the overview's data-status).
 */
export function region(name: string, loaded: Loaded<unknown>, body: () => Html, attributes: Html | string = ''): Html {
  if (!loaded.ok) {
    return html`<div class="region" data-region="${name}" data-locked="${loaded.status}">
      <p class="locked">This arena asks for its API token to show its records (${loaded.message}).</p>
    </div>`;
  }
  return html`<div class="region" data-region="${name}" ${attributes}>${body()}</div>`;
}

/** A figure that can be good or bad: coloured, and signed so the colour is never the only cue. */
export function signed(value: number | null | undefined, format: (v: number | null | undefined) => string): Html {
  return html`<span class="${tone(value)}">${format(value)}</span>`;
}

/** A figure the API gives no value for (null): says so. */
export function figure(value: number | null | undefined, format: (v: number | null | undefined) => string): Html | string {
  return value === null || value === undefined
    ? html`<span class="missing" title="The API gives no figure for this yet">${MISSING}</span>`
    : format(value);
}

/**
 * A figure the API may hold back (too small a sample, or undefined): n/a with the API's reason as
 * visible text (every reader gets it, on touch screens and screen readers too) and as the title.
 */
export function heldFigure(value: number | null, note: FigureNote | null, format: (v: number) => string): Html | string {
  if (value !== null) return format(value);
  const reason = note?.reason ?? 'The API gives no figure for this yet';
  return html`<span class="missing" title="${reason}">${MISSING}</span> <small class="why">${reason}</small>`;
}

/** Better than chance: the percentile among random-entry runs, with the p-value and the runs; n/a with why until computed. */
export function vsRandomFigure(v: LeaderboardRow['vs_random_entry'], note: FigureNote | null): Html | string {
  return v === null
    ? heldFigure(null, note, pct)
    : html`${pct(v.percentile)} <small>p = ${pValue(v.p_value)} · ${count(v.runs)} runs</small>`;
}

export interface StatusView {
  /** running, paused, safe-mode, stopped, finished, failed, not-started, unknown: a CSS class and a data attribute. */
  key: string;
  label: string;
  reason: string | null;
}

/** The agent's status as the seeds' cards show it; safe mode (only the live state knows it) over running. */
export function agentStatus(detail: Pick<AgentDetail, 'status' | 'status_reason'> & { live?: AgentDetail['live'] }): StatusView {
  const status = detail.status.toLowerCase();
  if (status === 'running' && detail.live?.safeMode) {
    return { key: 'safe-mode', label: 'Safe mode', reason: 'no new positions until a model call succeeds' };
  }
  const key = status.replace(/_/g, '-');
  return { key, label: key.charAt(0).toUpperCase() + key.slice(1).replace(/-/g, ' '), reason: detail.status_reason };
}

export function statusBadge(status: StatusView): Html {
  return html`<span class="badge status-${status.key}" ${status.reason ? html` title="${status.reason}"` : ''}>${status.label}</span>`;
}
