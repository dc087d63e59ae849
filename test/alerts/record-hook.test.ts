import assert from 'node:assert/strict';
import { createRecordActivities } from '../../activities/record';
import { VENUE_FAILURE_PREFIX } from '../../alerts/detect';
import { saveAgent } from '../../db/agents';
import { saveAlertSettings } from '../../db/alerts';
import { venueErrorsSince } from '../../db/cycles';
import { ReplayMarketData } from '../../market/replay';
import type { RiskVerdict } from '../../risk/types';
import { type RecordInput, alertDispatcherWorkflowId } from '../../workflows/definitions';
import { type TestArena, demoAgent, startTestArena } from '../support/arena';
import { alertSettings, deliveries, webhookChannel } from './fixtures';

const DAY = 86_400_000;
const BAR = 180_000;

describe('the record step raises alerts (Postgres)', function () {
  this.timeout(120_000);
  let arena: TestArena;
  let record: ReturnType<typeof createRecordActivities>;
  const agent = () => demoAgent('random-entry', `hook-${arena.tag}`);

  before(async () => {
    arena = await startTestArena();
    record = createRecordActivities(arena.deps);
    await saveAgent(arena.db, agent());
    await saveAlertSettings(
      arena.db,
      alertSettings([webhookChannel('http://127.0.0.1:9/hook')], {
        thresholds: { failingCycles: 2, venueErrorsPer10Minutes: 1, equityDropPctPerHour: 20, noCycleMinutes: 60 },
      }),
      arena.taskQueue,
    );
  });
  after(async () => {
    await arena?.client.workflow
      .getHandle(alertDispatcherWorkflowId(arena.taskQueue))
      .terminate()
      .catch(() => undefined);
    await arena?.close();
  });

  /** A bar of the replay a little before the end of a UTC day, so that the test can step into the next. */
  const dayEnd = () => {
    const { firstMarketTime } = new ReplayMarketData().window();
    return (Math.floor(firstMarketTime / DAY) + 2) * DAY - 10 * BAR;
  };

  function cycle(cycleNo: number, marketTime: number, equity: number, over: Partial<RecordInput> = {}): RecordInput {
    const config = agent();
    const account = { equity, available: equity, marginUsed: 0, unrealizedPnl: 0 };
    return {
      agentId: config.id,
      cycleNo,
      startedAt: Date.now(),
      marketTime,
      symbols: config.strategy.symbols,
      seen: { account, positions: [] },
      after: { account, positions: [] },
      closedTrades: [],
      reasoning: 'test',
      decisions: [],
      verdicts: [],
      executions: [],
      summary: 'test',
      llm: null,
      safeMode: false,
      unprotected: [],
      ...over,
    };
  }
  const rejected = (reason: string): RiskVerdict => ({
    decision: { action: 'open_long', symbol: 'BTCUSDT', reason: 'test' },
    status: 'rejected',
    reason,
  });
  const kindsOf = async () => (await deliveries(arena.db)).map((d) => d.kind);

  it("detects every cycle event once, against the agent's previous cycle, and writes one outbox row per channel", async () => {
    const t = dayEnd();
    await record.recordCycleOutcome(cycle(1, t, 1000));
    assert.deepEqual(await kindsOf(), [], 'an ordinary cycle raises nothing');

    const eventful = cycle(2, t + BAR, 700, {
      safeMode: true,
      unprotected: ['XRPUSDT'],
      verdicts: [
        rejected(
          'daily loss 30.0 % (equity down to 700.00 from 1000.00 at 00:00 UTC) reached the 15 % limit (max_daily_loss_pct): no new positions until tomorrow',
        ),
        rejected('drawdown 30.0 % (equity 700.00 vs peak 1000.00) reached the 30 % lock (max_drawdown_pct): no new positions'),
      ],
      executions: [
        { symbol: 'ETHUSDT', leg: 'open', clientOrderId: 'o1', status: 'rejected', error: '-2019: Margin is insufficient' },
        { symbol: 'BNBUSDT', leg: 'open', clientOrderId: 'o2', status: 'filled' },
        { symbol: 'BNBUSDT', leg: 'stop_loss', clientOrderId: 'o3', status: 'rejected', error: '-2021: Order would immediately trigger' },
        {
          symbol: 'BNBUSDT',
          leg: 'emergency_close',
          clientOrderId: 'o4',
          status: 'filled',
          error: 'closed because the stop-loss could not be placed',
        },
      ],
      closedTrades: [{ symbol: 'SOLUSDT', side: 'long', reason: 'liquidation', exitPrice: 120, pnl: -300 }],
    });
    await record.recordCycleOutcome(eventful);
    const expected = [
      'daily_loss_limit',
      'drawdown_lock',
      'safe_mode_entered',
      'emergency_close',
      'unprotected_position',
      'liquidation',
      'venue_errors',
      'equity_drop',
    ];
    assert.deepEqual(await kindsOf(), expected);
    const venue = await arena.db.selectFrom('alert_events').select('fields').where('kind', '=', 'venue_errors').executeTakeFirstOrThrow();
    assert.equal(venue.fields.errors, 2, 'the two refused orders of the last 10 minutes');

    await record.recordCycleOutcome(eventful);
    assert.deepEqual(await kindsOf(), expected, 'a retried record step adds nothing');
    await record.recordCycleOutcome(cycle(3, t + 2 * BAR, 700, { safeMode: true, unprotected: ['XRPUSDT'] }));
    assert.deepEqual(await kindsOf(), expected, 'still in safe mode, still the same position: nothing new');
  });

  it('summarises the day that ended and sees safe mode left', async () => {
    const before = (await kindsOf()).length;
    // An hour into the next day: the last hour's high (1000) is out of reach, no second equity alert.
    const nextDay = (Math.floor(dayEnd() / DAY) + 1) * DAY + 20 * BAR;
    await record.recordCycleOutcome(cycle(4, nextDay, 710));
    assert.deepEqual((await kindsOf()).slice(before), ['safe_mode_left', 'daily_summary']);
    const summary = await arena.db.selectFrom('alert_events').selectAll().where('kind', '=', 'daily_summary').executeTakeFirstOrThrow();
    const day = new Date(dayEnd()).toISOString().slice(0, 10);
    assert.equal(summary.key, `daily_summary:${agent().id}:${day}`);
    assert.equal(summary.fields.end_equity, 700);
    assert.equal(
      summary.fields.pnl,
      700 - agent().strategy.initialBalance,
      "from the initial balance (no snapshot before the day) to the day's last equity",
    );
  });

  it('raises one alert per streak of failed cycles, and counts the venue failures', async () => {
    const before = (await deliveries(arena.db)).length;
    const fail = (cycleNo: number) =>
      record.recordCycleFailure({
        agentId: agent().id,
        cycleNo,
        startedAt: Date.now(),
        marketTime: null,
        error: 'VenueUnavailable: no adapter for the venue',
      });
    for (const cycleNo of [5, 6, 7]) await fail(cycleNo);
    // (A venue_errors alert of a new 10-minute window may join them, if the clock just crossed one.)
    const raised = (await deliveries(arena.db)).slice(before).filter((d) => d.kind !== 'venue_errors');
    assert.deepEqual(
      raised.map((d) => d.event_key),
      [`cycles_failing:${agent().id}:5`],
    );
    const counted = await venueErrorsSince(arena.db, agent().id, new Date(Date.now() - 600_000), VENUE_FAILURE_PREFIX);
    assert.deepEqual(counted, { count: 5, lastError: 'VenueUnavailable: no adapter for the venue' });
  });
});
