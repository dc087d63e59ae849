import type { Logger } from 'pino';
import type { CycleFailure } from '../cycle/types';
import type { RiskVerdict } from '../risk/types';
import type { RecordInput } from '../workflows/definitions';

/**
 * One info line per recorded cycle, e.g.
 * `cycle 42 · bar 2025-10-02 03:00Z · open long BTCUSDT 0.012 @3x · 1 rejected · refused open_long SOLUSDT (max_positions) ·
 * equity 10,012.34 USDT · 1 position · 1.2 s`,
 * with the same facts as fields (agent, cycle, marketTime, decided, executed, equity, positions, durationMs);
 * then a warning for each order the venue refused, each emergency close and liquidation, a failed model
 * call, and safe mode.
 */
export function logCycle(log: Logger, record: RecordInput, durationMs: number): void {
  const agent = record.agentId;
  const cycle = record.cycleNo;
  const { equity } = record.after.account;
  const positions = record.after.positions.length;
  const refused = record.verdicts.filter((v) => v.status === 'rejected').map((v) => `refused ${decisionText(v)} (${v.rule ?? v.reason})`);
  const closed = record.closedTrades.map((t) => `${t.symbol} ${t.side} closed by ${t.reason.replace('_', '-')} (${signed(t.pnl)} USDT)`);
  const message = [
    `cycle ${cycle}`,
    `bar ${barTime(record.marketTime)}`,
    record.summary,
    ...refused,
    ...closed,
    `equity ${usdt(equity)} USDT`,
    `${positions} position${positions === 1 ? '' : 's'}`,
    `${(durationMs / 1000).toFixed(1)} s`,
  ].join(' · ');
  log.info(
    {
      agent,
      cycle,
      marketTime: new Date(record.marketTime).toISOString(),
      decided: record.verdicts.map(describeVerdict),
      executed: record.executions.map((e) => `${e.leg} ${e.symbol} ${e.status}`),
      equity,
      positions,
      durationMs,
    },
    message,
  );

  for (const e of record.executions) {
    const fields = { agent, cycle, symbol: e.symbol, purpose: e.leg, status: e.status };
    if (e.leg === 'emergency_close') log.warn(fields, `cycle ${cycle}: emergency close of ${e.symbol} ${e.status}: ${e.error ?? ''}`);
    else if (e.status === 'rejected')
      log.warn(fields, `cycle ${cycle}: ${e.leg} ${e.symbol} refused by the venue: ${e.error ?? 'no reason given'}`);
  }
  for (const t of record.closedTrades.filter((trade) => trade.reason === 'liquidation')) {
    log.warn({ agent, cycle, symbol: t.symbol }, `cycle ${cycle}: ${t.symbol} ${t.side} was liquidated (${signed(t.pnl)} USDT)`);
  }
  if (record.llm?.error) log.warn({ agent, cycle }, `cycle ${cycle}: model call failed, the agent waits this cycle: ${record.llm.error}`);
  if (record.safeMode)
    log.warn({ agent, cycle }, `cycle ${cycle}: safe mode: no new positions until the agent recovers from repeated failures`);
}

export function logCycleFailure(log: Logger, failure: CycleFailure, durationMs: number): void {
  log.warn(
    { agent: failure.agentId, cycle: failure.cycleNo, durationMs },
    `cycle ${failure.cycleNo} failed after ${(durationMs / 1000).toFixed(1)} s: ${failure.error}`,
  );
}

/** `open_long BTCUSDT`, then what the risk engine did when it did not simply approve: `rejected (max_positions)`. */
function describeVerdict(v: RiskVerdict): string {
  return v.status === 'rejected' || v.status === 'resized' ? `${decisionText(v)} ${v.status} (${v.rule ?? v.reason})` : decisionText(v);
}

function decisionText(v: RiskVerdict): string {
  return [v.decision.action, v.decision.symbol].filter(Boolean).join(' ');
}

function barTime(marketTime: number): string {
  return `${new Date(marketTime).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

const USDT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdt = (value: number) => USDT.format(value);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${usdt(value)}`;
