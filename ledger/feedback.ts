import Decimal from 'decimal.js';
import type { PerformanceFeedback } from '../decisions/types';
import type { RiskVerdict } from '../risk/types';

export const RECENT_TRADES = 10;
export const RECENT_CYCLES = 5;

type ClosedTrade = PerformanceFeedback['recentTrades'][number];

/** A closed trade as the feedback reads it (money as decimal strings, times in epoch ms). */
export interface FeedbackTrade {
  symbol: string;
  side: 'long' | 'short';
  pnl: string;
  margin: string;
  closeReason: string | null;
  openedAt: number;
  closedAt: number;
}

/** A recent cycle as the feedback reads it. */
export interface FeedbackCycle {
  cycleNo: number;
  summary: string;
  verdicts: RiskVerdict[];
}

/**
 * The agent's record for its next prompt, from its closed trades (newest close first) and its last
 * cycles (newest first):
 * - tradeCount, totalPnl: every closed trade (PnL after fees and funding, USDT);
 * - winRate: share of closed trades with pnl > 0, a fraction 0-1 (null with no closed trade);
 * - recentTrades: the last 10 closed, newest first, with return on margin (%) and hold time (minutes);
 * - bestSymbol / worstSymbol: highest / lowest summed pnl per symbol (ties by symbol name); worstSymbol
 *   is null while only one symbol has been traded, bestSymbol then names it;
 * - recentDecisions: the summaries of the last 5 recorded cycles (failed ones included), newest first,
 *   each with the rule behind every rejected decision.
 */
export function feedbackFrom(trades: FeedbackTrade[], cycles: FeedbackCycle[]): PerformanceFeedback {
  const total = trades.reduce((sum, t) => sum.add(t.pnl), new Decimal(0));
  const wins = trades.filter((t) => new Decimal(t.pnl).gt(0)).length;
  const { best, worst } = symbolExtremes(trades);
  return {
    tradeCount: trades.length,
    winRate: trades.length ? round(wins / trades.length, 4) : null,
    totalPnl: usdt(total),
    recentTrades: trades.slice(0, RECENT_TRADES).map((t): ClosedTrade => {
      const pnl = new Decimal(t.pnl);
      const margin = new Decimal(t.margin);
      return {
        symbol: t.symbol,
        side: t.side,
        pnl: usdt(pnl),
        returnOnMarginPct: margin.gt(0) ? pnl.div(margin).mul(100).toDecimalPlaces(2).toNumber() : 0,
        closeReason: t.closeReason,
        holdMinutes: Math.round((t.closedAt - t.openedAt) / 60_000),
      };
    }),
    bestSymbol: best,
    worstSymbol: worst,
    recentDecisions: cycles.slice(0, RECENT_CYCLES).map((c) => {
      const rejections = c.verdicts
        .filter((v) => v.status === 'rejected')
        .map((v) => `${v.decision.action}${v.decision.symbol ? ` ${v.decision.symbol}` : ''}: ${v.reason}`);
      return { cycle: c.cycleNo, summary: c.summary, ...(rejections.length > 0 && { rejections }) };
    }),
  };
}

type SymbolPnl = { symbol: string; pnl: number };

function symbolExtremes(trades: Array<{ symbol: string; pnl: string }>): { best: SymbolPnl | null; worst: SymbolPnl | null } {
  const sums = new Map<string, Decimal>();
  for (const t of trades) sums.set(t.symbol, (sums.get(t.symbol) ?? new Decimal(0)).add(t.pnl));
  const ranked = [...sums]
    .map(([symbol, pnl]) => ({ symbol, pnl }))
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
