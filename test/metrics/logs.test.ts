/**
 * The log: JSON lines or pretty ones, secrets redacted in both, the Temporal SDK's lines through the
 * same logger, and the line each recorded cycle writes.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../infra/logger';
import { logCycle, logCycleFailure } from '../../observability/cycle-log';
import { agentOfWorkflowId, temporalLogger } from '../../observability/temporal-logger';
import { refreshProcessRedactor } from '../../secrets/known-secrets';
import type { RecordInput } from '../../workflows/definitions';

const SECRET = 'sk-metrics-test-0123456789abcdef';

function capture(level = 'debug', pretty = false) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk) => chunks.push(String(chunk)));
  const log = createLogger(level, { pretty, destination: stream });
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

const json = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, any>);

const MARKET_TIME = Date.UTC(2025, 9, 2, 3, 0);

function record(over: Partial<RecordInput> = {}): RecordInput {
  const decision = { action: 'open_long' as const, symbol: 'BTCUSDT', sizeUsd: 500, reason: 'trend' };
  return {
    agentId: 'ema-trend',
    cycleNo: 42,
    startedAt: Date.now() - 1200,
    marketTime: MARKET_TIME,
    symbols: ['BTCUSDT'],
    seen: { account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 }, positions: [] },
    closedTrades: [{ symbol: 'ETHUSDT', side: 'short', reason: 'stop_loss', exitPrice: 2100, pnl: -12.5 }],
    reasoning: 'trend up',
    decisions: [decision, { action: 'open_long', symbol: 'SOLUSDT', sizeUsd: 500, reason: 'x' }],
    verdicts: [
      { decision, status: 'approved', reason: 'open long 0.012 BTCUSDT' },
      {
        decision: { action: 'open_long', symbol: 'SOLUSDT', sizeUsd: 500, reason: 'x' },
        status: 'rejected',
        reason: '1 positions open',
        rule: 'max_positions',
      },
    ],
    executions: [
      { symbol: 'BTCUSDT', leg: 'open', clientOrderId: 'a', status: 'filled', quantity: 0.012, price: 30_000 },
      { symbol: 'BTCUSDT', leg: 'take_profit', clientOrderId: 'b', status: 'rejected', error: 'PRECISION: bad tick' },
      {
        symbol: 'BTCUSDT',
        leg: 'emergency_close',
        clientOrderId: 'c',
        status: 'filled',
        error: 'closed because the take-profit could not be placed',
      },
    ],
    after: { account: { equity: 10_012.34, available: 9000, marginUsed: 120, unrealizedPnl: 3 }, positions: [] },
    summary: 'open long BTCUSDT 0.012 @3x · 1 rejected · 1 emergency close',
    llm: null,
    safeMode: false,
    unprotected: [],
    ...over,
  };
}

describe('the log', () => {
  before(() => {
    process.env.METRICS_TEST_API_KEY = SECRET;
    refreshProcessRedactor();
  });
  after(() => {
    delete process.env.METRICS_TEST_API_KEY;
    refreshProcessRedactor();
  });

  it('writes one JSON object per line, a secret redacted, at the level asked for', () => {
    const { log, lines } = capture('info');
    log.debug('not written');
    log.info({ agent: 'a' }, `key ${SECRET} leaked`);
    const [line, ...rest] = json(lines());
    assert.equal(rest.length, 0);
    assert.equal(line!.level, 30);
    assert.equal(line!.agent, 'a');
    assert.ok(!line!.msg.includes(SECRET), line!.msg);
  });

  it('writes pretty lines for a person: time, level, [agent] and the message, a secret redacted', () => {
    const { log, lines } = capture('info', true);
    log.info({ agent: 'ema-trend', cycle: 3, equity: 1 }, `cycle 3 · key ${SECRET}`);
    const [line] = lines();
    assert.match(line!, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[ema-trend\] cycle 3 · key /);
    assert.ok(!line!.includes(SECRET));
    assert.ok(!line!.includes('"equity"'), 'fields the message says are left out');
  });

  it('refuses a LOG_FORMAT it does not know', () => {
    process.env.LOG_FORMAT = 'xml';
    try {
      assert.throws(() => createLogger('info', { destination: new PassThrough() }), /LOG_FORMAT: expected pretty or json, got "xml"/);
    } finally {
      delete process.env.LOG_FORMAT;
    }
  });

  it("takes the Temporal SDK's lines: agent from the workflow id, errors serialised, bundler output at debug", () => {
    const { log, lines } = capture('debug');
    const sdk = temporalLogger(log);
    sdk.warn('Activity failed', {
      workflowId: 'agent-ema-trend-cycle-7',
      activityType: 'placeOrders',
      namespace: 'default',
      taskQueue: 'arena',
      sdkComponent: 'activity',
      error: new Error(`venue down ${SECRET}`),
    });
    temporalLogger(log, { infoAsDebug: true }).info('asset workflow-bundle.js 1.2 MiB');
    sdk.info('paused: pause via API', { workflowId: 'agent-btc-buy-hold', sdkComponent: 'workflow' });
    const [failed, bundler, paused] = json(lines());
    assert.equal(failed!.level, 40);
    assert.equal(failed!.agent, 'ema-trend');
    assert.equal(failed!.component, 'temporal-activity');
    assert.equal(failed!.activityType, 'placeOrders');
    assert.equal(failed!.namespace, undefined);
    assert.match(failed!.err.message, /^venue down /);
    assert.ok(!JSON.stringify(failed).includes(SECRET));
    assert.equal(bundler!.level, 20);
    assert.deepEqual([paused!.level, paused!.agent, paused!.msg], [30, 'btc-buy-hold', 'paused: pause via API']);
    assert.equal(agentOfWorkflowId('lock-paper-main'), undefined);
  });

  it('says in one info line what a cycle decided and did, then warns of refused orders, emergency closes, liquidations, model failures and safe mode', () => {
    const { log, lines } = capture('info');
    logCycle(log, record(), 1234);
    logCycle(
      log,
      record({
        cycleNo: 43,
        closedTrades: [{ symbol: 'BTCUSDT', side: 'long', reason: 'liquidation', exitPrice: 20_000, pnl: -900 }],
        executions: [],
        llm: { error: 'LlmTimeout: no answer' },
        safeMode: true,
        summary: 'wait',
      }),
      800,
    );
    logCycleFailure(log, { agentId: 'ema-trend', cycleNo: 44, startedAt: 0, marketTime: null, error: 'VenueUnavailable: 503' }, 61_000);
    const [cycle, refused, emergency, next, liquidated, model, safe, failed] = json(lines());
    assert.equal(cycle!.level, 30);
    assert.equal(
      cycle!.msg,
      'cycle 42 · bar 2025-10-02 03:00Z · open long BTCUSDT 0.012 @3x · 1 rejected · 1 emergency close · ' +
        'refused open_long SOLUSDT (max_positions) · ETHUSDT short closed by stop-loss (-12.50 USDT) · equity 10,012.34 USDT · 0 positions · 1.2 s',
    );
    assert.deepEqual(
      [cycle!.agent, cycle!.cycle, cycle!.marketTime, cycle!.decided, cycle!.executed, cycle!.equity, cycle!.durationMs],
      [
        'ema-trend',
        42,
        '2025-10-02T03:00:00.000Z',
        ['open_long BTCUSDT', 'open_long SOLUSDT rejected (max_positions)'],
        ['open BTCUSDT filled', 'take_profit BTCUSDT rejected', 'emergency_close BTCUSDT filled'],
        10_012.34,
        1234,
      ],
    );
    assert.deepEqual([refused!.level, refused!.msg], [40, 'cycle 42: take_profit BTCUSDT refused by the venue: PRECISION: bad tick']);
    assert.deepEqual(
      [emergency!.level, emergency!.msg],
      [40, 'cycle 42: emergency close of BTCUSDT filled: closed because the take-profit could not be placed'],
    );
    assert.equal(next!.level, 30);
    assert.deepEqual([liquidated!.level, liquidated!.msg], [40, 'cycle 43: BTCUSDT long was liquidated (-900.00 USDT)']);
    assert.deepEqual([model!.level, model!.msg], [40, 'cycle 43: model call failed, the agent waits this cycle: LlmTimeout: no answer']);
    assert.deepEqual(
      [safe!.level, safe!.msg],
      [40, 'cycle 43: safe mode: no new positions until the agent recovers from repeated failures'],
    );
    assert.deepEqual([failed!.level, failed!.msg, failed!.agent], [40, 'cycle 44 failed after 61.0 s: VenueUnavailable: 503', 'ema-trend']);
  });
});
