/**
 * An AgentLedger in memory, for the backtester: the same answers as the Postgres ledger over the same
 * calls (the parity test checks it), with the risk history kept up as cycles are recorded so that a
 * cycle costs no scan of the past. Cycles are recorded in market-time order, as a backtest runs them.
 */
import Decimal from 'decimal.js';
import type { CycleFailure, CycleRecord } from '../cycle/types';
import type { PerformanceFeedback } from '../decisions/types';
import type { OrderPurpose } from '../execution/legs';
import type { VenueOrder } from '../venues/venue';
import {
  type AgentLedger,
  type OpenTrade,
  type OpenedTrade,
  type OrderPlace,
  type RiskHistory,
  type TradeClose,
  HOUR_MS,
  dayStartOf,
} from './agent-ledger';
import { RECENT_CYCLES, feedbackFrom, type FeedbackCycle, type FeedbackTrade } from './feedback';

export interface MemoryTrade extends OpenTrade {
  openCycle: number;
  status: 'open' | 'closed';
  close: TradeClose | null;
}

export interface MemoryOrder {
  place: OrderPlace;
  purpose: OrderPurpose;
  order: VenueOrder;
}

/** A recorded cycle, kept small (a backtest records tens of thousands): what its report and its equity curve need. */
export interface MemoryCycle {
  cycleNo: number;
  marketTime: number;
  summary: string;
  equity: number;
  cash: number;
  marginUsed: number;
  unrealizedPnl: number;
  positions: number;
  /** The rule of each risk verdict that rejected a decision ('unnamed' in records older than the rule names). */
  rejectedBy: string[];
  /** The model's cost of the cycle (USD). */
  costUsd: number;
}

export class MemoryAgentLedger implements AgentLedger {
  /** Every trade by id (1, 2, 3...), oldest first; with `latestOnly`, the open ones. */
  private readonly tradesById = new Map<number, MemoryTrade>();
  private tradeCount = 0;
  private readonly openByOrder = new Set<string>();
  readonly orders = new Map<string, MemoryOrder>();
  readonly fills = new Map<string, { venue: string; account: string; order: VenueOrder }>();
  readonly cycles: MemoryCycle[] = [];
  readonly failures: CycleFailure[] = [];
  private readonly closed: FeedbackTrade[] = [];
  private readonly recent: FeedbackCycle[] = [];
  private readonly lastStopLossAt: Record<string, number> = {};
  private readonly opens: number[] = [];
  private marks: { day: number; dayStart: number; dayLow: number; last: number; peak: number } | null = null;

  /**
   * `latestOnly`: keep only what the next cycle of a rule-based agent needs (open trades, the last
   * cycle; no feedback), for runs that go on for ever (the arena's random-entry twins); a backtest
   * keeps everything for its report.
   */
  constructor(
    readonly agentId: string,
    private readonly options: { latestOnly?: boolean } = {},
  ) {}

  get trades(): MemoryTrade[] {
    return [...this.tradesById.values()];
  }

  async openTrades(): Promise<OpenTrade[]> {
    const open: OpenTrade[] = [];
    for (const t of this.tradesById.values()) if (t.status === 'open') open.push(t);
    return open;
  }

  async openTrade(t: OpenedTrade): Promise<void> {
    if (this.openByOrder.has(t.fill.clientOrderId)) return;
    this.openByOrder.add(t.fill.clientOrderId);
    const price = new Decimal(t.fill.avgPrice ?? 0);
    const quantity = new Decimal(t.fill.executedQty);
    const id = ++this.tradeCount;
    this.tradesById.set(id, {
      id,
      symbol: t.symbol,
      side: t.side,
      quantity: quantity.toString(),
      leverage: t.leverage,
      margin: quantity.mul(price).div(t.leverage).toString(),
      entryPrice: price.toString(),
      fees: new Decimal(t.fill.fee).toString(),
      openOrderId: t.fill.clientOrderId,
      openedAt: t.fill.updatedAt,
      stopLoss: t.stopLoss,
      takeProfit: t.takeProfit,
      openCycle: t.cycleNo,
      status: 'open',
      close: null,
    });
    this.opens.push(t.fill.updatedAt);
  }

  async closeTrade(id: number, c: TradeClose): Promise<void> {
    const trade = this.tradesById.get(id);
    if (!trade || trade.status !== 'open') return;
    trade.status = 'closed';
    trade.close = c;
    if (this.options.latestOnly) {
      this.tradesById.delete(id);
      this.openByOrder.delete(trade.openOrderId);
    } else {
      this.closed.unshift({
        symbol: trade.symbol,
        side: trade.side,
        pnl: c.pnl,
        margin: trade.margin,
        closeReason: c.reason,
        openedAt: trade.openedAt,
        closedAt: c.closedAt,
      });
    }
    if (c.reason === 'stop_loss') this.lastStopLossAt[trade.symbol] = Math.max(this.lastStopLossAt[trade.symbol] ?? 0, c.closedAt);
  }

  async saveOrder(place: OrderPlace, purpose: OrderPurpose, order: VenueOrder): Promise<void> {
    const known = this.orders.get(order.clientOrderId);
    this.orders.set(order.clientOrderId, known ? { ...known, order } : { place, purpose, order });
  }

  async updateOrder(order: VenueOrder): Promise<void> {
    const known = this.orders.get(order.clientOrderId);
    if (known) known.order = order;
  }

  async orderPurpose(clientOrderId: string): Promise<OrderPurpose | null> {
    return this.orders.get(clientOrderId)?.purpose ?? null;
  }

  async saveFill(venue: string, account: string, order: VenueOrder): Promise<void> {
    if (order.status !== 'FILLED' || order.avgPrice === null || !(order.executedQty > 0)) return;
    if (!this.fills.has(order.clientOrderId)) this.fills.set(order.clientOrderId, { venue, account, order });
  }

  async riskHistory(now: number, equity: number): Promise<RiskHistory> {
    const day = dayStartOf(now);
    const m = this.marks;
    const today = m !== null && m.day === day;
    while (this.opens.length > 0 && this.opens[0]! <= now - HOUR_MS) this.opens.shift();
    return {
      dayStartEquity: today ? m.dayStart : (m?.last ?? equity),
      dayLowEquity: today ? Math.min(equity, m.dayLow) : equity,
      peakEquity: Math.max(equity, m?.peak ?? equity),
      lastStopLossAt: { ...this.lastStopLossAt },
      opensLastHour: this.opens.length,
    };
  }

  async feedback(): Promise<PerformanceFeedback> {
    if (this.options.latestOnly) throw new Error('a latest-only ledger keeps no record to give feedback from (rule-based agents only)');
    return feedbackFrom(this.closed, this.recent);
  }

  async recordCycle(r: CycleRecord): Promise<void> {
    const { account } = r.after;
    if (this.options.latestOnly) this.cycles.length = 0;
    this.cycles.push({
      cycleNo: r.cycleNo,
      marketTime: r.marketTime,
      summary: r.summary,
      equity: account.equity,
      cash: account.available,
      marginUsed: account.marginUsed,
      unrealizedPnl: account.unrealizedPnl,
      positions: r.after.positions.length,
      rejectedBy: r.verdicts.filter((v) => v.status === 'rejected').map((v) => v.rule ?? 'unnamed'),
      costUsd: r.llm?.costUsd ?? 0,
    });
    this.remember({ cycleNo: r.cycleNo, summary: r.summary, verdicts: r.verdicts });
    const equity = r.after.account.equity;
    const day = dayStartOf(r.marketTime);
    const m = this.marks;
    this.marks =
      m !== null && m.day === day
        ? { ...m, dayLow: Math.min(m.dayLow, equity), last: equity, peak: Math.max(m.peak, equity) }
        : { day, dayStart: m?.last ?? equity, dayLow: equity, last: equity, peak: Math.max(m?.peak ?? equity, equity) };
  }

  async recordFailure(f: CycleFailure): Promise<void> {
    this.failures.push(f);
    this.remember({ cycleNo: f.cycleNo, summary: `failed: ${f.error.slice(0, 200)}`, verdicts: [] });
  }

  private remember(cycle: FeedbackCycle): void {
    this.recent.unshift(cycle);
    if (this.recent.length > RECENT_CYCLES) this.recent.pop();
  }
}
