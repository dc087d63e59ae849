import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client } from 'pg';

export interface DatabaseServer {
  url: string;
  kind: 'postgres' | 'pglite';
  /** Pool size the callers must not exceed (`new pg.Pool({ max: maxConnections })`). */
  maxConnections: number;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the embedded database lives when DATABASE_URL is not set (`<dataDir>/pglite`). */
  dataDir: string;
  log?: (msg: string) => void;
  /** How long to keep trying a DATABASE_URL that does not answer. */
  connectTimeoutMs?: number;
}

const POSTGRES_POOL_SIZE = 10;

/**
 * pglite-socket can multiplex connections onto PGlite's single session, but it interleaves the
 * extended-protocol messages (Parse/Bind/Execute) of concurrent connections: parameterized queries
 * then fail with `portal "" does not exist` or get no rows. So one connection at a time.
 */
const PGLITE_MAX_CONNECTIONS = 1;

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/**
 * DATABASE_URL when set (and it must answer: never a silent fallback to a local file),
 * otherwise an embedded PGlite database under dataDir, served over the Postgres wire protocol.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseServer> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const url = env.DATABASE_URL?.trim();
  if (url) {
    await waitUntilAnswers(url, opts.connectTimeoutMs ?? 10_000);
    log(`database: Postgres at ${maskDatabaseUrl(url)}`);
    return { url, kind: 'postgres', maxConnections: POSTGRES_POOL_SIZE, close: async () => {} };
  }
  return openEmbeddedDatabase(path.join(opts.dataDir, 'pglite'), log);
}

async function waitUntilAnswers(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: Math.min(3_000, timeoutMs) });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      // Bad credentials (28xxx) or a missing database (3D000) will not fix themselves: no retries.
      const code = String((err as { code?: unknown }).code ?? '');
      if (code.startsWith('28') || code === '3D000' || Date.now() + 1_000 > deadline) {
        const password = safePassword(url);
        const reason = password ? (err as Error).message.split(password).join('***') : (err as Error).message;
        throw new Error(
          `DATABASE_URL ${maskDatabaseUrl(url)} does not answer (${attempt} attempt${attempt > 1 ? 's' : ''}): ${reason}. ` +
            'Fix or start that database, or unset DATABASE_URL to use the embedded one.',
        );
      }
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(1_000);
  }
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

async function openEmbeddedDatabase(dir: string, log: (msg: string) => void): Promise<DatabaseServer> {
  fs.mkdirSync(dir, { recursive: true });
  const releaseLock = lockDataDir(dir);
  let db: PGlite | undefined;
  let wire: PGLiteSocketServer | undefined;
  let front: OneSessionAtATime | undefined;
  try {
    db = await PGlite.create(dir);
    wire = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
    await wire.start();
    front = await serveOneSessionAtATime(db, wire, log);
  } catch (err) {
    await front?.close();
    await wire?.stop().catch(() => {});
    await db?.close().catch(() => {});
    releaseLock();
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${front.port}/postgres`;
  log(`database: embedded PGlite in ${dir}, served on 127.0.0.1:${front.port}`);

  let closing: Promise<void> | null = null;
  const [openDb, openWire, openFront] = [db, wire, front];
  return {
    url,
    kind: 'pglite',
    maxConnections: PGLITE_MAX_CONNECTIONS,
    close: () => {
      closing ??= (async () => {
        await openFront.close();
        await openWire.stop();
        // stop() detaches clients without awaiting; a detach may still be rolling back an open transaction.
        await sleep(20);
        await openDb.close();
        releaseLock();
      })();
      return closing;
    },
  };
}

interface OneSessionAtATime {
  port: number;
  close(): Promise<void>;
}

/**
 * The socket server drops a connection made while its one slot is taken, and frees the slot a
 * little after the previous client has gone: a pool that destroys a client and reconnects at once
 * fails about every other time. This front queues connections instead and hands them to the
 * socket server one at a time, each starting from a clean session (PGlite has only one).
 */
async function serveOneSessionAtATime(db: PGlite, wire: PGLiteSocketServer, log: (msg: string) => void): Promise<OneSessionAtATime> {
  const wirePort = Number(wire.getServerConn().split(':').pop());
  const waiting: net.Socket[] = [];
  const open = new Set<net.Socket>();
  let busy = false;
  let closed = false;

  const resetSession = async () => {
    while (wire.getStats().activeConnections > 0 && !closed) await sleep(2);
    if (closed) return;
    try {
      if (db.isInTransaction()) await db.exec('ROLLBACK');
      // Temp tables, SET values, prepared statements, advisory locks of the previous client.
      await db.exec('DISCARD ALL');
    } catch (err) {
      log(`database: resetting the embedded session failed: ${(err as Error).message}`);
    }
  };

  const serveNext = async () => {
    if (busy || closed) return;
    const client = waiting.shift();
    if (!client) return;
    busy = true;
    await resetSession();
    if (client.destroyed || closed) {
      client.destroy();
      busy = false;
      return void serveNext();
    }
    const upstream = net.connect(wirePort, '127.0.0.1');
    open.add(upstream);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      busy = false;
      void serveNext();
    };
    client.on('close', finish);
    upstream.on('error', () => {}).on('close', finish);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => {});
    open.add(client);
    waiting.push(client);
    void serveNext();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      closed = true;
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** PGlite has no lock of its own: a second process on the same folder would silently fork the data. */
function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'arena.lock');
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
    if (holder && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is already open (process ${holder}). ` +
          'Run the arena pieces in one process, or set DATABASE_URL to a Postgres server they can share.',
      );
    }
    fs.rmSync(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
