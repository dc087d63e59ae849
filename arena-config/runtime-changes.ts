/**
 * What a running agent's config may become. An operator may tune how an agent trades at run time (risk
 * limits, trading style, symbols, cadence, the model's sampling and prompt sections); what it trades
 * with and where its secrets go (provider, model, base URLs, key and credential variables, venue,
 * account, testnet, fees, initial balance, identity) changes only in the files, at the next start.
 *
 * One rule for every door: the API's config routes and the agent workflow's `updateConfig` validator
 * both call `configChangeProblem`, so a raw Temporal update is held to the same rule as the API.
 * Pure: workflow code imports it.
 */
import type * as Schema from './schema';
import type { AgentConfig } from './types';

/** Dotted paths of the fields that may change while the agent runs (a path covers everything under it). */
export const RUNTIME_FIELDS = [
  'name',
  'description',
  'strategy.risk',
  'strategy.tradingStyle',
  'strategy.scanIntervalMinutes',
  'strategy.symbols',
  'decisionMaker.temperature',
  'decisionMaker.maxTokens',
  'decisionMaker.timeoutSeconds',
  'decisionMaker.maxConsecutiveFailures',
  'decisionMaker.promptSections',
] as const;

export class ConfigChangeRefused extends Error {
  override name = 'ConfigChangeRefused';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates `candidate` as a whole config, then against `current`: a ConfigChangeRefused naming the first
 * field that may not change at run time, or a symbol outside `symbolUniverse` (the symbols the agent's
 * market and venue offer; without one, the agent's current symbols). Returns the validated config.
 */
export function checkConfigChange(current: AgentConfig, candidate: unknown, symbolUniverse?: readonly string[]): AgentConfig {
  const next = schema().validateAgentConfig(candidate, 'config');
  const fixed = firstDifference(current, next, '');
  if (fixed !== null) {
    throw new ConfigChangeRefused(
      fixed,
      `config: ${fixed}: set in the agent file only; it cannot change while the agent runs ` + `(may change: ${RUNTIME_FIELDS.join(', ')})`,
    );
  }
  const universe = new Set(symbolUniverse ?? current.strategy.symbols);
  const outside = next.strategy.symbols.find((s) => !universe.has(s));
  if (outside !== undefined) {
    throw new ConfigChangeRefused(
      'strategy.symbols',
      `config: strategy.symbols: ${outside} is not traded here (expected symbols from ${[...universe].join(', ')})`,
    );
  }
  return next;
}

/**
 * The schemas, loaded when a change is first checked rather than with this module: the agent workflow
 * imports it, and every workflow (each cycle is one) would otherwise evaluate zod and every schema,
 * about 9 ms of the worker's time per cycle.
 */
function schema(): typeof Schema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (above)
  return require('./schema') as typeof Schema;
}

const isRuntime = (path: string) => RUNTIME_FIELDS.some((field) => path === field);

/** The dotted path of the first fixed field whose value differs, or null. */
function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (path && isRuntime(path)) return null;
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
    return null;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path;
    return a.some((item, i) => firstDifference(item, b[i], path) !== null) ? path : null;
  }
  return Object.is(a, b) ? null : path || '(config)';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
