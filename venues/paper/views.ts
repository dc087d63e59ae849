import Decimal from 'decimal.js';
import type { MarketDataSource } from '../../market/types';
import { VenueRejection, type VenueBalance, type VenueIncome, type VenueOrder, type VenuePosition } from '../venue';
import type { PaperIncome, PaperLedger, PaperOrder, PaperPosition } from './books';
import type { PaperTerms } from './fills';
import { liquidationPriceOf, unrealizedPnl } from './position-math';

/** What the books look like from outside: balance, positions, orders and income in the venue interface's shapes. */

/** The mark price at `asOf`: the close of the last 3m bar closed by then. */
export async function markPrice(market: MarketDataSource, symbol: string, asOf: number): Promise<Decimal> {
  const [last] = await market.candles(symbol, '3m', asOf, 1);
  if (!last) throw new VenueRejection('NO_PRICE', `no price for ${symbol} at ${new Date(asOf).toISOString()}`);
  return new Decimal(last.close);
}

/** Positions by symbol, so that sums and lists come out the same whatever order the books keep them in. */
function bySymbol(ledger: PaperLedger): Array<[string, PaperPosition]> {
  return [...ledger.positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function balanceOf(ledger: PaperLedger, market: MarketDataSource, now: number): Promise<VenueBalance> {
  let marginUsed = new Decimal(0);
  let unrealized = new Decimal(0);
  for (const [symbol, p] of bySymbol(ledger)) {
    marginUsed = marginUsed.add(p.margin);
    unrealized = unrealized.add(unrealizedPnl(p, await markPrice(market, symbol, now)));
  }
  return {
    availableBalance: ledger.cash.toNumber(),
    marginUsed: marginUsed.toNumber(),
    unrealizedPnl: unrealized.toNumber(),
    equity: ledger.cash.add(marginUsed).add(unrealized).toNumber(),
  };
}

export async function positionsOf(ledger: PaperLedger, terms: PaperTerms, market: MarketDataSource, now: number): Promise<VenuePosition[]> {
  const out: VenuePosition[] = [];
  for (const [symbol, p] of bySymbol(ledger)) {
    const mark = await markPrice(market, symbol, now);
    out.push({
      symbol,
      side: p.side,
      quantity: p.quantity.toNumber(),
      entryPrice: p.entryPrice.toNumber(),
      markPrice: mark.toNumber(),
      unrealizedPnl: unrealizedPnl(p, mark).toNumber(),
      leverage: p.leverage,
      margin: p.margin.toNumber(),
      liquidationPrice: liquidationPriceOf(p, terms.rules(symbol).marginBrackets),
      marginType: 'isolated',
      openedAt: p.openedAt,
    });
  }
  return out;
}

export function toVenueOrder(o: PaperOrder): VenueOrder {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.orderId ?? '',
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    status: o.status,
    quantity: Number(o.quantity),
    executedQty: Number(o.executedQty),
    avgPrice: o.avgPrice === null ? null : Number(o.avgPrice),
    stopPrice: o.stopPrice === null ? null : Number(o.stopPrice),
    fee: Number(o.fee),
    realizedPnl: Number(o.realizedPnl),
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    createdAt: o.createdTime,
    updatedAt: o.updateTime,
  };
}

export function toVenueIncome(i: PaperIncome): VenueIncome {
  return { symbol: i.symbol, type: i.type, amount: Number(i.amount), clientOrderId: i.clientOrderId, time: i.time };
}
