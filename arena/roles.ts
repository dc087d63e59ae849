/**
 * What one launcher process runs (`ARENA_RUN`, a comma list; default all three): `agents` registers
 * and starts the agents and runs the replay's market clock and the alerts (one such process per
 * arena), `worker` polls the task queue (as many as you like), `api` serves the API and the pages.
 * `npm start` runs all three; docker compose runs them as separate services.
 */
export const ARENA_ROLES = ['agents', 'worker', 'api'] as const;
export type ArenaRole = (typeof ARENA_ROLES)[number];

export function arenaRoles(env: NodeJS.ProcessEnv = process.env): ReadonlySet<ArenaRole> {
  const text = env.ARENA_RUN?.trim();
  if (!text) return new Set(ARENA_ROLES);
  const roles = text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(ARENA_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new Error(`ARENA_RUN=${text}: expected a comma list of ${ARENA_ROLES.join(', ')} (unknown: ${unknown.join(', ') || 'none'})`);
  }
  const set = new Set(roles as ArenaRole[]);
  if (set.size < ARENA_ROLES.length && (!env.TEMPORAL_ADDRESS?.trim() || !env.DATABASE_URL?.trim())) {
    throw new Error(
      `ARENA_RUN=${text}: a process running only part of the arena shares Temporal and Postgres with the others: ` +
        'set TEMPORAL_ADDRESS and DATABASE_URL (the dev server and the embedded database live inside one process)',
    );
  }
  return set;
}
