/** What an alert is, before it is written to the outbox and sent to each channel. */

export const ALERT_KINDS = [
  'daily_loss_limit',
  'drawdown_lock',
  'safe_mode_entered',
  'safe_mode_left',
  'agent_stopped',
  'cycles_failing',
  'emergency_close',
  'unprotected_position',
  'liquidation',
  'venue_errors',
  'equity_drop',
  'no_cycle',
  'daily_summary',
  'test',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export type AlertSeverity = 'critical' | 'warning' | 'info';

/** Structured details, for the receivers that read them (Slack shows them as fields). */
export type AlertFields = Record<string, string | number | boolean | null>;

export interface AlertEvent {
  /**
   * Names the event, not its detection: the same event found twice (a retried record step, the next
   * cycle, the next check) has the same key, and the outbox keeps one row per key and channel.
   */
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  agentId: string | null;
  /** One line, the message itself. */
  title: string;
  fields: AlertFields;
  /** When it happened (epoch ms): market time for what a cycle saw, wall-clock time for the time-based checks. */
  at: number;
}

/** What the alerts remember of an agent's last recorded cycle, to compare the next one with. */
export interface AgentMarks {
  cycleNo: number;
  marketTime: number;
  safeMode: boolean;
  /** Symbols the cycle found without protection. */
  unprotected: string[];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The window of the venue-error count. */
export const VENUE_ERROR_WINDOW_MS = 10 * 60_000;

/** The UTC day of an instant, e.g. 2025-10-12. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
