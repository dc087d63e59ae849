/**
 * Sends one alert to one channel, reading the channel's secrets from the environment only now. Every
 * error it reports is redacted (the process's secrets and this channel's URL, token and chat id).
 */
import type { AlertChannelConfig, ValueSource } from '../../arena-config/types';
import { processSecrets } from '../../secrets/known-secrets';
import type { OutgoingAlert, SendOutcome } from './outcome';
import { sendTelegram } from './telegram';
import { sendWebhook } from './webhook';

export async function sendAlert(
  channel: AlertChannelConfig,
  alert: OutgoingAlert,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SendOutcome> {
  const read = (source: ValueSource): string | undefined => ('value' in source ? source.value : env[source.env] || undefined);
  const missing = (source: ValueSource): SendOutcome => ({
    result: 'retry',
    maybeArrived: false,
    error: `${'env' in source ? source.env : 'a value'} is not set in this worker's environment`,
  });
  if (channel.type === 'webhook') {
    const url = read(channel.url);
    if (url === undefined) return missing(channel.url);
    return redacted(await sendWebhook(url, alert), [url]);
  }
  const botToken = read({ env: channel.botTokenEnv });
  const chatId = read(channel.chatId);
  if (botToken === undefined) return missing({ env: channel.botTokenEnv });
  if (chatId === undefined) return missing(channel.chatId);
  return redacted(await sendTelegram({ apiBaseUrl: channel.apiBaseUrl, botToken, chatId }, alert), [botToken, chatId]);
}

function redacted(outcome: SendOutcome, secrets: string[]): SendOutcome {
  if (outcome.result === 'sent') return outcome;
  return { ...outcome, error: processSecrets().with(secrets).redact(outcome.error) };
}
