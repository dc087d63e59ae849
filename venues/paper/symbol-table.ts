import type { MarginBracket, SymbolRules } from '../venue';
import { PAPER_MARGIN_BRACKETS } from './margin-brackets';

/** Binance USD-M filters of the bundled symbols (tick and step match the decimals in the bundled data). */
const FILTERS: Record<string, Omit<SymbolRules, 'symbol' | 'maxLeverage' | 'marginBrackets'>> = {
  BTCUSDT: { tickSize: '0.1', stepSize: '0.001', minQty: '0.001', minNotional: '100' },
  ETHUSDT: { tickSize: '0.01', stepSize: '0.001', minQty: '0.001', minNotional: '20' },
  SOLUSDT: { tickSize: '0.001', stepSize: '1', minQty: '1', minNotional: '5' },
  BNBUSDT: { tickSize: '0.01', stepSize: '0.01', minQty: '0.01', minNotional: '5' },
  DOGEUSDT: { tickSize: '0.00001', stepSize: '1', minQty: '1', minNotional: '5' },
  XRPUSDT: { tickSize: '0.0001', stepSize: '0.1', minQty: '0.1', minNotional: '5' },
};

/** A paper symbol's rules always carry its brackets. */
export type PaperSymbolRules = SymbolRules & { marginBrackets: MarginBracket[] };

/** The paper venue's rules: the filters above, with the maximum leverage and brackets from the bundled brackets. */
export const PAPER_SYMBOL_RULES: Record<string, PaperSymbolRules> = Object.fromEntries(
  Object.entries(FILTERS).map(([symbol, filters]) => {
    const brackets = PAPER_MARGIN_BRACKETS.get(symbol);
    if (!brackets) throw new Error(`paper venue: no margin brackets bundled for ${symbol}`);
    const maxLeverage = Math.max(...brackets.map((b) => b.initialLeverage));
    return [symbol, { symbol, ...filters, maxLeverage, marginBrackets: [...brackets] }];
  }),
);
