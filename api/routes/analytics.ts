import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachedAnalytics } from '../../analytics/cache';
import { ANNUALISED_RULE, PROFIT_FACTOR_RULE, SHARPE_RULE, describeRule, type SampleRule } from '../../analytics/sample-rules';
import { AgentIdParam, errors, noAgent, okJson, okSerialized, successBody, validationHook } from '../envelope';

/**
 * Performance, analytics and the leaderboard, read through a cache that a new equity snapshot
 * invalidates (`analytics/cache.ts`). Two groups: per agent (mounted at /api/agents) and the
 * leaderboard (mounted at /api/leaderboard), sharing one reader.
 */
export type AnalyticsReader = ReturnType<typeof cachedAnalytics>;

export function agentAnalyticsRoutes(reader: AnalyticsReader): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(performanceRoute, async (c) => {
    const { id } = c.req.valid('param');
    const range = c.req.valid('query');
    const data = await reader.performance(id, range);
    return data ? okCached(c, data) : noAgent(c, id);
  });

  app.openapi(analyticsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const range = c.req.valid('query');
    const data = await reader.analytics(id, range);
    return data ? okCached(c, data) : noAgent(c, id);
  });
  return app;
}

export function leaderboardRoutes(reader: AnalyticsReader): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(leaderboardRoute, async (c) => okCached(c, await reader.leaderboard()));
  return app;
}

const serialized = new WeakMap<object, string>();

/**
 * `ok(c, data)` for a cached value, serialised once per value: the cache hands out the same object
 * until its agent's version moves, and JSON.stringify would otherwise be most of a cache hit's cost.
 */
function okCached<T extends object>(c: Context, data: T) {
  let body = serialized.get(data);
  if (body === undefined) serialized.set(data, (body = successBody(data)));
  return okSerialized<T>(c, body);
}

// ---------------------------------------------------------------------------------------------
// Request

const TIME_FORMS = 'an ISO 8601 time with a zone (2025-01-31T00:00:00Z), a date (2025-01-31, UTC) or epoch milliseconds';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function time(description: string) {
  return z
    .string({ error: `expected ${TIME_FORMS} (given once)` })
    .transform((text, ctx) => {
      const ms = /^\d{1,15}$/.test(text) ? Number(text) : ISO_TIME.test(text) ? Date.parse(text) : NaN;
      if (Number.isFinite(ms) && ms >= 0 && ms <= Date.UTC(9999, 11, 31)) return new Date(ms);
      ctx.addIssue({ code: 'custom', message: `expected ${TIME_FORMS}, got "${text.slice(0, 40)}"` });
      return z.NEVER;
    })
    .optional()
    .openapi({ type: 'string', description, example: '2025-01-31T00:00:00Z' });
}

/** The market-time window `[from, to)`: equity snapshots by market time, closed trades by close time. */
const RangeQuery = z
  .object({
    from: time('Market time from (inclusive)'),
    to: time('Market time to (exclusive)'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], error: 'must be later than "from"' });

// ---------------------------------------------------------------------------------------------
// Responses

const money = (description: string) => z.number().openapi({ description: `${description} (USDT)` });
const moneyOrNull = (description: string) =>
  z
    .number()
    .nullable()
    .openapi({ description: `${description} (USDT); null without one` });
const ratio = (description: string) => z.number().nullable().openapi({ description });
const Sampling = z.object({
  interval: z.string().openapi({ example: '1h', description: 'The equity curve is sampled at the last value of every UTC interval' }),
  periods_per_year: z.number().openapi({ example: 8760, description: 'Intervals per year (365 days: crypto trades every day)' }),
});

const Sample = z
  .object({
    market_hours: z.number().openapi({ example: 5, description: 'Market time from the first to the last equity snapshot read, hours' }),
    returns: z
      .number()
      .int()
      .openapi({ example: 6, description: 'Hourly returns of the sampled curve (the first from the opening equity)' }),
    active_returns: z.number().int().openapi({ example: 3, description: 'Those that are not zero: the hours in which equity moved' }),
    closed_trades: z.number().int().openapi({ example: 1, description: 'Closed trades read' }),
  })
  .openapi('Sample', { description: 'What the figures were computed from' });

/**
 * `<figure>_note`: null exactly when the figure has a value; otherwise why it is null and the sample it
 * was judged on. Inline rather than a named component: a nullable $ref loses its nullability in OpenAPI 3.0.
 */
const note = (figure: string) =>
  z
    .object({
      reason: z.string().openapi({ example: 'needs at least 7 days of market time (has 5 h)' }),
      sample: Sample,
    })
    .nullable()
    .openapi({ description: `Null when ${figure} has a value; otherwise why it is null, and the sample it was judged on` });

const held = (rule: SampleRule) => `null unless the sample has ${describeRule(rule)}`;

const VsRandomEntry = z
  .object({
    percentile: z.number().openapi({ description: "Share of the random-entry runs whose return is below the agent's, %" }),
    runs: z.number().int().openapi({ description: 'Seeded random-entry runs over the same bars and risk limits' }),
    p_value: z.number().openapi({ description: "Share of the runs whose return is at or above the agent's" }),
  })
  .nullable()
  .openapi({
    description:
      "Better than chance? Where the agent's return over its window falls among seeded random-entry runs over the same " +
      'bars and risk limits. Filled by the backtester; null until it has run (see vs_random_entry_note)',
  });

/** The range asked for, and the market time the answer describes. */
const MarketTime = {
  from: z.string().nullable().openapi({ description: 'The range asked for (ISO), null when open' }),
  to: z.string().nullable(),
  sampling: Sampling,
  as_of: z.string().nullable().openapi({
    description: 'Market time of the newest equity snapshot read: the figures describe the agent up to here; null before its first',
  }),
  window: z
    .object({ from: z.string().nullable(), to: z.string().nullable() })
    .openapi({ description: 'Market time of the first and the last equity snapshot read (to = as_of)' }),
  sample: Sample,
};

export const PerformanceSchema = z
  .object({
    agent_id: z.string(),
    ...MarketTime,
    total_trades: z.number().int().openapi({ description: 'Closed trades in the range (open ones: open_trades)' }),
    winning_trades: z.number().int().openapi({ description: 'PnL > 0' }),
    losing_trades: z.number().int().openapi({ description: 'PnL < 0' }),
    win_rate: ratio('Winning / total trades, %'),
    total_pnl: money('Σ net PnL of the closed trades: quantity × price move − fees + funding; leverage never multiplies it'),
    gross_profit: money('Σ PnL of the winners'),
    gross_loss: money('Σ PnL of the losers (≤ 0)'),
    profit_factor: ratio(`Gross profit / |gross loss|; ${held(PROFIT_FACTOR_RULE)}, or without a loss`),
    profit_factor_note: note('profit_factor'),
    sharpe_ratio: ratio(
      `mean / sample sd of the hourly returns × √(periods per year), risk-free 0; ${held(SHARPE_RULE)}, or when the returns do not vary`,
    ),
    sharpe_ratio_note: note('sharpe_ratio'),
    max_drawdown: moneyOrNull('Amount of the deepest (by %) peak-to-trough fall of the sampled curve'),
    max_drawdown_pct: ratio('That fall as % of its peak'),
    avg_win: moneyOrNull('Mean PnL of the winners'),
    avg_loss: moneyOrNull('Mean PnL of the losers (negative)'),
    avg_trade_duration: z.string().nullable().openapi({ description: 'Mean holding time, HH:MM:SS', example: '05:12:30' }),
    largest_win: moneyOrNull('Best trade'),
    largest_loss: moneyOrNull('Worst trade (negative)'),
    current_streak: z.number().int().openapi({ description: '+n wins or −n losses in a row up to the last trade; 0 after a breakeven' }),
    breakeven_trades: z.number().int(),
    avg_pnl: moneyOrNull('Mean PnL per trade'),
    longest_win_streak: z.number().int(),
    longest_loss_streak: z.number().int(),
    avg_holding_seconds: z.number().nullable(),
    fees_paid: money('Σ fees of the closed trades and the opening fees of the open ones (open_fees_paid)'),
    funding_paid: money(
      '−Σ funding of the closed trades and, where known, of the open ones (open_funding_paid): positive when paid on balance',
    ),
    avg_return_on_margin_pct: ratio('Mean of PnL / margin per closed trade, %'),
    open_trades: z.number().int().openapi({ description: 'Trades open at the end of the range (open now without "to")' }),
    open_fees_paid: money('Their fees so far: the opening fees'),
    open_funding_paid: moneyOrNull(
      '−Σ their funding so far (paper venue: settled while open); null on a venue that reports funding only at the close',
    ),
    open_funding_paid_note: note('open_funding_paid'),
    start_equity: money('Equity at the start: the initial balance, or the last snapshot before "from"'),
    end_equity: money('Last sampled equity'),
    equity_pnl: money('end − start equity (realised and unrealised)'),
    return_pct: ratio('equity_pnl / start equity, %'),
    daily_pnl: moneyOrNull('PnL of the last UTC day of the range'),
    daily_pnl_date: z.string().nullable().openapi({ example: '2025-01-31' }),
    annualized_return_pct: ratio(
      `Compound annual return of the curve, %; ${held(ANNUALISED_RULE)} (returns over less than a year are not annualised)`,
    ),
    annualized_return_pct_note: note('annualized_return_pct'),
    sortino_ratio: ratio(
      `mean / downside deviation × √(periods per year), DD = √(Σ min(r, 0)² / n); ${held(SHARPE_RULE)}, or without a negative return`,
    ),
    sortino_ratio_note: note('sortino_ratio'),
    calmar_ratio: ratio(`Annualised return % / max drawdown %; ${held(ANNUALISED_RULE)}, or without a drawdown`),
    calmar_ratio_note: note('calmar_ratio'),
    max_drawdown_duration_seconds: z
      .number()
      .nullable()
      .openapi({ description: 'Peak → recovery, or to the end of the curve when not recovered' }),
    max_drawdown_recovered: z.boolean().nullable(),
    exposure_pct: ratio('Share of time with open positions, %'),
    snapshots: z.number().int().openapi({ description: 'Equity snapshots read' }),
    sampled_from: z.string().nullable().openapi({ description: 'First sampled interval (ISO)' }),
    sampled_to: z.string().nullable().openapi({ description: 'Last sampled interval (ISO)' }),
    llm_cost_usd: z.number().openapi({ description: 'Σ cost of the model calls (of the cycles in the range)' }),
    vs_random_entry: VsRandomEntry,
    vs_random_entry_note: note('vs_random_entry'),
  })
  .openapi('PerformanceMetrics');

const GroupFields = {
  trades: z.number().int(),
  winning_trades: z.number().int(),
  losing_trades: z.number().int(),
  win_rate: ratio('%'),
  total_pnl: z.number(),
  avg_pnl: z.number().nullable(),
  profit_factor: ratio(`Gross profit / |gross loss|; ${held(PROFIT_FACTOR_RULE)} in the group, or without a loss`),
  profit_factor_note: note('profit_factor'),
};

const DrawdownEpisode = z.object({
  peak_at: z.string(),
  peak_equity: z.number(),
  trough_at: z.string(),
  trough_equity: z.number(),
  recovered_at: z.string().nullable().openapi({ description: 'Null while not recovered' }),
  amount: z.number(),
  pct: z.number(),
  duration_seconds: z.number().openapi({ description: 'Peak → recovery, or to the end of the curve' }),
});

export const AnalyticsSchema = z
  .object({
    agent_id: z.string(),
    ...MarketTime,
    by_symbol: z.array(z.object({ symbol: z.string(), ...GroupFields })).openapi({ description: 'Best PnL first' }),
    by_close_reason: z
      .array(z.object({ close_reason: z.string(), ...GroupFields }))
      .openapi({ description: 'signal, stop_loss, take_profit, liquidation, manual' }),
    by_side: z.array(z.object({ side: z.string(), ...GroupFields })).openapi({ description: 'long vs short' }),
    daily: z
      .array(
        z.object({
          date: z.string().openapi({ example: '2025-01-31' }),
          close_equity: z.number(),
          pnl: z.number(),
          return_pct: z.number().nullable(),
        }),
      )
      .openapi({ description: 'PnL per UTC day of the sampled curve' }),
    drawdowns: z.object({
      count: z.number().int(),
      worst: z.array(DrawdownEpisode).openapi({ description: 'The deepest episodes by %, at most 5' }),
    }),
  })
  .openapi('AgentAnalytics');

export const LeaderboardEntrySchema = z
  .object({
    rank: z.number().int(),
    agent_id: z.string(),
    name: z.string(),
    provider: z.string(),
    model: z.string(),
    initial_balance: z.number(),
    equity: z.number(),
    return_pct: ratio('Equity / initial balance − 1, %'),
    pnl: z.number(),
    sharpe_ratio: ratio(`Annualised from hourly returns; ${held(SHARPE_RULE)}`),
    sharpe_ratio_note: note('sharpe_ratio'),
    max_drawdown_pct: ratio('%'),
    win_rate: ratio('Of the closed trades, %'),
    trades: z.number().int().openapi({ description: 'Closed trades' }),
    open_trades: z.number().int().openapi({ description: 'Trades open now' }),
    llm_cost_usd: z.number().openapi({ description: 'What the model cost: Σ llm_calls.cost_usd' }),
    market_time: z.string().nullable().openapi({
      description: "The arena's market time: the newest bar any agent recorded, the same on every entry; null before the first cycle",
    }),
    as_of: z.string().nullable().openapi({ description: "Market time of this agent's newest equity snapshot: what its figures describe" }),
    behind_seconds: z
      .number()
      .nullable()
      .openapi({ description: 'market_time − as_of in seconds: a paused or slow agent is behind the arena (0 when current)' }),
    vs_random_entry: VsRandomEntry,
    vs_random_entry_note: note('vs_random_entry'),
  })
  .openapi('LeaderboardEntry');

// ---------------------------------------------------------------------------------------------
// Routes

const performanceRoute = createRoute({
  method: 'get',
  path: '/{id}/performance',
  tags: ['analytics'],
  summary: "The agent's performance metrics over a time range (all time by default)",
  request: { params: AgentIdParam, query: RangeQuery },
  responses: { ...okJson(PerformanceSchema, 'Performance metrics'), ...errors(400, 404) },
});

const analyticsRoute = createRoute({
  method: 'get',
  path: '/{id}/analytics',
  tags: ['analytics'],
  summary: 'Detail: by symbol, by close reason, long vs short, daily PnL, worst drawdowns',
  request: { params: AgentIdParam, query: RangeQuery },
  responses: { ...okJson(AnalyticsSchema, 'Detailed analytics'), ...errors(400, 404) },
});

const leaderboardRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['analytics'],
  summary:
    "Every agent ranked by return: PnL, Sharpe, max drawdown, win rate, closed and open trades, model cost, at the arena's market time",
  responses: okJson(z.array(LeaderboardEntrySchema), "Highest return first; every entry carries the arena's market time and its own as-of"),
});
