import Decimal from 'decimal.js';
import { ApiError, Errors } from './errors';

/** `k=v&k=v` as x-www-form-urlencoded decodes it (`+` is a space). */
export function decodeForm(text: string): Array<[string, string]> {
  if (!text) return [];
  return text
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [decode(key), decode(value)];
    });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const INTEGER = /^-?[0-9]{1,19}$/;

/**
 * A request's parameters: the query string's, then the form body's. A name sent in both is read from
 * the query string (Binance: "the query string parameter will be used"). An empty value counts as not
 * sent, as the venue treats it.
 */
export class Params {
  private readonly values = new Map<string, string>();

  constructor(entries: Array<[string, string]>) {
    for (const [key, value] of entries) if (!this.values.has(key)) this.values.set(key, value);
  }

  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  required(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw Errors.mandatory(name);
    return value;
  }

  int(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (!INTEGER.test(value)) throw Errors.mandatory(name);
    return Number(value);
  }

  requiredInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw Errors.mandatory(name);
    return value;
  }

  /** A positive decimal as the venue accepts it (no sign, no exponent). */
  decimal(name: string): Decimal | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (!DECIMAL.test(value)) throw Errors.illegalNumber(name);
    return new Decimal(value);
  }

  /** "true" / "false" in any case; anything else is invalid. */
  bool(name: string, fallback = false): boolean {
    const value = this.get(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw Errors.invalidValue(name);
  }

  /** One of `allowed`, or `fallback` when not sent; `error` when outside the set. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T | undefined, error: () => ApiError): T {
    const value = this.get(name);
    if (value === undefined) {
      if (fallback === undefined) throw Errors.mandatory(name);
      return fallback;
    }
    if (!(allowed as readonly string[]).includes(value)) throw error();
    return value as T;
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}
