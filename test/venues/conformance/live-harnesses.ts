import type { ExchangeConfig } from '../../../arena-config/types';
import { createAsterVenue } from '../../../venues/aster';
import { createBinanceVenue } from '../../../venues/binance';
import { createHyperliquidVenue } from '../../../venues/hyperliquid';
import { Wallet } from 'ethers';
import type { LiveVenue } from '../../../venues/live-venue';
import { startAsterMock, startBinanceMock } from '../../support/mock-venues/binance-family';
import { startHyperliquidMock } from '../../support/mock-venues/hyperliquid';
import type { MockVenueServer } from '../../support/mock-venues/mock-venue';
import { DEMO_CREDENTIALS } from '../../support/mock-venues/demo-credentials';
import type { ConformanceHarness, HarnessFactory } from './harness';

let accounts = 0;

/** A live adapter on its own account of a fresh local protocol server. */
function harness(mock: MockVenueServer, venue: LiveVenue): ConformanceHarness {
  return { venue: () => venue, mock, setPrice: async (symbol, price) => mock.setPrice(symbol, price), close: () => mock.close() };
}

function exchange(type: ExchangeConfig['type'], mock: MockVenueServer): ExchangeConfig {
  return { type, account: `conformance${++accounts}`, testnet: true, takerFeeRate: 0.0005, slippageRate: 0, baseUrl: mock.url };
}

export const binanceHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const { apiKey, apiSecret } = DEMO_CREDENTIALS.binance;
  const mock = await startBinanceMock({ accounts: [{ apiKey, apiSecret, balance }], prices: { [symbol]: price } });
  const config = exchange('binance', mock);
  return harness(mock, createBinanceVenue(config, {
    [`BINANCE_API_KEY_${config.account.toUpperCase()}`]: apiKey, [`BINANCE_API_SECRET_${config.account.toUpperCase()}`]: apiSecret,
  }));
};

export const asterHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const { user, signer, privateKey } = DEMO_CREDENTIALS.aster;
  const mock = await startAsterMock({ accounts: [{ user, signer, balance }], prices: { [symbol]: price }, testnet: true });
  const config = exchange('aster', mock);
  const suffix = config.account.toUpperCase();
  return harness(mock, createAsterVenue(config, {
    [`ASTER_USER_${suffix}`]: user, [`ASTER_SIGNER_${suffix}`]: signer, [`ASTER_PRIVATE_KEY_${suffix}`]: privateKey,
  }));
};

export const hyperliquidHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const { agentPrivateKey, mainPrivateKey } = DEMO_CREDENTIALS.hyperliquid;
  const user = new Wallet(mainPrivateKey).address;
  const mock = await startHyperliquidMock({
    accounts: [{ user, agents: [new Wallet(agentPrivateKey).address] }], initialBalance: balance, prices: { [symbol]: price }, testnet: true,
  });
  const config = exchange('hyperliquid', mock);
  const suffix = config.account.toUpperCase();
  return harness(mock, createHyperliquidVenue(config, {
    [`HYPERLIQUID_PRIVATE_KEY_${suffix}`]: agentPrivateKey, [`HYPERLIQUID_USER_${suffix}`]: user,
  }));
};
