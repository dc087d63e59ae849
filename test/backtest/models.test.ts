import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { backtestCommand } from '../../backtest/command';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/database';
import { type MockLlmServer, startOpenAiServer } from '../support/llm-servers';

const KEY_VARIABLE = 'DEEPSEEK_API_KEY_BACKTEST_TEST';
const key = `sk-test-${Math.random().toString(36).slice(2)}`;
/** One hour of bars: 21 cycles, so 21 model calls when nothing is stored. */
const WINDOW = ['--from', '2023-08-01T00:00Z', '--to', '2023-08-01T01:00Z'];

async function writeArena(dir: string, baseUrl: string): Promise<string> {
  await writeFile(
    path.join(dir, 'arena.yaml'),
    `system:
  market_data: replay
agents:
  - id: llm-trader
    name: LLM Trader
    enabled: true
    config_file: llm-trader.yaml
`,
  );
  await writeFile(
    path.join(dir, 'llm-trader.yaml'),
    `agent:
  id: llm-trader
llm:
  provider: deepseek
  model: deepseek-chat
  api_key: \${${KEY_VARIABLE}}
  base_url: ${baseUrl}
  temperature: 0.15
  max_tokens: 4000
  price_input_per_million: 0.27
  price_output_per_million: 1.1
exchange:
  type: paper
strategy:
  initial_balance: 10000
`,
  );
  return path.join(dir, 'arena.yaml');
}

/** backtestCommand in this process, its stdout captured. */
async function backtest(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; doc: any }> {
  let stdout = '';
  const sink = new Writable({
    write: (chunk, _enc, done) => {
      stdout += String(chunk);
      done();
    },
  });
  const code = await backtestCommand([...args, '--json', '--chance-runs', '0'], {
    stdout: sink,
    stderr: Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false }) as unknown as NodeJS.WriteStream,
    env,
    cwd,
  });
  return { code, doc: JSON.parse(stdout) };
}

describe('backtesting an LLM agent against a local OpenAI-protocol server', function () {
  this.timeout(180_000);
  let server: MockLlmServer;
  let dir: string;
  let config: string;
  const usage = { input: 1200, output: 80 };
  const callCost = (1200 * 0.27 + 80 * 1.1) / 1e6;

  before(async () => {
    server = await startOpenAiServer({
      apiKey: key,
      models: ['deepseek-chat'],
      script: (request) => {
        const flat = !/BTCUSDT\|long/.test(JSON.stringify(request.body.messages));
        return {
          json: flat
            ? {
                reasoning: 'trend up',
                decisions: [{ action: 'open_long', symbol: 'BTCUSDT', size_usd: 1500, leverage: 3, confidence: 0.6, reason: 'trend' }],
              }
            : { reasoning: 'hold', decisions: [{ action: 'hold', symbol: 'BTCUSDT', reason: 'let it run' }] },
          usage,
        };
      },
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'backtest-models-'));
    config = await writeArena(dir, server.url);
  });
  after(async () => server?.close());

  describe('with replies kept in a folder (no DATABASE_URL)', () => {
    const env = () => ({ PATH: process.env.PATH, [KEY_VARIABLE]: key });
    let first: { code: number; doc: any };

    it("asks the model once per cycle on the first run, with the agent's key, and trades on its replies", async () => {
      const before = server.requests.length;
      first = await backtest(
        ['--config', config, ...WINDOW, '--out', path.join(dir, 'run-1'), '--replies', path.join(dir, 'replies')],
        env(),
        dir,
      );
      assert.equal(first.code, 0);
      assert.equal(server.requests.length - before, 21);
      assert.ok(
        server.requests.slice(before).every((r) => r.authorized && r.body.model === 'deepseek-chat' && r.body.temperature === 0.15),
      );
      assert.deepEqual(first.doc.models, { calls: 21, costUsd: Math.round(21 * callCost * 10_000) / 10_000, storedReplies: 0 });
      const agent = first.doc.agents[0];
      assert.equal(agent.trades + agent.openTrades, 1);
      assert.ok(Math.abs(agent.modelCostUsd - Math.round(21 * callCost * 10_000) / 10_000) < 1e-4);
    });

    it('makes zero model calls on a second run, and gets the same result', async () => {
      const before = server.requests.length;
      const second = await backtest(
        ['--config', config, ...WINDOW, '--out', path.join(dir, 'run-2'), '--replies', path.join(dir, 'replies')],
        env(),
        dir,
      );
      assert.equal(server.requests.length, before, 'the second run called the model');
      assert.deepEqual(second.doc.models, { calls: 0, costUsd: 0, storedReplies: 21 });
      assert.deepEqual({ ...second.doc, cyclesPerSecond: 0, models: null }, { ...first.doc, cyclesPerSecond: 0, models: null });
      const trades = await Promise.all(['run-1', 'run-2'].map((run) => readFile(path.join(dir, run, 'trades.csv'), 'utf8')));
      assert.equal(trades[0], trades[1]);
    });

    it('stops before --max-cost-usd could be exceeded, says so, and keeps what it ran', async () => {
      const before = server.requests.length;
      // Nothing stored under a fresh folder: every call is new. The worst case of one call (prompt at half a
      // token per character, reply at max_tokens 4000) is about $0.005, so $0.012 allows a couple of calls.
      const budget = 0.012;
      const run = await backtest(
        [
          '--config',
          config,
          ...WINDOW,
          '--out',
          path.join(dir, 'run-3'),
          '--replies',
          path.join(dir, 'replies-3'),
          '--max-cost-usd',
          String(budget),
        ],
        env(),
        dir,
      );
      assert.equal(run.code, 3);
      assert.match(
        run.doc.stopped,
        /--max-cost-usd 0.012: the next call to deepseek\/deepseek-chat could cost up to \$0\.0\d+ and \$0\.\d+ is spent \(\d+ calls\); stopped before it/,
      );
      const calls = server.requests.length - before;
      assert.ok(calls >= 1 && calls < 21, `${calls} calls`);
      assert.equal(run.doc.models.calls, calls);
      assert.ok(calls * callCost <= budget);
      assert.equal(run.doc.bars, calls, 'the window ends at the last bar every agent ran');
    });
  });

  describe('with replies kept in Postgres (DATABASE_URL)', () => {
    let database: MigratedTestDatabase;
    before(async () => {
      database = await createMigratedTestDatabase(2);
    });
    after(async () => database?.close());

    it('stores each reply under its hash once, and a re-run reads them all back without a call', async () => {
      const env = { PATH: process.env.PATH, [KEY_VARIABLE]: key, DATABASE_URL: database.url };
      const before = server.requests.length;
      const first = await backtest(['--config', config, ...WINDOW, '--out', path.join(dir, 'pg-1')], env, dir);
      assert.equal(server.requests.length - before, 21);
      const rows = await database.db.selectFrom('model_replies').selectAll().execute();
      assert.equal(rows.length, 21);
      assert.ok(rows.every((r) => r.provider === 'deepseek' && r.model === 'deepseek-chat' && /^[0-9a-f]{64}$/.test(r.key)));
      assert.ok(!JSON.stringify(rows).includes(key), 'the key is stored');
      const second = await backtest(['--config', config, ...WINDOW, '--out', path.join(dir, 'pg-2')], env, dir);
      assert.equal(server.requests.length - before, 21, 'the second run called the model');
      assert.deepEqual(second.doc.models, { calls: 0, costUsd: 0, storedReplies: 21 });
      assert.deepEqual(second.doc.agents, first.doc.agents);
    });
  });
});
