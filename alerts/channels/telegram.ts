/**
 * The Telegram channel: the Bot API's sendMessage, plain text. The Bot API takes no idempotency key
 * and cannot be asked what a bot has sent, so an alert whose earlier attempt may have arrived (it
 * never reported back) is sent again labelled as a possible repeat, with the same alert id.
 */
import { fieldLines, headline } from '../message';
import { RequestFailed, postJson } from './http';
import type { OutgoingAlert, SendOutcome } from './outcome';

export interface TelegramTarget {
  apiBaseUrl: string;
  botToken: string;
  chatId: string;
}

/** The Bot API's limit on a message's text. */
const MAX_TEXT = 4096;

export function telegramText(alert: OutgoingAlert): string {
  const lines = [
    ...(alert.possibleRepeat ? ['↻ possible repeat: an earlier attempt of this alert may have arrived'] : []),
    headline(alert.event),
    ...fieldLines(alert.event),
    `alert ${alert.idempotencyKey.slice(0, 12)} · ${alert.event.kind}`,
  ];
  const text = lines.join('\n');
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

interface BotApiAnswer {
  ok?: boolean;
  result?: { message_id?: number };
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export async function sendTelegram(target: TelegramTarget, alert: OutgoingAlert): Promise<SendOutcome> {
  const url = `${target.apiBaseUrl.replace(/\/+$/, '')}/bot${target.botToken}/sendMessage`;
  try {
    const answer = await postJson(url, { chat_id: target.chatId, text: telegramText(alert), link_preview_options: { is_disabled: true } });
    const reply = parse(answer.text);
    if (answer.status === 200 && reply?.ok)
      return { result: 'sent', receipt: { status: 200, message_id: reply.result?.message_id ?? null } };
    const error = `Telegram ${reply?.error_code ?? answer.status}: ${reply?.description ?? answer.text.slice(0, 200)}`;
    if (answer.status === 429) {
      const seconds = reply?.parameters?.retry_after;
      return { result: 'retry', error, maybeArrived: false, retryAfterMs: seconds !== undefined ? seconds * 1000 : answer.retryAfterMs };
    }
    if (answer.status >= 500) return { result: 'retry', error, maybeArrived: true };
    return { result: 'failed', error };
  } catch (err) {
    if (!(err instanceof RequestFailed)) throw err;
    return err.permanent
      ? { result: 'failed', error: err.message }
      : { result: 'retry', error: err.message, maybeArrived: err.maybeArrived };
  }
}

function parse(text: string): BotApiAnswer | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as BotApiAnswer) : null;
  } catch {
    return null;
  }
}
