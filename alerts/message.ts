/** How an alert reads in a chat: one headline and a line per field. */
import { createHash } from 'node:crypto';
import type { AlertEvent, AlertSeverity } from './types';

const MARK: Record<AlertSeverity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

export function headline(event: AlertEvent): string {
  return `${MARK[event.severity]} ${event.title}`;
}

/** `name: value` for each field that has a value, in the event's order. */
export function fieldLines(event: AlertEvent): string[] {
  return Object.entries(event.fields)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${label(k)}: ${String(v)}`);
}

export const label = (key: string): string => key.replace(/_/g, ' ');

/**
 * The key a receiver deduplicates on: the same for every attempt of one alert to one channel, and
 * different across channels (two channels may point at one receiver).
 */
export function idempotencyKey(channel: string, eventKey: string): string {
  return createHash('sha256').update(`${channel}\n${eventKey}`).digest('hex').slice(0, 32);
}
