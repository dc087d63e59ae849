/**
 * Full-width punctuation and smart quotes made ASCII, for replies written with a Chinese keyboard or a
 * word processor's quotes. Only used when a reply read as written holds no readable answer.
 */

const codes = (chars: string) => new Set([...chars].map((c) => c.charCodeAt(0)));
const SMART_DOUBLE = codes('\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\uFF02');
const SMART_SINGLE = codes('\u2018\u2019\u201A\u201B\u2032');
const INVISIBLE = codes('\u200B\u200C\u200D\u2060\uFEFF\u00AD');

/**
 * Full-width punctuation (，：［］｛｝＂ and the rest of U+FF01-FF5E) and smart quotes become ASCII,
 * invisible characters go, unusual spaces become spaces: outside strings only, so a reason quoting
 * “something” inside a proper JSON string is left alone. A string opened by a smart quote ends at the
 * next smart or ASCII double quote.
 */
export function normalisePunctuation(text: string): string {
  // Written into a buffer of UTF-16 code units: a reply of full-width punctuation changes at every
  // character, and string concatenation per character would be slow.
  const out = new Uint16Array(text.length);
  let n = 0;
  let open: 'ascii' | 'smart' | null = null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (open !== null) {
      if (code === BACKSLASH && i + 1 < text.length) {
        out[n++] = code;
        out[n++] = text.charCodeAt(++i);
      } else if (code === QUOTE || (open === 'smart' && SMART_DOUBLE.has(code))) {
        out[n++] = QUOTE;
        open = null;
      } else {
        out[n++] = code;
      }
      continue;
    }
    if (code === QUOTE || SMART_DOUBLE.has(code)) {
      out[n++] = QUOTE;
      open = code === QUOTE ? 'ascii' : 'smart';
    } else if (SMART_SINGLE.has(code)) {
      out[n++] = APOSTROPHE;
    } else if (INVISIBLE.has(code)) {
      // dropped
    } else if (code >= 0xff01 && code <= 0xff5e) {
      out[n++] = code - 0xfee0;
    } else if (code === 0x3001) {
      out[n++] = COMMA; // 、
    } else if (code === 0x3000 || code === 0xa0 || (code >= 0x2000 && code <= 0x200a)) {
      out[n++] = SPACE;
    } else {
      out[n++] = code;
    }
  }
  return UTF16.decode(out.subarray(0, n));
}

const [QUOTE, BACKSLASH, APOSTROPHE, COMMA, SPACE] = ['"', '\\', "'", ',', ' '].map((c) => c.charCodeAt(0)) as [
  number,
  number,
  number,
  number,
  number,
];
const UTF16 = new TextDecoder('utf-16le');

const NORMALISABLE = /[\u201C-\u201F\u2033\u00AB\u00BB\u2018-\u201B\u2032\uFF01-\uFF5E\u3000\u3001\u00A0\u2000-\u200D\u2060\uFEFF\u00AD]/;

/** Whether normalisePunctuation could change anything in the text. */
export function hasNormalisablePunctuation(text: string): boolean {
  return NORMALISABLE.test(text);
}
