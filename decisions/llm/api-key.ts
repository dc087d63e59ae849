import { apiKeyVariableProblem } from '../../arena-config/secret-variables';
import type { DecisionMakerConfig } from '../../arena-config/types';
import { LlmCallError } from './types';

/**
 * The decision maker's key, read from its variable at call time. Only a variable bound to the provider
 * may be read (arena-config/secret-variables.ts), whatever door the config came through: no config can
 * send the API token or another provider's key to an endpoint.
 */
export function readApiKey(dm: DecisionMakerConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!dm.apiKeyEnv) return undefined;
  const problem = apiKeyVariableProblem(dm.provider, dm.apiKeyEnv);
  if (problem) throw new LlmCallError('auth', `refused to read the key: ${problem}`);
  return env[dm.apiKeyEnv];
}
