/**
 * The leaderboard on a real arena (dev server, Postgres, the replay's market clock): one market time
 * for every agent, the newest bar any agent recorded; a paused agent's figures stay at the bar it
 * paused on, and its entry says how far behind the arena they are. Buy & hold, holding its one
 * position, reads "0 closed, 1 open" with its opening fee counted.
 */
import assert from 'node:assert/strict';
import { z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { createApp } from '../../api/app';
import { LeaderboardEntrySchema, PerformanceSchema } from '../../api/routes/analytics';
import type { AgentConfig } from '../../arena-config/types';
import { lastOkCycle, latestBarSnapshots } from '../../db/cycles';
import { openTrades } from '../../db/trades';
import { agentWorkflowId, getStateQuery, pauseSignal, resumeSignal } from '../../workflows/definitions';
import { type Api, call, conforms, sleep } from '../api/helpers';
import { type TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';

/** A replay bar: 3 minutes of market time. */
const BAR_S = 180;

describe("the leaderboard at the arena's one market time (real dev server)", function () {
  this.timeout(240_000);
  let arena: TestArena;
  let api: Api;
  let hold: AgentConfig;
  let trend: AgentConfig;

  const leaderboard = async () => conforms(await call(api, 'GET', '/api/leaderboard'), z.array(LeaderboardEntrySchema));
  const entryOf = <T extends { agent_id: string }>(board: T[], agent: AgentConfig): T => board.find((e) => e.agent_id === agent.id)!;
  const newestBar = async (agent: AgentConfig) => (await lastOkCycle(arena.db, agent.id))!.market_time!.getTime();
  const workflow = (agent: AgentConfig) => arena.client.workflow.getHandle(agentWorkflowId(agent.id));

  /** Pauses the agent with its workflow's own signal, then waits until its records stop moving. */
  async function pause(agent: AgentConfig): Promise<void> {
    await workflow(agent).signal(pauseSignal);
    await eventually(`${agent.id} paused`, async () => (await workflow(agent).query(getStateQuery)).status === 'PAUSED');
    let last = -1;
    await eventually(`${agent.id} settled`, async () => {
      const now = await cycleCount(arena.db, agent.id);
      const settled = now === last;
      last = now;
      if (!settled) await sleep(1_000);
      return settled;
    });
  }

  before(async () => {
    arena = await startTestArena();
    await arena.runWorker();
    api = createApp({ db: arena.db, temporal: arena.client });
    hold = demoAgent('btc-buy-hold', arena.tag);
    trend = demoAgent('ema-trend', arena.tag);
    await arena.start([hold, trend], 300, { barMs: 300 }); // each agent cycles on every bar
    await eventually(
      '4 cycles of each agent',
      async () => (await cycleCount(arena.db, hold.id)) >= 4 && (await cycleCount(arena.db, trend.id)) >= 4,
    );
  });
  after(async () => arena?.close());

  it('a paused agent stays at its bar while the arena moves on: one market time, its own as-of, how far behind', async () => {
    await pause(trend);
    const pausedAt = await newestBar(trend);
    // The other agent carries on with the arena's clock, 3 bars or more past the paused one; then it
    // is paused too, so that nothing moves under the assertions.
    await eventually('buy & hold 3 bars past', async () => (await newestBar(hold)) >= pausedAt + 3 * BAR_S * 1000);
    await pause(hold);

    const board = await leaderboard();
    const arenaTime = (await latestBarSnapshots(arena.db))!.marketTime.toISOString();
    assert.deepEqual(
      board.map((e) => e.market_time),
      [arenaTime, arenaTime],
      'one market time for every entry: the newest bar recorded',
    );
    const running = entryOf(board, hold);
    assert.deepEqual([running.as_of, running.behind_seconds], [arenaTime, 0]);
    const paused = entryOf(board, trend);
    assert.equal(paused.as_of, new Date(pausedAt).toISOString(), 'the paused agent is as of the bar it paused on');
    assert.equal(paused.behind_seconds, (Date.parse(arenaTime) - pausedAt) / 1000);
    assert.ok(paused.behind_seconds! >= 3 * BAR_S && paused.behind_seconds! % BAR_S === 0, `${paused.behind_seconds} s: whole bars behind`);

    // Its own performance answer says the same market time.
    const p = conforms(await call(api, 'GET', `/api/agents/${trend.id}/performance`), PerformanceSchema);
    assert.deepEqual([p.as_of, p.window.to], [paused.as_of, paused.as_of]);
  });

  it('buy & hold holding its position reads 0 closed trades and 1 open, its opening fee and funding counted', async () => {
    const [trade, ...more] = await openTrades(arena.db, hold.id);
    assert.ok(trade && more.length === 0, 'buy & hold holds one position');
    const entry = entryOf(await leaderboard(), hold);
    assert.deepEqual([entry.trades, entry.open_trades], [0, 1]);

    const p = conforms(await call(api, 'GET', `/api/agents/${hold.id}/performance`), PerformanceSchema);
    assert.deepEqual([p.total_trades, p.open_trades], [0, 1]);
    assert.ok(Number(trade.fees) > 0, 'it paid a fee to open');
    assert.equal(p.open_fees_paid, Number(trade.fees));
    assert.equal(p.fees_paid, Number(trade.fees), "fees paid include the open trade's: no longer 0");
    // The paper venue's funding on the position since it opened, as the close will book it.
    const { rows } = await sql<{ funding: string | null }>`
      select sum(amount) as funding from paper_income
      where account_id = ${hold.exchange.account} and symbol = ${trade.symbol} and income_type = 'FUNDING_FEE'
        and time > ${trade.opened_at.getTime()}`.execute(arena.db);
    assert.equal(p.open_funding_paid, -Number(rows[0]?.funding ?? 0) || 0);
    assert.equal(p.funding_paid, p.open_funding_paid);
  });

  it("resumed, the agent trades at the arena's bar again: it is current and the other one is behind", async () => {
    const before = await newestBar(hold);
    await workflow(trend).signal(resumeSignal);
    // The clock kept moving while both were paused: the resumed agent's next cycle is past both.
    await eventually('the resumed agent past the other', async () => (await newestBar(trend)) > before);
    await pause(trend);
    const board = await leaderboard();
    const resumed = entryOf(board, trend);
    const other = entryOf(board, hold);
    assert.deepEqual([resumed.as_of, resumed.behind_seconds], [resumed.market_time, 0]);
    assert.equal(other.as_of, new Date(before).toISOString());
    assert.equal(other.behind_seconds, (Date.parse(resumed.market_time!) - before) / 1000);
  });
});
