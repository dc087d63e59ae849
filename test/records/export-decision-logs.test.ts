import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { decisionFileName, exportDecisionLogs } from '../../records/export-decision-logs';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';

const AGENT = 'ema-trend-export';
const position = {
  symbol: 'BTCUSDT',
  side: 'long',
  quantity: 0.1,
  entryPrice: 30000,
  markPrice: 30300,
  unrealizedPnl: 30,
  leverage: 5,
  margin: 600,
  liquidationPrice: 24150,
  openedAt: Date.UTC(2025, 10, 2, 10, 0, 0),
  stopLoss: 29000,
  takeProfit: 32000,
};
const market = [
  {
    symbol: 'BTCUSDT',
    price: 30300,
    change1hPct: 0.4,
    change4hPct: 1.2,
    fundingRate: 0.0001,
    openInterest: null,
    volume3m: 12,
    tf3m: { closes: [30200, 30300] },
    tf4h: { trend: 'up' },
  },
];

/** Three cycles as recordCycle and recordCycleFailure write them: a wait, an open, a failure. */
const history = [
  {
    cycle_no: 1,
    status: 'ok' as const,
    finished: Date.UTC(2025, 10, 2, 10, 30, 0, 250),
    error: null,
    input: { account: { equity: 10000, available: 10000, marginUsed: 0, unrealizedPnl: 0 }, positions: [], market, closedTrades: [] },
    reasoning: 'trend not confirmed',
    decisions: [{ action: 'wait', reason: 'no signal' }],
    verdicts: [{ decision: { action: 'wait', reason: 'no signal' }, status: 'no_order', reason: 'wait' }],
    executions: [],
    summary: 'wait',
  },
  {
    cycle_no: 2,
    status: 'ok' as const,
    finished: Date.UTC(2025, 10, 2, 10, 33, 5),
    error: null,
    input: {
      account: { equity: 10030, available: 9430, marginUsed: 600, unrealizedPnl: 30 },
      positions: [position],
      market,
      closedTrades: [],
    },
    reasoning: '4h up, 3m momentum',
    decisions: [{ action: 'open_long', symbol: 'ETHUSDT', quantity: 1, leverage: 5, reason: 'breakout' }],
    verdicts: [{ decision: { action: 'open_long', symbol: 'ETHUSDT', reason: 'breakout' }, status: 'approved', reason: 'within limits' }],
    executions: [{ symbol: 'ETHUSDT', leg: 'open', clientOrderId: 'a-2-open', status: 'filled', quantity: 1, price: 2000, fee: 1 }],
    summary: 'open long ETHUSDT',
  },
  {
    cycle_no: 3,
    status: 'failed' as const,
    finished: Date.UTC(2025, 10, 2, 10, 36, 9),
    error: 'venue timeout',
    input: {},
    reasoning: null,
    decisions: [],
    verdicts: [],
    executions: [],
    summary: 'failed: venue timeout',
  },
];

describe('decision log export', () => {
  let db: Kysely<Database>;
  let database: MigratedTestDatabase;
  let out: string;

  before(async () => {
    database = await createMigratedTestDatabase(2);
    db = database.db;
    await db
      .insertInto('agents')
      .values({
        id: AGENT,
        name: 'EMA',
        provider: 'rule_based',
        model: 'ema_trend',
        venue: 'paper',
        account: AGENT,
        initial_balance: 10_000,
        config: '{}',
      })
      .execute();
    for (const c of history) {
      await db
        .insertInto('cycles')
        .values({
          agent_id: AGENT,
          cycle_no: c.cycle_no,
          status: c.status,
          market_time: new Date(c.finished - 86_400_000),
          started_at: new Date(c.finished - 1_000),
          finished_at: new Date(c.finished),
          duration_ms: 1_000,
          input: JSON.stringify(c.input),
          reasoning: c.reasoning,
          decisions: JSON.stringify(c.decisions),
          risk_verdicts: JSON.stringify(c.verdicts),
          executions: JSON.stringify(c.executions),
          error: c.error,
          summary: c.summary,
        })
        .execute();
    }
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'arena-export-'));
  });
  after(async () => {
    await fs.rm(out, { recursive: true, force: true });
    await database.close();
  });

  it('names files as the seed decision logger did', () => {
    assert.equal(decisionFileName(new Date(Date.UTC(2025, 10, 2, 10, 30, 0, 999)), 123), 'decision_20251102_103000_123.json');
  });

  it('writes one file per cycle under decisions/<agent_id>/, with the seed fields, in pages', async () => {
    const result = await exportDecisionLogs(db, AGENT, out, { pageSize: 2 });
    const dir = path.join(out, 'decisions', AGENT);
    assert.deepEqual(result, { dir, files: 3, firstCycle: 1, lastCycle: 3 });
    assert.deepEqual((await fs.readdir(dir)).sort(), [
      'decision_20251102_103000_1.json',
      'decision_20251102_103305_2.json',
      'decision_20251102_103609_3.json',
    ]);

    const read = async (name: string) => JSON.parse(await fs.readFile(path.join(dir, name), 'utf8'));
    const second = await read('decision_20251102_103305_2.json');
    for (const field of ['timestamp', 'cycle', 'agent_id', 'account', 'market_data', 'ai_reasoning', 'decisions', 'execution_results']) {
      assert.ok(field in second, `seed field ${field}`);
    }
    assert.equal(second.timestamp, '2025-11-02T10:33:05.000Z');
    assert.equal(second.cycle, 2);
    assert.equal(second.agent_id, AGENT);
    assert.equal(second.status, 'ok');
    assert.equal(second.ai_reasoning, '4h up, 3m momentum');
    assert.deepEqual(second.decisions, history[1]!.decisions);
    assert.deepEqual(second.risk_verdicts, history[1]!.verdicts);
    assert.deepEqual(second.execution_results, history[1]!.executions);
    assert.deepEqual(second.market_data, market, 'the whole snapshot the agent saw');
    assert.equal(second.account.balance, 10030);
    assert.equal(second.account.available, 9430);
    assert.equal(second.account.total_balance, 10030);
    assert.equal(second.account.available_balance, 9430);
    assert.equal(second.account.unrealized_pnl, 30);
    assert.ok(Math.abs(second.account.total_positions_value - 3030) < 1e-9);
    assert.deepEqual(second.account.positions, [
      {
        symbol: 'BTCUSDT',
        side: 'long',
        position_amt: 0.1,
        entry_price: 30000,
        mark_price: 30300,
        unrealized_profit: 30,
        pnl_percentage: 5,
        leverage: 5,
        liquidation_price: 24150,
        margin_type: 'isolated',
        margin: 600,
        opened_at: '2025-11-02T10:00:00.000Z',
        stop_loss: 29000,
        take_profit: 32000,
      },
    ]);

    const failed = await read('decision_20251102_103609_3.json');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, 'venue timeout');
    assert.equal(failed.account, null);
    assert.deepEqual([failed.decisions, failed.market_data, failed.execution_results], [[], [], []]);

    const again = await exportDecisionLogs(db, AGENT, out);
    assert.equal(again.files, 3);
    assert.equal((await fs.readdir(dir)).length, 3, 'exporting again rewrites the same files');
  });

  it('refuses an unknown agent and an id that is not a folder name', async () => {
    await assert.rejects(exportDecisionLogs(db, 'nobody', out), /no agent "nobody"/);
    await assert.rejects(exportDecisionLogs(db, '../etc', out), /cannot name a folder/);
  });
});
