import {
  allHandlersFinished, condition, continueAsNew, executeChild, getExternalWorkflowHandle, patched, setCurrentDetails, setHandler,
  upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { checkConfigChange } from '../arena-config/runtime-changes';
import { DECISION_MAKER_DEFAULTS } from '../arena-config/types';
import {
  AgentInput, AgentState, AgentStateView, AgentStatus, CycleSummary, SAFE_MODE_AFTER_FAILURES, cycleWorkflowId,
  abortDecisionSignal, getStateQuery, pauseSignal, resumeSignal, runCycleNowUpdate, stopSignal, updateConfigUpdate,
} from './definitions';
import { agentCycleWorkflow } from './cycle';
import { AgentCycleAttr, AgentStatusAttr, LastCycleAtAttr } from './search-attributes';

/**
 * One agent, forever: wait for the next cycle, run it as a child workflow, keep compact state.
 * Paused agents run no cycles; stopped ones end; a failed cycle is counted and shown, never fatal.
 */
export async function agentWorkflow(input: AgentInput): Promise<AgentState> {
  const state: AgentState = input.state ?? {
    config: input.config, status: 'RUNNING', pauseReason: null, cycleNo: 0, consecutiveFailures: 0,
    failedCycles: 0, lastCycle: null, continuedAsNew: 0,
  };
  let runNowRequested = false;
  let nextCycleAt: number | null = null;
  const running: RunningCycle = { workflowId: null };

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
  });
  setHandler(resumeSignal, () => {
    if (state.status !== 'PAUSED') return;
    state.pauseReason = null;
    setStatus('RUNNING');
  });
  setHandler(stopSignal, async (args) => {
    if (state.status === 'STOPPED' || state.status === 'FINISHED') return;
    state.pauseReason = args?.reason ?? 'stopped by signal';
    setStatus('STOPPED');
    // A model call in flight is not waited for: the running cycle cancels it and finishes with `wait`.
    if (patched('stop-aborts-decision') && running.workflowId) {
      await getExternalWorkflowHandle(running.workflowId).signal(abortDecisionSignal).catch(() => undefined);
    }
  });
  setHandler(getStateQuery, (): AgentStateView => ({
    ...state, safeMode: inSafeMode(state), nextCycleAt: state.status === 'RUNNING' ? nextCycleAt : null,
    ...(input.symbolUniverse && { symbolUniverse: input.symbolUniverse }),
  }));
  setHandler(updateConfigUpdate, (config) => {
    state.config = config;
    publishDetails(state);
    return config;
  }, {
    // The same rule as the API's (a raw Temporal update gets no further than an API call would).
    validator: (config) => {
      checkConfigChange(state.config, config, input.symbolUniverse);
    },
  });
  setHandler(runCycleNowUpdate, async () => {
    const target = state.cycleNo + 1;
    runNowRequested = true;
    await condition(() => state.cycleNo >= target || state.status !== 'RUNNING');
    if (state.cycleNo < target || !state.lastCycle) throw new Error(`agent ${state.status.toLowerCase()} before the cycle ran`);
    return state.lastCycle;
  }, {
    validator: () => {
      if (state.status !== 'RUNNING') throw new Error(`agent is ${state.status.toLowerCase()}; resume it first`);
    },
  });

  publishDetails(state);
  while (state.status !== 'STOPPED' && state.status !== 'FINISHED') {
    if (state.status === 'PAUSED') {
      await condition(() => state.status !== 'PAUSED');
      continue;
    }
    nextCycleAt = Date.now() + input.cycleIntervalMs;
    const woke = await condition(() => runNowRequested || state.status !== 'RUNNING', input.cycleIntervalMs);
    if (state.status !== 'RUNNING') continue;
    if (!woke || runNowRequested) {
      runNowRequested = false;
      await runCycle(state, input.lockScope, running);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      state.continuedAsNew += 1;
      await continueAsNew<typeof agentWorkflow>({ ...input, config: state.config, state });
    }
  }
  await condition(allHandlersFinished);
  return state;
}

interface RunningCycle {
  workflowId: string | null;
}

async function runCycle(state: AgentState, lockScope: AgentInput['lockScope'], running: RunningCycle): Promise<void> {
  const cycleNo = state.cycleNo + 1;
  const { config } = state;
  let summary: CycleSummary;
  running.workflowId = cycleWorkflowId(config.id, cycleNo);
  try {
    summary = await executeChild(agentCycleWorkflow, {
      workflowId: cycleWorkflowId(config.id, cycleNo),
      args: [{ config, cycleNo, safeMode: inSafeMode(state), lockScope }],
      staticSummary: `${config.id} · cycle ${cycleNo}`,
      staticDetails: `${config.decisionMaker.provider}/${config.decisionMaker.model} on ${config.exchange.type}:${config.exchange.account}`,
      workflowExecutionTimeout: '15 minutes',
    });
  } catch (err) {
    // The child records its own failures; this is for the child itself dying (timeout, termination).
    summary = {
      cycleNo, ok: false, marketTime: null, equity: null, positions: 0,
      summary: `cycle workflow failed: ${err instanceof Error ? err.message : String(err)}`, finishedAt: Date.now(),
    };
  } finally {
    running.workflowId = null;
  }
  state.cycleNo = cycleNo;
  state.lastCycle = summary;
  state.consecutiveModelFailures = summary.modelFailed ? (state.consecutiveModelFailures ?? 0) + 1 : 0;
  if (summary.ok) {
    state.consecutiveFailures = 0;
  } else {
    state.consecutiveFailures += 1;
    state.failedCycles += 1;
  }
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

function inSafeMode(state: AgentState): boolean {
  const modelLimit = state.config.decisionMaker.maxConsecutiveFailures ?? DECISION_MAKER_DEFAULTS.maxConsecutiveFailures;
  return state.consecutiveFailures >= SAFE_MODE_AFTER_FAILURES || (state.consecutiveModelFailures ?? 0) >= modelLimit;
}

/** The markdown the Web UI shows on the agent's page. */
function publishDetails(state: AgentState): void {
  const last = state.lastCycle;
  const equity = last?.equity != null ? ` · equity ${last.equity.toFixed(2)} USDT` : '';
  const lines = [
    `**${state.status}** · cycle ${state.cycleNo}${equity}${inSafeMode(state) ? ' · **SAFE MODE** (no new positions)' : ''}`,
  ];
  if (state.pauseReason && state.status !== 'RUNNING') lines.push(`reason: ${state.pauseReason}`);
  if (last) lines.push(`last cycle ${last.cycleNo}: ${last.summary}`);
  setCurrentDetails(lines.join('\n\n'));
}
