/**
 * The risk engine's machine-readable rule (RiskVerdict.rule, the label of arena_risk_rejections_total
 * and arena_risk_resizes_total): set on every rejection and resize, absent otherwise, the reason's
 * words unchanged.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RiskLimits } from '../../arena-config/types';
import type { Decision, PositionView } from '../../decisions/types';
import { type RiskContext, evaluateDecisions } from '../../risk/engine';
import type { RiskVerdict } from '../../risk/types';
import { PAPER_MARGIN_BRACKETS } from '../../venues/paper/margin-brackets';
import type { SymbolRules } from '../../venues/venue';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';

const NOW = Date.UTC(2024, 0, 10, 12, 0);
const RULES: Record<string, SymbolRules> = {
  BTCUSDT: {
    symbol: 'BTCUSDT',
    tickSize: '0.1',
    stepSize: '0.001',
    minQty: '0.001',
    minNotional: '100',
    maxLeverage: 125,
    marginBrackets: [...PAPER_MARGIN_BRACKETS.get('BTCUSDT')!],
  },
  SOLUSDT: {
    symbol: 'SOLUSDT',
    tickSize: '0.001',
    stepSize: '1',
    minQty: '1',
    minNotional: '5',
    maxLeverage: 50,
    marginBrackets: [...PAPER_MARGIN_BRACKETS.get('SOLUSDT')!],
  },
};
const PRICES = { BTCUSDT: 30_000, SOLUSDT: 100 };

function judge(decisions: Decision[], over: Partial<RiskContext> = {}, limits: Partial<RiskLimits> = {}): RiskVerdict[] {
  return evaluateDecisions(
    {
      now: NOW,
      account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
      positions: [],
      prices: PRICES,
      rules: RULES,
      limits: { ...SEED_RISK_LIMITS, ...limits },
      takerFeeRate: 0.0005,
      safeMode: false,
      dayStartEquity: 10_000,
      peakEquity: 10_000,
      lastStopLossAt: {},
      opensLastHour: 0,
      ...over,
    },
    decisions,
  );
}

const open = (symbol: string, sizeUsd: number, more: Partial<Decision> = {}): Decision => ({
  action: 'open_long',
  symbol,
  sizeUsd,
  reason: 'test',
  ...more,
});

const held: PositionView = {
  symbol: 'SOLUSDT',
  side: 'long',
  quantity: 10,
  entryPrice: 100,
  markPrice: 100,
  unrealizedPnl: 0,
  leverage: 2,
  margin: 500,
  liquidationPrice: 51,
  stopLoss: 95,
  takeProfit: 120,
  openedAt: NOW - 60_000,
};

describe('risk engine: the rule behind each rejection and resize', () => {
  it('names the rule of each refusal, keeping its words', () => {
    const cases: Array<[RiskVerdict, string, RegExp]> = [
      [judge([open('BTCUSDT', 1000)], { safeMode: true })[0]!, 'safe_mode', /^safe mode: no new positions/],
      [
        judge([open('BTCUSDT', 1000)], { account: { equity: 8000, available: 8000, marginUsed: 0, unrealizedPnl: 0 } })[0]!,
        'max_daily_loss_pct',
        /\(max_daily_loss_pct\)/,
      ],
      [judge([open('XRPUSDT', 1000)])[0]!, 'symbol_not_traded', /XRPUSDT is not traded by this agent/],
      [judge([{ action: 'close', symbol: 'BTCUSDT', reason: 'test' }])[0]!, 'no_position', /^no open position in BTCUSDT to close$/],
      [judge([open('SOLUSDT', 500)], { positions: [held] })[0]!, 'no_stacking', /no stacking$/],
      [judge([open('BTCUSDT', 1000)], { positions: [held] }, { maxPositions: 1 })[0]!, 'max_positions', /\(max_positions\)$/],
      [judge([open('BTCUSDT', 1000, { stopLoss: 31_000 })])[0]!, 'stop_loss_price', /on the wrong side of the price/],
      [
        judge([open('BTCUSDT', 1000, { stopLoss: 29_000, takeProfit: 30_100 })], {}, { minRiskReward: 2 })[0]!,
        'min_risk_reward',
        /\(min_risk_reward\)$/,
      ],
      [judge([open('BTCUSDT', -5)])[0]!, 'requested_size', /^requested size -5 USDT is not a positive amount$/],
    ];
    for (const [verdict, rule, reason] of cases) {
      assert.equal(verdict.status, 'rejected', verdict.reason);
      assert.equal(verdict.rule, rule, verdict.reason);
      assert.match(verdict.reason, reason);
    }
  });

  it('names the first rule that cut a resized order', () => {
    const capped = judge([open('BTCUSDT', 1000, { leverage: 50 })], {}, { maxLeverage: 5 })[0]!;
    assert.equal(capped.status, 'resized');
    assert.equal(capped.rule, 'max_leverage');
    assert.match(capped.reason, /leverage 50x capped to 5x: the agent max \(max_leverage\)/);

    const cut = judge([open('BTCUSDT', 9000, { leverage: 1 })], {}, { maxPositionSizePct: 10 })[0]!;
    assert.equal(cut.status, 'resized');
    assert.equal(cut.rule, 'max_position_size_pct');
    assert.match(cut.reason, /cut to 1,000\.00: 10 % of equity 10,000\.00 per position \(max_position_size_pct\)/);
  });

  it('sets a rule on every rejection and resize and on nothing else, whatever the decisions', () => {
    const decision = fc.record({
      action: fc.constantFrom('open_long', 'open_short', 'close', 'hold', 'wait'),
      symbol: fc.constantFrom('BTCUSDT', 'SOLUSDT', 'XRPUSDT'),
      sizeUsd: fc.double({ min: -100, max: 50_000, noNaN: true }),
      leverage: fc.integer({ min: 0, max: 150 }),
      reason: fc.constant('property'),
    }) as fc.Arbitrary<Decision>;
    fc.assert(
      fc.property(fc.array(decision, { maxLength: 6 }), fc.boolean(), (decisions, withPosition) => {
        for (const v of judge(decisions, { positions: withPosition ? [held] : [] })) {
          const needsRule = v.status === 'rejected' || v.status === 'resized';
          assert.equal(v.rule !== undefined, needsRule, `${v.status}: ${v.reason}`);
          if (v.rule) assert.match(v.rule, /^[a-z_]+$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
