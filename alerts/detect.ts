/**
 * Which alerts a recorded cycle, a failed cycle or a look at the running agents raises. Pure: the
 * callers read what detection needs from the past (alerts/raise.ts, alerts/timed-checks.ts) and write
 * what it returns. Each event's key names the event itself, so detecting it again adds nothing.
 */
import type { AlertThresholds } from '../arena-config/types';
import type { CycleFailure } from '../cycle/types';
import type { RiskRule, RiskVerdict } from '../risk/types';
import type { RecordInput } from '../workflows/definitions';
import { type AgentMarks, type AlertEvent, DAY_MS, HOUR_MS, VENUE_ERROR_WINDOW_MS, utcDay } from './types';

/** What detection reads of a recorded cycle. */
export type CycleFacts = Pick<
  RecordInput,
  'agentId' | 'cycleNo' | 'marketTime' | 'verdicts' | 'executions' | 'closedTrades' | 'after' | 'safeMode' | 'unprotected'
>;

export interface VenueErrorCount {
  count: number;
  lastError: string | null;
}

/** One agent's UTC day (market time), for its daily summary. */
export interface DailySummary {
  day: string;
  pnl: number;
  returnPct: number | null;
  endEquity: number | null;
  trades: number;
  winRatePct: number | null;
  feesUsd: number;
  modelCostUsd: number;
}

/** What a cycle is compared with. */
export interface CycleHistory {
  /** The agent's previous recorded cycle as the alerts saw it; null before the first. */
  previous: AgentMarks | null;
  /** The highest equity of the hour (market time) before this cycle; null when the hour holds none. */
  equityHighLastHour: number | null;
  /** Venue errors of the last 10 minutes, this cycle's included; null when not counted (the cycle had none). */
  venueErrors: VenueErrorCount | null;
  /** The summary of the day the previous cycle belonged to, when this cycle is the first of a later day. */
  dailySummary: DailySummary | null;
  /** Wall-clock time of the detection. */
  now: number;
}

export function detectCycleAlerts(cycle: CycleFacts, history: CycleHistory, thresholds: AlertThresholds): AlertEvent[] {
  const { agentId, cycleNo, marketTime } = cycle;
  const equity = cycle.after.account.equity;
  const event = (e: Omit<AlertEvent, 'agentId' | 'at'>): AlertEvent => ({ ...e, agentId, at: marketTime });
  const where = { agent: agentId, cycle: cycleNo, market_time: iso(marketTime) };
  const events: AlertEvent[] = [];

  const locks = accountLocks(cycle.verdicts);
  if (locks.dailyLoss) {
    events.push(
      event({
        key: `daily_loss_limit:${agentId}:${utcDay(marketTime)}`,
        kind: 'daily_loss_limit',
        severity: 'critical',
        title: `${agentId}: daily loss limit reached, no new positions until 00:00 UTC`,
        fields: { ...where, equity: usdt(equity), reason: locks.dailyLoss },
      }),
    );
  }
  if (locks.drawdown) {
    events.push(
      event({
        key: `drawdown_lock:${agentId}:${utcDay(marketTime)}`,
        kind: 'drawdown_lock',
        severity: 'critical',
        title: `${agentId}: drawdown lock, no new positions`,
        fields: { ...where, equity: usdt(equity), reason: locks.drawdown },
      }),
    );
  }

  const wasSafe = history.previous?.safeMode ?? false;
  if (cycle.safeMode !== wasSafe) {
    events.push(
      cycle.safeMode
        ? event({
            key: `safe_mode_entered:${agentId}:${cycleNo}`,
            kind: 'safe_mode_entered',
            severity: 'warning',
            title: `${agentId} is in safe mode: no new positions until it recovers from repeated failures`,
            fields: where,
          })
        : event({
            key: `safe_mode_left:${agentId}:${cycleNo}`,
            kind: 'safe_mode_left',
            severity: 'info',
            title: `${agentId} left safe mode: it may open positions again`,
            fields: where,
          }),
    );
  }

  for (const e of cycle.executions.filter((x) => x.leg === 'emergency_close')) {
    events.push(
      event({
        key: `emergency_close:${agentId}:${cycleNo}:${e.symbol}`,
        kind: 'emergency_close',
        severity: 'critical',
        title: `${agentId}: ${e.symbol} closed at market because its protection could not be placed`,
        fields: { ...where, symbol: e.symbol, status: e.status, error: e.error ?? null },
      }),
    );
  }

  const knownUnprotected = new Set(history.previous?.unprotected ?? []);
  for (const symbol of cycle.unprotected.filter((s) => !knownUnprotected.has(s))) {
    events.push(
      event({
        key: `unprotected_position:${agentId}:${symbol}:${cycleNo}`,
        kind: 'unprotected_position',
        severity: 'warning',
        title: `${agentId}: ${symbol} position found without its stop-loss or take-profit (the cycle protects it again)`,
        fields: { ...where, symbol },
      }),
    );
  }

  for (const t of cycle.closedTrades.filter((x) => x.reason === 'liquidation')) {
    events.push(
      event({
        key: `liquidation:${agentId}:${cycleNo}:${t.symbol}:${t.side}`,
        kind: 'liquidation',
        severity: 'critical',
        title: `${agentId}: ${t.side} ${t.symbol} liquidated at ${t.exitPrice} (PnL ${signed(t.pnl)} USDT)`,
        fields: { ...where, symbol: t.symbol, side: t.side, exit_price: t.exitPrice, pnl: usdt(t.pnl) },
      }),
    );
  }

  const venueErrors = venueErrorEvent(agentId, history.venueErrors, thresholds, history.now, marketTime);
  if (venueErrors) events.push(venueErrors);

  const high = history.equityHighLastHour;
  const dropPct = high !== null && high > 0 ? ((high - equity) / high) * 100 : 0;
  if (dropPct > thresholds.equityDropPctPerHour) {
    events.push(
      event({
        key: `equity_drop:${agentId}:${Math.floor(marketTime / HOUR_MS)}`,
        kind: 'equity_drop',
        severity: 'critical',
        title: `${agentId}: equity down ${dropPct.toFixed(1)} % within an hour (${usdt(high!)} → ${usdt(equity)} USDT)`,
        fields: {
          ...where,
          equity: usdt(equity),
          hour_high: usdt(high!),
          drop_pct: round(dropPct, 2),
          threshold_pct: thresholds.equityDropPctPerHour,
        },
      }),
    );
  }

  const summary = history.dailySummary;
  if (summary) {
    const ret = summary.returnPct === null ? '' : ` (${signed(summary.returnPct)} %)`;
    events.push(
      event({
        key: `daily_summary:${agentId}:${summary.day}`,
        kind: 'daily_summary',
        severity: 'info',
        title:
          `${agentId} on ${summary.day}: PnL ${signed(summary.pnl)} USDT${ret}, ${summary.trades} trades, ` +
          `fees ${usdt(summary.feesUsd)} USDT, model cost $${summary.modelCostUsd.toFixed(2)}`,
        fields: {
          agent: agentId,
          day: summary.day,
          pnl: usdt(summary.pnl),
          return_pct: summary.returnPct === null ? null : round(summary.returnPct, 2),
          end_equity: summary.endEquity === null ? null : usdt(summary.endEquity),
          trades: summary.trades,
          win_rate_pct: summary.winRatePct === null ? null : round(summary.winRatePct, 1),
          fees: usdt(summary.feesUsd),
          model_cost_usd: round(summary.modelCostUsd, 4),
        },
      }),
    );
  }
  return events;
}

/** What a failed cycle is compared with. */
export interface FailureHistory {
  /** The failed cycles in a row ending with this one. */
  streak: { length: number; firstCycle: number };
  venueErrors: VenueErrorCount | null;
  now: number;
}

export function detectFailureAlerts(failure: CycleFailure, history: FailureHistory, thresholds: AlertThresholds): AlertEvent[] {
  const { agentId, cycleNo } = failure;
  const at = failure.marketTime ?? history.now;
  const events: AlertEvent[] = [];
  if (history.streak.length >= thresholds.failingCycles) {
    events.push({
      key: `cycles_failing:${agentId}:${history.streak.firstCycle}`,
      kind: 'cycles_failing',
      severity: 'critical',
      agentId,
      at,
      title: `${agentId}: ${history.streak.length} cycles failed in a row`,
      fields: { agent: agentId, cycle: cycleNo, first_failed_cycle: history.streak.firstCycle, error: failure.error },
    });
  }
  const venueErrors = venueErrorEvent(agentId, history.venueErrors, thresholds, history.now, at);
  if (venueErrors) events.push(venueErrors);
  return events;
}

/** A failed cycle's error (`type: message`) names a venue error when its type starts with this. */
export const VENUE_FAILURE_PREFIX = 'Venue';

/** What the time-based checks know of one agent: its workflow's latest run and its last recorded cycle. */
export interface AgentLiveness {
  agentId: string;
  runId: string;
  /** Temporal's status of the run: RUNNING, COMPLETED, TERMINATED, FAILED, TIMED_OUT, CANCELLED. */
  executionStatus: string;
  /** The agent's own status (the AgentStatus search attribute): RUNNING, PAUSED, STOPPED, FINISHED. */
  agentStatus: string | null;
  /** Why a completed run ended (its final state's reason), when known. */
  reason: string | null;
  startedAt: number;
  closedAt: number | null;
  lastCycleAt: number | null;
}

/** One alert per run of an agent's workflow that ended. */
export const agentStoppedKey = (agentId: string, runId: string): string => `agent_stopped:${agentId}:${runId}`;

/** Runs that ended longer ago than this raise nothing (the arena was down, or alerts were off). */
export const STOPPED_LOOKBACK_MS = DAY_MS;

export function detectTimedAlerts(agents: AgentLiveness[], thresholds: AlertThresholds, now: number): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const a of agents) {
    const fields = { agent: a.agentId, run_id: a.runId, status: a.agentStatus ?? a.executionStatus };
    if (a.executionStatus !== 'RUNNING') {
      if (a.closedAt === null || now - a.closedAt > STOPPED_LOOKBACK_MS) continue;
      const finished = a.agentStatus === 'FINISHED';
      const byOperator = a.executionStatus === 'COMPLETED';
      const what = byOperator ? (a.agentStatus ?? 'STOPPED').toLowerCase() : a.executionStatus.toLowerCase().replace('_', ' ');
      events.push({
        key: agentStoppedKey(a.agentId, a.runId),
        kind: 'agent_stopped',
        severity: finished ? 'info' : byOperator ? 'warning' : 'critical',
        agentId: a.agentId,
        at: a.closedAt,
        title: `${a.agentId} ${what}${a.reason ? `: ${a.reason}` : ''}`,
        fields: { ...fields, reason: a.reason, closed_at: iso(a.closedAt) },
      });
      continue;
    }
    if (a.agentStatus !== null && a.agentStatus !== 'RUNNING') continue; // paused: no cycles expected
    // A run started after a pause in the records (the arena was down) counts from its start.
    const since = Math.max(a.lastCycleAt ?? 0, a.startedAt);
    const silentMs = now - since;
    if (silentMs <= thresholds.noCycleMinutes * 60_000) continue;
    events.push({
      key: `no_cycle:${a.agentId}:${since}`,
      kind: 'no_cycle',
      severity: 'warning',
      agentId: a.agentId,
      at: now,
      title: `${a.agentId}: no cycle for ${silentMs < 120_000 ? `${Math.floor(silentMs / 1000)} seconds` : `${Math.floor(silentMs / 60_000)} minutes`}`,
      fields: {
        ...fields,
        last_cycle_at: a.lastCycleAt === null ? null : iso(a.lastCycleAt),
        threshold_minutes: thresholds.noCycleMinutes,
      },
    });
  }
  return events;
}

/** The reasons of the account locks among the verdicts: the daily loss circuit breaker and the drawdown lock. */
export function accountLocks(verdicts: readonly RiskVerdict[]): { dailyLoss: string | null; drawdown: string | null } {
  const rejected = verdicts.filter((v) => v.status === 'rejected');
  // A verdict without its rule (a risk check recorded before rules existed) names the limit in its reason.
  const reasonFor = (rule: RiskRule) => rejected.find((v) => (v.rule ? v.rule === rule : v.reason.includes(`(${rule})`)))?.reason ?? null;
  return { dailyLoss: reasonFor('max_daily_loss_pct'), drawdown: reasonFor('max_drawdown_pct') };
}

function venueErrorEvent(
  agentId: string,
  errors: VenueErrorCount | null,
  thresholds: AlertThresholds,
  now: number,
  at: number,
): AlertEvent | null {
  if (!errors || errors.count <= thresholds.venueErrorsPer10Minutes) return null;
  return {
    key: `venue_errors:${agentId}:${Math.floor(now / VENUE_ERROR_WINDOW_MS)}`,
    kind: 'venue_errors',
    severity: 'warning',
    agentId,
    at,
    title: `${agentId}: ${errors.count} venue errors in 10 minutes (more than ${thresholds.venueErrorsPer10Minutes})`,
    fields: { agent: agentId, errors: errors.count, threshold: thresholds.venueErrorsPer10Minutes, last_error: errors.lastError },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const usdt = (value: number): number => round(value, 2);
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
