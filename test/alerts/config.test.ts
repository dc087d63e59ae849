import assert from 'node:assert/strict';
import path from 'node:path';
import { loadArenaConfig } from '../../arena-config/load';
import { ALERT_THRESHOLD_DEFAULTS } from '../../arena-config/types';
import { loadError, writeArena } from '../config/arena-files';

const SHIPPED = path.resolve(__dirname, '../../config/arena.yaml');
const AGENT = `
agent: { id: alpha }
llm: { provider: rule_based, model: ema_trend }
exchange: { type: paper }
strategy: { initial_balance: 1000 }
`;
const TOKEN = '7234567890:AAH-secret_token_value_never_kept_0001';

/** An arena with one agent and the given `alerts:` section (YAML lines, indented under it). */
function arenaWithAlerts(...lines: string[]): string {
  return writeArena({ alpha: AGENT }, ['agents:', '  - { id: alpha, config_file: agents/alpha.yaml }', 'alerts:', ...lines, ''].join('\n'));
}

describe('alerts in the arena file', () => {
  it('ships two channels that stay off until their variables are set, with the default thresholds', () => {
    const { alerts } = loadArenaConfig(SHIPPED, {});
    assert.deepEqual(alerts.channels, []);
    assert.deepEqual(alerts.skippedChannels, [
      { name: 'webhook', reason: 'ALERT_WEBHOOK_URL is not set' },
      { name: 'telegram', reason: 'TELEGRAM_BOT_TOKEN is not set' },
    ]);
    assert.deepEqual(alerts.thresholds, ALERT_THRESHOLD_DEFAULTS);
    assert.equal(alerts.dailySummary, true);
    assert.equal(alerts.checkIntervalSeconds, 60);
  });

  it('switches a channel on when its variables are set, keeping only their names', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/secretpart0123456789';
    const env = { ALERT_WEBHOOK_URL: url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-1001234567890' };
    const { alerts } = loadArenaConfig(SHIPPED, env);
    assert.deepEqual(alerts.channels, [
      { type: 'webhook', name: 'webhook', url: { env: 'ALERT_WEBHOOK_URL' }, maxPerMinute: 30 },
      {
        type: 'telegram',
        name: 'telegram',
        botTokenEnv: 'TELEGRAM_BOT_TOKEN',
        chatId: { env: 'TELEGRAM_CHAT_ID' },
        apiBaseUrl: 'https://api.telegram.org',
        maxPerMinute: 20,
      },
    ]);
    const text = JSON.stringify(alerts);
    assert.ok(!text.includes(TOKEN) && !text.includes(url), 'no secret value in the result');
  });

  it('reads written values, thresholds and a URL built from variables', () => {
    const file = arenaWithAlerts(
      '  channels:',
      '    - { name: ops, type: webhook, url: "http://${HOOK_HOST}/hook", max_per_minute: 5 }',
      '    - { type: telegram, bot_token: "${TELEGRAM_BOT_TOKEN}", chat_id: -1009, api_base_url: "http://127.0.0.1:9" }',
      '  failing_cycles: 2',
      '  venue_errors_per_10_minutes: 0',
      '  equity_drop_pct_per_hour: 7.5',
      '  no_cycle_minutes: 0.5',
      '  daily_summary: false',
      '  check_interval_seconds: 2',
    );
    const { alerts } = loadArenaConfig(file, { HOOK_HOST: '127.0.0.1:8080', TELEGRAM_BOT_TOKEN: TOKEN });
    assert.deepEqual(alerts.channels, [
      { type: 'webhook', name: 'ops', url: { value: 'http://127.0.0.1:8080/hook' }, maxPerMinute: 5 },
      {
        type: 'telegram',
        name: 'telegram',
        botTokenEnv: 'TELEGRAM_BOT_TOKEN',
        chatId: { value: '-1009' },
        apiBaseUrl: 'http://127.0.0.1:9',
        maxPerMinute: 20,
      },
    ]);
    assert.deepEqual(alerts.thresholds, { failingCycles: 2, venueErrorsPer10Minutes: 0, equityDropPctPerHour: 7.5, noCycleMinutes: 0.5 });
    assert.equal(alerts.dailySummary, false);
    assert.equal(alerts.checkIntervalSeconds, 2);
  });

  it('is optional', () => {
    const { alerts } = loadArenaConfig(writeArena({ alpha: AGENT }), {});
    assert.deepEqual(alerts.channels, []);
    assert.deepEqual(alerts.skippedChannels, []);
  });

  const refused: Array<[string, string[], string, unknown]> = [
    ['a misspelt field', ['  channels:', '    - { type: webhook, urll: "http://x" }'], 'alerts.channels[0].urll', 'http://x'],
    ['an unknown channel type', ['  channels:', '    - { type: email, to: me }'], 'alerts.channels[0].type', { type: 'email', to: 'me' }],
    [
      'a field of another channel type',
      ['  channels:', '    - { type: webhook, url: "http://x", chat_id: 1 }'],
      'alerts.channels[0].chat_id',
      1,
    ],
    [
      'a URL that is neither a URL nor a variable',
      ['  channels:', '    - { type: webhook, url: "ftp://x" }'],
      'alerts.channels[0].url',
      'ftp://x',
    ],
    [
      'a bad chat id',
      ['  channels:', '    - { type: telegram, bot_token: "${T_TOKEN}", chat_id: "me" }'],
      'alerts.channels[0].chat_id',
      'me',
    ],
    ['a bad threshold', ['  equity_drop_pct_per_hour: lots'], 'alerts.equity_drop_pct_per_hour', 'lots'],
    ['a zero failing_cycles', ['  failing_cycles: 0'], 'alerts.failing_cycles', 0],
    ['a misspelt setting', ['  daily_summery: true'], 'alerts.daily_summery', true],
    [
      'two channels of one name',
      ['  channels:', '    - { type: webhook, url: "http://a" }', '    - { type: webhook, url: "http://b" }'],
      'alerts.channels[1].name',
      'webhook',
    ],
  ];
  for (const [what, lines, field, value] of refused) {
    it(`refuses ${what}, naming the file, the field and the value`, () => {
      const err = loadError(arenaWithAlerts(...lines));
      assert.equal(path.basename(err.file), 'arena.yaml');
      assert.equal(err.path, field);
      assert.deepEqual(err.value, value);
      assert.ok(err.message.includes(`arena.yaml: ${field}: `), err.message);
    });
  }

  it('says what was expected', () => {
    assert.match(
      loadError(arenaWithAlerts('  channels:', '    - { type: email }')).message,
      /alerts\.channels\[0\]\.type: unknown channel type "email" \(expected one of webhook, telegram\)/,
    );
    assert.match(loadError(arenaWithAlerts('  channels:', '    - { type: webhook, urll: "http://x" }')).message, /did you mean "url"/);
    assert.match(
      loadError(arenaWithAlerts('  equity_drop_pct_per_hour: lots')).message,
      /expected a number above 0 and at most 100, got "lots"/,
    );
    assert.match(
      loadError(arenaWithAlerts('  channels:', '    - { type: webhook, url: "ftp://x" }')).message,
      /expected an http\(s\) URL or \$\{VARIABLE\}, got "ftp:\/\/x"/,
    );
  });

  it('refuses a bot token written in the file without echoing it', () => {
    const err = loadError(arenaWithAlerts('  channels:', `    - { type: telegram, bot_token: "${TOKEN}", chat_id: 1 }`));
    assert.equal(err.path, 'alerts.channels[0].bot_token');
    assert.equal(err.value, '<redacted>');
    assert.ok(!err.message.includes(TOKEN));
    assert.match(err.message, /write it as \$\{SOME_ENV_VAR\}/);
  });
});
