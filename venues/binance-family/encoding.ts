/**
 * Request parameters of the Binance-family wire protocol: an ordered list of key=value pairs (the
 * order matters for Aster, whose signature covers the string exactly as sent).
 */

export type ParamValue = string | number | boolean | null | undefined;
export type Params = Record<string, ParamValue>;
export type ParamEntries = Array<[string, string]>;

/** The pairs to send, in insertion order; undefined / null values are left out, booleans are "true"/"false". */
export function paramEntries(params: Params = {}): ParamEntries {
  const out: ParamEntries = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`parameter ${key} is not a finite number`);
    out.push([key, String(value)]);
  }
  return out;
}

/**
 * application/x-www-form-urlencoded as Python's `urllib.parse.urlencode` writes it (quote_plus): only
 * letters, digits and `_.-~` stay as they are, a space becomes `+`.
 */
export function formEncode(entries: ParamEntries): string {
  return entries.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join('&');
}

/** `k=v&...` without any encoding (the Aster JS demo signs this form). */
export function rawEncode(entries: ParamEntries): string {
  return entries.map(([k, v]) => `${k}=${v}`).join('&');
}

function encodeComponent(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
