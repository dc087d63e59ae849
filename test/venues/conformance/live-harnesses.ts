import type { ExchangeConfig } from '../../../arena-config/types';
import { createAsterVenue } from '../../../venues/aster';
import { createBinanceVenue } from '../../../venues/binance';
import { createHyperliquidVenue } from '../../../venues/hyperliquid';
import type { LiveVenue } from '../../../venues/live-venue';
import { startAsterMock, startBinanceMock } from '../../support/mock-venues/binance-family';
import { startHyperliquidMock } from '../../support/mock-venues/hyperliquid';
import type { MockVenueServer } from '../../support/mock-venues/mock-venue';
import { DEMO_CREDENTIALS, demoCredentialEnv } from '../../support/mock-venues/demo-credentials';
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
  return harness(mock, createBinanceVenue(config, demoCredentialEnv('binance', config.account)));
};

export const asterHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const { user, signer } = DEMO_CREDENTIALS.aster;
  const mock = await startAsterMock({ accounts: [{ user, signer, balance }], prices: { [symbol]: price }, testnet: true });
  const config = exchange('aster', mock);
  return harness(mock, createAsterVenue(config, demoCredentialEnv('aster', config.account)));
};

export const hyperliquidHarness: HarnessFactory = async ({ symbol, price, balance }) => {
  const { user, agent } = DEMO_CREDENTIALS.hyperliquid;
  const mock = await startHyperliquidMock({
    accounts: [{ user, agents: [agent] }],
    initialBalance: balance,
    prices: { [symbol]: price },
    testnet: true,
  });
  const config = exchange('hyperliquid', mock);
  return harness(mock, createHyperliquidVenue(config, demoCredentialEnv('hyperliquid', config.account)));
};
