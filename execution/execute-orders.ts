import type { Kysely } from 'kysely';
import type { Database, OrdersTable } from '../db/schema';
import { recordOrder } from '../ledger/orders';
import { recordOpenedTrade } from '../ledger/trades';
import type { PlannedOrder } from '../risk/pre-trade-check';
import { OrderRequest, Venue, VenueOrder, VenueRejection } from '../venues/venue';
import { clientOrderId } from './client-order-id';

export interface ExecutionResult {
  symbol: string;
  leg: 'open' | 'close' | 'stop_loss' | 'take_profit' | 'emergency_close';
  clientOrderId: string;
  status: 'filled' | 'placed' | 'rejected';
  quantity?: number;
  price?: number;
  fee?: number;
  error?: string;
}

export interface ExecutionContext {
  db: Kysely<Database>;
  venue: Venue;
  agentId: string;
  cycleNo: number;
}

/**
 * Closes first, then opens; each open is protected by a close-position stop-loss and take-profit right
 * after its fill, and closed again at once if the protection cannot be placed. Each order is looked up
 * by its deterministic client id before it is placed, so running this again never places twice.
 * A venue refusal is recorded as a rejected leg; any other error propagates for the activity to retry.
 */
export async function executeOrders(ctx: ExecutionContext, orders: PlannedOrder[]): Promise<ExecutionResult[]> {
  const results: ExecutionResult[] = [];
  for (const order of orders.filter((o) => o.kind === 'close')) results.push(await closePosition(ctx, order));
  for (const order of orders.filter((o) => o.kind === 'open')) results.push(...(await openPosition(ctx, order)));
  return results;
}

async function closePosition(ctx: ExecutionContext, order: PlannedOrder): Promise<ExecutionResult> {
  return placeOnce(ctx, 'close', order.symbol, {
    symbol: order.symbol, side: order.side === 'long' ? 'SELL' : 'BUY', type: 'MARKET',
    quantity: order.quantity, reduceOnly: true,
  });
}

async function openPosition(ctx: ExecutionContext, order: PlannedOrder): Promise<ExecutionResult[]> {
  const { venue } = ctx;
  try {
    await venue.setMarginType(order.symbol, 'isolated');
    await venue.setLeverage(order.symbol, order.leverage);
  } catch (err) {
    if (!(err instanceof VenueRejection)) throw err;
    return [rejected('open', order.symbol, clientOrderId(ctx.agentId, ctx.cycleNo, `open:${order.symbol}`), err)];
  }
  const entrySide = order.side === 'long' ? 'BUY' : 'SELL';
  const exitSide = order.side === 'long' ? 'SELL' : 'BUY';
  const open = await placeOnce(ctx, 'open', order.symbol, {
    symbol: order.symbol, side: entrySide, type: 'MARKET', quantity: order.quantity,
  }, (fill) => recordOpenedTrade(ctx.db, {
    agentId: ctx.agentId, cycleNo: ctx.cycleNo, symbol: order.symbol, side: order.side, leverage: order.leverage,
    fill, stopLoss: order.stopLoss ?? null, takeProfit: order.takeProfit ?? null,
  }));
  if (open.status !== 'filled') return [open];

  const results = [open];
  const protections: Array<[ExecutionResult['leg'], OrderRequest['type'], string | undefined]> = [
    ['stop_loss', 'STOP_MARKET', order.stopLoss],
    ['take_profit', 'TAKE_PROFIT_MARKET', order.takeProfit],
  ];
  for (const [leg, type, stopPrice] of protections) {
    const placed = await placeOnce(ctx, leg, order.symbol, {
      symbol: order.symbol, side: exitSide, type, stopPrice, closePosition: true,
    });
    results.push(placed);
    if (placed.status === 'rejected') {
      // An unprotected position is never left open.
      const emergency = await placeOnce(ctx, 'emergency_close', order.symbol, {
        symbol: order.symbol, side: exitSide, type: 'MARKET', quantity: String(open.quantity), reduceOnly: true,
      });
      results.push({ ...emergency, error: `closed because ${leg} could not be placed: ${placed.error}` });
      break;
    }
  }
  return results;
}

const PURPOSE: Record<ExecutionResult['leg'], OrdersTable['purpose']> = {
  open: 'open', close: 'close', emergency_close: 'close', stop_loss: 'stop_loss', take_profit: 'take_profit',
};

async function placeOnce(
  ctx: ExecutionContext, leg: ExecutionResult['leg'], symbol: string, request: Omit<OrderRequest, 'clientOrderId'>,
  onFilled?: (order: VenueOrder) => Promise<void>,
): Promise<ExecutionResult> {
  const id = clientOrderId(ctx.agentId, ctx.cycleNo, `${leg}:${symbol}`);
  let order = await ctx.venue.getOrder(symbol, id);
  if (!order) {
    try {
      order = await ctx.venue.placeOrder({ ...request, clientOrderId: id });
    } catch (err) {
      if (err instanceof VenueRejection) return rejected(leg, symbol, id, err);
      throw err;
    }
  }
  await recordOrder(ctx.db, {
    agentId: ctx.agentId, cycleNo: ctx.cycleNo, venue: ctx.venue.venue, account: ctx.venue.account, purpose: PURPOSE[leg],
  }, order);
  if (order.status === 'FILLED' && onFilled) await onFilled(order);
  return {
    symbol, leg, clientOrderId: id,
    status: order.status === 'FILLED' ? 'filled' : 'placed',
    quantity: order.executedQty || order.quantity,
    price: order.avgPrice ?? order.stopPrice ?? undefined,
    fee: order.fee,
  };
}

function rejected(leg: ExecutionResult['leg'], symbol: string, id: string, err: VenueRejection): ExecutionResult {
  return { symbol, leg, clientOrderId: id, status: 'rejected', error: `${err.code}: ${err.message}` };
}
