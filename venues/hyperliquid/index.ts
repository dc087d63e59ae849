import type { ExchangeConfig } from '../../arena-config/types';
import { credentialEnvName, loadCredentials } from '../credentials';
import type { LiveVenue, VenueMarketData } from '../live-venue';
import { HyperliquidMarketData } from './market-data';
import { signerWallet } from './signer';
import { hyperliquidBaseUrl } from './transport';
import { HyperliquidVenue } from './venue';

export { HyperliquidMarketData } from './market-data';
export { HYPERLIQUID_BASE_URLS, MAINNET_API_URL, TESTNET_API_URL, hyperliquidBaseUrl } from './transport';
export { HyperliquidVenue, type HyperliquidVenueOptions } from './venue';

/**
 * The live Hyperliquid venue of an agent's exchange config: credentials from the environment
 * (`private_key` of the signing wallet, optional `user` = the main account; see venues/credentials.ts),
 * base URL from `exchange.baseUrl` or the default of `exchange.testnet`.
 */
export function createHyperliquidVenue(exchange: ExchangeConfig, env: NodeJS.ProcessEnv = process.env): LiveVenue {
  const credentials = loadCredentials('hyperliquid', exchange, env);
  return new HyperliquidVenue({
    account: exchange.account,
    baseUrl: hyperliquidBaseUrl(exchange.testnet, exchange.baseUrl),
    testnet: exchange.testnet,
    wallet: signerWallet(credentials.privateKey, credentialEnvName(exchange, 'private_key')),
    user: credentials.user,
  });
}

/** Hyperliquid's public market data at `baseUrl` (e.g. hyperliquidBaseUrl(testnet)). */
export function createHyperliquidMarketData(baseUrl: string, testnet: boolean): VenueMarketData {
  return new HyperliquidMarketData(hyperliquidBaseUrl(testnet, baseUrl), testnet);
}
