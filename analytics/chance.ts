/**
 * "Better than chance?": where an agent's return over its window falls among many seeded
 * `random-entry` runs over the same bars and risk limits. Filled by the backtester (issue 14, part
 * 2), which implements `ChanceBenchmark` and is passed to `cachedAnalytics`; until then every
 * answer says "not computed yet".
 */

/** The agent's place among the random-entry runs. */
export interface VsRandomEntry {
  /** Share of the runs whose return is below the agent's, %. */
  percentile: number;
  /** Seeded random-entry runs compared. */
  runs: number;
  /** Share of the runs whose return is at or above the agent's: the chance of doing as well by luck. */
  p_value: number;
}

/** What the benchmark is asked: the agent's return over its window of market time. */
export interface ChanceQuery {
  agentId: string;
  /** Market time of the agent's first and last equity snapshot in the window. */
  from: Date;
  to: Date;
  returnPct: number;
}

/** The agent's place among random-entry runs over its window, or null while none has been computed. */
export type ChanceBenchmark = (query: ChanceQuery) => Promise<VsRandomEntry | null>;

/** The benchmark until the backtester provides one. */
export const chanceNotComputed: ChanceBenchmark = async () => null;

export const NOT_COMPUTED = 'not computed yet: filled by the backtester';
