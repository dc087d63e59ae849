import type { Kysely } from 'kysely';
import type { AlertChannelConfig, AlertSettings, TelegramChannelConfig, WebhookChannelConfig } from '../../arena-config/types';
import { ALERT_THRESHOLD_DEFAULTS } from '../../arena-config/types';
import type { Database } from '../../db/schema';
import { TEST_CHAT_ID } from '../support/alert-receivers';

/** The variable the tests' Telegram channels read their bot token from. */
export const TELEGRAM_TOKEN_ENV = 'ALERT_TEST_TELEGRAM_BOT_TOKEN';

export const webhookChannel = (url: string, over: Partial<WebhookChannelConfig> = {}): WebhookChannelConfig => ({
  type: 'webhook',
  name: 'hook',
  url: { value: url },
  maxPerMinute: 30,
  ...over,
});

export const telegramChannel = (apiBaseUrl: string, over: Partial<TelegramChannelConfig> = {}): TelegramChannelConfig => ({
  type: 'telegram',
  name: 'tg',
  botTokenEnv: TELEGRAM_TOKEN_ENV,
  chatId: { value: TEST_CHAT_ID },
  apiBaseUrl,
  maxPerMinute: 20,
  ...over,
});

export function alertSettings(channels: AlertChannelConfig[], over: Partial<AlertSettings> = {}): AlertSettings {
  return { channels, thresholds: { ...ALERT_THRESHOLD_DEFAULTS }, dailySummary: true, checkIntervalSeconds: 1, ...over };
}

/** Every outbox row, oldest first, with its event's kind. */
export function deliveries(db: Kysely<Database>) {
  return db
    .selectFrom('alert_deliveries')
    .innerJoin('alert_events', 'alert_events.key', 'alert_deliveries.event_key')
    .select([
      'alert_deliveries.event_key',
      'alert_deliveries.channel',
      'alert_deliveries.status',
      'alert_deliveries.attempts',
      'alert_deliveries.possible_repeat',
      'alert_deliveries.last_error',
      'alert_events.kind',
    ])
    .orderBy('alert_deliveries.id')
    .execute();
}
