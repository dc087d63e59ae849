import type { AlertEvent } from '../types';

/** One alert on its way to one channel. */
export interface OutgoingAlert {
  event: AlertEvent;
  /** The same for every attempt of this alert to this channel (alerts/message.ts). */
  idempotencyKey: string;
  /** An earlier attempt may have arrived (it never reported back). */
  possibleRepeat: boolean;
}

/** What one attempt came to: the receiver has it, it may pass (retry), or it never will (a refused token, an unknown chat). */
export type SendOutcome =
  | { result: 'sent'; receipt: Record<string, unknown> }
  | { result: 'retry'; error: string; maybeArrived: boolean; retryAfterMs?: number }
  | { result: 'failed'; error: string };
