import type { DecisionInput, DecisionOutput } from '../types';

/** The benchmark: buy the first configured symbol once at 1x with all it may, then hold. */
export function buyAndHold(input: DecisionInput): DecisionOutput {
  const target = input.market[0];
  if (!target) return { reasoning: 'no symbol configured', decisions: [{ action: 'wait', reason: 'no symbol' }] };
  if (input.positions.some((p) => p.symbol === target.symbol)) {
    return { reasoning: `holding ${target.symbol}`, decisions: [{ action: 'hold', symbol: target.symbol, reason: 'buy and hold' }] };
  }
  return {
    reasoning: `buy ${target.symbol} and hold it as the benchmark`,
    decisions: [
      {
        action: 'open_long',
        symbol: target.symbol,
        leverage: 1,
        sizeUsd: input.account.available,
        confidence: 1,
        reason: 'benchmark entry',
      },
    ],
  };
}
