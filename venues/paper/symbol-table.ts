import type { SymbolRules } from '../venue';

/** Binance USD-M rules of the bundled symbols (tick and step match the decimals in the bundled data). */
export const PAPER_SYMBOL_RULES: Record<string, SymbolRules> = {
  BTCUSDT: { symbol: 'BTCUSDT', tickSize: '0.1', stepSize: '0.001', minQty: '0.001', minNotional: '100', maxLeverage: 125 },
  ETHUSDT: { symbol: 'ETHUSDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', minNotional: '20', maxLeverage: 100 },
  SOLUSDT: { symbol: 'SOLUSDT', tickSize: '0.001', stepSize: '1', minQty: '1', minNotional: '5', maxLeverage: 50 },
  BNBUSDT: { symbol: 'BNBUSDT', tickSize: '0.01', stepSize: '0.01', minQty: '0.01', minNotional: '5', maxLeverage: 50 },
  DOGEUSDT: { symbol: 'DOGEUSDT', tickSize: '0.00001', stepSize: '1', minQty: '1', minNotional: '5', maxLeverage: 50 },
  XRPUSDT: { symbol: 'XRPUSDT', tickSize: '0.0001', stepSize: '0.1', minQty: '0.1', minNotional: '5', maxLeverage: 50 },
};
