import assert from 'node:assert/strict';
import type { RiskLimits } from '../../arena-config/types';
import type { Decision, PositionView } from '../../decisions/types';
import { type RiskContext, evaluateDecisions } from '../../risk/engine';
import type { RiskVerdict } from '../../risk/types';
import { liquidationPrice } from '../../venues/symbol-rules';
import { PAPER_MARGIN_BRACKETS } from '../../venues/paper/margin-brackets';
import type { MarginBracket, SymbolRules } from '../../venues/venue';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';

const NOW = Date.UTC(2024, 0, 10, 12, 0);
const MIN = 60_000;

/** Binance USD-M's maintenance brackets (the paper venue's bundled copy). */
const brackets = (symbol: string): MarginBracket[] => [...PAPER_MARGIN_BRACKETS.get(symbol)!];

const RULES: Record<string, SymbolRules> = {
  BTCUSDT: {
    symbol: 'BTCUSDT',
    tickSize: '0.1',
    stepSize: '0.001',
    minQty: '0.001',
    minNotional: '100',
    maxLeverage: 125,
    marginBrackets: brackets('BTCUSDT'),
  },
  ETHUSDT: {
    symbol: 'ETHUSDT',
    tickSize: '0.01',
    stepSize: '0.001',
    minQty: '0.001',
    minNotional: '20',
    maxLeverage: 100,
    marginBrackets: brackets('ETHUSDT'),
  },
  SOLUSDT: {
    symbol: 'SOLUSDT',
    tickSize: '0.001',
    stepSize: '1',
    minQty: '1',
    minNotional: '5',
    maxLeverage: 50,
    marginBrackets: brackets('SOLUSDT'),
  },
  DOGEUSDT: {
    symbol: 'DOGEUSDT',
    tickSize: '0.00001',
    stepSize: '1',
    minQty: '1',
    minNotional: '5',
    maxLeverage: 50,
    marginBrackets: brackets('DOGEUSDT'),
  },
};
const PRICES = { BTCUSDT: 30_000, ETHUSDT: 2000, SOLUSDT: 100, DOGEUSDT: 0.07 };

/** The seed's limits (the optional ones take their defaults). */
const SEED: RiskLimits = SEED_RISK_LIMITS;

/** Every limit out of the way, so that one test can switch on the rule it is about. */
const LOOSE: RiskLimits = {
  maxPositions: 50,
  maxLeverage: 125,
  maxPositionSizePct: 100,
  maxTotalPositionPct: 100,
  maxSingleTradePct: 100,
  maxSingleTradeWithPositionsPct: 100,
  maxDailyLossPct: 100,
  maxMarginUsagePct: 100,
  stopLossPct: 3,
  takeProfitPct: 10,
  majorMaxLeverage: 125,
  altcoinMaxLeverage: 125,
  majorMaxNotionalMultiple: 125,
  altcoinMaxNotionalMultiple: 125,
  minRiskReward: 0,
  maxDrawdownPct: 100,
  stopLossCooldownMinutes: 0,
  maxOpensPerHour: 1000,
  minHoldingMinutes: 0,
};

function context(over: Partial<RiskContext> = {}): RiskContext {
  return {
    now: NOW,
    account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
    positions: [],
    prices: PRICES,
    rules: RULES,
    limits: SEED,
    takerFeeRate: 0.0005,
    safeMode: false,
    dayStartEquity: 10_000,
    peakEquity: 10_000,
    lastStopLossAt: {},
    opensLastHour: 0,
    ...over,
  };
}

function judge(decisions: Decision[], over: Partial<RiskContext> = {}): RiskVerdict[] {
  return evaluateDecisions(context(over), decisions);
}

function judgeOne(decision: Decision, over: Partial<RiskContext> = {}): RiskVerdict {
  return judge([decision], over)[0]!;
}

function position(over: Partial<PositionView> = {}): PositionView {
  return {
    symbol: 'ETHUSDT',
    side: 'long',
    quantity: 1,
    entryPrice: 2000,
    markPrice: 2000,
    unrealizedPnl: 0,
    leverage: 5,
    margin: 400,
    liquidationPrice: 1610,
    stopLoss: 1900,
    takeProfit: 2300,
    openedAt: NOW - 60 * MIN,
    ...over,
  };
}

const long = (symbol: string, sizeUsd: number, more: Partial<Decision> = {}): Decision => ({
  action: 'open_long',
  symbol,
  sizeUsd,
  reason: 'test',
  ...more,
});
const short = (symbol: string, sizeUsd: number, more: Partial<Decision> = {}): Decision => ({
  action: 'open_short',
  symbol,
  sizeUsd,
  reason: 'test',
  ...more,
});
const close = (symbol: string): Decision => ({ action: 'close', symbol, reason: 'test' });

function assertRejected(v: RiskVerdict, reason: RegExp): void {
  assert.equal(v.status, 'rejected', v.reason);
  assert.equal(v.order, undefined);
  assert.match(v.reason, reason);
}

function margin(v: RiskVerdict): number {
  return (Number(v.order!.quantity) * v.order!.referencePrice) / v.order!.leverage;
}

describe('risk engine: hand-made cases', () => {
  it('answers hold and wait with no order, and keeps the input order in its answer', () => {
    const decisions: Decision[] = [
      { action: 'hold', symbol: 'BTCUSDT', reason: 't' },
      long('BTCUSDT', 1000, { leverage: 2 }),
      { action: 'wait', reason: 't' },
    ];
    const verdicts = judge(decisions);
    assert.deepEqual(
      verdicts.map((v) => v.decision),
      decisions,
    );
    assert.deepEqual(
      verdicts.map((v) => v.status),
      ['no_order', 'approved', 'no_order'],
    );
    assert.equal(verdicts[0]!.reason, 'hold: nothing to trade');
    assert.equal(verdicts[0]!.order, undefined);
  });

  it('approves an order within every limit, rounded to the step, with default stop-loss and take-profit', () => {
    const v = judgeOne(long('BTCUSDT', 1234.56, { leverage: 2 }));
    assert.equal(v.status, 'approved');
    assert.deepEqual(v.order, {
      kind: 'open',
      symbol: 'BTCUSDT',
      side: 'long',
      quantity: '0.041',
      leverage: 2,
      referencePrice: 30_000,
      stopLoss: '29100.0',
      takeProfit: '33000.0',
    });
    assert.equal(
      v.reason,
      'open long 0.041 BTCUSDT at 2x, margin 615.00 USDT, stop-loss 29100.0 (default 3 %), take-profit 33000.0 (default 10 %)',
    );
  });

  describe('leverage', () => {
    it('caps it at the agent maximum', () => {
      const v = judgeOne(long('BTCUSDT', 3000, { leverage: 50 }));
      assert.equal(v.status, 'resized');
      assert.equal(v.order!.leverage, 10);
      assert.match(v.reason, /leverage 50x capped to 10x: the agent max \(max_leverage\)/);
    });

    it('caps it at the venue maximum', () => {
      // A stop 0.33 % away: at 75x the position is liquidated about 0.9 % away (a 3 % stop could never fire).
      const v = judgeOne(long('BTCUSDT', 3000, { leverage: 120, stopLoss: 29_900 }), {
        limits: LOOSE,
        rules: { ...RULES, BTCUSDT: { ...RULES.BTCUSDT!, maxLeverage: 75 } },
      });
      assert.equal(v.order!.leverage, 75);
      assert.match(v.reason, /leverage 120x capped to 75x: the venue max for BTCUSDT/);
    });

    it('caps majors at 50x and altcoins at 20x by default', () => {
      // Stops near enough for these leverages to carry them (the default 3 % would lower the leverage further).
      const limits = { ...SEED, maxLeverage: 125 };
      const btc = judgeOne(long('BTCUSDT', 3000, { leverage: 100, stopLoss: 29_750, takeProfit: 31_000 }), { limits });
      assert.equal(btc.order!.leverage, 50);
      assert.match(btc.reason, /leverage 100x capped to 50x: the cap for majors \(major_max_leverage\)/);
      const sol = judgeOne(long('SOLUSDT', 300, { leverage: 40, stopLoss: 98, takeProfit: 106 }), { limits });
      assert.equal(sol.order!.leverage, 20);
      assert.match(sol.reason, /leverage 40x capped to 20x: the cap for altcoins \(altcoin_max_leverage\)/);
      const custom = judgeOne(long('SOLUSDT', 300, { leverage: 40, stopLoss: 99.75, takeProfit: 101 }), {
        limits: { ...limits, majorSymbols: ['SOLUSDT'] },
      });
      assert.equal(custom.order!.leverage, 40);
    });

    it('uses 1x when none is asked, and says so when the request is not a leverage', () => {
      assert.equal(judgeOne(long('BTCUSDT', 1000)).order!.leverage, 1);
      for (const leverage of [0, -3, Number.NaN]) {
        const v = judgeOne(long('BTCUSDT', 1000, { leverage }));
        assert.equal(v.status, 'resized');
        assert.equal(v.order!.leverage, 1);
        assert.match(v.reason, /leverage .*x is not valid: 1x used/);
      }
    });
  });

  describe('size', () => {
    it('limits one trade to 30 % of available while positions are open (margin plus fee)', () => {
      const v = judgeOne(long('BTCUSDT', 24_100, { leverage: 10 }), {
        takerFeeRate: 0,
        account: { equity: 10_000, available: 5000, marginUsed: 5000, unrealizedPnl: 0 },
        positions: [position({ quantity: 5, leverage: 2, margin: 5000 })],
      });
      assert.equal(v.status, 'resized');
      assert.equal(v.order!.quantity, '0.500');
      assert.equal(
        v.reason,
        'open long 0.500 BTCUSDT at 10x, margin 1,500.00 USDT, stop-loss 29100.0 (default 3 %), ' +
          'take-profit 33000.0 (default 10 %); margin 2,410.00 USDT cut to 1,500.00: 30 % of available 5,000.00 ' +
          'with positions open (max_single_trade_with_positions_pct), fee included',
      );
    });

    it('limits one trade to 50 % of available with no position open, the taker fee included', () => {
      const v = judgeOne(long('BTCUSDT', 1_000_000, { leverage: 10 }), { limits: { ...LOOSE, maxSingleTradePct: 50 } });
      // 5,000 for margin and fee: margin * (1 + 10 * 0.0005) <= 5,000, so margin <= 4,975.12 and 1.658 BTC.
      assert.equal(v.order!.quantity, '1.658');
      assert.ok(margin(v) * (1 + 10 * 0.0005) <= 5000);
      assert.match(
        v.reason,
        /margin 100,000.00 USDT cut to 4,975.12: 50 % of available 10,000.00 with no position open \(max_single_trade_pct\), fee included/,
      );
    });

    it('never spends more than the available balance on margin plus fee', () => {
      const v = judgeOne(long('BTCUSDT', 100_000, { leverage: 10 }), {
        limits: LOOSE,
        account: { equity: 10_000, available: 1000, marginUsed: 0, unrealizedPnl: 0 },
      });
      assert.ok(margin(v) * 1.005 <= 1000);
      assert.match(v.reason, /available balance 1,000.00 for margin plus fee/);
    });

    it('limits one position to 30 % of equity as margin', () => {
      const v = judgeOne(long('BTCUSDT', 100_000, { leverage: 10 }), { limits: { ...LOOSE, maxPositionSizePct: 30 } });
      assert.equal(v.order!.quantity, '1.000');
      assert.match(v.reason, /margin 10,000.00 USDT cut to 3,000.00: 30 % of equity 10,000.00 per position \(max_position_size_pct\)/);
    });

    it('limits all positions together to 80 % of equity as margin, the new one included', () => {
      const v = judgeOne(long('BTCUSDT', 100_000, { leverage: 10 }), {
        limits: { ...LOOSE, maxTotalPositionPct: 80 },
        account: { equity: 10_000, available: 3000, marginUsed: 7000, unrealizedPnl: 0 },
        positions: [position({ quantity: 17.5, leverage: 5, margin: 7000 })],
      });
      assert.equal(v.order!.quantity, '0.333');
      assert.match(
        v.reason,
        /cut to 1,000.00: 80 % of equity 10,000.00 for all positions, 7,000.00 already committed \(max_total_position_pct\)/,
      );
      const full = judgeOne(long('BTCUSDT', 1000), {
        limits: { ...LOOSE, maxTotalPositionPct: 70 },
        account: { equity: 10_000, available: 3000, marginUsed: 7000, unrealizedPnl: 0 },
        positions: [position({ quantity: 17.5, leverage: 5, margin: 7000 })],
      });
      assertRejected(
        full,
        /^no room for a new position: 70 % of equity 10,000.00 for all positions, 7,000.00 already committed \(max_total_position_pct\)$/,
      );
    });

    it("limits the margin in use (the venue's figure) plus the new margin to 90 % of equity", () => {
      const v = judgeOne(long('BTCUSDT', 100_000, { leverage: 10 }), {
        limits: { ...LOOSE, maxMarginUsagePct: 90 },
        account: { equity: 10_000, available: 1500, marginUsed: 8500, unrealizedPnl: 0 },
      });
      assert.equal(v.order!.quantity, '0.166');
      assert.match(v.reason, /cut to 500.00: 90 % of equity 10,000.00 as margin in use, 8,500.00 already used \(max_margin_usage_pct\)/);
    });

    it('caps the position value at 1.5x equity for altcoins and 10x for majors', () => {
      // Stops these leverages carry (see 'the stop-loss can fire').
      const sol = judgeOne(long('SOLUSDT', 50_000, { leverage: 20, stopLoss: 98 }), {
        limits: { ...LOOSE, altcoinMaxNotionalMultiple: 1.5, majorMaxNotionalMultiple: 10 },
      });
      assert.equal(sol.order!.quantity, '150');
      assert.match(
        sol.reason,
        /margin 2,500.00 USDT cut to 750.00: position value at most 15,000.00 USDT, 1.5x equity for an altcoin \(altcoin_max_notional_multiple\)/,
      );
      const btc = judgeOne(long('BTCUSDT', 200_000, { leverage: 50, stopLoss: 29_800 }), {
        limits: { ...LOOSE, altcoinMaxNotionalMultiple: 1.5, majorMaxNotionalMultiple: 10 },
      });
      assert.equal(btc.order!.quantity, '3.333');
      assert.match(btc.reason, /position value at most 100,000.00 USDT, 10x equity for a major \(major_max_notional_multiple\)/);
    });

    it('lists every cap that bit, the tightest first', () => {
      const v = judgeOne(long('BTCUSDT', 100_000, { leverage: 10 }), {
        limits: { ...LOOSE, maxPositionSizePct: 30, maxTotalPositionPct: 40 },
      });
      assert.match(
        v.reason,
        /; margin 10,000.00 USDT cut to 3,000.00: 30 % of equity 10,000.00 per position \(max_position_size_pct\); also over 40 % of equity 10,000.00 for all positions, 0.00 already committed \(max_total_position_pct\); 100 % of available 10,000.00 with no position open \(max_single_trade_pct\), fee included; available balance 10,000.00 for margin plus fee$/,
      );
    });

    it('takes a quantity when no size in USDT is given, and refuses sizes that are not positive amounts', () => {
      assert.equal(judgeOne({ action: 'open_long', symbol: 'ETHUSDT', quantity: 0.5, reason: 't' }).order!.quantity, '0.500');
      assertRejected(judgeOne(long('BTCUSDT', Number.NaN)), /requested size NaN USDT is not a positive amount/);
      assertRejected(judgeOne(long('BTCUSDT', -5)), /requested size -5 USDT is not a positive amount/);
      assertRejected(judgeOne({ action: 'open_long', symbol: 'BTCUSDT', reason: 't' }), /no size requested/);
    });

    it('rounds the quantity down to the step and refuses what is under the minimum notional, caps or not', () => {
      assertRejected(judgeOne(long('BTCUSDT', 50, { leverage: 2 })), /^BTCUSDT: notional 30.00 USDT is below the minimum 100 USDT$/);
      const squeezed = judgeOne(long('BTCUSDT', 1000, { leverage: 1 }), {
        account: { equity: 10_000, available: 150, marginUsed: 0, unrealizedPnl: 0 },
      });
      assertRejected(
        squeezed,
        /^BTCUSDT: notional 60.00 USDT is below the minimum 100 USDT \(after margin 1,000.00 USDT cut to 74.96: 50 % of available 150.00/,
      );
    });
  });

  describe('account locks', () => {
    it('opens nothing in safe mode, but still closes', () => {
      const [open, closed] = judge([long('BTCUSDT', 1000), close('ETHUSDT')], { positions: [position()], safeMode: true });
      assertRejected(open!, /^safe mode: no new positions/);
      assert.equal(closed!.status, 'approved');
    });

    it("trips the daily loss breaker at 15 % below the day's start, for the rest of the UTC day", () => {
      const down = { account: { equity: 8400, available: 8000, marginUsed: 400, unrealizedPnl: 0 }, positions: [position()] };
      const [open, closed] = judge([long('BTCUSDT', 1000), close('ETHUSDT')], down);
      assert.equal(
        open!.reason,
        'daily loss 16.0 % (equity down to 8,400.00 from 10,000.00 at 00:00 UTC) reached the 15 % limit ' +
          '(max_daily_loss_pct): no new positions until 2024-01-11 00:00 UTC',
      );
      assert.equal(open!.status, 'rejected');
      assert.equal(closed!.status, 'approved');
      // Recovered to -10 %, but the day's low was -16 %: still tripped.
      assertRejected(
        judgeOne(long('BTCUSDT', 1000), {
          account: { equity: 9000, available: 9000, marginUsed: 0, unrealizedPnl: 0 },
          dayLowEquity: 8400,
        }),
        /max_daily_loss_pct/,
      );
      assert.equal(
        judgeOne(long('BTCUSDT', 1000), { account: { equity: 9000, available: 9000, marginUsed: 0, unrealizedPnl: 0 } }).status,
        'approved',
      );
    });

    it('locks new positions at 30 % below the equity peak', () => {
      const v = judgeOne(long('BTCUSDT', 1000), {
        peakEquity: 15_000,
        account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
      });
      assertRejected(
        v,
        /^drawdown 33.3 % \(equity 10,000.00 vs peak 15,000.00\) reached the 30 % lock \(max_drawdown_pct\): no new positions$/,
      );
      assert.equal(judgeOne(long('BTCUSDT', 1000), { peakEquity: 14_000 }).status, 'approved');
    });

    it('opens nothing when equity is not positive', () => {
      assertRejected(
        judgeOne(long('BTCUSDT', 1000), { account: { equity: 0, available: 0, marginUsed: 0, unrealizedPnl: 0 } }),
        /equity 0.00 USDT is not positive/,
      );
    });
  });

  describe('symbols and slots', () => {
    it('refuses a symbol without a price or venue rules', () => {
      assertRejected(judgeOne(long('PEPEUSDT', 500)), /^PEPEUSDT is not traded by this agent/);
      assertRejected(judgeOne({ action: 'open_long', sizeUsd: 500, reason: 't' }), /^\(no symbol\) is not traded/);
    });

    it('refuses stacking: a second position on the same symbol and side, held or approved in the same batch', () => {
      assertRejected(judgeOne(long('ETHUSDT', 500), { positions: [position()] }), /^a long ETHUSDT position is already open: no stacking$/);
      const [first, second] = judge([long('BTCUSDT', 1000), long('BTCUSDT', 1000)]);
      assert.equal(first!.status, 'approved');
      assertRejected(second!, /no stacking/);
    });

    it('keeps one position per symbol unless one_position_per_symbol is false', () => {
      assertRejected(judgeOne(short('ETHUSDT', 500), { positions: [position()] }), /one position per symbol \(one_position_per_symbol\)/);
      const hedged = judgeOne(short('ETHUSDT', 500), { positions: [position()], limits: { ...SEED, onePositionPerSymbol: false } });
      assert.equal(hedged.status, 'approved');
      // A reversal in one batch is fine: the close runs first.
      const [reverse, closed] = judge([short('ETHUSDT', 500), close('ETHUSDT')], { positions: [position()] });
      assert.equal(closed!.status, 'approved');
      assert.equal(reverse!.status, 'approved');
    });

    it('waits 15 minutes after a stop-loss before opening the same symbol again', () => {
      const v = judgeOne(long('BTCUSDT', 1000), { lastStopLossAt: { BTCUSDT: NOW - 10 * MIN } });
      assertRejected(
        v,
        /^BTCUSDT was stopped out 10 min ago: no new position there for 15 min after a stop-loss \(stop_loss_cooldown_minutes\)$/,
      );
      assert.equal(judgeOne(long('BTCUSDT', 1000), { lastStopLossAt: { BTCUSDT: NOW - 15 * MIN } }).status, 'approved');
      assert.equal(judgeOne(long('ETHUSDT', 1000), { lastStopLossAt: { BTCUSDT: NOW - 10 * MIN } }).status, 'approved');
    });

    it('enforces max positions, counting the slot a close in the same batch frees', () => {
      const two = [position(), position({ symbol: 'DOGEUSDT', quantity: 1000, entryPrice: 0.07, markPrice: 0.07, margin: 14 })];
      const limits = { ...SEED, maxPositions: 2 };
      assertRejected(
        judgeOne(short('BTCUSDT', 1000), { positions: two, limits }),
        /^2 positions open or being opened: max positions 2 \(max_positions\)$/,
      );
      const [opened, closed] = judge([short('BTCUSDT', 1000), close('ETHUSDT')], { positions: two, limits });
      assert.equal(closed!.status, 'approved');
      assert.equal(opened!.status, 'approved');
    });

    it('opens at most 10 positions an hour, counting this batch', () => {
      const limits = { ...SEED, maxPositions: 10 };
      assertRejected(
        judgeOne(long('BTCUSDT', 1000), { opensLastHour: 10, limits }),
        /^10 positions opened in the last hour: at most 10 per hour \(max_opens_per_hour\)$/,
      );
      const verdicts = judge([long('BTCUSDT', 1000), long('ETHUSDT', 1000), long('SOLUSDT', 500)], { opensLastHour: 8, limits });
      assert.deepEqual(
        verdicts.map((v) => v.status),
        ['approved', 'approved', 'rejected'],
      );
      assert.match(verdicts[2]!.reason, /max_opens_per_hour/);
    });
  });

  describe('stop-loss and take-profit', () => {
    it('refuses them on the wrong side of the price', () => {
      assertRejected(
        judgeOne(long('BTCUSDT', 1000, { stopLoss: 31_000 })),
        /^stop-loss 31000 is on the wrong side of the price 30000 for a long$/,
      );
      assertRejected(
        judgeOne(short('BTCUSDT', 1000, { takeProfit: 31_000 })),
        /^take-profit 31000 is on the wrong side of the price 30000 for a short$/,
      );
      assertRejected(judgeOne(long('BTCUSDT', 1000, { stopLoss: -5 })), /^stop-loss -5 is not a positive price$/);
    });

    it('defaults them to the configured distances', () => {
      const v = judgeOne(short('BTCUSDT', 1000, { leverage: 2 }));
      assert.equal(v.order!.stopLoss, '30900.0');
      assert.equal(v.order!.takeProfit, '27000.0');
    });

    it('wants a risk-reward of at least 1:2 on the requested prices, forgiving float noise', () => {
      assertRejected(
        judgeOne(long('BTCUSDT', 1000, { stopLoss: 29_000, takeProfit: 31_500 })),
        /^risk-reward 1:1.50 \(stop-loss 29000, take-profit 31500, price 30000\) is below the minimum 1:2 \(min_risk_reward\)$/,
      );
      // The ema-trend baseline: 1.5 ATR against 3 ATR.
      const price = 0.07;
      const atr = 0.0013;
      const v = judgeOne(long('DOGEUSDT', 100, { stopLoss: price - 1.5 * atr, takeProfit: price + 3 * atr }), {
        prices: { ...PRICES, DOGEUSDT: price },
      });
      assert.equal(v.status, 'approved');
      assert.equal(
        judgeOne(long('BTCUSDT', 1000, { stopLoss: 29_000, takeProfit: 31_500 }), { limits: { ...SEED, minRiskReward: 1.5 } }).status,
        'approved',
      );
    });

    it('rounds the take-profit away from the entry and the stop-loss toward it, never onto the entry', () => {
      const v = judgeOne(long('BTCUSDT', 1000, { stopLoss: 29_000.04, takeProfit: 33_000.01 }));
      assert.equal(v.order!.stopLoss, '29000.1');
      assert.equal(v.order!.takeProfit, '33000.1');
      const s = judgeOne(short('BTCUSDT', 1000, { stopLoss: 31_000.06, takeProfit: 27_000.09 }));
      assert.equal(s.order!.stopLoss, '31000.0');
      assert.equal(s.order!.takeProfit, '27000.0');
      const tight = judgeOne(long('BTCUSDT', 1000, { stopLoss: 29_999.95, takeProfit: 30_100 }), { limits: { ...SEED, minRiskReward: 1 } });
      assert.equal(tight.order!.stopLoss, '29999.9');
    });
  });

  describe('a stop-loss that can fire', () => {
    /** The liquidation price of an approved open, by the venue's formula (isolated, margin = notional / leverage). */
    function liquidationOf(v: RiskVerdict): number {
      const o = v.order!;
      const quantity = Number(o.quantity);
      const margin = (quantity * o.referencePrice) / o.leverage;
      return liquidationPrice(
        { side: o.side, quantity, entryPrice: o.referencePrice, margin },
        RULES[o.symbol]!.marginBrackets!,
      ).toNumber();
    }

    it('lowers the leverage to the highest at which the stop fires first, with its safety margin, and keeps the stop', () => {
      const v = judgeOne(long('BTCUSDT', 5000, { leverage: 50 }), { limits: LOOSE });
      // 0.166 BTC, 4,980 USDT. Safety margin: the fees, 0.05 % x (4,980 + 0.166 x 29,100) = 4.9053 USDT, 29.55 per BTC,
      // so the position must survive 29,070.45. There the loss is 0.166 x 929.55 = 154.31 and the maintenance margin
      // (0.4 % of 4,825.69) 19.30: 173.61 in all. At 28x the margin is 177.86; at 29x, 171.72 is not enough.
      assert.equal(v.status, 'resized');
      assert.equal(v.order!.leverage, 28);
      assert.equal(v.order!.stopLoss, '29100.0');
      assert.equal(v.order!.quantity, '0.166');
      assert.match(
        v.reason,
        /; leverage 50x lowered to 28x: at 50x the position would be liquidated near 29518\.1: the stop-loss 29100\.0 must stay 29\.6 inside it \(the fees of opening and closing, 4\.91 USDT\) to fire first$/,
      );
      assert.ok(29_100 - 29.55 > liquidationOf(v), `liquidation at ${liquidationOf(v)}`);
      const oneMore = liquidationPrice(
        { side: 'long', quantity: 0.166, entryPrice: 30_000, margin: 4980 / 29 },
        RULES.BTCUSDT!.marginBrackets!,
      ).toNumber();
      assert.ok(29_100 - 29.55 <= oneMore, 'at 29x the safety margin is not there');
    });

    it('does the same for a short', () => {
      const v = judgeOne(short('BTCUSDT', 5000, { leverage: 125 }), { limits: LOOSE });
      assert.equal(v.order!.leverage, 28);
      assert.equal(v.order!.stopLoss, '30900.0');
      assert.match(
        v.reason,
        /leverage 125x lowered to 28x: at 125x the position would be liquidated near 30119\.5: the stop-loss 30900\.0 must stay 30\.5 inside it/,
      );
      assert.ok(30_900 + 30.5 < liquidationOf(v));
    });

    it('sizes again at the lower leverage: the margin caps may cut the position, so the loss at the stop only shrinks', () => {
      const v = judgeOne(long('BTCUSDT', 20_000, { leverage: 50 }), { limits: { ...LOOSE, maxPositionSizePct: 5 } });
      // At 50x, 20,000 USDT is 400 of margin, within the 500 cap; at 28x it would be 714.29, cut to 500: 0.466 BTC.
      assert.equal(v.order!.leverage, 28);
      assert.equal(v.order!.quantity, '0.466');
      assert.match(
        v.reason,
        /leverage 50x lowered to 28x: .* to fire first; margin 714\.29 USDT cut to 500\.00: 5 % of equity 10,000\.00 per position \(max_position_size_pct\)$/,
      );
      assert.ok(Number(v.order!.quantity) * 900 < (20_000 / 30_000) * 900);
    });

    it('refuses a size that the lower leverage takes under the venue minimum, saying why the leverage came down', () => {
      const v = judgeOne(long('BTCUSDT', 1000, { leverage: 50 }), {
        limits: LOOSE,
        account: { equity: 10_000, available: 4, marginUsed: 0, unrealizedPnl: 0 },
      });
      assertRejected(
        v,
        /^BTCUSDT: notional 90\.00 USDT is below the minimum 100 USDT \(after margin .*\) \(at 28x, lowered from 50x: at 50x the position would be liquidated near 29518\.1/,
      );
    });

    it('refuses a stop no leverage can carry, not even 1x', () => {
      // At 1x a long is liquidated near 0: a stop at 10 leaves less than the fees (15.1 per BTC) before it.
      assertRejected(
        judgeOne(long('BTCUSDT', 5000, { leverage: 3, stopLoss: 10 }), { limits: LOOSE }),
        /^stop-loss 10\.0 can never fire: even at 1x the position would be liquidated near 0\.0, and the stop must stay 15\.1 inside it \(the fees of opening and closing, 2\.49 USDT\)$/,
      );
      assertRejected(
        judgeOne(short('BTCUSDT', 5000, { leverage: 1, stopLoss: 59_900 }), { limits: LOOSE }),
        /^stop-loss 59900\.0 can never fire: even at 1x the position would be liquidated near 59761\.0/,
      );
    });

    it('without brackets from the venue: 2.5 % maintenance, or half the initial margin at the venue max when more', () => {
      const flat = { ...RULES, BTCUSDT: { ...RULES.BTCUSDT!, marginBrackets: undefined } };
      // The fees (4.91 USDT, 29.55 per BTC) beyond the stop: at 29,070.45 the loss is 154.31 and 2.5 % maintenance
      // 120.64, 274.95 in all; at 18x the margin (276.67) covers it, at 19x (262.11) it does not.
      const v = judgeOne(long('BTCUSDT', 5000, { leverage: 20 }), { limits: LOOSE, rules: flat });
      assert.equal(v.order!.leverage, 18);
      assert.match(
        v.reason,
        /leverage 20x lowered to 18x: at 20x the position would be liquidated near 29230\.8: the stop-loss 29100\.0 must stay 29\.6 inside it \(the fees of opening and closing, 4\.91 USDT\)/,
      );
      assert.equal(judgeOne(long('BTCUSDT', 5000, { leverage: 10 }), { limits: LOOSE, rules: flat }).status, 'approved');
      // A venue max of 10x: half of its 10 % initial margin, 5 %. An empty list is no brackets. At 10x the margin
      // (498) covers the loss at 29,070.45 (154.31) plus 5 % maintenance there (241.28). A stop at 28,000 must survive
      // 27,971.0: loss 336.81 plus maintenance 232.16 is 568.97, which 8x (622.50) covers and 9x (553.33) does not.
      const tenX = { ...RULES, BTCUSDT: { ...RULES.BTCUSDT!, maxLeverage: 10, marginBrackets: [] } };
      assert.equal(judgeOne(long('BTCUSDT', 5000, { leverage: 10 }), { limits: LOOSE, rules: tenX }).order!.leverage, 10);
      assert.equal(judgeOne(long('BTCUSDT', 5000, { leverage: 10, stopLoss: 28_000 }), { limits: LOOSE, rules: tenX }).order!.leverage, 8);
    });
  });

  describe('margin brackets', () => {
    it('caps the notional at what the bracket allows at the leverage, less 1 % for the price to move', () => {
      const v = judgeOne(long('BTCUSDT', 400_000, { leverage: 60, stopLoss: 29_880 }), {
        limits: LOOSE,
        account: { equity: 1_000_000, available: 1_000_000, marginUsed: 0, unrealizedPnl: 0 },
      });
      // Brackets allowing 60x or more end at 250,000 USDT.
      assert.equal(v.order!.leverage, 60);
      assert.equal(v.order!.quantity, '8.250');
      assert.match(
        v.reason,
        /margin 6,666\.67 USDT cut to 4,125\.00: position value at most 247,500\.00 USDT at 60x, the venue's margin bracket for BTCUSDT less 1 % for the price to move before the fill$/,
      );
    });

    it('caps the leverage at what the bracket of the notional allows', () => {
      // A table no venue publishes (more leverage for larger positions): 500 USDT falls in the 20x bracket.
      const odd: MarginBracket[] = [
        { bracket: 1, initialLeverage: 20, notionalFloor: 0, notionalCap: 1000, maintMarginRatio: 0.005, cum: 0 },
        { bracket: 2, initialLeverage: 50, notionalFloor: 1000, notionalCap: 1_000_000, maintMarginRatio: 0.005, cum: 0 },
      ];
      const v = judgeOne(long('SOLUSDT', 500, { leverage: 50, stopLoss: 99.8 }), {
        limits: LOOSE,
        rules: { ...RULES, SOLUSDT: { ...RULES.SOLUSDT!, marginBrackets: odd } },
      });
      assert.equal(v.order!.leverage, 20);
      assert.match(
        v.reason,
        /leverage 50x lowered to 20x: at 50x: the venue's margin bracket for a position of 500\.00 USDT allows at most 20x$/,
      );
    });

    it('caps the leverage at the highest of the brackets', () => {
      const capped = { ...RULES, SOLUSDT: { ...RULES.SOLUSDT!, maxLeverage: 125 } };
      const v = judgeOne(long('SOLUSDT', 300, { leverage: 100, stopLoss: 99.8 }), { limits: LOOSE, rules: capped });
      // At 50x (6 USDT of margin) a stop 0.2 % away fires first: the loss at 99.70 (0.90) and 1 % maintenance (2.99)
      // leave room.
      assert.equal(v.order!.leverage, 50);
      assert.match(v.reason, /; leverage 100x capped to 50x: the highest leverage of the venue's margin brackets for SOLUSDT$/);
    });
  });

  describe('max_stop_loss_pct', () => {
    it('tightens a stop further than that from the price, and the risk-reward is judged on the tightened stop', () => {
      const wide = long('BTCUSDT', 5000, { leverage: 2, stopLoss: 27_000, takeProfit: 33_000 });
      assertRejected(judgeOne(wide), /^risk-reward 1:1\.00 \(stop-loss 27000, take-profit 33000, price 30000\)/);
      const v = judgeOne(wide, { limits: { ...SEED, maxStopLossPct: 4 } });
      assert.equal(v.status, 'resized');
      assert.equal(v.order!.stopLoss, '28800.0');
      assert.match(
        v.reason,
        /stop-loss 28800\.0, take-profit 33000\.0; stop-loss 27000 tightened to 28800\.0: at most 4 % from the price 30000 \(max_stop_loss_pct\)$/,
      );
    });

    it('tightens the default stop too, and leaves a nearer stop alone', () => {
      const v = judgeOne(short('BTCUSDT', 5000, { leverage: 2 }), { limits: { ...SEED, maxStopLossPct: 2 } });
      assert.equal(v.order!.stopLoss, '30600.0');
      assert.match(
        v.reason,
        /stop-loss 30600\.0, take-profit 27000\.0 \(default 10 %\); stop-loss 30900 \(default 3 %\) tightened to 30600\.0: at most 2 % from the price 30000/,
      );
      const near = judgeOne(short('BTCUSDT', 5000, { leverage: 2, stopLoss: 30_300 }), { limits: { ...SEED, maxStopLossPct: 2 } });
      assert.equal(near.status, 'approved');
      assert.equal(near.order!.stopLoss, '30300.0');
    });

    it('refuses a stop the tick cannot place within it', () => {
      const coarse = { ...RULES, SOLUSDT: { ...RULES.SOLUSDT!, tickSize: '1' } };
      // 0.5 % below 150 is 149.25; toward the price that is 150, the price itself, so the stop would be 149 (0.67 %).
      const v = judgeOne(long('SOLUSDT', 500, { leverage: 2 }), {
        limits: { ...LOOSE, maxStopLossPct: 0.5 },
        rules: coarse,
        prices: { ...PRICES, SOLUSDT: 150 },
      });
      assertRejected(
        v,
        /^stop-loss 145\.5 \(default 3 %\) cannot be placed within 0\.5 % of the price \(max_stop_loss_pct\) at tick 1: the nearest tick on that side of the price, 149, is further$/,
      );
    });
  });

  describe('closes', () => {
    it('closes a held position at its full quantity, and refuses a close with nothing to close', () => {
      const v = judgeOne(close('ETHUSDT'), { positions: [position()] });
      assert.deepEqual(v, {
        decision: v.decision,
        status: 'approved',
        reason: 'close long 1 ETHUSDT',
        order: { kind: 'close', symbol: 'ETHUSDT', side: 'long', quantity: '1', leverage: 5, referencePrice: 2000 },
      });
      assertRejected(judgeOne(close('BTCUSDT')), /^no open position in BTCUSDT to close$/);
      const [first, second] = judge([close('ETHUSDT'), close('ETHUSDT')], { positions: [position()] });
      assert.equal(first!.status, 'approved');
      assertRejected(second!, /no open position in ETHUSDT/);
    });

    it('closes a position in a symbol the agent no longer trades, at its mark price', () => {
      const v = judgeOne(close('XRPUSDT'), { positions: [position({ symbol: 'XRPUSDT', markPrice: 0.5, entryPrice: 0.6 })] });
      assert.equal(v.status, 'approved');
      assert.equal(v.order!.referencePrice, 0.5);
    });

    it('refuses to close a position younger than min_holding_minutes', () => {
      const limits = { ...SEED, minHoldingMinutes: 30 };
      const young = judgeOne(close('ETHUSDT'), { limits, positions: [position({ openedAt: NOW - 12 * MIN })] });
      assertRejected(young, /^ETHUSDT long was opened 12 min ago: minimum holding time is 30 min \(min_holding_minutes\)$/);
      assert.equal(judgeOne(close('ETHUSDT'), { limits, positions: [position({ openedAt: NOW - 30 * MIN })] }).status, 'approved');
    });

    it('counts the margin a close frees for the opens of the same batch, whatever the order given', () => {
      const ctx = {
        limits: LOOSE,
        account: { equity: 10_000, available: 0, marginUsed: 10_000, unrealizedPnl: 0 },
        positions: [position({ quantity: 25, leverage: 5, margin: 10_000, unrealizedPnl: 0 })],
      };
      assertRejected(judgeOne(long('BTCUSDT', 3000), ctx), /no room for a new position/);
      const [opened, closed] = judge([long('BTCUSDT', 3000), close('ETHUSDT')], ctx);
      assert.equal(closed!.status, 'approved');
      assert.equal(opened!.status, 'approved');
      assert.equal(opened!.order!.quantity, '0.100');
    });
  });
});
