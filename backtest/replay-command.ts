/**
 * `npm run replay -- --agent ID [--risk FILE] [--from DATE] [--to DATE] [--json]`: decision replay.
 * The agent's recorded decisions (the decision log) go again through the risk engine, the order
 * planning and the paper venue of the backtester, at the bars and cycle numbers they were made at,
 * under the agent's limits or other ones. No model is asked: a cycle that recorded no decision (it
 * failed) waits. Prints the recorded and the replayed results side by side.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { loadPerformance } from '../analytics/load';
import { loadRiskOverrides } from '../arena-config/risk-file';
import type { AgentConfig, RiskLimits } from '../arena-config/types';
import type { DecideResult } from '../cycle/types';
import { findAgent } from '../db/agents';
import { createDb, migrateToLatest } from '../db/connect';
import { recordedDecisions } from '../db/cycles';
import type { Database } from '../db/schema';
import { openDatabase } from '../infra/database';
import { BUNDLED_DATA_DIR, ReplayMarketData } from '../market/replay';
import { UsageError } from './command';
import { runBacktest } from './engine';
import { agentResult } from './results';
import { parseMarketTime } from './window';

export const REPLAY_USAGE = `Usage: npm run replay -- --agent ID [options]

  --agent ID      the agent whose recorded decisions are replayed (its decision log in the arena's database)
  --risk FILE     risk limits to replay under: keys of an agent file's risk_management; the others stay the agent's
  --from DATE     first recorded cycle (2026-11-03 or 2026-11-03T12:00Z; default: the first)
  --to DATE       last recorded cycle (default: the last)
  --data DIR      the replay data the agent traded on (default: ARENA_REPLAY_DATA, or the bundled data/)
  --json          print one JSON document on stdout, nothing else

The database is DATABASE_URL, or the arena's embedded one (ARENA_DATA_DIR, default .data/) when the arena is not running.
`;

/** One side of the comparison. */
export interface ReplaySide {
  returnPct: number | null;
  maxDrawdownPct: number | null;
  closedTrades: number;
  openTrades: number;
  fees: number;
  /** Rejected decisions by the rule that refused them. */
  rejections: Record<string, number>;
}

export interface ReplayDocument {
  agent: string;
  window: { from: string; to: string };
  cycles: number;
  /** Limits that differ from the agent's: name -> [recorded, replayed]. */
  changedLimits: Record<string, [unknown, unknown]>;
  recorded: ReplaySide;
  replayed: ReplaySide;
  modelCalls: 0;
}

export interface ReplayIo {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The database to read (tests); otherwise DATABASE_URL or the embedded one. */
  db?: Kysely<Database>;
}

export async function replayCommand(argv: string[], io: ReplayIo): Promise<number> {
  const options = parseReplayOptions(argv);
  if (options.help) {
    io.stdout.write(REPLAY_USAGE);
    return 0;
  }
  const opened = io.db ? null : await openArenaDatabase(io.env);
  const db = io.db ?? opened!.db;
  try {
    const doc = await replayAgent(db, options, io);
    io.stdout.write(options.json ? `${JSON.stringify(doc, null, 2)}\n` : sideBySide(doc, options.risk));
    return 0;
  } finally {
    await opened?.close();
  }
}

async function replayAgent(db: Kysely<Database>, options: ReplayOptions, io: ReplayIo): Promise<ReplayDocument> {
  const row = await findAgent(db, options.agent);
  if (!row) throw new UsageError(`--agent ${options.agent}: no such agent in the arena's database`);
  const recordedConfig = row.config;
  const risk = options.risk
    ? loadRiskOverrides(path.resolve(io.cwd, options.risk), recordedConfig.strategy.risk)
    : recordedConfig.strategy.risk;
  const range = {
    ...(options.from !== undefined && { from: new Date(parseMarketTime(options.from, '--from')) }),
    ...(options.to !== undefined && { to: new Date(parseMarketTime(options.to, '--to')) }),
  };
  const cycles = await recordedDecisions(db, options.agent, range);
  if (cycles.length === 0)
    throw new UsageError(`agent ${options.agent} has no recorded cycle${options.from || options.to ? ' in that window' : ''}`);

  const dataDir = options.data ? path.resolve(io.cwd, options.data) : io.env.ARENA_REPLAY_DATA || BUNDLED_DATA_DIR;
  const market = new ReplayMarketData(dataDir);
  const { firstMarketTime, lastMarketTime } = market.window();
  const outside = cycles.find((c) => c.market_time!.getTime() < firstMarketTime || c.market_time!.getTime() > lastMarketTime);
  if (outside) {
    throw new UsageError(
      `cycle ${outside.cycle_no} of ${options.agent} is at ${outside.market_time!.toISOString()}, outside the replay data in ${dataDir}: ` +
        "decision replay re-runs the replay's bars (an agent on live market data cannot be replayed offline)",
    );
  }
  const bars = cycles.map((c) => c.market_time!.getTime());
  const schedule = new Map(cycles.map((c) => [c.market_time!.getTime(), c.cycle_no]));
  const byCycle = new Map(cycles.map((c) => [c.cycle_no, c]));
  const config: AgentConfig = {
    ...recordedConfig,
    strategy: { ...recordedConfig.strategy, risk },
    exchange: { ...recordedConfig.exchange, type: 'paper', account: `${recordedConfig.exchange.account}~replay` },
  };
  const decisions = (cycleNo: number): DecideResult => {
    const c = byCycle.get(cycleNo);
    if (!c || c.status !== 'ok')
      return {
        reasoning: 'the recorded cycle failed: nothing was decided',
        decisions: [{ action: 'wait', reason: 'recorded cycle failed' }],
        llm: null,
      };
    return { reasoning: c.reasoning ?? '', decisions: c.decisions, llm: null };
  };
  const run = await runBacktest({
    agents: [config],
    market,
    bars,
    schedule: () => schedule,
    decisions: () => decisions,
    snapshotThread: false,
  });
  const replayed = await agentResult(run.runs[0]!);

  const from = cycles[0]!.market_time!;
  const to = cycles.at(-1)!.market_time!;
  const recorded = (await loadPerformance(db, options.agent, { from, to: new Date(to.getTime() + 1) }))!;
  return {
    agent: options.agent,
    window: { from: from.toISOString(), to: to.toISOString() },
    cycles: cycles.length,
    changedLimits: changedLimits(recordedConfig.strategy.risk, risk),
    recorded: {
      returnPct: round(recorded.return_pct),
      maxDrawdownPct: round(recorded.max_drawdown_pct),
      closedTrades: recorded.total_trades,
      openTrades: recorded.open_trades,
      fees: round(recorded.fees_paid)!,
      rejections: countRules(cycles.flatMap((c) => c.risk_verdicts.filter((v) => v.status === 'rejected').map((v) => v.rule ?? 'unnamed'))),
    },
    replayed: {
      returnPct: round(replayed.returnPct),
      maxDrawdownPct: round(replayed.maxDrawdownPct),
      closedTrades: replayed.trades,
      openTrades: replayed.openTrades,
      fees: round(replayed.fees)!,
      rejections: countRules(run.runs[0]!.ledger.cycles.flatMap((c) => c.rejectedBy)),
    },
    modelCalls: 0,
  };
}

/** Four decimals, as the backtest's document: the two sides compute a return along different (equal) paths. */
function round<T extends number | null>(v: T): T {
  return (v === null ? null : Math.round(v * 10_000) / 10_000 || 0) as T;
}

function countRules(rules: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rule of [...rules].sort()) counts[rule] = (counts[rule] ?? 0) + 1;
  return counts;
}

function changedLimits(before: RiskLimits, after: RiskLimits): Record<string, [unknown, unknown]> {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort() as (keyof RiskLimits)[];
  const changed: Record<string, [unknown, unknown]> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changed[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = [before[key] ?? null, after[key] ?? null];
    }
  }
  return changed;
}

function sideBySide(doc: ReplayDocument, riskFile: string | undefined): string {
  const pct = (v: number | null) => (v === null ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`);
  const rows: Array<[string, string, string]> = [
    ['Return', pct(doc.recorded.returnPct), pct(doc.replayed.returnPct)],
    ['Max drawdown', pct(doc.recorded.maxDrawdownPct).replace('+', ''), pct(doc.replayed.maxDrawdownPct).replace('+', '')],
    ['Closed trades', String(doc.recorded.closedTrades), String(doc.replayed.closedTrades)],
    ['Open trades', String(doc.recorded.openTrades), String(doc.replayed.openTrades)],
    ['Fees', doc.recorded.fees.toFixed(2), doc.replayed.fees.toFixed(2)],
  ];
  const rules = [...new Set([...Object.keys(doc.recorded.rejections), ...Object.keys(doc.replayed.rejections)])].sort();
  const total = (r: Record<string, number>) => String(Object.values(r).reduce((a, b) => a + b, 0));
  rows.push(['Rejections', total(doc.recorded.rejections), total(doc.replayed.rejections)]);
  for (const rule of rules)
    rows.push([`  ${rule}`, String(doc.recorded.rejections[rule] ?? 0), String(doc.replayed.rejections[rule] ?? 0)]);
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = [
    `Decision replay of ${doc.agent}: ${doc.cycles} recorded cycles, ${doc.window.from} to ${doc.window.to}`,
    riskFile
      ? `Risk limits from ${riskFile}: ${
          Object.entries(doc.changedLimits)
            .map(([k, [a, b]]) => `${k} ${JSON.stringify(a)} -> ${JSON.stringify(b)}`)
            .join(', ') || "the same as the agent's"
        }`
      : "Risk limits: the agent's own (give --risk FILE to try others)",
    '',
    `${''.padEnd(width)}  ${'recorded'.padStart(10)}  ${'replayed'.padStart(10)}`,
    ...rows.map(([label, a, b]) => `${label.padEnd(width)}  ${a.padStart(10)}  ${b.padStart(10)}`),
    '',
    'No model was asked: the recorded decisions were replayed.',
  ];
  return `${lines.join('\n')}\n`;
}

interface ReplayOptions {
  help: boolean;
  agent: string;
  risk?: string;
  from?: string;
  to?: string;
  data?: string;
  json: boolean;
}

function parseReplayOptions(argv: string[]): ReplayOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        agent: { type: 'string' },
        risk: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\n${REPLAY_USAGE}`);
  }
  if (!values.help && !values.agent) throw new UsageError(`--agent is required\n\n${REPLAY_USAGE}`);
  return {
    help: values.help ?? false,
    agent: values.agent ?? '',
    json: values.json ?? false,
    ...(values.risk !== undefined && { risk: values.risk }),
    ...(values.from !== undefined && { from: values.from }),
    ...(values.to !== undefined && { to: values.to }),
    ...(values.data !== undefined && { data: values.data }),
  };
}

/** DATABASE_URL, or the embedded database the arena keeps in .data/ (refused while the arena holds it). */
async function openArenaDatabase(env: NodeJS.ProcessEnv): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  const server = await openDatabase({ env, dataDir: path.resolve(env.ARENA_DATA_DIR ?? path.join(__dirname, '..', '.data')) });
  const db = createDb(server.url, Math.min(2, server.maxConnections));
  await migrateToLatest(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await server.close();
    },
  };
}
