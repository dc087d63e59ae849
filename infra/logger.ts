import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { processSecrets } from '../secrets/known-secrets';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** Human-readable lines instead of JSON. Default: LOG_FORMAT (pretty or json), else pretty on a terminal. */
  pretty?: boolean;
  /** Where the lines go (tests); default standard output. */
  destination?: NodeJS.WritableStream;
}

/**
 * Fields a person does not need beside the message (it says them, or the agent in front of it does):
 * the pretty format leaves them out, JSON keeps them for machines.
 */
const SAID_IN_THE_MESSAGE = [
  'pid',
  'hostname',
  'agent',
  'cycle',
  'marketTime',
  'decided',
  'executed',
  'equity',
  'positions',
  'durationMs',
  'component',
  'workflowId',
  'workflowType',
];

/**
 * The process's logger: JSON lines (one object per line: `level`, `time`, `msg`, `agent`, ...), or
 * human-readable ones on a terminal (pino-pretty, in this process). Either way every line passes the
 * secret redactor (secrets/redact.ts) before it is written.
 */
export function createLogger(level: LogLevel | string = 'info', options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const human = options.pretty ?? prettyByDefault(destination);
  const stream: DestinationStream = human
    ? pretty({
        destination,
        sync: true,
        colorize: destination === process.stdout && process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        singleLine: true,
        ignore: SAID_IN_THE_MESSAGE.join(','),
        messageFormat: '{if agent}[{agent}] {end}{msg}',
      })
    : (destination as DestinationStream);
  return pino({ level, hooks: { streamWrite: (line) => processSecrets().redact(line) } }, stream);
}

function prettyByDefault(destination: NodeJS.WritableStream): boolean {
  const format = process.env.LOG_FORMAT?.trim().toLowerCase();
  if (format === 'pretty') return true;
  if (format === 'json') return false;
  if (format) throw new Error(`LOG_FORMAT: expected pretty or json, got "${format.slice(0, 40)}"`);
  return destination === process.stdout && process.stdout.isTTY === true;
}
