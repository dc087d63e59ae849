import type { AgentConfig, ArenaConfig } from '../arena-config/types';

/** The agents that can run, saying why each other one is skipped (disabled, a missing key or credential). */
export function runnableAgents(config: ArenaConfig, log: (msg: string) => void): AgentConfig[] {
  const runnable: AgentConfig[] = [];
  for (const entry of config.agents) {
    if (entry.config) runnable.push(entry.config);
    else log(`agent ${entry.id}: skipped: ${entry.skipReason ?? 'not configured'}`);
  }
  return runnable;
}
