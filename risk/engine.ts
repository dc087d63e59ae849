/**
 * The risk engine: every decision passes through here before an order exists. It is pure (no I/O,
 * no clock: `now` is the market time handed in), so the riskCheck activity and a backtester apply the
 * very same rules.
 *
 * Sizes are computed here from the live account: the decision's size, quantity and leverage are
 * requests, never trusted. An open is cut down to the largest size every cap allows (status
 * `resized`, the reason naming each cap that bit) and rejected only when even the smallest legal order
 * would break a limit. Closes are judged first, so the room they free counts for the opens of the same
 * batch, and every approved order updates the batch's book: available balance, committed margin, open
 * positions, opens in the last hour.
 *
 * Exposure is measured as committed margin (notional / leverage) by the per-position, total-exposure and
 * margin-usage caps alike. The seed's "total exposure at most 80 % of balance" cannot be a notional
 * cap: the next rule lets one major position be worth 10x equity, which an 80 %-of-balance notional cap
 * would forbid outright (and leverage above 1x would buy nothing). So the percentages bound the margin at
 * stake and the position-value caps (10x equity for majors, 1.5x for altcoins) bound the notional.
 *
 * A new position is checked in this order, the first failure rejecting it:
 *  1. account locks: safe mode, the daily loss circuit breaker, the drawdown lock;
 *  2. the symbol: a price and venue rules, no stacking, one position per symbol, the stop-loss cooldown;
 *  3. slots: max open positions, max opens per hour;
 *  4. leverage: the agent's max, the venue's max, the major/altcoin cap, the highest leverage of the
 *     symbol's margin brackets (capped, never refused);
 *  5. stop-loss and take-profit: sides; a stop further than `max_stop_loss_pct` from the price is
 *     tightened to it; then the risk-reward on those prices (the stop that will be placed, so a
 *     tightened stop counts, and tightening only ever improves the ratio); then tick rounding;
 *  6. size: single trade, available balance, per-position margin, total exposure, margin usage, position
 *     value and the notional the venue's bracket allows at this leverage cut the margin; then the step
 *     size, min quantity and min notional;
 *  7. a stop that can fire: see below. Leverage may come down, and the size is computed again from 6.
 * A close needs an open position held at least the minimum holding time; nothing else stops it.
 *
 * **The stop rule.** A stop-loss at or beyond the liquidation price never fires: the venue liquidates
 * first. So a new position's stop must sit strictly between the price and the estimated liquidation
 * price, a safety margin inside it: the taker fees of opening the position and of closing it at the stop
 * (in price, that many USDT / quantity), which the venue takes from the same margin. The liquidation
 * price is the venue's isolated-margin formula with its maintenance brackets (`liquidationPrice` in
 * venues/symbol-rules.ts), on the order's quantity, the reference price and a margin of
 * notional / leverage: it already keeps the venue's maintenance margin for the size.
 *
 * Where the stop would not fire, the engine LOWERS THE LEVERAGE, to the highest whole leverage at which
 * it does, and sizes the order again at that leverage; it never moves the stop. The stop is the trader's
 * risk decision (the price that says the idea was wrong) and the risk-reward was judged on it: a
 * tightened stop is hit by the noise the trader sized it to survive. Lowering the leverage changes the
 * margin only, never the PnL of a given size (quantity x move), and the size is computed again under
 * every cap of 6: never more than was asked for, often less (the margin caps now pay more margin per
 * USDT of position), so the loss at the stop stays within what the trader accepted. That is what a
 * venue's own risk system does: it refuses the leverage, not the stop. The only stop the engine moves
 * is one further than the operator's `max_stop_loss_pct` (an explicit rule of the agent's config,
 * applied before the risk-reward check). Refused: a stop no leverage can carry, not even 1x (a long's
 * stop within about one maintenance rate of zero, a short's stop about 100 % above the price).
 *
 * **Margin brackets.** The venue's maintenance margin and the leverage it allows depend on the
 * position's notional (`SymbolRules.marginBrackets`). The order's notional stays within what the
 * bracket allows at its leverage (`maxNotionalAt`, less 1 % for the price to move between this check
 * and the fill) and its leverage within what the bracket of its notional allows (`maxLeverageAt`;
 * lowered like for the stop), so the venue never refuses it with POSITION_LIMIT_EXCEEDED. A venue that
 * gives no brackets is assumed to charge a flat maintenance rate of FALLBACK_MAINTENANCE_RATE, or half
 * the initial margin at its maximum leverage when that is more (see there).
 */
import Decimal from 'decimal.js';
import { type ResolvedRiskLimits, type RiskLimits, withRiskDefaults } from '../arena-config/types';
import type { AccountView, Decision, PositionView } from '../decisions/types';
import { liquidationPrice, maintenanceMargin, maxLeverageAt, maxNotionalAt, roundQuantity, sizeViolation } from '../venues/symbol-rules';
import type { MarginBracket, PositionSide, SymbolRules } from '../venues/venue';
import type { PlannedOrder, RiskRule, RiskVerdict } from './types';

export interface RiskContext {
  /** Market time, epoch ms. */
  now: number;
  account: AccountView;
  positions: PositionView[];
  prices: Record<string, number>;
  rules: Record<string, SymbolRules>;
  limits: RiskLimits;
  takerFeeRate: number;
  /** No new positions (after repeated failed cycles or model failures); closes still pass. */
  safeMode: boolean;
  /** Equity at the start of the current UTC day. */
  dayStartEquity: number;
  /**
   * Lowest equity seen since the start of the current UTC day, so that a tripped daily loss breaker
   * stays tripped until the next day even if equity recovers. Defaults to the current equity.
   */
  dayLowEquity?: number;
  /** Highest equity seen so far. */
  peakEquity: number;
  /** Symbol -> market time of its last stop-loss exit. */
  lastStopLossAt: Record<string, number>;
  /** Positions opened in the hour before `now`. */
  opensLastHour: number;
}

/** One verdict per decision, in the order of `decisions`. */
export function evaluateDecisions(ctx: RiskContext, decisions: Decision[]): RiskVerdict[] {
  const limits = withRiskDefaults(ctx.limits);
  const book = openBook(ctx);
  const lock = newPositionLock(ctx, limits);
  const verdicts: RiskVerdict[] = new Array(decisions.length);
  const order = decisions.map((_, i) => i).sort((a, b) => stage(decisions[a]!) - stage(decisions[b]!) || a - b);
  for (const i of order) {
    const d = decisions[i]!;
    if (d.action === 'hold' || d.action === 'wait') {
      verdicts[i] = { decision: d, status: 'no_order', reason: `${d.action}: nothing to trade` };
    } else if (d.action === 'close') {
      verdicts[i] = judgeClose(d, ctx, limits, book);
    } else if (d.action === 'open_long' || d.action === 'open_short') {
      verdicts[i] = lock ? reject(d, lock) : judgeOpen(d, ctx, limits, book);
    } else {
      verdicts[i] = reject(d, new Refusal('unknown_action', `unknown action ${JSON.stringify(d.action)}`));
    }
  }
  return verdicts;
}

/** Closes first (they free room), then opens. */
function stage(d: Decision): number {
  return d.action === 'close' ? 0 : d.action === 'open_long' || d.action === 'open_short' ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------
// The batch's book: what is open and what is free once the orders approved so far have run.

interface Holding {
  symbol: string;
  side: PositionSide;
  margin: Decimal;
  /** The venue position; absent for an open approved in this batch. */
  position?: PositionView;
}

interface Book {
  available: Decimal;
  /** The venue's margin in use, for the margin-usage cap. */
  marginUsed: Decimal;
  holdings: Holding[];
  opensThisHour: number;
  feeRate: Decimal;
}

function openBook(ctx: RiskContext): Book {
  const holdings = ctx.positions.map((p): Holding => ({
    symbol: p.symbol,
    side: p.side,
    margin: new Decimal(finiteOr(p.margin, 0)),
    position: p,
  }));
  const committed = sumMargin(holdings);
  return {
    available: Decimal.max(0, finiteOr(ctx.account.available, 0)),
    marginUsed: Number.isFinite(ctx.account.marginUsed) ? new Decimal(ctx.account.marginUsed) : committed,
    holdings,
    opensThisHour: Math.max(0, finiteOr(ctx.opensLastHour, 0)),
    feeRate: new Decimal(Math.max(0, finiteOr(ctx.takerFeeRate, 0))),
  };
}

function sumMargin(holdings: Holding[]): Decimal {
  return holdings.reduce((sum, h) => sum.add(h.margin), new Decimal(0));
}

// ---------------------------------------------------------------------------------------------
// Closes.

function judgeClose(d: Decision, ctx: RiskContext, limits: ResolvedRiskLimits, book: Book): RiskVerdict {
  const symbol = d.symbol ?? '';
  // With one_position_per_symbol off a symbol may hold a long and a short: each close takes the oldest.
  const holding = book.holdings
    .filter((h) => h.position && h.symbol === symbol)
    .sort((a, b) => finiteOr(a.position!.openedAt, 0) - finiteOr(b.position!.openedAt, 0))[0];
  if (!holding) return reject(d, new Refusal('no_position', `no open position in ${symbol || '(no symbol)'} to close`));
  const position = holding.position!;

  const minHoldMs = limits.minHoldingMinutes * MINUTE;
  const heldMs = ctx.now - position.openedAt;
  if (minHoldMs > 0 && heldMs < minHoldMs) {
    return reject(
      d,
      new Refusal(
        'min_holding_minutes',
        `${symbol} ${position.side} was opened ${minutesText(heldMs)} ago: ` +
          `minimum holding time is ${limits.minHoldingMinutes} min (min_holding_minutes)`,
      ),
    );
  }
  // A position outside the agent's symbol list (e.g. after a config change) must still be closable.
  const price = [ctx.prices[symbol], position.markPrice, position.entryPrice].find(isPositive);
  if (price === undefined) return reject(d, new Refusal('no_price', `no price for ${symbol} to close at`));

  book.holdings = book.holdings.filter((h) => h !== holding);
  const closeFee = new Decimal(finiteOr(position.quantity, 0)).abs().mul(price).mul(book.feeRate);
  book.available = book.available.add(Decimal.max(0, holding.margin.add(finiteOr(position.unrealizedPnl, 0)).sub(closeFee)));
  book.marginUsed = Decimal.max(0, book.marginUsed.sub(holding.margin));
  return {
    decision: d,
    status: 'approved',
    reason: `close ${position.side} ${position.quantity} ${symbol}`,
    order: {
      kind: 'close',
      symbol,
      side: position.side,
      quantity: String(position.quantity),
      leverage: position.leverage,
      referencePrice: price,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Opens.

/** An open whose symbol has a price and usable venue rules. */
interface OpenRequest {
  decision: Decision;
  symbol: string;
  side: PositionSide;
  price: number;
  rules: SymbolRules;
  /** The venue's brackets, or the flat fallback (marginBracketsOf). */
  brackets: readonly MarginBracket[];
}

function judgeOpen(d: Decision, ctx: RiskContext, limits: ResolvedRiskLimits, book: Book): RiskVerdict {
  const side: PositionSide = d.action === 'open_long' ? 'long' : 'short';
  const symbol = d.symbol ?? '';
  const price = ctx.prices[symbol];
  const rules = ctx.rules[symbol];
  if (!isPositive(price) || !rules) {
    return reject(d, new Refusal('symbol_not_traded', `${symbol || '(no symbol)'} is not traded by this agent (no price or venue rules)`));
  }
  if (!usableRules(rules)) {
    return reject(
      d,
      new Refusal('venue_rules', `the venue rules of ${symbol} are unusable (tick ${rules.tickSize}, step ${rules.stepSize})`),
    );
  }

  const refusal = symbolConflict(symbol, side, limits, book) ?? stopLossCooldown(symbol, ctx, limits) ?? noFreeSlot(limits, book);
  if (refusal) return reject(d, refusal);

  const open: OpenRequest = { decision: d, symbol, side, price, rules, brackets: marginBracketsOf(rules) };
  const leverage = chooseLeverage(open, limits);
  const protection = protectionPrices(open, limits);
  if (protection instanceof Refusal) return reject(d, protection);
  const position = fitPosition(open, leverage.value, protection.stopLoss, ctx, limits, book);
  if (position instanceof Refusal) return reject(d, position);

  const notional = new Decimal(position.quantity).mul(price);
  const margin = notional.div(position.leverage);
  book.holdings.push({ symbol, side, margin });
  book.available = book.available.sub(margin).sub(notional.mul(book.feeRate));
  book.marginUsed = book.marginUsed.add(margin);
  book.opensThisHour += 1;

  const notes = [leverage.note, protection.note, position.leverageNote, ...position.sizeNotes].filter((n): n is Note => n !== undefined);
  const summary =
    `open ${side} ${position.quantity} ${symbol} at ${position.leverage}x, margin ${usdt(margin)} USDT, ` +
    `stop-loss ${protection.stopLoss}${protection.defaulted.stopLoss ? ` (default ${limits.stopLossPct} %)` : ''}, ` +
    `take-profit ${protection.takeProfit}${protection.defaulted.takeProfit ? ` (default ${limits.takeProfitPct} %)` : ''}`;
  const order: PlannedOrder = {
    kind: 'open',
    symbol,
    side,
    quantity: position.quantity,
    leverage: position.leverage,
    referencePrice: price,
    stopLoss: protection.stopLoss,
    takeProfit: protection.takeProfit,
  };
  const reason = [summary, ...notes.map((n) => n.text)].join('; ');
  if (notes.length === 0) return { decision: d, status: 'approved', reason, order };
  return { decision: d, status: 'resized', reason, rule: notes[0]!.rule, order };
}

/** Safe mode, the daily loss circuit breaker and the drawdown lock: no new position at all. */
function newPositionLock(ctx: RiskContext, limits: ResolvedRiskLimits): Refusal | null {
  if (ctx.safeMode)
    return new Refusal('safe_mode', 'safe mode: no new positions until the agent recovers from repeated failures (closes still pass)');
  const equity = ctx.account.equity;
  if (!isPositive(equity)) return new Refusal('equity_not_positive', `equity ${usdt(equity)} USDT is not positive: no new positions`);

  const dayLow = Math.min(equity, finiteOr(ctx.dayLowEquity, equity));
  const dailyLoss = lossPct(ctx.dayStartEquity, dayLow);
  if (dailyLoss !== null && dailyLoss >= limits.maxDailyLossPct) {
    return new Refusal(
      'max_daily_loss_pct',
      `daily loss ${dailyLoss.toFixed(1)} % (equity down to ${usdt(dayLow)} from ${usdt(ctx.dayStartEquity)} at 00:00 UTC) ` +
        `reached the ${limits.maxDailyLossPct} % limit (max_daily_loss_pct): no new positions until ${nextUtcDay(ctx.now)}`,
    );
  }
  const peak = Math.max(finiteOr(ctx.peakEquity, equity), equity);
  const drawdown = lossPct(peak, equity);
  if (drawdown !== null && drawdown >= limits.maxDrawdownPct) {
    return new Refusal(
      'max_drawdown_pct',
      `drawdown ${drawdown.toFixed(1)} % (equity ${usdt(equity)} vs peak ${usdt(peak)}) ` +
        `reached the ${limits.maxDrawdownPct} % lock (max_drawdown_pct): no new positions`,
    );
  }
  return null;
}

/** How far (%) `value` is below `reference`; null when it is not below or the reference is not positive. */
function lossPct(reference: number, value: number): number | null {
  if (!isPositive(reference) || !(value < reference)) return null;
  return ((reference - value) / reference) * 100;
}

/** No stacking (same symbol and side), and one position per symbol unless configured otherwise. */
function symbolConflict(symbol: string, side: PositionSide, limits: ResolvedRiskLimits, book: Book): Refusal | null {
  if (book.holdings.some((h) => h.symbol === symbol && h.side === side)) {
    return new Refusal('no_stacking', `a ${side} ${symbol} position is already open: no stacking`);
  }
  const other = limits.onePositionPerSymbol ? book.holdings.find((h) => h.symbol === symbol) : undefined;
  if (other) {
    return new Refusal(
      'one_position_per_symbol',
      `a ${other.side} ${symbol} position is already open: one position per symbol (one_position_per_symbol)`,
    );
  }
  return null;
}

function stopLossCooldown(symbol: string, ctx: RiskContext, limits: ResolvedRiskLimits): Refusal | null {
  const last = ctx.lastStopLossAt[symbol];
  const cooldownMs = limits.stopLossCooldownMinutes * MINUTE;
  if (last === undefined || cooldownMs <= 0 || !(ctx.now - last < cooldownMs)) return null;
  return new Refusal(
    'stop_loss_cooldown_minutes',
    `${symbol} was stopped out ${minutesText(ctx.now - last)} ago: ` +
      `no new position there for ${limits.stopLossCooldownMinutes} min after a stop-loss (stop_loss_cooldown_minutes)`,
  );
}

function noFreeSlot(limits: ResolvedRiskLimits, book: Book): Refusal | null {
  if (book.holdings.length >= limits.maxPositions) {
    return new Refusal(
      'max_positions',
      `${book.holdings.length} positions open or being opened: max positions ${limits.maxPositions} (max_positions)`,
    );
  }
  if (book.opensThisHour >= limits.maxOpensPerHour) {
    return new Refusal(
      'max_opens_per_hour',
      `${book.opensThisHour} positions opened in the last hour: at most ${limits.maxOpensPerHour} per hour (max_opens_per_hour)`,
    );
  }
  return null;
}

/**
 * The requested leverage (1x when absent), capped by the agent, the venue, the symbol's class and the
 * symbol's margin brackets.
 */
function chooseLeverage(open: OpenRequest, limits: ResolvedRiskLimits): { value: number; note?: Note } {
  const { decision: d, symbol, rules } = open;
  const major = limits.majorSymbols.includes(symbol);
  const caps: Array<{ value: number; label: string; rule: RiskRule }> = [
    { value: limits.maxLeverage, label: 'the agent max (max_leverage)', rule: 'max_leverage' },
    { value: rules.maxLeverage, label: `the venue max for ${symbol}`, rule: 'venue_max_leverage' },
    major
      ? { value: limits.majorMaxLeverage, label: 'the cap for majors (major_max_leverage)', rule: 'major_max_leverage' }
      : { value: limits.altcoinMaxLeverage, label: 'the cap for altcoins (altcoin_max_leverage)', rule: 'altcoin_max_leverage' },
    {
      value: Math.max(...open.brackets.map((b) => b.initialLeverage)),
      label: `the highest leverage of the venue's margin brackets for ${symbol}`,
      rule: 'margin_bracket',
    },
  ];
  const usable = caps.filter((c) => Number.isFinite(c.value) && c.value >= 1);
  const binding = usable.reduce<(typeof caps)[number] | undefined>((low, c) => (!low || c.value < low.value ? c : low), undefined);
  const cap = binding ? Math.floor(binding.value) : 1;

  if (d.leverage === undefined) return { value: 1 };
  if (!Number.isFinite(d.leverage) || d.leverage < 1) {
    return { value: 1, note: { rule: 'invalid_leverage', text: `leverage ${d.leverage}x is not valid: 1x used` } };
  }
  const asked = Math.floor(d.leverage);
  if (asked > cap) {
    const text = `leverage ${asked}x capped to ${cap}x: ${binding?.label ?? 'no usable cap'}`;
    return { value: cap, note: { rule: binding?.rule ?? 'max_leverage', text } };
  }
  return { value: asked };
}

interface Protection {
  stopLoss: string;
  takeProfit: string;
  /** The price placed is the configured default distance. */
  defaulted: { stopLoss: boolean; takeProfit: boolean };
  /** Set when the stop was tightened to max_stop_loss_pct. */
  note?: Note;
}

/**
 * Stop-loss and take-profit (the configured distances when the decision gives none): on the right
 * side of the price, the stop tightened to max_stop_loss_pct, with the minimum risk-reward on those
 * prices, then rounded to the tick.
 */
function protectionPrices(open: OpenRequest, limits: ResolvedRiskLimits): Protection | Refusal {
  const { decision: d, side, price } = open;
  const sign = side === 'long' ? 1 : -1;
  const requestedStop = d.stopLoss ?? price * (1 - (sign * limits.stopLossPct) / 100);
  const takeProfit = d.takeProfit ?? price * (1 + (sign * limits.takeProfitPct) / 100);
  if (d.takeProfit === undefined && !isPositive(takeProfit)) {
    return new Refusal(
      'take_profit_price',
      `the default take-profit (${limits.takeProfitPct} % below the price) is below zero for a short: the decision must give one`,
    );
  }
  if (!isPositive(requestedStop)) return new Refusal('stop_loss_price', `stop-loss ${priceText(requestedStop)} is not a positive price`);
  if (!isPositive(takeProfit)) return new Refusal('take_profit_price', `take-profit ${priceText(takeProfit)} is not a positive price`);
  if ((requestedStop - price) * sign >= 0) {
    return new Refusal(
      'stop_loss_price',
      `stop-loss ${priceText(requestedStop)} is on the wrong side of the price ${priceText(price)} for a ${side}`,
    );
  }
  if ((takeProfit - price) * sign <= 0) {
    return new Refusal(
      'take_profit_price',
      `take-profit ${priceText(takeProfit)} is on the wrong side of the price ${priceText(price)} for a ${side}`,
    );
  }
  const maxStopPct = stopLossCap(limits);
  const stopLoss = maxStopPct === undefined ? requestedStop : closer(requestedStop, price * (1 - (sign * maxStopPct) / 100), side);
  const risk = Math.abs(price - stopLoss);
  const reward = Math.abs(takeProfit - price);
  if (reward < limits.minRiskReward * risk * (1 - RATIO_TOLERANCE)) {
    return new Refusal(
      'min_risk_reward',
      `risk-reward 1:${(reward / risk).toFixed(2)} (stop-loss ${priceText(stopLoss)}, take-profit ${priceText(takeProfit)}, ` +
        `price ${priceText(price)}) is below the minimum 1:${limits.minRiskReward} (min_risk_reward)`,
    );
  }
  const rounded = roundProtection(stopLoss, takeProfit, side, price, open.rules);
  if (rounded instanceof Refusal) return rounded;
  const defaulted = { stopLoss: d.stopLoss === undefined, takeProfit: d.takeProfit === undefined };
  const asked = `stop-loss ${priceText(requestedStop)}${defaulted.stopLoss ? ` (default ${limits.stopLossPct} %)` : ''}`;
  // Rounding moves a stop toward the price, except one within a tick of it, which goes a tick beyond.
  if (maxStopPct !== undefined && pctFrom(price, rounded.stopLoss).gt(maxStopPct * (1 + RATIO_TOLERANCE))) {
    return new Refusal(
      'max_stop_loss_pct',
      `${asked} cannot be placed within ${maxStopPct} % of the price (max_stop_loss_pct) at tick ${open.rules.tickSize}: ` +
        `the nearest tick on that side of the price, ${rounded.stopLoss}, is further`,
    );
  }
  if (stopLoss === requestedStop) return { ...rounded, defaulted };
  const note: Note = {
    rule: 'max_stop_loss_pct',
    text: `${asked} tightened to ${rounded.stopLoss}: at most ${maxStopPct} % from the price ${priceText(price)} (max_stop_loss_pct)`,
  };
  return { ...rounded, defaulted: { ...defaulted, stopLoss: false }, note };
}

/**
 * The stop-loss and take-profit a position gets when none was asked for: the agent's percentages from
 * `entry`, the stop tightened by max_stop_loss_pct, rounded to the tick as a new position's are (the
 * sync puts them back on a position found unprotected). A take-profit that would be at or below zero (a
 * short's default of 100 % or more) is left out: the stop-loss, the protection that matters, never is.
 */
export function defaultProtection(
  side: PositionSide,
  entry: number,
  rules: SymbolRules,
  limits: RiskLimits,
): { stopLoss: string; takeProfit?: string } {
  const resolved = withRiskDefaults(limits);
  const sign = side === 'long' ? 1 : -1;
  const stopPct = Math.min(resolved.stopLossPct, stopLossCap(resolved) ?? Infinity);
  const stopLoss = entry * (1 - (sign * stopPct) / 100);
  const takeProfit = entry * (1 + (sign * resolved.takeProfitPct) / 100);
  const withTarget = takeProfit > 0;
  // A target on the other side of the entry (the stop's mirror when the default one is unusable) only steers the rounding.
  const rounded = roundProtection(stopLoss, withTarget ? takeProfit : entry * (1 + (sign * stopPct) / 100), side, entry, rules);
  if (rounded instanceof Refusal) throw new Error(`no default protection for ${rules.symbol} at ${entry}: ${rounded.reason}`);
  return withTarget ? rounded : { stopLoss: rounded.stopLoss };
}

/** max_stop_loss_pct when it is a usable percentage; absent (or nonsense) means no cap. */
function stopLossCap(limits: ResolvedRiskLimits): number | undefined {
  return isPositive(limits.maxStopLossPct) ? limits.maxStopLossPct : undefined;
}

/** Of two stop-loss prices, the one nearer the entry. */
function closer(a: number, b: number, side: PositionSide): number {
  return side === 'long' ? Math.max(a, b) : Math.min(a, b);
}

/** How far (%) `value` is from `price`. */
function pctFrom(price: number, value: Decimal.Value): Decimal {
  return new Decimal(value).sub(price).abs().div(price).mul(100);
}

/** The risk-reward check forgives float noise (1.5 x ATR against 3 x ATR is 1:2). */
const RATIO_TOLERANCE = 1e-9;

/**
 * To the tick: the take-profit away from the entry (the reward is kept) and the stop-loss toward it (the
 * risk shrinks), so rounding never worsens the ratio; except that a price within a tick of the entry
 * goes to the first tick beyond it, never onto or over the entry.
 */
function roundProtection(
  stopLoss: number,
  takeProfit: number,
  side: PositionSide,
  price: number,
  rules: SymbolRules,
): { stopLoss: string; takeProfit: string } | Refusal {
  const tick = new Decimal(rules.tickSize);
  const toTick = (value: Decimal.Value, direction: 'up' | 'down'): Decimal => {
    const ticks = new Decimal(value).div(tick);
    const nearest = ticks.round();
    // 30000 * 0.97 is 29100.000000000004 in floating point: that is 29100.0, not a tick above it.
    if (ticks.sub(nearest).abs().lt(1e-6)) return nearest.mul(tick);
    return (direction === 'up' ? ticks.ceil() : ticks.floor()).mul(tick);
  };
  const up = toTick(price, 'up');
  const down = toTick(price, 'down');
  const above = up.gt(price) ? up : up.add(tick);
  const below = down.lt(price) ? down : down.sub(tick);
  const long = side === 'long';
  let sl = toTick(stopLoss, long ? 'up' : 'down');
  let tp = toTick(takeProfit, long ? 'up' : 'down');
  if (long && sl.gte(price)) sl = below;
  if (long && tp.lte(price)) tp = above;
  if (!long && sl.lte(price)) sl = above;
  if (!long && tp.gte(price)) tp = below;
  const unplaceable = (what: string, at: number) =>
    `${what} ${priceText(at)} cannot be placed below ${priceText(price)} at tick ${rules.tickSize}`;
  if (sl.lte(0)) return new Refusal('stop_loss_price', unplaceable('stop-loss', stopLoss));
  if (tp.lte(0)) return new Refusal('take_profit_price', unplaceable('take-profit', takeProfit));
  const places = tick.decimalPlaces();
  return { stopLoss: sl.toFixed(places), takeProfit: tp.toFixed(places) };
}

// ---------------------------------------------------------------------------------------------
// The size, and a leverage at which the stop fires.

interface FittedPosition {
  leverage: number;
  quantity: string;
  /** Set when the leverage came down for the stop or the bracket. */
  leverageNote?: Note;
  sizeNotes: Note[];
}

/**
 * The size at `leverage`; then, where the stop-loss would not fire before liquidation or the bracket
 * of that size does not allow that leverage, the highest leverage that passes, sized again. Leverage
 * only goes down, so this ends (at 1x at worst); a size refused on the way is refused.
 */
function fitPosition(
  open: OpenRequest,
  leverage: number,
  stopLoss: string,
  ctx: RiskContext,
  limits: ResolvedRiskLimits,
  book: Book,
): FittedPosition | Refusal {
  const stop = new Decimal(stopLoss);
  const why: Note[] = [];
  const whyText = () => why.map((n) => n.text).join('; then ');
  let at = leverage;
  for (;;) {
    const size = sizeOrder(open, at, ctx, limits, book);
    if (size instanceof Refusal)
      return why.length ? new Refusal(size.rule, `${size.reason} (at ${at}x, lowered from ${leverage}x: ${whyText()})`) : size;
    const quantity = new Decimal(size.quantity);
    const notional = quantity.mul(open.price);
    const safety = stopSafetyMargin(open, quantity, stop, book.feeRate);
    const stopAllows = highestFiringLeverage(open, quantity, stop, safety);
    const bracketAllows = Math.floor(maxLeverageAt(open.brackets, notional));
    if (at <= stopAllows && at <= bracketAllows) {
      const leverageNote = why.length ? { rule: why[0]!.rule, text: `leverage ${leverage}x lowered to ${at}x: ${whyText()}` } : undefined;
      return { leverage: at, quantity: size.quantity, sizeNotes: size.notes, ...(leverageNote && { leverageNote }) };
    }
    if (stopAllows < 1) return stopNeverFires(open, quantity, stopLoss, safety);
    why.push(
      stopAllows < bracketAllows
        ? {
            rule: 'stop_inside_liquidation',
            text:
              `at ${at}x ${liquidationText(open, quantity, at)}: the stop-loss ${stopLoss} must stay ${priceDistance(open, quantity, safety)} inside it ` +
              `(the fees of opening and closing, ${usdt(safety)} USDT) to fire first`,
          }
        : {
            rule: 'margin_bracket',
            text: `at ${at}x: the venue's margin bracket for a position of ${usdt(notional)} USDT allows at most ${bracketAllows}x`,
          },
    );
    at = Math.min(stopAllows, bracketAllows);
  }
}

function stopNeverFires(open: OpenRequest, quantity: Decimal, stopLoss: string, safety: Decimal): Refusal {
  return new Refusal(
    'stop_inside_liquidation',
    `stop-loss ${stopLoss} can never fire: even at 1x ${liquidationText(open, quantity, 1)}, ` +
      `and the stop must stay ${priceDistance(open, quantity, safety)} inside it (the fees of opening and closing, ${usdt(safety)} USDT)`,
  );
}

/**
 * How much loss the stop must leave before liquidation (USDT), on top of the maintenance margin the
 * liquidation price already keeps (the venue's brackets): the taker fees of opening the position and of
 * closing it at the stop, which the venue takes from the same margin.
 */
function stopSafetyMargin(open: OpenRequest, quantity: Decimal, stop: Decimal, feeRate: Decimal): Decimal {
  return quantity.mul(open.price).mul(feeRate).add(quantity.mul(stop).mul(feeRate));
}

/**
 * The highest whole leverage at which the stop fires with its safety margin before liquidation; 0 when
 * not even 1x. Liquidation comes where margin + PnL falls to the maintenance margin (the formula of
 * `liquidationPrice`), and margin + PnL - maintenance margin falls steadily as the price moves against
 * the position (`cum` keeps it continuous across brackets). So the stop fires first, its safety margin
 * to spare, exactly when at the price `safety / quantity` beyond the stop the margin (notional /
 * leverage) is still more than the loss there plus the maintenance margin there.
 */
function highestFiringLeverage(open: OpenRequest, quantity: Decimal, stop: Decimal, safety: Decimal): number {
  const sign = open.side === 'long' ? 1 : -1;
  const beyond = stop.sub(safety.div(quantity).mul(sign));
  if (beyond.lte(0)) return 0;
  const loss = quantity.mul(new Decimal(open.price).sub(beyond)).mul(sign);
  const needed = loss.add(maintenanceMargin(open.brackets, quantity.mul(beyond)));
  // notional / leverage > needed, so leverage < notional / needed.
  return quantity.mul(open.price).div(needed).ceil().sub(1).toNumber();
}

function liquidationText(open: OpenRequest, quantity: Decimal, leverage: number): string {
  const margin = quantity.mul(open.price).div(leverage);
  const price = liquidationPrice({ side: open.side, quantity, entryPrice: open.price, margin }, open.brackets);
  return `the position would be liquidated near ${price.toFixed(new Decimal(open.rules.tickSize).decimalPlaces(), Decimal.ROUND_HALF_UP)}`;
}

/** The safety margin as a price distance. */
function priceDistance(open: OpenRequest, quantity: Decimal, safety: Decimal): string {
  return safety.div(quantity).toFixed(new Decimal(open.rules.tickSize).decimalPlaces(), Decimal.ROUND_UP);
}

interface Cap {
  /** The largest margin this cap leaves for the new position. */
  maxMargin: Decimal;
  label: string;
  rule: RiskRule;
}

/**
 * The margin every cap allows at this leverage, and the quantity that follows (rounded down to the
 * step). Rejected when nothing is left, or when what is left is under the venue's minimums.
 */
function sizeOrder(
  open: OpenRequest,
  leverage: number,
  ctx: RiskContext,
  limits: ResolvedRiskLimits,
  book: Book,
): { quantity: string; notes: Note[] } | Refusal {
  const { symbol, price, rules } = open;
  const requested = requestedNotional(open.decision, price);
  if (requested instanceof Refusal) return requested;
  const requestedMargin = requested.div(leverage);
  const caps = sizeCaps(open, leverage, ctx, limits, book);
  const binding = caps.reduce((low, c) => (c.maxMargin.lt(low.maxMargin) ? c : low));
  if (binding.maxMargin.lte(0)) return new Refusal(binding.rule, `no room for a new position: ${binding.label}`);

  const notes: Note[] = [];
  let margin = requestedMargin;
  if (binding.maxMargin.lt(requestedMargin)) {
    margin = binding.maxMargin;
    const others = caps.filter((c) => c !== binding && c.maxMargin.lt(requestedMargin)).sort((a, b) => a.maxMargin.cmp(b.maxMargin));
    notes.push({
      rule: binding.rule,
      text:
        `margin ${usdt(requestedMargin)} USDT cut to ${usdt(margin)}: ${binding.label}` +
        (others.length ? `; also over ${others.map((c) => c.label).join('; ')}` : ''),
    });
  }
  const quantity = roundQuantity(margin.mul(leverage).div(price), rules);
  const violation = sizeViolation(quantity, price, rules);
  if (violation)
    return new Refusal('venue_minimum', notes.length ? `${symbol}: ${violation} (after ${notes[0]!.text})` : `${symbol}: ${violation}`);
  return { quantity, notes };
}

/** The requested position value: sizeUsd, else quantity at the price. */
function requestedNotional(d: Decision, price: number): Decimal | Refusal {
  if (d.sizeUsd !== undefined) {
    if (isPositive(d.sizeUsd)) return new Decimal(d.sizeUsd);
    return new Refusal('requested_size', `requested size ${d.sizeUsd} USDT is not a positive amount`);
  }
  if (d.quantity !== undefined) {
    if (isPositive(d.quantity)) return new Decimal(d.quantity).mul(price);
    return new Refusal('requested_size', `requested quantity ${d.quantity} is not a positive amount`);
  }
  return new Refusal('requested_size', 'no size requested (sizeUsd or quantity)');
}

/** Every cap on the new position's margin, with the numbers a person needs to check it. */
function sizeCaps(open: OpenRequest, leverage: number, ctx: RiskContext, limits: ResolvedRiskLimits, book: Book): Cap[] {
  const { symbol } = open;
  const equity = new Decimal(ctx.account.equity);
  const pctOf = (pct: number, base: Decimal) => base.mul(pct).div(100);
  // margin + fee = margin * (1 + leverage * feeRate): what a budget for both leaves as margin.
  const withFee = new Decimal(1).add(book.feeRate.mul(leverage));
  const positionsOpen = book.holdings.length > 0;
  const singleTradePct = positionsOpen ? limits.maxSingleTradeWithPositionsPct : limits.maxSingleTradePct;
  const committed = sumMargin(book.holdings);
  const major = limits.majorSymbols.includes(symbol);
  const multiple = major ? limits.majorMaxNotionalMultiple : limits.altcoinMaxNotionalMultiple;
  const maxValue = equity.mul(multiple);
  const bracketCap = maxNotionalAt(open.brackets, leverage);
  const bracketValue = new Decimal(bracketCap).mul(1 - BRACKET_HEADROOM);
  const caps: Cap[] = [
    {
      maxMargin: pctOf(singleTradePct, book.available).div(withFee),
      label:
        `${singleTradePct} % of available ${usdt(book.available)} ` +
        (positionsOpen ? 'with positions open (max_single_trade_with_positions_pct)' : 'with no position open (max_single_trade_pct)') +
        ', fee included',
      rule: positionsOpen ? 'max_single_trade_with_positions_pct' : 'max_single_trade_pct',
    },
    {
      maxMargin: book.available.div(withFee),
      label: `available balance ${usdt(book.available)} for margin plus fee`,
      rule: 'available_balance',
    },
    {
      maxMargin: pctOf(limits.maxPositionSizePct, equity),
      label: `${limits.maxPositionSizePct} % of equity ${usdt(equity)} per position (max_position_size_pct)`,
      rule: 'max_position_size_pct',
    },
    {
      maxMargin: pctOf(limits.maxTotalPositionPct, equity).sub(committed),
      label: `${limits.maxTotalPositionPct} % of equity ${usdt(equity)} for all positions, ${usdt(committed)} already committed (max_total_position_pct)`,
      rule: 'max_total_position_pct',
    },
    {
      maxMargin: pctOf(limits.maxMarginUsagePct, equity).sub(book.marginUsed),
      label: `${limits.maxMarginUsagePct} % of equity ${usdt(equity)} as margin in use, ${usdt(book.marginUsed)} already used (max_margin_usage_pct)`,
      rule: 'max_margin_usage_pct',
    },
    {
      maxMargin: maxValue.div(leverage),
      label: `position value at most ${usdt(maxValue)} USDT, ${multiple}x equity for ${major ? 'a major (major_max_notional_multiple)' : 'an altcoin (altcoin_max_notional_multiple)'}`,
      rule: major ? 'major_max_notional_multiple' : 'altcoin_max_notional_multiple',
    },
  ];
  if (bracketCap >= UNCAPPED_NOTIONAL) return caps;
  return [
    ...caps,
    {
      maxMargin: bracketValue.div(leverage),
      label:
        `position value at most ${usdt(bracketValue)} USDT at ${leverage}x, the venue's margin bracket for ${symbol} ` +
        `less ${BRACKET_HEADROOM * 100} % for the price to move before the fill`,
      rule: 'margin_bracket',
    },
  ];
}

/** The bracket's notional cap is kept this far (a fraction) below: the fill comes after the check, at another price. */
const BRACKET_HEADROOM = 0.01;

// ---------------------------------------------------------------------------------------------
// Margin brackets.

/**
 * Maintenance rate assumed where the venue gives no (usable) brackets. 2.5 % is the most Binance
 * charges any of the bundled symbols up to 250,000 USDT of position (0.4 % to 2.5 %:
 * venues/paper/margin-brackets.binance-usdm.json), far beyond what the position-value caps let a
 * 10,000 USDT account hold; half the initial margin at the venue's maximum leverage, when that is more, is the
 * first bracket's rate on Binance, Aster and Hyperliquid for a symbol capped under 20x. Too high a rate
 * only lowers leverage; too low a one would leave stops that never fire.
 */
const FALLBACK_MAINTENANCE_RATE = 0.025;

/** A bracket cap this high is no cap (the fallback's, and Hyperliquid's last tier, use it). */
const UNCAPPED_NOTIONAL = Number.MAX_SAFE_INTEGER;

/** The venue's brackets, or one flat bracket at the fallback rate up to the venue's maximum leverage. */
function marginBracketsOf(rules: SymbolRules): readonly MarginBracket[] {
  const given = rules.marginBrackets;
  if (given && given.length > 0 && given.every(usableBracket)) return given;
  const maxLeverage = Number.isFinite(rules.maxLeverage) && rules.maxLeverage >= 1 ? Math.floor(rules.maxLeverage) : 1;
  return [
    {
      bracket: 1,
      initialLeverage: maxLeverage,
      notionalFloor: 0,
      notionalCap: UNCAPPED_NOTIONAL,
      maintMarginRatio: Math.max(FALLBACK_MAINTENANCE_RATE, 1 / (2 * maxLeverage)),
      cum: 0,
    },
  ];
}

function usableBracket(b: MarginBracket): boolean {
  return (
    [b.initialLeverage, b.notionalFloor, b.notionalCap, b.maintMarginRatio, b.cum].every(Number.isFinite) &&
    b.initialLeverage >= 1 &&
    b.notionalFloor >= 0 &&
    b.notionalCap > b.notionalFloor &&
    b.maintMarginRatio >= 0 &&
    b.maintMarginRatio < 1 &&
    b.cum >= 0
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

const MINUTE = 60_000;

/** A refusal: the rule (for machines) and the reason (for people). */
class Refusal {
  constructor(
    readonly rule: RiskRule,
    readonly reason: string,
  ) {}
}

/** What changed an order that still passes (a resize): its rule and its words. */
interface Note {
  rule: RiskRule;
  text: string;
}

function reject(decision: Decision, refusal: Refusal): RiskVerdict {
  return { decision, status: 'rejected', reason: refusal.reason, rule: refusal.rule };
}

function isPositive(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function finiteOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

function usableRules(rules: SymbolRules): boolean {
  return (
    [rules.tickSize, rules.stepSize, rules.minQty, rules.minNotional].every((v) => DECIMAL_TEXT.test(v)) &&
    new Decimal(rules.tickSize).gt(0) &&
    new Decimal(rules.stepSize).gt(0)
  );
}

const USDT_FORMAT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 2,410.00 */
function usdt(value: Decimal.Value): string {
  return USDT_FORMAT.format(new Decimal(value).toNumber());
}

function priceText(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(12))) : String(value);
}

function minutesText(ms: number): string {
  return `${Math.max(0, Math.floor(ms / MINUTE))} min`;
}

function nextUtcDay(now: number): string {
  const DAY = 24 * 60 * MINUTE;
  const next = new Date((Math.floor(now / DAY) + 1) * DAY);
  return Number.isNaN(next.getTime()) ? 'the next UTC day' : `${next.toISOString().slice(0, 10)} 00:00 UTC`;
}
