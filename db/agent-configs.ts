/** The `agent_configs` table: every config an agent has run with, under the digest of its content. */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AgentConfig } from '../arena-config/types';
import type { Database } from './schema';

/** The digest a config is stored under: the first 16 hex digits of the SHA-256 of its JSON. */
export function configDigest(config: AgentConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

/** Stores the config under its digest (a second store of the same config changes nothing) and returns the digest. */
export async function storeAgentConfig(db: Kysely<Database>, config: AgentConfig): Promise<string> {
  const digest = configDigest(config);
  await db
    .insertInto('agent_configs')
    .values({ agent_id: config.id, digest, config: JSON.stringify(config) })
    .onConflict((oc) => oc.columns(['agent_id', 'digest']).doNothing())
    .execute();
  return digest;
}

export async function findAgentConfig(db: Kysely<Database>, agentId: string, digest: string): Promise<AgentConfig | undefined> {
  const row = await db
    .selectFrom('agent_configs')
    .select('config')
    .where('agent_id', '=', agentId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row?.config;
}
