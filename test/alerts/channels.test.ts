import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendAlert } from '../../alerts/channels/send';
import type { OutgoingAlert } from '../../alerts/channels/outcome';
import { idempotencyKey } from '../../alerts/message';
import type { AlertEvent } from '../../alerts/types';
import type { TelegramChannelConfig, WebhookChannelConfig } from '../../arena-config/types';
import {
  TEST_BOT_TOKEN,
  TEST_CHAT_ID,
  type TelegramServer,
  type WebhookReceiver,
  startTelegramServer,
  startWebhookReceiver,
} from '../support/alert-receivers';
import { freePort } from '../support/ports';

const EVENT: AlertEvent = {
  key: 'daily_loss_limit:a1:2025-10-12',
  kind: 'daily_loss_limit',
  severity: 'critical',
  agentId: 'a1',
  at: Date.UTC(2025, 9, 12, 10),
  title: 'a1: daily loss limit reached, no new positions until 00:00 UTC',
  fields: { agent: 'a1', cycle: 12, equity: 848.2, reason: 'daily loss 15.2 % reached the 15 % limit (max_daily_loss_pct)', error: null },
};
const alert = (channel: string, possibleRepeat = false): OutgoingAlert => ({
  event: EVENT,
  idempotencyKey: idempotencyKey(channel, EVENT.key),
  possibleRepeat,
});

describe('alert channels: webhook', () => {
  let receiver: WebhookReceiver;
  let channel: WebhookChannelConfig;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    channel = { type: 'webhook', name: 'ops', url: { env: 'ALERT_TEST_WEBHOOK_URL' }, maxPerMinute: 30 };
  });
  afterEach(() => receiver.close());
  const env = () => ({ ALERT_TEST_WEBHOOK_URL: receiver.url });

  it('posts a Slack-compatible body with structured fields and the idempotency key in header and body', async () => {
    const outcome = await sendAlert(channel, alert('ops'), env());
    assert.deepEqual(outcome, { result: 'sent', receipt: { status: 200 } });
    const [request] = receiver.requests;
    const key = idempotencyKey('ops', EVENT.key);
    assert.equal(request!.key, key);
    assert.equal(request!.headers['content-type'], 'application/json');
    const body = request!.body as {
      text: string;
      attachments: Array<{ fields: Array<{ title: string; value: string }> }>;
      idempotency_key: string;
      alert: Record<string, unknown>;
    };
    assert.equal(body.text, '🔴 a1: daily loss limit reached, no new positions until 00:00 UTC');
    assert.deepEqual(
      body.attachments[0]!.fields.map((f) => [f.title, f.value]),
      [
        ['agent', 'a1'],
        ['cycle', '12'],
        ['equity', '848.2'],
        ['reason', 'daily loss 15.2 % reached the 15 % limit (max_daily_loss_pct)'],
      ],
    );
    assert.equal(body.idempotency_key, key);
    assert.deepEqual(body.alert.fields, EVENT.fields);
    assert.equal(body.alert.kind, 'daily_loss_limit');
    assert.equal(body.alert.at, '2025-10-12T10:00:00.000Z');
  });

  it('sends the same key on every attempt, and a different one to another channel', async () => {
    await sendAlert(channel, alert('ops'), env());
    await sendAlert(channel, alert('ops', true), env());
    await sendAlert({ ...channel, name: 'other' }, alert('other'), env());
    assert.equal(receiver.requests.length, 3);
    assert.equal(receiver.requests[0]!.key, receiver.requests[1]!.key);
    assert.notEqual(receiver.requests[0]!.key, receiver.requests[2]!.key);
    assert.equal(receiver.messages().length, 2);
  });

  it('retries a 5xx and a 429 (after its Retry-After), gives up on other 4xx', async () => {
    receiver.failNext(1, 503);
    assert.deepEqual(await sendAlert(channel, alert('ops'), env()), {
      result: 'retry',
      error: 'HTTP 503: {"error":"failing on purpose"}',
      maybeArrived: true,
    });
    receiver.failNext(1, 429, 7);
    assert.deepEqual(await sendAlert(channel, alert('ops'), env()), {
      result: 'retry',
      error: 'HTTP 429: {"error":"failing on purpose"}',
      maybeArrived: false,
      retryAfterMs: 7000,
    });
    receiver.failNext(1, 404);
    assert.deepEqual(await sendAlert(channel, alert('ops'), env()), {
      result: 'failed',
      error: 'HTTP 404: {"error":"failing on purpose"}',
    });
  });

  it('knows a refused connection never delivered, and says which variable a worker lacks', async () => {
    const outcome = await sendAlert(channel, alert('ops'), { ALERT_TEST_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/hook` });
    assert.equal(outcome.result, 'retry');
    assert.equal(outcome.result === 'retry' && outcome.maybeArrived, false);
    assert.deepEqual(await sendAlert(channel, alert('ops'), {}), {
      result: 'retry',
      maybeArrived: false,
      error: "ALERT_TEST_WEBHOOK_URL is not set in this worker's environment",
    });
  });
});

describe('alert channels: Telegram', () => {
  let bot: TelegramServer;
  let channel: TelegramChannelConfig;
  const env = { ALERT_TEST_TELEGRAM_TOKEN: TEST_BOT_TOKEN };
  beforeEach(async () => {
    bot = await startTelegramServer();
    channel = {
      type: 'telegram',
      name: 'tg',
      botTokenEnv: 'ALERT_TEST_TELEGRAM_TOKEN',
      chatId: { value: TEST_CHAT_ID },
      apiBaseUrl: bot.baseUrl,
      maxPerMinute: 20,
    };
  });
  afterEach(() => bot.close());

  it('sends the alert as plain text to the chat, with a short alert id', async () => {
    assert.deepEqual(await sendAlert(channel, alert('tg'), env), { result: 'sent', receipt: { status: 200, message_id: 1 } });
    assert.deepEqual(
      bot.messages.map((m) => m.chat_id),
      [TEST_CHAT_ID],
    );
    assert.equal(
      bot.messages[0]!.text,
      [
        '🔴 a1: daily loss limit reached, no new positions until 00:00 UTC',
        'agent: a1',
        'cycle: 12',
        'equity: 848.2',
        'reason: daily loss 15.2 % reached the 15 % limit (max_daily_loss_pct)',
        `alert ${idempotencyKey('tg', EVENT.key).slice(0, 12)} · daily_loss_limit`,
      ].join('\n'),
    );
  });

  it('labels a possible repeat', async () => {
    await sendAlert(channel, alert('tg', true), env);
    assert.match(bot.messages[0]!.text, /^↻ possible repeat: an earlier attempt of this alert may have arrived\n🔴 a1:/);
  });

  it('retries a 5xx and a 429 after retry_after; a refused token or an unknown chat fails without the token in the error', async () => {
    bot.failNext(1, 502);
    assert.deepEqual(await sendAlert(channel, alert('tg'), env), {
      result: 'retry',
      error: 'Telegram 502: Internal Server Error',
      maybeArrived: true,
    });
    bot.failNext(1, 429, 3);
    assert.deepEqual(await sendAlert(channel, alert('tg'), env), {
      result: 'retry',
      error: 'Telegram 429: Too Many Requests: retry after 3',
      maybeArrived: false,
      retryAfterMs: 3000,
    });
    const wrongToken = '7234567890:AAH-another_token_the_server_refuse';
    assert.deepEqual(await sendAlert(channel, alert('tg'), { ALERT_TEST_TELEGRAM_TOKEN: wrongToken }), {
      result: 'failed',
      error: 'Telegram 401: Unauthorized',
    });
    assert.deepEqual(await sendAlert({ ...channel, chatId: { value: '42' } }, alert('tg'), env), {
      result: 'failed',
      error: 'Telegram 400: Bad Request: chat not found',
    });
    assert.equal(bot.messages.length, 0);
  });

  it('redacts the token from whatever a server echoes', async () => {
    const echo = http.createServer((req, res) => res.writeHead(400).end(`no such path ${req.url}`));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await sendAlert(
        { ...channel, apiBaseUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}` },
        alert('tg'),
        env,
      );
      assert.equal(outcome.result, 'failed');
      assert.ok(
        outcome.result === 'failed' && !outcome.error.includes(TEST_BOT_TOKEN) && outcome.error.includes('[redacted]'),
        JSON.stringify(outcome),
      );
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
