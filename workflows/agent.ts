import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  executeChild,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { checkConfigChange } from '../arena-config/runtime-changes';
import { countCycle, inSafeMode as inSafeModeOf } from '../cycle/safe-mode';
import { changedRuntimeFields, updateRequester } from '../observability/config-changes';
import {
  type AgentActivities,
  AgentInput,
  AgentState,
  AgentStateView,
  AgentStatus,
  CycleSummary,
  cycleWorkflowId,
  cycleInputOf,
  abortDecisionSignal,
  getStateQuery,
  pauseSignal,
  resumeSignal,
  runCycleNowUpdate,
  stopSignal,
  updateConfigUpdate,
} from './definitions';
import { agentCycle, agentCycleWorkflow } from './cycle';
import { nextCycleTime } from './cadence';
import { AgentCycleAttr, AgentStatusAttr, LastCycleAtAttr } from './search-attributes';

const CONFIG_WRITE = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10 },
} as const;
const { saveAgentConfig } = proxyLocalActivities<AgentActivities>({ ...CONFIG_WRITE, summary: 'save the config to the agents table' });
const { storeAgentConfig } = proxyLocalActivities<AgentActivities>({ ...CONFIG_WRITE, summary: 'store the config its cycles name' });

/**
 * One agent, forever: wait for the next cycle, run it as a child workflow, keep compact state.
 * Paused agents run no cycles; stopped ones end; a failed cycle is counted and shown, never fatal.
 */
export async function agentWorkflow(input: AgentInput): Promise<AgentState> {
  const state: AgentState = input.state ?? {
    config: input.config,
    status: 'RUNNING',
    pauseReason: null,
    cycleNo: 0,
    consecutiveFailures: 0,
    failedCycles: 0,
    lastCycle: null,
    continuedAsNew: 0,
    ...(input.configDigest !== undefined && { configDigest: input.configDigest }),
  };
  let runNowRequested = false;
  let nextCycleAt: number | null = null;
  const running: RunningCycle = { workflowId: null };
  const writeConfig = oneAtATime();

  const setStatus = (status: AgentStatus) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: AgentStatusAttr, value: status }]);
    publishDetails(state);
  };

  setHandler(pauseSignal, (args) => {
    if (state.status !== 'RUNNING') return;
    state.pauseReason = args?.reason ?? 'paused by signal';
    setStatus('PAUSED');
    log.info(args?.reason ? `paused: ${args.reason}` : 'paused by signal');
  });
  setHandler(resumeSignal, () => {
    if (state.status !== 'PAUSED') return;
    state.pauseReason = null;
    setStatus('RUNNING');
    log.info('resumed by signal');
  });
  setHandler(stopSignal, async (args) => {
    if (state.status === 'STOPPED' || state.status === 'FINISHED') return;
    state.pauseReason = args?.reason ?? 'stopped by signal';
    setStatus('STOPPED');
    log.info(args?.reason ? `stopped: ${args.reason}` : 'stopped by signal');
    // A model call in flight is not waited for: the running cycle cancels it and finishes with `wait`.
    if (patched('stop-aborts-decision') && running.workflowId) {
      await getExternalWorkflowHandle(running.workflowId)
        .signal(abortDecisionSignal)
        .catch(() => undefined);
    }
  });
  setHandler(getStateQuery, (): AgentStateView => ({
    ...state,
    safeMode: inSafeMode(state),
    nextCycleAt: state.status === 'RUNNING' ? nextCycleAt : null,
    ...(input.symbolUniverse && { symbolUniverse: input.symbolUniverse }),
  }));
  setHandler(
    updateConfigUpdate,
    async (config) => {
      const changed = changedRuntimeFields(state.config, config);
      log.info(`config changed by ${updateRequester(currentUpdateInfo()?.id)}: ${changed.join(', ') || 'no field'}`, { changed });
      state.config = config;
      state.configDigest = undefined;
      publishDetails(state);
      // The workflow owns the config; the database copy (what the API shows without a worker) follows it.
      if (patched('config-saved-from-workflow')) await writeConfig(() => saveAgentConfig(config));
      return config;
    },
    {
      // The same rule as the API's (a raw Temporal update gets no further than an API call would).
      validator: (config) => {
        checkConfigChange(state.config, config, input.symbolUniverse);
      },
    },
  );
  setHandler(
    runCycleNowUpdate,
    async () => {
      const target = state.cycleNo + 1;
      const skipped = state.skippedCycles ?? 0;
      runNowRequested = true;
      // A pause or stop that arrives while the cycle runs does not undo it: the caller gets its summary.
      const outlivesPause = patched('run-now-outlives-pause');
      const stopped = () => state.status !== 'RUNNING' && !(outlivesPause && running.workflowId !== null);
      await condition(() => state.cycleNo >= target || (state.skippedCycles ?? 0) > skipped || stopped());
      // Failures of the update, not of the workflow task (a plain Error would fail the task and stall the agent).
      if ((state.skippedCycles ?? 0) > skipped && state.cycleNo < target)
        throw ApplicationFailure.nonRetryable('the market clock has not moved past the last bar: nothing to run', 'CycleNotRun');
      if (state.cycleNo < target || !state.lastCycle)
        throw ApplicationFailure.nonRetryable(`agent ${state.status.toLowerCase()} before the cycle ran`, 'CycleNotRun');
      return state.lastCycle;
    },
    {
      validator: () => {
        if (state.status !== 'RUNNING') throw new Error(`agent is ${state.status.toLowerCase()}; resume it first`);
      },
    },
  );

  publishDetails(state);
  while (state.status !== 'STOPPED' && state.status !== 'FINISHED') {
    if (state.status === 'PAUSED') {
      await condition(() => state.status !== 'PAUSED');
      continue;
    }
    nextCycleAt = nextCycleTime(state, input.cycleIntervalMs, Date.now());
    const woke = await condition(() => runNowRequested || state.status !== 'RUNNING', Math.max(0, nextCycleAt - Date.now()), {
      summary: `next cycle at ${new Date(nextCycleAt).toISOString().slice(11, 19)}Z`,
    });
    if (state.status !== 'RUNNING') continue;
    if (!woke || runNowRequested) {
      runNowRequested = false;
      await runCycle(state, input.lockScope, running, writeConfig);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      state.continuedAsNew += 1;
      // The start's digest is not carried: the state holds the current one.
      await continueAsNew<typeof agentWorkflow>({ ...input, configDigest: undefined, config: state.config, state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

interface RunningCycle {
  workflowId: string | null;
}

/** Runs the config's writes (its local activities) one after the other. */
type WriteConfig = <T>(write: () => Promise<T>) => Promise<T>;

/**
 * Local activities in flight at the same time resolve in separate activations when they run, but in
 * one activation on replay, where their continuations can issue commands in another order: a config
 * change's save beside the cycle's store of it failed the next replay with a nondeterminism error and
 * stalled the agent. Behind the patch each write waits for the one before it.
 */
function oneAtATime(): WriteConfig {
  let last: Promise<unknown> = Promise.resolve();
  return (write) => {
    if (!patched('config-writes-one-at-a-time')) return write();
    const done = last.then(write);
    last = done.catch(() => undefined);
    return done;
  };
}

async function runCycle(
  state: AgentState,
  lockScope: AgentInput['lockScope'],
  running: RunningCycle,
  writeConfig: WriteConfig,
): Promise<void> {
  const cycleNo = state.cycleNo + 1;
  const { config } = state;
  let summary: CycleSummary;
  running.workflowId = cycleWorkflowId(config.id, cycleNo);
  const afterMarketTime = state.lastCycle?.ok ? (state.lastCycle.marketTime ?? undefined) : undefined;
  const cycle = { cycleNo, safeMode: inSafeMode(state), lockScope, ...(afterMarketTime !== undefined && { afterMarketTime }) };
  try {
    // Agents whose history began before the lean cycle replay their earlier cycles as they ran.
    const lean = patched('lean-cycle');
    // The cycle names the config by digest (its activities read it there) instead of carrying all of it.
    const byDigest = lean && patched('cycle-names-stored-config');
    let digest = state.configDigest;
    if (byDigest && digest === undefined) {
      digest = await writeConfig(() => storeAgentConfig(config));
      // A config change while it was being stored makes the next cycle store the new one.
      if (state.config === config) state.configDigest = digest;
    }
    const options = {
      workflowId: cycleWorkflowId(config.id, cycleNo),
      staticSummary: `${config.id} · cycle ${cycleNo}`,
      staticDetails: `${config.decisionMaker.provider}/${config.decisionMaker.model} on ${config.exchange.type}:${config.exchange.account}`,
      workflowExecutionTimeout: '15 minutes' as const,
    };
    summary =
      byDigest && digest !== undefined
        ? await executeChild(agentCycle, { ...options, args: [cycleInputOf(config, { digest }, cycle)] })
        : await executeChild(lean ? agentCycle : agentCycleWorkflow, { ...options, args: [{ config, ...cycle }] });
  } catch (err) {
    // The child records its own failures; this is for the child itself dying (timeout, termination).
    summary = {
      cycleNo,
      ok: false,
      marketTime: null,
      equity: null,
      positions: 0,
      summary: `cycle workflow failed: ${err instanceof Error ? err.message : String(err)}`,
      finishedAt: Date.now(),
    };
  } finally {
    running.workflowId = null;
  }
  if (summary.skipped) {
    // Nothing ran: the same cycle number goes to the next bar; only the clock's timing is kept.
    if (state.lastCycle) state.lastCycle = { ...state.lastCycle, nextBarAt: summary.nextBarAt, barWallMs: summary.barWallMs };
    state.skippedCycles = (state.skippedCycles ?? 0) + 1;
    return;
  }
  state.cycleNo = cycleNo;
  state.lastCycle = summary;
  Object.assign(state, countCycle(state, { ok: summary.ok, modelFailed: summary.modelFailed ?? false }));
  if (!summary.ok) state.failedCycles += 1;
  if (summary.failureType === 'ReplayEnded') {
    state.status = 'FINISHED';
    state.pauseReason = 'the bundled market data has been replayed to its end';
    upsertSearchAttributes([{ key: AgentStatusAttr, value: 'FINISHED' }]);
  }
  upsertSearchAttributes([
    { key: AgentCycleAttr, value: cycleNo },
    { key: LastCycleAtAttr, value: new Date(summary.finishedAt) },
  ]);
  publishDetails(state);
}

const inSafeMode = (state: AgentState) => inSafeModeOf(state.config, state);

/** The markdown the Web UI shows on the agent's page. */
function publishDetails(state: AgentState): void {
  const last = state.lastCycle;
  const equity = last?.equity != null ? ` · equity ${last.equity.toFixed(2)} USDT` : '';
  const lines = [`**${state.status}** · cycle ${state.cycleNo}${equity}${inSafeMode(state) ? ' · **SAFE MODE** (no new positions)' : ''}`];
  if (state.pauseReason && state.status !== 'RUNNING') lines.push(`reason: ${state.pauseReason}`);
  if (last) lines.push(`last cycle ${last.cycleNo}: ${last.summary}`);
  setCurrentDetails(lines.join('\n\n'));
}
