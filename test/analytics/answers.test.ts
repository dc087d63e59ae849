/** The answers' rules on hand-made curves: when a ratio is stated, and what open trades have cost. */
import assert from 'node:assert/strict';
import { performanceOf, type Performance } from '../../analytics/answers';
import { HOUR_MS, openTradeStats, type ClosedTrade, type EquityCurve, type OpenTrade } from '../../analytics/metrics';
import { marketTime } from '../../analytics/sample-rules';

const H = HOUR_MS;
const T0 = Date.UTC(2025, 2, 1, 0, 0);
const close = (actual: number | null, expected: number, eps = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
const agent = { id: 'a', name: 'A', provider: 'rule_based', model: 'm', initial_balance: 100 };

/**
 * The performance of an agent whose equity, from an opening of 100, moves by `returns` (one per
 * hour): a snapshot at the start of every hour from T0, so its market time is (n − 1) hours.
 */
function over(returns: number[], trades: { closed?: ClosedTrade[]; open?: OpenTrade[] } = {}): Performance {
  let equity = 100;
  const curve: EquityCurve = {
    opening: 100,
    intervalMs: H,
    bars: returns.map((r, i) => ({ start: T0 + i * H, close: (equity *= 1 + r), exposed: 1, lastExposed: true, samples: 1 })),
  };
  return performanceOf(
    agent,
    {},
    {
      curve,
      window: { first: T0, last: T0 + (returns.length - 1) * H },
      closed: trades.closed ?? [],
      open: trades.open ?? [],
      llmCost: 0,
      vsRandom: null,
    },
  );
}

/** n returns alternating +2 %, −1 %. */
const zigzag = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0.02 : -0.01));

function trades(wins: number, losses: number): ClosedTrade[] {
  return [...Array(wins).fill(10), ...Array(losses).fill(-5)].map((pnl, i) => ({
    symbol: 'BTCUSDT',
    side: 'long',
    pnl,
    margin: 100,
    fees: 0.1,
    funding: 0,
    openedAt: T0 + i * H,
    closedAt: T0 + i * H + 1,
    closeReason: 'signal',
  }));
}

describe('the minimum-sample rule for ratios', () => {
  describe('Sharpe and Sortino: 7 days of market time and 30 hours in which equity moved', () => {
    it('below: 168 hourly returns cover 167 h (6.9 days), so neither ratio is stated, and the note says why', () => {
      const p = over(zigzag(168));
      const sample = { market_hours: 167, returns: 168, active_returns: 168, closed_trades: 0 };
      assert.deepEqual(p.sample, sample);
      assert.equal(p.sharpe_ratio, null);
      assert.deepEqual(p.sharpe_ratio_note, { reason: 'needs at least 7 days of market time (has 6.9 days)', sample });
      assert.equal(p.sortino_ratio, null);
      assert.deepEqual(p.sortino_ratio_note, p.sharpe_ratio_note);
    });

    it('at it: exactly 7 days is enough; over 169 h both ratios are stated, by hand', () => {
      assert.notEqual(over(zigzag(169)).sharpe_ratio, null); // 169 returns: 168 h
      const p = over(zigzag(170));
      assert.equal(p.sample.market_hours, 169);
      // 85 × (+2 %, −1 %): mean 0.005, deviations ±0.015, sample sd = 0.015 × √(170 / 169)
      // Sharpe = 0.005 / (0.015 √(170/169)) × √8760 = (1/3) × √(169 × 8760 / 170) = 31.1064
      close(p.sharpe_ratio, (1 / 3) * Math.sqrt((169 * 8760) / 170));
      close(p.sharpe_ratio, 31.10639553431504);
      // downside deviation √(85 × 0.01² / 170) = √0.00005; 0.005 / √0.00005 = 1/√2; × √8760 = √4380 = 66.1816
      close(p.sortino_ratio, Math.sqrt(4380));
      assert.equal(p.sharpe_ratio_note, null);
      assert.equal(p.sortino_ratio_note, null);
    });

    it('a long window in which equity moved in 29 hours states nothing; 30 hours are enough', () => {
      // 200 returns (199 h): 29 moves then 171 flat hours
      const moves = (n: number) => [...zigzag(n), ...Array(200 - n).fill(0)];
      const few = over(moves(29));
      assert.equal(few.sharpe_ratio, null);
      assert.equal(few.sharpe_ratio_note!.reason, 'needs at least 30 hours in which equity moved (has 29)');
      // 15 × (+2 %, −1 %) and 170 zeros: Σr = 0.15, mean = 0.00075; Σ(r − mean)² = Σr² − n·mean² = 0.0075 − 200 × 0.00075² = 0.0073875
      // Sharpe = 0.00075 / √(0.0073875 / 199) × √8760 = 11.5210
      const enough = over(moves(30));
      close(enough.sharpe_ratio, (0.00075 / Math.sqrt(0.0073875 / 199)) * Math.sqrt(8760), 1e-6);
      close(enough.sharpe_ratio, 11.521024700619485, 1e-6);
    });

    it('both minimums short: both named, with what the sample has (the 5-hour case of the issue)', () => {
      const p = over([0.001, -0.002, 0.003, 0, -0.001, 0]);
      assert.deepEqual(p.sharpe_ratio_note, {
        reason: 'needs at least 7 days of market time (has 5 h) and at least 30 hours in which equity moved (has 4)',
        sample: { market_hours: 5, returns: 6, active_returns: 4, closed_trades: 0 },
      });
    });

    it('above the minimums, a ratio the formula cannot define is null with its own reason', () => {
      // +1 % every hour for 200 hours: no spread (float noise only), no negative hour
      const steady = over(Array(200).fill(0.01));
      assert.deepEqual([steady.sharpe_ratio, steady.sharpe_ratio_note!.reason], [null, 'undefined: the hourly returns do not vary']);
      assert.deepEqual([steady.sortino_ratio, steady.sortino_ratio_note!.reason], [null, 'undefined: no hourly return is negative']);
    });
  });

  describe('annualised return and Calmar: 365 days of market time', () => {
    // 100 → 88 in the first hour (a 12 % drawdown), flat, then 121 in the last hour.
    const yearLong = (n: number) => [-0.12, ...Array(n - 2).fill(0), 121 / 88 - 1];

    it('below: 8,760 returns cover 8,759 h (364.9 days): not annualised', () => {
      const p = over(yearLong(8760));
      assert.equal(p.annualized_return_pct, null);
      assert.equal(p.annualized_return_pct_note!.reason, 'needs at least 365 days of market time (has 364.9 days)');
      assert.equal(p.calmar_ratio, null);
      assert.deepEqual(p.calmar_ratio_note, p.annualized_return_pct_note);
      assert.equal(p.return_pct, 21); // the return itself is a fact, always stated
    });

    it('at it: 8,761 returns cover 8,760 h; compounded over the 8,761 periods, by hand', () => {
      const p = over(yearLong(8761));
      // (121 / 100)^(8760 / 8761) − 1 = 20.9974 %
      close(p.annualized_return_pct, (1.21 ** (8760 / 8761) - 1) * 100);
      close(p.annualized_return_pct, 20.99736733105906, 1e-6);
      // Calmar = 20.9974 / 12 (100 → 88) = 1.7498
      assert.equal(p.max_drawdown_pct, 12);
      close(p.calmar_ratio, 20.99736733105906 / 12, 1e-6);
      // A year in which equity moved twice supports no Sharpe.
      assert.equal(p.sharpe_ratio_note!.reason, 'needs at least 30 hours in which equity moved (has 2)');
    });
  });

  describe('profit factor: 30 closed trades', () => {
    it('29 trades: not stated; 30: gross profit / gross loss, by hand; 30 without a loss: undefined', () => {
      const few = over([0], { closed: trades(19, 10) });
      assert.equal(few.profit_factor, null);
      assert.equal(few.profit_factor_note!.reason, 'needs at least 30 closed trades (has 29)');
      const enough = over([0], { closed: trades(20, 10) });
      assert.equal(enough.profit_factor, 4); // 20 × 10 / (10 × 5)
      assert.equal(enough.profit_factor_note, null);
      assert.equal(over([0], { closed: trades(30, 0) }).profit_factor_note!.reason, 'undefined: no losing trade');
    });
  });

  it('market time in the notes: hours under two days, else days, cut (never rounded up to a minimum)', () => {
    assert.equal(marketTime(0), '0 h');
    assert.equal(marketTime(5), '5 h');
    assert.equal(marketTime(4.95), '4.9 h');
    assert.equal(marketTime(26.5), '26.5 h');
    assert.equal(marketTime(167.95), '6.9 days');
    assert.equal(marketTime(168), '7 days');
    assert.equal(marketTime(8760), '365 days');
  });
});

describe('open trades in the costs', () => {
  const open = (fees: number, funding: number | null): OpenTrade => ({
    symbol: 'BTCUSDT',
    side: 'long',
    margin: 400,
    fees,
    funding,
    openedAt: T0,
  });

  it('their opening fees and the funding settled while open count; open and closed are counted apart', () => {
    // 2 + 1.05 = 3.05 in fees; funding −0.5 and +0.2 received → −(−0.3) = 0.3 paid
    assert.deepEqual(openTradeStats([open(2, -0.5), open(1.05, 0.2)]), { openTrades: 2, feesPaid: 3.05, fundingPaid: 0.3 });
    assert.deepEqual(openTradeStats([]), { openTrades: 0, feesPaid: 0, fundingPaid: 0 });
    // A closed trade with 4.1 fees and an open one with 2.05 so far: 6.15 paid, 1 closed and 1 open.
    const p = over([0], { closed: [{ ...trades(1, 0)[0]!, fees: 4.1 }], open: [open(2.05, -0.25)] });
    assert.deepEqual(
      [p.total_trades, p.open_trades, p.fees_paid, p.open_fees_paid, p.funding_paid, p.open_funding_paid],
      [1, 1, 6.15, 2.05, 0.25, 0.25],
    );
  });

  it('funding the venue reports only at the close: null with why, and the total counts what is known', () => {
    assert.equal(openTradeStats([open(2, -0.5), open(1, null)]).fundingPaid, null);
    const p = over([0], { open: [open(2, null)] });
    assert.deepEqual([p.open_funding_paid, p.funding_paid, p.fees_paid], [null, 0, 2]);
    assert.equal(p.open_funding_paid_note!.reason, 'unknown while open: the venue reports funding when the trade closes');
  });
});
