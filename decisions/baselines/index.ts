import type { BaselineModel } from '../../arena-config/types';
import type { DecisionInput, DecisionMaker, DecisionOutput } from '../types';
import { buyAndHold } from './buy-and-hold';
import { emaTrend } from './ema-trend';
import { randomEntry } from './random-entry';
import { rsiReversion } from './rsi-reversion';

const BASELINES: Record<BaselineModel, (input: DecisionInput) => DecisionOutput> = {
  ema_trend: emaTrend,
  rsi_reversion: rsiReversion,
  buy_and_hold: buyAndHold,
  random_entry: randomEntry,
};

export function baselineDecisionMaker(model: string): DecisionMaker {
  const decide = BASELINES[model as BaselineModel];
  if (!decide) throw new Error(`unknown rule-based model "${model}" (expected one of ${Object.keys(BASELINES).join(', ')})`);
  return { decide: async (input) => decide(input) };
}
