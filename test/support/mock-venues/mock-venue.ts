/**
 * What every local mock venue server offers the tests, whatever wire protocol it speaks. Servers
 * listen on 127.0.0.1 only, on a free port.
 */
export interface MockVenueFault {
  /** HTTP status to answer with, e.g. 500, 503, 429, 418. */
  status: number;
  /** Body to send (JSON-encoded when not a string); a venue-shaped default when absent. */
  body?: unknown;
  /** Seconds for a Retry-After header. */
  retryAfterSeconds?: number;
  /**
   * When true the server carries the request out (places the order) and only then answers with the
   * fault: the client cannot know whether it worked.
   */
  afterProcessing?: boolean;
}

export interface MockRequestLog {
  method: string;
  path: string;
  /** Decoded parameters (query + form body, or the JSON body's `action.type` / `type` for Hyperliquid). */
  params: Record<string, unknown>;
  status: number;
  at: number;
}

export interface MockVenueServer {
  /** e.g. http://127.0.0.1:43121 */
  readonly url: string;
  /** Sets the mark / last price of a symbol (arena symbol, e.g. BTCUSDT); triggers stop orders it crosses. */
  setPrice(symbol: string, price: number): void;
  /** The next `count` (default 1) requests matching `method` and `path` get `fault`. */
  failNext(match: { method?: string; path: string }, fault: MockVenueFault, count?: number): void;
  /** Every request the server answered, oldest first. */
  readonly requests: MockRequestLog[];
  close(): Promise<void>;
}
