/**
 * The arena's Prometheus metrics, counted where things happen (the activities and the venues' HTTP
 * client) in the process that runs them: one registry per process, scraped at `/metrics` (the API's
 * port, or a standalone worker's own). Labels are bounded: agent ids, providers and models come from
 * the config, everything else from fixed sets; never free text.
 *
 * The agents' account gauges (equity, positions, ...) are not here: the API reads them from the
 * records at scrape time (api/routes/metrics.ts), so that however many workers run, one process
 * reports them, never stale.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sharedRateLimiters } from '../venues/http/rate-limiter';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Seconds: a local step takes milliseconds, an order phase or a model call up to minutes. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const cycles = new Counter({
  name: 'arena_cycles_total',
  help: 'Cycles recorded, by agent and outcome (ok, failed)',
  labelNames: ['agent', 'outcome'] as const,
  registers: [registry],
});

export const cycleDuration = new Histogram({
  name: 'arena_cycle_duration_seconds',
  help: 'Wall-clock time from the start of a cycle to its record, by agent and outcome',
  labelNames: ['agent', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const stepDuration = new Histogram({
  name: 'arena_step_duration_seconds',
  help: 'Time of one attempt of a cycle step (activity), by step and outcome (ok, error)',
  labelNames: ['step', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const decisions = new Counter({
  name: 'arena_decisions_total',
  help: 'Decisions taken, by agent and action (open_long, open_short, close, hold, wait)',
  labelNames: ['agent', 'action'] as const,
  registers: [registry],
});

export const riskRejections = new Counter({
  name: 'arena_risk_rejections_total',
  help: 'Decisions the risk engine refused, by agent and rule',
  labelNames: ['agent', 'rule'] as const,
  registers: [registry],
});

export const riskResizes = new Counter({
  name: 'arena_risk_resizes_total',
  help: 'Orders the risk engine cut down, by agent and the first rule that cut them',
  labelNames: ['agent', 'rule'] as const,
  registers: [registry],
});

export const orders = new Counter({
  name: 'arena_orders_total',
  help: 'Orders and cancels of the order phases, by agent, venue, purpose (open, close, stop_loss, take_profit, emergency_close, cancel) and status',
  labelNames: ['agent', 'venue', 'purpose', 'status'] as const,
  registers: [registry],
});

export const emergencyCloses = new Counter({
  name: 'arena_emergency_closes_total',
  help: 'Positions closed at once because their stop-loss or take-profit could not be placed',
  labelNames: ['agent', 'venue'] as const,
  registers: [registry],
});

export const unprotectedFound = new Counter({
  name: 'arena_unprotected_positions_found_total',
  help: 'Positions a sync found without their stop-loss or take-profit (then protected again)',
  labelNames: ['agent'] as const,
  registers: [registry],
});

export const closedTrades = new Counter({
  name: 'arena_closed_trades_total',
  help: 'Trades the venue closed, by agent and reason (stop_loss, take_profit, liquidation, signal, manual)',
  labelNames: ['agent', 'reason'] as const,
  registers: [registry],
});

export const safeModeCycles = new Counter({
  name: 'arena_safe_mode_cycles_total',
  help: 'Cycles run in safe mode (no new positions), by agent',
  labelNames: ['agent'] as const,
  registers: [registry],
});

export const llmCalls = new Counter({
  name: 'arena_llm_calls_total',
  help: 'Model calls, by provider, model and outcome (ok, unparseable, error)',
  labelNames: ['provider', 'model', 'outcome'] as const,
  registers: [registry],
});

export const llmParseFailures = new Counter({
  name: 'arena_llm_parse_failures_total',
  help: 'Model replies with nothing parseable (the cycle went on with wait)',
  labelNames: ['provider', 'model'] as const,
  registers: [registry],
});

export const llmDroppedDecisions = new Counter({
  name: 'arena_llm_dropped_decisions_total',
  help: 'Decisions of a model reply dropped as invalid',
  labelNames: ['provider', 'model'] as const,
  registers: [registry],
});

export const llmTokens = new Counter({
  name: 'arena_llm_tokens_total',
  help: 'Model tokens, by provider, model and direction (in, out)',
  labelNames: ['provider', 'model', 'direction'] as const,
  registers: [registry],
});

export const llmCost = new Counter({
  name: 'arena_llm_cost_usd_total',
  help: 'Model cost in USD, by provider and model',
  labelNames: ['provider', 'model'] as const,
  registers: [registry],
});

export const llmLatency = new Histogram({
  name: 'arena_llm_latency_seconds',
  help: 'Model call latency, by provider and model',
  labelNames: ['provider', 'model'] as const,
  buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  registers: [registry],
});

export const venueRequests = new Counter({
  name: 'arena_venue_requests_total',
  help: 'HTTP requests sent to a venue, by venue and host',
  labelNames: ['venue', 'host'] as const,
  registers: [registry],
});

export const venueErrors = new Counter({
  name: 'arena_venue_errors_total',
  help: 'Venue requests that failed, by class (network, timeout, server, body_lost, rate_limited, ip_banned, budget_exhausted; refused: a 4xx answer)',
  labelNames: ['venue', 'host', 'class'] as const,
  registers: [registry],
});

export const venueBackoffs = new Counter({
  name: 'arena_venue_backoffs_total',
  help: 'Back-offs after a 429 or a 418, by venue, host and status',
  labelNames: ['venue', 'host', 'status'] as const,
  registers: [registry],
});

export const tradingLockWait = new Histogram({
  name: 'arena_trading_lock_wait_seconds',
  help: "Time an order phase waited for its account's trading lock, by venue",
  labelNames: ['venue'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

/** A limiter's name is `<venue>:<host>` (venues/http/rate-limiter.ts `sharedRateLimiter`). */
export function limiterLabels(name: string): { venue: string; host: string } {
  const at = name.indexOf(':');
  return at < 0 ? { venue: name, host: '' } : { venue: name.slice(0, at), host: name.slice(at + 1) };
}

/** Read from the process's shared limiters when scraped. */
export const venueUsedWeight = new Gauge({
  name: 'arena_venue_used_weight',
  help: 'Request weight used in a rate-limit window of the venue, by venue, host and window',
  labelNames: ['venue', 'host', 'window'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const limiter of sharedRateLimiters()) {
      for (const { intervalMs } of limiter.currentLimits()) {
        this.set({ ...limiterLabels(limiter.name), window: `${intervalMs / 1000}s` }, limiter.usedWeight(intervalMs));
      }
    }
  },
});

export const venueWeightLimit = new Gauge({
  name: 'arena_venue_weight_limit',
  help: "The venue's weight limit of a rate-limit window, by venue, host and window",
  labelNames: ['venue', 'host', 'window'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const limiter of sharedRateLimiters()) {
      for (const { intervalMs, limit } of limiter.currentLimits()) {
        this.set({ ...limiterLabels(limiter.name), window: `${intervalMs / 1000}s` }, limit);
      }
    }
  },
});

export const venueBackoffRemaining = new Gauge({
  name: 'arena_venue_backoff_remaining_seconds',
  help: 'Seconds until requests to the venue may go out again after a 429 or 418 (0: none)',
  labelNames: ['venue', 'host'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const limiter of sharedRateLimiters()) this.set(limiterLabels(limiter.name), limiter.backOffRemaining() / 1000);
  },
});
