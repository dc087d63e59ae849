import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Range, SnapshotWindow } from '../../analytics/answers';
import { tradePnl, type ClosedTrade, type EquitySample, type OpenTrade, type Side } from '../../analytics/metrics';

/**
 * A small hand-made history: `alpha` (10,000, nine snapshots over two UTC days with a three-hour
 * gap, five closed trades and one open, funding settled on its paper account, three model calls),
 * `beta` (5,000, two snapshots, one trade) and `idle` (nothing recorded yet). Tests compute the pure
 * functions over these same arrays.
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
  /** The opening fill's fee (0.05 % of the entry notional); `fees` adds the closing one. */
  openFee: number;
  fees: number;
  funding: number;
  opened: number;
  closed: number;
  reason: string;
}

export const closedTrades: Record<string, FixtureTrade[]> = {
  alpha: [
    // The seed's example: 0.1 BTC long 40,000 → 42,000 at 10x; fees 0.05 % of 4,000 and of 4,200.
    {
      symbol: 'BTCUSDT',
      side: 'long',
      quantity: 0.1,
      leverage: 10,
      entry: 40000,
      exit: 42000,
      openFee: 2,
      fees: 4.1,
      funding: 1.5,
      opened: at('01T00:10'),
      closed: at('01T01:00'),
      reason: 'take_profit',
    },
    {
      symbol: 'ETHUSDT',
      side: 'short',
      quantity: 2,
      leverage: 5,
      entry: 3000,
      exit: 3100,
      openFee: 3,
      fees: 6.1,
      funding: 0,
      opened: at('01T01:20'),
      closed: at('01T03:00'),
      reason: 'stop_loss',
    },
    {
      symbol: 'BTCUSDT',
      side: 'short',
      quantity: 0.05,
      leverage: 10,
      entry: 42000,
      exit: 41000,
      openFee: 1.05,
      fees: 2.075,
      funding: -0.25,
      opened: at('01T04:00'),
      closed: at('01T23:00'),
      reason: 'signal',
    },
    {
      symbol: 'SOLUSDT',
      side: 'long',
      quantity: 10,
      leverage: 3,
      entry: 150,
      exit: 148,
      openFee: 0.75,
      fees: 1.49,
      funding: 0,
      opened: at('02T00:05'),
      closed: at('02T01:00'),
      reason: 'stop_loss',
    },
    {
      symbol: 'XRPUSDT',
      side: 'long',
      quantity: 1000,
      leverage: 2,
      entry: 0.5,
      exit: 0.52,
      openFee: 0.25,
      fees: 0.51,
      funding: 0.1,
      opened: at('02T01:30'),
      closed: at('02T02:15'),
      reason: 'take_profit',
    },
  ],
  beta: [
    {
      symbol: 'ETHUSDT',
      side: 'long',
      quantity: 1,
      leverage: 5,
      entry: 3000,
      exit: 3500,
      openFee: 1.5,
      fees: 3.25,
      funding: 0,
      opened: at('01T01:00'),
      closed: at('01T11:00'),
      reason: 'signal',
    },
  ],
  idle: [],
};

/** alpha's trade still open: 0.1 BTC long at 41,000, 10x, its opening fee 2.05 so far. */
export const openTrade = {
  agent: 'alpha',
  symbol: 'BTCUSDT',
  side: 'long' as Side,
  quantity: 0.1,
  leverage: 10,
  margin: 410,
  entry: 41000,
  fees: 2.05,
  opened: at('02T02:20'),
};

/** Paper-venue income rows (`paper_income`): the funding of alpha's open trade, and rows that are not its funding. */
export const income: Array<{ account: string; symbol: string; type: 'FUNDING_FEE' | 'COMMISSION'; amount: number; time: number }> = [
  { account: 'alpha', symbol: 'BTCUSDT', type: 'FUNDING_FEE', amount: -0.7, time: at('02T00:00') }, // before it opened
  { account: 'alpha', symbol: 'BTCUSDT', type: 'FUNDING_FEE', amount: -0.9, time: at('02T02:20') }, // at the opening instant: the position before's
  { account: 'alpha', symbol: 'BTCUSDT', type: 'FUNDING_FEE', amount: -0.42, time: at('02T02:25') }, // paid while open
  { account: 'alpha', symbol: 'BTCUSDT', type: 'FUNDING_FEE', amount: -0.13, time: at('02T08:00') }, // paid while open
  { account: 'alpha', symbol: 'ETHUSDT', type: 'FUNDING_FEE', amount: 5, time: at('02T02:25') }, // another symbol
  { account: 'alpha', symbol: 'BTCUSDT', type: 'COMMISSION', amount: -1, time: at('02T02:25') }, // not funding
  { account: 'beta', symbol: 'BTCUSDT', type: 'FUNDING_FEE', amount: -3, time: at('02T02:25') }, // another account
];

/** Model calls: cycle → cost (USD). */
export const llmCalls: Record<string, Array<{ cycle: number; cost: number }>> = {
  alpha: [
    { cycle: 2, cost: 0.01 },
    { cycle: 5, cost: 0.02 },
    { cycle: 8, cost: 0.03 },
  ],
  beta: [],
  idle: [],
};

/** The fixture's closed trades as the pure functions take them (PnL by `tradePnl`, margin = notional / leverage). */
export function pureTrades(agent: string): ClosedTrade[] {
  return closedTrades[agent]!.map((t) => ({
    symbol: t.symbol,
    side: t.side,
    margin: (t.quantity * t.entry) / t.leverage,
    fees: t.fees,
    funding: t.funding,
    pnl: tradePnl({ side: t.side, quantity: t.quantity, entryPrice: t.entry, exitPrice: t.exit, fees: t.fees, funding: t.funding }).net,
    openedAt: t.opened,
    closedAt: t.closed,
    closeReason: t.reason,
  }));
}

const inRange = (t: number, range: Range) => (!range.from || t >= range.from.getTime()) && (!range.to || t < range.to.getTime());

/** Market time of the first and last snapshot in the range, from the fixture's arrays. */
export function pureWindow(agent: string, range: Range = {}): SnapshotWindow | null {
  const times = snapshots[agent]!.map((s) => s.time).filter((t) => inRange(t, range));
  return times.length > 0 ? { first: Math.min(...times), last: Math.max(...times) } : null;
}

/**
 * The trades open at the end of the range, from the fixture's arrays: opened before `to` and not
 * closed before it (open now without `to`), with their opening fee and the funding settled on
 * their symbol after they opened and before `to`.
 */
export function pureOpen(agent: string, range: Range = {}): OpenTrade[] {
  const end = range.to?.getTime() ?? Infinity;
  const funding = (symbol: string, opened: number) =>
    income
      .filter((i) => i.account === agent && i.symbol === symbol && i.type === 'FUNDING_FEE' && i.time > opened && i.time < end)
      .reduce((sum, i) => sum + i.amount, 0);
  const closedLater = closedTrades[agent]!.filter((t) => t.opened < end && t.closed >= end).map((t) => ({
    symbol: t.symbol,
    side: t.side,
    margin: (t.quantity * t.entry) / t.leverage,
    fees: t.openFee,
    opened: t.opened,
  }));
  const stillOpen = openTrade.agent === agent && openTrade.opened < end ? [openTrade] : [];
  return [...closedLater, ...stillOpen].map((t) => ({
    symbol: t.symbol,
    side: t.side,
    margin: t.margin,
    fees: t.fees,
    funding: Number(funding(t.symbol, t.opened).toFixed(10)),
    openedAt: t.opened,
  }));
}

export async function seedHistory(db: Kysely<Database>): Promise<void> {
  for (const id of Object.keys(initialBalance)) {
    const last = snapshots[id]!.at(-1);
    await db
      .insertInto('agents')
      .values({
        id,
        name: id.toUpperCase(),
        provider: 'openai',
        model: `${id}-model`,
        venue: 'paper',
        account: id,
        initial_balance: initialBalance[id]!,
        config: '{}',
        cycle_count: last?.cycle ?? 0,
        last_cycle_at: last ? new Date(last.time) : null,
      })
      .execute();
    for (const s of snapshots[id]!) {
      await db
        .insertInto('equity_snapshots')
        .values({
          agent_id: id,
          cycle_no: s.cycle,
          market_time: new Date(s.time),
          equity: s.equity,
          cash: s.equity,
          margin: 0,
          unrealized_pnl: 0,
          position_count: s.positionCount,
          positions: '[]',
        })
        .execute();
    }
    const trades = pureTrades(id);
    for (const [i, t] of closedTrades[id]!.entries()) {
      const gross = tradePnl({ side: t.side, quantity: t.quantity, entryPrice: t.entry, exitPrice: t.exit, fees: 0, funding: 0 }).gross;
      await db
        .insertInto('trades')
        .values({
          agent_id: id,
          symbol: t.symbol,
          side: t.side,
          quantity: t.quantity,
          leverage: t.leverage,
          margin: trades[i]!.margin,
          entry_price: t.entry,
          exit_price: t.exit,
          open_cycle: i,
          close_cycle: i + 1,
          open_order_id: `open-${i}`,
          close_order_id: `close-${i}`,
          opened_at: new Date(t.opened),
          closed_at: new Date(t.closed),
          fees: t.fees,
          funding: t.funding,
          realized_pnl: gross,
          pnl: trades[i]!.pnl,
          status: 'closed',
          close_reason: t.reason,
        })
        .execute();
      await db
        .insertInto('fills')
        .values({
          agent_id: id,
          client_order_id: `open-${i}`,
          venue: 'paper',
          account: id,
          symbol: t.symbol,
          side: t.side === 'long' ? 'BUY' : 'SELL',
          quantity: t.quantity,
          price: t.entry,
          fee: t.openFee,
          realized_pnl: 0,
          time: new Date(t.opened),
        })
        .execute();
    }
    for (const call of llmCalls[id]!) {
      const time = new Date(snapshots[id]!.find((s) => s.cycle === call.cycle)!.time);
      await db
        .insertInto('cycles')
        .values({
          agent_id: id,
          cycle_no: call.cycle,
          status: 'ok',
          market_time: time,
          started_at: time,
          finished_at: time,
          duration_ms: 1,
          input: '{}',
          decisions: '[]',
          risk_verdicts: '[]',
          executions: '[]',
          summary: 'wait',
        })
        .execute();
      await db
        .insertInto('llm_calls')
        .values({
          agent_id: id,
          cycle_no: call.cycle,
          attempt: 1,
          provider: 'openai',
          model: `${id}-model`,
          status: 'ok',
          prompt_sha256: '',
          prompt_chars: 0,
          prompt: '',
          decisions: '[]',
          rejected: '[]',
          tokens_in: 100,
          tokens_out: 10,
          cost_usd: call.cost,
          latency_ms: 5,
        })
        .execute();
    }
  }
  const o = openTrade;
  await db
    .insertInto('trades')
    .values({
      agent_id: o.agent,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      leverage: o.leverage,
      margin: o.margin,
      entry_price: o.entry,
      open_cycle: 9,
      open_order_id: 'open-9',
      opened_at: new Date(o.opened),
      fees: o.fees,
      funding: 0,
      status: 'open',
    })
    .execute();
  for (const account of new Set(income.map((i) => i.account))) {
    await db
      .insertInto('paper_accounts')
      .values({
        account_id: account,
        initial_balance: initialBalance[account]!,
        cash: initialBalance[account]!,
        market_time: at('02T08:00'),
      })
      .execute();
  }
  for (const i of income) {
    await db
      .insertInto('paper_income')
      .values({
        account_id: i.account,
        symbol: i.symbol,
        income_type: i.type,
        amount: i.amount,
        client_order_id: null,
        time: i.time,
      })
      .execute();
  }
}
