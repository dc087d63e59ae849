import type { Kysely } from 'kysely';
import { findAgentConfig } from '../db/agent-configs';
import { PromiseCache } from '../infra/promise-cache';
import type { Database } from '../db/schema';
import type { ConfigRef } from '../workflows/definitions';
import type { AgentConfig } from './types';

/**
 * The configs cycles name by digest, read from agent_configs once per worker: a stored config never
 * changes, so a cached one is never stale, and a cycle costs no read after the agent's first.
 */
export class StoredConfigs {
  private readonly entries: PromiseCache<AgentConfig>;

  constructor(
    private readonly db: Kysely<Database>,
    maxEntries = 4096,
  ) {
    this.entries = new PromiseCache(maxEntries);
  }

  of(agentId: string, ref: ConfigRef): Promise<AgentConfig> {
    if ('inline' in ref) return Promise.resolve(ref.inline);
    return this.entries.get(`${agentId}@${ref.digest}`, () => this.read(agentId, ref.digest));
  }

  private async read(agentId: string, digest: string): Promise<AgentConfig> {
    const config = await findAgentConfig(this.db, agentId, digest);
    // Retryable: the agent stores its config before it starts the cycle that names it.
    if (!config) throw new Error(`agent ${agentId}: no config stored under digest ${digest} (agent_configs)`);
    return config;
  }
}
