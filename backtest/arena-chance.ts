/**
 * "Better than chance?" for the arena's leaderboard: each agent's random-entry twins (backtest/chance.ts)
 * trade alongside it, on a worker thread, at the bars and cycle numbers the agent traded at. Asked
 * about an agent's return up to market time `to`, it feeds the twins the agent's new bars and places
 * the return among theirs at that same bar. A first answer for a long window takes a while (every
 * twin replays the window); it is null meanwhile ("not computed yet"), and every later one is quick.
 * Replay only: the twins trade the replay's data.
 */
import type { Kysely } from 'kysely';
import type { ChanceBenchmark, ChanceQuery, VsRandomEntry } from '../analytics/chance';
import type { AgentConfig, ArenaConfig } from '../arena-config/types';
import { findAgent } from '../db/agents';
import { cycleBars } from '../db/cycles';
import type { Database } from '../db/schema';
import { startWorker } from '../infra/worker-thread';
import { BUNDLED_DATA_DIR } from '../market/replay';
import { chanceKey, placeAmong } from './chance';

/** What the worker is told: an agent's twins, and the agent's bars since the last message. */
export interface TwinsRequest {
  agentId: string;
  config: AgentConfig;
  /** The twins start over (first message, or the agent's settings changed). */
  reset: boolean;
  bars: Array<[marketTime: number, cycleNo: number]>;
}
/** What it answers: the twins' returns (%) at `through`, the agent's last bar it was given. */
export interface TwinsAnswer {
  agentId: string;
  through: number;
  returns: number[];
}

/** Random-entry twins per agent on the leaderboard: ARENA_CHANCE_RUNS (0 turns them off). */
export const DEFAULT_ARENA_CHANCE_RUNS = 20;

/**
 * The arena's benchmark when it replays (the twins need the replay's data; live, there is none), or
 * undefined: the leaderboard then says "not computed yet".
 */
export function chanceForArena(
  db: Kysely<Database>,
  config: ArenaConfig,
  env: NodeJS.ProcessEnv = process.env,
): ReturnType<typeof arenaChance> | undefined {
  const runs = Number(env.ARENA_CHANCE_RUNS ?? DEFAULT_ARENA_CHANCE_RUNS);
  if (config.system.marketData !== 'replay' || !Number.isInteger(runs) || runs <= 0) return undefined;
  return arenaChance(db, { dataDir: config.system.replayDataDir ?? BUNDLED_DATA_DIR, runs });
}

export interface ArenaChanceOptions {
  dataDir: string;
  runs: number;
  /** How long a query waits for the twins to catch up before answering null (they go on). */
  waitMs?: number;
}

export function arenaChance(db: Kysely<Database>, options: ArenaChanceOptions): ChanceBenchmark & { close(): Promise<void> } {
  const worker = startWorker(require.resolve('./arena-chance-worker'), { dataDir: options.dataDir, runs: options.runs });
  worker.unref();
  const agents = new Map<
    string,
    {
      key: string;
      firstBar: number | null;
      sentThrough: number | null;
      answer: TwinsAnswer | null;
      waiting: Array<() => void>;
    }
  >();
  worker.on('message', (answer: TwinsAnswer) => {
    const agent = agents.get(answer.agentId);
    if (!agent) return;
    agent.answer = answer;
    for (const wake of agent.waiting.splice(0)) wake();
  });

  const benchmark = async (query: ChanceQuery): Promise<VsRandomEntry | null> => {
    const row = await findAgent(db, query.agentId);
    if (!row) return null;
    const key = chanceKey(row.config);
    let agent = agents.get(query.agentId);
    const reset = !agent || agent.key !== key;
    if (!agent || reset) {
      agent = { key, firstBar: null, sentThrough: null, answer: null, waiting: [] };
      agents.set(query.agentId, agent);
    }
    const to = query.to.getTime();
    if (agent.sentThrough === null || agent.sentThrough < to) {
      const bars = await cycleBars(db, query.agentId, agent.sentThrough === null ? null : new Date(agent.sentThrough), query.to);
      if (bars.length > 0 || reset) {
        worker.postMessage({ agentId: query.agentId, config: row.config, reset, bars } satisfies TwinsRequest);
        agent.firstBar ??= bars[0]?.[0] ?? null;
        agent.sentThrough = bars.at(-1)?.[0] ?? agent.sentThrough;
      }
    }
    // The twins start with the agent: a window starting later (a range asked of the API) has no twins.
    if (agent.firstBar !== query.from.getTime()) return null;
    const ready = () => agent.answer !== null && agent.answer.through >= to;
    if (!ready()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.waitMs ?? 2_000);
        agent.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const answer = agent.answer;
    if (!answer || answer.through !== to || answer.returns.length === 0) return null;
    const placed = placeAmong(query.returnPct, answer.returns);
    return { percentile: placed.percentile, runs: placed.runs, p_value: placed.pValue };
  };
  return Object.assign(benchmark, { close: async () => void (await worker.terminate()) });
}
