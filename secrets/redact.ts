/**
 * Removes secrets from text that is about to be logged, stored or answered: a provider's error that
 * echoes the key, a model reply that repeats it, a stack trace. Catches every form a secret is commonly
 * echoed in: literal, URL-encoded, JSON-escaped, base64 and base64url (at any alignment, e.g. inside
 * `Basic base64(user:key)`), partial prefixes or suffixes of 12 characters or more ("sk-proj-abcdefgh…"),
 * words holding its first or last 8 characters, and any `Bearer <token>`. Linear in the text's length
 * for a fixed set of secrets. Pure.
 */

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: they would match ordinary words. */
const MIN_SECRET_LENGTH = 8;
const MIN_PARTIAL = 12;
const END_CHARS = 8;
const BASE64_WORD = /[A-Za-z0-9+/_=-]/;

export class Redactor {
  private readonly secrets: string[];
  private readonly forms: string[];
  private readonly base64Cores: string[];

  constructor(secrets: Iterable<string | undefined>) {
    this.secrets = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
    this.forms = [...new Set(this.secrets.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))];
    this.base64Cores = [...new Set(this.secrets.flatMap(base64Cores))];
  }

  /** A redactor that also knows `more` (e.g. the key one activity has just read). */
  with(more: Iterable<string | undefined>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  redact(text: string): string {
    let out = text.replace(/(Bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`);
    if (this.secrets.length === 0) return out;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    for (const core of this.base64Cores) if (out.includes(core)) out = redactWordsHolding(out, core, BASE64_WORD);
    for (const secret of this.secrets) out = redactPartials(out, secret);
    return out;
  }

  /** `value` with every string in it redacted (objects and arrays copied, other values kept). */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }
}

/**
 * The base64 characters that depend on the secret alone, for each of the three alignments it can have
 * inside a longer encoded string, in both alphabets.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const start = pad === 0 ? 0 : 4; // the first group mixes padding bytes with the secret's
    const end = Math.floor((pad + bytes.length) / 3) * 4; // a last partial group depends on what follows
    const core = encoded.slice(start, end);
    if (core.length >= MIN_PARTIAL) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Replaces each maximal run of `wordChar`s that contains `needle`. */
function redactWordsHolding(text: string, needle: string, wordChar: RegExp): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    let start = at;
    while (start > from && wordChar.test(text[start - 1]!)) start--;
    let end = at + needle.length;
    while (end < text.length && wordChar.test(text[end]!)) end++;
    out += text.slice(from, start) + REDACTED;
    from = end;
    at = end - needle.length;
  }
  return out + text.slice(from);
}

/** Prefixes and suffixes of `secret` of at least 12 characters, and words holding its first or last 8. */
function redactPartials(text: string, secret: string): string {
  let out = text;
  if (secret.length >= MIN_PARTIAL) {
    const head = secret.slice(0, MIN_PARTIAL);
    out = replaceRuns(out, head, (t, at) => [at, at + commonPrefix(t, at, secret)]);
    const tail = secret.slice(-MIN_PARTIAL);
    out = replaceRuns(out, tail, (t, at) => [at + tail.length - commonSuffix(t, at + tail.length, secret), at + tail.length]);
  }
  if (secret.length >= 2 * END_CHARS) {
    for (const end of [secret.slice(0, END_CHARS), secret.slice(-END_CHARS)]) {
      if (out.includes(end)) out = redactWordsHolding(out, end, /[^\s"'`,;()<>[\]{}]/);
    }
  }
  return out;
}

/** Replaces the span `around` gives for each occurrence of `needle` (spans that overlap merge). */
function replaceRuns(text: string, needle: string, around: (text: string, at: number) => [number, number]): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, Math.max(at + 1, from))) {
    const [start, end] = around(text, at);
    const s = Math.max(from, start);
    out += text.slice(from, s) + REDACTED;
    from = Math.max(s, end);
  }
  return out + text.slice(from);
}

function commonPrefix(text: string, at: number, secret: string): number {
  let n = 0;
  while (n < secret.length && text[at + n] === secret[n]) n++;
  return n;
}

/** How many characters before `endAt` in `text` match the end of `secret`. */
function commonSuffix(text: string, endAt: number, secret: string): number {
  let n = 0;
  while (n < secret.length && endAt - n - 1 >= 0 && text[endAt - n - 1] === secret[secret.length - n - 1]) n++;
  return n;
}
