import type { ExchangeConfig } from '../arena-config/types';
import type { MarketDataSource } from '../market/types';
import { createAsterVenue } from './aster';
import { createBinanceVenue } from './binance';
import { createHyperliquidVenue } from './hyperliquid';
import { VenueUnavailableError } from './errors';
import type { LiveVenue } from './live-venue';
import type { PaperBooks } from './paper/books';
import { PaperVenue } from './paper/paper-venue';
import type { Venue } from './venue';

export interface VenueDeps {
  /** Where paper accounts live: Postgres for the arena, memory for a backtest. */
  paperBooks: PaperBooks;
  market: MarketDataSource;
}

/** The venue an agent trades on, seen at market time `asOf` (live venues are always at the present). */
export function openVenue(deps: VenueDeps, exchange: ExchangeConfig, initialBalance: number, asOf: number): Venue {
  if (exchange.type === 'paper') {
    return new PaperVenue({
      books: deps.paperBooks,
      market: deps.market,
      account: exchange.account,
      initialBalance,
      takerFeeRate: exchange.takerFeeRate,
      slippageRate: exchange.slippageRate,
      asOf,
    });
  }
  return openLiveVenue(exchange);
}

const liveVenues = new Map<string, LiveVenue>();

/**
 * One adapter per live account and endpoint for the whole worker, so its exchange-info cache and
 * nonce sequence are shared by every activity (the rate limiter is shared per venue host anyway).
 * Credentials are read from the environment here, inside the activity's process.
 */
export function openLiveVenue(exchange: ExchangeConfig, env: NodeJS.ProcessEnv = process.env): LiveVenue {
  const key = JSON.stringify([
    exchange.type,
    exchange.account,
    exchange.testnet,
    exchange.baseUrl ?? null,
    exchange.credentialEnv ?? null,
    exchange.asterSigning ?? null,
  ]);
  let venue = liveVenues.get(key);
  if (!venue) {
    venue = createLive(exchange, env);
    liveVenues.set(key, venue);
  }
  return venue;
}

function createLive(exchange: ExchangeConfig, env: NodeJS.ProcessEnv): LiveVenue {
  switch (exchange.type) {
    case 'aster':
      return createAsterVenue(exchange, env);
    case 'binance':
      return createBinanceVenue(exchange, env);
    case 'hyperliquid':
      return createHyperliquidVenue(exchange, env);
    default:
      throw new VenueUnavailableError(`venue "${exchange.type}" has no adapter`);
  }
}
