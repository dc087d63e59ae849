import Decimal from 'decimal.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { PerformanceFeedback } from '../decisions/types';

const RECENT_TRADES = 10;
const RECENT_CYCLES = 5;

type ClosedTrade = PerformanceFeedback['recentTrades'][number];

/**
 * The agent's record for its next prompt, from its closed trades and its last cycles:
 * - tradeCount, totalPnl: every closed trade (PnL after fees and funding, USDT);
 * - winRate: share of closed trades with pnl > 0, a fraction 0-1 (null with no closed trade);
 * - recentTrades: the last 10 closed, newest first, with return on margin (%) and hold time (minutes);
 * - bestSymbol / worstSymbol: highest / lowest summed pnl per symbol (ties by symbol name); worstSymbol
 *   is null while only one symbol has been traded, bestSymbol then names it;
 * - recentDecisions: the summaries of the last 5 recorded cycles (failed ones included), newest first.
 */
export async function performanceFeedback(db: Kysely<Database>, agentId: string): Promise<PerformanceFeedback> {
  const trades = await db.selectFrom('trades')
    .select(['symbol', 'side', 'pnl', 'margin', 'close_reason', 'opened_at', 'closed_at'])
    .where('agent_id', '=', agentId).where('status', '=', 'closed').where('pnl', 'is not', null)
    .orderBy('closed_at', 'desc').orderBy('id', 'desc')
    .execute();
  const cycles = await db.selectFrom('cycles').select(['cycle_no', 'summary'])
    .where('agent_id', '=', agentId).orderBy('cycle_no', 'desc').limit(RECENT_CYCLES)
    .execute();

  const total = trades.reduce((sum, t) => sum.add(t.pnl!), new Decimal(0));
  const wins = trades.filter((t) => new Decimal(t.pnl!).gt(0)).length;
  const { best, worst } = symbolExtremes(trades.map((t) => ({ symbol: t.symbol, pnl: t.pnl! })));
  return {
    tradeCount: trades.length,
    winRate: trades.length ? round(wins / trades.length, 4) : null,
    totalPnl: usdt(total),
    recentTrades: trades.slice(0, RECENT_TRADES).map((t): ClosedTrade => {
      const pnl = new Decimal(t.pnl!);
      const margin = new Decimal(t.margin);
      return {
        symbol: t.symbol, side: t.side, pnl: usdt(pnl),
        returnOnMarginPct: margin.gt(0) ? pnl.div(margin).mul(100).toDecimalPlaces(2).toNumber() : 0,
        closeReason: t.close_reason,
        holdMinutes: Math.round(((t.closed_at ?? t.opened_at).getTime() - t.opened_at.getTime()) / 60_000),
      };
    }),
    bestSymbol: best,
    worstSymbol: worst,
    recentDecisions: cycles.map((c) => ({ cycle: c.cycle_no, summary: c.summary })),
  };
}

type SymbolPnl = { symbol: string; pnl: number };

function symbolExtremes(trades: Array<{ symbol: string; pnl: string }>): { best: SymbolPnl | null; worst: SymbolPnl | null } {
  const sums = new Map<string, Decimal>();
  for (const t of trades) sums.set(t.symbol, (sums.get(t.symbol) ?? new Decimal(0)).add(t.pnl));
  const ranked = [...sums].map(([symbol, pnl]) => ({ symbol, pnl }))
    .sort((a, b) => b.pnl.cmp(a.pnl) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const view = (s: { symbol: string; pnl: Decimal }): SymbolPnl => ({ symbol: s.symbol, pnl: usdt(s.pnl) });
  return {
    best: ranked.length ? view(ranked[0]!) : null,
    worst: ranked.length > 1 ? view(ranked[ranked.length - 1]!) : null,
  };
}

/** USDT to 1e-4: exact enough for the prompt, small in workflow history. */
const usdt = (x: Decimal): number => x.toDecimalPlaces(4).toNumber();
const round = (x: number, decimals: number): number => Number(x.toFixed(decimals));
