/**
 * Sends the outbox's due alerts, channel by channel, each alert at most once at a time:
 *
 *   claim (the attempt is counted and the row held, committed) → send → record what came of it.
 *
 * A worker that dies between the send and the record leaves the row claimed and `in_flight`; once
 * the claim lapses (longer than any attempt lasts) the next round sends it again with the same
 * idempotency key, marked as a possible repeat. Webhook receivers deduplicate on the key; Telegram
 * shows the label. A failure that may pass holds the whole channel until its retry time; a refusal
 * for good (a bad token, an unknown chat) fails that alert and moves on. At most `max_per_minute`
 * attempts a minute per channel; the others wait their turn.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlertChannelConfig } from '../arena-config/types';
import { attemptsSince, claimDelivery, deferDelivery, markDeliveryFailed, markDeliverySent, nextDeliveryDue } from '../db/alerts';
import type { Database } from '../db/schema';
import { SEND_TIMEOUT_MS } from './channels/http';
import { sendAlert } from './channels/send';
import { idempotencyKey } from './message';

export interface DeliveryContext {
  db: Kysely<Database>;
  log: Logger;
}

/** A claim outlasts the longest attempt, so a retry never overlaps an attempt still under way. */
const CLAIM_MS = SEND_TIMEOUT_MS + 5_000;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;
const THROTTLE_WINDOW_MS = 60_000;

/** Delivers what is due on every channel; when something is due next (epoch ms), or null. */
export async function deliverDue(ctx: DeliveryContext, channels: AlertChannelConfig[]): Promise<number | null> {
  const next = await Promise.all(channels.map((channel) => deliverToChannel(ctx, channel)));
  const due = next.filter((t): t is number => t !== null);
  return due.length ? Math.min(...due) : null;
}

async function deliverToChannel(ctx: DeliveryContext, channel: AlertChannelConfig): Promise<number | null> {
  const { db, log } = ctx;
  for (;;) {
    const now = Date.now();
    const recent = await attemptsSince(db, channel.name, new Date(now - THROTTLE_WINDOW_MS));
    if (recent.count >= channel.maxPerMinute && recent.oldest) return recent.oldest.getTime() + THROTTLE_WINDOW_MS;
    const claimed = await claimDelivery(db, channel.name, new Date(now), new Date(now + CLAIM_MS));
    if (!claimed) return (await nextDeliveryDue(db, channel.name))?.getTime() ?? null;
    const { delivery, event } = claimed;
    const attempt = delivery.attempts;
    const outcome = await sendAlert(channel, {
      event,
      idempotencyKey: idempotencyKey(channel.name, event.key),
      possibleRepeat: delivery.possible_repeat,
    });
    const about = { channel: channel.name, alert: event.key, attempt };
    if (outcome.result === 'sent') {
      await markDeliverySent(db, delivery.id, attempt, outcome.receipt, new Date());
      log.info(about, `alert sent to ${channel.name}: ${event.title}`);
    } else if (outcome.result === 'failed') {
      await markDeliveryFailed(db, delivery.id, attempt, outcome.error);
      log.error(about, `alert to ${channel.name} refused, not retried: ${outcome.error}`);
    } else {
      const retryAt = Date.now() + Math.max(outcome.retryAfterMs ?? 0, Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1)));
      await deferDelivery(db, delivery.id, attempt, outcome.error, outcome.maybeArrived, channel.name, new Date(retryAt));
      log.warn(about, `alert to ${channel.name} failed, retried at ${new Date(retryAt).toISOString()}: ${outcome.error}`);
      return retryAt;
    }
  }
}
