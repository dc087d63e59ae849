import assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { eventually } from '../support/arena';
import { freePort } from '../support/ports';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * What a newcomer does: the start command with no key, no DATABASE_URL and no TEMPORAL_ADDRESS (so an
 * embedded database and the project's own dev server), cycles advancing in the API, a pause sent with
 * the `temporal` CLI, Ctrl-C, and a second start on the same data that carries on where it stopped.
 */
describe('the start command, zero config', function () {
  this.timeout(300_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-start-'));
  let arena: ChildProcess | undefined;
  let ports: { temporal: number; ui: number; api: number };
  let output = '';

  const start = () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ARENA_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      ARENA_API_PORT: String(ports.api),
      ARENA_REPLAY_CYCLE_SECONDS: '1',
    };
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ARENA_CONFIG', 'DEEPSEEK_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_API_KEY'])
      delete env[name];
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'bin/arena.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return child;
  };
  const interrupt = async (child: ChildProcess): Promise<number | null> => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  };
  const agents = async (): Promise<Array<{ id: string; status: string; cycle_count: number }>> => {
    const res = await fetch(`http://127.0.0.1:${ports.api}/api/agents`).catch(() => null);
    return res?.ok ? ((await res.json()) as { data: any }).data : [];
  };
  const temporal = async (...args: string[]) =>
    (await run(await ensureTemporalCli(), [...args, '--address', `127.0.0.1:${ports.temporal}`])).stdout;

  before(async () => {
    ports = { temporal: await freePort(), ui: await freePort(), api: await freePort() };
  });
  after(async () => {
    if (arena && arena.exitCode === null && arena.signalCode === null) arena.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up the demo arena; the CLI pauses an agent; Ctrl-C shuts down cleanly; a restart carries on', async () => {
    arena = start();
    const running = await eventually(
      'four agents cycling',
      async () => {
        const list = await agents();
        return list.length === 4 && list.every((a) => a.cycle_count >= 2) ? list : null;
      },
      120_000,
    );
    assert.deepEqual(running.map((a) => a.id).sort(), ['btc-buy-hold', 'ema-trend', 'random-entry', 'rsi-reversion']);
    assert.match(output, /agent deepseek-chat: skipped: DEEPSEEK_API_KEY is not set/);

    const cycles = await temporal('workflow', 'list', '--query', "WorkflowType = 'agentCycle'", '--limit', '5');
    assert.match(cycles, /agent-ema-trend-cycle-\d+|agent-rsi-reversion-cycle-\d+|agent-btc-buy-hold-cycle-\d+/);
    await temporal('workflow', 'signal', '--workflow-id', 'agent-ema-trend', '--name', 'pause');
    await eventually('ema-trend paused', async () => (await agents()).find((a) => a.id === 'ema-trend')?.status === 'paused');

    assert.equal(await interrupt(arena), 0, output.slice(-2000));
    assert.match(output, /SIGINT: shutting down/);
    const before = await fetch(`http://127.0.0.1:${ports.api}/api/agents`).then(
      () => 'still up',
      () => 'down',
    );
    assert.equal(before, 'down');

    const counts = new Map<string, number>();
    arena = start();
    const resumed = await eventually(
      'the agents after a restart',
      async () => {
        const list = await agents();
        if (list.length === 4 && counts.size === 0) for (const a of list) counts.set(a.id, a.cycle_count);
        return list.length === 4 && list.filter((a) => a.id !== 'ema-trend').every((a) => a.cycle_count >= counts.get(a.id)! + 2)
          ? list
          : null;
      },
      120_000,
    );
    assert.equal(resumed.find((a) => a.id === 'ema-trend')!.status, 'paused', 'a paused agent stays paused across restarts');
    assert.equal(await interrupt(arena), 0, output.slice(-2000));
  });
});
