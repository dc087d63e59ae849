import { Wallet, getAddress, isAddress } from 'ethers';
import { ASTER_SIGNING_DEFAULTS, type ExchangeConfig } from '../../arena-config/types';
import type { BinanceFamilyFlavour } from '../binance-family/flavour';
import { BinanceFamilyMarketData } from '../binance-family/market-data';
import { BinanceFamilyVenue } from '../binance-family/venue';
import { credentialEnvName, loadCredentials } from '../credentials';
import type { LiveVenue, VenueMarketData } from '../live-venue';
import { VenueRejection } from '../venue';
import { ASTER_CHAIN_IDS, AsterEip712Signer } from './signer';

export { ASTER_CHAIN_IDS, AsterEip712Signer, asterDigest, asterMessage, signAsterLegacy, signAsterMessage } from './signer';
export { NonceManager, asterNonces } from './nonce';

/** REST base URLs of Aster futures v3 (`exchange.baseUrl` overrides them). */
export const ASTER_BASE_URLS = {
  mainnet: 'https://fapi.asterdex.com',
  testnet: 'https://fapi.asterdex-testnet.com',
} as const;

/** Aster futures v3: every path under /fapi/v3, conditional orders on the order endpoint, no open interest. */
export const asterFlavour: BinanceFamilyFlavour = {
  venue: 'aster',
  paths: {
    time: '/fapi/v3/time',
    exchangeInfo: '/fapi/v3/exchangeInfo',
    klines: '/fapi/v3/klines',
    tickerPrice: '/fapi/v3/ticker/price',
    premiumIndex: '/fapi/v3/premiumIndex',
    fundingRate: '/fapi/v3/fundingRate',
    // Neither the v3 nor the v1 documentation has an open interest endpoint (exchanges.md §1.3).
    openInterest: null,
    openInterestHistory: null,
    fundingInfo: '/fapi/v3/fundingInfo',
    balance: '/fapi/v3/balance',
    positionRisk: '/fapi/v3/positionRisk',
    order: '/fapi/v3/order',
    openOrders: '/fapi/v3/openOrders',
    allOrders: '/fapi/v3/allOrders',
    userTrades: '/fapi/v3/userTrades',
    income: '/fapi/v3/income',
    leverage: '/fapi/v3/leverage',
    leverageBracket: '/fapi/v3/leverageBracket',
    marginType: '/fapi/v3/marginType',
    positionMode: '/fapi/v3/positionSide/dual',
  },
  algo: null,
  userTradesByOrderId: false,
  hedgeModeHelp:
    'Switch it in Aster Pro futures → settings → Position Mode → One-way Mode (or POST /fapi/v3/positionSide/dual dualSidePosition=false); it can only change while no position or open order exists.',
  defaultWeightPerMinute: 2400,
};

export function asterBaseUrl(exchange: Pick<ExchangeConfig, 'baseUrl' | 'testnet'>): string {
  return (exchange.baseUrl ?? (exchange.testnet ? ASTER_BASE_URLS.testnet : ASTER_BASE_URLS.mainnet)).replace(/\/+$/, '');
}

/**
 * An Aster futures v3 account from an agent's exchange config. Reads the main account address (user),
 * the API wallet address (signer) and its private key from the environment, and refuses at once a key
 * that is not the signer's. Signing details follow `exchange.asterSigning` (defaults: the current doc).
 */
export function createAsterVenue(exchange: ExchangeConfig, env: NodeJS.ProcessEnv = process.env): LiveVenue {
  if (exchange.type !== 'aster') throw new Error(`createAsterVenue: exchange type is ${exchange.type}, not aster`);
  const credentials = loadCredentials('aster', exchange, env);
  const who = `aster account "${exchange.account}"`;
  for (const field of ['user', 'signer'] as const) {
    if (!isAddress(credentials[field])) {
      throw new VenueRejection('INVALID_CREDENTIALS', `${who}: ${credentialEnvName(exchange, field)} is not an EVM address`);
    }
  }
  let keyAddress: string;
  try {
    keyAddress = new Wallet(credentials.privateKey).address;
  } catch {
    throw new VenueRejection(
      'INVALID_CREDENTIALS',
      `${who}: ${credentialEnvName(exchange, 'private_key')} is not a valid private key (0x + 64 hex digits)`,
    );
  }
  if (keyAddress !== getAddress(credentials.signer)) {
    throw new VenueRejection(
      'INVALID_CREDENTIALS',
      `${who}: the key in ${credentialEnvName(exchange, 'private_key')} belongs to ${keyAddress}, not to the signer ${getAddress(credentials.signer)} in ${credentialEnvName(exchange, 'signer')} (it must be the API wallet's key)`,
    );
  }
  const chainId = exchange.testnet ? ASTER_CHAIN_IDS.testnet : ASTER_CHAIN_IDS.mainnet;
  return new BinanceFamilyVenue({
    flavour: asterFlavour,
    account: exchange.account,
    baseUrl: asterBaseUrl(exchange),
    testnet: exchange.testnet,
    signer: new AsterEip712Signer({
      ...credentials,
      chainId,
      signing: { ...ASTER_SIGNING_DEFAULTS, ...exchange.asterSigning },
    }),
    authHelp: `Check that ${credentialEnvName(exchange, 'signer')} is an API wallet approved for the main account in ${credentialEnvName(exchange, 'user')} on Aster ${exchange.testnet ? 'testnet' : 'mainnet'} (EIP-712 chainId ${chainId}); if it is, the signing variant may need switching (exchange.asterSigning: includeUser, signaturePrefix0x, signEncoding)`,
  });
}

/** Aster futures v3 public market data (unsigned since 2026-03; no open interest endpoint: null). */
export function createAsterMarketData(baseUrl: string = ASTER_BASE_URLS.mainnet): VenueMarketData {
  return new BinanceFamilyMarketData(asterFlavour, baseUrl);
}
