import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Generated, Kysely, PostgresDialect } from 'kysely';
import { Client, Pool } from 'pg';
import { DatabaseServer, maskDatabaseUrl, openDatabase } from '../../infra/database';
import { freePort } from '../support/ports';

const LOCAL_POSTGRES = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('maskDatabaseUrl', () => {
  it('hides the password and nothing else', () => {
    assert.equal(
      maskDatabaseUrl('postgres://arena:s3cr%40t@db.internal:5433/arena?sslmode=require'),
      'postgres://arena:***@db.internal:5433/arena?sslmode=require',
    );
    assert.equal(maskDatabaseUrl('postgres://postgres@127.0.0.1:5432/postgres'), 'postgres://postgres@127.0.0.1:5432/postgres');
    assert.equal(maskDatabaseUrl('not a url://u:pw@h'), 'not a url://u:***@h');
  });
});

describe('openDatabase with DATABASE_URL', function () {
  this.timeout(20_000);
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-db-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('uses a Postgres that answers', async () => {
    const db = await openDatabase({ env: { DATABASE_URL: LOCAL_POSTGRES }, dataDir });
    assert.equal(db.kind, 'postgres');
    assert.equal(db.url, LOCAL_POSTGRES);
    assert.ok(db.maxConnections > 1);
    await db.close();
    assert.ok(!fs.existsSync(path.join(dataDir, 'pglite')));
  });

  it('fails naming the URL, password masked, and never falls back to the embedded database', async () => {
    const url = `postgres://arena:hunter2@127.0.0.1:${await freePort()}/arena`;
    const started = Date.now();
    await assert.rejects(openDatabase({ env: { DATABASE_URL: url }, dataDir, connectTimeoutMs: 1_500 }), (err: Error) => {
      assert.match(err.message, /DATABASE_URL postgres:\/\/arena:\*\*\*@127\.0\.0\.1:\d+\/arena does not answer/);
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
    assert.ok(!fs.existsSync(path.join(dataDir, 'pglite')));
  });

  it('does not retry a database that does not exist', async () => {
    const url = new URL(LOCAL_POSTGRES);
    url.pathname = '/arena_no_such_database';
    url.password = 'hunter2';
    const started = Date.now();
    await assert.rejects(openDatabase({ env: { DATABASE_URL: url.toString() }, dataDir }), (err: Error) => {
      assert.match(
        err.message,
        /:\*\*\*@.*arena_no_such_database does not answer \(1 attempt\): database "arena_no_such_database" does not exist/,
      );
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
    assert.ok(Date.now() - started < 3_000);
  });
});

interface Tables {
  fills: {
    id: Generated<number>;
    client_order_id: string;
    price: string;
    detail: unknown;
    filled_at: Date;
  };
  counters: { name: string; value: number };
}

describe('embedded PGlite database', function () {
  this.timeout(30_000);
  let dataDir: string;
  let database: DatabaseServer | undefined;

  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-pglite-'))));
  afterEach(async () => {
    await database?.close();
    database = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function open(): Promise<DatabaseServer> {
    database = await openDatabase({ env: {}, dataDir });
    return database;
  }

  it('serves pg and kysely over the wire protocol, and keeps the data across a reopen', async () => {
    const db = await open();
    assert.equal(db.kind, 'pglite');
    assert.equal(db.maxConnections, 1);
    assert.match(db.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);

    const kysely = new Kysely<Tables>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: db.url, max: db.maxConnections }) }),
    });
    await kysely.schema
      .createTable('fills')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('client_order_id', 'text', (c) => c.notNull().unique())
      .addColumn('price', 'numeric(38, 18)', (c) => c.notNull())
      .addColumn('detail', 'jsonb', (c) => c.notNull())
      .addColumn('filled_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await kysely.schema
      .createTable('counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer')
      .execute();

    const filledAt = new Date('2026-03-01T12:34:56.789Z');
    const fill = {
      client_order_id: 'arena-a1-c7-open',
      price: '64123.123456789012345678',
      detail: { side: 'long', legs: [1, 2] },
      filled_at: filledAt,
    };
    const inserted = await kysely
      .insertInto('fills')
      .values({ ...fill, detail: JSON.stringify(fill.detail) })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    assert.equal(inserted.length, 1);
    const again = await kysely
      .insertInto('fills')
      .values({ ...fill, detail: JSON.stringify(fill.detail) })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    assert.deepEqual(again, []);

    const row = await kysely.selectFrom('fills').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.price, '64123.123456789012345678');
    assert.deepEqual(row.detail, { side: 'long', legs: [1, 2] });
    assert.ok(row.filled_at instanceof Date);
    assert.equal(row.filled_at.toISOString(), filledAt.toISOString());

    await kysely.transaction().execute(async (trx) => {
      await trx.insertInto('counters').values({ name: 'committed', value: 1 }).execute();
    });
    await assert.rejects(
      kysely.transaction().execute(async (trx) => {
        await trx.insertInto('counters').values({ name: 'rolled-back', value: 1 }).execute();
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual(
      (await kysely.selectFrom('counters').select('name').execute()).map((r) => r.name),
      ['committed'],
    );
    await kysely.destroy();

    // A client left in the middle of a transaction must not keep it alive, nor block close().
    const straggler = new Client({ connectionString: db.url });
    straggler.on('error', () => {});
    await straggler.connect();
    await straggler.query('BEGIN');
    await straggler.query("INSERT INTO counters VALUES ('uncommitted', 1)");
    await db.close();
    await straggler.end().catch(() => {});

    const reopened = await open();
    const client = new Client({ connectionString: reopened.url });
    await client.connect();
    const { rows } = await client.query('SELECT (SELECT count(*)::int FROM fills) AS fills, array_agg(name) AS counters FROM counters');
    assert.deepEqual(rows[0], { fills: 1, counters: ['committed'] });
    await client.end();
  });

  it('refuses a second open of the same folder while the first is open', async () => {
    await open();
    await assert.rejects(openDatabase({ env: {}, dataDir }), /embedded database in .* is already open \(process \d+\)/);
  });

  it('serializes connections: a second one waits for the row lock holder, then sees its commit', async () => {
    const db = await open();
    const a = new Client({ connectionString: db.url });
    await a.connect();
    await a.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int)');
    await a.query('INSERT INTO accounts VALUES (1, 100)');
    await a.query('BEGIN');
    await a.query('SELECT balance FROM accounts WHERE id = 1 FOR UPDATE');

    const b = new Client({ connectionString: db.url });
    const bResult = b.connect().then(() => b.query('UPDATE accounts SET balance = balance + 10 WHERE id = 1 RETURNING balance'));
    let bDone = false;
    void bResult.then(
      () => (bDone = true),
      () => (bDone = true),
    );
    await sleep(300);
    assert.equal(bDone, false, 'the second connection must wait while the first holds its transaction');

    await a.query('UPDATE accounts SET balance = balance - 30 WHERE id = 1');
    await a.query('COMMIT');
    await a.end();
    assert.equal((await bResult).rows[0].balance, 80);
    await b.end();

    // The same through a pool of db.maxConnections: read-modify-write under FOR UPDATE never loses an update.
    const pool = new Pool({ connectionString: db.url, max: db.maxConnections });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const conn = await pool.connect();
        try {
          await conn.query('BEGIN');
          const { rows } = await conn.query('SELECT balance FROM accounts WHERE id = 1 FOR UPDATE');
          await sleep(1);
          await conn.query('UPDATE accounts SET balance = $1 WHERE id = 1', [rows[0].balance + 1]);
          await conn.query('COMMIT');
        } finally {
          conn.release();
        }
      }),
    );
    assert.equal((await pool.query('SELECT balance FROM accounts WHERE id = 1')).rows[0].balance, 100);
    await pool.end();
  });

  it('accepts a reconnect right after a disconnect, each connection starting a clean session', async () => {
    const db = await open();
    const pool = new Pool({ connectionString: db.url, max: 1 });
    for (let i = 0; i < 30; i++) {
      const conn = await pool.connect();
      // Named statements, SET and temp tables live in PGlite's one session; they must not leak.
      const { rows } = await conn.query({
        name: 'same-name',
        text: "SELECT $1::int AS i, current_setting('TimeZone') AS tz, to_regclass('pg_temp.scratch') AS temp",
        values: [i],
      });
      assert.deepEqual(rows[0], { i, tz: 'UTC', temp: null });
      await conn.query("SET TIME ZONE 'Asia/Tokyo'");
      await conn.query('CREATE TEMP TABLE scratch (x int)');
      conn.release(true);
    }
    await pool.end();
  });

  // Evidence for maxConnections = 1: if this starts failing, pglite-socket's multiplexer may be safe now.
  it("pglite-socket's own multiplexing (maxConnections > 1) mixes up concurrent parameterized queries", async () => {
    const pglite = await PGlite.create('memory://');
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 6 });
    await server.start();
    const port = Number(server.getServerConn().split(':').pop());
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        client.on('error', () => {});
        await client.connect();
        return client;
      }),
    );
    await clients[0].query('CREATE TABLE accounts (id int PRIMARY KEY, balance int)');
    await clients[0].query('INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 10) g');
    // A mix of short transactions and parameterized reads, as agents and the API would issue.
    let anomalies = 0;
    await Promise.all(
      clients.map(async (client, tag) => {
        for (let i = 0; i < 100 && anomalies === 0; i++) {
          try {
            if (i % 3 === 0) {
              await client.query('BEGIN');
              await client.query('SELECT balance FROM accounts WHERE id = $1 FOR UPDATE', [1 + (i % 10)]);
              await client.query('COMMIT');
            } else {
              const { rows } = await client.query('SELECT $1::int AS v', [tag * 1000 + i]);
              if (rows[0]?.v !== tag * 1000 + i) anomalies++;
            }
          } catch {
            anomalies++;
          }
        }
      }),
    );
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server.stop();
    await pglite.close();
    assert.ok(anomalies > 0, 'expected wrong rows or protocol errors from the multiplexer');
  });
});
