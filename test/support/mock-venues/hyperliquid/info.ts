import Decimal from 'decimal.js';
import type { MockAccount, MockExchange, MockOrder, MockPosition } from './engine';
import { type MockAsset, maintenanceOf, num, usd } from './rules';

/** How the mock knows addresses: accounts and the agent wallets approved for them. */
export interface Directory {
  accountOf(user: string): MockAccount | undefined;
  /** The user an agent wallet signs for. */
  userOfAgent(agent: string): string | undefined;
  agentsOf(user: string): string[];
}

const ZERO = new Decimal(0);
const CANDLE_MS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
};

/** An info request the mock does not know: the venue answers 422. */
export class UnknownInfoRequest extends Error {}

/** Answers of the info endpoint, in the documented shapes (test/fixtures/venues/hyperliquid). */
export function answerInfo(ex: MockExchange, dir: Directory, body: Record<string, any>, now: number): unknown {
  const account = typeof body.user === 'string' ? dir.accountOf(body.user.toLowerCase()) : undefined;
  switch (body.type) {
    case 'meta':
      return meta(ex);
    case 'metaAndAssetCtxs':
      return [meta(ex), ex.universe.map((a) => assetCtx(ex, a.name))];
    case 'allMids':
      return Object.fromEntries([...ex.prices].map(([coin, px]) => [coin, num(px)]));
    case 'clearinghouseState':
      return clearinghouseState(ex, account, now);
    case 'openOrders':
      return openOf(account).map(openOrder);
    case 'frontendOpenOrders':
      return openOf(account).map(frontendOrder);
    case 'orderStatus': {
      const order = account?.orders.find((o) =>
        typeof body.oid === 'number' ? o.oid === body.oid : o.cloid === String(body.oid).toLowerCase(),
      );
      return order
        ? { status: 'order', order: { order: frontendOrder(order), status: order.status, statusTimestamp: order.statusTimestamp } }
        : { status: 'unknownOid' };
    }
    case 'userFills':
      return [...(account?.fills ?? [])].reverse().slice(0, 2000);
    case 'userFillsByTime':
      return inRange(account?.fills ?? [], body.startTime, body.endTime).slice(0, 2000);
    case 'userFunding':
      return inRange(account?.funding ?? [], body.startTime, body.endTime).slice(0, 500);
    case 'fundingHistory':
      return inRange(ex.fundingHistory.get(body.coin) ?? [], body.startTime, body.endTime).slice(0, 500);
    case 'candleSnapshot':
      return candles(ex, body.req ?? {}, now);
    case 'userRole': {
      const user = String(body.user).toLowerCase();
      if (dir.accountOf(user)) return { role: 'user' };
      const owner = dir.userOfAgent(user);
      return owner ? { role: 'agent', data: { user: owner } } : { role: 'missing' };
    }
    case 'extraAgents':
      return dir
        .agentsOf(String(body.user).toLowerCase())
        .map((address) => ({ address, name: 'arena', validUntil: now + 180 * 86_400_000 }));
    case 'activeAssetData': {
      const coin = String(body.coin);
      const leverage = account ? ex.leverageOf(account, coin) : { type: 'cross', value: 20 };
      return {
        user: body.user,
        coin,
        leverage: leverage.type === 'isolated' ? { ...leverage, rawUsd: '0.0' } : leverage,
        maxTradeSzs: ['0.0', '0.0'],
        availableToTrade: ['0.0', '0.0'],
        markPx: num(ex.price(coin)),
      };
    }
    default:
      throw new UnknownInfoRequest(String(body.type));
  }
}

function meta(ex: MockExchange) {
  return {
    universe: ex.universe.map((a) => ({
      name: a.name,
      szDecimals: a.szDecimals,
      maxLeverage: a.maxLeverage,
      marginTableId: a.marginTable?.id ?? a.maxLeverage,
      ...(a.onlyIsolated ? { onlyIsolated: true } : {}),
    })),
    marginTables: ex.universe
      .filter((a) => a.marginTable)
      .map((a) => [a.marginTable!.id, { description: a.marginTable!.description, marginTiers: a.marginTable!.marginTiers }]),
    collateralToken: 0,
  };
}

function assetCtx(ex: MockExchange, coin: string) {
  const px = ex.prices.get(coin);
  const price = px ? num(px) : '0.0';
  let openInterest = ex.extraOpenInterest.get(coin) ?? ZERO;
  for (const account of ex.accounts.values()) openInterest = openInterest.add(account.positions.get(coin)?.szi.abs() ?? 0);
  const funding = ex.fundingHistory.get(coin)?.at(-1)?.fundingRate ?? '0.0';
  return {
    prevDayPx: price,
    dayNtlVlm: '0.0',
    markPx: price,
    midPx: px ? price : null,
    funding,
    openInterest: num(openInterest),
    premium: '0.0',
    oraclePx: price,
    impactPxs: px ? [price, price] : null,
    dayBaseVlm: '0.0',
  };
}

/** The account's positions and margin; an unknown user has an empty, zero state. */
function clearinghouseState(ex: MockExchange, account: MockAccount | undefined, now: number) {
  const rows = [...(account?.positions.values() ?? [])].map((p) => positionRow(ex, p));
  const sum = (pick: (r: (typeof rows)[number]) => Decimal, only?: 'cross') =>
    rows.filter((r) => !only || r.type === only).reduce((acc, r) => acc.add(pick(r)), ZERO);
  const cash = account?.cash ?? ZERO;
  const equity = cash.add(sum((r) => r.equity));
  const crossEquity = cash.add(sum((r) => r.equity, 'cross'));
  return {
    assetPositions: rows.map((r) => ({ type: 'oneWay', position: r.position })),
    crossMaintenanceMarginUsed: usd(sum((r) => r.marginUsed, 'cross').div(2)),
    crossMarginSummary: {
      accountValue: usd(crossEquity),
      totalMarginUsed: usd(sum((r) => r.marginUsed, 'cross')),
      totalNtlPos: usd(sum((r) => r.value, 'cross')),
      totalRawUsd: usd(crossEquity.sub(sum((r) => r.signedValue, 'cross'))),
    },
    marginSummary: {
      accountValue: usd(equity),
      totalMarginUsed: usd(sum((r) => r.marginUsed)),
      totalNtlPos: usd(sum((r) => r.value)),
      totalRawUsd: usd(equity.sub(sum((r) => r.signedValue))),
    },
    time: now,
    withdrawable: usd(cash),
  };
}

function positionRow(ex: MockExchange, p: MockPosition) {
  const mark = ex.price(p.coin);
  const size = p.szi.abs();
  const value = size.mul(mark);
  const signedValue = p.szi.mul(mark);
  const upnl = mark.sub(p.entryPx).mul(p.szi);
  const isolated = p.leverage.type === 'isolated';
  // Isolated: the venue's marginUsed is the position's own equity (margin + unrealised PnL).
  const marginUsed = isolated ? p.margin.add(upnl) : value.div(p.leverage.value);
  const asset = ex.universe.find((a) => a.name === p.coin)!;
  const maxLeverage = asset.maxLeverage;
  const liquidation = isolatedLiquidation(asset, p, size);
  return {
    type: p.leverage.type,
    // The mock books cross positions like isolated ones: their margin left the free balance too.
    equity: p.margin.add(upnl),
    marginUsed,
    value,
    signedValue,
    position: {
      coin: p.coin,
      szi: num(p.szi),
      leverage: isolated
        ? { type: 'isolated', value: p.leverage.value, rawUsd: usd(p.margin.sub(p.entryPx.mul(p.szi))) }
        : { type: 'cross', value: p.leverage.value },
      entryPx: num(p.entryPx),
      positionValue: usd(value),
      unrealizedPnl: usd(upnl),
      returnOnEquity: p.margin.isZero() ? '0.0' : num(upnl.div(p.margin)),
      liquidationPx: isolated && liquidation.gt(0) ? num(liquidation.toDecimalPlaces(6)) : null,
      marginUsed: usd(marginUsed),
      maxLeverage,
      cumFunding: { allTime: usd(p.cumFunding), sinceOpen: usd(p.cumFunding), sinceChange: usd(p.cumFunding) },
    },
  };
}

/**
 * Where margin + PnL = maintenance margin (isolated), found by bisection on the price so that it
 * follows the tiers without sharing the adapter's closed form; 0 when there is none.
 */
function isolatedLiquidation(asset: MockAsset, p: MockPosition, size: Decimal): Decimal {
  const long = p.szi.gt(0);
  const surplus = (price: Decimal) => p.margin.add(price.sub(p.entryPx).mul(p.szi)).sub(maintenanceOf(asset, size.mul(price)));
  let safe = p.entryPx;
  let gone = long ? new Decimal(0) : p.entryPx.mul(100);
  if (surplus(gone).gt(0)) return new Decimal(0);
  for (let i = 0; i < 100; i++) {
    const mid = safe.add(gone).div(2);
    if (surplus(mid).gt(0)) safe = mid;
    else gone = mid;
  }
  return gone;
}

function openOf(account: MockAccount | undefined): MockOrder[] {
  return (account?.orders ?? []).filter((o) => o.status === 'open');
}

function openOrder(o: MockOrder) {
  return {
    coin: o.coin,
    side: o.side,
    limitPx: o.limitPx,
    sz: num(o.sz),
    oid: o.oid,
    timestamp: o.timestamp,
    origSz: o.origSz,
    ...(o.cloid ? { cloid: o.cloid } : {}),
    ...(o.reduceOnly ? { reduceOnly: true } : {}),
  };
}

function frontendOrder(o: MockOrder) {
  const orderType = o.isTrigger ? `${o.tpsl === 'sl' ? 'Stop' : 'Take Profit'} ${o.isMarket ? 'Market' : 'Limit'}` : 'Limit';
  const firesBelow = (o.tpsl === 'sl') !== (o.side === 'B');
  return {
    coin: o.coin,
    side: o.side,
    limitPx: o.limitPx,
    sz: num(o.sz),
    oid: o.oid,
    timestamp: o.timestamp,
    origSz: o.origSz,
    triggerCondition: o.isTrigger ? `Price ${firesBelow ? 'below' : 'above'} ${o.triggerPx}` : 'N/A',
    isTrigger: o.isTrigger,
    triggerPx: o.triggerPx,
    children: [],
    isPositionTpsl: o.isPositionTpsl,
    reduceOnly: o.reduceOnly,
    orderType,
    tif: o.isTrigger ? null : o.tif,
    cloid: o.cloid,
  };
}

function inRange<T extends { time: number }>(items: T[], startTime: unknown, endTime: unknown): T[] {
  const start = typeof startTime === 'number' ? startTime : 0;
  const end = typeof endTime === 'number' ? endTime : Number.MAX_SAFE_INTEGER;
  return items.filter((i) => i.time >= start && i.time <= end).sort((a, b) => a.time - b.time);
}

/** Bars from the prices set so far: each bar's OHLC from the points inside it, else flat at the last price before it. */
function candles(ex: MockExchange, req: Record<string, any>, now: number) {
  const coin = String(req.coin);
  const step = CANDLE_MS[String(req.interval)];
  if (!step) throw new UnknownInfoRequest(`candleSnapshot interval ${String(req.interval)}`);
  const points = ex.history.get(coin) ?? [];
  if (points.length === 0) return [];
  const end = Math.min(typeof req.endTime === 'number' ? req.endTime : now, now);
  let open = Math.ceil(Number(req.startTime ?? 0) / step) * step;
  open = Math.max(open, Math.floor(end / step) * step - 4999 * step);
  const out = [];
  for (; open <= end; open += step) {
    const before = points.filter((p) => p.time < open).at(-1)?.px ?? points[0]!.px;
    const inside = points.filter((p) => p.time >= open && p.time < open + step).map((p) => p.px);
    const all = [before, ...inside];
    out.push({
      t: open,
      T: open + step - 1,
      s: coin,
      i: req.interval,
      o: num(before),
      c: num(all.at(-1)!),
      h: num(Decimal.max(...all)),
      l: num(Decimal.min(...all)),
      v: '0.0',
      n: inside.length,
    });
  }
  return out;
}
