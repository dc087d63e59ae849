/**
 * The webhook channel: a JSON POST whose body Slack reads (`text`, and `attachments` with the fields)
 * and any other receiver can parse (`alert`). Every attempt of one alert carries the same
 * `Idempotency-Key` header and `idempotency_key` field, for the receiver to deduplicate on.
 */
import { fieldLines, headline, label } from '../message';
import type { AlertSeverity } from '../types';
import { RequestFailed, postJson } from './http';
import type { OutgoingAlert, SendOutcome } from './outcome';

const COLOR: Record<AlertSeverity, string> = { critical: '#d92d20', warning: '#f79009', info: '#2e90fa' };

export function webhookBody(alert: OutgoingAlert): Record<string, unknown> {
  const { event } = alert;
  return {
    text: headline(event),
    attachments: [
      {
        color: COLOR[event.severity],
        fields: Object.entries(event.fields)
          .filter(([, v]) => v !== null)
          .map(([k, v]) => ({
            title: label(k),
            value: String(v),
            short: String(v).length <= 40,
          })),
        footer: `agent-arena · ${event.kind}`,
        ts: Math.floor(event.at / 1000),
      },
    ],
    idempotency_key: alert.idempotencyKey,
    alert: {
      key: event.key,
      kind: event.kind,
      severity: event.severity,
      agent_id: event.agentId,
      title: event.title,
      fields: event.fields,
      at: new Date(event.at).toISOString(),
      text: [headline(event), ...fieldLines(event)].join('\n'),
    },
  };
}

export async function sendWebhook(url: string, alert: OutgoingAlert): Promise<SendOutcome> {
  try {
    const answer = await postJson(url, webhookBody(alert), { 'idempotency-key': alert.idempotencyKey });
    if (answer.status >= 200 && answer.status < 300) return { result: 'sent', receipt: { status: answer.status } };
    const error = `HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`;
    if (answer.status === 429)
      return {
        result: 'retry',
        error,
        maybeArrived: false,
        ...(answer.retryAfterMs !== undefined && { retryAfterMs: answer.retryAfterMs }),
      };
    // A 5xx may come after the receiver acted: the next attempt carries the same key.
    if (answer.status === 408 || answer.status >= 500) return { result: 'retry', error, maybeArrived: true };
    return { result: 'failed', error };
  } catch (err) {
    if (!(err instanceof RequestFailed)) throw err;
    return err.permanent
      ? { result: 'failed', error: err.message }
      : { result: 'retry', error: err.message, maybeArrived: err.maybeArrived };
  }
}
