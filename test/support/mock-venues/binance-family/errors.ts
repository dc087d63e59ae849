/**
 * The venue's error answers: `{"code": <negative int>, "msg": "..."}` with an HTTP status (400 unless
 * said otherwise). Messages are the ones Binance and Aster document (shared text); the few marked
 * INVENTED have no documented wording and are ours.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${msg}`);
  }

  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

const NUMBER_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
export const CLIENT_ID_RANGE = '^[\\.A-Z\\:/a-z0-9_-]{1,36}$';

/** One factory per documented error, so every place that raises it uses the same text. */
export const Errors = {
  unknown: () => new ApiError(-1000, 'An unknown error occured while processing the request.', 500),
  disconnected: () => new ApiError(-1001, 'Unknown error, please check your request or try again later.', 503),
  tooManyRequests: (limit: number) =>
    new ApiError(
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      429,
    ),
  banned: (until: number) =>
    new ApiError(
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      418,
    ),
  timeout: () =>
    new ApiError(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', 408),
  tooManyOrders: (limit: number, per: string) =>
    new ApiError(-1015, `Too many new orders; current limit is ${limit} orders per ${per}.`, 429),
  timestampAhead: () => new ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => new ApiError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: () => new ApiError(-1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string, range: string) =>
    new ApiError(-1100, `Illegal characters found in parameter '${param}'; legal range is '${range}'.`),
  illegalNumber: (param: string) => Errors.illegalChars(param, NUMBER_RANGE),
  mandatory: (param: string) => new ApiError(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherMandatory: (a: string, b: string) => new ApiError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  notRequired: (param: string) => new ApiError(-1106, `Parameter '${param}' sent when not required.`),
  badPrecision: () => new ApiError(-1111, 'Precision is over the maximum defined for this asset.'),
  badTimeInForce: () => new ApiError(-1115, 'Invalid timeInForce.'),
  badOrderType: () => new ApiError(-1116, 'Invalid orderType.'),
  badSide: () => new ApiError(-1117, 'Invalid side.'),
  badInterval: () => new ApiError(-1120, 'Invalid interval.'),
  badSymbol: () => new ApiError(-1121, 'Invalid symbol.'),
  invalidValue: (param: string) => new ApiError(-1130, `Data sent for parameter '${param}' is not valid.`),
  badRecvWindow: () => new ApiError(-1131, 'recvWindow must be less than 60000'),
  noSuchOrder: () => new ApiError(-2013, 'Order does not exist.'),
  unknownOrder: () => new ApiError(-2011, 'Unknown order sent.'),
  badApiKeyFormat: () => new ApiError(-2014, 'API-key format invalid.', 401),
  rejectedKey: () => new ApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  marginInsufficient: () => new ApiError(-2019, 'Margin is insufficient.'),
  wouldTrigger: () => new ApiError(-2021, 'Order would immediately trigger.'),
  reduceOnlyRejected: () => new ApiError(-2022, 'ReduceOnly Order is rejected.'),
  positionLimit: () => new ApiError(-2027, 'Exceeded the maximum allowable position at current leverage.'),
  qtyNotPositive: () => new ApiError(-4003, 'Quantity less than or equal to zero.'),
  qtyBelowMin: () => new ApiError(-4004, 'Quantity less than min quantity.'),
  qtyAboveMax: () => new ApiError(-4005, 'Quantity greater than max quantity.'),
  stopAboveMax: () => new ApiError(-4007, 'Stop price greater than max price.'),
  priceBelowMin: () => new ApiError(-4013, 'Price less than min price.'),
  priceNotTick: () => new ApiError(-4014, 'Price not increased by tick size.'),
  clientIdInvalid: () => new ApiError(-4015, 'Client order id is not valid.'),
  priceAboveLimit: (limit: string) => new ApiError(-4016, `Limit price can't be higher than ${limit}.`),
  qtyNotStep: () => new ApiError(-4023, 'Qty not increased by step size.'),
  priceBelowLimit: (limit: string) => new ApiError(-4024, `Limit price can't be lower than ${limit}.`),
  badLeverage: (leverage: string) => new ApiError(-4028, `Leverage ${leverage} is not valid`),
  maxStopOrders: () => new ApiError(-4045, 'Reach max stop order limit.'),
  marginTypeUnchanged: () => new ApiError(-4046, 'No need to change margin type.'),
  marginTypeOpenOrders: () => new ApiError(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: () => new ApiError(-4048, 'Margin type cannot be changed if there exists position.'),
  positionSideUnchanged: () => new ApiError(-4059, 'No need to change position side.'),
  positionSideMismatch: () => new ApiError(-4061, "Order's position side does not match user's setting."),
  dualOpenOrders: () => new ApiError(-4067, 'Position side cannot be changed if there exists open orders.'),
  dualPosition: () => new ApiError(-4068, 'Position side cannot be changed if there exists position.'),
  duplicateClientId: () => new ApiError(-4116, 'ClientOrderId is duplicated.'),
  algoRequired: () => new ApiError(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'),
  closePositionType: (type: string) => new ApiError(-4136, `Target strategy invalid for orderType ${type},closePosition true`),
  quantityWithClosePosition: () => new ApiError(-4137, 'Quantity must be zero with closePosition equals true.'),
  minNotional: (notional: string) =>
    new ApiError(-4164, `Order's notional must be no smaller than ${notional} (unless you choose reduce only).`),
  nonceExpired: () => new ApiError(-4225, 'Nonce Expired'),
  /** INVENTED: Aster says a reused nonce is "rejected as a duplicate" but documents no code or text. */
  nonceDuplicate: () => new ApiError(-4226, 'Nonce Duplicated'),
  /** INVENTED text: a nonce more than 10 s from server time (Aster documents the rule, not the answer). */
  nonceOutsideWindow: () => new ApiError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  postOnlyRejected: () => new ApiError(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.'),
  badPath: (method: string, path: string) => new ApiError(-5000, `Path ${path}, Method ${method} is invalid`, 404),
};

/** The body a fault carries when the test gives none, by HTTP status. */
export function defaultFaultBody(status: number): { code: number; msg: string } {
  if (status === 503) return Errors.disconnected().body();
  if (status === 429) return { code: -1003, msg: 'Too many requests; current request has limited.' };
  if (status === 418) return { code: -1003, msg: 'Way too many requests; IP banned.' };
  if (status === 408) return Errors.timeout().body();
  return Errors.unknown().body();
}
