/**
 * The API's analytics answers, assembled (pure) from what the loaders read: performance, analytics
 * and the leaderboard. Every answer says which market time it describes (`as_of`, `window`) and
 * what sample its figures rest on (`sample`); a figure that extrapolates is stated only where the
 * sample supports it (`./sample-rules`), and each such figure has a `<name>_note` that is null when
 * the figure is given and says why when it is not.
 */
import Decimal from 'decimal.js';
import { NOT_COMPUTED, type VsRandomEntry } from './chance';
import {
  SAMPLING,
  annualizedReturnPct,
  calmarRatio,
  curvePnl,
  dailyPnl,
  drawdowns,
  exposurePct,
  formatDuration,
  groupStats,
  maxDrawdown,
  openTradeStats,
  periodReturns,
  sharpeRatio,
  sortinoRatio,
  tradeStats,
  type ClosedTrade,
  type Drawdown,
  type EquityCurve,
  type OpenTrade,
  type TradeStats,
} from './metrics';
import {
  ANNUALISED_RULE,
  PROFIT_FACTOR_RULE,
  SHARPE_RULE,
  gated,
  sampleOf,
  type FigureNote,
  type Gated,
  type Sample,
} from './sample-rules';

/** A market-time window `[from, to)`, as the API's lists: snapshots by market time, trades by close time. */
export interface Range {
  from?: Date;
  to?: Date;
}

export interface AgentHead {
  id: string;
  name: string;
  provider: string;
  model: string;
  initial_balance: number;
}

/** Market time (epoch ms) of the first and the last equity snapshot read. */
export interface SnapshotWindow {
  first: number;
  last: number;
}

/** What a performance answer is made of. */
export interface PerformanceInputs {
  curve: EquityCurve;
  /** Null when the range holds no snapshot. */
  window: SnapshotWindow | null;
  closed: ClosedTrade[];
  /** The trades open at the end of the range. */
  open: OpenTrade[];
  llmCost: number;
  /** The agent's place among random-entry runs; null while not computed. */
  vsRandom: VsRandomEntry | null;
}

/** Which market time an answer describes. */
interface MarketTimeFields {
  /** The range asked for (ISO), null when open. */
  from: string | null;
  to: string | null;
  sampling: { interval: string; periods_per_year: number };
  /** Market time of the newest equity snapshot read: the figures describe the agent up to here. */
  as_of: string | null;
  /** Market time of the first and the last snapshot read (`to` is `as_of`). */
  window: { from: string | null; to: string | null };
  sample: Sample;
}

export interface Performance extends MarketTimeFields {
  agent_id: string;
  // The seed's PerformanceMetrics (closed trades, then the equity curve).
  total_trades: number;
  winning_trades: number;
  losing_trades: number;
  win_rate: number | null;
  total_pnl: number;
  gross_profit: number;
  gross_loss: number;
  profit_factor: number | null;
  profit_factor_note: FigureNote | null;
  sharpe_ratio: number | null;
  sharpe_ratio_note: FigureNote | null;
  max_drawdown: number | null;
  max_drawdown_pct: number | null;
  avg_win: number | null;
  avg_loss: number | null;
  avg_trade_duration: string | null;
  largest_win: number | null;
  largest_loss: number | null;
  current_streak: number;
  // More from the trades.
  breakeven_trades: number;
  avg_pnl: number | null;
  longest_win_streak: number;
  longest_loss_streak: number;
  avg_holding_seconds: number | null;
  /** Closed trades' fees and the open trades' opening fees. */
  fees_paid: number;
  /** −Σ funding of the closed trades and of the open ones where it is known (`open_funding_paid`). */
  funding_paid: number;
  avg_return_on_margin_pct: number | null;
  open_trades: number;
  open_fees_paid: number;
  open_funding_paid: number | null;
  open_funding_paid_note: FigureNote | null;
  // More from the equity curve.
  start_equity: number;
  end_equity: number;
  equity_pnl: number;
  return_pct: number | null;
  daily_pnl: number | null;
  daily_pnl_date: string | null;
  annualized_return_pct: number | null;
  annualized_return_pct_note: FigureNote | null;
  sortino_ratio: number | null;
  sortino_ratio_note: FigureNote | null;
  calmar_ratio: number | null;
  calmar_ratio_note: FigureNote | null;
  max_drawdown_duration_seconds: number | null;
  max_drawdown_recovered: boolean | null;
  exposure_pct: number | null;
  snapshots: number;
  sampled_from: string | null;
  sampled_to: string | null;
  llm_cost_usd: number;
  vs_random_entry: VsRandomEntry | null;
  vs_random_entry_note: FigureNote | null;
}

export interface GroupRow {
  trades: number;
  winning_trades: number;
  losing_trades: number;
  win_rate: number | null;
  total_pnl: number;
  avg_pnl: number | null;
  profit_factor: number | null;
  profit_factor_note: FigureNote | null;
}

export interface DrawdownRow {
  peak_at: string;
  peak_equity: number;
  trough_at: string;
  trough_equity: number;
  recovered_at: string | null;
  amount: number;
  pct: number;
  duration_seconds: number;
}

export interface Analytics extends MarketTimeFields {
  agent_id: string;
  by_symbol: Array<{ symbol: string } & GroupRow>;
  by_close_reason: Array<{ close_reason: string } & GroupRow>;
  by_side: Array<{ side: string } & GroupRow>;
  daily: Array<{ date: string; close_equity: number; pnl: number; return_pct: number | null }>;
  /** The deepest drawdown episodes (by %), at most `WORST_DRAWDOWNS`, and how many there were. */
  drawdowns: { count: number; worst: DrawdownRow[] };
}

export interface LeaderboardRow {
  rank: number;
  agent_id: string;
  name: string;
  provider: string;
  model: string;
  initial_balance: number;
  equity: number;
  return_pct: number | null;
  pnl: number;
  sharpe_ratio: number | null;
  sharpe_ratio_note: FigureNote | null;
  max_drawdown_pct: number | null;
  win_rate: number | null;
  /** Closed trades. */
  trades: number;
  open_trades: number;
  llm_cost_usd: number;
  /** The arena's market time: the newest bar any agent recorded, the same on every entry. */
  market_time: string | null;
  /** Market time of this agent's newest snapshot: what its figures describe. */
  as_of: string | null;
  /** market_time − as_of: how far a paused or slow agent's figures are behind the arena (0 when current). */
  behind_seconds: number | null;
  vs_random_entry: VsRandomEntry | null;
  vs_random_entry_note: FigureNote | null;
}

export const WORST_DRAWDOWNS = 5;

export function performanceOf(agent: AgentHead, range: Range, inputs: PerformanceInputs): Performance {
  const { curve, window, closed, open, llmCost, vsRandom } = inputs;
  const t = tradeStats(closed);
  const o = openTradeStats(open);
  const returns = periodReturns(curve);
  const sample = sampleOf(window, returns, t.totalTrades);
  const mdd = maxDrawdown(curve);
  const equity = curvePnl(curve);
  const lastDay = dailyPnl(curve).pop();
  const first = curve.bars[0];
  const last = curve.bars[curve.bars.length - 1];

  const sharpe = gated(
    SHARPE_RULE,
    sample,
    () => sharpeRatio(returns),
    () => 'undefined: the hourly returns do not vary',
  );
  const sortino = gated(
    SHARPE_RULE,
    sample,
    () => sortinoRatio(returns),
    () => 'undefined: no hourly return is negative',
  );
  const annualized = gated(
    ANNUALISED_RULE,
    sample,
    () => annualizedReturnPct(curve),
    () => (curve.opening > 0 ? 'too large to state' : 'undefined: no starting equity'),
  );
  const calmar = gated(
    ANNUALISED_RULE,
    sample,
    () => calmarRatio(annualized.value, mdd?.pct ?? null),
    () => (annualized.value === null ? 'undefined without an annualised return' : 'undefined: the curve never fell'),
  );
  const profitFactor = profitFactorOf(t, sample);
  const openFunding: Gated =
    o.fundingPaid !== null
      ? { value: o.fundingPaid, note: null }
      : { value: null, note: { reason: 'unknown while open: the venue reports funding when the trade closes', sample } };

  return {
    agent_id: agent.id,
    ...marketTimeOf(range, window, sample),
    total_trades: t.totalTrades,
    winning_trades: t.winningTrades,
    losing_trades: t.losingTrades,
    win_rate: t.winRatePct,
    total_pnl: t.totalPnl,
    gross_profit: t.grossProfit,
    gross_loss: t.grossLoss,
    profit_factor: profitFactor.value,
    profit_factor_note: profitFactor.note,
    sharpe_ratio: sharpe.value,
    sharpe_ratio_note: sharpe.note,
    max_drawdown: mdd?.amount ?? null,
    max_drawdown_pct: mdd?.pct ?? null,
    avg_win: t.avgWin,
    avg_loss: t.avgLoss,
    avg_trade_duration: formatDuration(t.avgHoldingSeconds),
    largest_win: t.largestWin,
    largest_loss: t.largestLoss,
    current_streak: t.currentStreak,
    breakeven_trades: t.breakevenTrades,
    avg_pnl: t.avgPnl,
    longest_win_streak: t.longestWinStreak,
    longest_loss_streak: t.longestLossStreak,
    avg_holding_seconds: t.avgHoldingSeconds,
    fees_paid: addExact(t.feesPaid, o.feesPaid),
    funding_paid: addExact(t.fundingPaid, o.fundingPaid ?? 0),
    avg_return_on_margin_pct: t.avgReturnOnMarginPct,
    open_trades: o.openTrades,
    open_fees_paid: o.feesPaid,
    open_funding_paid: openFunding.value,
    open_funding_paid_note: openFunding.note,
    start_equity: equity.start,
    end_equity: equity.end,
    equity_pnl: equity.pnl,
    return_pct: equity.returnPct,
    daily_pnl: lastDay?.pnl ?? null,
    daily_pnl_date: lastDay?.date ?? null,
    annualized_return_pct: annualized.value,
    annualized_return_pct_note: annualized.note,
    sortino_ratio: sortino.value,
    sortino_ratio_note: sortino.note,
    calmar_ratio: calmar.value,
    calmar_ratio_note: calmar.note,
    max_drawdown_duration_seconds: mdd ? mdd.durationMs / 1000 : null,
    max_drawdown_recovered: mdd ? mdd.episode === null || mdd.episode.recoveredAt !== null : null,
    exposure_pct: exposurePct(curve),
    snapshots: curve.bars.reduce((s, b) => s + b.samples, 0),
    sampled_from: first ? iso(first.start) : null,
    sampled_to: last ? iso(last.start) : null,
    llm_cost_usd: llmCost,
    vs_random_entry: vsRandom,
    vs_random_entry_note: vsRandom ? null : { reason: window ? NOT_COMPUTED : 'no market time recorded yet', sample },
  };
}

export function analyticsOf(agent: AgentHead, range: Range, inputs: Pick<PerformanceInputs, 'curve' | 'window' | 'closed'>): Analytics {
  const { curve, window, closed } = inputs;
  const sample = sampleOf(window, periodReturns(curve), closed.length);
  const groups = <K extends string>(name: K, key: (t: ClosedTrade) => string) =>
    groupStats(closed, key)
      .map((g) => ({ [name]: g.key, ...groupRow(g.stats, sample) }) as { [P in K]: string } & GroupRow)
      .sort((a, b) => b.total_pnl - a.total_pnl);
  const episodes = drawdowns(curve);
  return {
    agent_id: agent.id,
    ...marketTimeOf(range, window, sample),
    by_symbol: groups('symbol', (t) => t.symbol),
    by_close_reason: groups('close_reason', (t) => t.closeReason ?? 'unknown'),
    by_side: groups('side', (t) => t.side),
    daily: dailyPnl(curve).map((d) => ({ date: d.date, close_equity: d.close, pnl: d.pnl, return_pct: d.returnPct })),
    drawdowns: {
      count: episodes.length,
      worst: [...episodes]
        .sort((a, b) => b.pct - a.pct)
        .slice(0, WORST_DRAWDOWNS)
        .map(drawdownRow),
    },
  };
}

/**
 * Ranked by return (highest first; an agent without a return last), then by id. The arena's market
 * time is the newest snapshot of any agent: a cycle's snapshot is written with its decision log in
 * one transaction, so it is the newest bar any agent recorded, and no entry can be ahead of it.
 */
export function leaderboardOf(agents: AgentHead[], performances: Array<Performance | undefined>): LeaderboardRow[] {
  const asOf = performances.flatMap((p) => (p?.as_of ? [Date.parse(p.as_of)] : []));
  const arena = asOf.length > 0 ? Math.max(...asOf) : null;
  const rows = agents.flatMap((a, i): LeaderboardRow[] => {
    const p = performances[i];
    if (!p) return [];
    return [
      {
        rank: 0,
        agent_id: a.id,
        name: a.name,
        provider: a.provider,
        model: a.model,
        initial_balance: a.initial_balance,
        equity: p.end_equity,
        return_pct: p.return_pct,
        pnl: p.equity_pnl,
        sharpe_ratio: p.sharpe_ratio,
        sharpe_ratio_note: p.sharpe_ratio_note,
        max_drawdown_pct: p.max_drawdown_pct,
        win_rate: p.win_rate,
        trades: p.total_trades,
        open_trades: p.open_trades,
        llm_cost_usd: p.llm_cost_usd,
        market_time: arena === null ? null : iso(arena),
        as_of: p.as_of,
        behind_seconds: arena === null || p.as_of === null ? null : (arena - Date.parse(p.as_of)) / 1000,
        vs_random_entry: p.vs_random_entry,
        vs_random_entry_note: p.vs_random_entry_note,
      },
    ];
  });
  rows.sort((x, y) => (y.return_pct ?? -Infinity) - (x.return_pct ?? -Infinity) || x.agent_id.localeCompare(y.agent_id));
  return rows.map((r, i) => ({ ...r, rank: i + 1 }));
}

function profitFactorOf(stats: TradeStats, sample: Sample): Gated {
  return gated(
    PROFIT_FACTOR_RULE,
    sample,
    () => stats.profitFactor,
    () => 'undefined: no losing trade',
  );
}

const groupRow = (s: TradeStats, sample: Sample): GroupRow => {
  const profitFactor = profitFactorOf(s, { ...sample, closed_trades: s.totalTrades });
  return {
    trades: s.totalTrades,
    winning_trades: s.winningTrades,
    losing_trades: s.losingTrades,
    win_rate: s.winRatePct,
    total_pnl: s.totalPnl,
    avg_pnl: s.avgPnl,
    profit_factor: profitFactor.value,
    profit_factor_note: profitFactor.note,
  };
};

const drawdownRow = (d: Drawdown): DrawdownRow => ({
  peak_at: iso(d.peakAt),
  peak_equity: d.peakEquity,
  trough_at: iso(d.troughAt),
  trough_equity: d.troughEquity,
  recovered_at: d.recoveredAt === null ? null : iso(d.recoveredAt),
  amount: d.amount,
  pct: d.pct,
  duration_seconds: d.durationMs / 1000,
});

function marketTimeOf(range: Range, window: SnapshotWindow | null, sample: Sample): MarketTimeFields {
  return {
    from: range.from?.toISOString() ?? null,
    to: range.to?.toISOString() ?? null,
    sampling: { interval: SAMPLING.interval, periods_per_year: SAMPLING.periodsPerYear },
    as_of: window ? iso(window.last) : null,
    window: { from: window ? iso(window.first) : null, to: window ? iso(window.last) : null },
    sample,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const addExact = (a: number, b: number) => new Decimal(a).add(b).toNumber() || 0;
