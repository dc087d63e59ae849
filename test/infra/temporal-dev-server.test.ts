import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { ensureSearchAttributes, startTemporalDevServer, TemporalDevServer } from '../../infra/temporal-dev-server';
import { ARENA_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort } from '../support/ports';

async function portsFor(): Promise<{ port: number; uiPort: number }> {
  return { port: await freePort(), uiPort: await freePort() };
}

const ARENA_NAMES = ARENA_SEARCH_ATTRIBUTES.map((key) => key.name).sort();

async function customSearchAttributes(connection: Connection): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  return Object.keys(customAttributes ?? {}).sort();
}

describe('Temporal dev server', function () {
  this.timeout(60_000);
  let cliPath: string;
  let dir: string;
  const running: TemporalDevServer[] = [];
  const connections: Connection[] = [];

  before(async () => {
    cliPath = await ensureTemporalCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-devserver-'));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function start(opts: Partial<Parameters<typeof startTemporalDevServer>[0]> & { dbFile: string }) {
    const server = await startTemporalDevServer({ cliPath, ...(await portsFor()), ...opts });
    running.push(server);
    const connection = await Connection.connect({ address: server.address });
    connections.push(connection);
    return { server, connection, client: new Client({ connection }) };
  }

  it('registers the arena search attributes and keeps history in the db file across a restart', async () => {
    const dbFile = path.join(dir, 'nested', 'folder', 'temporal.db');
    const ports = await portsFor();
    const first = await start({ dbFile, ...ports });
    assert.ok(fs.existsSync(dbFile));
    assert.equal(first.server.address, `127.0.0.1:${ports.port}`);
    assert.equal(first.server.uiUrl, `http://127.0.0.1:${ports.uiPort}`);
    assert.deepEqual(await customSearchAttributes(first.connection), ARENA_NAMES);

    // Nobody polls this queue, so the workflow stays RUNNING for as long as the history exists.
    const handle = await first.client.workflow.start('neverPolled', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'persisted-across-restart',
    });
    await first.server.stop();
    await first.server.stop(); // idempotent
    await assert.rejects(
      Connection.connect({ address: first.server.address, connectTimeout: 500 }).then((c) => c.workflowService.getSystemInfo({})),
    );

    // Same file, the same --search-attribute flags again (already registered): must start fine.
    const second = await start({ dbFile, ...ports });
    const description = await second.client.workflow.getHandle(handle.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.runId, handle.firstExecutionRunId);
  });

  it("starts the server with none of the arena's secrets in its environment", async () => {
    const secret = `sk-child-env-test-${Math.random().toString(36).slice(2)}`;
    const saved = { ...process.env };
    Object.assign(process.env, {
      API_TOKEN: secret,
      OPENAI_API_KEY: secret,
      BINANCE_API_SECRET_MAIN: secret,
      DATABASE_URL: `postgres://u:${secret}@h/db`,
    });
    try {
      const { server } = await start({ dbFile: path.join(dir, 'env.db') });
      const environ = fs.readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
      assert.ok(
        environ.some((v) => v.startsWith('PATH=')),
        'PATH is passed',
      );
      assert.ok(
        !environ.some((v) => v.includes(secret)),
        `a secret reached the child: ${environ
          .filter((v) => v.includes(secret))
          .map((v) => v.split('=')[0])
          .join(', ')}`,
      );
    } finally {
      process.env = saved;
    }
  });

  it('fails fast, saying so, when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assert.rejects(
        startTemporalDevServer({ cliPath, dbFile: path.join(dir, 'busy.db'), port, uiPort: await freePort() }),
        new RegExp(`frontend port ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      blocker.close();
    }
  });

  it('fails with the server stderr when it exits early', async () => {
    const notAFile = path.join(dir, 'a-folder.db');
    fs.mkdirSync(notAFile);
    await assert.rejects(
      startTemporalDevServer({ cliPath, dbFile: notAFile, ...(await portsFor()) }),
      /Temporal dev server exited early \(code 1, signal null\)\n.*unable to open database file/,
    );
  });

  it('ensureSearchAttributes registers the missing ones, idempotently', async () => {
    const { connection } = await start({ dbFile: path.join(dir, 'bare.db'), searchAttributes: [] });
    assert.deepEqual(await customSearchAttributes(connection), []);
    assert.deepEqual((await ensureSearchAttributes(connection, 'default')).sort(), ARENA_NAMES);
    assert.deepEqual(await customSearchAttributes(connection), ARENA_NAMES);
    assert.deepEqual(await ensureSearchAttributes(connection, 'default'), []);
  });
});
