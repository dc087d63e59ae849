import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeArena } from '../config/arena-files';
import {
  TEST_BOT_TOKEN,
  TEST_CHAT_ID,
  type TelegramServer,
  type WebhookReceiver,
  startTelegramServer,
  startWebhookReceiver,
} from '../support/alert-receivers';

const ROOT = path.join(__dirname, '..', '..');
const AGENT =
  'agent: { id: alpha }\nllm: { provider: rule_based, model: ema_trend }\nexchange: { type: paper }\nstrategy: { initial_balance: 1000 }\n';

describe('npm run alert:test', function () {
  this.timeout(60_000);
  let hook: WebhookReceiver;
  let bot: TelegramServer;
  let arenaFile: string;
  before(async () => {
    hook = await startWebhookReceiver();
    bot = await startTelegramServer();
    arenaFile = writeArena(
      { alpha: AGENT },
      [
        'agents:',
        '  - { id: alpha, config_file: agents/alpha.yaml }',
        'alerts:',
        '  channels:',
        `    - { name: ops, type: webhook, url: "${hook.url}" }`,
        `    - { name: phone, type: telegram, bot_token: "\${ALERT_CMD_TELEGRAM_TOKEN}", chat_id: "${TEST_CHAT_ID}", api_base_url: "${bot.baseUrl}" }`,
        `    - { name: pager, type: webhook, url: "\${ALERT_CMD_UNSET_URL}" }`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await hook?.close();
    await bot?.close();
  });

  const run = async (env: Record<string, string>): Promise<{ code: number; out: string }> => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'scripts/alert-test.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ARENA_CONFIG: arenaFile, ...env },
      });
      return { code: 0, out: stdout };
    } catch (err) {
      const failed = err as { code: number; stdout: string };
      return { code: failed.code, out: failed.stdout };
    }
  };

  it('sends a test alert to each configured channel and says what happened', async () => {
    const { code, out } = await run({ ALERT_CMD_TELEGRAM_TOKEN: TEST_BOT_TOKEN });
    assert.equal(code, 0, out);
    const lines = out.trim().split('\n');
    assert.equal(lines[0], 'pager: off (ALERT_CMD_UNSET_URL is not set)');
    assert.match(lines[1]!, /^ops: delivered in \d+ ms \(status 200\)$/);
    assert.match(lines[2]!, /^phone: delivered in \d+ ms \(status 200, message_id 1\)$/);
    assert.equal(hook.messages().length, 1);
    assert.equal((hook.messages()[0]!.body.alert as { kind: string }).kind, 'test');
    assert.match(bot.messages[0]!.text, /^🔵 test alert from agent-arena: this channel works\n/);
  });

  it('says why a channel refused it, without the token, and exits with 1', async () => {
    const wrong = '7234567890:AAH-a_token_this_server_doesnt_know';
    const { code, out } = await run({ ALERT_CMD_TELEGRAM_TOKEN: wrong });
    assert.equal(code, 1);
    assert.match(out, /^phone: refused \(the arena would not retry\) after \d+ ms: Telegram 401: Unauthorized$/m);
    assert.ok(!out.includes(wrong));
  });
});
