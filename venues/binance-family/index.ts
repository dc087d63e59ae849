export { BinanceFamilyVenue, WEIGHTS, type BinanceFamilyVenueOptions } from './venue';
export { BinanceFamilyMarketData, klinesWeight } from './market-data';
export { BinanceFamilyRestClient, type CallSpec, type RestClientOptions } from './rest-client';
export {
  BINANCE_FAMILY_ERRORS,
  BinanceFamilyRejection,
  errorRule,
  isOrderNotFound,
  venueError,
  type ErrorKind,
  type ErrorRule,
} from './errors';
export { parseLeverageBrackets } from './leverage-brackets';
export {
  CachedValue,
  ExchangeInfoCache,
  parseExchangeInfo,
  parseRateLimits,
  parseSymbol,
  sharedExchangeInfoCache,
  DEFAULT_MAX_LEVERAGE,
  type ExchangeInfo,
  type SymbolInfo,
} from './exchange-info';
export * from './mapping';
export type { BinanceFamilyFlavour, BinanceFamilyPaths, AlgoPaths } from './flavour';
export type { RequestSigner, SignedPayload, ClockReason } from './signing';
export { formEncode, rawEncode, paramEntries, type Params, type ParamEntries } from './encoding';
