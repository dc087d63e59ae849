import assert from 'node:assert/strict';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { cachedAnalytics, coalesced } from '../../analytics/cache';
import { loadAnalytics, loadLeaderboard, loadPerformance } from '../../analytics/load';
import {
  AnalyticsSchema,
  LeaderboardEntrySchema,
  PerformanceSchema,
  agentAnalyticsRoutes,
  leaderboardRoutes,
} from '../../api/routes/analytics';
import { createDb, migrateToLatest } from '../../db/connect';
import type { Database } from '../../db/schema';
import { conforms } from '../api/helpers';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { at, seedHistory } from './fixture';

describe('analytics routes', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let db: Kysely<Database>;
  let app: OpenAPIHono;

  before(async () => {
    database = await createTestDatabase();
    db = createDb(database.url);
    await migrateToLatest(db);
    await seedHistory(db);
    app = mounted();
  });
  after(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** Both groups mounted under their prefixes, as createApp mounts them. */
  const mounted = () => {
    const reader = cachedAnalytics(db);
    const parent = new OpenAPIHono();
    parent.route('/api/agents', agentAnalyticsRoutes(reader));
    parent.route('/api/leaderboard', leaderboardRoutes(reader));
    return parent;
  };

  const get = async (path: string) => {
    const res = await app.request(path);
    return {
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as { success: boolean; data: unknown; error: string | null },
    };
  };

  it("GET /api/agents/{id}/performance: the loader's numbers in the envelope", async () => {
    const { status, body } = await get('/api/agents/alpha/performance');
    assert.equal(status, 200);
    assert.deepEqual(body, { success: true, data: await loadPerformance(db, 'alpha'), error: null });
  });

  it('every answer has exactly the fields its OpenAPI schema declares (notes, sample, market time)', async () => {
    for (const id of ['alpha', 'beta', 'idle']) {
      conforms(await get(`/api/agents/${id}/performance`), PerformanceSchema);
      conforms(await get(`/api/agents/${id}/analytics`), AnalyticsSchema);
    }
    conforms(await get('/api/agents/alpha/performance?to=2025-03-02T01:00:00Z'), PerformanceSchema);
    conforms(await get('/api/leaderboard'), z.array(LeaderboardEntrySchema));
  });

  it('GET /api/agents/{id}/performance?from&to: the range, as ISO times, dates or epoch milliseconds', async () => {
    const range = { from: new Date(at('01T01:00')), to: new Date(at('02T00:00')) };
    const expected = { success: true, data: await loadPerformance(db, 'alpha', range), error: null };
    assert.deepEqual((await get('/api/agents/alpha/performance?from=2025-03-01T01:00:00Z&to=2025-03-02T00:00:00Z')).body, expected);
    assert.deepEqual((await get(`/api/agents/alpha/performance?from=${range.from.getTime()}&to=2025-03-02`)).body, expected);
  });

  it('GET /api/agents/{id}/analytics', async () => {
    const { status, body } = await get('/api/agents/alpha/analytics?from=2025-03-01');
    assert.equal(status, 200);
    assert.deepEqual(body, { success: true, data: await loadAnalytics(db, 'alpha', { from: new Date(at('01T00:00')) }), error: null });
  });

  it('GET /api/leaderboard', async () => {
    const { status, body } = await get('/api/leaderboard');
    assert.equal(status, 200);
    assert.deepEqual(body, { success: true, data: await loadLeaderboard(db), error: null });
  });

  it('an unknown agent is a 404 naming it', async () => {
    for (const path of ['/api/agents/x/performance', '/api/agents/x/analytics?from=2025-03-01']) {
      const { status, body } = await get(path);
      assert.deepEqual({ status, body }, { status: 404, body: { success: false, data: null, error: 'no agent "x"' } });
    }
  });

  it('a bad parameter is a 400 naming it', async () => {
    const bad = async (path: string, name: string) => {
      const { status, body } = await get(path);
      assert.equal(status, 400, path);
      assert.equal(body.success, false);
      assert.equal(body.data, null);
      assert.match(body.error!, new RegExp(`parameter "${name}"`), body.error!);
    };
    await bad('/api/agents/alpha/performance?from=yesterday', 'from');
    await bad('/api/agents/alpha/analytics?to=2025-13-45T99:00:00Z', 'to');
    await bad('/api/agents/alpha/performance?from=2025-03-02&to=2025-03-01', 'to');
    await bad('/api/agents/alpha/performance?from=2025-03-01&from=2025-03-02', 'from');
    await bad(`/api/agents/${'a'.repeat(80)}/performance`, 'id');
  });

  it('a new snapshot shows at once: the cached answer follows the cycle that recorded it', async () => {
    const before = (await get('/api/agents/beta/performance')).body.data as { end_equity: number; snapshots: number };
    const board = (await get('/api/leaderboard')).body.data as Array<{ agent_id: string; equity: number }>;
    assert.equal(before.end_equity, 5500);
    assert.equal(board.find((r) => r.agent_id === 'beta')!.equity, 5500);
    // As recordCycle does: the snapshot and the agent's cycle bump in one transaction.
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('equity_snapshots')
        .values({
          agent_id: 'beta',
          cycle_no: 3,
          market_time: new Date(at('01T13:00')),
          equity: 5600,
          cash: 5600,
          margin: 0,
          unrealized_pnl: 0,
          position_count: 0,
          positions: '[]',
        })
        .execute();
      await trx.updateTable('agents').set({ cycle_count: 3, last_cycle_at: new Date() }).where('id', '=', 'beta').execute();
    });
    const after = (await get('/api/agents/beta/performance')).body.data as { end_equity: number; snapshots: number };
    assert.equal(after.end_equity, 5600);
    assert.equal(after.snapshots, before.snapshots + 1);
    const boardAfter = (await get('/api/leaderboard')).body.data as Array<{ agent_id: string; equity: number }>;
    assert.equal(boardAfter.find((r) => r.agent_id === 'beta')!.equity, 5600);
    assert.deepEqual((await get('/api/leaderboard')).body.data, await loadLeaderboard(db));
  });

  it("mounted with app.route, its paths and schemas join the parent's OpenAPI document", () => {
    const parent = mounted();
    const doc = parent.getOpenAPIDocument({ openapi: '3.0.0', info: { title: 't', version: '1' } });
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/api/agents/{id}/analytics', '/api/agents/{id}/performance', '/api/leaderboard']);
    const params = (doc.paths['/api/agents/{id}/performance']!.get!.parameters ?? []) as Array<{ name: string; in: string }>;
    assert.deepEqual(params.map((p) => `${p.in}:${p.name}`).sort(), ['path:id', 'query:from', 'query:to']);
    for (const name of ['PerformanceMetrics', 'AgentAnalytics', 'LeaderboardEntry', 'Sample'])
      assert.ok(doc.components?.schemas?.[name], name);
  });
});

describe('coalesced reads', () => {
  it('a caller never gets a run that started before it called; callers during a run share the next', async () => {
    let runs = 0;
    const gates: Array<() => void> = [];
    const read = coalesced(
      () =>
        new Promise<number>((resolve) => {
          const n = ++runs;
          gates.push(() => resolve(n));
        }),
    );
    const a = read(); // starts run 1
    const b = read(); // run 1 is under way: waits for run 2
    const c = read(); // shares run 2
    assert.equal(runs, 1);
    gates[0]!();
    assert.equal(await a, 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(runs, 2);
    gates[1]!();
    assert.deepEqual([await b, await c], [2, 2]);
    const d = read(); // nothing under way: a run of its own
    gates[2]!();
    assert.equal(await d, 3);
  });
});
