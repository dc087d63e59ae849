import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';
import { VenueRejection } from '../venue';

/**
 * What the venue's error messages mean for the arena. Hyperliquid answers most refusals with HTTP 200
 * and `{status:"err", response:"<message>"}` or an `{error:"<message>"}` order status, which the SDK
 * turns into an ApiRequestError carrying the message ("Order 0: <message>" for order statuses).
 * The messages matched here are the ones documented or commonly reported; anything else is a plain
 * REJECTED with the venue's words.
 */
const REJECTIONS: Array<[RegExp, string]> = [
  [/insufficient margin/i, 'INSUFFICIENT_MARGIN'],
  [/minimum value of \$?10|minimum (order )?value/i, 'MIN_NOTIONAL'],
  [/reduce only order would increase position/i, 'REDUCE_ONLY_REJECTED'],
  [/invalid (price|size|trigger ?px|trigger price)|tick size|significant figures|too many decimals/i, 'PRECISION'],
  [/could not immediately match/i, 'NO_LIQUIDITY'],
  [/duplicate.*cloid|cloid.*(already|duplicate)/i, 'DUPLICATE_CLIENT_ORDER_ID'],
  [/never placed, already canceled,? or filled/i, 'ORDER_NOT_OPEN'],
  [/unknown (asset|coin)|invalid asset|asset .*(out of range|does not exist|not found)/i, 'UNKNOWN_SYMBOL'],
  [/cross margin|margin mode|leverage type|only isolated/i, 'MARGIN_TYPE_UNSUPPORTED'],
  [/leverage/i, 'INVALID_LEVERAGE'],
  [/does not exist|api wallet|signature|not authori[sz]ed|unauthori[sz]ed|must deposit/i, 'UNAUTHORIZED'],
  [/open interest|max position/i, 'POSITION_LIMIT'],
];

/** Refusals that pass by themselves: a nonce outside the window (the next call has a new one), per-address rate limits. */
const TEMPORARY: Array<[RegExp, number | undefined]> = [
  [/nonce/i, undefined],
  [/too many (cumulative )?requests|rate limit/i, 10_000],
];

/** The arena's error for one message of the venue. */
export function errorForMessage(message: string, context: string): VenueRejection | VenueTemporaryError {
  const text = `hyperliquid: ${context}: ${message}`;
  for (const [pattern, retryAfterMs] of TEMPORARY) {
    if (pattern.test(message)) return new VenueTemporaryError(text, retryAfterMs);
  }
  for (const [pattern, code] of REJECTIONS) {
    if (pattern.test(message)) return new VenueRejection(code, text);
  }
  return new VenueRejection('REJECTED', text);
}

/**
 * Any error of an SDK call as the arena's error: ours pass through (the transport already classified
 * network errors, 429/418 and 5xx); the SDK's refusals (ApiRequestError) and schema errors
 * (ValidationError) become rejections; anything else is a bug and propagates unchanged.
 */
export function toVenueError(err: unknown, context: string): unknown {
  if (err instanceof VenueRejection || err instanceof VenueTemporaryError) return err;
  if (err instanceof Error && err.name === 'ApiRequestError') return errorForMessage(err.message, context);
  if (err instanceof Error && err.name === 'ValidationError') {
    return new VenueRejection('INVALID_REQUEST', `hyperliquid: ${context}: ${err.message}`);
  }
  return err;
}

/** Runs one SDK call and translates its failure. */
export async function venueCall<T>(context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toVenueError(err, context);
  }
}

export { VenueOutcomeUnknown, VenueTemporaryError };
