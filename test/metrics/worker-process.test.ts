/**
 * A standalone worker (workers/main.ts) as production runs it: its own scrape target
 * (WORKER_METRICS_PORT) with the arena's metrics and the Temporal SDK's worker metrics in one text, and
 * its log: JSON lines (no terminal), one per cycle, the workflows' own lines for pause, resume and
 * config changes with who asked, nothing of the bundler at the arena file's level (info).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, pauseSignal, resumeSignal, updateConfigUpdate } from '../../workflows/definitions';
import { TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { freePort } from '../support/ports';
import { samples, scrape, total } from './scrape';

const ROOT = path.join(__dirname, '..', '..');

describe('a standalone worker: its /metrics and its log', function () {
  this.timeout(300_000);
  let arena: TestArena;
  let agent: AgentConfig;
  let worker: ChildProcess;
  let port: number;
  let stdout = '';
  let stderr = '';
  const lines = () => stdout.split('\n').filter(Boolean);
  const logged = () => lines().map((line) => JSON.parse(line) as Record<string, any>);

  before(async () => {
    arena = await startTestArena();
    port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: arena.env.address,
      TEMPORAL_NAMESPACE: arena.env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: arena.taskQueue,
      DATABASE_URL: arena.dbUrl,
      WORKER_METRICS_PORT: String(port),
    };
    // The level comes from the arena file (config/arena.yaml: info), the format from stdout not being a terminal.
    for (const name of ['LOG_LEVEL', 'LOG_FORMAT', 'ARENA_CONFIG', 'WORKER_METRICS_HOST']) delete env[name];
    worker = spawn(process.execPath, ['--require', 'tsx/cjs', 'workers/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.on('data', (d) => (stdout += d));
    worker.stderr!.on('data', (d) => (stderr += d));
    agent = demoAgent('btc-buy-hold', arena.tag);
    await arena.start([agent], 300);
    await eventually('4 cycles run by the worker process', async () => (await cycleCount(arena.db, agent.id)) >= 4, 180_000);
  });
  after(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await arena?.close();
  });

  it("serves the arena's metrics and the Temporal SDK's on its own port, in one text", async () => {
    const { families, contentType } = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    const counted = total(families, 'arena_cycles_total', { agent: agent.id, outcome: 'ok' });
    assert.ok(counted >= 4 && counted <= (await cycleCount(arena.db, agent.id)), `${counted} cycles counted`);
    assert.ok(total(families, 'arena_step_duration_seconds_count', { step: 'readAccount', outcome: 'ok' }) >= 4);
    const sdk = [...families.keys()].filter((name) => name.startsWith('temporal_'));
    for (const name of [
      'temporal_worker_task_slots_available',
      'temporal_workflow_task_execution_latency_seconds',
      'temporal_activity_execution_latency_seconds',
      'temporal_request_total',
      'temporal_num_pollers',
    ]) {
      assert.ok(sdk.includes(name), `${name} among ${sdk.join(', ')}`);
    }
    assert.ok(samples(families, 'temporal_num_pollers', { task_queue: arena.taskQueue }).length > 0);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  });

  it('logs one JSON line per cycle, and the bundler only at debug', async () => {
    await eventually('a line for every recorded cycle', async () => {
      const recorded = await arena.db
        .selectFrom('cycles')
        .select('cycle_no')
        .where('agent_id', '=', agent.id)
        .orderBy('cycle_no')
        .execute();
      const cycleLines = logged().filter(
        (l) => l.agent === agent.id && typeof l.cycle === 'number' && l.msg.startsWith(`cycle ${l.cycle} · bar `),
      );
      return recorded.every((r) => cycleLines.filter((l) => l.cycle === r.cycle_no).length === 1);
    });
    const line = logged().find((l) => l.agent === agent.id && l.cycle === 1)!;
    assert.equal(line.level, 30);
    assert.match(line.msg, /^cycle 1 · bar \d{4}-\d\d-\d\d \d\d:\d\dZ · .+ · equity [\d,]+\.\d\d USDT · \d+ positions? · \d+\.\d s$/);
    assert.match(line.marketTime, /^\d{4}-\d\d-\d\dT/);
    assert.ok(
      Array.isArray(line.decided) && Array.isArray(line.executed) && typeof line.equity === 'number' && typeof line.durationMs === 'number',
    );
    const ready = logged().find((l) => l.msg.startsWith('worker ready'))!;
    assert.equal(ready.metricsPort, port);
    assert.ok(
      logged().some((l) => l.component === 'temporal-worker' && l.msg === 'Worker state changed'),
      "the SDK's lines are JSON too",
    );
    assert.ok(!/webpack|asset workflow-bundle|Workflow bundle created/i.test(stdout), 'no bundler output at info');
    assert.equal(stderr.trim(), '', 'nothing beside the log');
  });

  it('logs pause, resume and config changes from the workflow, with who asked', async () => {
    const handle = arena.client.workflow.getHandle(agentWorkflowId(agent.id));
    await handle.signal(pauseSignal, { reason: 'pause via API' });
    await handle.signal(resumeSignal);
    const changed = { ...agent, strategy: { ...agent.strategy, risk: { ...agent.strategy.risk, maxLeverage: 2 } } };
    await handle.executeUpdate(updateConfigUpdate, { args: [changed], updateId: `api-config-${arena.tag}` });
    await handle.executeUpdate(updateConfigUpdate, { args: [agent], updateId: `operator-${arena.tag}` });
    const said = await eventually("the workflow's lines", async () => {
      const mine = logged()
        .filter((l) => l.agent === agent.id && l.component === 'temporal-workflow')
        .map((l) => l.msg);
      return mine.length >= 4 ? mine : null;
    });
    assert.deepEqual(said, [
      'paused: pause via API',
      'resumed by signal',
      'config changed by the API: strategy.risk',
      `config changed by update operator-${arena.tag}: strategy.risk`,
    ]);
  });

  it('drains on SIGINT and exits cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGINT');
    assert.equal(await exited, 0, stderr.slice(-2000));
    assert.ok(logged().some((l) => l.msg === 'Worker state changed' && l.state === 'STOPPED'));
  });
});
