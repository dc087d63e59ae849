/**
 * `npm run backtest`: the arena's agents over the replay data, in one process, with the live cycle's
 * core. Prints a progress bar and the ranking (or, with --json, one JSON document and nothing else on
 * stdout) and writes the run's folder: report.html, trades.csv, equity.csv, summary.json, configs/.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';
import type { AgentConfig, ArenaConfig } from '../arena-config/types';
import { createDb, migrateToLatest } from '../db/connect';
import { postgresReplyStore } from '../db/model-replies';
import { BUNDLED_DATA_DIR, ReplayMarketData } from '../market/replay';
import { FileReplyStore } from '../model-replies/file-store';
import type { ModelReplyStore } from '../model-replies/key';
import { DEFAULT_CHANCE_RUNS, chanceKey, placeAmong, randomEntryReturns } from './chance';
import { runBacktest } from './engine';
import { BacktestModels } from './models';
import { writeOutputs, type BacktestDocument } from './output';
import { agentResult, equityCurve, equityRows, ranked, tradeRows, type AgentResult } from './results';
import { progressBar, rankingTable } from './terminal';
import { barsBetween, parseMarketTime } from './window';

export const USAGE = `Usage: npm run backtest -- [options]

  --agents ID,ID      agents of the arena file to run (default: every agent the arena would run)
  --config FILE       arena file (default: config/arena.yaml, or ARENA_CONFIG)
  --data DIR          replay data folder (default: system.replay_data_dir, or the bundled data/)
  --from DATE         first bar (2026-11-03 or 2026-11-03T12:00Z; default: the first after the indicator warm-up)
  --to DATE           last bar (default: the last of the data)
  --out DIR           where the report and files go (default: backtests/<time of the run>)
  --json              print one JSON document on stdout, nothing else
  --max-cost-usd N    stop before model calls could cost more than N USD (stored replies are free)
  --chance-runs N     seeded random-entry runs each agent is placed among (default ${DEFAULT_CHANCE_RUNS}; 0: none)
  --replies DIR       where model replies are kept without DATABASE_URL (default: backtests/model-replies)
`;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A mistake in the command line or the inputs: the message says which option and value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export async function backtestCommand(argv: string[], io: CommandIo): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const say = (line: string) => {
    if (!options.json) io.stderr.write(`${line}\n`);
  };
  const arena = loadArenaConfig(options.config ? path.resolve(io.cwd, options.config) : resolveArenaConfigPath(io.env), io.env);
  const agents = selectAgents(arena, options.agents, say);
  const dataDir = options.data ? path.resolve(io.cwd, options.data) : (arena.system.replayDataDir ?? BUNDLED_DATA_DIR);
  const market = new ReplayMarketData(dataDir);
  for (const agent of agents) {
    const unknown = agent.strategy.symbols.filter((s) => !market.symbols().includes(s));
    if (unknown.length > 0)
      throw new UsageError(`agent ${agent.id} trades ${unknown.join(', ')}, not in ${dataDir} (it has ${market.symbols().join(', ')})`);
  }
  const window = barsBetween(
    market.window(),
    options.from === undefined ? undefined : parseMarketTime(options.from, '--from'),
    options.to === undefined ? undefined : parseMarketTime(options.to, '--to'),
  );
  const out = path.resolve(io.cwd, options.out ?? path.join('backtests', runName(new Date())));

  const store = agents.some((a) => a.decisionMaker.provider !== 'rule_based') ? await replyStore(io, options.replies) : null;
  const models = store
    ? new BacktestModels(store, { env: io.env, ...(options.maxCostUsd !== undefined && { maxCostUsd: options.maxCostUsd }) })
    : null;
  try {
    const bar = progressBar(io.stderr);
    const run = await runBacktest({
      agents,
      market,
      bars: window.bars,
      ...(models && { models: () => models.gateway }),
      onBar: (done, total) => bar.update(done, total, 'backtest'),
    });
    bar.end();
    if (run.stopped) say(`stopped: ${run.stopped}`);
    const bars = window.bars.slice(0, run.barsRun);

    const chance = new Map<string, number[]>();
    if (options.chanceRuns > 0 && bars.length > 0) {
      const keys = [...new Map(agents.map((a) => [chanceKey(a), a])).values()];
      for (const [i, agent] of keys.entries()) {
        const label = `chance ${i + 1}/${keys.length}`;
        say(`${label}: ${options.chanceRuns} seeded random-entry runs with ${agent.id}'s symbols and limits`);
        const progress = progressBar(io.stderr);
        chance.set(
          chanceKey(agent),
          await randomEntryReturns(dataDir, agent, bars, options.chanceRuns, {
            onProgress: (share) => progress.update(Math.round(share * 1000), 1000, label),
          }),
        );
        progress.end();
      }
    }
    const results = ranked(
      await Promise.all(
        run.runs.map((r) => {
          const returns = chance.get(chanceKey(r.config));
          return agentResult(r, null).then((result) =>
            returns
              ? { ...result, vsRandomEntry: placeAmong(result.returnPct, returns), notes: { ...result.notes, vsRandomEntry: undefined } }
              : result,
          );
        }),
      ),
    );
    const document: BacktestDocument = {
      window: { from: iso(bars[0] ?? window.from), to: iso(bars.at(-1) ?? window.from) },
      bars: bars.length,
      cycles: run.cycles,
      cyclesPerSecond: Math.round(run.cycles / Math.max(run.seconds, 1e-9)),
      stopped: run.stopped,
      models: {
        calls: models?.spend.calls ?? 0,
        costUsd: round(models?.spend.costUsd ?? 0),
        storedReplies: models?.spend.storedReplies ?? 0,
      },
      agents: results.map(roundResult),
    };
    const byId = new Map(run.runs.map((r) => [r.config.id, r]));
    const ordered = results.map((r) => byId.get(r.id)!);
    await writeOutputs(out, {
      document,
      configs: agents,
      dataDir,
      trades: ordered.flatMap(tradeRows),
      equity: ordered.flatMap(equityRows),
      curves: Object.fromEntries(ordered.map((r) => [r.config.id, hourly(r)])),
    });
    if (options.json) {
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      io.stdout.write(`${rankingTable(document.agents)}\n\n`);
      io.stdout.write(
        `${document.bars.toLocaleString('en')} bars (${document.window.from} to ${document.window.to}), ` +
          `${document.cycles.toLocaleString('en')} agent-cycles at ${document.cyclesPerSecond.toLocaleString('en')}/s\n`,
      );
      if (models)
        io.stdout.write(
          `models: ${models.spend.calls} calls made ($${models.spend.costUsd.toFixed(4)}), ${models.spend.storedReplies} stored replies reused\n`,
        );
      io.stdout.write(`report: ${path.join(out, 'report.html')}\n`);
    }
    return run.stopped ? 3 : 0;
  } finally {
    await store?.close?.();
  }
}

interface Options {
  help: boolean;
  agents?: string[];
  config?: string;
  data?: string;
  from?: string;
  to?: string;
  out?: string;
  json: boolean;
  maxCostUsd?: number;
  chanceRuns: number;
  replies?: string;
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        agents: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'max-cost-usd': { type: 'string' },
        'chance-runs': { type: 'string' },
        replies: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  }
  const number = (flag: string, text: string | undefined, integer: boolean): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${flag} ${text}: expected a ${integer ? 'whole ' : ''}number of 0 or more`);
    }
    return n;
  };
  return {
    help: values.help ?? false,
    json: values.json ?? false,
    ...(values.agents !== undefined && {
      agents: values.agents
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    }),
    ...(values.config !== undefined && { config: values.config }),
    ...(values.data !== undefined && { data: values.data }),
    ...(values.from !== undefined && { from: values.from }),
    ...(values.to !== undefined && { to: values.to }),
    ...(values.out !== undefined && { out: values.out }),
    ...(values.replies !== undefined && { replies: values.replies }),
    ...(values['max-cost-usd'] !== undefined && { maxCostUsd: number('max-cost-usd', values['max-cost-usd'], false) }),
    chanceRuns: number('chance-runs', values['chance-runs'], true) ?? DEFAULT_CHANCE_RUNS,
  };
}

/** The named agents (each must be one the arena would run), or every agent the arena would run. */
function selectAgents(arena: ArenaConfig, ids: string[] | undefined, say: (line: string) => void): AgentConfig[] {
  if (!ids) {
    const runnable = arena.agents.filter((e) => e.config).map((e) => e.config!);
    for (const e of arena.agents) if (!e.config) say(`agent ${e.id}: skipped: ${e.skipReason ?? 'not configured'}`);
    if (runnable.length === 0) throw new UsageError(`no agent of ${arena.file} can run`);
    return runnable;
  }
  if (ids.length === 0) throw new UsageError('--agents: expected agent ids separated by commas');
  return ids.map((id) => {
    const entry = arena.agents.find((e) => e.id === id);
    if (!entry) throw new UsageError(`--agents ${id}: no such agent in ${arena.file} (it has ${arena.agents.map((e) => e.id).join(', ')})`);
    if (!entry.config) throw new UsageError(`--agents ${id}: cannot run: ${entry.skipReason ?? 'not configured'}`);
    return entry.config;
  });
}

/** Postgres when DATABASE_URL is set (the replies the arena stored are there too), else a folder. */
async function replyStore(io: CommandIo, dir: string | undefined): Promise<ModelReplyStore> {
  const url = io.env.DATABASE_URL?.trim();
  if (!url) return new FileReplyStore(path.resolve(io.cwd, dir ?? path.join('backtests', 'model-replies')));
  const db = createDb(url, 2);
  await migrateToLatest(db);
  return { ...postgresReplyStore(db), close: () => db.destroy() };
}

/** The agent's equity each market hour, for the report's charts. */
function hourly(run: Parameters<typeof equityCurve>[0]): Array<{ time: number; equity: number }> {
  const curve = equityCurve(run);
  const first = curve.bars[0];
  if (!first) return [];
  // As analytics reads a curve: the opening before the first hour, then each hour's last equity.
  return [
    { time: first.start - curve.intervalMs, equity: curve.opening },
    ...curve.bars.map((b) => ({ time: b.start, equity: round(b.close) })),
  ];
}

function roundResult(r: AgentResult): AgentResult {
  const r4 = (v: number | null) => (v === null ? null : round(v));
  return {
    ...r,
    returnPct: round(r.returnPct),
    pnl: round(r.pnl),
    winRate: r4(r.winRate),
    profitFactor: r4(r.profitFactor),
    sharpe: r4(r.sharpe),
    maxDrawdownPct: r4(r.maxDrawdownPct),
    fees: round(r.fees),
    funding: round(r.funding),
    equityEnd: round(r.equityEnd),
    modelCostUsd: round(r.modelCostUsd),
    ...(r.vsRandomEntry && {
      vsRandomEntry: { ...r.vsRandomEntry, percentile: round(r.vsRandomEntry.percentile), pValue: round(r.vsRandomEntry.pValue) },
    }),
  };
}

/** Four decimals: cents of a cent for money, a ten-thousandth for percentages and ratios. */
const round = (v: number) => Math.round(v * 10_000) / 10_000 || 0;
const iso = (ms: number) => new Date(ms).toISOString();
/** backtests/2026-12-04T23-41-07Z: sortable, and a valid folder name everywhere. */
const runName = (d: Date) => d.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
