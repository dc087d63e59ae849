import Decimal from 'decimal.js';
import type { Candle, MarketDataSource } from '../../market/types';
import { INTERVAL_MS } from '../../market/types';
import { liquidationPrice } from '../symbol-rules';
import type { MarginBracket } from '../venue';
import type { PaperLedger, PaperOrder, PaperPosition } from './books';
import { type PaperTerms, bookIncome, fillTriggered, liquidate } from './fills';
import { liquidationPriceOf } from './position-math';

/**
 * What happened in the market between the account's clock and now, applied to its positions.
 *
 * Bars: a position is checked against each 3m bar that closed after the clock and at or before now,
 * bar by bar across all symbols (so settling in one call or in several gives the same books). Prices
 * are the bars' last prices, standing in for the mark price. Within a bar:
 *  1. At the open first, since it is the bar's first price: an open at or beyond the liquidation price
 *     liquidates, whatever stop the position has (the mark crosses the liquidation price before any
 *     stop could fill: a gap through both never fills the stop below the bankruptcy price); else an
 *     open beyond the stop-loss fills it at the open; else an open beyond the take-profit fills it at
 *     the open.
 *  2. Then the adverse extreme, assumed to come first (the pessimistic reading of a bar): the stop-loss
 *     at its price if it lies before the liquidation price, else the liquidation at its price.
 *  3. Then the favourable extreme: the take-profit at its price.
 * A liquidation costs the isolated margin and never more (fills.ts). Stop and take-profit fills take
 * slippage and the taker fee; the slippage is assumed smaller than the maintenance margin rate (as it
 * is), so a stop that fires before the liquidation price never fills past the bankruptcy price.
 *
 * Funding: a funding row belongs to the settlement scheduled at its timestamp rounded to the hour
 * (rows come stamped a few ms late, e.g. 00:00:00.002; Binance's 1h, 4h and 8h intervals all settle
 * on the hour). The settlement at T is applied to the positions open when the bar closing at T has
 * closed and its triggers are done, at that bar's close price, before anything the cycle at T does:
 * the venue settles the market up to T before it executes a call made at market time T. So a position
 * closed by the cycle at 00:00 pays the 00:00 funding; one opened by it does not. A settlement whose
 * bar is missing from the data is applied at the next bar's close (then booked at that close). A
 * payment that moves the liquidation price past that close liquidates the position at once.
 */

const BAR_MS = INTERVAL_MS['3m'];
/** Settlement instants fall on full hours whatever the funding interval. */
export const FUNDING_SCHEDULE_MS = 60 * 60_000;

/** The scheduled settlement instant a funding row's timestamp belongs to. */
export function fundingInstant(time: number): number {
  return Math.round(time / FUNDING_SCHEDULE_MS) * FUNDING_SCHEDULE_MS;
}

export interface FundingSettlement {
  /** The scheduled instant. */
  time: number;
  rate: number;
}

/** One symbol's market between two clocks: its bars closed in (from, to] and its funding due in (from, to]. */
export interface SymbolMoves {
  symbol: string;
  bars: readonly Candle[];
  funding: readonly FundingSettlement[];
}

/** Reads the market the positions went through; changes nothing. */
export async function marketMoves(market: MarketDataSource, symbols: readonly string[], from: number, to: number): Promise<SymbolMoves[]> {
  const moves: SymbolMoves[] = [];
  for (const symbol of [...symbols].sort()) {
    const bars = await market.barsBetween(symbol, from - BAR_MS + 1, to - BAR_MS);
    const half = FUNDING_SCHEDULE_MS / 2;
    const rows = await market.fundingBetween(symbol, from - half, to + half);
    const funding: FundingSettlement[] = [];
    for (const row of rows) {
      const time = fundingInstant(row.time);
      if (time > from && time <= to && funding.at(-1)?.time !== time) funding.push({ time, rate: row.rate });
    }
    moves.push({ symbol, bars, funding });
  }
  return moves;
}

/** Applies the moves (from marketMoves, for the ledger's positions) and moves the clock to `to`. */
export function settleMoves(ledger: PaperLedger, terms: PaperTerms, moves: readonly SymbolMoves[], to: number): void {
  const nextBar = new Array<number>(moves.length).fill(0);
  const nextFunding = new Array<number>(moves.length).fill(0);
  for (;;) {
    // The earliest close not settled yet, across symbols.
    let close = Infinity;
    for (let i = 0; i < moves.length; i++) {
      const bar = moves[i]!.bars[nextBar[i]!];
      if (bar && bar.openTime + BAR_MS < close) close = bar.openTime + BAR_MS;
    }
    if (close === Infinity) break;
    for (let i = 0; i < moves.length; i++) {
      const { symbol, bars, funding } = moves[i]!;
      const bar = bars[nextBar[i]!];
      if (!bar || bar.openTime + BAR_MS !== close) continue;
      nextBar[i]!++;
      let position = ledger.positions.get(symbol) ?? null;
      if (position) position = settleBar(ledger, terms, symbol, position, bar, close);
      for (let f = nextFunding[i]!; f < funding.length && funding[f]!.time <= close; f = ++nextFunding[i]!) {
        if (position) position = settleFunding(ledger, terms, symbol, position, funding[f]!, bar, close);
      }
    }
  }
  ledger.setClock(to);
}

/**
 * Positive rate: longs pay shorts. The isolated margin absorbs the payment; a payment that brings the
 * liquidation price past the mark liquidates the position there and then.
 */
function settleFunding(
  ledger: PaperLedger,
  terms: PaperTerms,
  symbol: string,
  position: PaperPosition,
  f: FundingSettlement,
  bar: Candle,
  time: number,
): PaperPosition | null {
  const payment = position.quantity
    .mul(bar.close)
    .mul(f.rate)
    .mul(position.side === 'long' ? -1 : 1);
  const next = { ...position, margin: position.margin.add(payment) };
  ledger.setPosition(symbol, next);
  bookIncome(ledger, symbol, 'FUNDING_FEE', payment, null, time);
  const brackets = terms.rules(symbol).marginBrackets;
  const liq = liquidationPriceOf(next, brackets);
  const beyond = next.side === 'long' ? bar.close <= liq : bar.close >= liq;
  return beyond ? liquidated(ledger, symbol, next, brackets, time) : next;
}

/** One bar against one position (the order of events is in the module comment). */
function settleBar(
  ledger: PaperLedger,
  terms: PaperTerms,
  symbol: string,
  position: PaperPosition,
  bar: Candle,
  time: number,
): PaperPosition | null {
  const long = position.side === 'long';
  const brackets = terms.rules(symbol).marginBrackets;
  const liq = liquidationPriceOf(position, brackets);
  let stop: PaperOrder | undefined;
  let takeProfit: PaperOrder | undefined;
  for (const o of ledger.openOrders.values()) {
    if (o.symbol !== symbol) continue;
    if (o.type === 'STOP_MARKET') stop ??= o;
    else if (o.type === 'TAKE_PROFIT_MARKET') takeProfit ??= o;
  }
  const stopPrice = stop ? Number(stop.stopPrice) : NaN;
  const takeProfitPrice = takeProfit ? Number(takeProfit.stopPrice) : NaN;
  // "Reached" in the position's adverse direction (down for a long) and in its favourable one.
  const adverse = (price: number, level: number) => (long ? price <= level : price >= level);
  const favourable = (price: number, level: number) => (long ? price >= level : price <= level);

  if (adverse(bar.open, liq)) return liquidated(ledger, symbol, position, brackets, time);
  if (stop && adverse(bar.open, stopPrice)) return fillTriggered(ledger, terms, stop, position, new Decimal(bar.open), time);
  if (takeProfit && favourable(bar.open, takeProfitPrice)) {
    return fillTriggered(ledger, terms, takeProfit, position, new Decimal(bar.open), time);
  }
  const worst = long ? bar.low : bar.high;
  const stopBeforeLiquidation = long ? stopPrice >= liq : stopPrice <= liq;
  if (stop && stopBeforeLiquidation && adverse(worst, stopPrice)) {
    return fillTriggered(ledger, terms, stop, position, new Decimal(stop.stopPrice!), time);
  }
  if (adverse(worst, liq)) return liquidated(ledger, symbol, position, brackets, time);
  if (takeProfit && favourable(long ? bar.high : bar.low, takeProfitPrice)) {
    return fillTriggered(ledger, terms, takeProfit, position, new Decimal(takeProfit.stopPrice!), time);
  }
  return position;
}

function liquidated(ledger: PaperLedger, symbol: string, position: PaperPosition, brackets: readonly MarginBracket[], time: number): null {
  liquidate(ledger, symbol, position, liquidationPrice(position, brackets), time);
  return null;
}
