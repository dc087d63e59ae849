/**
 * Where an agent stands against its account-wide limits, for its prompt: the figures the risk engine
 * (risk/engine.ts) will judge the next opens by, from the same account and history (AgentLedger.riskHistory).
 */
import Decimal from 'decimal.js';
import { type RiskLimits, withRiskDefaults } from '../../arena-config/types';
import type { RiskHistory } from '../../ledger/agent-ledger';
import type { AccountView, LimitsState, PositionView } from '../types';

export interface LimitsStateInput {
  /** Market time, epoch ms. */
  now: number;
  account: AccountView;
  positions: PositionView[];
  risk: RiskLimits;
  history: RiskHistory;
}

const MINUTE = 60_000;

export function limitsState({ now, account, positions, risk, history }: LimitsStateInput): LimitsState {
  const limits = withRiskDefaults(risk);
  const equity = new Decimal(account.equity);
  const dayStart = new Decimal(history.dayStartEquity);
  const dayPnl = equity.sub(dayStart);
  const pctOfEquity = (pct: number) => equity.mul(pct).div(100);

  // The caps of risk/engine.ts sizeCaps that do not depend on the symbol or the leverage.
  const available = Decimal.max(0, account.available);
  const committed = positions.reduce((sum, p) => sum.add(p.margin), new Decimal(0));
  const freeMargin = Decimal.max(
    0,
    Decimal.min(
      available,
      pctOfEquity(limits.maxTotalPositionPct).sub(committed),
      pctOfEquity(limits.maxMarginUsagePct).sub(account.marginUsed),
    ),
  );
  const singleTradePct = positions.length > 0 ? limits.maxSingleTradeWithPositionsPct : limits.maxSingleTradePct;
  const maxOpenMargin = Decimal.min(
    freeMargin,
    Decimal.max(0, pctOfEquity(limits.maxPositionSizePct)),
    available.mul(singleTradePct).div(100),
  );

  const cooldownMs = limits.stopLossCooldownMinutes * MINUTE;
  const cooldowns =
    cooldownMs <= 0
      ? []
      : Object.entries(history.lastStopLossAt)
          .map(([symbol, at]) => ({ symbol, leftMs: at + cooldownMs - now }))
          .filter((c) => c.leftMs > 0)
          .map((c) => ({ symbol: c.symbol, minutesLeft: Math.ceil(c.leftMs / MINUTE) }))
          .sort((a, b) => a.minutesLeft - b.minutesLeft || (a.symbol < b.symbol ? -1 : 1));

  return {
    dayPnl: dayPnl.toNumber(),
    dayPnlPct: dayStart.gt(0) ? dayPnl.div(dayStart).mul(100).toNumber() : 0,
    dayLossPct: pctBelow(dayStart, Decimal.min(equity, history.dayLowEquity ?? equity)),
    drawdownPct: pctBelow(Decimal.max(equity, history.peakEquity), equity),
    opensLastHour: history.opensLastHour,
    cooldowns,
    freeMargin: freeMargin.toNumber(),
    maxOpenMargin: maxOpenMargin.toNumber(),
  };
}

/** How far (%) `value` is below `reference`; 0 when it is not below or the reference is not positive. */
function pctBelow(reference: Decimal, value: Decimal): number {
  return reference.gt(0) && value.lt(reference) ? reference.sub(value).div(reference).mul(100).toNumber() : 0;
}
