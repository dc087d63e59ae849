/**
 * Property test of the paper venue's money: random paths of bars (gaps through stops and liquidation
 * prices included), random funding, random isolated positions with and without stop-loss and
 * take-profit. The books are memory books: the arithmetic is the same as on Postgres (paper-books.test.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Candle, FundingRate } from '../../market/types';
import { MemoryPaperBooks } from '../../venues/paper/memory-books';
import { PaperVenue } from '../../venues/paper/paper-venue';
import { PAPER_SYMBOL_RULES } from '../../venues/paper/symbol-table';
import { maxNotionalAt } from '../../venues/symbol-rules';
import { VenueRejection } from '../../venues/venue';
import { BAR_MS, FixtureMarket } from '../fixtures/fixture-market';

const T0 = Date.UTC(2023, 7, 1, 4); // four hours before a funding mark
const HOUR = 3_600_000;
const INITIAL = 10_000;
const FEE = 0.0005;
const SLIP = 0.0002;
const START: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000, DOGEUSDT: 0.08 };
const TOLERANCE = 1e-6;

interface Move {
  gap: number;
  body: number;
  up: number;
  down: number;
}
interface Trade {
  wait: number;
  side: 'BUY' | 'SELL';
  leverage: number;
  size: number;
  stop: number | null;
  target: number | null;
  closeAfter: number | null;
}

/** Mostly calm bars, some violent ones, some that open far from the last close. */
const move: fc.Arbitrary<Move> = fc.record({
  gap: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.double({ min: -0.08, max: 0.08, noNaN: true }), weight: 1 }),
  body: fc.oneof(
    { arbitrary: fc.double({ min: -0.004, max: 0.004, noNaN: true }), weight: 5 },
    { arbitrary: fc.double({ min: -0.05, max: 0.05, noNaN: true }), weight: 1 },
  ),
  up: fc.double({ min: 0, max: 0.01, noNaN: true }),
  down: fc.double({ min: 0, max: 0.01, noNaN: true }),
});

/** Opened `wait` bars after the last position closed (or after the start). */
const trade: fc.Arbitrary<Trade> = fc.record({
  wait: fc.integer({ min: 1, max: 20 }),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  leverage: fc.oneof(
    { arbitrary: fc.constantFrom(1, 2, 5, 10, 20), weight: 1 },
    { arbitrary: fc.constantFrom(50, 75, 100, 125), weight: 2 },
  ),
  size: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  stop: fc.option(fc.double({ min: 0.001, max: 0.05, noNaN: true }), { nil: null }),
  target: fc.option(fc.double({ min: 0.001, max: 0.05, noNaN: true }), { nil: null }),
  closeAfter: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null, freq: 2 }),
});

const scenario = fc.record({
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'DOGEUSDT'),
  moves: fc.array(move, { minLength: 20, maxLength: 200 }),
  // Hourly settlements (more than real life, to have them on short paths), a few ms late now and then.
  funding: fc.array(fc.record({ rate: fc.double({ min: -0.003, max: 0.003, noNaN: true }), late: fc.nat({ max: 5 }) }), {
    minLength: 10,
    maxLength: 10,
  }),
  trades: fc.array(trade, { minLength: 1, maxLength: 8 }),
});

function barsOf(start: number, moves: readonly Move[]): Candle[] {
  let last = start;
  return moves.map((m, i) => {
    const open = last * (1 + m.gap);
    const close = open * (1 + m.body);
    last = close;
    return {
      openTime: T0 + i * BAR_MS,
      open,
      close,
      volume: 1,
      high: Math.max(open, close) * (1 + m.up),
      low: Math.min(open, close) * (1 - m.down),
    };
  });
}

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('paper venue: property', function () {
  this.timeout(120_000);

  it('no isolated position loses more than its margin plus fees, and equity is always wallet balance + unrealised PnL', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ symbol, moves, funding, trades }) => {
        const bars = barsOf(START[symbol]!, moves);
        const rates: FundingRate[] = funding.map((f, k) => ({ time: T0 + (k + 1) * HOUR + f.late, rate: f.rate }));
        const market = new FixtureMarket({ [symbol]: bars }, { [symbol]: rates });
        const books = new MemoryPaperBooks();
        const at = (closed: number) =>
          new PaperVenue({
            books,
            market,
            account: 'prop',
            initialBalance: INITIAL,
            takerFeeRate: FEE,
            slippageRate: SLIP,
            asOf: T0 + closed * BAR_MS,
          });
        const rules = PAPER_SYMBOL_RULES[symbol]!;
        let open: { walletBefore: number; margin: number; incomeBefore: number; closeAt: number | null } | null = null;
        let ids = 0;
        let next = 0;
        let openAt = trades[0]!.wait;

        for (let closed = 1; closed <= bars.length; closed++) {
          const venue = at(closed);
          const income = await venue.income(0);
          const wallet = INITIAL + income.reduce((sum, i) => sum + i.amount, 0);
          const [position] = await venue.positions();
          const balance = await venue.balance();

          // Equity = wallet balance + unrealised PnL, the wallet being everything the income says.
          near(balance.availableBalance + balance.marginUsed, wallet, 'wallet balance from the income');
          const unrealized = position
            ? position.quantity * (position.markPrice - position.entryPrice) * (position.side === 'long' ? 1 : -1)
            : 0;
          near(balance.unrealizedPnl, unrealized, 'unrealised PnL');
          near(balance.equity, wallet + unrealized, 'equity');

          if (open && !position) {
            const fees = -income
              .slice(open.incomeBefore)
              .filter((i) => i.type === 'COMMISSION')
              .reduce((sum, i) => sum + i.amount, 0);
            const loss = open.walletBefore - wallet;
            assert.ok(loss <= open.margin + fees + TOLERANCE * open.walletBefore, `lost ${loss}: margin ${open.margin} + fees ${fees}`);
            open = null;
            openAt = closed + (trades[next]?.wait ?? 0);
          }
          if (open && position && open.closeAt === closed) {
            await venue.placeOrder({
              clientOrderId: `c${ids++}`,
              symbol,
              side: position.side === 'long' ? 'SELL' : 'BUY',
              type: 'MARKET',
              closePosition: true,
            });
            continue;
          }
          const t = trades[next];
          if (position || !t || closed < openAt || closed >= bars.length) continue;
          next++;

          const mark = bars[closed - 1]!.close;
          const leverage = Math.min(t.leverage, rules.maxLeverage);
          const notional = Math.min(wallet * leverage * 0.9, maxNotionalAt(rules.marginBrackets!, leverage)) * t.size;
          try {
            await venue.setLeverage(symbol, leverage);
            await venue.placeOrder({ clientOrderId: `c${ids++}`, symbol, side: t.side, type: 'MARKET', quantity: String(notional / mark) });
          } catch (err) {
            if (err instanceof VenueRejection) continue; // below the minimums: nothing opened
            throw err;
          }
          const [opened] = await venue.positions();
          open = {
            walletBefore: wallet,
            margin: opened!.margin,
            incomeBefore: income.length,
            closeAt: t.closeAfter === null ? null : closed + t.closeAfter,
          };
          const exit = t.side === 'BUY' ? 'SELL' : 'BUY';
          const protect = async (type: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET', distance: number | null) => {
            if (distance === null) return;
            const below = (type === 'STOP_MARKET') === (t.side === 'BUY');
            const stopPrice = String(mark * (below ? 1 - distance : 1 + distance));
            await venue
              .placeOrder({ clientOrderId: `c${ids++}`, symbol, side: exit, type, stopPrice, closePosition: true })
              .catch((err: unknown) => {
                if (!(err instanceof VenueRejection)) throw err;
              });
          };
          await protect('STOP_MARKET', t.stop);
          await protect('TAKE_PROFIT_MARKET', t.target);
        }
      }),
      { numRuns: 500 },
    );
  });
});
