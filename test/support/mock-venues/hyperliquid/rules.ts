import Decimal from 'decimal.js';

export interface MockMarginTier {
  lowerBound: string;
  maxLeverage: number;
}

/** One perp of the mock's universe (meta().universe entry). */
export interface MockAsset {
  name: string;
  szDecimals: number;
  maxLeverage: number;
  onlyIsolated?: boolean;
  /**
   * Its margin table, listed in meta().marginTables under `marginTableId`; absent: the unlisted
   * single-tier table whose id is maxLeverage (ids below 50 are such tables).
   */
  marginTable?: { id: number; description: string; marginTiers: MockMarginTier[] };
}

/**
 * BTC = asset 0 and ETH = 1 as on the venue; the others to have small and integer-sized coins. The
 * tiers are the gitbook's mainnet ones ("Margin tiers"); the table ids other than BTC's 56 are the mock's.
 */
export const DEFAULT_UNIVERSE: MockAsset[] = [
  { name: 'BTC', szDecimals: 5, maxLeverage: 40, marginTable: tiered(56, 40, '150000000.0', 20) },
  { name: 'ETH', szDecimals: 4, maxLeverage: 25, marginTable: tiered(55, 25, '100000000.0', 15) },
  { name: 'SOL', szDecimals: 2, maxLeverage: 20, marginTable: tiered(54, 20, '70000000.0', 10) },
  { name: 'DOGE', szDecimals: 0, maxLeverage: 10, marginTable: tiered(52, 10, '20000000.0', 5) },
  { name: 'HPOS', szDecimals: 0, maxLeverage: 3, onlyIsolated: true },
];

function tiered(id: number, leverage: number, secondFrom: string, secondLeverage: number): MockAsset['marginTable'] {
  return {
    id,
    description: `tiered ${leverage}x`,
    marginTiers: [
      { lowerBound: '0.0', maxLeverage: leverage },
      { lowerBound: secondFrom, maxLeverage: secondLeverage },
    ],
  };
}

/**
 * Maintenance margin of a position of this notional, by the gitbook's formula: notional x rate -
 * deduction, rate(n) = 1 / (2 x maxLeverage(n)), deduction(n) = deduction(n-1) + lowerBound(n) x
 * (rate(n) - rate(n-1)). Written here independently of the adapter.
 */
export function maintenanceOf(asset: MockAsset, notional: Decimal): Decimal {
  const tiers = asset.marginTable?.marginTiers ?? [{ lowerBound: '0', maxLeverage: asset.maxLeverage }];
  let rate = new Decimal(0);
  let deduction = new Decimal(0);
  for (const tier of tiers) {
    if (notional.lt(tier.lowerBound)) break;
    const next = new Decimal(1).div(2 * tier.maxLeverage);
    deduction = deduction.add(new Decimal(tier.lowerBound).mul(next.sub(rate)));
    rate = next;
  }
  return notional.mul(rate).sub(deduction);
}

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
