/**
 * How the API shows an agent: the response models (zod schemas, which also make the OpenAPI document)
 * and the functions that turn records into them. Shared by the read routes and the WebSocket feed,
 * which sends the same models.
 */
import { z } from '@hono/zod-openapi';
import type { Selectable } from 'kysely';
import type { AgentsTable, CycleRow, Database, TradeRow } from '../../db/schema';
import { accountFromSnapshot, positionInfo } from '../../records/views';
import type { AgentStatusInfo } from '../agent-state';

type AgentRow = Selectable<AgentsTable>;
type EquityRow = Selectable<Database['equity_snapshots']>;

// ---------------------------------------------------------------------------------------------
// What the workflow answers.

export const AgentConfigSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    decisionMaker: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'provider, model, temperature, maxTokens, baseUrl, apiKeyEnv (a variable NAME), ...' }),
    exchange: z.record(z.string(), z.unknown()).openapi({ description: 'type, account, testnet, takerFeeRate, slippageRate' }),
    strategy: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'initialBalance, scanIntervalMinutes, symbols, tradingStyle, risk' }),
  })
  .openapi('AgentConfig', { description: 'The resolved agent config (camelCase, arena-config/types.ts). It holds no secret.' });

export const CycleSummarySchema = z
  .object({
    cycleNo: z.number().int(),
    ok: z.boolean(),
    marketTime: z.number().nullable(),
    equity: z.number().nullable(),
    positions: z.number().int(),
    summary: z.string(),
    finishedAt: z.number(),
    failureType: z.string().optional(),
    modelFailed: z.boolean().optional(),
    costUsd: z.number().optional(),
    nextBarAt: z.number().optional().openapi({ description: 'Wall-clock time (epoch ms) at which the market clock shows the next bar' }),
    barWallMs: z.number().optional().openapi({ description: 'Wall time one bar of the market clock lasts' }),
    skipped: z.boolean().optional().openapi({ description: 'The market clock was held on a bar already traded: nothing ran' }),
  })
  .openapi('CycleSummary');

export const LiveStateSchema = z
  .object({
    status: z.enum(['RUNNING', 'PAUSED', 'STOPPED', 'FINISHED']),
    pauseReason: z.string().nullable(),
    cycleNo: z.number().int(),
    consecutiveFailures: z.number().int(),
    failedCycles: z.number().int(),
    consecutiveModelFailures: z.number().int().optional(),
    lastCycle: CycleSummarySchema.nullable(),
    continuedAsNew: z.number().int(),
    safeMode: z.boolean(),
    nextCycleAt: z.number().nullable(),
    skippedCycles: z.number().int().optional(),
    configDigest: z
      .string()
      .optional()
      .openapi({ description: 'The digest `config` is stored under (agent_configs), which its cycles name' }),
    symbolUniverse: z.array(z.string()).optional().openapi({ description: 'The symbols a config change may choose from' }),
    config: AgentConfigSchema,
  })
  .openapi('LiveState', { description: "The workflow's own view (its getState query), as it answers it" });

// ---------------------------------------------------------------------------------------------
// Response models.

const isoTime = z.string().openapi({ format: 'date-time' });

export const AgentSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string().openapi({ description: 'running | paused | stopped | finished | failed | not_started' }),
    status_reason: z.string().nullable(),
    uptime: z.number().int().openapi({ description: 'Seconds since the workflow started' }),
    cycle_count: z.number().int(),
    last_decision_time: isoTime.nullable(),
    last_cycle_status: z.string().nullable(),
    venue: z.string(),
    account: z.string(),
    equity: z.number(),
    initial_balance: z.number(),
    return_pct: z.number(),
    config: z.object({ model: z.string(), provider: z.string(), trading_style: z.string().nullable() }),
  })
  .openapi('AgentStatus');

export const AgentDetailSchema = AgentSummarySchema.extend({
  state_source: z
    .enum(['workflow', 'database'])
    .openapi({ description: 'workflow: a worker answered the live query; database: it did not in time' }),
  live: LiveStateSchema.nullable(),
}).openapi('AgentDetail');

export const AccountSchema = z
  .object({
    cycle: z.number().int(),
    market_time: isoTime,
    total_balance: z.number(),
    available_balance: z.number(),
    margin_used: z.number(),
    unrealized_pnl: z.number(),
    total_positions_value: z.number(),
    used_percentage: z.number(),
    initial_balance: z.number(),
    return_pct: z.number(),
  })
  .openapi('AccountInfo');

export const PositionSchema = z
  .object({
    symbol: z.string(),
    side: z.enum(['long', 'short']),
    position_amt: z.number(),
    entry_price: z.number(),
    mark_price: z.number(),
    unrealized_profit: z.number(),
    pnl_percentage: z.number(),
    leverage: z.number(),
    liquidation_price: z.number(),
    margin_type: z.enum(['cross', 'isolated']),
    margin: z.number(),
    opened_at: isoTime.nullable(),
    stop_loss: z
      .number()
      .nullable()
      .optional()
      .openapi({ description: 'The protective stop on the venue (snapshots since the lean cycle)' }),
    take_profit: z
      .number()
      .nullable()
      .optional()
      .openapi({ description: 'The protective take-profit on the venue (snapshots since the lean cycle)' }),
  })
  .openapi('Position');

const json = (description: string) => z.unknown().openapi({ description });

export const DecisionLogSchema = z
  .object({
    cycle: z.number().int(),
    agent_id: z.string(),
    status: z.enum(['ok', 'failed']),
    timestamp: isoTime,
    market_time: isoTime.nullable(),
    duration_ms: z.number().int(),
    summary: z.string(),
    account: z
      .object({
        total_balance: z.number(),
        available_balance: z.number(),
        margin_used: z.number(),
        unrealized_pnl: z.number(),
      })
      .nullable(),
    positions: z.array(json('A position as the decision maker saw it (with its stop-loss and take-profit)')),
    market_data: z.array(json('A symbol snapshot: price, changes, funding, 3m and 4h indicators')),
    closed_trades: z.array(json('A position the venue closed since the last cycle (stop-loss, take-profit, liquidation)')),
    ai_reasoning: z.string().nullable(),
    decisions: z.array(json('action, symbol, size, leverage, stop-loss, take-profit, confidence, reason')),
    risk_verdicts: z.array(json('The risk engine on each decision: approved, resized, rejected, no_order, and why')),
    execution_results: z.array(json('Each order: symbol, leg, client order id, status, quantity, price, fee')),
    error: z.string().nullable(),
    llm: json('The model call: provider, tokens, cost, latency, dropped decisions (null for rule-based agents)'),
    llm_cost_usd: z.number(),
  })
  .openapi('DecisionLog');

export const EquityPointSchema = z
  .object({
    cycle: z.number().int(),
    market_time: isoTime,
    timestamp: isoTime,
    equity: z.number(),
    cash: z.number(),
    margin: z.number(),
    unrealized_pnl: z.number(),
    positions: z.number().int(),
  })
  .openapi('EquityPoint');

export const TradeSchema = z
  .object({
    id: z.number().int(),
    symbol: z.string(),
    side: z.enum(['long', 'short']),
    status: z.enum(['open', 'closed']),
    quantity: z.number(),
    leverage: z.number(),
    margin: z.number(),
    entry_price: z.number(),
    exit_price: z.number().nullable(),
    stop_loss: z.number().nullable(),
    take_profit: z.number().nullable(),
    opened_at: isoTime,
    closed_at: isoTime.nullable(),
    open_cycle: z.number().int(),
    close_cycle: z.number().int().nullable(),
    fees: z.number(),
    funding: z.number(),
    realized_pnl: z.number().nullable(),
    pnl: z.number().nullable(),
    return_on_margin_pct: z.number().nullable(),
    close_reason: z.string().nullable(),
  })
  .openapi('Trade');

// ---------------------------------------------------------------------------------------------
// Rows to response models (exported for the WebSocket messages, which carry the same models).

export function summarize(a: AgentRow, status: AgentStatusInfo, equity: number | undefined) {
  const config = a.config as { strategy?: { tradingStyle?: string } };
  const initial = Number(a.initial_balance);
  return {
    id: a.id,
    name: a.name,
    status: status.status,
    status_reason: status.reason,
    uptime: status.startedAt ? Math.max(0, Math.round((Date.now() - status.startedAt.getTime()) / 1000)) : 0,
    cycle_count: a.cycle_count,
    last_decision_time: a.last_cycle_at?.toISOString() ?? null,
    last_cycle_status: a.last_cycle_status,
    venue: a.venue,
    account: a.account,
    equity: equity ?? initial,
    initial_balance: initial,
    return_pct: ((equity ?? initial) / initial - 1) * 100,
    config: { model: a.model, provider: a.provider, trading_style: config.strategy?.tradingStyle ?? null },
  };
}

export function toAccount(snap: EquityRow, initialBalance: number): z.infer<typeof AccountSchema> {
  const account = accountFromSnapshot(snap);
  return {
    cycle: snap.cycle_no,
    market_time: snap.market_time.toISOString(),
    ...account,
    initial_balance: initialBalance,
    return_pct: (account.total_balance / initialBalance - 1) * 100,
  };
}

/** The seed's Position from a stored position (records/views.ts builds it for the feed and the export too). */
export const toPosition = positionInfo;

export function toDecisionLog(r: CycleRow): z.infer<typeof DecisionLogSchema> {
  const input = r.input;
  return {
    cycle: r.cycle_no,
    agent_id: r.agent_id,
    status: r.status,
    timestamp: r.finished_at.toISOString(),
    market_time: r.market_time?.toISOString() ?? null,
    duration_ms: r.duration_ms,
    summary: r.summary,
    account: input.account
      ? {
          total_balance: input.account.equity,
          available_balance: input.account.available,
          margin_used: input.account.marginUsed,
          unrealized_pnl: input.account.unrealizedPnl,
        }
      : null,
    positions: input.positions ?? [],
    market_data: input.market ?? [],
    closed_trades: input.closedTrades ?? [],
    ai_reasoning: r.reasoning,
    decisions: r.decisions,
    risk_verdicts: r.risk_verdicts,
    execution_results: r.executions,
    error: r.error,
    llm: r.llm ?? null,
    llm_cost_usd: Number(r.llm_cost_usd),
  };
}

export function toEquityPoint(r: EquityRow): z.infer<typeof EquityPointSchema> {
  return {
    cycle: r.cycle_no,
    market_time: r.market_time.toISOString(),
    timestamp: r.recorded_at.toISOString(),
    equity: Number(r.equity),
    cash: Number(r.cash),
    margin: Number(r.margin),
    unrealized_pnl: Number(r.unrealized_pnl),
    positions: r.position_count,
  };
}

export function toTrade(t: TradeRow): z.infer<typeof TradeSchema> {
  const num = (v: string | null): number | null => (v === null ? null : Number(v));
  return {
    id: Number(t.id),
    symbol: t.symbol,
    side: t.side,
    status: t.status,
    quantity: Number(t.quantity),
    leverage: t.leverage,
    margin: Number(t.margin),
    entry_price: Number(t.entry_price),
    exit_price: num(t.exit_price),
    stop_loss: num(t.stop_loss),
    take_profit: num(t.take_profit),
    opened_at: t.opened_at.toISOString(),
    closed_at: t.closed_at?.toISOString() ?? null,
    open_cycle: t.open_cycle,
    close_cycle: t.close_cycle,
    fees: Number(t.fees),
    funding: Number(t.funding),
    realized_pnl: num(t.realized_pnl),
    pnl: num(t.pnl),
    return_on_margin_pct: t.pnl === null ? null : (Number(t.pnl) / Number(t.margin)) * 100,
    close_reason: t.close_reason,
  };
}
