import type { Decision, DecisionInput, DecisionOutput } from '../types';

const LEVERAGE = 3;
const MARGIN_SHARE = 0.1;

/**
 * Trend following: trade in the direction of the 4h EMA20/EMA50 trend when the 3m price is on the same
 * side of its EMA20 and 3m MACD momentum agrees; leave when the 4h trend turns against the position.
 * Stops at 1.5 x 4h ATR, targets at 3 x (risk-reward 1:2).
 */
export function emaTrend(input: DecisionInput): DecisionOutput {
  const decisions: Decision[] = [];
  const notes: string[] = [];
  for (const s of input.market) {
    const { tf3m, tf4h, price } = s;
    const held = input.positions.find((p) => p.symbol === s.symbol);
    if (held) {
      const against = held.side === 'long' ? tf4h.trend === 'down' : tf4h.trend === 'up';
      decisions.push(
        against
          ? { action: 'close', symbol: s.symbol, reason: `4h trend turned ${tf4h.trend} against the ${held.side}` }
          : { action: 'hold', symbol: s.symbol, reason: `4h trend ${tf4h.trend} still supports the ${held.side}` },
      );
      continue;
    }
    if (tf3m.ema20 === null || tf3m.macdHist === null || tf4h.atr14 === null) continue;
    const atr = tf4h.atr14;
    if (tf4h.trend === 'up' && price > tf3m.ema20 && tf3m.macdHist > 0) {
      decisions.push(open('open_long', s.symbol, price, atr, input, 'uptrend on 4h, price above 3m EMA20, MACD rising'));
    } else if (tf4h.trend === 'down' && price < tf3m.ema20 && tf3m.macdHist < 0) {
      decisions.push(open('open_short', s.symbol, price, atr, input, 'downtrend on 4h, price below 3m EMA20, MACD falling'));
    } else {
      notes.push(`${s.symbol} ${tf4h.trend}`);
    }
  }
  const reasoning = decisions.length
    ? decisions.map((d) => `${d.action} ${d.symbol}: ${d.reason}`).join('; ')
    : `no trend setup (${notes.join(', ') || 'no data'})`;
  return { reasoning, decisions: decisions.length ? decisions : [{ action: 'wait', reason: reasoning }] };
}

function open(
  action: 'open_long' | 'open_short',
  symbol: string,
  price: number,
  atr: number,
  input: DecisionInput,
  reason: string,
): Decision {
  const sign = action === 'open_long' ? 1 : -1;
  return {
    action,
    symbol,
    leverage: LEVERAGE,
    sizeUsd: input.account.equity * MARGIN_SHARE * LEVERAGE,
    stopLoss: price - sign * 1.5 * atr,
    takeProfit: price + sign * 3 * atr,
    confidence: 0.6,
    reason,
  };
}
