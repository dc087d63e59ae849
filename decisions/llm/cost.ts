import { type DecisionMakerConfig, DECISION_MAKER_DEFAULTS } from '../../arena-config/types';

/** The call's cost in USD from the config's prices per million tokens (0 when unset). */
export function callCost(config: DecisionMakerConfig, tokensIn: number, tokensOut: number): number {
  const inPrice = price(config.priceInputPerMillion ?? DECISION_MAKER_DEFAULTS.priceInputPerMillion);
  const outPrice = price(config.priceOutputPerMillion ?? DECISION_MAKER_DEFAULTS.priceOutputPerMillion);
  return (tokens(tokensIn) * inPrice + tokens(tokensOut) * outPrice) / 1_000_000;
}

const price = (p: number) => (Number.isFinite(p) && p > 0 ? p : 0);
const tokens = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
