import type { Decision, DecisionInput, DecisionOutput } from '../types';

const LEVERAGE = 2;
const MARGIN_SHARE = 0.1;
const OVERSOLD = 25;
const OVERBOUGHT = 75;

/**
 * Mean reversion on the 3m RSI(7): buy oversold, sell overbought, take the position off when RSI
 * returns past the middle. Stops and targets come from the agent's stop_loss_pct / take_profit_pct.
 */
export function rsiReversion(input: DecisionInput): DecisionOutput {
  const decisions: Decision[] = [];
  for (const s of input.market) {
    const rsi = s.tf3m.rsi7;
    if (rsi === null) continue;
    const held = input.positions.find((p) => p.symbol === s.symbol);
    if (held) {
      const reverted = held.side === 'long' ? rsi > 55 : rsi < 45;
      decisions.push(
        reverted
          ? { action: 'close', symbol: s.symbol, reason: `RSI7 ${rsi.toFixed(1)} back past the middle` }
          : { action: 'hold', symbol: s.symbol, reason: `RSI7 ${rsi.toFixed(1)} not reverted yet` },
      );
    } else if (rsi < OVERSOLD) {
      decisions.push(open('open_long', s.symbol, input, `RSI7 ${rsi.toFixed(1)} oversold`));
    } else if (rsi > OVERBOUGHT) {
      decisions.push(open('open_short', s.symbol, input, `RSI7 ${rsi.toFixed(1)} overbought`));
    }
  }
  const reasoning = decisions.length ? decisions.map((d) => `${d.action} ${d.symbol}: ${d.reason}`).join('; ') : 'no RSI extreme';
  return { reasoning, decisions: decisions.length ? decisions : [{ action: 'wait', reason: reasoning }] };
}

function open(action: 'open_long' | 'open_short', symbol: string, input: DecisionInput, reason: string): Decision {
  return { action, symbol, leverage: LEVERAGE, sizeUsd: input.account.equity * MARGIN_SHARE * LEVERAGE, confidence: 0.55, reason };
}
