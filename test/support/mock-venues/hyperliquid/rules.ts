import Decimal from 'decimal.js';

/** One perp of the mock's universe (meta().universe entry). */
export interface MockAsset {
  name: string;
  szDecimals: number;
  maxLeverage: number;
  onlyIsolated?: boolean;
}

/** BTC = asset 0 and ETH = 1 as on the venue; the others to have small and integer-sized coins. */
export const DEFAULT_UNIVERSE: MockAsset[] = [
  { name: 'BTC', szDecimals: 5, maxLeverage: 40 },
  { name: 'ETH', szDecimals: 4, maxLeverage: 25 },
  { name: 'SOL', szDecimals: 2, maxLeverage: 20 },
  { name: 'DOGE', szDecimals: 0, maxLeverage: 10 },
  { name: 'HPOS', szDecimals: 0, maxLeverage: 3, onlyIsolated: true },
];

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/**
 * The venue's price rule, written here independently of the adapter: at most 5 significant figures
 * and at most 6 − szDecimals decimals, integers always valid.
 */
export function validPrice(p: unknown, szDecimals: number): boolean {
  if (typeof p !== 'string' || !DECIMAL.test(p)) return false;
  const d = new Decimal(p);
  if (d.lte(0)) return false;
  if (d.isInteger()) return true;
  return d.decimalPlaces() <= 6 - szDecimals && d.sd() <= 5;
}

/** At most szDecimals decimals; "0" only where the caller allows it (a position TP/SL). */
export function validSize(s: unknown, szDecimals: number, zeroAllowed = false): boolean {
  if (typeof s !== 'string' || !DECIMAL.test(s)) return false;
  const d = new Decimal(s);
  if (d.isZero()) return zeroAllowed;
  return d.decimalPlaces() <= szDecimals;
}

export const CLOID = /^0x[0-9a-f]{32}$/;

/** A money amount as the venue prints it (up to 6 decimals, no exponent). */
export function usd(value: Decimal): string {
  return value.toDecimalPlaces(6).toFixed();
}

/** A price or size as the venue prints it. */
export function num(value: Decimal): string {
  return value.toDecimalPlaces(8).toFixed();
}
