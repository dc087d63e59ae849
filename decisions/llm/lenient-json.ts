/**
 * A forgiving JSON reader for model output. On top of JSON it takes: `//` and `/* *\/` comments,
 * trailing commas, single-quoted strings, unquoted keys, raw newlines inside strings, Python's
 * True/False/None, NaN and Infinity (read as numbers, so that validation can name them), a leading
 * `+`, and thousands separators in numbers (`1,000.5`: a comma followed by exactly three digits and no
 * fourth). Nesting is capped, as are the keys of one object and the values built (a budget the caller
 * may share between several documents); objects are built without prototype setters (a `__proto__`
 * key is just a key), and duplicated keys are reported rather than silently resolved. Linear in the
 * text's length.
 */

export const MAX_DEPTH = 64;
/** Keys in one object: a decision has about ten. */
export const MAX_KEYS = 256;

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at character ${position}`);
  }
}

export interface LenientJson {
  value: unknown;
  /** Objects that held a key more than once (the last value is kept), with those keys. */
  duplicateKeys: WeakMap<object, string[]>;
}

/** How many more values may be built; shared between documents to bound the work on a whole reply. */
export interface ValueBudget {
  values: number;
}

export function parseLenientJson(text: string, budget: ValueBudget = { values: Number.POSITIVE_INFINITY }): LenientJson {
  const reader = new Reader(text, budget);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.pos < text.length) throw new JsonSyntaxError(`unexpected ${reader.describeHere()} after the JSON value`, reader.pos);
  return { value, duplicateKeys: reader.duplicateKeys };
}

const NUMBER_WITH_GROUPS = /[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PLAIN_NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*/y;
const WORDS: Record<string, unknown> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
  undefined: null,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
};
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '0': '\0' };

class Reader {
  pos = 0;
  readonly duplicateKeys = new WeakMap<object, string[]>();
  constructor(
    private readonly text: string,
    private readonly budget: ValueBudget,
  ) {}

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`nesting deeper than ${MAX_DEPTH} levels`, this.pos);
    if (--this.budget.values < 0) throw new JsonSyntaxError('more JSON values than any reply needs', this.pos);
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"' || ch === "'") return this.string();
    if (ch === '-' && this.text.startsWith('-Infinity', this.pos)) {
      this.pos += 9;
      return Number.NEGATIVE_INFINITY;
    }
    if (ch !== undefined && /[-+.\d]/.test(ch)) return this.number();
    IDENTIFIER.lastIndex = this.pos;
    const word = IDENTIFIER.exec(this.text)?.[0];
    if (word !== undefined && Object.hasOwn(WORDS, word)) {
      this.pos += word.length;
      return WORDS[word];
    }
    throw new JsonSyntaxError(`unexpected ${this.describeHere()}`, this.pos);
  }

  private object(depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.pos++; // {
    this.skipSpace();
    while (this.text[this.pos] !== '}') {
      const key = this.key();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      const value = this.value(depth + 1);
      if (seen.has(key)) {
        const dupes = this.duplicateKeys.get(obj);
        if (dupes === undefined) this.duplicateKeys.set(obj, [key]);
        else if (!dupes.includes(key) && dupes.length < 20) dupes.push(key);
      }
      seen.add(key);
      if (seen.size > MAX_KEYS) throw new JsonSyntaxError(`an object with more than ${MAX_KEYS} keys`, this.pos);
      // defineProperty: a "__proto__" key must not replace the prototype.
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      if (!this.separator('}')) break;
    }
    this.expect('}');
    return obj;
  }

  private array(depth: number): unknown[] {
    const list: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    while (this.text[this.pos] !== ']') {
      list.push(this.value(depth + 1));
      if (!this.separator(']')) break;
    }
    this.expect(']');
    return list;
  }

  /** After a member: a comma (true: another member may follow) or the closer (false). */
  private separator(closer: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] === ',') {
      this.pos++;
      this.skipSpace();
      return true;
    }
    if (this.text[this.pos] !== closer) throw new JsonSyntaxError(`expected ',' or '${closer}', found ${this.describeHere()}`, this.pos);
    return false;
  }

  private key(): string {
    const ch = this.text[this.pos];
    if (ch === '"' || ch === "'") return this.string();
    IDENTIFIER.lastIndex = this.pos;
    const word = IDENTIFIER.exec(this.text)?.[0];
    if (word !== undefined) {
      this.pos += word.length;
      return word;
    }
    if (ch !== undefined && /[-+.\d]/.test(ch)) return String(this.number());
    throw new JsonSyntaxError(`expected a key, found ${this.describeHere()}`, this.pos);
  }

  private string(): string {
    const quote = this.text[this.pos];
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunkStart = this.pos;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === quote) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        out += this.text.slice(chunkStart, this.pos);
        out += this.escape();
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
    throw new JsonSyntaxError('unterminated string', start);
  }

  private escape(): string {
    const ch = this.text[this.pos + 1];
    this.pos += 2;
    if (ch === undefined) throw new JsonSyntaxError('unterminated string', this.pos);
    if (ch === 'u') {
      const hex = this.text.slice(this.pos, this.pos + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('bad \\u escape', this.pos);
      this.pos += 4;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return ESCAPES[ch] ?? ch; // \" \\ \/ \' and unknown escapes: the character itself
  }

  private number(): number {
    NUMBER_WITH_GROUPS.lastIndex = this.pos;
    let match = NUMBER_WITH_GROUPS.exec(this.text)?.[0];
    // "1,0000" is the number 1 and then 0000, not a thousands group.
    if (match?.includes(',') && /\d/.test(this.text[this.pos + match.length] ?? '')) {
      PLAIN_NUMBER.lastIndex = this.pos;
      match = PLAIN_NUMBER.exec(this.text)?.[0];
    }
    if (!match || !/\d/.test(match)) throw new JsonSyntaxError(`unexpected ${this.describeHere()}`, this.pos);
    this.pos += match.length;
    return Number(match.replace(/,/g, ''));
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) throw new JsonSyntaxError(`expected '${ch}', found ${this.describeHere()}`, this.pos);
    this.pos++;
  }

  skipSpace(): void {
    const text = this.text;
    for (;;) {
      const ch = text[this.pos];
      if (ch === undefined) return;
      if (/\s/.test(ch) || ch === '\uFEFF') {
        this.pos++;
      } else if (ch === '/' && text[this.pos + 1] === '/') {
        const end = text.indexOf('\n', this.pos);
        this.pos = end === -1 ? text.length : end + 1;
      } else if (ch === '/' && text[this.pos + 1] === '*') {
        const end = text.indexOf('*/', this.pos + 2);
        if (end === -1) throw new JsonSyntaxError('unterminated comment', this.pos);
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  describeHere(): string {
    const ch = this.text[this.pos];
    return ch === undefined ? 'the end of the text' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
  }
}
