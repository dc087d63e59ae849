import type { SystemConfig } from '../arena-config/types';
import { ASTER_BASE_URLS, createAsterMarketData } from './aster';
import { BINANCE_BASE_URLS, createBinanceMarketData } from './binance';
import { HYPERLIQUID_BASE_URLS, createHyperliquidMarketData } from './hyperliquid';
import type { VenueMarketData } from './live-venue';

/** The public market data the arena reads in live mode (system.market_data_venue); no credentials. */
export function openVenueMarketData(settings: SystemConfig['liveMarketData']): VenueMarketData {
  const network = settings.testnet ? 'testnet' : 'mainnet';
  switch (settings.venue) {
    case 'binance':
      return createBinanceMarketData(settings.baseUrl ?? BINANCE_BASE_URLS[network]);
    case 'aster':
      return createAsterMarketData(settings.baseUrl ?? ASTER_BASE_URLS[network]);
    case 'hyperliquid':
      return createHyperliquidMarketData(settings.baseUrl ?? HYPERLIQUID_BASE_URLS[network], settings.testnet);
  }
}
