import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cachedAnalytics } from '../../analytics/cache';
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
  return z.string({ error: `expected ${TIME_FORMS} (given once)` })
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
const RangeQuery = z.object({
  from: time('Market time from (inclusive)'),
  to: time('Market time to (exclusive)'),
}).refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], error: 'must be later than "from"' });

// ---------------------------------------------------------------------------------------------
// Responses

const money = (description: string) => z.number().openapi({ description: `${description} (USDT)` });
const moneyOrNull = (description: string) => z.number().nullable().openapi({ description: `${description} (USDT); null without one` });
const ratio = (description: string) => z.number().nullable().openapi({ description });
const Sampling = z.object({
  interval: z.string().openapi({ example: '1h', description: 'The equity curve is sampled at the last value of every UTC interval' }),
  periods_per_year: z.number().openapi({ example: 8760, description: 'Intervals per year (365 days: crypto trades every day)' }),
});
const RangeEcho = {
  from: z.string().nullable().openapi({ description: 'The range asked for (ISO), null when open' }),
  to: z.string().nullable(),
  sampling: Sampling,
};

const PerformanceMetrics = z.object({
  agent_id: z.string(),
  ...RangeEcho,
  total_trades: z.number().int().openapi({ description: 'Closed trades in the range' }),
  winning_trades: z.number().int().openapi({ description: 'PnL > 0' }),
  losing_trades: z.number().int().openapi({ description: 'PnL < 0' }),
  win_rate: ratio('Winning / total trades, %'),
  total_pnl: money('Σ net PnL of the closed trades: quantity × price move − fees + funding; leverage never multiplies it'),
  gross_profit: money('Σ PnL of the winners'),
  gross_loss: money('Σ PnL of the losers (≤ 0)'),
  profit_factor: ratio('Gross profit / |gross loss|; null without a loss'),
  sharpe_ratio: ratio('mean / sample sd of the interval returns × √(periods per year), risk-free 0; null under 2 returns or zero variance'),
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
  fees_paid: money('Σ fees'),
  funding_paid: money('−Σ funding: positive when funding was paid on balance'),
  avg_return_on_margin_pct: ratio('Mean of PnL / margin per trade, %'),
  start_equity: money('Equity at the start: the initial balance, or the last snapshot before "from"'),
  end_equity: money('Last sampled equity'),
  equity_pnl: money('end − start equity (realised and unrealised)'),
  return_pct: ratio('equity_pnl / start equity, %'),
  daily_pnl: moneyOrNull('PnL of the last UTC day of the range'),
  daily_pnl_date: z.string().nullable().openapi({ example: '2025-01-31' }),
  annualized_return_pct: ratio('Compound annual return of the curve, %'),
  sortino_ratio: ratio('mean / downside deviation × √(periods per year), DD = √(Σ min(r, 0)² / n); null without a negative return'),
  calmar_ratio: ratio('Annualised return % / max drawdown %'),
  max_drawdown_duration_seconds: z.number().nullable().openapi({ description: 'Peak → recovery, or to the end of the curve when not recovered' }),
  max_drawdown_recovered: z.boolean().nullable(),
  exposure_pct: ratio('Share of time with open positions, %'),
  snapshots: z.number().int().openapi({ description: 'Equity snapshots read' }),
  sampled_from: z.string().nullable().openapi({ description: 'First sampled interval (ISO)' }),
  sampled_to: z.string().nullable().openapi({ description: 'Last sampled interval (ISO)' }),
  llm_cost_usd: z.number().openapi({ description: 'Σ cost of the model calls (of the cycles in the range)' }),
}).openapi('PerformanceMetrics');

const GroupFields = {
  trades: z.number().int(),
  winning_trades: z.number().int(),
  losing_trades: z.number().int(),
  win_rate: ratio('%'),
  total_pnl: z.number(),
  avg_pnl: z.number().nullable(),
  profit_factor: ratio('Gross profit / |gross loss|'),
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

const AgentAnalytics = z.object({
  agent_id: z.string(),
  ...RangeEcho,
  by_symbol: z.array(z.object({ symbol: z.string(), ...GroupFields })).openapi({ description: 'Best PnL first' }),
  by_close_reason: z.array(z.object({ close_reason: z.string(), ...GroupFields })).openapi({ description: 'signal, stop_loss, take_profit, liquidation, manual' }),
  by_side: z.array(z.object({ side: z.string(), ...GroupFields })).openapi({ description: 'long vs short' }),
  daily: z.array(z.object({
    date: z.string().openapi({ example: '2025-01-31' }),
    close_equity: z.number(),
    pnl: z.number(),
    return_pct: z.number().nullable(),
  })).openapi({ description: 'PnL per UTC day of the sampled curve' }),
  drawdowns: z.object({
    count: z.number().int(),
    worst: z.array(DrawdownEpisode).openapi({ description: 'The deepest episodes by %, at most 5' }),
  }),
}).openapi('AgentAnalytics');

const LeaderboardEntry = z.object({
  rank: z.number().int(),
  agent_id: z.string(),
  name: z.string(),
  provider: z.string(),
  model: z.string(),
  initial_balance: z.number(),
  equity: z.number(),
  return_pct: ratio('Equity / initial balance − 1, %'),
  pnl: z.number(),
  sharpe_ratio: ratio('Annualised, hourly sampling'),
  max_drawdown_pct: ratio('%'),
  win_rate: ratio('%'),
  trades: z.number().int(),
  llm_cost_usd: z.number().openapi({ description: 'What the model cost: Σ llm_calls.cost_usd' }),
}).openapi('LeaderboardEntry');

// ---------------------------------------------------------------------------------------------
// Routes

const performanceRoute = createRoute({
  method: 'get', path: '/{id}/performance', tags: ['analytics'],
  summary: "The agent's performance metrics over a time range (all time by default)",
  request: { params: AgentIdParam, query: RangeQuery },
  responses: { ...okJson(PerformanceMetrics, 'Performance metrics'), ...errors(400, 404) },
});

const analyticsRoute = createRoute({
  method: 'get', path: '/{id}/analytics', tags: ['analytics'],
  summary: 'Detail: by symbol, by close reason, long vs short, daily PnL, worst drawdowns',
  request: { params: AgentIdParam, query: RangeQuery },
  responses: { ...okJson(AgentAnalytics, 'Detailed analytics'), ...errors(400, 404) },
});

const leaderboardRoute = createRoute({
  method: 'get', path: '/', tags: ['analytics'],
  summary: 'Every agent ranked by return: PnL, Sharpe, max drawdown, win rate, trades, model cost',
  responses: okJson(z.array(LeaderboardEntry), 'Highest return first'),
});
