import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '../web/browser';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const AGENTS = 'ema-trend,rsi-reversion,btc-buy-hold,random-entry';
/** One day of bars: every baseline trades in it (random-entry hundreds of times). */
const WINDOW = ['--from', '2023-08-01', '--to', '2023-08-02'];

/** `npm run backtest -- ...` as a user runs it: its own process, under tsx, from the project root. */
async function backtest(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bin', 'backtest.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe('npm run backtest', function () {
  this.timeout(300_000);
  let base: string;
  let first: { stdout: string; stderr: string };
  let second: { stdout: string; stderr: string };

  before(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'backtest-cli-'));
    const args = (out: string) => ['--agents', AGENTS, ...WINDOW, '--chance-runs', '4', '--json', '--out', path.join(base, out)];
    first = await backtest(args('a'));
    second = await backtest(args('b'));
  });

  it('prints one JSON document and nothing else on stdout, with every agent and nulls where a figure is undefined', () => {
    const doc = JSON.parse(first.stdout);
    assert.deepEqual(doc.window, { from: '2023-08-01T00:00:00.000Z', to: '2023-08-02T00:00:00.000Z' });
    assert.equal(doc.bars, 481);
    assert.equal(doc.cycles, 4 * 481);
    assert.ok(doc.cyclesPerSecond > 0);
    assert.deepEqual(doc.agents.map((a: { id: string }) => a.id).sort(), AGENTS.split(',').sort());
    for (const a of doc.agents) {
      for (const field of [
        'id',
        'returnPct',
        'pnl',
        'trades',
        'winRate',
        'profitFactor',
        'sharpe',
        'maxDrawdownPct',
        'fees',
        'funding',
        'equityEnd',
      ]) {
        assert.ok(field in a, `${a.id}: ${field} missing`);
      }
      // One day is far below the Sharpe rule (7 days): null, and the note says why.
      assert.equal(a.sharpe, null);
      assert.match(a.notes.sharpe, /at least 7 days of market time/);
      assert.ok(Math.abs(a.pnl - (a.equityEnd - 10_000)) < 1e-3);
      assert.equal(a.vsRandomEntry.runs, 4);
    }
    const returns = doc.agents.map((a: { returnPct: number }) => a.returnPct);
    assert.deepEqual(
      returns,
      [...returns].sort((x, y) => y - x),
      'ranked by return',
    );
    const random = doc.agents.find((a: { id: string }) => a.id === 'random-entry');
    assert.ok(random.trades > 50, `random-entry closed ${random.trades} trades`);
    assert.ok(random.fees > 0);
  });

  it('is deterministic: the same inputs give byte-identical trades.csv, equity.csv and JSON (timings aside)', async () => {
    for (const file of ['trades.csv', 'equity.csv']) {
      const [a, b] = await Promise.all([readFile(path.join(base, 'a', file)), readFile(path.join(base, 'b', file))]);
      assert.ok(a.length > 1000, `${file} is ${a.length} bytes`);
      assert.ok(a.equals(b), `${file} differs between two runs`);
    }
    const strip = (text: string) => ({ ...JSON.parse(text), cyclesPerSecond: 0 });
    assert.deepEqual(strip(first.stdout), strip(second.stdout));
    assert.equal(JSON.stringify(strip(first.stdout)), JSON.stringify(strip(second.stdout)));
  });

  it('writes the report, the CSV files, the summary and the resolved configs', async () => {
    const files = (await readdir(path.join(base, 'a'))).sort();
    assert.deepEqual(files, ['configs', 'equity.csv', 'report.html', 'summary.json', 'trades.csv']);
    assert.deepEqual(
      (await readdir(path.join(base, 'a', 'configs'))).sort(),
      AGENTS.split(',')
        .map((id) => `${id}.json`)
        .sort(),
    );
    const config = JSON.parse(await readFile(path.join(base, 'a', 'configs', 'ema-trend.json'), 'utf8'));
    assert.equal(config.strategy.risk.maxPositions, 3);
    const trades = (await readFile(path.join(base, 'a', 'trades.csv'), 'utf8')).trim().split('\n');
    assert.equal(
      trades[0],
      'agent,id,symbol,side,quantity,leverage,entryPrice,exitPrice,openedAt,closedAt,openCycle,fees,funding,pnl,closeReason',
    );
    const doc = JSON.parse(first.stdout);
    const closed = doc.agents.reduce((n: number, a: { trades: number }) => n + a.trades, 0);
    const open = doc.agents.reduce((n: number, a: { openTrades: number }) => n + a.openTrades, 0);
    assert.equal(trades.length - 1, closed + open);
    assert.deepEqual(JSON.parse(await readFile(path.join(base, 'a', 'summary.json'), 'utf8')).agents, doc.agents);
  });

  describe('the report in a browser with no network', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => browser?.close());

    it("draws every agent's equity and drawdown, ranks them and lists the trades, asking nothing of any server", async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1600 }, offline: true });
      const requests: string[] = [];
      const errors: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`file://${path.join(base, 'a', 'report.html')}`);
      await page.waitForFunction(
        () => document.querySelectorAll('#equity canvas').length > 0 && document.querySelectorAll('#drawdown canvas').length > 0,
      );
      assert.equal(await page.locator('#ranking tbody tr').count(), 4);
      const doc = JSON.parse(first.stdout);
      const firstRow = await page.locator('#ranking tbody tr').first().innerText();
      assert.ok(firstRow.includes(doc.agents[0].name), firstRow);
      await page.selectOption('#agent', 'random-entry');
      assert.ok((await page.locator('#trades tbody tr').count()) > 50);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'backtest-report.png'), fullPage: true });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
      await context.close();
    });
  });

  it('says which option is wrong, and how', async () => {
    await assert.rejects(backtest(['--from', '2020-01-01']), (err: { stderr: string; code: number }) => {
      assert.equal(err.code, 2);
      assert.match(
        err.stderr,
        /--from 2020-01-01T00:00:00.000Z is outside the data: the data's window is 2023-07-30T11:18:00.000Z to 2023-08-17T11:12:00.000Z/,
      );
      return true;
    });
    await assert.rejects(
      backtest(['--agents', 'nobody']),
      /--agents nobody: no such agent in .*arena.yaml \(it has ema-trend, rsi-reversion/,
    );
    await assert.rejects(backtest(['--agents', 'deepseek-chat']), /--agents deepseek-chat: cannot run: DEEPSEEK_API_KEY is not set/);
    await assert.rejects(backtest(['--chance-runs', 'many']), /--chance-runs many: expected a whole number of 0 or more/);
    await assert.rejects(backtest(['--speed', 'fast']), /Unknown option '--speed'/);
  });
});
