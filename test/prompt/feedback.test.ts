import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database, NewTrade } from '../../db/schema';
import { PostgresAgentLedger } from '../../ledger/postgres-ledger';

const performanceFeedback = (db: Kysely<Database>, agentId: string) => new PostgresAgentLedger(db, agentId).feedback();
import { createTestDatabase, type TestDatabase } from '../support/database';

const T0 = Date.UTC(2023, 6, 30, 12, 0);
const MIN = 60_000;
let orderNo = 0;

function trade(
  agentId: string,
  t: { symbol: string; side: 'long' | 'short'; pnl: string | null; margin: string; reason?: string; openMin: number; closeMin?: number },
): NewTrade {
  const closed = t.closeMin !== undefined;
  return {
    agent_id: agentId,
    symbol: t.symbol,
    side: t.side,
    quantity: '1',
    leverage: 5,
    margin: t.margin,
    entry_price: '100',
    exit_price: closed ? '101' : null,
    open_cycle: 1,
    close_cycle: closed ? 2 : null,
    open_order_id: `o${++orderNo}`,
    opened_at: new Date(T0 + t.openMin * MIN),
    closed_at: closed ? new Date(T0 + t.closeMin! * MIN) : null,
    fees: '0.1',
    funding: '0',
    realized_pnl: t.pnl,
    pnl: t.pnl,
    status: closed ? 'closed' : 'open',
    close_reason: t.reason ?? null,
  };
}

describe("an agent's feedback for its prompt (the Postgres ledger)", function () {
  this.timeout(30_000);
  let testDb: TestDatabase;
  let db: Kysely<Database>;

  before(async () => {
    testDb = await createTestDatabase();
    db = createDb(testDb.url, 2);
    await migrateToLatest(db);
    for (const id of ['a1', 'a2', 'a3']) {
      await db
        .insertInto('agents')
        .values({
          id,
          name: id,
          provider: 'deepseek',
          model: 'm',
          venue: 'paper',
          account: id,
          initial_balance: 10_000,
          config: '{}',
        })
        .execute();
    }
    await db
      .insertInto('trades')
      .values([
        trade('a1', { symbol: 'BTCUSDT', side: 'long', pnl: '-62.05', margin: '1000', reason: 'stop_loss', openMin: 0, closeMin: 95 }),
        trade('a1', { symbol: 'ETHUSDT', side: 'long', pnl: '58.2149', margin: '500', reason: 'take_profit', openMin: 100, closeMin: 271 }),
        trade('a1', { symbol: 'BTCUSDT', side: 'short', pnl: '-18.77', margin: '999.5', reason: 'signal', openMin: 300, closeMin: 560 }),
        trade('a1', { symbol: 'SOLUSDT', side: 'short', pnl: '12.4', margin: '300', reason: 'signal', openMin: 570, closeMin: 603 }),
        trade('a1', { symbol: 'ETHUSDT', side: 'long', pnl: null, margin: '400', openMin: 610 }), // still open
        trade('a2', { symbol: 'XRPUSDT', side: 'long', pnl: '5', margin: '100', reason: 'manual', openMin: 0, closeMin: 30 }),
      ])
      .execute();
    const cycle = (agent_id: string, cycle_no: number, summary: string, status: 'ok' | 'failed' = 'ok') => ({
      agent_id,
      cycle_no,
      status,
      market_time: new Date(T0),
      started_at: new Date(T0),
      finished_at: new Date(T0),
      duration_ms: 5,
      input: '{}',
      decisions: '[]',
      risk_verdicts: '[]',
      executions: '[]',
      summary,
    });
    await db
      .insertInto('cycles')
      .values([
        ...[1, 2, 3, 4, 5, 6].map((n) => cycle('a1', n, `summary ${n}`)),
        cycle('a1', 7, 'failed: venue down', 'failed'),
        cycle('a2', 8, 'other agent'),
      ])
      .execute();
  });

  after(async () => {
    await db?.destroy();
    await testDb?.drop();
  });

  it('sums the closed trades: count, win rate, total, best and worst symbol', async () => {
    const f = await performanceFeedback(db, 'a1');
    assert.equal(f.tradeCount, 4);
    assert.equal(f.winRate, 0.5);
    assert.equal(f.totalPnl, -10.2051);
    assert.deepEqual(f.bestSymbol, { symbol: 'ETHUSDT', pnl: 58.2149 });
    assert.deepEqual(f.worstSymbol, { symbol: 'BTCUSDT', pnl: -80.82 });
  });

  it('lists the closed trades newest first with return on margin and hold time', async () => {
    const f = await performanceFeedback(db, 'a1');
    assert.deepEqual(f.recentTrades, [
      { symbol: 'SOLUSDT', side: 'short', pnl: 12.4, returnOnMarginPct: 4.13, closeReason: 'signal', holdMinutes: 33 },
      { symbol: 'BTCUSDT', side: 'short', pnl: -18.77, returnOnMarginPct: -1.88, closeReason: 'signal', holdMinutes: 260 },
      { symbol: 'ETHUSDT', side: 'long', pnl: 58.2149, returnOnMarginPct: 11.64, closeReason: 'take_profit', holdMinutes: 171 },
      { symbol: 'BTCUSDT', side: 'long', pnl: -62.05, returnOnMarginPct: -6.21, closeReason: 'stop_loss', holdMinutes: 95 },
    ]);
  });

  it("gives the last five cycles' summaries, newest first, failed ones included", async () => {
    const f = await performanceFeedback(db, 'a1');
    assert.deepEqual(f.recentDecisions, [
      { cycle: 7, summary: 'failed: venue down' },
      { cycle: 6, summary: 'summary 6' },
      { cycle: 5, summary: 'summary 5' },
      { cycle: 4, summary: 'summary 4' },
      { cycle: 3, summary: 'summary 3' },
    ]);
  });

  it('names one symbol as best and none as worst when only one was traded', async () => {
    const f = await performanceFeedback(db, 'a2');
    assert.equal(f.tradeCount, 1);
    assert.equal(f.winRate, 1);
    assert.deepEqual(f.bestSymbol, { symbol: 'XRPUSDT', pnl: 5 });
    assert.equal(f.worstSymbol, null);
    assert.deepEqual(f.recentDecisions, [{ cycle: 8, summary: 'other agent' }]);
  });

  it('is empty for an agent with no record', async () => {
    assert.deepEqual(await performanceFeedback(db, 'a3'), {
      tradeCount: 0,
      winRate: null,
      totalPnl: 0,
      recentTrades: [],
      bestSymbol: null,
      worstSymbol: null,
      recentDecisions: [],
    });
  });
});
