import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { idempotencyKey } from '../../alerts/message';
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
import { type TestArena, eventually, startTestArena, workflowBundle } from '../support/arena';
import { TELEGRAM_TOKEN_ENV, alertSettings, deliveries, telegramChannel, webhookChannel } from './fixtures';

const ROOT = path.join(__dirname, '..', '..');

describe('a worker SIGKILLed while an alert is in flight', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let hook: WebhookReceiver;
  let bot: TelegramServer;
  let bundlePath: string;
  const workers: ChildProcess[] = [];

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: arena.env.address,
        TEMPORAL_NAMESPACE: arena.env.namespace ?? 'default',
        TEMPORAL_TASK_QUEUE: arena.taskQueue,
        DATABASE_URL: arena.dbUrl,
        LOG_LEVEL: 'warn',
        WORKFLOW_BUNDLE: bundlePath,
        [TELEGRAM_TOKEN_ENV]: TEST_BOT_TOKEN,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(child);
    return child;
  };
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  before(async () => {
    arena = await startTestArena();
    hook = await startWebhookReceiver();
    bot = await startTelegramServer();
    bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arena-bundle-')), 'workflows.js');
    fs.writeFileSync(bundlePath, (await workflowBundle()).code);
  });
  after(async () => {
    await arena?.client.workflow
      .getHandle(alertDispatcherWorkflowId(arena.taskQueue))
      .terminate()
      .catch(() => undefined);
    for (const child of workers) await kill(child);
    await arena?.close();
    await hook?.close();
    await bot?.close();
  });

  it('yields one message at the webhook (deduplicated by its key) and a labelled repeat on Telegram', async () => {
    await saveAlertSettings(arena.db, alertSettings([webhookChannel(hook.url), telegramChannel(bot.baseUrl)]), arena.taskQueue);
    const alert: AlertEvent = {
      key: 'liquidation:agent-x:7:BTCUSDT:long',
      kind: 'liquidation',
      severity: 'critical',
      agentId: 'agent-x',
      at: Date.now(),
      title: 'agent-x: long BTCUSDT liquidated at 60000 (PnL -100.00 USDT)',
      fields: { agent: 'agent-x', cycle: 7 },
    };
    await recordAlertEvents(arena.db, [alert], ['hook', 'tg']);
    // Both receivers take the request, act on it, and never answer: the worker is killed while it waits.
    const hookHeld = hook.holdNext();
    const botHeld = bot.holdNext();
    const first = startWorker();
    await wakeDispatcher(arena.client, arena.taskQueue);
    await Promise.all([hookHeld, botHeld]);
    await kill(first);
    const inFlight = await deliveries(arena.db);
    assert.deepEqual(
      inFlight.map((d) => [d.channel, d.status, d.attempts]),
      [
        ['hook', 'pending', 1],
        ['tg', 'pending', 1],
      ],
    );

    startWorker();
    await eventually(
      'both deliveries recorded as sent',
      async () => (await deliveries(arena.db)).every((d) => d.status === 'sent'),
      120_000,
    );

    const key = idempotencyKey('hook', alert.key);
    assert.deepEqual(
      hook.requests.map((r) => r.key),
      [key, key],
      'the webhook was asked twice, with one key',
    );
    assert.equal(hook.messages().length, 1, 'a receiver deduplicating on the key shows one message');

    assert.equal(bot.messages.length, 2, 'Telegram cannot deduplicate: the retry is a second message...');
    assert.equal(bot.messages[0]!.text.split('\n')[0], '🔴 agent-x: long BTCUSDT liquidated at 60000 (PnL -100.00 USDT)');
    assert.equal(
      bot.messages[1]!.text.split('\n')[0],
      '↻ possible repeat: an earlier attempt of this alert may have arrived',
      '...labelled as a possible repeat...',
    );
    const id = `alert ${idempotencyKey('tg', alert.key).slice(0, 12)} · liquidation`;
    assert.deepEqual(
      bot.messages.map((m) => m.text.split('\n').pop()),
      [id, id],
      '...with the same alert id',
    );

    const rows = await deliveries(arena.db);
    assert.deepEqual(
      rows.map((d) => [d.channel, d.attempts, d.possible_repeat]),
      [
        ['hook', 2, true],
        ['tg', 2, true],
      ],
    );
  });
});
