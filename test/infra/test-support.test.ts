import assert from 'node:assert/strict';
import { Client } from 'pg';
import { createTestDatabase } from '../support/database';
import { getTestTemporal } from '../support/temporal';
import { ARENA_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

describe('test support', function () {
  this.timeout(60_000);

  it('getTestTemporal shares one dev server with the arena search attributes registered', async () => {
    const env = await getTestTemporal();
    assert.equal(await getTestTemporal(), env);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    for (const key of ARENA_SEARCH_ATTRIBUTES) assert.ok(customAttributes?.[key.name] !== undefined, key.name);
  });

  it('createTestDatabase makes a fresh database and drops it, even with a client still connected', async () => {
    const db = await createTestDatabase();
    const name = new URL(db.url).pathname.slice(1);
    assert.match(name, /^arena_test_[0-9a-f]{12}$/);
    const client = new Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    assert.deepEqual((await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows, [{ n: 0 }]);
    await db.drop();
    await client.end().catch(() => {});
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    assert.equal((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount, 0);
    await admin.end();
  });
});
