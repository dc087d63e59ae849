/** The arena's AgentLedger: an agent's books in Postgres, through the table modules of db/. */
import Decimal from 'decimal.js';
import type { Kysely } from 'kysely';
import type { CycleFailure, CycleRecord } from '../cycle/types';
import type { PerformanceFeedback } from '../decisions/types';
import type { OrderPurpose } from '../execution/legs';
import { bumpCycle } from '../db/agents';
import { recentSummaries, saveCycle, saveCycleFailure } from '../db/cycles';
import { equityMarks, saveSnapshot } from '../db/equity-snapshots';
import { saveFill } from '../db/fills';
import { orderPurpose, saveOrder, updateOrderState } from '../db/orders';
import type { Database } from '../db/schema';
import { closeTrade, closedTrades, insertOpenedTrade, openTrades, stopsAndOpens } from '../db/trades';
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
import { RECENT_CYCLES, feedbackFrom } from './feedback';

export class PostgresAgentLedger implements AgentLedger {
  constructor(
    private readonly db: Kysely<Database>,
    readonly agentId: string,
  ) {}

  async openTrades(): Promise<OpenTrade[]> {
    return (await openTrades(this.db, this.agentId)).map((t) => ({
      id: t.id,
      symbol: t.symbol,
      side: t.side,
      quantity: t.quantity,
      leverage: t.leverage,
      margin: t.margin,
      entryPrice: t.entry_price,
      fees: t.fees,
      openOrderId: t.open_order_id,
      openedAt: t.opened_at.getTime(),
      stopLoss: t.stop_loss,
      takeProfit: t.take_profit,
    }));
  }

  async openTrade(t: OpenedTrade): Promise<void> {
    const price = new Decimal(t.fill.avgPrice ?? 0);
    const quantity = new Decimal(t.fill.executedQty);
    await insertOpenedTrade(this.db, {
      agent_id: this.agentId,
      symbol: t.symbol,
      side: t.side,
      quantity: quantity.toString(),
      leverage: t.leverage,
      margin: quantity.mul(price).div(t.leverage).toString(),
      entry_price: price.toString(),
      stop_loss: t.stopLoss,
      take_profit: t.takeProfit,
      open_cycle: t.cycleNo,
      open_order_id: t.fill.clientOrderId,
      opened_at: new Date(t.fill.updatedAt),
      fees: t.fill.fee,
      funding: 0,
      status: 'open',
    });
  }

  async closeTrade(id: number, c: TradeClose): Promise<void> {
    await closeTrade(this.db, id, { ...c, closedAt: new Date(c.closedAt) });
  }

  async saveOrder(place: OrderPlace, purpose: OrderPurpose, order: VenueOrder): Promise<void> {
    await saveOrder(this.db, { agentId: this.agentId, ...place, purpose }, order);
  }

  async updateOrder(order: VenueOrder): Promise<void> {
    await updateOrderState(this.db, this.agentId, order);
  }

  orderPurpose(clientOrderId: string): Promise<OrderPurpose | null> {
    return orderPurpose(this.db, this.agentId, clientOrderId);
  }

  async saveFill(venue: string, account: string, order: VenueOrder): Promise<void> {
    await saveFill(this.db, { agentId: this.agentId, venue, account }, order);
  }

  async riskHistory(now: number, equity: number): Promise<RiskHistory> {
    const [marks, trades] = await Promise.all([
      equityMarks(this.db, this.agentId, new Date(dayStartOf(now))),
      stopsAndOpens(this.db, this.agentId, new Date(now - HOUR_MS)),
    ]);
    return {
      dayStartEquity: marks.dayStart ?? equity,
      dayLowEquity: Math.min(equity, marks.dayLow ?? equity),
      peakEquity: Math.max(equity, marks.peak ?? equity),
      lastStopLossAt: trades.lastStopLossAt,
      opensLastHour: trades.opensSince,
    };
  }

  async feedback(): Promise<PerformanceFeedback> {
    const [trades, cycles] = await Promise.all([
      closedTrades(this.db, this.agentId, {}, 'newest'),
      recentSummaries(this.db, this.agentId, RECENT_CYCLES),
    ]);
    return feedbackFrom(
      trades
        .filter((t) => t.pnl !== null)
        .map((t) => ({
          symbol: t.symbol,
          side: t.side,
          pnl: t.pnl!,
          margin: t.margin,
          closeReason: t.close_reason,
          openedAt: t.opened_at.getTime(),
          closedAt: (t.closed_at ?? t.opened_at).getTime(),
        })),
      cycles.map((c) => ({ cycleNo: c.cycle_no, summary: c.summary, verdicts: c.risk_verdicts ?? [] })),
    );
  }

  /** The decision log, the equity snapshot and the agent's cycle count, in one transaction. */
  async recordCycle(r: CycleRecord): Promise<void> {
    const finishedAt = new Date();
    await this.db.transaction().execute(async (trx) => {
      await saveCycle(trx, r, finishedAt);
      await saveSnapshot(trx, this.agentId, r.cycleNo, r.marketTime, r.after);
      await bumpCycle(trx, this.agentId, r.cycleNo, 'ok', finishedAt);
    });
  }

  async recordFailure(f: CycleFailure): Promise<void> {
    const finishedAt = new Date();
    await this.db.transaction().execute(async (trx) => {
      if (await saveCycleFailure(trx, f, finishedAt)) await bumpCycle(trx, this.agentId, f.cycleNo, 'failed', finishedAt);
    });
  }
}
