import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from 'pino';

export interface TemporalLoggerOptions {
  /** Write the SDK's info lines at debug (the workflow bundler's statistics). */
  infoAsDebug?: boolean;
}

/** Context the SDK puts on every line that says nothing a reader of the arena's log needs. */
const DROPPED = new Set(['namespace', 'taskQueue', 'runId', 'workflowRunId', 'taskToken', 'isLocal', 'sdkComponent']);

/**
 * The Temporal SDK's logger (Runtime.install `logger`: the SDK's own lines, Core's forwarded ones, and
 * the workflows' `log`) writing through the arena's pino logger: same format, same redaction, same
 * level. The agent is read off the workflow id (`agent-<id>` or `agent-<id>-cycle-<n>`).
 */
export function temporalLogger(log: Logger, options: TemporalLoggerOptions = {}): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta: LogMetadata = {}) => {
    const method = level === 'INFO' && options.infoAsDebug ? 'debug' : PINO_METHOD[level];
    log[method](fields(meta), message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

function fields(meta: LogMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const agent = typeof meta.workflowId === 'string' ? agentOfWorkflowId(meta.workflowId) : undefined;
  if (agent) out.agent = agent;
  if (typeof meta.sdkComponent === 'string') out.component = `temporal-${meta.sdkComponent}`;
  for (const [key, value] of Object.entries(meta)) {
    if (DROPPED.has(key)) continue;
    // pino serialises an Error (message, stack, cause) under `err` only.
    out[key === 'error' || key === 'failure' ? 'err' : key] = value;
  }
  return out;
}

/** `agent-<id>` and `agent-<id>-cycle-<n>` are the agents' workflows (workflows/definitions.ts). */
export function agentOfWorkflowId(workflowId: string): string | undefined {
  return /^agent-(.+?)(?:-cycle-\d+)?$/.exec(workflowId)?.[1];
}
