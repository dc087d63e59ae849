import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ArenaActivities } from '../activities';
import type { AccountRef } from '../activities/trading';
import type { AgentConfig } from '../arena-config/types';
import type { ExecutionResult } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/pre-trade-check';
import type { CycleSummary } from './definitions';

export interface CycleInput {
  config: AgentConfig;
  cycleNo: number;
  safeMode: boolean;
}

/** Errors no retry can fix: the cycle fails at once and says why. */
const PERMANENT = ['ReplayEnded', 'VenueUnavailable', 'DecisionMakerUnavailable', 'NoMarketData'];

const READ: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};
const DECIDE: ActivityOptions = {
  startToCloseTimeout: '3m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: PERMANENT },
};
// Orders: short and bounded. Every order is looked up by its client id before it is placed, so a
// retry after a crash finds the earlier order instead of placing a second one.
const ORDERS: ActivityOptions = {
  startToCloseTimeout: '60s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};
const RECORD: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
};

/** An activity proxy whose calls show `summary` in the Web UI's event history. */
const step = (options: ActivityOptions, summary: string) => proxyActivities<ArenaActivities>({ ...options, summary });

/**
 * One cycle of one agent: sync the account, read the market, decide, check risk, trade, record.
 * A failure anywhere is recorded and returned as a failed summary; it never escapes to the agent.
 */
export async function agentCycleWorkflow(input: CycleInput): Promise<CycleSummary> {
  const { config, cycleNo } = input;
  const startedAt = Date.now();
  const ref: AccountRef = { agentId: config.id, exchange: config.exchange, initialBalance: config.strategy.initialBalance };
  const symbols = config.strategy.symbols;
  let marketTime: number | null = null;
  try {
    const sync = await step(READ, `sync ${config.exchange.type} account ${config.exchange.account}`).syncAccount(ref, cycleNo);
    marketTime = sync.marketTime;
    const { prices } = await step(READ, `fetch ${symbols.length} symbols at ${iso(marketTime)}`).fetchMarketData(symbols, marketTime);
    const market = await step(READ, 'indicators 3m + 4h').computeIndicators(symbols, marketTime);
    const decision = await step(DECIDE, `ask ${config.decisionMaker.provider}/${config.decisionMaker.model}`).decide({
      decisionMaker: config.decisionMaker, agentId: config.id, cycleNo, marketTime,
      account: sync.account, positions: sync.positions, market,
      risk: config.strategy.risk, tradingStyle: config.strategy.tradingStyle,
    });
    const verdicts = await step(READ, `risk check ${decision.decisions.length} decisions`).riskCheck({
      ref, marketTime, decisions: decision.decisions, account: sync.account, positions: sync.positions,
      prices, risk: config.strategy.risk, safeMode: input.safeMode,
    });
    const orders = verdicts.flatMap((v) => (v.order ? [v.order] : []));
    const executed = orders.length
      ? await step(ORDERS, orders.map((o) => `${o.kind} ${o.side} ${o.symbol} ${o.quantity}`).join(', '))
        .executeOrders({ ref, cycleNo, marketTime, orders })
      : { executions: [], closedTrades: [] };
    const summary = describeCycle(verdicts, executed.executions);
    const recorded = await step(RECORD, 'record decision log and equity').recordCycle({
      ref, cycleNo, startedAt, marketTime, account: sync.account, positions: sync.positions, market,
      reasoning: decision.reasoning, decisions: decision.decisions, verdicts, executions: executed.executions,
      closedTrades: [...sync.closedTrades, ...executed.closedTrades], summary,
    });
    return {
      cycleNo, ok: true, marketTime, equity: recorded.equity, positions: recorded.positionCount, summary,
      finishedAt: Date.now(),
    };
  } catch (err) {
    const failure = describeFailure(err);
    await step(RECORD, 'record failed cycle').recordCycleFailure({
      agentId: config.id, cycleNo, startedAt, marketTime, error: `${failure.type}: ${failure.message}`,
    });
    return {
      cycleNo, ok: false, marketTime, equity: null, positions: 0, summary: `failed: ${failure.message}`,
      finishedAt: Date.now(), failureType: failure.type,
    };
  }
}

/** "open long BTCUSDT 0.012 @3x · close ETHUSDT · 2 rejected" — what the Web UI and API show. */
export function describeCycle(verdicts: RiskVerdict[], executions: ExecutionResult[]): string {
  const parts: string[] = [];
  for (const v of verdicts) {
    if (!v.order) continue;
    const leg = executions.find((e) => e.symbol === v.order!.symbol && e.leg === v.order!.kind);
    const done = leg?.status === 'filled' ? '' : ` (${leg?.status ?? 'not sent'})`;
    parts.push(v.order.kind === 'open'
      ? `open ${v.order.side} ${v.order.symbol} ${v.order.quantity} @${v.order.leverage}x${done}`
      : `close ${v.order.symbol}${done}`);
  }
  const rejected = verdicts.filter((v) => v.status === 'rejected').length;
  if (rejected) parts.push(`${rejected} rejected`);
  const emergencies = executions.filter((e) => e.leg === 'emergency_close').length;
  if (emergencies) parts.push(`${emergencies} emergency close`);
  return parts.length ? parts.join(' · ') : verdicts.some((v) => v.decision.action === 'hold') ? 'hold' : 'wait';
}

function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z';
