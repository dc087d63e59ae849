import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { cycleDetails } from '../cycle/details';
import { describeCycle } from '../cycle/summary';
import { hasWork } from '../cycle/types';
import type { ExecutionPlan } from '../execution/execute-orders';
import {
  abortDecisionSignal,
  cycleInputOf,
  type CycleActivities,
  type CycleInput,
  type CycleSummary,
  type DecideResult,
  type ExecuteResult,
  type RiskResult,
  type SyncResult,
} from './definitions';
import type { CycleInputWithConfig } from './legacy-cycle';
import { tradingLockId } from './trading-lock-definitions';

/** The cycle workflow of agents that began before the lean cycle: it still replays their histories. */
export { agentCycleWorkflow } from './legacy-cycle';

/** Errors no retry can fix: the cycle fails at once and says why. */
const PERMANENT = ['ReplayEnded', 'VenueUnavailable', 'DecisionMakerUnavailable', 'NoMarketData', 'FencingRejected', 'LockTimeout'];

// Short steps that only read, compute, or write idempotently run as local activities: a marker each in
// the history, all in the workflow task that starts the cycle. The model call and the order phase stay
// activities of their own: they are long, they heartbeat, and a dead worker's share moves elsewhere.
const QUICK: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};
const DECIDE: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: PERMANENT },
};
// The order phase waits for the account's trading lock (at most 2 minutes), then runs under its lease;
// a retry asks for the lock again under the same request id and looks every order up by its client id
// before placing it, so it never places one twice.
const ORDERS: ActivityOptions = {
  startToCloseTimeout: '4m',
  scheduleToCloseTimeout: '10m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};

const quick = (summary: string) => proxyLocalActivities<CycleActivities>({ ...QUICK, summary });
const long = (options: ActivityOptions, summary: string) => proxyActivities<CycleActivities>({ ...options, summary });

/**
 * One cycle of one agent: sync the account, read the market, decide, check risk, trade, record.
 * Seven steps, five of them local; a cycle without orders writes about ten events to its history.
 * A failure anywhere is recorded and returned as a failed summary; it never escapes to the agent.
 */
export async function agentCycle(started: CycleInput | CycleInputWithConfig): Promise<CycleSummary> {
  // Cycles started before configs were stored carry the whole config; their activities get it inline.
  const input = 'config' in started ? cycleInputOf(started.config, { inline: started.config }, started) : started;
  const { ref, symbols, cycleNo, agentConfig, decisionMaker } = input;
  const agentId = ref.agentId;
  const startedAt = Date.now();
  let marketTime: number | null = null;
  // The agent's stop cancels a model call in flight (the decide activity heartbeats, so it hears it).
  const decisionScope = new CancellationScope();
  setHandler(abortDecisionSignal, () => decisionScope.cancel());
  try {
    const sync: SyncResult = await quick(`sync ${ref.exchange.type} account ${ref.exchange.account}`).readAccount({
      ref,
      cycleNo,
      agentConfig,
    });
    const at = sync.marketTime;
    if (sync.clockHeld && input.afterMarketTime !== undefined && at <= input.afterMarketTime) {
      return {
        cycleNo,
        ok: true,
        skipped: true,
        marketTime: at,
        equity: sync.account.equity,
        positions: sync.positions.length,
        summary: `no new bar since ${iso(at)} (the market clock is held)`,
        finishedAt: Date.now(),
        nextBarAt: sync.nextBarAt,
        barWallMs: sync.barWallMs,
      };
    }
    marketTime = at;
    const seen = { account: sync.account, positions: sync.positions };
    const { prices } = await quick(`market: ${symbols.length} symbols at ${iso(at)}`).readMarket({ symbols, marketTime: at });
    let decision: DecideResult;
    let modelError: string | null = null;
    try {
      decision = await decisionScope.run(() =>
        decideStep(decisionMaker).askDecisionMaker({ agentId, cycleNo, marketTime: at, seen, agentConfig }),
      );
    } catch (err) {
      // A model that fails (after its retries) means `wait`: the cycle still reconciles, protects and records.
      const failure = describeFailure(err);
      modelError = `${failure.type}: ${failure.message}`;
      decision = {
        reasoning: `model call failed (${modelError}); nothing new is opened`,
        decisions: [{ action: 'wait', reason: 'model call failed' }],
        llm: null,
      };
    }
    const risk: RiskResult = await quick(`risk check: ${decision.decisions.length} decisions`).checkRisk({
      ref,
      marketTime: at,
      decisions: decision.decisions,
      seen,
      prices,
      agentConfig,
      safeMode: input.safeMode,
      mend: { protect: sync.protect, cancel: sync.cancel },
    });
    let executed: ExecuteResult = { executions: [], closedTrades: [], after: seen };
    if (hasWork(risk.plan)) {
      executed = await long(ORDERS, describePlan(risk.plan)).placeOrders({
        ref,
        cycleNo,
        marketTime: at,
        plan: risk.plan,
        lockId: tradingLockId(ref.exchange.type, ref.exchange.account, input.lockScope),
        requestId: workflowInfo().workflowId,
      });
    }
    const summary = describeCycle(risk.verdicts, executed.executions);
    const llm = decision.llm || modelError ? { ...decision.llm, error: modelError } : null;
    await quick('record decision log and equity').recordCycleOutcome({
      agentId,
      cycleNo,
      startedAt,
      marketTime: at,
      seen,
      closedTrades: [...sync.closedTrades, ...executed.closedTrades],
      symbols,
      reasoning: decision.reasoning,
      decisions: decision.decisions,
      verdicts: risk.verdicts,
      executions: executed.executions,
      after: executed.after,
      summary,
      llm,
      safeMode: input.safeMode,
      unprotected: sync.protect.map((p) => p.symbol),
    });
    setCurrentDetails(
      cycleDetails({
        cycleNo,
        marketTime: at,
        decisionMaker: `${decisionMaker.provider}/${decisionMaker.model}`,
        before: { account: seen.account, positions: seen.positions.length },
        after: { account: executed.after.account, positions: executed.after.positions.length },
        verdicts: risk.verdicts,
        executions: executed.executions,
        modelError,
        safeMode: input.safeMode,
      }),
    );
    return {
      cycleNo,
      ok: true,
      marketTime,
      equity: executed.after.account.equity,
      positions: executed.after.positions.length,
      summary,
      finishedAt: Date.now(),
      modelFailed: modelError !== null || decision.llm?.parsed === false,
      costUsd: decision.llm?.costUsd ?? 0,
      nextBarAt: sync.nextBarAt,
      barWallMs: sync.barWallMs,
    };
  } catch (err) {
    const failure = describeFailure(err);
    await quick('record failed cycle').recordCycleFailure({
      agentId,
      cycleNo,
      startedAt,
      marketTime,
      error: `${failure.type}: ${failure.message}`,
    });
    return {
      cycleNo,
      ok: false,
      marketTime,
      equity: null,
      positions: 0,
      summary: `failed: ${failure.message}`,
      finishedAt: Date.now(),
      failureType: failure.type,
    };
  }
}

/** A rule-based decision is a quick local step; a model call is an activity of its own (long, cancellable). */
function decideStep(dm: CycleInput['decisionMaker']): Pick<CycleActivities, 'askDecisionMaker'> {
  const summary = `ask ${dm.provider}/${dm.model}`;
  return dm.provider === 'rule_based' ? quick(summary) : long(DECIDE, summary);
}

function describePlan(plan: ExecutionPlan): string {
  return [
    ...plan.orders.map((o) => `${o.kind} ${o.side} ${o.symbol} ${o.quantity}`),
    ...plan.protect.map((p) => `protect ${p.symbol}`),
    ...(plan.cancel.length ? [`cancel ${plan.cancel.length} leftover`] : []),
  ].join(', ');
}

function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z';
