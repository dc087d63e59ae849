import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { leaderboardOf, type Analytics, type LeaderboardRow, type Performance, type Range } from './answers';
import { chanceNotComputed, type ChanceBenchmark } from './chance';
import { loadAgents, loadAnalytics, loadPerformance } from './load';

/**
 * The loaders behind a cache that is never stale. Each answer is kept under its agent's version:
 * the agent's cycle count and last cycle time, which the arena bumps in the same transaction that
 * records the cycle's equity snapshot (the cycle's closed trades and model calls are written
 * before it). A request first reads every agent's version: one small query, shared by the
 * requests that arrive together and always started after they arrived, so a snapshot committed
 * before a request is always seen by it. Then it answers from memory unless its agent's version
 * moved: a new snapshot invalidates exactly its agent's entries, and the leaderboard recomputes
 * only the agents that moved.
 */
export interface AnalyticsReader {
  performance(agentId: string, range?: Range): Promise<Performance | undefined>;
  analytics(agentId: string, range?: Range): Promise<Analytics | undefined>;
  leaderboard(): Promise<LeaderboardRow[]>;
}

export interface AnalyticsOptions {
  maxEntries?: number;
  /**
   * Where each agent stands against seeded random-entry runs (the backtester's). Its answer is kept
   * with the agent's performance, until the agent's next cycle.
   */
  chance?: ChanceBenchmark;
}

export function cachedAnalytics(db: Kysely<Database>, options: AnalyticsOptions = {}): AnalyticsReader {
  const versions = coalesced(versionReader(db));
  const memo = new Memo(options.maxEntries ?? 1000);
  const chance = options.chance ?? chanceNotComputed;

  const perAgent =
    <T>(kind: string, load: (id: string, range: Range) => Promise<T | undefined>) =>
    async (agentId: string, range: Range = {}): Promise<T | undefined> => {
      const version = (await versions()).byAgent.get(agentId);
      if (version === undefined) return undefined;
      return memo.get(keyOf(kind, agentId, range), version, () => load(agentId, range));
    };

  const performance = perAgent('performance', (id, range) => loadPerformance(db, id, range, chance));
  const analytics = perAgent('analytics', (id, range) => loadAnalytics(db, id, range));

  const leaderboard = async (): Promise<LeaderboardRow[]> => {
    const { all, byAgent } = await versions();
    return memo.get('leaderboard', all, async () => {
      const agents = await loadAgents(db);
      const version = (id: string) => byAgent.get(id) ?? 'gone';
      return leaderboardOf(
        agents,
        await Promise.all(
          agents.map((a) => memo.get(keyOf('performance', a.id, {}), version(a.id), () => loadPerformance(db, a.id, {}, chance))),
        ),
      );
    });
  };

  return { performance, analytics, leaderboard };
}

const keyOf = (kind: string, agentId: string, range: Range) =>
  `${kind}|${agentId}|${range.from?.getTime() ?? ''}|${range.to?.getTime() ?? ''}`;

interface Versions {
  /** Every agent's version in one string. */
  all: string;
  byAgent: Map<string, string>;
}

/** Reads every agent's version: one row, one text column (cheap to run and to parse: it runs per batch of requests). */
function versionReader(db: Kysely<Database>): () => Promise<Versions> {
  let last: Versions = { all: '{}', byAgent: new Map() };
  return async () => {
    const { rows } = await sql<{ v: string | null }>`
      select json_object_agg(id, cycle_count || '@' || coalesce(floor(date_part('epoch', last_cycle_at) * 1000)::text, '') order by id)::text as v
      from agents`.execute(db);
    const all = rows[0]?.v ?? '{}';
    if (all !== last.all) last = { all, byAgent: new Map(Object.entries(JSON.parse(all) as Record<string, string>)) };
    return last;
  };
}

/** Values by key, each valid for one version; the oldest-used entry goes beyond `max`. A failed load is not kept. */
class Memo {
  private readonly entries = new Map<string, { version: string; value: Promise<unknown> }>();

  constructor(private readonly max: number) {}

  get<T>(key: string, version: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    this.entries.delete(key);
    if (hit && hit.version === version) {
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = load();
    const entry = { version, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

/**
 * `read` shared by concurrent callers, never stale for any of them: a caller gets a run that
 * started after it called (the one starting now, or the next one if a run is already under way),
 * so it sees every write committed before it asked; all callers arriving during a run share the next.
 */
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const run = read();
    running = run;
    const done = () => {
      if (running === run) running = null;
    };
    run.then(done, done);
    return run;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
