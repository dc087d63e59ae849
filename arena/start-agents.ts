import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { ConfigChangeRefused, checkConfigChange } from '../arena-config/runtime-changes';
import type { AgentConfig } from '../arena-config/types';
import { storeAgentConfig } from '../db/agent-configs';
import { recordedCycleCount } from '../db/agents';
import { lastOkCycle } from '../db/cycles';
import type { Database } from '../db/schema';
import { agentWorkflow } from '../workflows/agent';
import { AgentInput, AgentState, agentWorkflowId, getStateQuery, stopSignal, updateConfigUpdate } from '../workflows/definitions';
import { AgentCycleAttr, AgentIdAttr, AgentModelAttr, AgentStatusAttr, AgentVenueAttr } from '../workflows/search-attributes';

export interface StartAgentsOptions {
  client: Client;
  db: Kysely<Database>;
  taskQueue: string;
  cycleIntervalMs: (config: AgentConfig) => number;
  lockScope?: AgentInput['lockScope'];
  /** The symbols the market offers; a config change at run time may choose among these only. */
  symbolUniverse?: string[];
  log: (msg: string) => void;
  /** How long to keep trying a start or an update that meets a workflow task still replaying (default 2 minutes). */
  retryForMs?: number;
}

/**
 * Ensures every agent has a running workflow with the files' config. A running agent keeps its state:
 * what may change at run time arrives through the validated `updateConfig` update; a change to what
 * only the files may change (provider, model, endpoints, key variables, venue, account...) stops the
 * agent after its current cycle and starts it again with the new config, keeping its state. An agent
 * that is not running starts from the last cycle in the records, so cycle numbers never repeat.
 */
export async function startAgents(opts: StartAgentsOptions, configs: AgentConfig[]): Promise<void> {
  for (const config of configs) {
    const handle = opts.client.workflow.getHandle<typeof agentWorkflow>(agentWorkflowId(config.id));
    const running = await handle.describe().then(
      (d) => d.status.name === 'RUNNING',
      () => false,
    );
    if (!running) {
      const cycleNo = await recordedCycleCount(opts.db, config.id);
      const last = cycleNo > 0 ? await lastOkCycle(opts.db, config.id) : undefined;
      await start(opts, config, cycleNo > 0 ? freshState(config, cycleNo, last?.market_time?.getTime() ?? null) : undefined);
      opts.log(`agent ${config.id}: started${cycleNo ? ` (resuming after cycle ${cycleNo})` : ''}`);
      continue;
    }
    const live = await retrying(opts, () => handle.query(getStateQuery));
    try {
      checkConfigChange(live.config, config, opts.symbolUniverse);
    } catch (err) {
      if (!(err instanceof ConfigChangeRefused)) throw err;
      opts.log(`agent ${config.id}: ${err.field} changed in the files: restarting it after its current cycle`);
      await restart(opts, handle, config, live);
      continue;
    }
    await retrying(opts, () => handle.executeUpdate(updateConfigUpdate, { args: [config] }));
    opts.log(`agent ${config.id}: already running, config refreshed`);
  }
}

/**
 * The state of an agent resumed from the records: its cycle count, and the bar it last traded, so that a
 * market clock still on that bar (it holds while the arena is down) runs nothing twice.
 */
function freshState(config: AgentConfig, cycleNo: number, lastMarketTime: number | null): AgentState {
  const lastCycle =
    lastMarketTime === null
      ? null
      : {
          cycleNo,
          ok: true,
          marketTime: lastMarketTime,
          equity: null,
          positions: 0,
          summary: 'from the records',
          finishedAt: Date.now(),
        };
  return {
    config,
    status: 'RUNNING',
    pauseReason: null,
    cycleNo,
    consecutiveFailures: 0,
    failedCycles: 0,
    lastCycle,
    continuedAsNew: 0,
  };
}

/** Stops the running workflow (its cycle in flight finishes), then starts the agent again with `config` and the state it had. */
async function restart(
  opts: StartAgentsOptions,
  handle: WorkflowHandle<typeof agentWorkflow>,
  config: AgentConfig,
  live: AgentState,
): Promise<void> {
  await handle.signal(stopSignal, { reason: 'restarting with a new config from the files' });
  const last = await handle.result();
  const paused = live.status === 'PAUSED';
  await start(opts, config, {
    ...last,
    config,
    status: paused ? 'PAUSED' : 'RUNNING',
    pauseReason: paused ? live.pauseReason : null,
  });
}

async function start(opts: StartAgentsOptions, config: AgentConfig, state: AgentState | undefined): Promise<void> {
  // Stored before the agent starts, so that its first cycle names it without a store step of its own;
  // a carried state gets the new digest (the one it had named the config before a restart).
  const configDigest = await storeAgentConfig(opts.db, config);
  const input: AgentInput = {
    config,
    cycleIntervalMs: opts.cycleIntervalMs(config),
    lockScope: opts.lockScope,
    ...(opts.symbolUniverse && { symbolUniverse: opts.symbolUniverse }),
    ...(state ? { state: { ...state, configDigest } } : { configDigest }),
  };
  await retrying(opts, () =>
    opts.client.workflow.start(agentWorkflow, {
      workflowId: agentWorkflowId(config.id),
      taskQueue: opts.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${config.name} · ${config.decisionMaker.provider}/${config.decisionMaker.model} · ${config.exchange.type}`,
      typedSearchAttributes: [
        { key: AgentIdAttr, value: config.id },
        { key: AgentStatusAttr, value: state?.status ?? 'RUNNING' },
        { key: AgentVenueAttr, value: `${config.exchange.type}:${config.exchange.account}` },
        { key: AgentModelAttr, value: `${config.decisionMaker.provider}/${config.decisionMaker.model}` },
        { key: AgentCycleAttr, value: state?.cycleNo ?? 0 },
      ],
    }),
  );
}

/**
 * Runs `call` again while the server answers that the workflow's task is not ready (a long history still
 * replaying on a loaded machine: FAILED_PRECONDITION "Workflow Task in failed state"), a query finds
 * no worker yet, or a search attribute registered a moment ago has not reached every service of a
 * cluster yet (each refreshes its namespace cache every few seconds); other errors are thrown at once.
 */
async function retrying<T>(opts: StartAgentsOptions, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (opts.retryForMs ?? 120_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await call();
    } catch (err) {
      if (!notReadyYet(err) || Date.now() + delay > deadline) throw err;
      await sleep(delay);
    }
  }
}

const FAILED_PRECONDITION = 9;
const DEADLINE_EXCEEDED = 4;

export function notReadyYet(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === FAILED_PRECONDITION || code === DEADLINE_EXCEEDED) return true;
    if (/workflow task in failed state|did not register a handler|no poller|no mapping defined for search attribute/i.test(e.message))
      return true;
  }
  return false;
}
