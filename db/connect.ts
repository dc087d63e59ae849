import { Kysely, PostgresDialect } from 'kysely';
import type * as MigrationModule from 'kysely/dist/migration';
import { Pool, types } from 'pg';
import { migrations } from '../migrations';
import type { Database } from './schema';

// Kysely's migrator is the subpath module `kysely/migration`, declared only in the package's `exports`
// map, which TypeScript's `moduleResolution: node` does not read: the types come from the files
// behind it, the value from a require that Node resolves through `exports` as usual.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Migrator }: typeof MigrationModule = require('kysely/migration');

// jsonb arrives parsed; numeric and int8 stay strings (no silent float rounding of money).
types.setTypeParser(types.builtins.NUMERIC, (v) => v);

export function createDb(url: string, maxConnections = 10): Kysely<Database> {
  const pool = new Pool({ connectionString: url, max: maxConnections });
  // An idle connection that the server drops (restart, failover, admin) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (err) => console.error(`database: idle connection lost: ${err.message}`));
  // A connection checked out of the pool is not the pool's to watch: one the server drops while in use
  // (or idle in a transaction) would otherwise crash the process; the pool discards it on release.
  pool.on('connect', (client) => client.on('error', (err) => console.error(`database: connection lost: ${err.message}`)));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
