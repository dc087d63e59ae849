import type { Decision, DecisionInput, DecisionOutput } from '../types';
import { seededRandom } from './seeded-random';

const LEVERAGE = 2;
const MARGIN_SHARE = 0.1;
const HOLD_MS = 2 * 3 * 60_000;

/**
 * The chance benchmark: always in the market, a side and a symbol drawn at random each time it is flat,
 * out again after two bars, with the agent's own stop-loss and take-profit. A model that cannot beat it
 * has no edge. The draw is seeded by (agent, cycle), so a re-run cycle decides the same.
 */
export function randomEntry(input: DecisionInput): DecisionOutput {
  const random = seededRandom(`${input.agentId}|${input.cycleNo}`);
  const decisions: Decision[] = input.positions.map((p) =>
    input.marketTime - p.openedAt >= HOLD_MS
      ? { action: 'close', symbol: p.symbol, reason: 'held two bars' }
      : { action: 'hold', symbol: p.symbol, reason: 'held less than two bars' },
  );
  if (input.positions.length === 0 && input.market.length > 0) {
    const symbol = input.market[Math.floor(random() * input.market.length)]!.symbol;
    const action = random() < 0.5 ? 'open_long' : 'open_short';
    decisions.push({
      action,
      symbol,
      leverage: LEVERAGE,
      sizeUsd: input.account.equity * MARGIN_SHARE * LEVERAGE,
      confidence: 0.5,
      reason: 'random entry',
    });
  }
  const reasoning = decisions.map((d) => `${d.action}${d.symbol ? ` ${d.symbol}` : ''}: ${d.reason}`).join('; ') || 'nothing to do';
  return { reasoning, decisions: decisions.length ? decisions : [{ action: 'wait', reason: reasoning }] };
}
