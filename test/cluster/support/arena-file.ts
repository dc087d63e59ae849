import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export interface TestAgent {
  id: string;
  /** A rule-based baseline: random_entry trades most often (an order phase in two cycles of three). */
  model: 'random_entry' | 'ema_trend' | 'rsi_reversion' | 'buy_and_hold';
}

/**
 * Writes an arena file (`ARENA_CONFIG`) and one file per agent into `dir`: rule-based agents on the
 * paper venue, on the bundled replay, a cycle every `cycleSeconds`, the launcher's API on `apiPort`.
 * Returns the arena file's path.
 */
export function writeArenaFile(dir: string, agents: readonly TestAgent[], cycleSeconds: number, apiPort: number): string {
  fs.mkdirSync(path.join(dir, 'agents'), { recursive: true });
  for (const agent of agents) {
    fs.writeFileSync(
      path.join(dir, 'agents', `${agent.id}.yaml`),
      YAML.stringify({
        agent: { id: agent.id, name: agent.id },
        llm: { provider: 'rule_based', model: agent.model },
        exchange: { type: 'paper' },
        strategy: { initial_balance: 10_000 },
      }),
    );
  }
  const file = path.join(dir, 'arena.yaml');
  fs.writeFileSync(
    file,
    YAML.stringify({
      system: { market_data: 'replay', replay_cycle_seconds: cycleSeconds, log_level: 'warn', trading_lock: 'per_account' },
      api: { host: '127.0.0.1', port: apiPort },
      agents: agents.map((agent) => ({ id: agent.id, name: agent.id, enabled: true, config_file: `agents/${agent.id}.yaml` })),
    }),
  );
  return file;
}
