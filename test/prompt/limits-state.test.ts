import assert from 'node:assert/strict';
import { limitsState, type LimitsStateInput } from '../../decisions/prompt/limits-state';
import type { PositionView } from '../../decisions/types';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';

const NOW = Date.UTC(2023, 6, 30, 21, 15);
const MIN = 60_000;

function position(symbol: string, margin: number): PositionView {
  return {
    symbol,
    side: 'long',
    quantity: 1,
    entryPrice: 100,
    markPrice: 100,
    unrealizedPnl: 0,
    leverage: 5,
    margin,
    liquidationPrice: 80,
    openedAt: NOW - 30 * MIN,
    stopLoss: 95,
    takeProfit: 110,
  };
}

/** Seed limits (daily loss 15 %, total 80 %, usage 90 %, one position 30 %, one trade 50 % / 30 % with positions) and the defaults (drawdown 30 %, cooldown 15 min). */
function input(over: Partial<LimitsStateInput> = {}): LimitsStateInput {
  return {
    now: NOW,
    account: { equity: 9_700, available: 6_000, marginUsed: 3_200, unrealizedPnl: 0 },
    positions: [position('BTCUSDT', 1_500), position('ETHUSDT', 1_200)],
    risk: { ...SEED_RISK_LIMITS },
    history: {
      dayStartEquity: 10_000,
      dayLowEquity: 9_500,
      peakEquity: 10_400,
      opensLastHour: 4,
      lastStopLossAt: { SOLUSDT: NOW - 6 * MIN, ETHUSDT: NOW - 15 * MIN, XRPUSDT: NOW - 14.5 * MIN, DOGEUSDT: NOW - 3 * 60 * MIN },
    },
    ...over,
  };
}

describe('limitsState: where the agent stands against its limits', () => {
  it('measures the day, the drawdown, the cooldowns and the margin left as the risk engine does', () => {
    assert.deepEqual(limitsState(input()), {
      dayPnl: -300, // 9700 - 10000
      dayPnlPct: -3,
      dayLossPct: 5, // the breaker counts the day's low: (10000 - 9500) / 10000
      drawdownPct: (700 / 10_400) * 100, // peak 10400, equity 9700: 6.73 %
      opensLastHour: 4,
      // SOLUSDT 9 min left; XRPUSDT 30 s, rounded up; ETHUSDT's ended just now, DOGEUSDT's long ago.
      cooldowns: [
        { symbol: 'XRPUSDT', minutesLeft: 1 },
        { symbol: 'SOLUSDT', minutesLeft: 9 },
      ],
      // min(available 6000, 80 % of 9700 - committed 2700 = 5060, 90 % of 9700 - used 3200 = 5530)
      freeMargin: 5_060,
      // min(5060, 30 % of equity = 2910, 30 % of available with positions open = 1800)
      maxOpenMargin: 1_800,
    });
  });

  it('with no position open: the single-trade share of available is the larger one', () => {
    const state = limitsState(input({ account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 }, positions: [] }));
    assert.equal(state.freeMargin, 8_000); // 80 % of 10000
    assert.equal(state.maxOpenMargin, 3_000); // 30 % of equity per position, under 50 % of available
  });

  it('counts the current equity when it is the day low or the peak, and never goes below zero', () => {
    const state = limitsState(
      input({
        account: { equity: 10_500, available: 100, marginUsed: 9_900, unrealizedPnl: 0 },
        history: { dayStartEquity: 10_000, dayLowEquity: 10_200, peakEquity: 10_400, lastStopLossAt: {}, opensLastHour: 0 },
      }),
    );
    assert.equal(state.dayPnl, 500);
    assert.equal(state.dayPnlPct, 5);
    assert.equal(state.dayLossPct, 0);
    assert.equal(state.drawdownPct, 0);
    assert.equal(state.freeMargin, 0); // 90 % of 10500 = 9450 < 9900 used
    assert.equal(state.maxOpenMargin, 0);
  });

  it('has no cooldown when the limit is off, and is decimal-exact on money', () => {
    const state = limitsState(
      input({
        risk: { ...SEED_RISK_LIMITS, stopLossCooldownMinutes: 0 },
        account: { equity: 1, available: 1, marginUsed: 0.3, unrealizedPnl: 0 },
        positions: [position('BTCUSDT', 0.1), position('ETHUSDT', 0.2)],
      }),
    );
    assert.deepEqual(state.cooldowns, []);
    assert.equal(state.freeMargin, 0.5); // 0.8 - (0.1 + 0.2), not 0.49999999999999994
  });
});
