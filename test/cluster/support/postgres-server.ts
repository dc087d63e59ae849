import { Client } from 'pg';

/** The Postgres server the tests use: TEST_DATABASE_URL, else 127.0.0.1:5432 as postgres (trust auth). */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** URL of `database` on this server. */
  url(database: string): string;
}

export function testPostgresServer(env: NodeJS.ProcessEnv = process.env): PostgresServer {
  const base = new URL(env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  return {
    host: base.hostname,
    port: Number(base.port || 5432),
    user: decodeURIComponent(base.username),
    password: decodeURIComponent(base.password),
    url: (database) => {
      const url = new URL(base);
      url.pathname = `/${database}`;
      return url.toString();
    },
  };
}

/** Runs `fn` on a connection to the server's maintenance database. */
export async function withAdminClient<T>(server: PostgresServer, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: server.url('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops the databases, closing whatever connections are still open on them. */
export async function dropDatabases(server: PostgresServer, names: readonly string[]): Promise<void> {
  await withAdminClient(server, async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/** Ends every session on `database` but ours, as a database restart or a failover would. Returns how many. */
export async function terminateConnections(server: PostgresServer, database: string): Promise<number> {
  return withAdminClient(server, async (client) => {
    const result = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return result.rowCount ?? 0;
  });
}

/** Open sessions per database, for the connection budget. */
export async function connectionsByDatabase(server: PostgresServer): Promise<Map<string, number>> {
  return withAdminClient(server, async (client) => {
    const result = await client.query<{ datname: string; n: string }>(
      'SELECT datname, count(*) AS n FROM pg_stat_activity WHERE datname IS NOT NULL GROUP BY datname',
    );
    return new Map(result.rows.map((row) => [row.datname, Number(row.n)]));
  });
}
