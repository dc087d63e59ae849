import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database } from '../../db/schema';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const SERVER_URL = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database `arena_test_<random>` on TEST_DATABASE_URL's server; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `arena_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(SERVER_URL());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // KEEP_TEST_DATABASE=1 leaves it for a look after a failed run (the name is printed).
      if (process.env.KEEP_TEST_DATABASE === '1') return void console.log(`kept test database ${name}`);
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export interface MigratedTestDatabase {
  db: Kysely<Database>;
  url: string;
  /** Closes the pool, then drops the database. */
  close(): Promise<void>;
}

/** A fresh database with every migration applied, and a Kysely pool on it. */
export async function createMigratedTestDatabase(poolSize = 4): Promise<MigratedTestDatabase> {
  const test = await createTestDatabase();
  const db = createDb(test.url, poolSize);
  await migrateToLatest(db);
  return {
    db,
    url: test.url,
    close: async () => {
      await db.destroy();
      await test.drop();
    },
  };
}
