import Decimal from 'decimal.js';
import type { RiskLimits } from '../arena-config/types';
import type { AccountView, Decision, PositionView } from '../decisions/types';
import { roundPrice, roundQuantity, sizeViolation } from '../venues/symbol-rules';
import type { PositionSide, SymbolRules } from '../venues/venue';

/** An order the executor may place: quantities and prices already rounded to the venue's rules. */
export interface PlannedOrder {
  kind: 'open' | 'close';
  symbol: string;
  side: PositionSide;
  quantity: string;
  leverage: number;
  referencePrice: number;
  stopLoss?: string;
  takeProfit?: string;
}

export interface RiskVerdict {
  decision: Decision;
  status: 'approved' | 'resized' | 'rejected' | 'no_order';
  reason: string;
  order?: PlannedOrder;
}

export interface PreTradeInput {
  decisions: Decision[];
  account: AccountView;
  positions: PositionView[];
  prices: Record<string, number>;
  rules: Record<string, SymbolRules>;
  limits: RiskLimits;
  takerFeeRate: number;
  /** No new positions (after repeated failures); closes still pass. */
  safeMode: boolean;
}

/**
 * The first line of defence before the venue: max positions, max leverage and available margin, with
 * sizes computed here from live balances (the decision maker's numbers are requests). Closes are
 * judged first so that the room they free counts for the opens of the same cycle.
 */
export function preTradeCheck(input: PreTradeInput): RiskVerdict[] {
  const closing = new Set<string>();
  const verdicts = new Map<Decision, RiskVerdict>();
  const ordered = [...input.decisions].sort((a, b) => rank(a) - rank(b));
  let openCount = input.positions.length;
  let available = new Decimal(input.account.available);

  for (const d of ordered) {
    if (d.action === 'hold' || d.action === 'wait') {
      verdicts.set(d, { decision: d, status: 'no_order', reason: `${d.action}: nothing to trade` });
      continue;
    }
    const symbol = d.symbol ?? '';
    const price = input.prices[symbol];
    const rules = input.rules[symbol];
    if (!price || !rules) {
      verdicts.set(d, reject(d, `symbol "${symbol}" is not traded by this agent`));
      continue;
    }
    const held = input.positions.find((p) => p.symbol === symbol);
    if (d.action === 'close') {
      if (!held || closing.has(symbol)) {
        verdicts.set(d, reject(d, `no open position in ${symbol} to close`));
        continue;
      }
      closing.add(symbol);
      openCount -= 1;
      available = available.add(held.margin).add(held.unrealizedPnl);
      verdicts.set(d, {
        decision: d, status: 'approved', reason: `close ${held.side} ${held.quantity} ${symbol}`,
        order: { kind: 'close', symbol, side: held.side, quantity: String(held.quantity), leverage: held.leverage, referencePrice: price },
      });
      continue;
    }
    const verdict = checkOpen(d, symbol, price, rules, input, available, openCount, held !== undefined && !closing.has(symbol));
    if (verdict.order) {
      openCount += 1;
      const notional = new Decimal(verdict.order.quantity).mul(price);
      available = available.sub(notional.div(verdict.order.leverage)).sub(notional.mul(input.takerFeeRate));
    }
    verdicts.set(d, verdict);
  }
  return input.decisions.map((d) => verdicts.get(d)!);
}

function checkOpen(
  d: Decision, symbol: string, price: number, rules: SymbolRules, input: PreTradeInput,
  available: Decimal, openCount: number, alreadyHeld: boolean,
): RiskVerdict {
  const { limits } = input;
  const side: PositionSide = d.action === 'open_long' ? 'long' : 'short';
  if (input.safeMode) return reject(d, 'safe mode: no new positions until a cycle succeeds');
  if (alreadyHeld) return reject(d, `a position in ${symbol} is already open (no stacking)`);
  if (openCount >= limits.maxPositions) return reject(d, `max positions reached (${limits.maxPositions})`);

  const notes: string[] = [];
  const asked = Math.max(1, Math.floor(d.leverage ?? 1));
  const leverage = Math.min(asked, limits.maxLeverage, rules.maxLeverage);
  if (leverage !== asked) notes.push(`leverage ${asked}x capped to ${leverage}x`);

  const requested = d.sizeUsd ?? (d.quantity !== undefined ? d.quantity * price : 0);
  if (!(requested > 0)) return reject(d, 'no positive size requested (sizeUsd or quantity)');
  const singleTradePct = input.positions.length > 0 ? limits.maxSingleTradeWithPositionsPct : limits.maxSingleTradePct;
  // Margin plus the taker fee must fit in the share of available balance one trade may use.
  const budget = available.mul(singleTradePct).div(100);
  const maxNotional = budget.div(new Decimal(1).div(leverage).add(input.takerFeeRate));
  let notional = new Decimal(requested);
  if (notional.gt(maxNotional)) {
    notes.push(`size ${notional.toFixed(2)} USDT cut to ${maxNotional.toFixed(2)} (${singleTradePct}% of available ${available.toFixed(2)} as margin)`);
    notional = maxNotional;
  }
  const quantity = roundQuantity(notional.div(price), rules);
  const violation = sizeViolation(quantity, price, rules);
  if (violation) return reject(d, `${symbol}: ${violation}`);

  const protection = protectionPrices(d, side, price, input.limits, rules);
  if (typeof protection === 'string') return reject(d, protection);
  return {
    decision: d,
    status: notes.length ? 'resized' : 'approved',
    reason: notes.length ? notes.join('; ') : `open ${side} ${quantity} ${symbol} at ${leverage}x`,
    order: { kind: 'open', symbol, side, quantity, leverage, referencePrice: price, ...protection },
  };
}

/** Stop-loss and take-profit on the right side of the price; the configured percentages when absent. */
function protectionPrices(
  d: Decision, side: PositionSide, price: number, limits: RiskLimits, rules: SymbolRules,
): { stopLoss: string; takeProfit: string } | string {
  const sign = side === 'long' ? 1 : -1;
  const stopLoss = d.stopLoss ?? price * (1 - (sign * limits.stopLossPct) / 100);
  const takeProfit = d.takeProfit ?? price * (1 + (sign * limits.takeProfitPct) / 100);
  if (!(stopLoss > 0) || (stopLoss - price) * sign >= 0) {
    return `stop-loss ${stopLoss} is on the wrong side of the price ${price} for a ${side}`;
  }
  if (!(takeProfit > 0) || (takeProfit - price) * sign <= 0) {
    return `take-profit ${takeProfit} is on the wrong side of the price ${price} for a ${side}`;
  }
  return { stopLoss: roundPrice(stopLoss, rules), takeProfit: roundPrice(takeProfit, rules) };
}

function reject(decision: Decision, reason: string): RiskVerdict {
  return { decision, status: 'rejected', reason };
}

function rank(d: Decision): number {
  return d.action === 'close' ? 0 : d.action === 'open_long' || d.action === 'open_short' ? 1 : 2;
}
