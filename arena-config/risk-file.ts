/**
 * A file of risk limits for decision replay (`npm run replay -- --risk FILE`): the keys of an agent
 * file's `risk_management` section, at the top level or under `risk_management:`. The keys it sets
 * replace the agent's; the others stay as the agent had them. Checked by the agent file's own rules.
 */
import type { RiskLimits } from './types';
import { SourceFile } from './load';
import { RiskManagementSchema, parseConfig, riskLimitsFromFile } from './schema';

export function loadRiskOverrides(file: string, base: RiskLimits): RiskLimits {
  const source = new SourceFile(file);
  const value = source.read() as Record<string, unknown>;
  const overrides = 'risk_management' in value ? value.risk_management : value;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw source.error('risk_management', overrides, "expected a mapping of risk limits (the keys of an agent file's risk_management)");
  }
  const merged = { ...snakeCase(base), ...(overrides as Record<string, unknown>) };
  return riskLimitsFromFile(parseConfig(RiskManagementSchema, merged, file, source.label));
}

/** maxPositionSizePct -> max_position_size_pct: the config's names for the limits. */
function snakeCase(limits: RiskLimits): Record<string, unknown> {
  return Object.fromEntries(Object.entries(limits).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}
