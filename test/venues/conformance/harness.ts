import type { Venue } from '../../../venues/venue';
import type { MockVenueServer } from '../../support/mock-venues/mock-venue';

/** One venue under the conformance suite, with a way to move its market. */
export interface ConformanceHarness {
  /** The venue as of now (the paper venue is seen at a market time, so it changes as the price moves). */
  venue(): Venue;
  /** Moves the price of a symbol; protective orders it crosses fire. */
  setPrice(symbol: string, price: number): Promise<void>;
  /** The local protocol server behind a live adapter; absent for the paper venue. */
  mock?: MockVenueServer;
  close(): Promise<void>;
}

export type HarnessFactory = (opts: { symbol: string; price: number; balance: number }) => Promise<ConformanceHarness>;
