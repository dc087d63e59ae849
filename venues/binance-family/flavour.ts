/** What differs between the Binance-family venues the shared adapter serves. */

export interface BinanceFamilyPaths {
  // Public (unsigned).
  time: string;
  exchangeInfo: string;
  klines: string;
  tickerPrice: string;
  premiumIndex: string;
  fundingRate: string;
  /** null where the venue publishes no open interest. */
  openInterest: string | null;
  /** Open interest statistics (5-minute records); null where the venue keeps none. */
  openInterestHistory: string | null;
  /** Funding interval (and cap / floor) per symbol. */
  fundingInfo: string;
  // Signed.
  balance: string;
  positionRisk: string;
  order: string;
  openOrders: string;
  allOrders: string;
  userTrades: string;
  income: string;
  leverage: string;
  /** GET: the account's notional brackets (maintenance margin, leverage) per symbol. */
  leverageBracket: string;
  marginType: string;
  positionMode: string;
}

/** Binance's algo service, where conditional orders live since 2025-12-09. */
export interface AlgoPaths {
  /** POST (place), GET (query by clientAlgoId), DELETE (cancel by clientAlgoId). */
  order: string;
  openOrders: string;
  allOrders: string;
}

export interface BinanceFamilyFlavour {
  readonly venue: 'binance' | 'aster';
  readonly paths: BinanceFamilyPaths;
  /**
   * Where STOP_MARKET / TAKE_PROFIT_MARKET go: Binance's algo service (triggerPrice, clientAlgoId), or
   * the regular order endpoint (Aster: stopPrice, newClientOrderId) when null.
   */
  readonly algo: AlgoPaths | null;
  /** GET userTrades takes orderId (Binance); otherwise the trades are read by time and filtered. */
  readonly userTradesByOrderId: boolean;
  /** How to leave hedge mode on this venue, for the checkAccount message. */
  readonly hedgeModeHelp: string;
  /** Default rate limits until exchangeInfo gives the real ones. */
  readonly defaultWeightPerMinute: number;
}
