import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { ARENA_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { childEnv } from './child-env';

const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  KEYWORD_LIST: 'KeywordList',
};

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface TemporalDevServerOptions {
  cliPath: string;
  /** SQLite file holding the history; it survives restarts. */
  dbFile: string;
  port?: number;
  uiPort?: number;
  /** Bind address of the frontend and the Web UI. */
  ip?: string;
  namespace?: string;
  /** Values are JSON-encoded, as `--dynamic-config-value KEY=JSON` expects. */
  dynamicConfig?: Record<string, string | number | boolean>;
  searchAttributes?: readonly SearchAttributeKey<SearchAttributeType>[];
  log?: (line: string) => void;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  /** The server process (for diagnostics and tests). */
  pid: number | null;
  stop(): Promise<void>;
}

export function devServerArgs(opts: TemporalDevServerOptions): string[] {
  const port = opts.port ?? 7233;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    opts.dbFile,
    '--ip',
    opts.ip ?? '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(opts.uiPort ?? port + 1000),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
  ];
  for (const key of opts.searchAttributes ?? ARENA_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`);
  }
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

function assertPortFree(port: number, host: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Temporal dev server: ${what} port ${port} on ${host} is already in use (another dev server?)`)
          : err,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Starts `temporal server start-dev` and resolves once its frontend answers. */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  const log = opts.log ?? (() => {});
  const address = `${ip}:${port}`;

  // Checked up front: with the port taken, the readiness probe could reach someone else's server.
  await assertPortFree(port, ip, 'frontend');
  await assertPortFree(uiPort, ip, 'Web UI');
  fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });

  // Its own process group: a Ctrl-C in the terminal reaches only the arena, which stops the server
  // after the worker has drained (the worker needs the server to report its last activities).
  const child = spawn(opts.cliPath, devServerArgs({ ...opts, ip, port, uiPort }), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: childEnv(), // none of the arena's keys
  });
  const stderrTail: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', log);
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 30) stderrTail.shift();
    log(line);
  });

  const state: { exit?: { code: number | null; signal: NodeJS.Signals | null }; spawnError?: Error } = {};
  // 'close' rather than 'exit': by then the last stderr lines (the reason it died) have been read.
  const exited = new Promise<void>((resolve) => {
    child.once('close', (code, signal) => {
      state.exit = { code, signal };
      resolve();
    });
  });
  child.once('error', (err) => {
    state.spawnError = err;
  });

  // A crashed or interrupted parent must not leave an orphan server holding the ports and the db file.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (state.exit || state.spawnError) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killTimer);
    })();
    return stopping;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (state.spawnError) {
      await stop();
      throw new Error(`Temporal dev server could not be started from ${opts.cliPath}: ${state.spawnError.message}`);
    }
    if (state.exit) {
      await stop();
      const { code, signal } = state.exit;
      const inUse = stderrTail.some((line) => line.includes('address already in use'));
      throw new Error(
        `Temporal dev server exited early (code ${code}, signal ${signal})` +
          (inUse ? `: a port is already in use (frontend ${port}, UI ${uiPort})` : '') +
          `\n${stderrTail.join('\n')}`,
      );
    }
    if (await frontendAnswers(address)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s\n${stderrTail.join('\n')}`);
    }
    await Promise.race([exited, sleep(250)]);
  }

  return { address, uiUrl: `http://${ip}:${uiPort}`, pid: child.pid ?? null, stop };
}

async function frontendAnswers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Registers the arena's search attributes that the namespace lacks (a cluster not started by us,
 * e.g. the self-hosted one behind TEMPORAL_ADDRESS). Returns the names it added.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = ARENA_SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = keys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
  });
  return missing.map((key) => key.name);
}
