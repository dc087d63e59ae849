/**
 * The cycle as it ran before the lean cycle (version 'lean-cycle'): eight activities and the signal
 * protocol of the trading lock. Kept, unchanged in what it asks of Temporal, so that histories of
 * cycles that began under it still replay (test/histories); nothing starts it any more.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { AgentConfig } from '../arena-config/types';
import { describeCycle } from '../cycle/summary';
import type { AccountView, Decision, PositionView } from '../decisions/types';
import type { ExecutionResult, ExecutionPlan } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/types';
import { abortDecisionSignal, type CycleSummary } from './definitions';
import { LockGrant, lockGrantedSignal, releaseLockSignal, tradingLockId } from './trading-lock-definitions';

/** The cycle's input before configs were stored (agent_configs): the whole config. */
export interface CycleInputWithConfig {
  config: AgentConfig;
  cycleNo: number;
  safeMode: boolean;
  /** One trading lock per venue account (default), or one for all accounts. */
  lockScope?: 'account' | 'global';
  /** The bar the agent traded last (lean cycles): a clock that has not moved past it runs nothing. */
  afterMarketTime?: number;
}

/** The activities of the old cycle, as it called them (no worker serves them any more). */
interface LegacyActivities {
  syncAccount(input: unknown): Promise<{
    marketTime: number;
    account: AccountView;
    positions: PositionView[];
    closedTrades: unknown[];
    unprotected: ExecutionPlan['protect'];
    leftoverOrders: ExecutionPlan['cancel'];
  }>;
  fetchMarketData(symbols: string[], marketTime: number): Promise<{ prices: Record<string, number> }>;
  computeIndicators(symbols: string[], marketTime: number): Promise<unknown[]>;
  decide(input: unknown): Promise<{ reasoning: string; decisions: Decision[]; llm: { parsed?: boolean; costUsd?: number } | null }>;
  riskCheck(input: unknown): Promise<RiskVerdict[]>;
  requestTradingLock(lockId: string, request: unknown): Promise<void>;
  executeOrders(input: unknown): Promise<{ executions: ExecutionResult[]; closedTrades: unknown[] }>;
  recordCycle(input: unknown): Promise<{ equity: number; positionCount: number }>;
  recordCycleFailure(input: unknown): Promise<void>;
}

/** Errors no retry can fix: the cycle fails at once and says why. */
const PERMANENT = ['ReplayEnded', 'VenueUnavailable', 'DecisionMakerUnavailable', 'NoMarketData', 'FencingRejected'];

// Activities heartbeat every 2 s (activities/keep-alive.ts): a worker that dies mid-activity is
// noticed after heartbeatTimeout, not at the end of startToClose.
const READ: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};
const DECIDE: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: PERMANENT },
};
// Orders: short and bounded, and over before the lock's lease ends (the fencing check refuses any
// order after it). Every order is looked up by its client id before it is placed, so a retry after a
// crash finds the earlier order instead of placing a second one.
const LOCK_LEASE_MS = 120_000;
const LOCK_WAIT = '3 minutes';
const ORDERS: ActivityOptions = {
  startToCloseTimeout: '60s',
  scheduleToCloseTimeout: '110s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};
const RECORD: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
};

/** An activity proxy whose calls show `summary` in the Web UI's event history. */
const step = (options: ActivityOptions, summary: string) => proxyActivities<LegacyActivities>({ ...options, summary });

/** The old cycle (see the module comment). */
export async function agentCycleWorkflow(input: CycleInputWithConfig): Promise<CycleSummary> {
  const { config, cycleNo } = input;
  const startedAt = Date.now();
  const ref = { agentId: config.id, exchange: config.exchange, initialBalance: config.strategy.initialBalance };
  const symbols = config.strategy.symbols;
  let marketTime: number | null = null;
  let grant: LockGrant | null = null;
  setHandler(lockGrantedSignal, (g) => {
    grant = g;
  });
  // The agent's stop cancels a model call in flight (the decide activity heartbeats, so it hears it).
  const decisionScope = new CancellationScope();
  setHandler(abortDecisionSignal, () => decisionScope.cancel());
  try {
    const sync = await step(READ, `sync ${config.exchange.type} account ${config.exchange.account}`).syncAccount({
      ref,
      cycleNo,
      risk: config.strategy.risk,
      symbols,
    });
    const at = sync.marketTime;
    marketTime = at;
    const { prices } = await step(READ, `fetch ${symbols.length} symbols at ${iso(at)}`).fetchMarketData(symbols, at);
    const market = await step(READ, 'indicators 3m + 4h').computeIndicators(symbols, at);
    const ask = () =>
      step(DECIDE, `ask ${config.decisionMaker.provider}/${config.decisionMaker.model}`).decide({
        decisionMaker: config.decisionMaker,
        agentId: config.id,
        cycleNo,
        marketTime: at,
        account: sync.account,
        positions: sync.positions,
        market,
        risk: config.strategy.risk,
        tradingStyle: config.strategy.tradingStyle,
      });
    let decision: Awaited<ReturnType<LegacyActivities['decide']>>;
    let modelError: string | null = null;
    if (patched('model-failure-is-wait')) {
      // A model that fails (after its retries) means `wait`: the cycle still reconciles, protects and records.
      try {
        decision = await decisionScope.run(ask);
      } catch (err) {
        const failure = describeFailure(err);
        modelError = `${failure.type}: ${failure.message}`;
        decision = {
          reasoning: `model call failed (${modelError}); nothing new is opened`,
          decisions: [{ action: 'wait', reason: 'model call failed' }],
          llm: null,
        };
      }
    } else {
      decision = await ask();
    }
    const modelFailed = modelError !== null || decision.llm?.parsed === false;
    const verdicts = await step(READ, `risk check ${decision.decisions.length} decisions`).riskCheck({
      ref,
      marketTime,
      decisions: decision.decisions,
      account: sync.account,
      positions: sync.positions,
      prices,
      risk: config.strategy.risk,
      safeMode: input.safeMode,
    });
    const orders = verdicts.flatMap((v) => (v.order ? [v.order] : []));
    const plan = { ref, cycleNo, marketTime, orders, protect: sync.unprotected, cancel: sync.leftoverOrders };
    let executed: Awaited<ReturnType<LegacyActivities['executeOrders']>> = { executions: [], closedTrades: [] };
    if (patched('trading-lock')) {
      if (orders.length || plan.protect.length || plan.cancel.length) {
        const lockId = tradingLockId(config.exchange.type, config.exchange.account, input.lockScope);
        executed = await underTradingLock(
          lockId,
          () => grant,
          (fence) => step(ORDERS, describePlan(plan)).executeOrders({ ...plan, fence }),
        );
      }
    } else if (orders.length) {
      throw ApplicationFailure.nonRetryable(
        'this cycle began before the trading lock existed; its orders were not placed',
        'VersionUpgrade',
      );
    }
    const summary = describeCycle(verdicts, executed.executions);
    const recorded = await step(RECORD, 'record decision log and equity').recordCycle({
      ref,
      cycleNo,
      startedAt,
      marketTime,
      account: sync.account,
      positions: sync.positions,
      market,
      reasoning: decision.reasoning,
      decisions: decision.decisions,
      verdicts,
      executions: executed.executions,
      closedTrades: [...sync.closedTrades, ...executed.closedTrades],
      summary,
      llm: decision.llm || modelError ? { ...decision.llm, error: modelError } : null,
    });
    return {
      cycleNo,
      ok: true,
      marketTime,
      equity: recorded.equity,
      positions: recorded.positionCount,
      summary,
      finishedAt: Date.now(),
      modelFailed,
      costUsd: decision.llm?.costUsd ?? 0,
    };
  } catch (err) {
    const failure = describeFailure(err);
    await step(RECORD, 'record failed cycle').recordCycleFailure({
      agentId: config.id,
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

/**
 * Runs `work` holding the account's trading lock: asks for it (signal-with-start through an
 * activity), waits for the grant, and always releases it, even when the cycle is being cancelled.
 */
async function underTradingLock<T>(
  lockId: string,
  granted: () => LockGrant | null,
  work: (fence: { lockId: string; token: number }) => Promise<T>,
): Promise<T> {
  // One lock request per cycle, named after the cycle's workflow. The grant is not matched against that
  // name: only this lock signals this workflow, and a replay then needs nothing but the history.
  const requestId = workflowInfo().workflowId;
  await step(READ, `request trading lock ${lockId}`).requestTradingLock(lockId, {
    requesterWorkflowId: requestId,
    requestId,
    leaseMs: LOCK_LEASE_MS,
  });
  if (!(await condition(() => granted() !== null, LOCK_WAIT))) {
    throw ApplicationFailure.nonRetryable(`trading lock ${lockId} not granted within ${LOCK_WAIT}`, 'LockTimeout');
  }
  const grant = granted()!;
  try {
    return await work({ lockId, token: grant.token });
  } finally {
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(lockId).signal(releaseLockSignal, { requestId: grant.requestId, token: grant.token }),
    );
  }
}

function describePlan(plan: Pick<ExecutionPlan, 'orders' | 'protect' | 'cancel'>): string {
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
