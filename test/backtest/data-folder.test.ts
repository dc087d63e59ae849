/**
 * The backtester reads the user's own candles: a folder in data/'s documented layout, given by --data
 * or by system.replay_data_dir, plain CSV or gzipped, a symbol without a funding file paying none.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backtestCommand } from '../../backtest/command';
import { BUNDLED_DATA_DIR, REPLAY_BAR_MS, REPLAY_WARMUP_MS } from '../../market/replay';

/** 13 days of bars: the 12-day warm-up and one day to trade. */
const DAYS = 13;

async function writeData(dir: string): Promise<{ firstOpen: number; lastOpen: number }> {
  await mkdir(path.join(dir, 'candles'), { recursive: true });
  await mkdir(path.join(dir, 'funding'), { recursive: true });
  let span = { firstOpen: 0, lastOpen: 0 };
  for (const [symbol, gzip] of [
    ['BTCUSDT', false],
    ['ETHUSDT', true],
  ] as const) {
    const lines = gunzipSync(await readFile(path.join(BUNDLED_DATA_DIR, 'candles', `${symbol}-3m.csv.gz`)))
      .toString('utf8')
      .trim()
      .split('\n');
    const rows = lines.slice(1, 1 + (DAYS * 24 * 60) / 3);
    const text = `${[lines[0], ...rows].join('\n')}\n`;
    await writeFile(path.join(dir, 'candles', `${symbol}-3m.csv${gzip ? '.gz' : ''}`), gzip ? gzipSync(text) : text);
    span = { firstOpen: Number(rows[0]!.split(',')[0]), lastOpen: Number(rows.at(-1)!.split(',')[0]) };
  }
  // Funding for BTC only: ETH pays none.
  await writeFile(
    path.join(dir, 'funding', 'BTCUSDT-funding-8h.csv'),
    await readFile(path.join(BUNDLED_DATA_DIR, 'funding', 'BTCUSDT-funding-8h.csv'), 'utf8'),
  );
  return span;
}

async function writeArena(dir: string, dataDir?: string): Promise<string> {
  await writeFile(
    path.join(dir, 'arena.yaml'),
    `system:
  market_data: replay
${dataDir ? `  replay_data_dir: ${dataDir}\n` : ''}agents:
  - id: two-coins
    name: Two coins
    enabled: true
    config_file: two-coins.yaml
`,
  );
  await writeFile(
    path.join(dir, 'two-coins.yaml'),
    `agent:
  id: two-coins
llm:
  provider: rule_based
  model: random_entry
exchange:
  type: paper
strategy:
  initial_balance: 5000
  default_coins: [BTCUSDT, ETHUSDT]
`,
  );
  return path.join(dir, 'arena.yaml');
}

async function backtest(args: string[], cwd: string): Promise<any> {
  let stdout = '';
  const sink = new Writable({
    write: (chunk, _e, done) => {
      stdout += String(chunk);
      done();
    },
  });
  const stderr = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await backtestCommand([...args, '--json'], { stdout: sink, stderr, env: {}, cwd });
  assert.equal(code, 0);
  return JSON.parse(stdout);
}

describe('backtesting a data folder other than data/', function () {
  this.timeout(120_000);
  let dir: string;
  let span: { firstOpen: number; lastOpen: number };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'backtest-data-'));
    span = await writeData(path.join(dir, 'my-candles'));
  });

  it('runs over the window of the folder given by --data, after its warm-up, trading only its symbols', async () => {
    const config = await writeArena(dir);
    const doc = await backtest(['--config', config, '--data', 'my-candles', '--chance-runs', '2', '--out', 'out-a'], dir);
    const first = Math.ceil((span.firstOpen + REPLAY_WARMUP_MS) / REPLAY_BAR_MS) * REPLAY_BAR_MS + REPLAY_BAR_MS;
    const last = span.lastOpen + REPLAY_BAR_MS;
    assert.deepEqual(doc.window, { from: new Date(first).toISOString(), to: new Date(last).toISOString() });
    assert.equal(doc.bars, (last - first) / REPLAY_BAR_MS + 1);
    const trades = (await readFile(path.join(dir, 'out-a', 'trades.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.ok(trades.length > 5, `${trades.length} trades`);
    assert.deepEqual([...new Set(trades.map((t) => t.split(',')[2]))].sort(), ['BTCUSDT', 'ETHUSDT']);
    assert.equal(doc.agents[0].pnl, Math.round((doc.agents[0].equityEnd - 5000) * 10_000) / 10_000);
  });

  it('reads system.replay_data_dir of the arena file the same way', async () => {
    const sub = path.join(dir, 'from-config');
    await mkdir(sub);
    const viaFlag = await backtest(
      ['--config', await writeArena(dir), '--data', 'my-candles', '--chance-runs', '0', '--out', 'out-b'],
      dir,
    );
    const viaConfig = await backtest(
      ['--config', await writeArena(sub, path.join(dir, 'my-candles')), '--chance-runs', '0', '--out', 'out-c'],
      dir,
    );
    assert.deepEqual({ ...viaConfig, cyclesPerSecond: 0 }, { ...viaFlag, cyclesPerSecond: 0 });
  });

  it('refuses data that does not hold what the agents trade, or is not in the documented format, saying where', async () => {
    const config = await writeArena(dir);
    await assert.rejects(
      backtest(['--config', config, '--chance-runs', '0', '--data', 'nowhere'], dir),
      /replay data: no folder .*nowhere\/candles/,
    );
    const bad = path.join(dir, 'bad-header');
    await mkdir(path.join(bad, 'candles'), { recursive: true });
    await writeFile(path.join(bad, 'candles', 'BTCUSDT-3m.csv'), 'time,o,h,l,c,v\n1,2,3,4,5,6\n');
    await writeFile(path.join(bad, 'candles', 'ETHUSDT-3m.csv'), 'time,o,h,l,c,v\n1,2,3,4,5,6\n');
    await assert.rejects(
      backtest(['--config', config, '--chance-runs', '0', '--data', bad], dir),
      /BTCUSDT-3m\.csv: expected header "open_time_ms,open,high,low,close,volume", got "time,o,h,l,c,v"/,
    );
    const one = path.join(dir, 'one-symbol');
    await mkdir(path.join(one, 'candles'), { recursive: true });
    await writeFile(path.join(one, 'candles', 'BTCUSDT-3m.csv'), await readFile(path.join(dir, 'my-candles', 'candles', 'BTCUSDT-3m.csv')));
    await assert.rejects(
      backtest(['--config', config, '--chance-runs', '0', '--data', one], dir),
      /agent two-coins trades ETHUSDT, not in .*one-symbol \(it has BTCUSDT\)/,
    );
  });
});
