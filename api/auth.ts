/**
 * Who may call what. Control (pause, resume, stop, run a cycle, change the config) needs the bearer
 * token `API_TOKEN`, and is switched off (503) while none is set; reads are open unless
 * `API_READ_TOKEN_REQUIRED=true`. Browsers may call from the origins in `API_CORS_ORIGINS` only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { fail } from './envelope';

export interface AuthOptions {
  /** The bearer token for control (and for reads when `readTokenRequired`); none: control is disabled. */
  apiToken?: string;
  /** Reads need the token too. */
  readTokenRequired?: boolean;
  /** Origins a browser may call the API from (exact `scheme://host[:port]`, or `*`); none: no CORS headers. */
  corsOrigins?: string[];
}

/** The auth options from the environment: API_TOKEN, API_READ_TOKEN_REQUIRED, API_CORS_ORIGINS. Throws on a bad value. */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const apiToken = env.API_TOKEN?.trim() || undefined;
  const required = (env.API_READ_TOKEN_REQUIRED ?? '').trim().toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(required)) {
    throw new Error(`API_READ_TOKEN_REQUIRED: expected true or false, got "${required.slice(0, 40)}"`);
  }
  const readTokenRequired = required === 'true' || required === '1';
  if (readTokenRequired && !apiToken) throw new Error('API_READ_TOKEN_REQUIRED=true needs API_TOKEN to be set');
  const corsOrigins = (env.API_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/?#]+$/.test(origin)) {
      throw new Error(`API_CORS_ORIGINS: expected origins like https://arena.example.com, got "${origin.slice(0, 80)}"`);
    }
  }
  return { apiToken, readTokenRequired, corsOrigins };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (both sides hashed to the same length first). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/** True when `header` carries the right token; for the WebSocket upgrade too. */
export function authorized(header: string | undefined, token: string | undefined): boolean {
  const given = bearerToken(header);
  return token !== undefined && given !== undefined && tokenMatches(given, token);
}

/** Control routes: 503 while no token is configured, 401 without the right one. */
export function requireControlToken(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!options.apiToken) return fail(c, 503, 'control is disabled: set API_TOKEN');
    if (!authorized(c.req.header('authorization'), options.apiToken)) return unauthorized(c);
    await next();
  };
}

/** Read routes: open unless `readTokenRequired`. */
export function requireReadToken(options: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!options.readTokenRequired) return next();
    if (!options.apiToken) return fail(c, 503, 'reads need a token but none is configured: set API_TOKEN');
    if (!authorized(c.req.header('authorization'), options.apiToken)) return unauthorized(c);
    await next();
  };
}

function unauthorized(c: Parameters<MiddlewareHandler>[0]) {
  c.header('WWW-Authenticate', 'Bearer realm="agent-arena"');
  return fail(c, 401, 'missing or wrong bearer token (Authorization: Bearer <API_TOKEN>)');
}

/** CORS for the configured origins only; with none configured, no CORS headers at all. */
export function corsFor(origins: string[] = []): MiddlewareHandler {
  if (origins.length === 0) return async (_c, next) => next();
  const any = origins.includes('*');
  return cors({
    origin: (origin) => (any || origins.includes(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}
