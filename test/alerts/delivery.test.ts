import assert from 'node:assert/strict';
import type { AlertEvent } from '../../alerts/types';
import { wakeDispatcher } from '../../alerts/wake';
import { recordAlertEvents, saveAlertSettings } from '../../db/alerts';
import { alertDispatcherWorkflowId } from '../../workflows/definitions';
import {
  TEST_BOT_TOKEN,
  type TelegramServer,
  type WebhookReceiver,
  startTelegramServer,
  startWebhookReceiver,
} from '../support/alert-receivers';
import { type TestArena, eventually, startTestArena } from '../support/arena';
import { TELEGRAM_TOKEN_ENV, alertSettings, deliveries, telegramChannel, webhookChannel } from './fixtures';

const event = (n: number, kind: AlertEvent['kind'] = 'emergency_close'): AlertEvent => ({
  key: `${kind}:agent-x:${n}`,
  kind,
  severity: 'critical',
  agentId: 'agent-x',
  at: Date.now(),
  title: `agent-x: alert number ${n}`,
  fields: { agent: 'agent-x', n },
});

describe('alert delivery through the dispatcher (dev server, Postgres)', function () {
  this.timeout(180_000);
  let arena: TestArena;
  let hook: WebhookReceiver;
  let bot: TelegramServer;
  let stopWorker: () => Promise<void>;

  before(async () => {
    process.env[TELEGRAM_TOKEN_ENV] = TEST_BOT_TOKEN;
    arena = await startTestArena();
    hook = await startWebhookReceiver();
    bot = await startTelegramServer();
    stopWorker = await arena.runWorker();
  });
  after(async () => {
    await arena?.client.workflow
      .getHandle(alertDispatcherWorkflowId(arena.taskQueue))
      .terminate()
      .catch(() => undefined);
    await stopWorker?.();
    await arena?.close();
    await hook?.close();
    await bot?.close();
    delete process.env[TELEGRAM_TOKEN_ENV];
  });

  const raise = async (events: AlertEvent[], channels: string[]) => {
    await recordAlertEvents(arena.db, events, channels);
    await wakeDispatcher(arena.client, arena.taskQueue);
  };
  const sentCount = async () => (await deliveries(arena.db)).filter((d) => d.status === 'sent').length;

  it('delivers each alert once to each channel, and a second detection of it adds nothing', async () => {
    await saveAlertSettings(arena.db, alertSettings([webhookChannel(hook.url), telegramChannel(bot.baseUrl)]), arena.taskQueue);
    await raise([event(1), event(2)], ['hook', 'tg']);
    await eventually('four deliveries sent', async () => (await sentCount()) === 4, 30_000);
    await raise([event(1), event(2)], ['hook', 'tg']);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    assert.deepEqual(
      hook.requests.map((r) => (r.body.alert as { key: string }).key),
      ['emergency_close:agent-x:1', 'emergency_close:agent-x:2'],
    );
    assert.equal(new Set(hook.requests.map((r) => r.key)).size, 2);
    assert.deepEqual(
      bot.messages.map((m) => m.text.split('\n')[0]),
      ['🔴 agent-x: alert number 1', '🔴 agent-x: alert number 2'],
    );
    const rows = await deliveries(arena.db);
    assert.deepEqual(
      rows.map((d) => [d.channel, d.status, d.attempts]),
      [
        ['hook', 'sent', 1],
        ['tg', 'sent', 1],
        ['hook', 'sent', 1],
        ['tg', 'sent', 1],
      ],
    );
  });

  it('retries after 5xx answers, with the same key, until it arrives once', async () => {
    hook.failNext(2, 500);
    bot.failNext(1, 502);
    const hookBefore = hook.requests.length;
    const botBefore = bot.messages.length;
    await raise([event(3)], ['hook', 'tg']);
    await eventually('the retried alert delivered on both channels', async () => (await sentCount()) === 6, 60_000);

    const attempts = hook.requests.slice(hookBefore);
    assert.equal(attempts.length, 3, 'two 500s, then the delivery');
    assert.equal(new Set(attempts.map((r) => r.key)).size, 1, 'one idempotency key across the attempts');
    assert.equal(hook.messages().filter((m) => m.key === attempts[0]!.key).length, 1);
    // A 502 may come after Telegram acted: the retry says it may be a repeat.
    assert.deepEqual(
      bot.messages.slice(botBefore).map((m) => m.text.split('\n')[0]),
      ['↻ possible repeat: an earlier attempt of this alert may have arrived'],
    );
    const rows = (await deliveries(arena.db)).filter((d) => d.event_key === event(3).key);
    assert.deepEqual(
      rows.map((d) => [d.channel, d.status, d.attempts]),
      [
        ['hook', 'sent', 3],
        ['tg', 'sent', 2],
      ],
    );
  });

  it('gives up on an alert the receiver refuses for good, and goes on with the next', async () => {
    hook.failNext(1, 404);
    await raise([event(4), event(5)], ['hook']);
    await eventually(
      'the refusal recorded and the next alert sent',
      async () => {
        const rows = (await deliveries(arena.db)).filter((d) => d.event_key === event(4).key || d.event_key === event(5).key);
        return rows.length === 2 && rows[0]!.status === 'failed' && rows[1]!.status === 'sent' ? rows : null;
      },
      30_000,
    );
    const refused = (await deliveries(arena.db)).find((d) => d.event_key === event(4).key)!;
    assert.match(refused.last_error ?? '', /^HTTP 404/);
  });

  it('throttles a channel to max_per_minute: the others wait their turn, none is dropped', async function () {
    this.timeout(150_000);
    await saveAlertSettings(arena.db, alertSettings([webhookChannel(hook.url, { name: 'slow', maxPerMinute: 2 })]), arena.taskQueue);
    const before = hook.requests.length;
    const burst = [6, 7, 8, 9].map((n) => event(n));
    await raise(burst, ['slow']);
    await eventually('the first two sent', async () => hook.requests.length - before >= 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    assert.equal(hook.requests.length - before, 2, 'no more than two in the first minute');
    await eventually('the other two after the window', async () => hook.requests.length - before === 4, 90_000);
    const sentAt = await arena.db.selectFrom('alert_deliveries').select('sent_at').where('channel', '=', 'slow').orderBy('id').execute();
    const times = sentAt.map((r) => r.sent_at!.getTime());
    assert.ok(times[2]! - times[0]! >= 59_000, `the third went out a minute after the first (${times[2]! - times[0]!} ms)`);
    assert.deepEqual(
      hook.requests.slice(before).map((r) => (r.body.alert as { key: string }).key),
      burst.map((e) => e.key),
    );
  });

  it('keeps its history small: a minute of checks every second went through continue-as-new', async () => {
    const handle = arena.client.workflow.getHandle(alertDispatcherWorkflowId(arena.taskQueue));
    const current = await handle.describe();
    assert.equal(current.status.name, 'RUNNING');
    assert.ok(current.historyLength < 150, `history of the current run: ${current.historyLength} events`);
    const runs = [];
    for await (const run of arena.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(run);
    assert.ok(runs.length > 1, `runs: ${runs.length}`);
  });
});
