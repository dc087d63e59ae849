/** Response headers of the pages: a strict Content-Security-Policy (no inline script or style, no eval, nothing from another host). */
import type { Context } from 'hono';

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function pageHeaders(c: Context, csp = PAGE_CSP): void {
  c.header('content-security-policy', csp);
  c.header('x-content-type-options', 'nosniff');
  // The Temporal Web UI link and any other way out carry no address of this page.
  c.header('referrer-policy', 'no-referrer');
  c.header('cache-control', 'no-store');
}

/** A browser asking for a page (not a client asking for the API's JSON at the same path). */
export function wantsHtml(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}
