import type { ExchangeConfig } from '../../arena-config/types';
import { loadCredentials, credentialEnvName } from '../credentials';
import type { BinanceFamilyFlavour } from '../binance-family/flavour';
import { BinanceFamilyMarketData } from '../binance-family/market-data';
import { BinanceFamilyVenue } from '../binance-family/venue';
import type { LiveVenue, VenueMarketData } from '../live-venue';
import { BinanceHmacSigner } from './signer';

export { BinanceHmacSigner, hmacSha256Hex } from './signer';

/** REST base URLs of Binance USD-M futures (`exchange.baseUrl` overrides them). */
export const BINANCE_BASE_URLS = {
  mainnet: 'https://fapi.binance.com',
  /** Binance's current testnet ("demo trading"); the older https://testnet.binancefuture.com may also answer. */
  testnet: 'https://demo-fapi.binance.com',
} as const;

/** Binance USD-M: /fapi/v1 for trading and market data, /fapi/v3 balance and positions, conditional orders in the algo service. */
export const binanceFlavour: BinanceFamilyFlavour = {
  venue: 'binance',
  paths: {
    time: '/fapi/v1/time',
    exchangeInfo: '/fapi/v1/exchangeInfo',
    klines: '/fapi/v1/klines',
    tickerPrice: '/fapi/v1/ticker/price',
    premiumIndex: '/fapi/v1/premiumIndex',
    fundingRate: '/fapi/v1/fundingRate',
    openInterest: '/fapi/v1/openInterest',
    openInterestHistory: '/futures/data/openInterestHist',
    fundingInfo: '/fapi/v1/fundingInfo',
    balance: '/fapi/v3/balance',
    positionRisk: '/fapi/v3/positionRisk',
    order: '/fapi/v1/order',
    openOrders: '/fapi/v1/openOrders',
    allOrders: '/fapi/v1/allOrders',
    userTrades: '/fapi/v1/userTrades',
    income: '/fapi/v1/income',
    leverage: '/fapi/v1/leverage',
    leverageBracket: '/fapi/v1/leverageBracket',
    marginType: '/fapi/v1/marginType',
    positionMode: '/fapi/v1/positionSide/dual',
  },
  algo: { order: '/fapi/v1/algoOrder', openOrders: '/fapi/v1/openAlgoOrders', allOrders: '/fapi/v1/allAlgoOrders' },
  userTradesByOrderId: true,
  hedgeModeHelp:
    'Switch it in Binance Futures → Preferences → Position Mode → One-way Mode (or POST /fapi/v1/positionSide/dual dualSidePosition=false); it can only change while no position or open order exists.',
  defaultWeightPerMinute: 2400,
};

/** The REST base URL of an exchange config: its baseUrl, else the default for testnet / mainnet. */
export function binanceBaseUrl(exchange: Pick<ExchangeConfig, 'baseUrl' | 'testnet'>): string {
  return (exchange.baseUrl ?? (exchange.testnet ? BINANCE_BASE_URLS.testnet : BINANCE_BASE_URLS.mainnet)).replace(/\/+$/, '');
}

/**
 * A Binance USD-M futures account from an agent's exchange config. The API key and secret are read
 * from the environment now (a missing one is a MISSING_CREDENTIALS rejection naming the variable).
 */
export function createBinanceVenue(exchange: ExchangeConfig, env: NodeJS.ProcessEnv = process.env): LiveVenue {
  if (exchange.type !== 'binance') throw new Error(`createBinanceVenue: exchange type is ${exchange.type}, not binance`);
  const credentials = loadCredentials('binance', exchange, env);
  return new BinanceFamilyVenue({
    flavour: binanceFlavour,
    account: exchange.account,
    baseUrl: binanceBaseUrl(exchange),
    testnet: exchange.testnet,
    signer: new BinanceHmacSigner(credentials.apiKey, credentials.apiSecret),
    authHelp: `Check ${credentialEnvName(exchange, 'api_key')} and ${credentialEnvName(exchange, 'api_secret')} (a key of this ${exchange.testnet ? 'testnet' : 'mainnet'} account with futures trading enabled, this IP whitelisted) and that this machine's clock is right`,
  });
}

/** Binance USD-M public market data (no credentials). */
export function createBinanceMarketData(baseUrl: string = BINANCE_BASE_URLS.mainnet): VenueMarketData {
  return new BinanceFamilyMarketData(binanceFlavour, baseUrl);
}
