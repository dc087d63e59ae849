/**
 * One cycle of one agent in a backtest: the arena's cycle (workflows/cycle.ts) step for step, on the
 * same core (cycle/) with the agent's books in memory: sync the account, read the bar's snapshot,
 * decide, check risk, trade, record. No Temporal, no Postgres, no clock but the bar it is given.
 */
import type { AgentConfig } from '../arena-config/types';
import { checkRisk } from '../cycle/check-risk';
import { decide, type ModelGateway } from '../cycle/decide';
import { executePlan } from '../cycle/execute-plan';
import { countCycle, inSafeMode, type FailureCounts } from '../cycle/safe-mode';
import { describeCycle } from '../cycle/summary';
import { syncAccount } from '../cycle/sync-account';
import { hasWork, type DecideResult, type ExecuteResult } from '../cycle/types';
import { LlmCallError } from '../decisions/llm/types';
import type { MemoryAgentLedger } from '../ledger/memory-ledger';
import type { MarketViews } from '../market/snapshot-cache';
import type { MarketDataSource } from '../market/types';
import type { PaperBooks } from '../venues/paper/books';
import { BudgetExceeded } from './models';
import { PaperVenue } from '../venues/paper/paper-venue';

/** One agent's run: its config, its books (venue account and own records) and its failure counts. */
export interface AgentRun {
  config: AgentConfig;
  books: PaperBooks;
  ledger: MemoryAgentLedger;
  counts: FailureCounts;
  /** How it decides when not by its own decision maker (decision replay: the recorded decisions). */
  decisions?: (cycleNo: number, marketTime: number) => DecideResult | null;
}

export interface CycleContext {
  market: MarketDataSource;
  snapshots: MarketViews;
  marketTime: number;
  cycleNo: number;
  models?: ModelGateway;
}

/** Runs the cycle and records it in the agent's books; a model that fails means `wait`, as in the arena. */
export async function backtestCycle(run: AgentRun, ctx: CycleContext): Promise<void> {
  const { config } = run;
  const { cycleNo, marketTime } = ctx;
  const startedAt = marketTime;
  const symbols = config.strategy.symbols;
  const venue = new PaperVenue({
    books: run.books,
    market: ctx.market,
    account: config.exchange.account,
    initialBalance: config.strategy.initialBalance,
    takerFeeRate: config.exchange.takerFeeRate,
    slippageRate: config.exchange.slippageRate,
    asOf: marketTime,
  });
  try {
    const sync = await syncAccount(venue, run.ledger, { cycleNo, symbols, risk: config.strategy.risk });
    const seen = { account: sync.account, positions: sync.positions };
    const view = await ctx.snapshots.at(symbols, marketTime);
    let decision: DecideResult;
    let modelError: string | null = null;
    const recorded = run.decisions?.(cycleNo, marketTime);
    if (recorded) {
      decision = recorded;
    } else {
      try {
        decision = await decide(
          config.decisionMaker,
          {
            agentId: config.id,
            cycleNo,
            marketTime,
            account: seen.account,
            positions: seen.positions,
            market: view.snapshot,
            risk: config.strategy.risk,
            tradingStyle: config.strategy.tradingStyle,
          },
          { ledger: run.ledger, models: ctx.models },
        );
      } catch (err) {
        if (!(err instanceof LlmCallError)) throw err;
        modelError = `${err.kind}: ${err.message}`;
        decision = {
          reasoning: `model call failed (${modelError}); nothing new is opened`,
          decisions: [{ action: 'wait', reason: 'model call failed' }],
          llm: null,
        };
      }
    }
    const risk = await checkRisk(venue, run.ledger, {
      marketTime,
      decisions: decision.decisions,
      seen,
      prices: view.prices,
      risk: config.strategy.risk,
      takerFeeRate: config.exchange.takerFeeRate,
      safeMode: inSafeMode(config, run.counts),
      mend: { protect: sync.protect, cancel: sync.cancel },
    });
    let executed: ExecuteResult = { executions: [], closedTrades: [], after: seen };
    if (hasWork(risk.plan)) executed = await executePlan(venue, run.ledger, { cycleNo, plan: risk.plan, checkFence: async () => {} });
    await run.ledger.recordCycle({
      agentId: config.id,
      cycleNo,
      startedAt,
      marketTime,
      seen,
      closedTrades: [...sync.closedTrades, ...executed.closedTrades],
      market: [],
      reasoning: decision.reasoning,
      decisions: decision.decisions,
      verdicts: risk.verdicts,
      executions: executed.executions,
      after: executed.after,
      summary: describeCycle(risk.verdicts, executed.executions),
      llm: decision.llm || modelError ? { ...decision.llm, error: modelError } : null,
    });
    run.counts = countCycle(run.counts, { ok: true, modelFailed: modelError !== null || decision.llm?.parsed === false });
  } catch (err) {
    if (err instanceof BudgetExceeded) throw err;
    await run.ledger.recordFailure({
      agentId: config.id,
      cycleNo,
      startedAt,
      marketTime,
      error: err instanceof Error ? err.message : String(err),
    });
    run.counts = countCycle(run.counts, { ok: false });
  }
}
