import type { IncomingHttpHeaders } from 'node:http';
import type { Params } from './params';

/** One HTTP request as the venue sees it: the raw strings (what was signed) and the decoded params. */
export interface RawRequest {
  method: string;
  path: string;
  /** The query string as sent, without `?`. */
  query: string;
  /** The form body as sent. */
  body: string;
  headers: IncomingHttpHeaders;
  ip: string;
  params: Params;
}

/** Checks a signed request; answers the id of the account it acts for, or throws the venue's error. */
export interface Authenticator {
  authenticate(request: RawRequest): string;
}

/**
 * `text` without its `signature=...` pair, and whether that pair was the last one. Both venues sign
 * the parameter string as sent, so the check works on the raw text, not on decoded values.
 */
export function withoutSignature(text: string): { rest: string; found: boolean; last: boolean } {
  const parts = text.split('&');
  const index = parts.findIndex((part) => part.startsWith('signature='));
  if (index < 0) return { rest: text, found: false, last: false };
  const rest = parts.filter((_, i) => i !== index).join('&');
  return { rest, found: true, last: index === parts.length - 1 };
}
