/**
 * Numbers and times as people read them, the same on the server (pages) and in the browser (chart
 * labels): thousands separators, fixed decimals, signed changes, market time in UTC. One locale
 * (en-US) so a page reads the same on every machine. Missing values (null: the API has no figure)
 * read "n/a".
 */

export const MISSING = 'n/a';

const formatters = new Map<string, Intl.NumberFormat>();

function number(value: number, digits: number, signed = false, minDigits = digits): string {
  const key = `${digits}:${minDigits}:${signed}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: minDigits,
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, format);
  }
  // -0.004 rounds to "-0.00": a sign on nothing only confuses.
  return format.format(Object.is(Number(value.toFixed(digits)), -0) ? 0 : value);
}

const missing = (value: number | null | undefined): value is null | undefined =>
  value === null || value === undefined || !Number.isFinite(value);

/** 12,345.67 */
export const money = (value: number | null | undefined): string => (missing(value) ? MISSING : number(value, 2));

/** +12.34 / -12.34: a change in money. */
export const signedMoney = (value: number | null | undefined): string => (missing(value) ? MISSING : number(value, 2, true));

/** +1.23 % */
export const signedPct = (value: number | null | undefined): string => (missing(value) ? MISSING : `${number(value, 2, true)} %`);

/** 12.34 % (a share, not a change). */
export const pct = (value: number | null | undefined): string => (missing(value) ? MISSING : `${number(value, 2)} %`);

/** 1.23: a ratio such as Sharpe or a profit factor. */
export const ratio = (value: number | null | undefined): string => (missing(value) ? MISSING : number(value, 2));

/** 1,234 */
export const count = (value: number | null | undefined): string => (missing(value) ? MISSING : number(value, 0));

/** 0.042, or < 0.001: a p-value never reads as zero. */
export const pValue = (value: number | null | undefined): string =>
  missing(value) ? MISSING : value < 0.001 ? '< 0.001' : number(value, 3);

/** $0.0123: model costs are cents and fractions of them. */
export const usd = (value: number | null | undefined): string => (missing(value) ? MISSING : `$${number(value, 4)}`);

/** A price with the decimals its size needs: 97,123.50, 3.1416, 0.123457. */
export function price(value: number | null | undefined): string {
  if (missing(value)) return MISSING;
  const size = Math.abs(value);
  return number(value, size >= 100 ? 2 : size >= 1 ? 4 : 6);
}

/** A quantity of coins: up to 6 decimals, no trailing zeros. */
export const quantity = (value: number | null | undefined): string => (missing(value) ? MISSING : number(value, 6, false, 0));

/** 3x */
export const leverage = (value: number | null | undefined): string => (missing(value) ? MISSING : `${number(value, 0)}x`);

/** 2025-01-13 06:00 UTC: market time is UTC whatever the viewer's zone. */
export function utcTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return MISSING;
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** 2 d 3 h, 3 h 15 m, 12 m, 40 s. */
export function duration(seconds: number | null | undefined): string {
  if (missing(seconds)) return MISSING;
  const s = Math.max(0, Math.round(seconds));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} m`;
  if (m > 0) return `${m} m`;
  return `${s} s`;
}

/**
 * gain, loss or flat: a class for the colour, always beside a signed number (the text equivalent).
 * Judged on the value as shown (2 decimals): "0.00 %" is never red.
 */
export function tone(value: number | null | undefined): 'gain' | 'loss' | 'flat' {
  const shown = missing(value) ? 0 : Number(value.toFixed(2));
  if (shown === 0) return 'flat';
  return shown > 0 ? 'gain' : 'loss';
}
