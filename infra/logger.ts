import pino, { type Logger } from 'pino';
import { processSecrets } from '../secrets/known-secrets';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The process's logger: every line passes the secret redactor (secrets/redact.ts) before it is written. */
export function createLogger(level: LogLevel | string = 'info'): Logger {
  return pino({ level, hooks: { streamWrite: (line) => processSecrets().redact(line) } });
}
