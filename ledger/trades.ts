import Decimal from 'decimal.js';
import type { PositionSide, Venue, VenueOrder, VenuePosition } from '../venues/venue';
import type { AgentLedger, OpenTrade } from './agent-ledger';

export interface ClosedTrade {
  symbol: string;
  side: PositionSide;
  reason: string;
  exitPrice: number;
  pnl: number;
}

/**
 * The venue is the truth: every trade open in the agent's books (`open`, read once by the caller)
 * whose position is gone from `positions` (the venue's, read once by the caller) is closed with the
 * venue's fill (price, fee), the funding paid or received while it was open, and the reason read off
 * the closing order: our own close, stop-loss, take-profit, liquidation, or by hand.
 */
export async function reconcileClosedTrades(
  ledger: AgentLedger,
  venue: Venue,
  positions: readonly VenuePosition[],
  open: readonly OpenTrade[],
  cycleNo: number,
): Promise<ClosedTrade[]> {
  const gone = open.filter((t) => !positions.some((p) => p.symbol === t.symbol && p.side === t.side));
  if (gone.length === 0) return [];

  const since = Math.min(...gone.map((t) => t.openedAt));
  const fills = await venue.filledOrders(since, [...new Set(gone.map((t) => t.symbol))]);
  const income = await venue.income(since);
  const closed: ClosedTrade[] = [];
  for (const trade of gone) {
    const opened = trade.openedAt;
    const exit = fills.find(
      (o) =>
        o.symbol === trade.symbol &&
        o.updatedAt >= opened &&
        o.clientOrderId !== trade.openOrderId &&
        o.side === (trade.side === 'long' ? 'SELL' : 'BUY'),
    );
    if (!exit) continue; // The venue has not reported the closing fill yet; the next sync will.
    // Our own closes are recorded when placed; the venue's (stop-loss, take-profit, liquidation, by hand) here.
    await ledger.saveFill(venue.venue, venue.account, exit);
    // A stop-loss or take-profit of ours that the venue filled: our record of it follows the venue.
    await ledger.updateOrder(exit);
    const closedAt = exit.updatedAt;
    // Funding settled at the instant the trade opened belongs to the position before it (venues/paper/settlement.ts).
    const within = income.filter((i) => i.symbol === trade.symbol && i.time > opened && i.time <= closedAt);
    const funding = sum(within.filter((i) => i.type === 'FUNDING_FEE').map((i) => i.amount));
    const clearance = sum(
      within.filter((i) => i.type === 'INSURANCE_CLEAR' && i.clientOrderId === exit.clientOrderId).map((i) => i.amount),
    );
    const quantity = new Decimal(trade.quantity);
    const exitPrice = new Decimal(exit.avgPrice ?? 0);
    const gross = exitPrice
      .sub(trade.entryPrice)
      .mul(quantity)
      .mul(trade.side === 'long' ? 1 : -1);
    const fees = new Decimal(trade.fees).add(exit.fee);
    const pnl = gross.sub(fees).add(funding).add(clearance);
    const reason = closeReason(exit, (await ledger.orderPurpose(exit.clientOrderId)) === 'close');
    await ledger.closeTrade(trade.id, {
      exitPrice: exitPrice.toString(),
      closeCycle: cycleNo,
      closeOrderId: exit.clientOrderId,
      closedAt,
      fees: fees.toString(),
      funding: funding.toString(),
      realizedPnl: gross.toString(),
      pnl: pnl.toString(),
      reason,
    });
    closed.push({ symbol: trade.symbol, side: trade.side, reason, exitPrice: exitPrice.toNumber(), pnl: pnl.toNumber() });
  }
  return closed;
}

function closeReason(exit: VenueOrder, placedByAgent: boolean): string {
  if (exit.type === 'STOP_MARKET') return 'stop_loss';
  if (exit.type === 'TAKE_PROFIT_MARKET') return 'take_profit';
  if (exit.type === 'LIQUIDATION') return 'liquidation';
  return placedByAgent ? 'signal' : 'manual';
}

function sum(values: number[]): Decimal {
  return values.reduce((acc, v) => acc.add(v), new Decimal(0));
}
