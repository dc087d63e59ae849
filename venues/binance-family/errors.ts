import { VenueOutcomeUnknown, VenueTemporaryError } from '../errors';
import { DEFAULT_BACKOFF_MS } from '../http/http-client';
import { VenueRejection } from '../venue';

/**
 * What an error code in a Binance-family `{code, msg}` body means for the caller:
 * - rejection: the venue refused the request; retrying the same request cannot help (VenueRejection).
 * - temporary: overload or throttling; retry later (VenueTemporaryError).
 * - unknown-outcome: an internal error or timeout; for an order the venue may have acted (VenueOutcomeUnknown).
 * - clock: the signed timestamp is outside recvWindow; resynchronise the clock, retry once.
 * - nonce: Aster's nonce is below the ones it keeps; move the nonce forward, retry later.
 */
export type ErrorKind = 'rejection' | 'temporary' | 'unknown-outcome' | 'clock' | 'nonce';

export interface ErrorRule {
  kind: ErrorKind;
  /** Code of the VenueRejection (the paper venue's names where they overlap). */
  name?: string;
}

const reject = (name: string): ErrorRule => ({ kind: 'rejection', name });

/**
 * The codes of the Binance USD-M / Aster error lists that matter to the arena. A code not listed is a
 * rejection named REJECTED when it comes with a 4xx status.
 */
export const BINANCE_FAMILY_ERRORS: Readonly<Record<number, ErrorRule>> = {
  [-1000]: { kind: 'unknown-outcome' }, // UNKNOWN: an unknown error occurred while processing the request
  [-1001]: { kind: 'unknown-outcome' }, // DISCONNECTED: internal error, unable to process the request
  [-1003]: { kind: 'temporary' }, // TOO_MANY_REQUESTS
  [-1006]: { kind: 'unknown-outcome' }, // UNEXPECTED_RESP: execution status unknown
  [-1007]: { kind: 'unknown-outcome' }, // TIMEOUT waiting for the backend: execution status unknown
  [-1008]: { kind: 'temporary' }, // throttled by system-level protection
  [-1015]: { kind: 'temporary' }, // TOO_MANY_ORDERS
  [-1016]: { kind: 'temporary' }, // SERVICE_SHUTTING_DOWN
  [-1021]: { kind: 'clock' }, // INVALID_TIMESTAMP
  [-1022]: reject('INVALID_SIGNATURE'),
  [-1100]: reject('INVALID_PARAMETER'), // ILLEGAL_CHARS
  [-1101]: reject('INVALID_PARAMETER'), // TOO_MANY_PARAMETERS
  [-1102]: reject('MISSING_PARAMETER'), // MANDATORY_PARAM_EMPTY_OR_MALFORMED
  [-1103]: reject('INVALID_PARAMETER'), // UNKNOWN_PARAM
  [-1104]: reject('INVALID_PARAMETER'), // UNREAD_PARAMETERS
  [-1105]: reject('MISSING_PARAMETER'), // PARAM_EMPTY
  [-1106]: reject('INVALID_PARAMETER'), // PARAM_NOT_REQUIRED
  [-1111]: reject('PRECISION'), // BAD_PRECISION
  [-1116]: reject('INVALID_PARAMETER'), // INVALID_ORDER_TYPE
  [-1117]: reject('INVALID_PARAMETER'), // INVALID_SIDE
  [-1121]: reject('UNKNOWN_SYMBOL'), // BAD_SYMBOL
  [-1130]: reject('INVALID_PARAMETER'), // INVALID_PARAMETER
  [-2010]: reject('ORDER_REJECTED'), // NEW_ORDER_REJECTED
  [-2011]: reject('CANCEL_REJECTED'), // CANCEL_REJECTED: unknown or already closed order
  [-2013]: reject('ORDER_NOT_FOUND'), // NO_SUCH_ORDER
  [-2014]: reject('INVALID_API_KEY'), // BAD_API_KEY_FMT
  [-2015]: reject('INVALID_API_KEY'), // REJECTED_MBX_KEY: key, IP or permissions
  [-2018]: reject('INSUFFICIENT_MARGIN'), // BALANCE_NOT_SUFFICIENT
  [-2019]: reject('INSUFFICIENT_MARGIN'), // MARGIN_NOT_SUFFICIEN
  [-2020]: reject('UNABLE_TO_FILL'),
  [-2021]: reject('WOULD_IMMEDIATELY_TRIGGER'),
  [-2022]: reject('REDUCE_ONLY_REJECTED'),
  [-2024]: reject('REDUCE_ONLY_REJECTED'), // POSITION_NOT_SUFFICIENT
  [-2025]: reject('MAX_OPEN_ORDERS'),
  [-2027]: reject('POSITION_LIMIT_EXCEEDED'), // max position at the current leverage
  [-2028]: reject('INSUFFICIENT_MARGIN'), // leverage smaller than permitted: insufficient margin balance
  [-4003]: reject('QUANTITY_BELOW_MIN'), // QTY_LESS_THAN_ZERO
  [-4004]: reject('QUANTITY_BELOW_MIN'), // QTY_LESS_THAN_MIN_QTY
  [-4005]: reject('QUANTITY_ABOVE_MAX'), // QTY_GREATER_THAN_MAX_QTY
  [-4013]: reject('PRICE_OUT_OF_BOUNDS'), // PRICE_LESS_THAN_MIN_PRICE
  [-4014]: reject('PRECISION'), // PRICE_NOT_INCREASED_BY_TICK_SIZE
  [-4015]: reject('INVALID_PARAMETER'), // INVALID_CL_ORD_ID_LEN
  [-4016]: reject('PRICE_OUT_OF_BOUNDS'), // PRICE_HIGHTER_THAN_MULTIPLIER_UP
  [-4023]: reject('PRECISION'), // QTY_NOT_INCREASED_BY_STEP_SIZE
  [-4024]: reject('PRICE_OUT_OF_BOUNDS'), // PRICE_LOWER_THAN_MULTIPLIER_DOWN
  [-4028]: reject('INVALID_LEVERAGE'), // INVALID_LEVERAGE
  [-4046]: reject('NO_CHANGE_NEEDED'), // NO_NEED_TO_CHANGE_MARGIN_TYPE
  [-4047]: reject('MARGIN_TYPE_CHANGE_BLOCKED'), // THERE_EXISTS_OPEN_ORDERS
  [-4048]: reject('MARGIN_TYPE_CHANGE_BLOCKED'), // THERE_EXISTS_QUANTITY (open position)
  [-4059]: reject('NO_CHANGE_NEEDED'), // NO_NEED_TO_CHANGE_POSITION_SIDE
  [-4061]: reject('POSITION_SIDE_MISMATCH'), // order's position side does not match the user's setting (hedge mode)
  [-4116]: reject('DUPLICATE_CLIENT_ORDER_ID'),
  [-4120]: reject('ALGO_ORDER_REQUIRED'), // conditional type sent to /fapi/v1/order (Binance since 2025-12)
  [-4131]: reject('MARKET_ORDER_REJECTED'), // counterparty's best price outside PERCENT_PRICE
  [-4136]: reject('INVALID_PARAMETER'), // INVALID_CLOSE_POSITION
  [-4137]: reject('INVALID_PARAMETER'), // QUANTITY_EXISTS_WITH_CLOSE_POSITION
  [-4138]: reject('INVALID_PARAMETER'), // REDUCE_ONLY_MUST_BE_TRUE
  [-4140]: reject('SYMBOL_NOT_TRADING'), // invalid symbol status for opening a position
  [-4164]: reject('MIN_NOTIONAL'),
  [-4225]: { kind: 'nonce' }, // Aster: Nonce Expired
  [-4400]: reject('TRADING_RESTRICTED'), // quantitative rules violated: reduce-only
};

/** Venue codes after which the cached exchange info (filters, symbols) is refreshed. */
export const REFRESH_EXCHANGE_INFO_CODES: ReadonlySet<number> = new Set([-1111, -1121, -4014, -4023]);

/** The rule for a venue code; an unknown code is a plain rejection. */
export function errorRule(code: number): ErrorRule {
  return BINANCE_FAMILY_ERRORS[code] ?? { kind: 'rejection', name: 'REJECTED' };
}

/** A refusal by a Binance-family venue, with its own code (null when the body carried none). */
export class BinanceFamilyRejection extends VenueRejection {
  constructor(
    code: string,
    message: string,
    readonly venueCode: number | null,
    readonly httpStatus: number,
  ) {
    super(code, message);
  }
}

/** The venue codes that mean "no such order" (query and cancel). */
export function isOrderNotFound(err: unknown): boolean {
  if (!(err instanceof BinanceFamilyRejection)) return false;
  return err.venueCode === -2013 || err.venueCode === -2011 || (err.venueCode === null && err.httpStatus === 404);
}

export interface ErrorContext {
  /** "binance account \"main\"" - never a secret. */
  who: string;
  /** "POST /fapi/v1/order" - the path only, never the query string (it carries the signature). */
  what: string;
  mutates: boolean;
}

/**
 * The error to throw for a venue error body (`{code, msg}`) or a 4xx status without one. Clock and
 * nonce errors are returned as temporary errors here; the request layer handles them before.
 */
export function venueError(ctx: ErrorContext, httpStatus: number, code: number | null, msg: string): Error {
  const text = code === null ? `HTTP ${httpStatus}${msg ? `: ${msg}` : ''}` : `${msg} (code ${code})`;
  const message = `${ctx.who}: ${ctx.what} refused: ${text}`;
  if (code === null) {
    const name = httpStatus === 401 ? 'INVALID_API_KEY' : httpStatus === 403 ? 'FORBIDDEN' : httpStatus === 404 ? 'NOT_FOUND' : 'REJECTED';
    return new BinanceFamilyRejection(name, message, null, httpStatus);
  }
  const rule = errorRule(code);
  switch (rule.kind) {
    case 'rejection':
      return new BinanceFamilyRejection(rule.name!, message, code, httpStatus);
    case 'unknown-outcome':
      return ctx.mutates
        ? new VenueOutcomeUnknown(message, undefined, httpStatus)
        : new VenueTemporaryError(message, undefined, httpStatus);
    case 'temporary':
      return new VenueTemporaryError(message, code === -1003 ? DEFAULT_BACKOFF_MS[429] : undefined, httpStatus);
    case 'clock':
    case 'nonce':
      return new VenueTemporaryError(message, undefined, httpStatus);
  }
}
