import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { RiskContext } from '../risk/engine';

const DAY_MS = 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

export type RiskHistory = Pick<RiskContext, 'dayStartEquity' | 'dayLowEquity' | 'peakEquity' | 'lastStopLossAt' | 'opensLastHour'>;

/**
 * What the risk engine needs from the agent's past, read from its records (all in market time):
 * equity at the start of the UTC day and its low since, the peak, the last stop-loss per symbol,
 * and the positions opened in the last hour.
 */
export async function riskHistory(db: Kysely<Database>, agentId: string, now: number, equity: number): Promise<RiskHistory> {
  const dayStart = new Date(now - (now % DAY_MS));
  const snapshots = db.selectFrom('equity_snapshots').where('agent_id', '=', agentId);
  const beforeToday = await snapshots.select('equity').where('market_time', '<', dayStart)
    .orderBy('market_time', 'desc').limit(1).executeTakeFirst();
  const today = await snapshots.select((eb) => [eb.fn.min('equity').as('low'), eb.fn.max('equity').as('high')])
    .where('market_time', '>=', dayStart).executeTakeFirst();
  const firstToday = await snapshots.select('equity').where('market_time', '>=', dayStart)
    .orderBy('market_time').limit(1).executeTakeFirst();
  const peak = await snapshots.select((eb) => eb.fn.max('equity').as('peak')).executeTakeFirst();
  const stops = await db.selectFrom('trades').select(['symbol', (eb) => eb.fn.max('closed_at').as('at')])
    .where('agent_id', '=', agentId).where('close_reason', '=', 'stop_loss').groupBy('symbol').execute();
  const opens = await db.selectFrom('trades').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agent_id', '=', agentId).where('opened_at', '>', new Date(now - HOUR_MS)).executeTakeFirstOrThrow();

  const dayStartEquity = Number(beforeToday?.equity ?? firstToday?.equity ?? equity);
  return {
    dayStartEquity,
    dayLowEquity: Math.min(equity, today?.low == null ? equity : Number(today.low)),
    peakEquity: Math.max(equity, peak?.peak == null ? equity : Number(peak.peak)),
    lastStopLossAt: Object.fromEntries(stops.filter((s) => s.at).map((s) => [s.symbol, new Date(s.at as Date).getTime()])),
    opensLastHour: Number(opens.n),
  };
}
