import Decimal from 'decimal.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { PositionSide, Venue, VenueOrder } from '../venues/venue';
import { recordFill } from './fills';

export interface OpenedTrade {
  agentId: string;
  cycleNo: number;
  symbol: string;
  side: PositionSide;
  leverage: number;
  fill: VenueOrder;
  stopLoss: string | null;
  takeProfit: string | null;
}

/** Records a filled opening order as an open trade; once per opening order. */
export async function recordOpenedTrade(db: Kysely<Database>, t: OpenedTrade): Promise<void> {
  const price = new Decimal(t.fill.avgPrice ?? 0);
  const quantity = new Decimal(t.fill.executedQty);
  await db.insertInto('trades').values({
    agent_id: t.agentId, symbol: t.symbol, side: t.side, quantity: quantity.toString(), leverage: t.leverage,
    margin: quantity.mul(price).div(t.leverage).toString(), entry_price: price.toString(),
    stop_loss: t.stopLoss, take_profit: t.takeProfit, open_cycle: t.cycleNo, open_order_id: t.fill.clientOrderId,
    opened_at: new Date(t.fill.updatedAt), fees: t.fill.fee, funding: 0, status: 'open',
  }).onConflict((oc) => oc.columns(['agent_id', 'open_order_id']).doNothing()).execute();
}

export interface ClosedTrade {
  symbol: string;
  side: PositionSide;
  reason: string;
  exitPrice: number;
  pnl: number;
}

/**
 * The venue is the truth: every trade still open in our books whose position is gone on the venue is
 * closed with the venue's fill (price, fee), the funding paid or received while it was open, and the
 * reason read off the closing order: our own close, stop-loss, take-profit, liquidation, or by hand.
 */
export async function reconcileClosedTrades(
  db: Kysely<Database>, venue: Venue, agentId: string, cycleNo: number,
): Promise<ClosedTrade[]> {
  const open = await db.selectFrom('trades').selectAll()
    .where('agent_id', '=', agentId).where('status', '=', 'open').orderBy('id').execute();
  if (open.length === 0) return [];
  const positions = await venue.positions();
  const gone = open.filter((t) => !positions.some((p) => p.symbol === t.symbol && p.side === t.side));
  if (gone.length === 0) return [];

  const since = Math.min(...gone.map((t) => t.opened_at.getTime()));
  const fills = await venue.filledOrders(since, [...new Set(gone.map((t) => t.symbol))]);
  const income = await venue.income(since);
  const closed: ClosedTrade[] = [];
  for (const trade of gone) {
    const opened = trade.opened_at.getTime();
    const exit = fills.find((o) => o.symbol === trade.symbol && o.updatedAt >= opened
      && o.clientOrderId !== trade.open_order_id && o.side === (trade.side === 'long' ? 'SELL' : 'BUY'));
    if (!exit) continue; // The venue has not reported the closing fill yet; the next sync will.
    // Our own closes are recorded when placed; the venue's (stop-loss, take-profit, liquidation, by hand) here.
    await recordFill(db, { agentId, venue: venue.venue, account: venue.account }, exit);
    // A stop-loss or take-profit of ours that the venue filled: our record of it follows the venue.
    await db.updateTable('orders').set({
      status: exit.status, avg_price: exit.avgPrice, executed_qty: exit.executedQty, fee: exit.fee, updated_at: new Date(),
    }).where('agent_id', '=', agentId).where('client_order_id', '=', exit.clientOrderId).execute();
    const closedAt = exit.updatedAt;
    const within = income.filter((i) => i.symbol === trade.symbol && i.time >= opened && i.time <= closedAt);
    const funding = sum(within.filter((i) => i.type === 'FUNDING_FEE').map((i) => i.amount));
    const clearance = sum(within.filter((i) => i.type === 'INSURANCE_CLEAR' && i.clientOrderId === exit.clientOrderId).map((i) => i.amount));
    const quantity = new Decimal(trade.quantity);
    const exitPrice = new Decimal(exit.avgPrice ?? 0);
    const gross = exitPrice.sub(trade.entry_price).mul(quantity).mul(trade.side === 'long' ? 1 : -1);
    const fees = new Decimal(trade.fees).add(exit.fee);
    const pnl = gross.sub(fees).add(funding).add(clearance);
    const ours = await db.selectFrom('orders').select('purpose')
      .where('agent_id', '=', agentId).where('client_order_id', '=', exit.clientOrderId).executeTakeFirst();
    const reason = closeReason(exit, ours?.purpose === 'close');
    await db.updateTable('trades').set({
      status: 'closed', exit_price: exitPrice.toString(), close_cycle: cycleNo, close_order_id: exit.clientOrderId,
      closed_at: new Date(closedAt), fees: fees.toString(), funding: funding.toString(),
      realized_pnl: gross.toString(), pnl: pnl.toString(), close_reason: reason,
    }).where('id', '=', trade.id).where('status', '=', 'open').execute();
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
