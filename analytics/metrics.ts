import Decimal from 'decimal.js';

/**
 * Performance formulas, each defined once, pure. Money sums go through decimal.js so that booked
 * amounts add up to the cent; ratios are plain floats. Every output is a finite number or null:
 * an empty input, a single point or a zero variance gives null, never NaN or Infinity.
 *
 * Times are epoch milliseconds. Equity metrics work on the curve sampled at a fixed interval
 * (`SAMPLING`: the last equity of every UTC hour), never on the raw cycle timestamps.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The fixed sampling of the equity curve: hourly last value; crypto trades 24 × 365 hours a year. */
export const SAMPLING = { interval: '1h', intervalMs: HOUR_MS, periodsPerYear: 24 * 365 } as const;

/** A finite number, or null. */
export function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

// ---------------------------------------------------------------------------------------------
// One trade

export type Side = 'long' | 'short';

export interface TradeFill {
  side: Side;
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  /** Fees paid, both legs, as a positive amount. */
  fees: number;
  /** Funding received (positive) or paid (negative) while open. */
  funding: number;
}

/**
 * Trade PnL. gross = quantity × (exit − entry) for a long, quantity × (entry − exit) for a short;
 * net = gross − fees + funding. Leverage never multiplies it: leverage only sets the margin
 * (notional / leverage). 0.1 BTC long 40,000 → 42,000 makes 200 before fees at any leverage.
 */
export function tradePnl(t: TradeFill): { gross: number; net: number } {
  const move = new Decimal(t.exitPrice).sub(t.entryPrice).mul(t.side === 'long' ? 1 : -1);
  const gross = move.mul(t.quantity);
  return { gross: gross.toNumber(), net: gross.sub(t.fees).add(t.funding).toNumber() };
}

/** Return on margin, in %: net PnL / margin × 100 (margin = entry notional / leverage). */
export function returnOnMarginPct(pnl: number, margin: number): number | null {
  return margin > 0 ? finite(new Decimal(pnl).mul(100).div(margin).toNumber()) : null;
}

// ---------------------------------------------------------------------------------------------
// Closed trades

export interface ClosedTrade {
  symbol: string;
  side: Side;
  /** Net PnL as booked by the ledger (`tradePnl(...).net`, plus the insurance clearance of a liquidation). */
  pnl: number;
  margin: number;
  fees: number;
  funding: number;
  openedAt: number;
  closedAt: number;
  closeReason: string | null;
}

export interface TradeStats {
  totalTrades: number;
  /** pnl > 0. */
  winningTrades: number;
  /** pnl < 0. */
  losingTrades: number;
  /** pnl = 0: neither a win nor a loss, and it ends any streak. */
  breakevenTrades: number;
  /** winning / total × 100. */
  winRatePct: number | null;
  /** Σ pnl. */
  totalPnl: number;
  /** Σ pnl / total (the expectancy per trade). */
  avgPnl: number | null;
  /** Σ pnl of the winners (≥ 0). */
  grossProfit: number;
  /** Σ pnl of the losers (≤ 0). */
  grossLoss: number;
  /** gross profit / |gross loss|; null when there is no loss. */
  profitFactor: number | null;
  /** gross profit / winners, gross loss / losers (negative). */
  avgWin: number | null;
  avgLoss: number | null;
  /** Highest pnl among winners, lowest (most negative) among losers. */
  largestWin: number | null;
  largestLoss: number | null;
  /** Consecutive results ending at the last trade: +n wins, −n losses, 0 after a breakeven or no trade. */
  currentStreak: number;
  longestWinStreak: number;
  longestLossStreak: number;
  /** Mean of (closed − opened), seconds. */
  avgHoldingSeconds: number | null;
  /** Σ fees. */
  feesPaid: number;
  /** −Σ funding: positive when the trades paid funding on balance, negative when they received it. */
  fundingPaid: number;
  /** Mean of the trades' return on margin, %. */
  avgReturnOnMarginPct: number | null;
}

/** Statistics of closed trades; the order of the input does not matter (streaks follow close time). */
export function tradeStats(input: readonly ClosedTrade[]): TradeStats {
  const trades = [...input].sort((a, b) => a.closedAt - b.closedAt);
  const n = trades.length;
  const wins = trades.filter((t) => t.pnl > 0).map((t) => t.pnl);
  const losses = trades.filter((t) => t.pnl < 0).map((t) => t.pnl);
  const grossProfit = sum(wins);
  const grossLoss = sum(losses);
  const totalPnl = grossProfit.add(grossLoss);
  const roms = trades.map((t) => returnOnMarginPct(t.pnl, t.margin)).filter((r): r is number => r !== null);
  return {
    totalTrades: n,
    winningTrades: wins.length,
    losingTrades: losses.length,
    breakevenTrades: n - wins.length - losses.length,
    winRatePct: n > 0 ? (wins.length * 100) / n : null,
    totalPnl: totalPnl.toNumber(),
    avgPnl: n > 0 ? totalPnl.div(n).toNumber() : null,
    grossProfit: grossProfit.toNumber(),
    grossLoss: grossLoss.toNumber(),
    profitFactor: losses.length > 0 ? finite(grossProfit.div(grossLoss.abs()).toNumber()) : null,
    avgWin: wins.length > 0 ? grossProfit.div(wins.length).toNumber() : null,
    avgLoss: losses.length > 0 ? grossLoss.div(losses.length).toNumber() : null,
    largestWin: wins.length > 0 ? wins.reduce((a, b) => Math.max(a, b)) : null,
    largestLoss: losses.length > 0 ? losses.reduce((a, b) => Math.min(a, b)) : null,
    ...streaksOf(trades.map((t) => Math.sign(t.pnl))),
    avgHoldingSeconds: n > 0 ? trades.reduce((s, t) => s + (t.closedAt - t.openedAt), 0) / n / 1000 : null,
    feesPaid: sum(trades.map((t) => t.fees)).toNumber(),
    fundingPaid:
      sum(trades.map((t) => t.funding))
        .neg()
        .toNumber() || 0,
    avgReturnOnMarginPct: roms.length > 0 ? roms.reduce((s, r) => s + r, 0) / roms.length : null,
  };
}

/** Exact sum of amounts. */
function sum(values: readonly number[]): Decimal {
  return values.reduce((acc, v) => acc.add(v), new Decimal(0));
}

/** Streaks over results in close order: +1 win, −1 loss, 0 breakeven (which breaks a streak). */
function streaksOf(results: number[]): Pick<TradeStats, 'currentStreak' | 'longestWinStreak' | 'longestLossStreak'> {
  let current = 0;
  let longestWin = 0;
  let longestLoss = 0;
  for (const r of results) {
    current = r > 0 ? Math.max(current, 0) + 1 : r < 0 ? Math.min(current, 0) - 1 : 0;
    longestWin = Math.max(longestWin, current);
    longestLoss = Math.max(longestLoss, -current);
  }
  return { currentStreak: current, longestWinStreak: longestWin, longestLossStreak: longestLoss };
}

// ---------------------------------------------------------------------------------------------
// Open trades

export interface OpenTrade {
  symbol: string;
  side: Side;
  margin: number;
  /** The fee paid so far: the opening fill's. */
  fees: number;
  /** Funding received (positive) or paid (negative) so far; null where the venue reports it only at the close. */
  funding: number | null;
  openedAt: number;
}

export interface OpenTradeStats {
  openTrades: number;
  /** Σ fees paid so far (the opening fees). */
  feesPaid: number;
  /** −Σ funding so far (positive when paid on balance); null when any open trade's funding is unknown. */
  fundingPaid: number | null;
}

/** What the open trades have cost so far: they pay their opening fee at once and funding while open. */
export function openTradeStats(open: readonly OpenTrade[]): OpenTradeStats {
  const funding = open.map((t) => t.funding);
  return {
    openTrades: open.length,
    feesPaid: sum(open.map((t) => t.fees)).toNumber(),
    fundingPaid: funding.every((f): f is number => f !== null) ? sum(funding).neg().toNumber() || 0 : null,
  };
}

/** Seconds as "HH:MM:SS" (hours keep counting past 24), rounded to the second. */
export function formatDuration(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const s = Math.round(seconds);
  const pad = (v: number) => String(v).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Trade statistics per group (symbol, close reason, side...), groups in first-seen order. */
export function groupStats(trades: readonly ClosedTrade[], key: (t: ClosedTrade) => string): Array<{ key: string; stats: TradeStats }> {
  const groups = new Map<string, ClosedTrade[]>();
  for (const t of trades) {
    const k = key(t);
    const list = groups.get(k);
    if (list) list.push(t);
    else groups.set(k, [t]);
  }
  return [...groups].map(([k, list]) => ({ key: k, stats: tradeStats(list) }));
}

// ---------------------------------------------------------------------------------------------
// The equity curve at a fixed sampling

/** One equity snapshot. */
export interface EquitySample {
  time: number;
  equity: number;
  positionCount: number;
}

/** One sampling interval of the curve. */
export interface Bar {
  /** Start of the interval: floor(time / interval) × interval. */
  start: number;
  /** The last equity of the interval. */
  close: number;
  /** Share (0..1) of the interval's snapshots that had open positions. */
  exposed: number;
  /** Whether the interval's last snapshot had open positions (an empty interval after it inherits it). */
  lastExposed: boolean;
  /** Snapshots in the interval (0 for an interval filled forward). */
  samples: number;
}

/**
 * Snapshots → bars: the snapshots grouped by interval (last equity, share with positions). Only
 * intervals with a snapshot get a bar; `fillBars` makes the grid regular. SQL does the same
 * reduction on big tables (`analytics/load.ts`), and `fillBars` of either gives the same curve.
 */
export function toBars(samples: readonly EquitySample[], intervalMs: number = SAMPLING.intervalMs): Bar[] {
  const sorted = [...samples].sort((a, b) => a.time - b.time);
  const bars: Bar[] = [];
  let exposedCount = 0;
  for (const s of sorted) {
    const start = Math.floor(s.time / intervalMs) * intervalMs;
    let bar = bars[bars.length - 1];
    if (!bar || bar.start !== start) {
      bar = { start, close: s.equity, exposed: 0, lastExposed: false, samples: 0 };
      bars.push(bar);
      exposedCount = 0;
    }
    bar.samples += 1;
    exposedCount += s.positionCount > 0 ? 1 : 0;
    bar.close = s.equity;
    bar.exposed = exposedCount / bar.samples;
    bar.lastExposed = s.positionCount > 0;
  }
  return bars;
}

/** A regular grid from the first bar to the last: an interval without a snapshot repeats the last close and position state. */
export function fillBars(bars: readonly Bar[], intervalMs: number = SAMPLING.intervalMs): Bar[] {
  const out: Bar[] = [];
  for (const bar of [...bars].sort((a, b) => a.start - b.start)) {
    let last = out[out.length - 1];
    while (last && last.start + intervalMs < bar.start) {
      last = {
        start: last.start + intervalMs,
        close: last.close,
        exposed: last.lastExposed ? 1 : 0,
        lastExposed: last.lastExposed,
        samples: 0,
      };
      out.push(last);
    }
    out.push(bar);
  }
  return out;
}

/**
 * The curve a metric reads: `opening` is the equity before the first bar (the initial balance, or
 * the last snapshot before the range), taken as the close of the interval before it; `bars` is a
 * regular grid (`fillBars`).
 */
export interface EquityCurve {
  opening: number;
  bars: Bar[];
  intervalMs: number;
}

/** The curve as (time, equity) points, the opening first. */
function points(curve: EquityCurve): Array<{ time: number; equity: number }> {
  const first = curve.bars[0];
  if (!first) return [];
  return [{ time: first.start - curve.intervalMs, equity: curve.opening }, ...curve.bars.map((b) => ({ time: b.start, equity: b.close }))];
}

/** Period returns r_i = close_i / close_{i−1} − 1, close_{−1} = opening; a period starting at equity ≤ 0 has none. */
export function periodReturns(curve: EquityCurve): number[] {
  const p = points(curve);
  const returns: number[] = [];
  for (let i = 1; i < p.length; i++) if (p[i - 1]!.equity > 0) returns.push(p[i]!.equity / p[i - 1]!.equity - 1);
  return returns;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Below this a standard deviation counts as zero (float noise of constant returns). */
const ZERO_SPREAD = 1e-12;

/**
 * Sharpe ratio, annualised: mean(r) / sd(r) × √(periods per year), risk-free rate 0, sd the sample
 * standard deviation (n − 1). Null with fewer than 2 returns or zero variance.
 */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number = SAMPLING.periodsPerYear): number | null {
  if (returns.length < 2) return null;
  const m = mean(returns);
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1));
  return sd > ZERO_SPREAD ? finite((m / sd) * Math.sqrt(periodsPerYear)) : null;
}

/**
 * Sortino ratio, annualised: mean(r) / DD × √(periods per year), with the downside deviation
 * DD = √(Σ min(r_i, 0)² / n) over all n returns (target 0). Null with fewer than 2 returns or no
 * negative return.
 */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number = SAMPLING.periodsPerYear): number | null {
  if (returns.length < 2) return null;
  const dd = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length);
  return dd > ZERO_SPREAD ? finite((mean(returns) / dd) * Math.sqrt(periodsPerYear)) : null;
}

export interface Drawdown {
  peakAt: number;
  peakEquity: number;
  troughAt: number;
  troughEquity: number;
  /** First time the curve is back at or above the peak; null while it has not recovered. */
  recoveredAt: number | null;
  /** peak − trough. */
  amount: number;
  /** (peak − trough) / peak × 100. */
  pct: number;
  /** Peak → recovery, or peak → the curve's last point while unrecovered. */
  durationMs: number;
}

/** Every drawdown episode of the curve (peak, lowest point, recovery), in time order. */
export function drawdowns(curve: EquityCurve): Drawdown[] {
  const p = points(curve);
  const out: Drawdown[] = [];
  const last = p[p.length - 1];
  if (!last) return out;
  let peak = p[0]!;
  let trough: { time: number; equity: number } | null = null;
  const close = (recoveredAt: number | null) => {
    if (!trough) return;
    const amount = new Decimal(peak.equity).sub(trough.equity).toNumber();
    out.push({
      peakAt: peak.time,
      peakEquity: peak.equity,
      troughAt: trough.time,
      troughEquity: trough.equity,
      recoveredAt,
      amount,
      pct: peak.equity > 0 ? (amount * 100) / peak.equity : 100,
      durationMs: (recoveredAt ?? last.time) - peak.time,
    });
    trough = null;
  };
  for (const point of p.slice(1)) {
    if (point.equity >= peak.equity) {
      close(point.time);
      peak = point;
    } else if (!trough || point.equity < trough.equity) {
      trough = point;
    }
  }
  close(null);
  return out;
}

export interface MaxDrawdown {
  amount: number;
  pct: number;
  durationMs: number;
  /** The episode; null when the curve never fell. */
  episode: Drawdown | null;
}

/**
 * Maximum drawdown: the episode with the largest percentage decline, with its amount, % and
 * duration (peak → recovery, or to the curve's end). Zero when the curve never falls; null without a bar.
 */
export function maxDrawdown(curve: EquityCurve): MaxDrawdown | null {
  if (curve.bars.length === 0) return null;
  const worst = drawdowns(curve).reduce<Drawdown | null>((w, d) => (!w || d.pct > w.pct ? d : w), null);
  return worst
    ? { amount: worst.amount, pct: worst.pct, durationMs: worst.durationMs, episode: worst }
    : { amount: 0, pct: 0, durationMs: 0, episode: null };
}

/** The curve's PnL: last close − opening, and as % of the opening. */
export function curvePnl(curve: EquityCurve): { start: number; end: number; pnl: number; returnPct: number | null } {
  const end = curve.bars[curve.bars.length - 1]?.close ?? curve.opening;
  const pnl = new Decimal(end).sub(curve.opening).toNumber();
  return { start: curve.opening, end, pnl, returnPct: curve.opening > 0 ? finite((pnl * 100) / curve.opening) : null };
}

/**
 * Annualised (compound) return, %: ((end / opening)^(periods per year / n) − 1) × 100 over the n
 * sampled periods. −100 when the equity is gone; null without a period or when too large to state.
 */
export function annualizedReturnPct(curve: EquityCurve, periodsPerYear: number = SAMPLING.periodsPerYear): number | null {
  const { start, end } = curvePnl(curve);
  const n = curve.bars.length;
  if (n === 0 || start <= 0) return null;
  if (end <= 0) return -100;
  return finite(((end / start) ** (periodsPerYear / n) - 1) * 100);
}

/** Calmar ratio: annualised return % / max drawdown %. Null when either is missing or the drawdown is 0. */
export function calmarRatio(annualizedPct: number | null, maxDrawdownPct: number | null): number | null {
  if (annualizedPct === null || maxDrawdownPct === null || maxDrawdownPct <= 0) return null;
  return finite(annualizedPct / maxDrawdownPct);
}

/** Exposure, %: the mean over the grid's intervals of the share of snapshots with open positions. */
export function exposurePct(curve: EquityCurve): number | null {
  return curve.bars.length > 0 ? mean(curve.bars.map((b) => b.exposed)) * 100 : null;
}

export interface DailyPnl {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  /** The day's last sampled equity. */
  close: number;
  /** close − the previous day's close (the opening for the first day). */
  pnl: number;
  /** pnl / the previous close × 100. */
  returnPct: number | null;
}

/** PnL per UTC day from the sampled curve (the interval must divide a day). */
export function dailyPnl(curve: EquityCurve): DailyPnl[] {
  const closes = new Map<number, number>();
  for (const b of curve.bars) closes.set(Math.floor(b.start / DAY_MS), b.close);
  let previous = curve.opening;
  return [...closes].map(([day, close]) => {
    const pnl = new Decimal(close).sub(previous).toNumber();
    const row = {
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      close,
      pnl,
      returnPct: previous > 0 ? finite((pnl * 100) / previous) : null,
    };
    previous = close;
    return row;
  });
}
