/** One agent's UTC day (market time) from its records: equity change, closed trades, fees paid, model cost. */
import type { Kysely } from 'kysely';
import { findAgent } from '../db/agents';
import { equityBefore } from '../db/equity-snapshots';
import { feesBetween } from '../db/fills';
import { totalCost } from '../db/llm-calls';
import type { Database } from '../db/schema';
import { closedTrades } from '../db/trades';
import type { DailySummary } from './detect';
import { DAY_MS, utcDay } from './types';

/** The summary of the UTC day holding `marketTime`; null for an unknown agent. */
export async function loadDailySummary(db: Kysely<Database>, agentId: string, marketTime: number): Promise<DailySummary | null> {
  const from = new Date(Math.floor(marketTime / DAY_MS) * DAY_MS);
  const to = new Date(from.getTime() + DAY_MS);
  const [agent, opening, closing, trades, fees, modelCost] = await Promise.all([
    findAgent(db, agentId),
    equityBefore(db, agentId, from),
    equityBefore(db, agentId, to),
    closedTrades(db, agentId, { from, to }),
    feesBetween(db, agentId, from, to),
    totalCost(db, agentId, { from, to }),
  ]);
  if (!agent) return null;
  const start = opening ?? Number(agent.initial_balance);
  const pnl = closing === null ? 0 : closing - start;
  const decided = trades.filter((t) => t.pnl !== null && Number(t.pnl) !== 0);
  return {
    day: utcDay(from.getTime()),
    pnl,
    returnPct: start > 0 ? (pnl * 100) / start : null,
    endEquity: closing,
    trades: trades.length,
    winRatePct: decided.length ? (decided.filter((t) => Number(t.pnl) > 0).length * 100) / decided.length : null,
    feesUsd: fees,
    modelCostUsd: modelCost,
  };
}
