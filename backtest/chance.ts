/**
 * "Better than chance?": an agent's return against the returns of seeded random-entry agents that
 * trade the same bars with the same symbols, balance, fees, cadence and risk limits. Random entry has
 * no edge by construction, so the share of those runs an agent beats says how far its result is from
 * luck, and p (the share that did at least as well) is the chance of doing as well with no skill.
 * Runs are seeded by their number (`chance-<k>`) and cycle number: the same window gives the same runs.
 */
import os from 'node:os';
import type { AgentConfig } from '../arena-config/types';
import { runOnWorker } from '../infra/worker-thread';
import type { VsRandomEntry } from './results';

/** The default number of random-entry runs an agent is placed among. */
export const DEFAULT_CHANCE_RUNS = 20;

/** The random-entry agents that stand for chance against `agent`: its account settings and limits, a seeded coin for a brain. */
export function chanceConfigs(agent: AgentConfig, runs: number): AgentConfig[] {
  return Array.from({ length: runs }, (_, k) => {
    const id = `chance-${k + 1}`;
    return {
      ...agent,
      id,
      name: `Random entry #${k + 1}`,
      description: '',
      decisionMaker: { provider: 'rule_based', model: 'random_entry', temperature: 0, maxTokens: 0 },
      exchange: { ...agent.exchange, type: 'paper', account: id },
    };
  });
}

/** Agents with the same key share one distribution (their random twins would trade alike). */
export function chanceKey(agent: AgentConfig): string {
  const { symbols, risk, initialBalance, scanIntervalMinutes } = agent.strategy;
  return JSON.stringify([symbols, risk, initialBalance, scanIntervalMinutes, agent.exchange.takerFeeRate, agent.exchange.slippageRate]);
}

export interface ChanceRequest {
  dataDir: string;
  configs: AgentConfig[];
  bars: number[];
  /** The cycle numbers by bar (market time): the agent's own, so the twins draw as it would have. */
  schedule?: Array<[number, number]>;
}

/**
 * The returns (%) of `runs` random-entry twins of `agent` over `bars`, spread over the machine's
 * cores; `onProgress` hears the share done (0..1).
 */
export async function randomEntryReturns(
  dataDir: string,
  agent: AgentConfig,
  bars: readonly number[],
  runs: number,
  options: { schedule?: Map<number, number>; onProgress?: (share: number) => void } = {},
): Promise<number[]> {
  const configs = chanceConfigs(agent, runs);
  const threads = Math.max(1, Math.min(os.availableParallelism(), configs.length));
  const groups = Array.from({ length: threads }, (_, t) => configs.filter((_, k) => k % threads === t));
  const done = groups.map(() => 0);
  const results = await Promise.all(
    groups.map((group, t) =>
      runOnWorker<Array<[string, number]>>(
        require.resolve('./chance-worker'),
        {
          dataDir,
          configs: group,
          bars: [...bars],
          ...(options.schedule && { schedule: [...options.schedule] }),
        } satisfies ChanceRequest,
        (bar) => {
          done[t] = bar;
          options.onProgress?.(done.reduce((a, b) => a + b, 0) / (groups.length * bars.length));
        },
      ),
    ),
  );
  const byId = new Map(results.flat());
  return configs.map((c) => byId.get(c.id)!);
}

/** Where `returnPct` falls among `returns`. */
export function placeAmong(returnPct: number, returns: readonly number[]): VsRandomEntry {
  const below = returns.filter((r) => r < returnPct).length;
  const atLeast = returns.length - below;
  return { percentile: (below * 100) / returns.length, pValue: atLeast / returns.length, runs: returns.length };
}
