import type { AgentLedger } from '../ledger/agent-ledger';
import type { PlannedOrder } from '../risk/types';
import { OrderRequest, PositionSide, Venue, VenueOrder, VenueRejection } from '../venues/venue';
import { clientOrderId } from './client-order-id';
import { type Leg, PURPOSE } from './legs';

export type { Leg } from './legs';

export interface ExecutionResult {
  symbol: string;
  leg: Leg;
  clientOrderId: string;
  status: 'filled' | 'placed' | 'canceled' | 'rejected';
  quantity?: number;
  price?: number;
  fee?: number;
  error?: string;
}

/** A position found without its stop-loss or take-profit on the venue, and the prices to put back. */
export interface ProtectionPlan {
  symbol: string;
  side: PositionSide;
  quantity: number;
  stopLoss?: string;
  takeProfit?: string;
}

export interface ExecutionPlan {
  orders: PlannedOrder[];
  /** Positions to protect again (a crash between a fill and its protection, a protection cancelled by hand). */
  protect: ProtectionPlan[];
  /** Protective orders left behind on symbols that no longer hold a position. */
  cancel: Array<{ symbol: string; clientOrderId: string }>;
}

export interface ExecutionContext {
  ledger: AgentLedger;
  venue: Venue;
  cycleNo: number;
  /** Throws (FencingRejected) when this order phase may no longer touch the venue; run before every order and cancel. */
  checkFence: () => Promise<void>;
  /** Pause between attempts to place a protection that failed for a passing reason. */
  retryDelayMs?: number;
}

const PROTECTION_ATTEMPTS = 3;

/**
 * One order phase, under the trading lock: leftover protection cancelled, closes, positions protected
 * again, then opens, each protected by a close-position stop-loss and take-profit right after its
 * fill. A protection that cannot be placed (refused, or failing after retries) closes its position at
 * once: no position is left unprotected. Every order is looked up by its deterministic client id
 * before it is placed, so running the phase again never places anything twice. A venue refusal is a
 * rejected leg; other errors propagate for the activity to retry.
 */
export async function executeOrders(ctx: ExecutionContext, plan: ExecutionPlan): Promise<ExecutionResult[]> {
  const results: ExecutionResult[] = [];
  const opens = plan.orders.filter((o) => o.kind === 'open');
  // An earlier attempt of this phase may have opened a position and lost the answer: it is found by its
  // client id and recorded and protected before anything else, so that no failure later in this
  // attempt (a cancel, a close) can leave it bare.
  const earlier = new Map<string, VenueOrder | null>();
  for (const order of opens) earlier.set(order.symbol, await ctx.venue.getOrder(order.symbol, openId(ctx, order.symbol)));
  for (const order of opens.filter((o) => earlier.get(o.symbol)))
    results.push(...(await openPosition(ctx, order, earlier.get(order.symbol)!)));
  for (const leftover of plan.cancel) results.push(await cancelOnce(ctx, leftover.symbol, leftover.clientOrderId));
  for (const order of plan.orders.filter((o) => o.kind === 'close')) results.push(...(await closePosition(ctx, order)));
  for (const p of plan.protect) results.push(...(await protect(ctx, p, 'again')));
  for (const order of opens.filter((o) => !earlier.get(o.symbol))) results.push(...(await openPosition(ctx, order, null)));
  return results;
}

const openId = (ctx: ExecutionContext, symbol: string) => clientOrderId(ctx.ledger.agentId, ctx.cycleNo, `open:${symbol}`);

async function closePosition(ctx: ExecutionContext, order: PlannedOrder): Promise<ExecutionResult[]> {
  const closed = await placeOnce(ctx, 'close', order.symbol, order.symbol, {
    symbol: order.symbol,
    side: order.side === 'long' ? 'SELL' : 'BUY',
    type: 'MARKET',
    quantity: order.quantity,
    reduceOnly: true,
  });
  if (closed.status !== 'filled') return [closed];
  return [closed, ...(await cancelLeftovers(ctx, order.symbol))];
}

/** Once a symbol is flat, its remaining stop-loss / take-profit orders go; never on a symbol still held. */
async function cancelLeftovers(ctx: ExecutionContext, symbol: string): Promise<ExecutionResult[]> {
  if ((await ctx.venue.positions()).some((p) => p.symbol === symbol)) return [];
  const open = await ctx.venue.openOrders(symbol);
  const results: ExecutionResult[] = [];
  for (const o of open) results.push(await cancelOnce(ctx, symbol, o.clientOrderId));
  return results;
}

/** `earlier`: the open as the venue holds it from an earlier attempt (then only recorded and protected), or null. */
async function openPosition(ctx: ExecutionContext, order: PlannedOrder, earlier: VenueOrder | null): Promise<ExecutionResult[]> {
  const { venue } = ctx;
  if (!earlier) {
    try {
      await ctx.checkFence();
      // Settings are idempotent: one whose answer was lost is simply set again.
      await retryPassing(ctx, () => venue.setMarginType(order.symbol, 'isolated'));
      await retryPassing(ctx, () => venue.setLeverage(order.symbol, order.leverage));
    } catch (err) {
      if (!(err instanceof VenueRejection)) throw err;
      return [rejected('open', order.symbol, openId(ctx, order.symbol), err)];
    }
  }
  const open = await placeOnce(
    ctx,
    'open',
    order.symbol,
    order.symbol,
    {
      symbol: order.symbol,
      side: order.side === 'long' ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity: order.quantity,
    },
    (fill) =>
      ctx.ledger.openTrade({
        cycleNo: ctx.cycleNo,
        symbol: order.symbol,
        side: order.side,
        leverage: order.leverage,
        fill,
        stopLoss: order.stopLoss ?? null,
        takeProfit: order.takeProfit ?? null,
      }),
    earlier,
  );
  if (open.status !== 'filled') return [open];
  const protection = await protect(
    ctx,
    {
      symbol: order.symbol,
      side: order.side,
      quantity: open.quantity ?? Number(order.quantity),
      stopLoss: order.stopLoss,
      takeProfit: order.takeProfit,
    },
    null,
  );
  return [open, ...protection];
}

/**
 * Places the missing protective orders of a position; closes the position when one cannot be placed.
 * `tag` tells a re-protection from the protection placed right after the entry in the same cycle.
 */
async function protect(ctx: ExecutionContext, p: ProtectionPlan, tag: string | null): Promise<ExecutionResult[]> {
  const key = tag ? `${p.symbol}:${tag}` : p.symbol;
  const exitSide = p.side === 'long' ? 'SELL' : 'BUY';
  const results: ExecutionResult[] = [];
  const legs: Array<[Exclude<Leg, 'cancel'>, OrderRequest['type'], string | undefined]> = [
    ['stop_loss', 'STOP_MARKET', p.stopLoss],
    ['take_profit', 'TAKE_PROFIT_MARKET', p.takeProfit],
  ];
  for (const [leg, type, stopPrice] of legs) {
    if (stopPrice === undefined) continue;
    const placed = await withRetries(ctx, leg, p.symbol, () =>
      placeOnce(ctx, leg, p.symbol, key, {
        symbol: p.symbol,
        side: exitSide,
        type,
        stopPrice,
        closePosition: true,
      }),
    );
    results.push(placed);
    if (placed.status === 'rejected') {
      const emergency = await placeOnce(ctx, 'emergency_close', p.symbol, key, {
        symbol: p.symbol,
        side: exitSide,
        type: 'MARKET',
        quantity: String(p.quantity),
        reduceOnly: true,
      });
      results.push({ ...emergency, error: `closed because the ${leg.replace('_', '-')} could not be placed: ${placed.error}` });
      if (emergency.status === 'filled') results.push(...(await cancelLeftovers(ctx, p.symbol)));
      break;
    }
  }
  return results;
}

/** Retries a protection that failed for a passing reason; after the last attempt it counts as refused. */
async function withRetries(
  ctx: ExecutionContext,
  leg: Exclude<Leg, 'cancel'>,
  symbol: string,
  attempt: () => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  try {
    return await retryPassing(ctx, attempt);
  } catch (err) {
    if (err instanceof Error && err.name === 'FencingRejected') throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { symbol, leg, clientOrderId: '', status: 'rejected', error: `failed ${PROTECTION_ATTEMPTS} times: ${message}` };
  }
}

/**
 * Runs a step that is safe to repeat (a lookup-then-place, a setting) up to PROTECTION_ATTEMPTS times
 * while it fails for a passing reason; a refusal or a lost lease ends it at once. Throws the last error.
 */
async function retryPassing<T>(ctx: ExecutionContext, step: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await step();
    } catch (err) {
      const final = err instanceof VenueRejection || (err instanceof Error && err.name === 'FencingRejected');
      if (final || i + 1 >= PROTECTION_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, (ctx.retryDelayMs ?? 500) * 2 ** i));
    }
  }
}

async function placeOnce(
  ctx: ExecutionContext,
  leg: Exclude<Leg, 'cancel'>,
  symbol: string,
  key: string,
  request: Omit<OrderRequest, 'clientOrderId'>,
  onFilled?: (order: VenueOrder) => Promise<void>,
  /** The venue's answer to the lookup by client id, when the caller has just asked it. */
  lookedUp?: VenueOrder | null,
): Promise<ExecutionResult> {
  const id = clientOrderId(ctx.ledger.agentId, ctx.cycleNo, `${leg}:${key}`);
  let order = lookedUp !== undefined ? lookedUp : await ctx.venue.getOrder(symbol, id);
  if (!order) {
    await ctx.checkFence();
    try {
      order = await ctx.venue.placeOrder({ ...request, clientOrderId: id });
    } catch (err) {
      if (err instanceof VenueRejection) return rejected(leg, symbol, id, err);
      throw err;
    }
  }
  await ctx.ledger.saveOrder({ cycleNo: ctx.cycleNo, venue: ctx.venue.venue, account: ctx.venue.account }, PURPOSE[leg], order);
  await ctx.ledger.saveFill(ctx.venue.venue, ctx.venue.account, order);
  if (order.status === 'FILLED' && onFilled) await onFilled(order);
  return {
    symbol,
    leg,
    clientOrderId: id,
    status: order.status === 'FILLED' ? 'filled' : 'placed',
    quantity: order.executedQty || order.quantity,
    price: order.avgPrice ?? order.stopPrice ?? undefined,
    fee: order.fee,
  };
}

async function cancelOnce(ctx: ExecutionContext, symbol: string, id: string): Promise<ExecutionResult> {
  await ctx.checkFence();
  try {
    // A cancel is idempotent (an order already gone is no error): one whose answer was lost is sent again.
    const order = await retryPassing(ctx, () => ctx.venue.cancelOrder(symbol, id));
    if (order) await ctx.ledger.updateOrder(order);
    return { symbol, leg: 'cancel', clientOrderId: id, status: 'canceled' };
  } catch (err) {
    if (err instanceof VenueRejection) return rejected('cancel', symbol, id, err);
    throw err;
  }
}

function rejected(leg: Leg, symbol: string, id: string, err: VenueRejection): ExecutionResult {
  return { symbol, leg, clientOrderId: id, status: 'rejected', error: `${err.code}: ${err.message}` };
}
