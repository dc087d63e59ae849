import Decimal from 'decimal.js';
import { PAPER_SYMBOL_RULES } from '../../../../venues/paper/symbol-table';
import type { MarginBracket } from '../../../../venues/venue';

/** Everything the mock venues know about a contract: its filters and display precisions. */
export interface MockSymbolSpec {
  symbol: string;
  baseAsset: string;
  /** PRICE_FILTER */
  tickSize: string;
  minPrice: string;
  maxPrice: string;
  /** LOT_SIZE */
  stepSize: string;
  minQty: string;
  maxQty: string;
  /** MARKET_LOT_SIZE maxQty (min and step as LOT_SIZE). */
  marketMaxQty: string;
  /** MIN_NOTIONAL `notional`. */
  minNotional: string;
  /** The highest initialLeverage of `brackets`. */
  maxLeverage: number;
  /** What GET leverageBracket answers for the symbol: maintenance margin and leverage by notional. */
  brackets: MarginBracket[];
  /**
   * Decimals accepted in a price / quantity; more is -1111. Like the real venue these may allow one
   * decimal more than the tick (BTCUSDT: tick 0.1, pricePrecision 2), so "60000.05" is -4014, not -1111.
   */
  pricePrecision: number;
  quantityPrecision: number;
  /** PERCENT_PRICE */
  multiplierUp: string;
  multiplierDown: string;
  maxNumOrders: number;
  maxNumAlgoOrders: number;
}

/** Values beyond the paper table (precisions and limits as the real Binance contracts have them). */
const EXTRA: Record<string, { pricePrecision: number; maxPrice: string; maxQty: string; marketMaxQty: string }> = {
  BTCUSDT: { pricePrecision: 2, maxPrice: '4529764', maxQty: '1000', marketMaxQty: '120' },
  ETHUSDT: { pricePrecision: 2, maxPrice: '306177', maxQty: '10000', marketMaxQty: '2000' },
  SOLUSDT: { pricePrecision: 4, maxPrice: '6857', maxQty: '1000000', marketMaxQty: '5000' },
  BNBUSDT: { pricePrecision: 3, maxPrice: '100000', maxQty: '100000', marketMaxQty: '2000' },
  DOGEUSDT: { pricePrecision: 6, maxPrice: '30', maxQty: '50000000', marketMaxQty: '30000000' },
  XRPUSDT: { pricePrecision: 4, maxPrice: '10000', maxQty: '10000000', marketMaxQty: '2000000' },
};

/** Starting prices when the options give none. */
export const DEFAULT_PRICES: Record<string, number> = {
  BTCUSDT: 60000,
  ETHUSDT: 3000,
  SOLUSDT: 150,
  BNBUSDT: 600,
  DOGEUSDT: 0.15,
  XRPUSDT: 0.6,
  ASTERUSDT: 1.2,
};

const decimalsOf = (value: string): number => new Decimal(value).decimalPlaces();

function fromPaperRules(symbol: string): MockSymbolSpec {
  const rules = PAPER_SYMBOL_RULES[symbol]!;
  const extra = EXTRA[symbol]!;
  return {
    symbol,
    baseAsset: symbol.replace(/USDT$/, ''),
    tickSize: rules.tickSize,
    minPrice: rules.tickSize,
    maxPrice: extra.maxPrice,
    stepSize: rules.stepSize,
    minQty: rules.minQty,
    maxQty: extra.maxQty,
    marketMaxQty: extra.marketMaxQty,
    minNotional: rules.minNotional,
    maxLeverage: rules.maxLeverage,
    brackets: rules.marginBrackets,
    pricePrecision: extra.pricePrecision,
    quantityPrecision: decimalsOf(rules.stepSize),
    multiplierUp: '1.0500',
    multiplierDown: '0.9500',
    maxNumOrders: 200,
    maxNumAlgoOrders: 10,
  };
}

/**
 * Brackets of a symbol without recorded ones: ILLUSTRATIVE values in the documented shape (cum follows
 * from the floors and ratios), starting at `maxLeverage`.
 */
function illustrativeBrackets(maxLeverage: number): MarginBracket[] {
  const tiers: Array<[number, number, number]> = [
    [maxLeverage, 5_000, 0.01],
    [25, 25_000, 0.02],
    [10, 100_000, 0.05],
    [5, 1_000_000, 0.1],
  ];
  const brackets: MarginBracket[] = [];
  let floor = 0;
  let cum = 0;
  tiers.forEach(([initialLeverage, notionalCap, maintMarginRatio], i) => {
    if (i > 0) cum += floor * (maintMarginRatio - tiers[i - 1]![2]);
    brackets.push({
      bracket: i + 1,
      initialLeverage: Math.min(initialLeverage, maxLeverage),
      notionalCap,
      notionalFloor: floor,
      maintMarginRatio,
      cum,
    });
    floor = notionalCap;
  });
  return brackets;
}

/** Aster's own token, as recorded in its exchangeInfo (fixtures/aster/exchangeInfo.recorded.json); its brackets are illustrative. */
const ASTERUSDT: MockSymbolSpec = {
  symbol: 'ASTERUSDT',
  baseAsset: 'ASTER',
  tickSize: '0.0001',
  minPrice: '0.0001',
  maxPrice: '200',
  stepSize: '0.01',
  minQty: '0.01',
  maxQty: '2000000',
  marketMaxQty: '200000',
  minNotional: '5',
  maxLeverage: 50,
  brackets: illustrativeBrackets(50),
  pricePrecision: 5,
  quantityPrecision: 2,
  multiplierUp: '1.0500',
  multiplierDown: '0.9500',
  maxNumOrders: 200,
  maxNumAlgoOrders: 10,
};

/**
 * The contracts a mock serves: the six arena symbols (plus ASTERUSDT on Aster), with `overrides`
 * merged in (a new symbol needs every field that has no sensible default: tickSize, stepSize, minQty;
 * overridden brackets need the maxLeverage that goes with them).
 */
export function symbolSpecs(
  flavour: 'binance' | 'aster',
  overrides: Record<string, Partial<MockSymbolSpec>> = {},
): Map<string, MockSymbolSpec> {
  const specs = new Map<string, MockSymbolSpec>();
  for (const symbol of Object.keys(PAPER_SYMBOL_RULES)) specs.set(symbol, fromPaperRules(symbol));
  if (flavour === 'aster') specs.set(ASTERUSDT.symbol, ASTERUSDT);
  for (const [symbol, override] of Object.entries(overrides)) {
    const base = specs.get(symbol);
    if (base) {
      specs.set(symbol, { ...base, ...override, symbol });
      continue;
    }
    const { tickSize, stepSize, minQty } = override;
    if (!tickSize || !stepSize || !minQty) throw new Error(`symbol ${symbol}: tickSize, stepSize and minQty are needed for a new symbol`);
    const maxLeverage = override.maxLeverage ?? 50;
    specs.set(symbol, {
      symbol,
      baseAsset: symbol.replace(/USDT$/, ''),
      tickSize,
      minPrice: tickSize,
      maxPrice: '1000000',
      stepSize,
      minQty,
      maxQty: '10000000',
      marketMaxQty: '1000000',
      minNotional: '5',
      maxLeverage,
      brackets: illustrativeBrackets(maxLeverage),
      pricePrecision: decimalsOf(tickSize),
      quantityPrecision: decimalsOf(stepSize),
      multiplierUp: '1.0500',
      multiplierDown: '0.9500',
      maxNumOrders: 200,
      maxNumAlgoOrders: 10,
      ...override,
    });
  }
  return specs;
}

/** The `filters` array of exchangeInfo, in the venue's field names. */
export function filtersOf(spec: MockSymbolSpec, flavour: 'binance' | 'aster'): object[] {
  const filters: object[] = [
    { filterType: 'PRICE_FILTER', minPrice: spec.minPrice, maxPrice: spec.maxPrice, tickSize: spec.tickSize },
    { filterType: 'LOT_SIZE', stepSize: spec.stepSize, maxQty: spec.maxQty, minQty: spec.minQty },
    { filterType: 'MARKET_LOT_SIZE', stepSize: spec.stepSize, maxQty: spec.marketMaxQty, minQty: spec.minQty },
    { filterType: 'MAX_NUM_ORDERS', limit: spec.maxNumOrders },
  ];
  // Binance dropped MAX_NUM_ALGO_ORDERS on 2025-12-29; Aster still sends it.
  if (flavour === 'aster') filters.push({ filterType: 'MAX_NUM_ALGO_ORDERS', limit: spec.maxNumAlgoOrders });
  filters.push(
    { filterType: 'MIN_NOTIONAL', notional: spec.minNotional },
    { filterType: 'PERCENT_PRICE', multiplierUp: spec.multiplierUp, multiplierDown: spec.multiplierDown, multiplierDecimal: '4' },
  );
  return filters;
}

/** Display helpers: the venue sends every amount as a decimal string. */
export const fmt = {
  price: (spec: MockSymbolSpec, value: Decimal): string => (value.isZero() ? '0' : value.toFixed(spec.pricePrecision)),
  qty: (spec: MockSymbolSpec, value: Decimal): string => value.toFixed(spec.quantityPrecision),
  /** Balances, PnL, fees: 8 decimals, as in the documented examples. */
  money: (value: Decimal): string => value.toFixed(8),
  /** Exact decimal without exponent (cumQuote, quoteQty). */
  exact: (value: Decimal): string => value.toFixed(),
};
