import assert from 'node:assert/strict';
import {
  type AgentLiveness,
  type CycleFacts,
  type CycleHistory,
  detectCycleAlerts,
  detectFailureAlerts,
  detectTimedAlerts,
} from '../../alerts/detect';
import type { AlertEvent } from '../../alerts/types';
import { ALERT_THRESHOLD_DEFAULTS } from '../../arena-config/types';
import type { RiskVerdict } from '../../risk/types';

const T = Date.UTC(2025, 9, 12, 10, 30);
const NOW = Date.UTC(2026, 0, 1, 12, 0);
const thresholds = { ...ALERT_THRESHOLD_DEFAULTS };

function cycle(over: Partial<CycleFacts> = {}): CycleFacts {
  return {
    agentId: 'a1',
    cycleNo: 10,
    marketTime: T,
    verdicts: [],
    executions: [],
    closedTrades: [],
    safeMode: false,
    unprotected: [],
    after: { account: { equity: 1000, available: 1000, marginUsed: 0, unrealizedPnl: 0 }, positions: [] },
    ...over,
  };
}

function history(over: Partial<CycleHistory> = {}): CycleHistory {
  return {
    previous: { cycleNo: 9, marketTime: T - 180_000, safeMode: false, unprotected: [] },
    equityHighLastHour: 1000,
    venueErrors: null,
    dailySummary: null,
    now: NOW,
    ...over,
  };
}

const rejected = (reason: string): RiskVerdict => ({
  decision: { action: 'open_long', symbol: 'BTCUSDT', reason: 'test' },
  status: 'rejected',
  reason,
});
const kinds = (events: AlertEvent[]) => events.map((e) => e.kind);
const keys = (events: AlertEvent[]) => events.map((e) => e.key);

describe('alert detection: a recorded cycle', () => {
  it('raises nothing for an ordinary cycle', () => {
    assert.deepEqual(detectCycleAlerts(cycle(), history(), thresholds), []);
  });

  it('finds the daily loss breaker and the drawdown lock among the rejections, once a day each', () => {
    const events = detectCycleAlerts(
      cycle({
        verdicts: [
          rejected(
            'daily loss 15.2 % (equity down to 848.00 from 1000.00 at 00:00 UTC) reached the 15 % limit (max_daily_loss_pct): no new positions until 2025-10-13',
          ),
          rejected('drawdown 31.0 % (equity 690.00 vs peak 1000.00) reached the 30 % lock (max_drawdown_pct): no new positions'),
          rejected('BTCUSDT is not traded by this agent (no price or venue rules)'),
        ],
      }),
      history(),
      thresholds,
    );
    assert.deepEqual(keys(events), ['daily_loss_limit:a1:2025-10-12', 'drawdown_lock:a1:2025-10-12']);
    assert.equal(events[0]!.severity, 'critical');
    assert.match(String(events[0]!.fields.reason), /max_daily_loss_pct/);
  });

  it("goes by the verdict's rule where it has one", () => {
    const byRule = detectCycleAlerts(
      cycle({
        verdicts: [
          { ...rejected('equity down a lot'), rule: 'max_daily_loss_pct' },
          { ...rejected('(max_drawdown_pct) quoted'), rule: 'max_positions' },
        ],
      }),
      history(),
      thresholds,
    );
    assert.deepEqual(keys(byRule), ['daily_loss_limit:a1:2025-10-12']);
  });

  it('finds safe mode entered and left against the previous cycle', () => {
    const entered = detectCycleAlerts(cycle({ safeMode: true }), history(), thresholds);
    assert.deepEqual(keys(entered), ['safe_mode_entered:a1:10']);
    const still = detectCycleAlerts(
      cycle({ safeMode: true }),
      history({ previous: { ...history().previous!, safeMode: true } }),
      thresholds,
    );
    assert.deepEqual(still, []);
    const left = detectCycleAlerts(cycle(), history({ previous: { ...history().previous!, safeMode: true } }), thresholds);
    assert.deepEqual(keys(left), ['safe_mode_left:a1:10']);
    assert.equal(left[0]!.severity, 'info');
  });

  it('reports each emergency close, each liquidation, and positions newly found without protection', () => {
    const events = detectCycleAlerts(
      cycle({
        executions: [
          { symbol: 'ETHUSDT', leg: 'open', clientOrderId: 'o1', status: 'filled' },
          {
            symbol: 'ETHUSDT',
            leg: 'emergency_close',
            clientOrderId: 'o2',
            status: 'filled',
            error: 'closed because the stop-loss could not be placed: -2021',
          },
        ],
        closedTrades: [
          { symbol: 'SOLUSDT', side: 'long', reason: 'liquidation', exitPrice: 120.5, pnl: -98.7 },
          { symbol: 'BTCUSDT', side: 'short', reason: 'stop_loss', exitPrice: 60000, pnl: -10 },
        ],
        unprotected: ['XRPUSDT', 'DOGEUSDT'],
      }),
      history({ previous: { ...history().previous!, unprotected: ['DOGEUSDT'] } }),
      thresholds,
    );
    assert.deepEqual(keys(events), [
      'emergency_close:a1:10:ETHUSDT',
      'unprotected_position:a1:XRPUSDT:10',
      'liquidation:a1:10:SOLUSDT:long',
    ]);
    assert.match(events[2]!.title, /long SOLUSDT liquidated at 120\.5 \(PnL -98\.70 USDT\)/);
  });

  it('counts venue errors above the threshold once per 10-minute window', () => {
    const at = (count: number) =>
      detectCycleAlerts(cycle(), history({ venueErrors: { count, lastError: '-2019: Margin is insufficient' } }), thresholds);
    assert.deepEqual(at(5), []);
    const events = at(6);
    assert.deepEqual(kinds(events), ['venue_errors']);
    assert.equal(events[0]!.key, `venue_errors:a1:${Math.floor(NOW / 600_000)}`);
    assert.equal(events[0]!.fields.last_error, '-2019: Margin is insufficient');
  });

  it('finds equity down more than X % from the high of the last hour', () => {
    const equity = (value: number) =>
      cycle({ after: { account: { equity: value, available: value, marginUsed: 0, unrealizedPnl: 0 }, positions: [] } });
    assert.deepEqual(detectCycleAlerts(equity(800), history(), thresholds), []); // exactly 20 %
    const events = detectCycleAlerts(equity(799), history(), thresholds);
    assert.deepEqual(keys(events), [`equity_drop:a1:${Math.floor(T / 3_600_000)}`]);
    assert.match(events[0]!.title, /equity down 20\.1 % within an hour \(1000 → 799 USDT\)/);
    assert.deepEqual(detectCycleAlerts(equity(10), history({ equityHighLastHour: null }), thresholds), []);
  });

  it('writes the daily summary it is given', () => {
    const [summary] = detectCycleAlerts(
      cycle(),
      history({
        dailySummary: {
          day: '2025-10-11',
          pnl: 12.345,
          returnPct: 1.2345,
          endEquity: 1012.34,
          trades: 4,
          winRatePct: 50,
          feesUsd: 1.5,
          modelCostUsd: 0.1234,
        },
      }),
      thresholds,
    );
    assert.equal(summary!.key, 'daily_summary:a1:2025-10-11');
    assert.equal(summary!.title, 'a1 on 2025-10-11: PnL +12.35 USDT (+1.23 %), 4 trades, fees 1.5 USDT, model cost $0.12');
    assert.equal(summary!.fields.model_cost_usd, 0.1234);
  });
});

describe('alert detection: a failed cycle', () => {
  const failure = { agentId: 'a1', cycleNo: 12, startedAt: NOW, marketTime: null, error: 'VenueUnavailable: no adapter' };

  it('raises one alert per streak of N failed cycles', () => {
    assert.deepEqual(detectFailureAlerts(failure, { streak: { length: 2, firstCycle: 11 }, venueErrors: null, now: NOW }, thresholds), []);
    const events = detectFailureAlerts(failure, { streak: { length: 3, firstCycle: 10 }, venueErrors: null, now: NOW }, thresholds);
    assert.deepEqual(keys(events), ['cycles_failing:a1:10']);
    assert.equal(events[0]!.at, NOW);
    // The fourth failure of the same streak names the same event.
    assert.deepEqual(
      keys(
        detectFailureAlerts(
          { ...failure, cycleNo: 13 },
          { streak: { length: 4, firstCycle: 10 }, venueErrors: null, now: NOW },
          thresholds,
        ),
      ),
      ['cycles_failing:a1:10'],
    );
  });
});

describe('alert detection: the time-based checks', () => {
  const agent = (over: Partial<AgentLiveness>): AgentLiveness => ({
    agentId: 'a1',
    runId: 'r1',
    executionStatus: 'RUNNING',
    agentStatus: 'RUNNING',
    reason: null,
    startedAt: NOW - 7_200_000,
    closedAt: null,
    lastCycleAt: NOW - 60_000,
    ...over,
  });

  it('reports a run that ended, once per run, unless it ended long ago', () => {
    const events = detectTimedAlerts(
      [
        agent({ executionStatus: 'COMPLETED', agentStatus: 'STOPPED', reason: 'stopped by signal', closedAt: NOW - 5000 }),
        agent({
          agentId: 'a2',
          executionStatus: 'COMPLETED',
          agentStatus: 'FINISHED',
          reason: 'replayed to its end',
          closedAt: NOW - 5000,
        }),
        agent({ agentId: 'a3', executionStatus: 'TERMINATED', closedAt: NOW - 5000 }),
        agent({ agentId: 'a4', executionStatus: 'COMPLETED', agentStatus: 'STOPPED', closedAt: NOW - 2 * 86_400_000 }),
      ],
      thresholds,
      NOW,
    );
    assert.deepEqual(
      events.map((e) => [e.key, e.severity, e.title]),
      [
        ['agent_stopped:a1:r1', 'warning', 'a1 stopped: stopped by signal'],
        ['agent_stopped:a2:r1', 'info', 'a2 finished: replayed to its end'],
        ['agent_stopped:a3:r1', 'critical', 'a3 terminated'],
      ],
    );
  });

  it('reports a running agent silent for longer than M minutes, counting from its run start, never a paused one', () => {
    const silent = NOW - 61 * 60_000;
    const events = detectTimedAlerts(
      [
        agent({ lastCycleAt: silent }),
        agent({ agentId: 'a2', lastCycleAt: silent, agentStatus: 'PAUSED' }),
        agent({ agentId: 'a3', lastCycleAt: silent, startedAt: NOW - 60_000 }),
        agent({ agentId: 'a4', lastCycleAt: null, startedAt: silent }),
      ],
      thresholds,
      NOW,
    );
    assert.deepEqual(keys(events), [`no_cycle:a1:${silent}`, `no_cycle:a4:${silent}`]);
    assert.equal(events[0]!.title, 'a1: no cycle for 61 minutes');
  });
});
