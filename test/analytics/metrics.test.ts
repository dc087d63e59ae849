import assert from 'node:assert/strict';
import {
  HOUR_MS,
  annualizedReturnPct,
  calmarRatio,
  curvePnl,
  dailyPnl,
  drawdowns,
  exposurePct,
  fillBars,
  formatDuration,
  groupStats,
  maxDrawdown,
  periodReturns,
  returnOnMarginPct,
  sharpeRatio,
  sortinoRatio,
  toBars,
  tradePnl,
  tradeStats,
  type Bar,
  type ClosedTrade,
  type EquityCurve,
} from '../../analytics/metrics';

const H = HOUR_MS;
const T0 = Date.UTC(2025, 2, 1, 0, 0);
const close = (actual: number | null, expected: number, eps = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);

/** A curve of hourly closes starting at T0 (the opening is the close of the hour before). */
function curve(opening: number, closes: number[]): EquityCurve {
  return {
    opening,
    intervalMs: H,
    bars: closes.map((c, i) => ({ start: T0 + i * H, close: c, exposed: 0, lastExposed: false, samples: 1 })),
  };
}

function trade(pnl: number, closedAt: number, extra: Partial<ClosedTrade> = {}): ClosedTrade {
  return {
    symbol: 'BTCUSDT',
    side: 'long',
    pnl,
    margin: 400,
    fees: 1.5,
    funding: 0,
    openedAt: closedAt - H,
    closedAt,
    closeReason: 'signal',
    ...extra,
  };
}

describe('analytics metrics', () => {
  describe('trade PnL', () => {
    it("the seed's example: 0.1 BTC long 40,000 → 42,000 at 10x makes 200 before fees, not 2,000", () => {
      // gross = 0.1 × (42,000 − 40,000) = 200; leverage is not an input: it only sets the margin.
      // The seed's formula: 0.1 × 40,000 × 5 % × 10 = 2,000 — wrong by the leverage.
      const { gross, net } = tradePnl({ side: 'long', quantity: 0.1, entryPrice: 40000, exitPrice: 42000, fees: 0, funding: 0 });
      assert.equal(gross, 200);
      assert.equal(net, 200);
    });

    it('the same trade with 0.05 % taker fees both sides and +1.5 funding nets 197.4, 49.35 % on its margin', () => {
      // fees: open 0.1 × 40,000 × 0.0005 = 2.00, close 0.1 × 42,000 × 0.0005 = 2.10 → 4.10
      // net = 200 − 4.10 + 1.50 = 197.40; margin = 0.1 × 40,000 / 10 = 400 → 197.4 / 400 = 49.35 %
      const fees = 0.1 * 40000 * 0.0005 + 0.1 * 42000 * 0.0005;
      const { gross, net } = tradePnl({ side: 'long', quantity: 0.1, entryPrice: 40000, exitPrice: 42000, fees, funding: 1.5 });
      assert.equal(gross, 200);
      assert.equal(net, 197.4);
      assert.equal(returnOnMarginPct(net, 400), 49.35);
    });

    it('a short gains when the price falls and loses when it rises', () => {
      // 2 ETH short 3,000 → 2,900: gross = 2 × (3,000 − 2,900) = 200;
      // fees 2 × 3,000 × 0.0005 = 3.0 and 2 × 2,900 × 0.0005 = 2.9 → 5.9; funding paid 0.8
      // net = 200 − 5.9 − 0.8 = 193.3
      assert.deepEqual(tradePnl({ side: 'short', quantity: 2, entryPrice: 3000, exitPrice: 2900, fees: 5.9, funding: -0.8 }), {
        gross: 200,
        net: 193.3,
      });
      // 3,000 → 3,100: gross = 2 × (3,000 − 3,100) = −200; net = −200 − 6.1 = −206.1
      assert.deepEqual(tradePnl({ side: 'short', quantity: 2, entryPrice: 3000, exitPrice: 3100, fees: 6.1, funding: 0 }), {
        gross: -200,
        net: -206.1,
      });
    });

    it('return on margin needs a margin', () => {
      assert.equal(returnOnMarginPct(10, 0), null);
      assert.equal(returnOnMarginPct(-50, 200), -25);
    });
  });

  describe('closed trades', () => {
    // In close order: +100, −50, +30, −20, −10, −40 (given shuffled: the order of closing counts).
    const trades = [
      trade(-20, T0 + 4 * H, { openedAt: T0 + 3.5 * H }),
      trade(100, T0 + 1 * H, { openedAt: T0, funding: 0.5 }),
      trade(-40, T0 + 9 * H, { openedAt: T0 + 6 * H }),
      trade(-50, T0 + 2 * H, { openedAt: T0, funding: -1 }),
      trade(30, T0 + 3 * H, { openedAt: T0 + 2.5 * H }),
      trade(-10, T0 + 5 * H, { openedAt: T0 + 4 * H, funding: -0.5 }),
    ];
    const s = tradeStats(trades);

    it('counts, win rate, totals and profit factor', () => {
      assert.equal(s.totalTrades, 6);
      assert.equal(s.winningTrades, 2);
      assert.equal(s.losingTrades, 4);
      assert.equal(s.breakevenTrades, 0);
      close(s.winRatePct, 100 / 3); // 2 / 6 = 33.33 %
      assert.equal(s.totalPnl, 10); // 100 − 50 + 30 − 20 − 10 − 40
      assert.equal(s.grossProfit, 130); // 100 + 30
      assert.equal(s.grossLoss, -120); // −50 − 20 − 10 − 40
      close(s.profitFactor, 130 / 120); // 1.0833
      close(s.avgPnl, 10 / 6);
    });

    it('average and largest win and loss', () => {
      assert.equal(s.avgWin, 65); // 130 / 2
      assert.equal(s.avgLoss, -30); // −120 / 4
      assert.equal(s.largestWin, 100);
      assert.equal(s.largestLoss, -50);
    });

    it('a losing streak: current −3, longest losing 3, longest winning 1', () => {
      // W L W L L L
      assert.equal(s.currentStreak, -3);
      assert.equal(s.longestLossStreak, 3);
      assert.equal(s.longestWinStreak, 1);
    });

    it('holding time, fees, funding and return on margin', () => {
      // holds: 1 h, 2 h, 0.5 h, 0.5 h, 1 h, 3 h = 8 h → 28,800 s / 6 = 4,800 s = 01:20:00
      assert.equal(s.avgHoldingSeconds, 4800);
      assert.equal(formatDuration(s.avgHoldingSeconds), '01:20:00');
      assert.equal(s.feesPaid, 9); // 6 × 1.5
      assert.equal(s.fundingPaid, 1); // −(0.5 − 1 − 0.5)
      // margins 400: 25, −12.5, 7.5, −5, −2.5, −10 % → 2.5 / 6
      close(s.avgReturnOnMarginPct, 2.5 / 6);
    });

    it('a breakeven trade ends a streak and is neither a win nor a loss', () => {
      const b = tradeStats([trade(10, T0 + H), trade(5, T0 + 2 * H), trade(0, T0 + 3 * H)]);
      assert.equal(b.currentStreak, 0);
      assert.equal(b.longestWinStreak, 2);
      assert.equal(b.breakevenTrades, 1);
      close(b.winRatePct, 200 / 3);
      assert.equal(b.profitFactor, null); // no loss
      assert.equal(tradeStats([trade(10, T0 + H), trade(0, T0 + 2 * H), trade(5, T0 + 3 * H)]).currentStreak, 1);
    });

    it('no trades: zeros and nulls, never NaN', () => {
      const e = tradeStats([]);
      assert.deepEqual(e, {
        totalTrades: 0,
        winningTrades: 0,
        losingTrades: 0,
        breakevenTrades: 0,
        winRatePct: null,
        totalPnl: 0,
        avgPnl: null,
        grossProfit: 0,
        grossLoss: 0,
        profitFactor: null,
        avgWin: null,
        avgLoss: null,
        largestWin: null,
        largestLoss: null,
        currentStreak: 0,
        longestWinStreak: 0,
        longestLossStreak: 0,
        avgHoldingSeconds: null,
        feesPaid: 0,
        fundingPaid: 0,
        avgReturnOnMarginPct: null,
      });
    });

    it('per group: the same statistics over each group', () => {
      const groups = groupStats(
        [trade(10, T0 + H, { symbol: 'A' }), trade(-4, T0 + 2 * H, { symbol: 'B' }), trade(6, T0 + 3 * H, { symbol: 'A' })],
        (t) => t.symbol,
      );
      assert.deepEqual(
        groups.map((g) => [g.key, g.stats.totalTrades, g.stats.totalPnl, g.stats.winRatePct]),
        [
          ['A', 2, 16, 100],
          ['B', 1, -4, 0],
        ],
      );
    });

    it('durations past a day keep counting hours', () => {
      assert.equal(formatDuration(90061), '25:01:01'); // 25 h 1 min 1 s
      assert.equal(formatDuration(null), null);
    });
  });

  describe('equity curve sampling', () => {
    // 10:00 100 (1 position), 10:20 101 (0), 10:40 102 (1); nothing at 11:xx; 12:10 103 (0)
    const samples = [
      { time: T0 + 10 * H + 40 * 60_000, equity: 102, positionCount: 1 },
      { time: T0 + 10 * H, equity: 100, positionCount: 1 },
      { time: T0 + 10 * H + 20 * 60_000, equity: 101, positionCount: 0 },
      { time: T0 + 12 * H + 10 * 60_000, equity: 103, positionCount: 0 },
    ];

    it('bars keep the last equity of each hour and the share of snapshots with positions', () => {
      assert.deepEqual(toBars(samples), [
        { start: T0 + 10 * H, close: 102, exposed: 2 / 3, lastExposed: true, samples: 3 },
        { start: T0 + 12 * H, close: 103, exposed: 0, lastExposed: false, samples: 1 },
      ]);
    });

    it('an hour without a snapshot repeats the last close and position state', () => {
      const bars = fillBars(toBars(samples));
      assert.deepEqual(bars[1], { start: T0 + 11 * H, close: 102, exposed: 1, lastExposed: true, samples: 0 });
      assert.equal(bars.length, 3);
      // exposure: mean(2/3, 1, 0) = 5/9 = 55.56 %
      close(exposurePct({ opening: 100, bars, intervalMs: H }), 500 / 9);
      // filling the bars again changes nothing (SQL hands over bars, not snapshots)
      assert.deepEqual(fillBars(bars), bars);
    });
  });

  describe('drawdown', () => {
    it('with recovery: 110 → 88 is 20 % and lasts until 121 (3 h); the later 121 → 115 is open', () => {
      // opening 100 @ T0−1h, then 110 @ T0, 99, 88, 121, 115
      const c = curve(100, [110, 99, 88, 121, 115]);
      const episodes = drawdowns(c);
      assert.deepEqual(episodes[0], {
        peakAt: T0,
        peakEquity: 110,
        troughAt: T0 + 2 * H,
        troughEquity: 88,
        recoveredAt: T0 + 3 * H,
        amount: 22,
        pct: 20,
        durationMs: 3 * H, // (110 − 88) / 110 = 20 %
      });
      assert.equal(episodes[1]!.recoveredAt, null);
      assert.equal(episodes[1]!.amount, 6); // 121 − 115
      close(episodes[1]!.pct, (6 / 121) * 100); // 4.96 %
      assert.equal(episodes[1]!.durationMs, H); // to the end of the curve
      const max = maxDrawdown(c)!;
      assert.equal(max.amount, 22);
      assert.equal(max.pct, 20);
      assert.equal(max.durationMs, 3 * H);
    });

    it('without recovery: 120 → 90 is 25 % and runs to the end of the curve', () => {
      // opening 100, then 120 @ T0, 90 @ T0+1h, 96 @ T0+2h
      const max = maxDrawdown(curve(100, [120, 90, 96]))!;
      assert.equal(max.amount, 30);
      assert.equal(max.pct, 25); // 30 / 120
      assert.equal(max.durationMs, 2 * H); // T0 → T0 + 2 h, still under 120
      assert.equal(max.episode!.recoveredAt, null);
    });

    it('a fall from the opening counts: 100 → 95 is 5 %', () => {
      assert.equal(maxDrawdown(curve(100, [95]))!.pct, 5);
    });

    it('never falling: 0; no bar: null', () => {
      assert.deepEqual(maxDrawdown(curve(100, [100, 101])), { amount: 0, pct: 0, durationMs: 0, episode: null });
      assert.equal(maxDrawdown(curve(100, [])), null);
    });
  });

  describe('returns, Sharpe and Sortino', () => {
    // opening 100 → 110 → 99 → 108.9: returns +10 %, −10 %, +10 %
    const c = curve(100, [110, 99, 108.9]);
    const r = periodReturns(c);

    it('returns at the fixed sampling, from the opening', () => {
      assert.equal(r.length, 3);
      [0.1, -0.1, 0.1].forEach((x, i) => close(r[i]!, x));
    });

    it('Sharpe: mean / sample sd × √periods', () => {
      // mean = 0.1 / 3 = 0.033333; deviations 0.066667, −0.133333, 0.066667
      // Σ squares = 0.0044444 + 0.0177778 + 0.0044444 = 0.0266667; / (3 − 1) = 0.0133333; sd = 0.1154701
      // per period 0.033333 / 0.1154701 = 0.2886751 (= 1 / (2√3))
      close(sharpeRatio(r, 1), 0.28867513459481287);
      close(sharpeRatio(r, 4), 0.5773502691896257); // × √4
      close(sharpeRatio(r), 0.28867513459481287 * Math.sqrt(8760)); // hourly, 365 days: 27.0185
      close(sharpeRatio(r), 27.018512172212592);
    });

    it('Sortino: mean / downside deviation × √periods, DD = √(Σ min(r, 0)² / n)', () => {
      // Σ min(r, 0)² = 0.01; / 3 = 0.0033333; DD = 0.0577350; 0.033333 / 0.057735 = 0.5773503 (= 1/√3)
      close(sortinoRatio(r, 1), 0.5773502691896257);
      close(sortinoRatio(r), 0.5773502691896257 * Math.sqrt(8760)); // 54.037
    });

    it('degenerate: one return, zero variance, no downside → null', () => {
      assert.equal(sharpeRatio(periodReturns(curve(100, [101]))), null);
      // +1 % every hour: sd is float noise only
      const steady = periodReturns(curve(100, [101, 102.01, 103.0301]));
      assert.equal(sharpeRatio(steady), null);
      assert.equal(sortinoRatio(steady), null);
      assert.equal(sharpeRatio([]), null);
    });
  });

  describe('PnL, annualised return and Calmar', () => {
    it('total and daily PnL by UTC day', () => {
      // opening 1,000; 22:00 1,010, 23:00 1,020 | next day 00:00 1,015, 01:00 1,030
      const c: EquityCurve = {
        opening: 1000,
        intervalMs: H,
        bars: [1010, 1020, 1015, 1030].map((v, i): Bar => ({
          start: T0 + (22 + i) * H,
          close: v,
          exposed: 0,
          lastExposed: false,
          samples: 1,
        })),
      };
      assert.deepEqual(curvePnl(c), { start: 1000, end: 1030, pnl: 30, returnPct: 3 });
      const days = dailyPnl(c);
      assert.deepEqual(
        days.map((d) => [d.date, d.close, d.pnl]),
        [
          ['2025-03-01', 1020, 20],
          ['2025-03-02', 1030, 10],
        ],
      );
      assert.equal(days[0]!.returnPct, 2); // 20 / 1,000
      close(days[1]!.returnPct, (10 / 1020) * 100); // 0.98 %
    });

    it('annualised return compounds over the sampled periods; Calmar divides it by the max drawdown', () => {
      // opening 100 → 88 → 121 over 2 periods, 4 periods a year: 1.21^(4/2) − 1 = 46.41 %
      const c = curve(100, [88, 121]);
      close(annualizedReturnPct(c, 4), 46.41);
      // max drawdown 100 → 88 = 12 %; Calmar = 46.41 / 12 = 3.8675
      assert.equal(maxDrawdown(c)!.pct, 12);
      close(calmarRatio(46.41, 12), 3.8675);
    });

    it('degenerate: no period, a gone account, too large to state, no drawdown', () => {
      assert.equal(annualizedReturnPct(curve(100, [])), null);
      assert.equal(annualizedReturnPct(curve(100, [0])), -100);
      assert.equal(annualizedReturnPct(curve(100, [121, 121])), null); // 1.21^4380: not a finite number
      assert.equal(calmarRatio(10, 0), null);
      assert.equal(calmarRatio(null, 5), null);
      assert.deepEqual(curvePnl(curve(100, [])), { start: 100, end: 100, pnl: 0, returnPct: 0 });
      assert.equal(exposurePct(curve(100, [])), null);
    });
  });
});
