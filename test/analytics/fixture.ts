import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { tradePnl, type ClosedTrade, type EquitySample, type Side } from '../../analytics/metrics';

/**
 * A small hand-made history: `alpha` (10,000, nine snapshots over two UTC days with a three-hour
 * gap, five closed trades and one open, three model calls), `beta` (5,000, two snapshots, one trade)
 * and `idle` (nothing recorded yet). Tests compute the pure functions over these same arrays.
 */
export const at = (iso: string) => new Date(`2025-03-${iso}Z`).getTime();

export const snapshots: Record<string, Array<EquitySample & { cycle: number }>> = {
  alpha: [
    { cycle: 1, time: at('01T00:00'), equity: 10000, positionCount: 0 },
    { cycle: 2, time: at('01T00:30'), equity: 10050, positionCount: 1 },
    { cycle: 3, time: at('01T01:10'), equity: 10120, positionCount: 1 },
    { cycle: 4, time: at('01T01:50'), equity: 9980, positionCount: 0 },
    { cycle: 5, time: at('01T05:20'), equity: 9900, positionCount: 1 },
    { cycle: 6, time: at('01T23:40'), equity: 10200, positionCount: 1 },
    { cycle: 7, time: at('02T00:15'), equity: 10150, positionCount: 0 },
    { cycle: 8, time: at('02T02:00'), equity: 10300, positionCount: 1 },
    { cycle: 9, time: at('02T02:30'), equity: 10250.5, positionCount: 0 },
  ],
  beta: [
    { cycle: 1, time: at('01T00:00'), equity: 5000, positionCount: 0 },
    { cycle: 2, time: at('01T12:00'), equity: 5500, positionCount: 1 },
  ],
  idle: [],
};

export const initialBalance: Record<string, number> = { alpha: 10000, beta: 5000, idle: 1000 };

interface FixtureTrade {
  symbol: string;
  side: Side;
  quantity: number;
  leverage: number;
  entry: number;
  exit: number;
  fees: number;
  funding: number;
  opened: number;
  closed: number;
  reason: string;
}

export const closedTrades: Record<string, FixtureTrade[]> = {
  alpha: [
    // The seed's example: 0.1 BTC long 40,000 → 42,000 at 10x; fees 0.05 % of 4,000 and of 4,200.
    { symbol: 'BTCUSDT', side: 'long', quantity: 0.1, leverage: 10, entry: 40000, exit: 42000, fees: 4.1, funding: 1.5, opened: at('01T00:10'), closed: at('01T01:00'), reason: 'take_profit' },
    { symbol: 'ETHUSDT', side: 'short', quantity: 2, leverage: 5, entry: 3000, exit: 3100, fees: 6.1, funding: 0, opened: at('01T01:20'), closed: at('01T03:00'), reason: 'stop_loss' },
    { symbol: 'BTCUSDT', side: 'short', quantity: 0.05, leverage: 10, entry: 42000, exit: 41000, fees: 2.075, funding: -0.25, opened: at('01T04:00'), closed: at('01T23:00'), reason: 'signal' },
    { symbol: 'SOLUSDT', side: 'long', quantity: 10, leverage: 3, entry: 150, exit: 148, fees: 1.49, funding: 0, opened: at('02T00:05'), closed: at('02T01:00'), reason: 'stop_loss' },
    { symbol: 'XRPUSDT', side: 'long', quantity: 1000, leverage: 2, entry: 0.5, exit: 0.52, fees: 0.51, funding: 0.1, opened: at('02T01:30'), closed: at('02T02:15'), reason: 'take_profit' },
  ],
  beta: [
    { symbol: 'ETHUSDT', side: 'long', quantity: 1, leverage: 5, entry: 3000, exit: 3500, fees: 3.25, funding: 0, opened: at('01T01:00'), closed: at('01T11:00'), reason: 'signal' },
  ],
  idle: [],
};

/** Model calls: cycle → cost (USD). */
export const llmCalls: Record<string, Array<{ cycle: number; cost: number }>> = {
  alpha: [{ cycle: 2, cost: 0.01 }, { cycle: 5, cost: 0.02 }, { cycle: 8, cost: 0.03 }],
  beta: [],
  idle: [],
};

/** The fixture's closed trades as the pure functions take them (PnL by `tradePnl`, margin = notional / leverage). */
export function pureTrades(agent: string): ClosedTrade[] {
  return closedTrades[agent]!.map((t) => ({
    symbol: t.symbol, side: t.side, margin: (t.quantity * t.entry) / t.leverage, fees: t.fees, funding: t.funding,
    pnl: tradePnl({ side: t.side, quantity: t.quantity, entryPrice: t.entry, exitPrice: t.exit, fees: t.fees, funding: t.funding }).net,
    openedAt: t.opened, closedAt: t.closed, closeReason: t.reason,
  }));
}

export async function seedHistory(db: Kysely<Database>): Promise<void> {
  for (const id of Object.keys(initialBalance)) {
    const last = snapshots[id]!.at(-1);
    await db.insertInto('agents').values({
      id, name: id.toUpperCase(), provider: 'openai', model: `${id}-model`, venue: 'paper', account: id,
      initial_balance: initialBalance[id]!, config: '{}', cycle_count: last?.cycle ?? 0,
      last_cycle_at: last ? new Date(last.time) : null,
    }).execute();
    for (const s of snapshots[id]!) {
      await db.insertInto('equity_snapshots').values({
        agent_id: id, cycle_no: s.cycle, market_time: new Date(s.time), equity: s.equity, cash: s.equity, margin: 0,
        unrealized_pnl: 0, position_count: s.positionCount, positions: '[]',
      }).execute();
    }
    const trades = pureTrades(id);
    for (const [i, t] of closedTrades[id]!.entries()) {
      const gross = tradePnl({ side: t.side, quantity: t.quantity, entryPrice: t.entry, exitPrice: t.exit, fees: 0, funding: 0 }).gross;
      await db.insertInto('trades').values({
        agent_id: id, symbol: t.symbol, side: t.side, quantity: t.quantity, leverage: t.leverage, margin: trades[i]!.margin,
        entry_price: t.entry, exit_price: t.exit, open_cycle: i, close_cycle: i + 1, open_order_id: `open-${i}`,
        close_order_id: `close-${i}`, opened_at: new Date(t.opened), closed_at: new Date(t.closed), fees: t.fees,
        funding: t.funding, realized_pnl: gross, pnl: trades[i]!.pnl, status: 'closed', close_reason: t.reason,
      }).execute();
    }
    for (const call of llmCalls[id]!) {
      const time = new Date(snapshots[id]!.find((s) => s.cycle === call.cycle)!.time);
      await db.insertInto('cycles').values({
        agent_id: id, cycle_no: call.cycle, status: 'ok', market_time: time, started_at: time, finished_at: time, duration_ms: 1,
        input: '{}', decisions: '[]', risk_verdicts: '[]', executions: '[]', summary: 'wait',
      }).execute();
      await db.insertInto('llm_calls').values({
        agent_id: id, cycle_no: call.cycle, attempt: 1, provider: 'openai', model: `${id}-model`, status: 'ok',
        prompt_sha256: '', prompt_chars: 0, prompt: '', decisions: '[]', rejected: '[]', tokens_in: 100, tokens_out: 10,
        cost_usd: call.cost, latency_ms: 5,
      }).execute();
    }
  }
  // An open trade: never counted.
  await db.insertInto('trades').values({
    agent_id: 'alpha', symbol: 'BTCUSDT', side: 'long', quantity: 0.1, leverage: 10, margin: 410, entry_price: 41000,
    open_cycle: 9, open_order_id: 'open-9', opened_at: new Date(at('02T02:20')), fees: 2.05, funding: 0, status: 'open',
  }).execute();
}
