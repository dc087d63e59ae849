import type { MetaResponse } from '@nktkas/hyperliquid';
import type { MarginBracket } from '../venue';

/**
 * Hyperliquid's margin tables (meta().marginTables, gitbook "Margin tiers") as notional brackets:
 * tier n applies from its `lowerBound` up, with at most its `maxLeverage`; its maintenance margin rate
 * is half the initial margin rate at that leverage, 1 / (2 x maxLeverage), and its deduction
 *   deduction(0) = 0,  deduction(n) = deduction(n-1) + lowerBound(n) x (rate(n) - rate(n-1)),
 * which is Binance's `cum`. A table id below 50 is not listed: it is one tier at that leverage.
 */

/** The last tier has no cap; this stands for it (a JSON-safe number). */
export const UNCAPPED_NOTIONAL = Number.MAX_SAFE_INTEGER;
/** Ids below this are single-tier tables at leverage = id. */
const FLAT_TABLES_BELOW = 50;

type Tier = MetaResponse['marginTables'][number][1]['marginTiers'][number];

export function bracketsFromTiers(tiers: readonly Tier[]): MarginBracket[] {
  const sorted = [...tiers].sort((a, b) => Number(a.lowerBound) - Number(b.lowerBound));
  const brackets: MarginBracket[] = [];
  sorted.forEach((tier, i) => {
    const rate = 1 / (2 * tier.maxLeverage);
    const previous = brackets[i - 1];
    const floor = Number(tier.lowerBound);
    brackets.push({
      bracket: i + 1,
      initialLeverage: tier.maxLeverage,
      notionalFloor: floor,
      notionalCap: sorted[i + 1] ? Number(sorted[i + 1]!.lowerBound) : UNCAPPED_NOTIONAL,
      maintMarginRatio: rate,
      cum: previous ? previous.cum + floor * (rate - previous.maintMarginRatio) : 0,
    });
  });
  return brackets;
}

/** Brackets of each perp of `meta`, by its index in the universe. */
export function bracketsOfUniverse(meta: MetaResponse): MarginBracket[][] {
  const tables = new Map((meta.marginTables ?? []).map(([id, table]) => [id, table.marginTiers]));
  return meta.universe.map((u) => {
    const listed = u.marginTableId === undefined ? undefined : tables.get(u.marginTableId);
    if (listed && listed.length > 0) return bracketsFromTiers(listed);
    const flat = u.marginTableId !== undefined && u.marginTableId < FLAT_TABLES_BELOW ? u.marginTableId : u.maxLeverage;
    return bracketsFromTiers([{ lowerBound: '0', maxLeverage: flat }]);
  });
}
