/**
 * When a figure that extrapolates from its sample may be stated. Below its rule the figure is null
 * and its note says what it needs and what the sample has; above it, a figure the formula cannot
 * define (no variance, no loss...) is null too, and the note says why. Every note carries the
 * sample it was judged on, so every null explains itself in the same shape.
 *
 * The minimums, and why:
 * - Sharpe and Sortino (annualised from hourly returns): at least 7 days of market time and at
 *   least 30 hours in which equity moved. Annualising multiplies the hourly ratio, and its noise,
 *   by √8760 ≈ 93.6: for close to independent returns the standard error of an annualised Sharpe is
 *   about √(8760 / n) over n hourly returns (Lo 2002), about 42 after 5 hours (hence −385.7 and
 *   +175.4), 7.2 after 7 days. 7 days is the shortest window that holds every hour of the day and
 *   every day of the week (crypto volume and volatility follow both; funding settles every 8 h), so
 *   the ratio is not one session's. Hours in which equity did not move carry no information about
 *   the strategy's risk: under 30 of them, the mean and the deviation rest on a handful of moves
 *   (one trade gave +175.4); 30 is the usual minimum for a mean and a deviation to be estimated.
 * - Annualised return and Calmar (annualised return / max drawdown): at least 365 days of market
 *   time. Compounding a shorter return to a year states a year nobody observed: −0.42 % over 5
 *   hours compounds to −99.94 % a year. This is the GIPS rule: returns for periods under a year
 *   are not annualised.
 * - Profit factor (gross profit / gross loss): at least 30 closed trades. Over fewer, each sum is
 *   dominated by its largest trade: one trade gives 0 or no figure at all.
 */
import { HOUR_MS } from './metrics';

/** What the figures of one answer were computed from. */
export interface Sample {
  /** Market time from the first to the last equity snapshot read, in hours. */
  market_hours: number;
  /** Hourly returns of the sampled curve (the first from the opening equity). */
  returns: number;
  /** Those returns that are not zero: the hours in which equity moved. */
  active_returns: number;
  /** Closed trades read. */
  closed_trades: number;
}

/** Why a figure is null, and the sample it was judged on. */
export interface FigureNote {
  reason: string;
  sample: Sample;
}

/** A figure and its note: exactly one of them is null. */
export interface Gated {
  value: number | null;
  note: FigureNote | null;
}

/** The minimums a sample must reach before a figure is stated. */
export interface SampleRule {
  minMarketHours?: number;
  minActiveReturns?: number;
  minClosedTrades?: number;
}

export const SHARPE_RULE: SampleRule = { minMarketHours: 7 * 24, minActiveReturns: 30 };
export const ANNUALISED_RULE: SampleRule = { minMarketHours: 365 * 24 };
export const PROFIT_FACTOR_RULE: SampleRule = { minClosedTrades: 30 };

/** The sample of a curve's returns between two snapshot times (ms; null without a snapshot), with its closed trades. */
export function sampleOf(window: { first: number; last: number } | null, returns: readonly number[], closedTrades: number): Sample {
  return {
    market_hours: window ? (window.last - window.first) / HOUR_MS : 0,
    returns: returns.length,
    active_returns: returns.filter((r) => r !== 0).length,
    closed_trades: closedTrades,
  };
}

/** One minimum of a rule: what it counts in a sample, how much it needs, and how it says both. */
interface Minimum {
  needs: string;
  met(sample: Sample): boolean;
  has(sample: Sample): string;
}

function minimums(rule: SampleRule): Minimum[] {
  const out: Minimum[] = [];
  const { minMarketHours: hours, minActiveReturns: moves, minClosedTrades: trades } = rule;
  if (hours !== undefined) {
    out.push({
      needs: `at least ${marketTime(hours)} of market time`,
      met: (s) => s.market_hours >= hours,
      has: (s) => marketTime(s.market_hours),
    });
  }
  if (moves !== undefined) {
    out.push({
      needs: `at least ${moves} hours in which equity moved`,
      met: (s) => s.active_returns >= moves,
      has: (s) => String(s.active_returns),
    });
  }
  if (trades !== undefined) {
    out.push({ needs: `at least ${trades} closed trades`, met: (s) => s.closed_trades >= trades, has: (s) => String(s.closed_trades) });
  }
  return out;
}

/** What the sample lacks against the rule, one phrase per minimum not reached ("at least 30 closed trades (has 1)"). */
export function shortfalls(rule: SampleRule, sample: Sample): string[] {
  return minimums(rule)
    .filter((m) => !m.met(sample))
    .map((m) => `${m.needs} (has ${m.has(sample)})`);
}

/** The rule in words ("at least 7 days of market time and at least 30 hours in which equity moved"), for the pages. */
export function describeRule(rule: SampleRule): string {
  return minimums(rule)
    .map((m) => m.needs)
    .join(' and ');
}

/**
 * The figure when the sample meets the rule and the formula defines it; otherwise null and a note:
 * what the rule needs, or else `undefinedReason` (asked only then).
 */
export function gated(rule: SampleRule, sample: Sample, value: () => number | null, undefinedReason: () => string): Gated {
  const missing = shortfalls(rule, sample);
  if (missing.length > 0) return { value: null, note: { reason: `needs ${missing.join(' and ')}`, sample } };
  const v = value();
  return v === null ? { value: null, note: { reason: undefinedReason(), sample } } : { value: v, note: null };
}

/**
 * Market time as the notes say it: hours under two days, else days; one decimal, cut rather than
 * rounded, so a sample just short of a minimum never reads as reaching it (167.95 h is "6.9 days").
 */
export function marketTime(hours: number): string {
  const [amount, unit] = hours < 48 ? [hours, 'h'] : [hours / 24, 'days'];
  return `${Math.floor(amount * 10) / 10} ${unit}`;
}
