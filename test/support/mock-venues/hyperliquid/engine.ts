import { randomBytes } from 'node:crypto';
import Decimal from 'decimal.js';
import { CLOID, MockAsset, num, usd, validPrice, validSize } from './rules';

export type Side = 'B' | 'A';
export type MarginMode = 'cross' | 'isolated';

export interface MockPosition {
  coin: string;
  /** Signed size: > 0 long, < 0 short. */
  szi: Decimal;
  entryPx: Decimal;
  /** Margin committed (isolated: what the position holds apart from its unrealised PnL). */
  margin: Decimal;
  leverage: { type: MarginMode; value: number };
  cumFunding: Decimal;
}

export interface MockOrder {
  oid: number;
  coin: string;
  side: Side;
  limitPx: string;
  /** Remaining size. */
  sz: Decimal;
  origSz: string;
  cloid: string | null;
  reduceOnly: boolean;
  isTrigger: boolean;
  triggerPx: string;
  tpsl: 'tp' | 'sl' | null;
  isMarket: boolean;
  isPositionTpsl: boolean;
  tif: 'Gtc' | 'Ioc' | 'Alo' | 'FrontendMarket' | null;
  timestamp: number;
  status: string;
  statusTimestamp: number;
}

export interface MockFill {
  coin: string;
  px: string;
  sz: string;
  side: Side;
  time: number;
  startPosition: string;
  dir: string;
  closedPnl: string;
  hash: string;
  oid: number;
  crossed: boolean;
  fee: string;
  tid: number;
  feeToken: string;
  twapId: null;
  cloid?: string;
}

export interface MockFunding {
  time: number;
  hash: string;
  delta: { type: 'funding'; coin: string; usdc: string; szi: string; fundingRate: string; nSamples: null };
}

export interface MockAccount {
  user: string;
  /** Free collateral (withdrawable). */
  cash: Decimal;
  positions: Map<string, MockPosition>;
  leverage: Map<string, { type: MarginMode; value: number }>;
  orders: MockOrder[];
  fills: MockFill[];
  funding: MockFunding[];
}

/** What one order of an order action became: a status of the venue's answer. */
export type OrderOutcome =
  | { resting: { oid: number; cloid?: string } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: string } }
  | { error: string };

export interface OrderWire {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t:
    { limit: { tif: 'Gtc' | 'Ioc' | 'Alo' | 'FrontendMarket' } } | { trigger: { isMarket: boolean; triggerPx: string; tpsl: 'tp' | 'sl' } };
  c?: string;
}

const hash = () => `0x${randomBytes(32).toString('hex')}`;
const ZERO = new Decimal(0);

/**
 * The mock's exchange: accounts in USDC, one-way positions per coin with isolated (or, simplified,
 * cross) margin, IOC / GTC limits filled against the mock price, market triggers that fire when
 * setPrice crosses them, taker fees, funding. Every number it hands out is a string, as on the wire.
 */
export class MockExchange {
  readonly accounts = new Map<string, MockAccount>();
  readonly prices = new Map<string, Decimal>();
  /** Price points per coin, for candles. */
  readonly history = new Map<string, Array<{ time: number; px: Decimal }>>();
  readonly fundingHistory = new Map<string, Array<{ coin: string; fundingRate: string; premium: string; time: number }>>();
  /** Open interest per coin on top of the accounts' positions (metaAndAssetCtxs). */
  readonly extraOpenInterest = new Map<string, Decimal>();
  private nextOid = 1_000_000;
  private nextTid = 5_000_000;

  constructor(
    readonly universe: MockAsset[],
    private readonly takerFeeRate: Decimal,
    private readonly now: () => number,
  ) {}

  addAccount(user: string, balance: number): void {
    this.accounts.set(user, {
      user,
      cash: new Decimal(balance),
      positions: new Map(),
      leverage: new Map(),
      orders: [],
      fills: [],
      funding: [],
    });
  }

  asset(index: unknown): MockAsset | undefined {
    return typeof index === 'number' && Number.isInteger(index) ? this.universe[index] : undefined;
  }

  coinOf(symbol: string): string {
    const upper = symbol.toUpperCase().replace(/(USDT|USDC)$/, '');
    const found = this.universe.find((a) => a.name.toUpperCase() === upper);
    if (!found) throw new Error(`mock hyperliquid: no coin for ${symbol}`);
    return found.name;
  }

  price(coin: string): Decimal {
    const px = this.prices.get(coin);
    if (!px) throw new Error(`mock hyperliquid: no price for ${coin}`);
    return px;
  }

  /** Moves the price, then fires the triggers and limits it crosses, oldest order first. */
  setPrice(coin: string, price: number): void {
    const px = new Decimal(price);
    this.prices.set(coin, px);
    const points = this.history.get(coin) ?? [];
    points.push({ time: this.now(), px });
    this.history.set(coin, points);
    for (const account of this.accounts.values()) {
      for (const order of [...account.orders]) {
        if (order.coin !== coin || order.status !== 'open') continue;
        if (order.isTrigger ? triggerFires(order, px) : limitCrosses(order, px)) this.execute(account, order, px);
      }
    }
  }

  leverageOf(account: MockAccount, coin: string): { type: MarginMode; value: number } {
    const asset = this.universe.find((a) => a.name === coin)!;
    return account.leverage.get(coin) ?? { type: asset.onlyIsolated ? 'isolated' : 'cross', value: Math.min(20, asset.maxLeverage) };
  }

  // --- exchange actions ---

  placeOrder(account: MockAccount, wire: OrderWire, grouping: string): OrderOutcome {
    const asset = this.asset(wire.a);
    if (!asset) return { error: `Asset ${String(wire.a)} does not exist.` };
    const coin = asset.name;
    const trigger = 'trigger' in wire.t ? wire.t.trigger : null;
    const positionTpsl = grouping === 'positionTpsl' && trigger !== null;
    if (!validPrice(wire.p, asset.szDecimals)) return { error: 'Order has invalid price.' };
    if (trigger && !validPrice(trigger.triggerPx, asset.szDecimals)) return { error: 'Order has invalid trigger price.' };
    if (!validSize(wire.s, asset.szDecimals, positionTpsl)) return { error: 'Order has invalid size.' };
    if (wire.c !== undefined && !CLOID.test(wire.c)) return { error: 'Invalid cloid.' };
    if (wire.c && account.orders.some((o) => o.cloid === wire.c)) return { error: 'Duplicate cloid.' };
    const size = new Decimal(wire.s);
    const limitPx = new Decimal(wire.p);
    if (!wire.r && size.mul(trigger ? trigger.triggerPx : limitPx).lt(10)) return { error: 'Order must have minimum value of $10.' };
    const position = account.positions.get(coin);
    if (wire.r && (!position || position.szi.gt(0) === wire.b)) return { error: 'Reduce only order would increase position.' };

    const now = this.now();
    const order: MockOrder = {
      oid: this.nextOid++,
      coin,
      side: wire.b ? 'B' : 'A',
      limitPx: num(limitPx),
      sz: size,
      origSz: num(size),
      cloid: wire.c ?? null,
      reduceOnly: wire.r,
      isTrigger: trigger !== null,
      triggerPx: trigger ? num(new Decimal(trigger.triggerPx)) : '0.0',
      tpsl: trigger?.tpsl ?? null,
      isMarket: trigger?.isMarket ?? false,
      isPositionTpsl: positionTpsl,
      tif: 'limit' in wire.t ? wire.t.limit.tif : null,
      timestamp: now,
      status: 'open',
      statusTimestamp: now,
    };
    const cloid = order.cloid ? { cloid: order.cloid } : {};
    if (trigger) {
      account.orders.push(order);
      return { resting: { oid: order.oid, ...cloid } };
    }
    const px = this.price(coin);
    if (!limitCrosses(order, px)) {
      if (order.tif === 'Ioc' || order.tif === 'FrontendMarket') {
        return { error: `Order could not immediately match against any resting orders. asset=${wire.a}` };
      }
      if (order.tif === 'Alo') return { error: `Post only order would have immediately matched, bbo was ${num(px)}. asset=${wire.a}` };
      account.orders.push(order);
      return { resting: { oid: order.oid, ...cloid } };
    }
    const error = this.marginShortfall(account, order, px);
    if (error) return { error: `${error} asset=${wire.a}` };
    account.orders.push(order);
    const filled = this.execute(account, order, px);
    return { filled: { totalSz: num(filled), avgPx: num(px), oid: order.oid, ...cloid } };
  }

  /** Cancels an open order by oid or cloid; the venue's error when there is none. */
  cancel(account: MockAccount, assetIndex: unknown, ref: { oid?: unknown; cloid?: unknown }): 'success' | { error: string } {
    const asset = this.asset(assetIndex);
    const order =
      asset &&
      account.orders.find(
        (o) => o.coin === asset.name && o.status === 'open' && (ref.oid !== undefined ? o.oid === ref.oid : o.cloid === ref.cloid),
      );
    if (!order) return { error: `Order was never placed, already canceled, or filled. asset=${String(assetIndex)}` };
    this.close(order, 'canceled');
    return 'success';
  }

  /** updateLeverage: the mode and leverage of new positions; null on success, else the error. */
  updateLeverage(account: MockAccount, assetIndex: unknown, isCross: unknown, leverage: unknown): string | null {
    const asset = this.asset(assetIndex);
    if (!asset) return `Asset ${String(assetIndex)} does not exist.`;
    if (typeof leverage !== 'number' || !Number.isInteger(leverage) || leverage < 1 || leverage > asset.maxLeverage) {
      return `Invalid leverage value. Max leverage for ${asset.name} is ${asset.maxLeverage}.`;
    }
    if (isCross === true && asset.onlyIsolated) return 'Cross margin is not allowed for this asset.';
    const type: MarginMode = isCross ? 'cross' : 'isolated';
    const position = account.positions.get(asset.name);
    if (position && position.leverage.type !== type) return 'Cannot switch leverage type with open position.';
    account.leverage.set(asset.name, { type, value: leverage });
    if (position) position.leverage = { type, value: leverage };
    return null;
  }

  /** Funding at `rate` on every position of `coin` (positive: longs pay shorts), from isolated margin. */
  payFunding(coin: string, rate: number): void {
    const px = this.price(coin);
    const time = this.now();
    const list = this.fundingHistory.get(coin) ?? [];
    list.push({ coin, fundingRate: String(rate), premium: '0.0', time });
    this.fundingHistory.set(coin, list);
    for (const account of this.accounts.values()) {
      const position = account.positions.get(coin);
      if (!position) continue;
      const payment = position.szi.mul(px).mul(rate).neg().toDecimalPlaces(6);
      position.margin = position.margin.add(payment);
      position.cumFunding = position.cumFunding.sub(payment);
      account.funding.push({
        time,
        hash: hash(),
        delta: { type: 'funding', coin, usdc: usd(payment), szi: num(position.szi), fundingRate: String(rate), nSamples: null },
      });
    }
  }

  // --- fills ---

  /** Why the opening part of this order cannot be paid for at `px`, or null. */
  private marginShortfall(account: MockAccount, order: MockOrder, px: Decimal): string | null {
    const position = account.positions.get(order.coin);
    const buying = order.side === 'B';
    const closing = position && position.szi.gt(0) !== buying ? Decimal.min(order.sz, position.szi.abs()) : ZERO;
    const opening = order.reduceOnly ? ZERO : order.sz.sub(closing);
    if (opening.lte(0)) return null;
    const leverage = this.leverageOf(account, order.coin).value;
    const needed = opening.mul(px).div(leverage).add(order.sz.mul(px).mul(this.takerFeeRate));
    return needed.gt(account.cash.add(this.releasedBy(position, closing, px))) ? 'Insufficient margin to place order.' : null;
  }

  private releasedBy(position: MockPosition | undefined, closing: Decimal, px: Decimal): Decimal {
    if (!position || closing.isZero()) return ZERO;
    const share = position.margin.mul(closing).div(position.szi.abs());
    return share.add(pnlOf(position, closing, px));
  }

  /**
   * Fills what is left of `order` at `px` (a reduce-only order at most the position; a position
   * TP/SL the whole position) and books it; returns the size filled.
   */
  private execute(account: MockAccount, order: MockOrder, px: Decimal): Decimal {
    const coin = order.coin;
    const buying = order.side === 'B';
    const position = account.positions.get(coin);
    if (order.reduceOnly && (!position || position.szi.gt(0) === buying)) {
      this.close(order, 'reduceOnlyCanceled');
      return ZERO;
    }
    const wanted = order.isPositionTpsl && position ? position.szi.abs() : order.sz;
    const size = order.reduceOnly ? Decimal.min(wanted, position!.szi.abs()) : wanted;
    if (size.isZero()) {
      this.close(order, 'canceled');
      return ZERO;
    }
    if (!order.reduceOnly && this.marginShortfall(account, { ...order, sz: size }, px)) {
      this.close(order, 'perpMarginRejected');
      return ZERO;
    }
    const start = position?.szi ?? ZERO;
    const closing = position && start.gt(0) !== buying ? Decimal.min(size, start.abs()) : ZERO;
    const opening = size.sub(closing);
    const fee = size.mul(px).mul(this.takerFeeRate).toDecimalPlaces(6);
    let closedPnl = ZERO;
    if (closing.gt(0)) {
      closedPnl = pnlOf(position!, closing, px);
      const released = position!.margin.mul(closing).div(start.abs());
      account.cash = account.cash.add(released).add(closedPnl);
      position!.margin = position!.margin.sub(released);
      position!.szi = start.gt(0) ? start.sub(closing) : start.add(closing);
      if (position!.szi.isZero()) account.positions.delete(coin);
    }
    if (opening.gt(0)) {
      const leverage = this.leverageOf(account, coin);
      const margin = opening.mul(px).div(leverage.value);
      account.cash = account.cash.sub(margin);
      const current = account.positions.get(coin);
      const signed = buying ? opening : opening.neg();
      if (current) {
        const total = current.szi.add(signed);
        current.entryPx = current.entryPx.mul(current.szi.abs()).add(px.mul(opening)).div(total.abs());
        current.szi = total;
        current.margin = current.margin.add(margin);
      } else {
        account.positions.set(coin, { coin, szi: signed, entryPx: px, margin, leverage: { ...leverage }, cumFunding: ZERO });
      }
    }
    account.cash = account.cash.sub(fee);
    account.fills.push({
      coin,
      px: num(px),
      sz: num(size),
      side: order.side,
      time: this.now(),
      startPosition: num(start),
      dir: direction(start, buying, closing, opening),
      closedPnl: usd(closedPnl),
      hash: hash(),
      oid: order.oid,
      crossed: true,
      fee: usd(fee),
      tid: this.nextTid++,
      feeToken: 'USDC',
      twapId: null,
      ...(order.cloid ? { cloid: order.cloid } : {}),
    });
    order.sz = order.isPositionTpsl ? ZERO : order.sz.sub(size);
    this.close(order, 'filled');
    if (!account.positions.has(coin)) {
      // Reduce-only orders (position TP/SL among them) die with the position.
      for (const other of account.orders) {
        if (other.coin === coin && other.status === 'open' && other.reduceOnly) this.close(other, 'reduceOnlyCanceled');
      }
    }
    return size;
  }

  private close(order: MockOrder, status: string): void {
    order.status = status;
    order.statusTimestamp = this.now();
  }
}

function pnlOf(position: MockPosition, closing: Decimal, px: Decimal): Decimal {
  return px
    .sub(position.entryPx)
    .mul(closing)
    .mul(position.szi.gt(0) ? 1 : -1);
}

function limitCrosses(order: MockOrder, px: Decimal): boolean {
  return order.side === 'B' ? new Decimal(order.limitPx).gte(px) : new Decimal(order.limitPx).lte(px);
}

/** A sell stop fires at or below its trigger and a sell take-profit at or above; the reverse for a buy. */
function triggerFires(order: MockOrder, px: Decimal): boolean {
  const trigger = new Decimal(order.triggerPx);
  const firesBelow = (order.tpsl === 'sl') !== (order.side === 'B');
  return firesBelow ? px.lte(trigger) : px.gte(trigger);
}

function direction(start: Decimal, buying: boolean, closing: Decimal, opening: Decimal): string {
  if (start.isZero()) return buying ? 'Open Long' : 'Open Short';
  const long = start.gt(0);
  if (long === buying) return long ? 'Open Long' : 'Open Short';
  if (closing.gt(0) && opening.gt(0)) return long ? 'Long > Short' : 'Short > Long';
  return long ? 'Close Long' : 'Close Short';
}
