/**
 * The model and venue metrics, counted where the calls are made: the decide activity against a local
 * OpenAI-protocol server (checked against llm_calls), and the venues' HTTP client against a local
 * server answering 200, 4xx, 5xx, 429, 418 and nothing in time.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { createActivities } from '../../activities';
import { activityDeps } from '../../activities/deps';
import type { Database } from '../../db/schema';
import { replayClock } from '../../market/clock';
import { REPLAY_BAR_MS, ReplayMarketData } from '../../market/replay';
import { registry } from '../../observability/metrics';
import { sendHttp } from '../../venues/http/http-client';
import { WeightedRateLimiter, sharedRateLimiter } from '../../venues/http/rate-limiter';
import type { DecideInput } from '../../workflows/definitions';
import { storedLlmAgent } from '../fixtures/stored-llm-agent';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';
import { type MockReply, startOpenAiServer } from '../support/llm-servers';
import { byLabel, parseExposition, total, type Exposition } from './scrape';

const parsed = async (): Promise<Exposition> => parseExposition(await registry.metrics());

describe('metrics: model calls and venue requests', () => {
  describe('model calls', () => {
    let database: MigratedTestDatabase;
    let db: Kysely<Database>;
    let next: MockReply = 'reset';
    const model = 'metrics-model';
    const server = startOpenAiServer({ apiKey: 'sk-metrics', models: [model], script: () => next });
    let input: DecideInput;

    before(async () => {
      database = await createMigratedTestDatabase(2);
      db = database.db;
      process.env.OPENAI_API_KEY_METRICS_TEST = 'sk-metrics';
      input = await storedLlmAgent(
        db,
        'llm-metrics',
        {
          provider: 'openai',
          model,
          temperature: 0,
          maxTokens: 500,
          baseUrl: (await server).url,
          apiKeyEnv: 'OPENAI_API_KEY_METRICS_TEST',
          timeoutSeconds: 10,
          priceInputPerMillion: 1,
          priceOutputPerMillion: 2,
        },
        { marketTime: new ReplayMarketData().window().firstMarketTime + 9 * REPLAY_BAR_MS },
      );
    });
    after(async () => {
      await (await server).close();
      await database.close();
      delete process.env.OPENAI_API_KEY_METRICS_TEST;
    });

    // One cycle per call: llm_calls keeps one row per (agent, cycle, attempt).
    let cycleNo = 0;
    // The failed call is on purpose: the SDK's warning about it stays out of the report.
    const decide = () =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(
        createActivities(
          activityDeps({
            db,
            market: new ReplayMarketData(),
            clock: replayClock(db),
            log: pino({ level: 'silent' }),
            temporal: undefined as never,
          }),
        ).askDecisionMaker,
        { ...input, cycleNo: ++cycleNo },
      );

    it('counts each call by outcome, with its tokens, cost and latency, as llm_calls records them', async () => {
      next = {
        json: {
          reasoning: 'r',
          decisions: [
            { action: 'wait', reason: 'r' },
            { action: 'fly', reason: 'bad' },
          ],
        },
        usage: { input: 1200, output: 80 },
      };
      await decide();
      next = { text: 'Sorry, as an AI I cannot give financial advice.', usage: { input: 1000, output: 12 } };
      await decide();
      next = { status: 400, message: 'bad model' };
      await assert.rejects(decide());

      const calls = await db.selectFrom('llm_calls').selectAll().where('agent_id', '=', 'llm-metrics').execute();
      const families = await parsed();
      const labels = { provider: 'openai', model };
      const byStatus: Record<string, number> = {};
      for (const c of calls) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
      assert.deepEqual(byLabel(families, 'arena_llm_calls_total', 'outcome', labels), byStatus);
      assert.deepEqual(byStatus, { ok: 1, unparseable: 1, error: 1 });
      assert.equal(
        total(families, 'arena_llm_tokens_total', { ...labels, direction: 'in' }),
        calls.reduce((s, c) => s + c.tokens_in, 0),
      );
      assert.equal(
        total(families, 'arena_llm_tokens_total', { ...labels, direction: 'out' }),
        calls.reduce((s, c) => s + c.tokens_out, 0),
      );
      assert.ok(Math.abs(total(families, 'arena_llm_cost_usd_total', labels) - calls.reduce((s, c) => s + Number(c.cost_usd), 0)) < 1e-9);
      assert.ok(total(families, 'arena_llm_cost_usd_total', labels) > 0);
      assert.equal(total(families, 'arena_llm_latency_seconds_count', labels), 2, 'latency of the two calls that answered');
      assert.equal(total(families, 'arena_llm_parse_failures_total', labels), 1);
      assert.equal(
        total(families, 'arena_llm_dropped_decisions_total', labels),
        calls.reduce((s, c) => s + (c.rejected as unknown[]).length, 0),
      );
      assert.ok(total(families, 'arena_step_duration_seconds_count', { step: 'askDecisionMaker', outcome: 'error' }) >= 1);
    });
  });

  describe('venue requests', () => {
    let server: http.Server;
    let base: string;
    const answers: Record<string, (res: http.ServerResponse) => void> = {
      '/ok': (res) => res.end('{}'),
      '/refused': (res) => res.writeHead(400).end('{"code":-2013,"msg":"Order does not exist."}'),
      '/down': (res) => res.writeHead(503).end('busy'),
      '/limited': (res) => res.writeHead(429, { 'retry-after': '0' }).end(),
      '/banned': (res) => res.writeHead(418, { 'retry-after': '0' }).end(),
      '/slow': () => undefined,
    };

    before(async () => {
      server = http.createServer((req, res) => answers[req.url ?? '']?.(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('counts requests, errors by class, 429/418 back-offs and the weight used, by venue and host', async () => {
      const limiter = new WeightedRateLimiter('metricsvenue:test-host', [{ intervalMs: 60_000, limit: 1000 }]);
      // The gauges read the process's shared limiters; this one is counted through sendHttp only.
      const send = (path: string) => sendHttp(limiter, { method: 'GET', url: `${base}${path}`, weight: 5, timeoutMs: 300 });
      await send('/ok');
      assert.equal((await send('/refused')).status, 400);
      for (const path of ['/down', '/limited', '/banned', '/slow']) await assert.rejects(send(path));
      const families = await parsed();
      const labels = { venue: 'metricsvenue', host: 'test-host' };
      assert.equal(total(families, 'arena_venue_requests_total', labels), 6);
      assert.deepEqual(byLabel(families, 'arena_venue_errors_total', 'class', labels), {
        refused: 1,
        server: 1,
        rate_limited: 1,
        ip_banned: 1,
        timeout: 1,
      });
      assert.deepEqual(byLabel(families, 'arena_venue_backoffs_total', 'status', labels), { 429: 1, 418: 1 });
      assert.equal(limiter.usedWeight(60_000), 30);
    });

    it('reads the used weight, the limit and the back-off of the shared limiters when scraped', async () => {
      const limiter = sharedRateLimiter('metricsshared:gauge-host', [{ intervalMs: 60_000, limit: 2400 }]);
      await limiter.acquire(7);
      limiter.backOffFor(30_000);
      const families = await parsed();
      const labels = { venue: 'metricsshared', host: 'gauge-host', window: '60s' };
      assert.equal(total(families, 'arena_venue_used_weight', labels), 7);
      assert.equal(total(families, 'arena_venue_weight_limit', labels), 2400);
      const remaining = total(families, 'arena_venue_backoff_remaining_seconds', { venue: 'metricsshared', host: 'gauge-host' });
      assert.ok(remaining > 29 && remaining <= 30, String(remaining));
    });
  });
});
