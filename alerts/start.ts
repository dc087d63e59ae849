import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { AlertChannelConfig, AlertsConfig, ValueSource } from '../arena-config/types';
import { saveAlertSettings } from '../db/alerts';
import type { Database } from '../db/schema';
import { wakeDispatcher } from './wake';

export interface StartAlertsOptions {
  db: Kysely<Database>;
  client: Client;
  taskQueue: string;
  log: (msg: string) => void;
}

/**
 * At start: stores the arena file's alert settings (the record steps and the dispatcher read them,
 * on every worker), says which channels run, and starts (or wakes) the dispatcher. Without a channel
 * the settings say so, and a dispatcher still running from before ends at its next check.
 */
export async function startAlerts(opts: StartAlertsOptions, alerts: AlertsConfig): Promise<void> {
  const { skippedChannels, ...settings } = alerts;
  await saveAlertSettings(opts.db, settings, opts.taskQueue);
  for (const skipped of skippedChannels) opts.log(`alerts: channel ${skipped.name} is off: ${skipped.reason}`);
  if (settings.channels.length === 0) return;
  await wakeDispatcher(opts.client, opts.taskQueue);
  opts.log(`alerts: sending to ${settings.channels.map(describe).join(', ')}`);
}

/** A channel as the log may show it: variables by name, never a value. */
function describe(channel: AlertChannelConfig): string {
  const shown = (source: ValueSource) => ('env' in source ? `\${${source.env}}` : source.value);
  return channel.type === 'webhook'
    ? `${channel.name} (webhook ${'env' in channel.url ? shown(channel.url) : new URL(channel.url.value).host})`
    : `${channel.name} (telegram chat ${shown(channel.chatId)})`;
}
