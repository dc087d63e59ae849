/**
 * The leaderboard's "better than chance?": an agent's random-entry twins trade alongside it at the
 * bars and cycle numbers it traded at, and its return is placed among theirs at the same bar. Fed
 * bar by bar, the twins end where a backtest of the whole window ends.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { arenaChance } from '../../backtest/arena-chance';
import { placeAmong, randomEntryReturns } from '../../backtest/chance';
import { loadArenaConfig } from '../../arena-config/load';
import type { AgentConfig } from '../../arena-config/types';
import { BUNDLED_DATA_DIR, REPLAY_BAR_MS, replayWindow } from '../../market/replay';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/database';

const RUNS = 6;

describe("the arena's random-entry twins (Postgres, worker thread)", function () {
  this.timeout(120_000);
  let database: MigratedTestDatabase;
  let agent: AgentConfig;
  const first = replayWindow().firstMarketTime;
  // The agent's cycles: every bar, but a pause skipped bars 40 to 59 (cycle numbers run on).
  const bars: Array<[number, number]> = [];
  for (let bar = 0, cycle = 1; bar < 160; bar++) if (bar < 40 || bar >= 60) bars.push([first + bar * REPLAY_BAR_MS, cycle++]);

  async function record(upTo: number): Promise<void> {
    const rows = bars
      .filter(([t]) => t <= upTo)
      .map(([t, n]) => ({
        agent_id: agent.id,
        cycle_no: n,
        status: 'ok' as const,
        market_time: new Date(t),
        started_at: new Date(t),
        finished_at: new Date(t),
        duration_ms: 0,
        input: '{}',
        reasoning: null,
        decisions: '[]',
        risk_verdicts: '[]',
        executions: '[]',
        error: null,
        summary: 'wait',
      }));
    await database.db
      .insertInto('cycles')
      .values(rows)
      .onConflict((oc) => oc.columns(['agent_id', 'cycle_no']).doNothing())
      .execute();
  }

  before(async () => {
    database = await createMigratedTestDatabase(2);
    const arena = loadArenaConfig(path.join(__dirname, '..', '..', 'config', 'arena.yaml'), {});
    agent = arena.agents.find((a) => a.id === 'ema-trend')!.config!;
    await database.db
      .insertInto('agents')
      .values({
        id: agent.id,
        name: agent.name,
        provider: 'rule_based',
        model: 'ema_trend',
        venue: 'paper',
        account: agent.id,
        initial_balance: 10_000,
        config: JSON.stringify(agent),
      })
      .execute();
  });
  after(async () => database?.close());

  it('places the agent among twins that traded its bars and cycle numbers, fed bar by bar as a whole backtest would be', async () => {
    const chance = arenaChance(database.db, { dataDir: BUNDLED_DATA_DIR, runs: RUNS, waitMs: 60_000 });
    try {
      const from = new Date(bars[0]![0]);
      for (const upTo of [bars[50]![0], bars.at(-1)![0]]) {
        await record(upTo);
        const answer = await chance({ agentId: agent.id, from, to: new Date(upTo), returnPct: -1 });
        const window = bars.filter(([t]) => t <= upTo);
        const whole = await randomEntryReturns(
          BUNDLED_DATA_DIR,
          agent,
          window.map(([t]) => t),
          RUNS,
          { schedule: new Map(window) },
        );
        const expected = placeAmong(-1, whole);
        assert.deepEqual(answer, { percentile: expected.percentile, runs: RUNS, p_value: expected.pValue });
        assert.ok(new Set(whole).size > 1, 'the twins draw differently');
      }
    } finally {
      await chance.close();
    }
  });

  it('answers null (not computed yet) while the twins are still catching up, and for an unknown agent', async () => {
    const chance = arenaChance(database.db, { dataDir: BUNDLED_DATA_DIR, runs: RUNS, waitMs: 0 });
    try {
      const to = new Date(bars.at(-1)![0]);
      assert.equal(await chance({ agentId: agent.id, from: new Date(bars[0]![0]), to, returnPct: 0 }), null);
      assert.equal(await chance({ agentId: 'nobody', from: to, to, returnPct: 0 }), null);
      // A window that starts after the agent's first bar: the twins started with the agent, so no answer.
      const late = await arenaChance(database.db, { dataDir: BUNDLED_DATA_DIR, runs: RUNS, waitMs: 60_000 });
      try {
        assert.equal(await late({ agentId: agent.id, from: new Date(bars[5]![0]), to, returnPct: 0 }), null);
        assert.notEqual(await late({ agentId: agent.id, from: new Date(bars[0]![0]), to, returnPct: 0 }), null);
      } finally {
        await late.close();
      }
    } finally {
      await chance.close();
    }
  });
});
