import Decimal from 'decimal.js';
import { CLIENT_ID_RANGE, Errors } from './errors';
import type { OrderInput, OrderType, PositionSide, Side } from './model';
import { isConditional, isMarketOnTrigger } from './model';
import type { Params } from './params';
import type { MockSymbolSpec } from './symbols';

/**
 * Turns the parameters of a new-order request into an OrderInput, checking them the way the venue
 * does: mandatory parameters by type, formats, precision, PRICE_FILTER, LOT_SIZE / MARKET_LOT_SIZE,
 * PERCENT_PRICE and MIN_NOTIONAL. What depends on the account (position, margin, duplicates) is the
 * engine's job.
 */

export type OrderEndpoint =
  /** Binance POST /fapi/v1/order: conditional types belong to the Algo Service (-4120). */
  | 'binance-order'
  /** Binance POST /fapi/v1/algoOrder: conditional types only, `triggerPrice`, `clientAlgoId`. */
  | 'binance-algo'
  /** Aster POST /fapi/v3/order: every type, `stopPrice`. */
  | 'aster-order';

const ALL_TYPES = ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export function parseOrderParams(params: Params, spec: MockSymbolSpec, mark: Decimal, endpoint: OrderEndpoint): OrderInput {
  const flavour = endpoint === 'aster-order' ? 'aster' : 'binance';
  const side = params.oneOf<Side>('side', ['BUY', 'SELL'], undefined, Errors.badSide);
  const type = parseType(params, endpoint);
  const positionSide = params.oneOf<PositionSide>('positionSide', ['BOTH', 'LONG', 'SHORT'], 'BOTH', () =>
    Errors.invalidValue('positionSide'),
  );

  const timeInForces = flavour === 'aster' ? ['GTC', 'IOC', 'FOK', 'GTX', 'HIDDEN'] : ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'];
  const needsTif = type === 'LIMIT';
  const timeInForce = params.oneOf('timeInForce', timeInForces, needsTif ? undefined : 'GTC', Errors.badTimeInForce);

  const closePosition = params.bool('closePosition');
  const reduceOnly = params.bool('reduceOnly');
  if (closePosition) {
    if (!isMarketOnTrigger(type)) throw Errors.closePositionType(type);
    if (params.has('quantity')) throw Errors.quantityWithClosePosition();
    if (reduceOnly) throw Errors.notRequired('reduceOnly');
  }

  const stopName = endpoint === 'binance-algo' ? 'triggerPrice' : 'stopPrice';
  const quantity = closePosition ? null : requiredDecimal(params, 'quantity');
  const price = type === 'LIMIT' || type === 'STOP' || type === 'TAKE_PROFIT' ? requiredDecimal(params, 'price') : null;
  const stopPrice = isConditional(type) ? requiredDecimal(params, stopName) : null;

  if (quantity) checkQuantity(quantity, spec, type);
  if (price) checkPrice(price, spec);
  if (stopPrice) checkPrice(stopPrice, spec, true);
  if (price && type === 'LIMIT') checkPercentPrice(price, side, spec, mark);
  if (quantity && !reduceOnly) {
    // A limit price is what the order is worth; anything executed at market is valued at the current price.
    const reference = price ?? mark;
    if (quantity.mul(reference).lt(spec.minNotional)) throw Errors.minNotional(new Decimal(spec.minNotional).toString());
  }

  const idName = endpoint === 'binance-algo' ? 'clientAlgoId' : 'newClientOrderId';
  const clientOrderId = params.get(idName) ?? null;
  if (clientOrderId !== null) {
    if (clientOrderId.length > 36) throw Errors.clientIdInvalid();
    if (!CLIENT_ID.test(clientOrderId)) throw Errors.illegalChars(idName, CLIENT_ID_RANGE);
  }

  return {
    symbol: spec.symbol,
    side,
    positionSide,
    type,
    quantity,
    price,
    stopPrice,
    reduceOnly,
    closePosition,
    timeInForce,
    workingType: params.oneOf('workingType', ['MARK_PRICE', 'CONTRACT_PRICE'], 'CONTRACT_PRICE', () => Errors.invalidValue('workingType')),
    priceProtect: params.bool('priceProtect'),
    clientOrderId,
    respType: params.oneOf<'ACK' | 'RESULT'>('newOrderRespType', ['ACK', 'RESULT'], 'ACK', () => Errors.invalidValue('newOrderRespType')),
  };
}

function parseType(params: Params, endpoint: OrderEndpoint): OrderType {
  if (endpoint === 'binance-algo') {
    params.oneOf('algoType', ['CONDITIONAL'], undefined, () => Errors.invalidValue('algoType'));
  }
  const type = params.oneOf('type', ALL_TYPES, undefined, Errors.badOrderType);
  if (type === 'TRAILING_STOP_MARKET') {
    if (endpoint === 'binance-order') throw Errors.algoRequired();
    // The venues take trailing stops; this mock does not simulate them.
    throw Errors.badOrderType();
  }
  const conditional = isConditional(type);
  if (endpoint === 'binance-order' && conditional) throw Errors.algoRequired();
  if (endpoint === 'binance-algo' && !conditional) throw Errors.badOrderType();
  return type;
}

function requiredDecimal(params: Params, name: string): Decimal {
  const value = params.decimal(name);
  if (value === undefined) throw Errors.mandatory(name);
  return value;
}

/** Precision first (-1111), then LOT_SIZE (MARKET_LOT_SIZE for market executions). */
function checkQuantity(qty: Decimal, spec: MockSymbolSpec, type: OrderType): void {
  if (qty.lte(0)) throw Errors.qtyNotPositive();
  if (qty.decimalPlaces() > spec.quantityPrecision) throw Errors.badPrecision();
  const maxQty = type === 'MARKET' || isMarketOnTrigger(type) ? spec.marketMaxQty : spec.maxQty;
  if (qty.lt(spec.minQty)) throw Errors.qtyBelowMin();
  if (qty.gt(maxQty)) throw Errors.qtyAboveMax();
  if (!qty.sub(spec.minQty).mod(spec.stepSize).isZero()) throw Errors.qtyNotStep();
}

/** PRICE_FILTER on a price or stop price. */
function checkPrice(price: Decimal, spec: MockSymbolSpec, stop = false): void {
  if (price.decimalPlaces() > spec.pricePrecision) throw Errors.badPrecision();
  if (price.lt(spec.minPrice)) throw Errors.priceBelowMin();
  if (price.gt(spec.maxPrice)) throw stop ? Errors.stopAboveMax() : Errors.priceAboveLimit(spec.maxPrice);
  if (!price.sub(spec.minPrice).mod(spec.tickSize).isZero()) throw Errors.priceNotTick();
}

/** PERCENT_PRICE: a BUY limit at most mark x multiplierUp, a SELL at least mark x multiplierDown. */
function checkPercentPrice(price: Decimal, side: Side, spec: MockSymbolSpec, mark: Decimal): void {
  const tickDecimals = new Decimal(spec.tickSize).decimalPlaces();
  if (side === 'BUY') {
    const cap = mark.mul(spec.multiplierUp);
    if (price.gt(cap)) throw Errors.priceAboveLimit(cap.toFixed(tickDecimals, Decimal.ROUND_DOWN));
  } else {
    const floor = mark.mul(spec.multiplierDown);
    if (price.lt(floor)) throw Errors.priceBelowLimit(floor.toFixed(tickDecimals, Decimal.ROUND_UP));
  }
}
