/**
 * Which environment variables a provider or a venue may read its secrets from. A key is bound to its
 * owner by the variable's name, so that no config (a file, an API change, a raw Temporal update) can
 * point one provider at another provider's key, at a venue's credentials or at the API token:
 *
 *   LLM provider   `<PREFIX>_API_KEY` or `<PREFIX>_API_KEY_<SUFFIX>`  (PREFIX below, e.g. ANTHROPIC_API_KEY_TEAM2)
 *   live venue     `<VENUE>_<ANYTHING>`                               (e.g. BINANCE_API_SECRET_MAIN, ASTER_PRIVATE_KEY_BOT)
 *
 * Checked when the files are read, when a config change is validated, and again where the value is read.
 * Pure: workflow code may import it.
 */
import type { CredentialField, DecisionProvider, VenueType } from './types';

type LlmProvider = Exclude<DecisionProvider, 'rule_based'>;

/** The variable-name prefixes each provider's key may live under. */
export const PROVIDER_KEY_PREFIXES: Record<LlmProvider, readonly string[]> = {
  deepseek: ['DEEPSEEK'],
  qwen: ['QWEN', 'DASHSCOPE'],
  anthropic: ['ANTHROPIC'],
  openai: ['OPENAI'],
  xai: ['XAI'],
  google: ['GOOGLE', 'GEMINI'],
  openrouter: ['OPENROUTER'],
  local: ['LOCAL_LLM'],
};

const SUFFIX = '(_[A-Z0-9]+)*';

/** Why `name` may not hold `provider`'s key, or null when it may. */
export function apiKeyVariableProblem(provider: DecisionProvider, name: string): string | null {
  if (provider === 'rule_based') return 'a rule_based agent reads no key';
  const prefixes = PROVIDER_KEY_PREFIXES[provider];
  if (new RegExp(`^(${prefixes.join('|')})_API_KEY${SUFFIX}$`).test(name)) return null;
  return (
    `${provider} keys are read only from ${prefixes.map((p) => `${p}_API_KEY`).join(' or ')} ` + `(optionally with a _SUFFIX), not ${name}`
  );
}

/** Why `name` may not hold a credential of `venue`, or null when it may. */
export function credentialVariableProblem(venue: VenueType, field: CredentialField, name: string): string | null {
  if (venue === 'paper') return 'the paper venue takes no credentials';
  const prefix = venue.toUpperCase();
  if (new RegExp(`^${prefix}_[A-Z0-9_]+$`).test(name)) return null;
  return `${venue} credentials (${field}) are read only from variables named ${prefix}_..., not ${name}`;
}
