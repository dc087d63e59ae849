import assert from 'node:assert/strict';
import type { RiskLimits } from '../../arena-config/types';
import type { Decision, PositionView } from '../../decisions/types';
import { PreTradeInput, preTradeCheck } from '../../risk/pre-trade-check';
import { PAPER_SYMBOL_RULES } from '../../venues/paper/symbol-table';

const limits: RiskLimits = {
  maxPositions: 2, maxLeverage: 10, maxPositionSizePct: 30, maxTotalPositionPct: 80, maxSingleTradePct: 50,
  maxSingleTradeWithPositionsPct: 30, maxDailyLossPct: 15, maxMarginUsagePct: 90, stopLossPct: 3, takeProfitPct: 10,
};

const held: PositionView = {
  symbol: 'ETHUSDT', side: 'long', quantity: 1, entryPrice: 1900, markPrice: 1900, unrealizedPnl: 0, leverage: 5,
  margin: 380, liquidationPrice: 1530, stopLoss: 1800, takeProfit: 2100, openedAt: 0,
};

function check(decisions: Decision[], over: Partial<PreTradeInput> = {}) {
  return preTradeCheck({
    decisions, account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 }, positions: [],
    prices: { BTCUSDT: 30_000, ETHUSDT: 1900, DOGEUSDT: 0.07 }, rules: PAPER_SYMBOL_RULES, limits,
    takerFeeRate: 0.0005, safeMode: false, ...over,
  });
}

describe('pre-trade risk check', () => {
  it('caps leverage at the agent maximum and says so', () => {
    const [v] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 3000, leverage: 50, reason: 't' }]);
    assert.equal(v!.status, 'resized');
    assert.equal(v!.order!.leverage, 10);
    assert.match(v!.reason, /leverage 50x capped to 10x/);
  });

  it('sizes from available margin: one trade uses at most 50 % of it (30 % with positions)', () => {
    const [v] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 1_000_000, leverage: 10, reason: 't' }]);
    const margin = (Number(v!.order!.quantity) * 30_000) / 10;
    assert.ok(margin <= 5000 && margin > 4900, `margin ${margin}`);
    const [w] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 1_000_000, leverage: 10, reason: 't' }], { positions: [held] });
    assert.ok((Number(w!.order!.quantity) * 30_000) / 10 <= 3000);
  });

  it('rounds the quantity down to the step and rejects what falls below the minimum notional', () => {
    const [v] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 1234.56, leverage: 2, reason: 't' }]);
    assert.equal(v!.order!.quantity, '0.041');
    const [tiny] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 50, leverage: 2, reason: 't' }]);
    assert.equal(tiny!.status, 'rejected');
    assert.match(tiny!.reason, /below the minimum 100 USDT/);
  });

  it('enforces max positions, counting the room closes free first', () => {
    const two = [held, { ...held, symbol: 'DOGEUSDT', entryPrice: 0.07, markPrice: 0.07, quantity: 1000, margin: 14 }];
    const open: Decision = { action: 'open_short', symbol: 'BTCUSDT', sizeUsd: 1000, leverage: 2, reason: 't' };
    assert.equal(check([open], { positions: two })[0]!.status, 'rejected');
    const [opened, closed] = check([open, { action: 'close', symbol: 'ETHUSDT', reason: 't' }], { positions: two });
    assert.equal(closed!.status, 'approved');
    assert.equal(opened!.status, 'approved');
  });

  it('refuses stacking, unknown symbols, closes without a position, and everything new in safe mode', () => {
    assert.match(check([{ action: 'open_long', symbol: 'ETHUSDT', sizeUsd: 500, reason: 't' }], { positions: [held] })[0]!.reason, /no stacking/);
    assert.match(check([{ action: 'open_long', symbol: 'PEPEUSDT', sizeUsd: 500, reason: 't' }])[0]!.reason, /not traded/);
    assert.match(check([{ action: 'close', symbol: 'BTCUSDT', reason: 't' }])[0]!.reason, /no open position/);
    const safe = check([
      { action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 1000, reason: 't' }, { action: 'close', symbol: 'ETHUSDT', reason: 't' },
    ], { positions: [held], safeMode: true });
    assert.equal(safe[0]!.status, 'rejected');
    assert.equal(safe[1]!.status, 'approved');
  });

  it('puts stop-loss and take-profit on the right side, defaulting to the configured percentages', () => {
    const [v] = check([{ action: 'open_short', symbol: 'BTCUSDT', sizeUsd: 1000, leverage: 2, reason: 't' }]);
    assert.equal(v!.order!.stopLoss, '30900.0');
    assert.equal(v!.order!.takeProfit, '27000.0');
    const [bad] = check([{ action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 1000, stopLoss: 31_000, reason: 't' }]);
    assert.equal(bad!.status, 'rejected');
    assert.match(bad!.reason, /stop-loss 31000 is on the wrong side/);
  });
});
