/**
 * One core, two drivers: the same agents over the same bars in the durable arena (real dev server,
 * Postgres, the paper venue's Postgres books) and in the backtester (memory books) produce identical
 * orders, fills, trades and final equity. And decision replay: an LLM agent's recorded decisions,
 * replayed under its own limits, give its recorded trades; under tighter limits, fewer or smaller
 * ones; the model is never asked.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Decimal from 'decimal.js';
import type { AgentConfig } from '../../arena-config/types';
import { createApp } from '../../api/app';
import { arenaChance } from '../../backtest/arena-chance';
import { placeAmong, randomEntryReturns } from '../../backtest/chance';
import { runBacktest, type BacktestRun } from '../../backtest/engine';
import { replayCommand, type ReplayDocument } from '../../backtest/replay-command';
import { BUNDLED_DATA_DIR, ReplayMarketData } from '../../market/replay';
import { agentWorkflowId, getStateQuery, stopSignal } from '../../workflows/definitions';
import { type TestArena, cycleCount, demoAgent, eventually, startTestArena } from '../support/arena';
import { type MockLlmServer, startOpenAiServer } from '../support/llm-servers';

const CYCLES = 30;
const KEY_VARIABLE = 'DEEPSEEK_API_KEY_PARITY_TEST';
const dec = (v: string | number | null) => (v === null ? null : new Decimal(v).toString());

describe('parity: the arena and the backtester on the same bars (real dev server)', function () {
  this.timeout(300_000);
  let arena: TestArena;
  let server: MockLlmServer;
  let baselines: AgentConfig[];
  let llm: AgentConfig;
  let backtest: BacktestRun;
  const key = `sk-test-${Math.random().toString(36).slice(2)}`;

  before(async () => {
    // The model opens a long on a symbol that has none, then holds: a deterministic stream of decisions.
    server = await startOpenAiServer({
      apiKey: key,
      models: ['deepseek-chat'],
      script: (request) => {
        const text = JSON.stringify(request.body.messages);
        const symbol = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].find((s) => !new RegExp(`${s}\\|(long|short)`).test(text));
        return {
          json: symbol
            ? {
                reasoning: 'trend',
                decisions: [{ action: 'open_long', symbol, size_usd: 2500, leverage: 5, confidence: 0.6, reason: 'trend' }],
              }
            : { reasoning: 'hold', decisions: [{ action: 'wait', reason: 'full' }] },
          usage: { input: 1000, output: 60 },
        };
      },
    });
    process.env[KEY_VARIABLE] = key;
    arena = await startTestArena();
    await arena.runWorker();
    baselines = (['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'] as const).map((b) => demoAgent(b, arena.tag));
    const base = demoAgent('ema-trend', `${arena.tag}-llm`);
    llm = {
      ...base,
      decisionMaker: {
        provider: 'deepseek',
        model: 'deepseek-chat',
        baseUrl: server.url,
        apiKeyEnv: KEY_VARIABLE,
        temperature: 0.1,
        maxTokens: 1000,
        timeoutSeconds: 30,
        priceInputPerMillion: 0.27,
        priceOutputPerMillion: 1.1,
        maxConsecutiveFailures: 3,
      },
    };
    const agents = [...baselines, llm];
    await arena.start(agents, 400, { barMs: 400 });
    await eventually(
      `${CYCLES} cycles of every agent`,
      async () => {
        const counts = await Promise.all(agents.map((a) => cycleCount(arena.db, a.id)));
        return counts.every((n) => n >= CYCLES);
      },
      180_000,
    );
    for (const a of agents) await arena.client.workflow.getHandle(agentWorkflowId(a.id)).signal(stopSignal);
    for (const a of agents) {
      await eventually(
        `${a.id} stopped`,
        async () => (await arena.client.workflow.getHandle(agentWorkflowId(a.id)).query(getStateQuery)).status === 'STOPPED',
      );
    }

    // The backtester at the arena's own bars and cycle numbers (a slow cycle may have skipped a bar).
    const schedules = new Map<string, Map<number, number>>();
    for (const a of baselines) {
      const rows = await arena.db
        .selectFrom('cycles')
        .select(['cycle_no', 'market_time', 'status'])
        .where('agent_id', '=', a.id)
        .orderBy('cycle_no')
        .execute();
      assert.ok(
        rows.every((r) => r.status === 'ok'),
        `${a.id}: a cycle failed in the arena`,
      );
      schedules.set(a.id, new Map(rows.map((r) => [r.market_time!.getTime(), r.cycle_no])));
    }
    const bars = [...new Set([...schedules.values()].flatMap((s) => [...s.keys()]))].sort((x, y) => x - y);
    backtest = await runBacktest({ agents: baselines, market: new ReplayMarketData(), bars, schedule: (a) => schedules.get(a.id)! });
  });
  after(async () => {
    await arena?.close();
    await server?.close();
  });

  const runOf = (a: AgentConfig) => backtest.runs.find((r) => r.config.id === a.id)!;

  it('places the same orders, with the same ids, quantities, stops and outcomes', async () => {
    let total = 0;
    for (const a of baselines) {
      const rows = await arena.db.selectFrom('orders').selectAll().where('agent_id', '=', a.id).orderBy('client_order_id').execute();
      const arenaOrders = rows.map((o) => ({
        id: o.client_order_id,
        cycle: o.cycle_no,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        purpose: o.purpose,
        quantity: dec(o.quantity),
        stop: dec(o.stop_price),
        status: o.status,
        executed: dec(o.executed_qty),
        price: dec(o.avg_price),
        fee: dec(o.fee),
      }));
      const memory = [...runOf(a).ledger.orders.values()]
        .sort((x, y) => (x.order.clientOrderId < y.order.clientOrderId ? -1 : 1))
        .map((o) => ({
          id: o.order.clientOrderId,
          cycle: o.place.cycleNo,
          symbol: o.order.symbol,
          side: o.order.side,
          type: o.order.type,
          purpose: o.purpose,
          quantity: dec(o.order.quantity),
          stop: dec(o.order.stopPrice),
          status: o.order.status,
          executed: dec(o.order.executedQty),
          price: dec(o.order.avgPrice),
          fee: dec(o.order.fee),
        }));
      assert.deepEqual(memory, arenaOrders, `${a.id}: orders differ`);
      total += rows.length;
    }
    assert.ok(total >= 10, `only ${total} orders: the window should make the baselines trade`);
  });

  it('records the same fills', async () => {
    for (const a of baselines) {
      const rows = await arena.db.selectFrom('fills').selectAll().where('agent_id', '=', a.id).orderBy('client_order_id').execute();
      const arenaFills = rows.map((f) => ({
        id: f.client_order_id,
        symbol: f.symbol,
        side: f.side,
        qty: dec(f.quantity),
        price: dec(f.price),
        fee: dec(f.fee),
        pnl: dec(f.realized_pnl),
        time: f.time.getTime(),
      }));
      const memory = [...runOf(a).ledger.fills.values()]
        .map((f) => f.order)
        .sort((x, y) => (x.clientOrderId < y.clientOrderId ? -1 : 1))
        .map((o) => ({
          id: o.clientOrderId,
          symbol: o.symbol,
          side: o.side,
          qty: dec(o.executedQty),
          price: dec(o.avgPrice),
          fee: dec(o.fee),
          pnl: dec(o.realizedPnl),
          time: o.updatedAt,
        }));
      assert.deepEqual(memory, arenaFills, `${a.id}: fills differ`);
    }
  });

  it('books the same trades, opened and closed at the same prices, fees, funding and PnL', async () => {
    for (const a of baselines) {
      const rows = await arena.db.selectFrom('trades').selectAll().where('agent_id', '=', a.id).orderBy('id').execute();
      const arenaTrades = rows.map((t) => ({
        symbol: t.symbol,
        side: t.side,
        qty: dec(t.quantity),
        leverage: t.leverage,
        entry: dec(t.entry_price),
        exit: dec(t.exit_price),
        opened: t.opened_at.getTime(),
        closed: t.closed_at?.getTime() ?? null,
        openCycle: t.open_cycle,
        status: t.status,
        pnl: dec(t.pnl),
        reason: t.close_reason,
      }));
      const memory = runOf(a).ledger.trades.map((t) => ({
        symbol: t.symbol,
        side: t.side,
        qty: dec(t.quantity),
        leverage: t.leverage,
        entry: dec(t.entryPrice),
        exit: dec(t.close?.exitPrice ?? null),
        opened: t.openedAt,
        closed: t.close?.closedAt ?? null,
        openCycle: t.openCycle,
        status: t.status,
        pnl: dec(t.close?.pnl ?? null),
        reason: t.close?.reason ?? null,
      }));
      assert.deepEqual(memory, arenaTrades, `${a.id}: trades differ`);
    }
    const random = await arena.db.selectFrom('trades').select('id').where('agent_id', '=', baselines[3]!.id).execute();
    assert.ok(random.length >= 3, 'random-entry traded');
  });

  it('ends every agent at the same equity, cycle by cycle', async () => {
    for (const a of baselines) {
      const rows = await arena.db
        .selectFrom('equity_snapshots')
        .select(['cycle_no', 'equity', 'position_count'])
        .where('agent_id', '=', a.id)
        .orderBy('cycle_no')
        .execute();
      const memory = runOf(a).ledger.cycles.map((c) => ({ cycle: c.cycleNo, equity: dec(c.equity), positions: c.positions }));
      assert.deepEqual(
        memory,
        rows.map((r) => ({ cycle: r.cycle_no, equity: dec(r.equity), positions: r.position_count })),
        `${a.id}: equity differs`,
      );
    }
  });

  it("places each agent among its random-entry twins on the leaderboard (the backtester's runs at its own bars)", async () => {
    const chance = arenaChance(arena.db, { dataDir: BUNDLED_DATA_DIR, runs: 4, waitMs: 60_000 });
    try {
      const api = createApp({ db: arena.db, temporal: arena.client }, { chance });
      const ema = baselines[0]!;
      const performance = (await (await api.request(`/api/agents/${ema.id}/performance`)).json()) as any;
      const placed = performance.data.vs_random_entry;
      assert.equal(placed.runs, 4);
      assert.equal(performance.data.vs_random_entry_note, null);
      // The same twins run by the backtester over the agent's own bars and cycle numbers give the same place.
      const rows = await arena.db
        .selectFrom('cycles')
        .select(['cycle_no', 'market_time'])
        .where('agent_id', '=', ema.id)
        .orderBy('cycle_no')
        .execute();
      const schedule = new Map(rows.map((r) => [r.market_time!.getTime(), r.cycle_no]));
      const returns = await randomEntryReturns(BUNDLED_DATA_DIR, ema, [...schedule.keys()], 4, { schedule });
      const expected = placeAmong(performance.data.return_pct, returns);
      assert.deepEqual(placed, { percentile: expected.percentile, runs: 4, p_value: expected.pValue });
      const board = (await (await api.request('/api/leaderboard')).json()) as any;
      assert.deepEqual(board.data.find((e: { agent_id: string }) => e.agent_id === ema.id).vs_random_entry, placed);
    } finally {
      await chance.close();
    }
  });

  describe('decision replay of the LLM agent', () => {
    const replay = async (args: string[]): Promise<ReplayDocument> => {
      let out = '';
      const stdout = new Writable({
        write: (chunk, _e, done) => {
          out += String(chunk);
          done();
        },
      });
      const code = await replayCommand(['--agent', llm.id, '--json', ...args], { stdout, env: {}, cwd: process.cwd(), db: arena.db });
      assert.equal(code, 0);
      return JSON.parse(out) as ReplayDocument;
    };

    it('under its own limits gives its recorded results, without asking the model', async () => {
      const calls = server.requests.length;
      const doc = await replay([]);
      assert.equal(server.requests.length, calls, 'the replay asked the model');
      assert.ok(doc.cycles >= CYCLES);
      assert.deepEqual(doc.changedLimits, {});
      assert.ok(doc.recorded.closedTrades + doc.recorded.openTrades >= 3, 'the LLM agent traded');
      assert.deepEqual(doc.replayed, doc.recorded);
    });

    it('under tighter limits gives fewer or smaller trades, says which rules refused what, and asks no model', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'replay-risk-'));
      const file = path.join(dir, 'tight.yaml');
      await writeFile(file, 'risk_management:\n  max_leverage: 2\n  max_positions: 1\n');
      const calls = server.requests.length;
      const doc = await replay(['--risk', file]);
      assert.equal(server.requests.length, calls, 'the replay asked the model');
      assert.deepEqual(doc.changedLimits, { max_leverage: [10, 2], max_positions: [3, 1] });
      const recordedTrades = doc.recorded.closedTrades + doc.recorded.openTrades;
      const replayedTrades = doc.replayed.closedTrades + doc.replayed.openTrades;
      assert.ok(replayedTrades < recordedTrades, `${replayedTrades} replayed trades, ${recordedTrades} recorded`);
      assert.ok(
        (doc.replayed.rejections.max_positions ?? 0) > (doc.recorded.rejections.max_positions ?? 0),
        JSON.stringify(doc.replayed.rejections),
      );
      assert.ok(doc.replayed.fees < doc.recorded.fees);
    });

    it('refuses a risk file that breaks a rule, naming the file, the field and the value', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'replay-risk-'));
      const file = path.join(dir, 'bad.yaml');
      await writeFile(file, 'max_leverage: 500\n');
      await assert.rejects(replay(['--risk', file]), (err: Error) => {
        assert.match(err.message, /bad\.yaml: max_leverage: .*125/);
        return true;
      });
    });
  });
});
