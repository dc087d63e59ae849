import type { AgentConfig, ArenaConfig } from '../arena-config/types';

/**
 * The agents this version can run, saying why each other one is skipped: disabled, a missing key
 * (decided by the config loader), or a venue this version does not have yet.
 */
export function runnableAgents(config: ArenaConfig, log: (msg: string) => void): AgentConfig[] {
  const runnable: AgentConfig[] = [];
  for (const entry of config.agents) {
    const agent = entry.config;
    const reason = !agent
      ? entry.skipReason ?? 'not configured'
      : agent.exchange.type !== 'paper'
        ? `the ${agent.exchange.type} venue adapter is not in this version yet (only paper)`
        : null;
    if (reason) log(`agent ${entry.id}: skipped: ${reason}`);
    else runnable.push(agent!);
  }
  return runnable;
}
