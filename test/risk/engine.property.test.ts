/**
 * Property test of the risk engine: random accounts, positions, prices, venue rules (margin brackets
 * included), limits and decision lists (garbage requests included). Every limit is recomputed here from
 * the inputs and the orders, without the engine's helpers, and must hold for every order the engine lets
 * through. The venue's own formulas (liquidation price, maintenance margin, what a bracket allows) come
 * from venues/symbol-rules.ts, which the venue tests check against Binance's examples.
 */
import assert from 'node:assert/strict';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import type { RiskLimits } from '../../arena-config/types';
import type { Decision, PositionView } from '../../decisions/types';
import { type RiskContext, evaluateDecisions } from '../../risk/engine';
import type { PlannedOrder, RiskVerdict } from '../../risk/types';
import { liquidationPrice, maxLeverageAt, maxNotionalAt } from '../../venues/symbol-rules';
import { PAPER_MARGIN_BRACKETS } from '../../venues/paper/margin-brackets';
import type { MarginBracket, SymbolRules } from '../../venues/venue';

const NOW = Date.UTC(2024, 4, 1, 9, 30);
const MIN = 60_000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT', 'XRPUSDT'] as const;
/** Held or asked for, but with no price and no rules. */
const UNKNOWN = 'PEPEUSDT';

/** The seed defaults of the optional limits, written out again so the test does not trust the code's copy. */
const DEFAULTS = {
  majorSymbols: ['BTCUSDT', 'ETHUSDT'],
  majorMaxLeverage: 50,
  altcoinMaxLeverage: 20,
  majorMaxNotionalMultiple: 10,
  altcoinMaxNotionalMultiple: 1.5,
  minRiskReward: 2,
  maxDrawdownPct: 30,
  stopLossCooldownMinutes: 15,
  maxOpensPerHour: 10,
  minHoldingMinutes: 0,
  onePositionPerSymbol: true,
};
type Limits = Required<Omit<RiskLimits, 'maxStopLossPct'>> & Pick<RiskLimits, 'maxStopLossPct'>;
/**
 * Where a venue gives no brackets, the engine assumes one flat bracket: 2.5 % maintenance, or half the
 * initial margin at the venue's maximum leverage when that is more (written out again here).
 */
const flatBrackets = (maxLeverage: number): MarginBracket[] => [
  {
    bracket: 1,
    initialLeverage: maxLeverage,
    notionalFloor: 0,
    notionalCap: Number.MAX_SAFE_INTEGER,
    maintMarginRatio: Math.max(0.025, 1 / (2 * maxLeverage)),
    cum: 0,
  },
];

const TOLERANCE = 1e-9;
/** a <= b, forgiving float noise relative to the numbers at stake. */
function atMost(a: number, b: number, what: string): void {
  assert.ok(a <= b + TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} > ${b}`);
}

// ---------------------------------------------------------------------------------------------
// Generators.

const optional = <T>(arb: fc.Arbitrary<T>, freq = 3) => fc.option(arb, { nil: undefined, freq });
/**
 * fast-check's doubles crowd at the extremes of their range (1e-300 is as likely as 50), which would
 * make every cap zero; most draws are therefore plain values, with some extreme ones mixed in.
 */
const between = (min: number, max: number) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 1000 }).map((k) => min + ((max - min) * k) / 1000), weight: 4 },
    { arbitrary: fc.double({ min, max, noNaN: true }), weight: 1 },
  );
const pct = fc.oneof(
  { arbitrary: fc.constantFrom(30, 50, 80, 90, 95, 100), weight: 6 },
  { arbitrary: between(0, 100), weight: 2 },
  { arbitrary: fc.constant(0), weight: 1 },
);
const lockPct = fc.oneof({ arbitrary: fc.constantFrom(10, 15, 30, 100), weight: 3 }, { arbitrary: between(0, 100), weight: 1 });

const limitsArb = (pctArb: fc.Arbitrary<number>): fc.Arbitrary<RiskLimits> =>
  fc.record(
    {
      maxPositions: fc.integer({ min: 1, max: 6 }),
      maxLeverage: fc.integer({ min: 1, max: 125 }),
      maxPositionSizePct: pctArb,
      maxTotalPositionPct: pctArb,
      maxSingleTradePct: pctArb,
      maxSingleTradeWithPositionsPct: pctArb,
      maxDailyLossPct: lockPct,
      maxMarginUsagePct: pctArb,
      stopLossPct: fc.oneof(fc.constantFrom(1, 3, 5, 90), between(0.1, 100)),
      takeProfitPct: fc.oneof(fc.constantFrom(6, 10, 20, 1000), between(0.1, 100), between(0.1, 1000)),
      majorSymbols: optional(fc.subarray([...SYMBOLS])),
      majorMaxLeverage: optional(fc.integer({ min: 1, max: 125 })),
      altcoinMaxLeverage: optional(fc.integer({ min: 1, max: 125 })),
      majorMaxNotionalMultiple: optional(between(0.01, 125)),
      altcoinMaxNotionalMultiple: optional(between(0.01, 125)),
      minRiskReward: optional(fc.oneof(fc.constantFrom(0, 1, 1.5, 2, 3), between(0, 5))),
      maxDrawdownPct: optional(lockPct),
      stopLossCooldownMinutes: optional(fc.integer({ min: 0, max: 60 })),
      maxOpensPerHour: optional(fc.integer({ min: 1, max: 12 })),
      minHoldingMinutes: optional(fc.integer({ min: 0, max: 60 })),
      onePositionPerSymbol: optional(fc.boolean()),
      maxStopLossPct: optional(fc.oneof(fc.constantFrom(1, 2, 5, 10), between(0.1, 100))),
    },
    {
      requiredKeys: [
        'maxPositions',
        'maxLeverage',
        'maxPositionSizePct',
        'maxTotalPositionPct',
        'maxSingleTradePct',
        'maxSingleTradeWithPositionsPct',
        'maxDailyLossPct',
        'maxMarginUsagePct',
        'stopLossPct',
        'takeProfitPct',
      ],
    },
  );

/** Limits a config file could hold: no zero caps, and default protection that meets the risk-reward minimum. */
const configurableLimitsArb = limitsArb(fc.oneof(fc.constantFrom(30, 50, 80, 90, 95, 100), fc.integer({ min: 5, max: 100 }))).map((l) => ({
  ...l,
  takeProfitPct: Math.max(l.takeProfitPct, l.stopLossPct * (l.minRiskReward ?? 2)),
}));

/**
 * A bracket table in Binance's shape: floors from 0, each bracket's leverage no higher than the one
 * before (now and then higher: the engine must hold even on a table no venue publishes), maintenance
 * rates not falling (about half the initial margin, like the venues'), and `cum` keeping the
 * maintenance margin continuous across brackets. The last cap is finite or "none".
 */
const bracketsArb: fc.Arbitrary<MarginBracket[]> = fc
  .record({
    topLeverage: fc.integer({ min: 1, max: 125 }),
    tiers: fc.array(
      fc.record({
        width: fc.constantFrom(5_000, 50_000, 250_000, 1_000_000, 20_000_000),
        leverageFactor: fc.constantFrom(1, 0.8, 0.5, 0.4, 0.2, 3),
        rateFactor: between(0.3, 1.2),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    uncapped: fc.boolean(),
  })
  .map(({ topLeverage, tiers, uncapped }) => {
    const out: MarginBracket[] = [];
    let floor = 0;
    tiers.forEach((t, i) => {
      const previous = out[i - 1];
      const initialLeverage = previous ? Math.max(1, Math.floor(previous.initialLeverage * t.leverageFactor)) : topLeverage;
      const maintMarginRatio = Math.max(previous?.maintMarginRatio ?? 0, Math.min(0.5, t.rateFactor / (2 * initialLeverage)));
      const last = i === tiers.length - 1;
      out.push({
        bracket: i + 1,
        initialLeverage,
        notionalFloor: floor,
        notionalCap: last && uncapped ? Number.MAX_SAFE_INTEGER : floor + t.width,
        maintMarginRatio,
        cum: previous ? previous.cum + floor * (maintMarginRatio - previous.maintMarginRatio) : 0,
      });
      floor += t.width;
    });
    return out;
  });

const rulesArb = (symbol: string): fc.Arbitrary<SymbolRules> =>
  fc
    .record({
      tickSize: fc.constantFrom('1', '0.1', '0.01', '0.0001', '0.00001'),
      stepSize: fc.constantFrom('0.001', '0.01', '0.1', '1'),
      minQtySteps: fc.integer({ min: 1, max: 3 }),
      minNotional: fc.constantFrom('0', '5', '20', '100'),
      maxLeverage: fc.integer({ min: 1, max: 125 }),
      marginBrackets: fc.oneof({ arbitrary: bracketsArb, weight: 3 }, { arbitrary: fc.constant(undefined), weight: 1 }),
    })
    .map(({ minQtySteps, marginBrackets, ...r }) => ({
      symbol,
      ...r,
      minQty: new Decimal(r.stepSize).mul(minQtySteps).toString(),
      ...(marginBrackets && { marginBrackets }),
    }));

const priceArb = fc.oneof(
  { arbitrary: fc.constantFrom(30_000, 2000, 150, 0.5, 0.07), weight: 4 },
  { arbitrary: fc.double({ min: 0.01, max: 100_000, noNaN: true }), weight: 4 },
  { arbitrary: fc.constantFrom(1e-6, 0.00001, 5e7), weight: 1 },
);

/** A requested amount: sane, tiny, huge, zero, negative or not a number at all. */
const amountArb = fc.oneof(
  { arbitrary: between(1, 200_000), weight: 6 },
  { arbitrary: fc.double({ min: 1e-6, max: 1, noNaN: true }), weight: 1 },
  { arbitrary: fc.constantFrom(Number.NaN, -100, 0, Number.POSITIVE_INFINITY, 1e15, 1e300, -0), weight: 2 },
);

/** Anything a broken model might send: unknown symbols, garbage sizes, leverage 0 or 1000, NaN prices. */
const wildDecisionArb = fc.record({
  action: fc.constantFrom('open_long', 'open_long', 'open_short', 'open_short', 'close', 'hold', 'wait'),
  symbol: fc.oneof({ arbitrary: fc.constantFrom(...SYMBOLS), weight: 8 }, { arbitrary: fc.constantFrom(UNKNOWN, undefined), weight: 1 }),
  sizeUsd: optional(amountArb),
  quantity: optional(amountArb),
  leverage: optional(fc.oneof(fc.integer({ min: 1, max: 125 }), fc.constantFrom(0, 1000, Number.NaN, -3, 2.5, 1e9))),
  /** Stop-loss and take-profit as distances from the price (negative: the wrong side), or garbage prices. */
  stopLossDistance: optional(
    fc.oneof({ arbitrary: between(-0.05, 0.3), weight: 10 }, { arbitrary: fc.constantFrom(Number.NaN, 1, 2, -1e9), weight: 1 }),
    2,
  ),
  takeProfitDistance: optional(
    fc.oneof({ arbitrary: between(-0.05, 0.9), weight: 10 }, { arbitrary: fc.constantFrom(Number.NaN, -1, -2, 1e9), weight: 1 }),
    2,
  ),
});

/** What a sane model sends: known symbols, positive sizes, protection on the right side (or none). */
const plausibleDecisionArb = fc.record({
  action: fc.constantFrom('open_long', 'open_long', 'open_short', 'open_short', 'close', 'hold'),
  symbol: fc.constantFrom(...SYMBOLS),
  sizeUsd: between(5, 100_000),
  quantity: fc.constant(undefined),
  leverage: optional(fc.integer({ min: 1, max: 125 })),
  stopLossDistance: optional(between(0.002, 0.1), 2),
  takeProfitDistance: optional(between(0.004, 0.5), 2),
});

const positionArb = fc.record({
  symbol: fc.constantFrom(...SYMBOLS, UNKNOWN),
  side: fc.constantFrom('long' as const, 'short' as const),
  quantity: fc.double({ min: 0.001, max: 1000, noNaN: true }),
  margin: between(0, 5000),
  pnlShare: between(-1.5, 1.5),
  ageMinutes: fc.integer({ min: -5, max: 300 }),
  leverage: fc.integer({ min: 1, max: 50 }),
});

const accountAndMarket = {
  equity: fc.oneof({ arbitrary: between(10, 1_000_000), weight: 20 }, { arbitrary: fc.constantFrom(0, -500, 1e12), weight: 1 }),
  freeShare: fc.oneof(fc.constant(1), between(0, 1.2)),
  extraMarginUsed: fc.oneof(fc.constant(0), between(0, 5000)),
  positions: fc.array(positionArb, { maxLength: 3 }),
  prices: fc.record(Object.fromEntries(SYMBOLS.map((s) => [s, priceArb])) as Record<(typeof SYMBOLS)[number], fc.Arbitrary<number>>),
  rules: fc.record(Object.fromEntries(SYMBOLS.map((s) => [s, rulesArb(s)])) as Record<(typeof SYMBOLS)[number], fc.Arbitrary<SymbolRules>>),
  unpriced: fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, { arbitrary: fc.subarray([...SYMBOLS], { maxLength: 2 }), weight: 1 }),
  takerFeeRate: fc.constantFrom(0, 0.0002, 0.0005, 0.001, 0.01),
  safeMode: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
  dayStartShare: fc.oneof(
    { arbitrary: fc.constant(1), weight: 2 },
    { arbitrary: between(0.9, 1.2), weight: 2 },
    { arbitrary: between(0.6, 1.4), weight: 1 },
  ),
  dayLowShare: optional(fc.oneof({ arbitrary: between(0.95, 1), weight: 4 }, { arbitrary: between(0.5, 1), weight: 1 })),
  peakShare: fc.oneof(
    { arbitrary: fc.constant(1), weight: 2 },
    { arbitrary: between(1, 1.3), weight: 2 },
    { arbitrary: between(1, 2), weight: 1 },
  ),
  stopLossMinutesAgo: fc.dictionary(fc.constantFrom(...SYMBOLS), fc.integer({ min: 0, max: 40 }), { maxKeys: 2 }),
  opensLastHour: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 12 }), weight: 1 }),
};

/**
 * Two batches in three are calm (no lock: no safe mode, no loss, no recent opens or stop-losses; sane
 * decisions) so that plenty of orders get through for the invariants to bite on; the rest are wild.
 */
const scenarioArb = fc.oneof(
  {
    arbitrary: fc.record({
      ...accountAndMarket,
      calm: fc.constant(true),
      limits: configurableLimitsArb,
      decisions: fc.array(plausibleDecisionArb, { maxLength: 6 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      ...accountAndMarket,
      calm: fc.constant(false),
      limits: limitsArb(pct),
      decisions: fc.array(wildDecisionArb, { maxLength: 8 }),
    }),
    weight: 1,
  },
);
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** A trader reaching for leverage: 5x to 125x, stops from 0.1 % to 40 % away, a target that meets the risk-reward. */
const leveragedDecisionArb = fc
  .record({
    action: fc.constantFrom('open_long', 'open_short'),
    symbol: fc.constantFrom(...SYMBOLS),
    sizeUsd: between(5, 200_000),
    leverage: fc.integer({ min: 5, max: 125 }),
    stopLossDistance: between(0.001, 0.4),
    rewardRatio: between(2, 6),
  })
  .map(({ rewardRatio, ...d }) => ({ ...d, quantity: undefined, takeProfitDistance: Math.min(0.9, d.stopLossDistance * rewardRatio) }));

/** Binance's own brackets for the arena's symbols, under limits that let any leverage through. */
const leveragedScenarioArb: fc.Arbitrary<Scenario> = fc.record({
  ...accountAndMarket,
  rules: fc.record(
    Object.fromEntries(
      SYMBOLS.map((s) => [s, rulesArb(s).map((r) => ({ ...r, marginBrackets: [...PAPER_MARGIN_BRACKETS.get(s)!] }))]),
    ) as Record<(typeof SYMBOLS)[number], fc.Arbitrary<SymbolRules>>,
  ),
  calm: fc.constant(true),
  limits: configurableLimitsArb.map((l) => ({ ...l, maxLeverage: 125, majorMaxLeverage: 125, altcoinMaxLeverage: 125 })),
  decisions: fc.array(leveragedDecisionArb, { minLength: 1, maxLength: 4 }),
});

function build(s: Scenario): { ctx: RiskContext; decisions: Decision[] } {
  const prices: Record<string, number> = { ...s.prices };
  const rules: Record<string, SymbolRules> = { ...s.rules };
  for (const symbol of s.unpriced) delete prices[symbol];
  const positions: PositionView[] = s.positions.map((p) => {
    const mark = prices[p.symbol] ?? 1;
    return {
      symbol: p.symbol,
      side: p.side,
      quantity: p.quantity,
      entryPrice: mark,
      markPrice: mark,
      unrealizedPnl: p.margin * p.pnlShare,
      leverage: p.leverage,
      margin: p.margin,
      liquidationPrice: 0,
      stopLoss: null,
      takeProfit: null,
      openedAt: NOW - p.ageMinutes * MIN,
    };
  });
  const marginUsed = positions.reduce((sum, p) => sum + p.margin, 0) + s.extraMarginUsed;
  const decisions: Decision[] = s.decisions.map(({ stopLossDistance, takeProfitDistance, ...d }) => {
    const ref = (d.symbol && prices[d.symbol]) || 100;
    const sign = d.action === 'open_short' ? -1 : 1;
    const at = (distance: number | undefined, direction: number) =>
      distance === undefined ? undefined : ref * (1 + direction * sign * distance);
    return { ...d, reason: 'random', stopLoss: at(stopLossDistance, -1), takeProfit: at(takeProfitDistance, 1) };
  });
  const equity = s.equity;
  return {
    ctx: {
      now: NOW,
      account: { equity, available: Math.max(0, equity * s.freeShare), marginUsed, unrealizedPnl: 0 },
      positions,
      prices,
      rules,
      limits: s.limits,
      takerFeeRate: s.takerFeeRate,
      safeMode: s.safeMode,
      dayStartEquity: equity * s.dayStartShare,
      ...(s.dayLowShare !== undefined && { dayLowEquity: equity * s.dayLowShare }),
      peakEquity: equity * s.peakShare,
      lastStopLossAt: Object.fromEntries(Object.entries(s.stopLossMinutesAgo).map(([k, m]) => [k, NOW - m * MIN])),
      opensLastHour: s.opensLastHour,
      ...(s.calm && {
        safeMode: false,
        dayStartEquity: equity,
        dayLowEquity: equity,
        peakEquity: equity,
        lastStopLossAt: {},
        opensLastHour: 0,
      }),
    },
    decisions,
  };
}

// ---------------------------------------------------------------------------------------------
// The invariants, recomputed from the inputs.

function limitsOf(ctx: RiskContext): Limits {
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(ctx.limits)) if (v !== undefined) out[k] = v;
  return out as Limits;
}

const isMultiple = (value: string, increment: string) => new Decimal(value).mod(increment).isZero();

function checkVerdicts(ctx: RiskContext, decisions: Decision[], verdicts: RiskVerdict[]): void {
  const limits = limitsOf(ctx);
  assert.equal(verdicts.length, decisions.length);
  verdicts.forEach((v, i) => {
    assert.equal(v.decision, decisions[i], 'verdicts come back in the order of the decisions');
    assert.ok(typeof v.reason === 'string' && v.reason.trim().length > 0, 'every verdict says why');
    assert.ok(!/\bundefined\b/.test(v.reason), `a value missing from the reason: ${v.reason}`);
    const passed = v.status === 'approved' || v.status === 'resized';
    assert.equal(v.order !== undefined, passed, `an order exactly when approved or resized: ${v.status}`);
    if (v.decision.action === 'hold' || v.decision.action === 'wait') assert.equal(v.status, 'no_order');
    if (v.order) assert.equal(v.order.kind, v.decision.action === 'close' ? 'close' : 'open');
  });

  const closes = verdicts.filter((v) => v.order?.kind === 'close');
  const opens = verdicts.filter((v) => v.order?.kind === 'open');
  const closed = checkCloses(ctx, limits, closes);
  if (opens.length === 0) return;

  const equity = ctx.account.equity;
  assert.ok(!ctx.safeMode, 'no opens in safe mode');
  assert.ok(equity > 0, 'no opens without positive equity');
  const dayLow = Math.min(equity, ctx.dayLowEquity ?? equity);
  if (ctx.dayStartEquity > 0 && dayLow < ctx.dayStartEquity) {
    const loss = ((ctx.dayStartEquity - dayLow) / ctx.dayStartEquity) * 100;
    assert.ok(loss < limits.maxDailyLossPct + TOLERANCE, `no opens after a daily loss of ${loss} %`);
  }
  const peak = Math.max(ctx.peakEquity, equity);
  const drawdown = ((peak - equity) / peak) * 100;
  if (equity < peak) assert.ok(drawdown < limits.maxDrawdownPct + TOLERANCE, `no opens in a drawdown of ${drawdown} %`);
  assert.ok(ctx.opensLastHour + opens.length <= limits.maxOpensPerHour, 'max opens per hour');

  // Replay the batch: closes first, then the opens in the order given.
  const remaining = ctx.positions.filter((p) => !closed.includes(p));
  const fee = ctx.takerFeeRate;
  let available = Math.max(0, ctx.account.available);
  for (const p of closed) available += Math.max(0, p.margin + p.unrealizedPnl - p.quantity * (ctx.prices[p.symbol] ?? p.markPrice) * fee);
  let marginUsed = ctx.account.marginUsed - closed.reduce((sum, p) => sum + p.margin, 0);
  const holdings: Array<{ symbol: string; side: string; margin: number }> = remaining.map((p) => ({
    symbol: p.symbol,
    side: p.side,
    margin: p.margin,
  }));

  for (const v of opens) {
    const d = v.decision;
    const o = v.order!;
    const side = d.action === 'open_long' ? 'long' : 'short';
    const price = ctx.prices[o.symbol]!;
    const rules = ctx.rules[o.symbol]!;
    assert.equal(o.symbol, d.symbol);
    assert.equal(o.side, side);
    assert.ok(price > 0 && rules, 'opens only where there is a price and venue rules');
    assert.equal(o.referencePrice, price);
    const last = ctx.lastStopLossAt[o.symbol];
    if (last !== undefined) assert.ok(ctx.now - last >= limits.stopLossCooldownMinutes * MIN, 'no open during a stop-loss cooldown');

    // Leverage.
    const major = limits.majorSymbols.includes(o.symbol);
    assert.ok(Number.isInteger(o.leverage) && o.leverage >= 1, `leverage ${o.leverage}`);
    assert.ok(o.leverage <= limits.maxLeverage, 'agent max leverage');
    assert.ok(o.leverage <= rules.maxLeverage, 'venue max leverage');
    assert.ok(o.leverage <= (major ? limits.majorMaxLeverage : limits.altcoinMaxLeverage), 'class leverage cap');

    // Quantity on the venue's grid and above its minimums.
    assert.ok(isMultiple(o.quantity, rules.stepSize), `quantity ${o.quantity} on step ${rules.stepSize}`);
    assert.ok(new Decimal(o.quantity).gte(rules.minQty), 'min quantity');
    assert.ok(new Decimal(o.quantity).mul(price).gte(rules.minNotional), 'min notional');

    // Size.
    const notional = Number(o.quantity) * price;
    const margin = notional / o.leverage;
    const requested = d.sizeUsd !== undefined ? d.sizeUsd : d.quantity! * price;
    atMost(notional, requested, 'never more than requested');
    atMost(notional, (major ? limits.majorMaxNotionalMultiple : limits.altcoinMaxNotionalMultiple) * equity, 'position value cap');
    atMost(margin, (limits.maxPositionSizePct / 100) * equity, 'per-position margin');
    const singleTradePct = holdings.length > 0 ? limits.maxSingleTradeWithPositionsPct : limits.maxSingleTradePct;
    atMost(margin + notional * fee, (singleTradePct / 100) * available, 'single-trade margin plus fee');
    atMost(margin + notional * fee, available, 'available for margin plus fee');
    atMost(holdings.reduce((sum, h) => sum + h.margin, 0) + margin, (limits.maxTotalPositionPct / 100) * equity, 'total exposure');
    atMost(marginUsed + margin, (limits.maxMarginUsagePct / 100) * equity, 'margin usage');
    assert.ok(holdings.length + 1 <= limits.maxPositions, 'max positions');

    // No stacking, one position per symbol.
    assert.ok(!holdings.some((h) => h.symbol === o.symbol && h.side === side), 'no stacking');
    if (limits.onePositionPerSymbol) assert.ok(!holdings.some((h) => h.symbol === o.symbol), 'one position per symbol');

    checkProtection(d, o.stopLoss!, o.takeProfit!, side, price, rules, limits);
    checkStopFires(o, price, rules, fee);
    checkBracket(o, price, rules);

    holdings.push({ symbol: o.symbol, side, margin });
    available -= margin + notional * fee;
    marginUsed += margin;
  }
}

/** The positions the approved closes take, each once, none younger than the minimum holding time. */
function checkCloses(ctx: RiskContext, limits: Limits, closes: RiskVerdict[]): PositionView[] {
  const taken: PositionView[] = [];
  for (const v of closes) {
    const o = v.order!;
    const position = ctx.positions.find(
      (p) => !taken.includes(p) && p.symbol === v.decision.symbol && p.side === o.side && String(p.quantity) === o.quantity,
    );
    assert.ok(position, `a close of a held position: ${o.symbol} ${o.side} ${o.quantity}`);
    assert.ok(ctx.now - position.openedAt >= limits.minHoldingMinutes * MIN || limits.minHoldingMinutes === 0, 'min holding time');
    taken.push(position);
  }
  return taken;
}

function checkProtection(
  d: Decision,
  stopLoss: string,
  takeProfit: string,
  side: string,
  price: number,
  rules: SymbolRules,
  limits: Limits,
): void {
  assert.ok(
    isMultiple(stopLoss, rules.tickSize) && isMultiple(takeProfit, rules.tickSize),
    `stop ${stopLoss} / target ${takeProfit} on tick ${rules.tickSize}`,
  );
  const sl = Number(stopLoss);
  const tp = Number(takeProfit);
  assert.ok(sl > 0 && tp > 0, 'positive protection prices');
  if (side === 'long') assert.ok(sl < price && price < tp, `long: ${sl} < ${price} < ${tp}`);
  else assert.ok(tp < price && price < sl, `short: ${tp} < ${price} < ${sl}`);
  // Risk-reward on the requested prices (the configured distances when none was given), the stop
  // tightened to max_stop_loss_pct first.
  const sign = side === 'long' ? 1 : -1;
  const requestedStop = d.stopLoss ?? price * (1 - (sign * limits.stopLossPct) / 100);
  const cap = limits.maxStopLossPct;
  const capPrice = cap === undefined ? requestedStop : price * (1 - (sign * cap) / 100);
  const askedStop = sign * (requestedStop - capPrice) >= 0 ? requestedStop : capPrice;
  if (cap !== undefined) atMost((Math.abs(sl - price) / price) * 100, cap, 'stop-loss within max_stop_loss_pct');
  const askedTarget = d.takeProfit ?? price * (1 + (sign * limits.takeProfitPct) / 100);
  const reward = Math.abs(askedTarget - price);
  const risk = Math.abs(price - askedStop);
  assert.ok(reward >= limits.minRiskReward * risk * (1 - 2 * TOLERANCE), `risk-reward ${reward / risk} below ${limits.minRiskReward}`);
  // Rounding: the take-profit away from the entry, the stop-loss toward it (unless that would reach the entry).
  const tick = Number(rules.tickSize);
  const slack = (value: number) => Math.max(tick * 1e-6, Math.abs(value) * 1e-12);
  assert.ok(sign * (tp - askedTarget) >= -slack(askedTarget), `take-profit ${tp} rounded toward the entry from ${askedTarget}`);
  if (sign * (price - askedStop) >= tick)
    assert.ok(sign * (sl - askedStop) >= -slack(askedStop), `stop-loss ${sl} rounded away from the entry from ${askedStop}`);
}

/** The venue's brackets, or the engine's documented fallback. */
function bracketsOf(rules: SymbolRules): MarginBracket[] {
  return rules.marginBrackets ?? flatBrackets(rules.maxLeverage);
}

/**
 * The stop-loss fires before liquidation, with a safety margin of one maintenance margin plus the fees
 * of opening and of closing at the stop: strictly between the price and the liquidation price (isolated
 * margin, notional / leverage, the brackets' formula), at least that margin / quantity inside it.
 */
function checkStopFires(o: PlannedOrder, price: number, rules: SymbolRules, fee: number): void {
  const brackets = bracketsOf(rules);
  const quantity = new Decimal(o.quantity);
  const notional = quantity.mul(price);
  const stop = new Decimal(o.stopLoss!);
  const liquidation = liquidationPrice({ side: o.side, quantity, entryPrice: price, margin: notional.div(o.leverage) }, brackets);
  // The liquidation price keeps the maintenance margin; the stop keeps the fees of opening and closing too.
  const safety = notional.mul(fee).add(quantity.mul(stop).mul(fee));
  const inside = safety.div(quantity);
  const what = `${o.side} ${o.quantity} @ ${price} ${o.leverage}x: stop ${o.stopLoss}, liquidation ${liquidation}, safety ${inside}`;
  if (o.side === 'long') assert.ok(stop.lt(price) && stop.sub(inside).gt(liquidation), what);
  else assert.ok(stop.gt(price) && stop.add(inside).lt(liquidation), what);
}

/** Leverage within the bracket of the order's notional, and the notional within what its leverage allows. */
function checkBracket(o: PlannedOrder, price: number, rules: SymbolRules): void {
  const brackets = bracketsOf(rules);
  const notional = new Decimal(o.quantity).mul(price);
  assert.ok(o.leverage <= maxLeverageAt(brackets, notional), `${o.leverage}x over the bracket of ${notional} USDT`);
  assert.ok(notional.lte(maxNotionalAt(brackets, o.leverage)), `${notional} USDT over the bracket cap at ${o.leverage}x`);
}

describe('risk engine: properties', function () {
  this.timeout(60_000);

  it('lets no order through that breaks a limit, explains every refusal and never throws (10,000 random batches)', () => {
    const statuses: Record<string, number> = {};
    const opens: Record<string, number> = {};
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { ctx, decisions } = build(scenario);
        const verdicts = evaluateDecisions(ctx, decisions);
        for (const v of verdicts) statuses[v.status] = (statuses[v.status] ?? 0) + 1;
        for (const v of verdicts) if (v.order?.kind === 'open') countOpen(opens, v, ctx.rules[v.order.symbol]!);
        checkVerdicts(ctx, decisions, verdicts);
      }),
      { numRuns: 10_000 },
    );
    // The generators must reach every outcome, or the invariants above prove little.
    for (const status of ['approved', 'resized', 'rejected', 'no_order']) {
      assert.ok((statuses[status] ?? 0) > 100, `too few ${status} verdicts: ${JSON.stringify(statuses)}`);
    }
    for (const kind of [
      "with the venue's brackets",
      'with the fallback rate',
      'leverage lowered for the stop',
      'leverage lowered for the bracket',
      'stop tightened to max_stop_loss_pct',
      "cut to the bracket's notional",
    ]) {
      assert.ok((opens[kind] ?? 0) > 20, `too few opens ${kind}: ${JSON.stringify(opens)}`);
    }
  });

  it("keeps every stop able to fire at any leverage on Binance's real brackets (3,000 batches of leveraged opens)", () => {
    const opens: Record<string, number> = {};
    fc.assert(
      fc.property(leveragedScenarioArb, (scenario) => {
        const { ctx, decisions } = build(scenario);
        const verdicts = evaluateDecisions(ctx, decisions);
        for (const v of verdicts) if (v.order?.kind === 'open') countOpen(opens, v, ctx.rules[v.order.symbol]!);
        checkVerdicts(ctx, decisions, verdicts);
      }),
      { numRuns: 3000 },
    );
    assert.ok((opens['leverage lowered for the stop'] ?? 0) > 300, JSON.stringify(opens));
  });
});

/** Which of the new rules an approved open went through. */
function countOpen(opens: Record<string, number>, v: RiskVerdict, rules: SymbolRules): void {
  const add = (kind: string) => {
    opens[kind] = (opens[kind] ?? 0) + 1;
  };
  add(rules.marginBrackets ? "with the venue's brackets" : 'with the fallback rate');
  if (/lowered to \d+x: .*must stay/.test(v.reason)) add('leverage lowered for the stop');
  if (/lowered to \d+x: .*margin bracket for a position/.test(v.reason)) add('leverage lowered for the bracket');
  if (/tightened to/.test(v.reason)) add('stop tightened to max_stop_loss_pct');
  if (/cut to [\d,.]+: position value at most [\d,.]+ USDT at \d+x/.test(v.reason)) add("cut to the bracket's notional");
}
