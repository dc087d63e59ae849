import assert from 'node:assert/strict';
import { ReplayMarketData, replayWindow } from '../../market/replay';
import { INTERVAL_MS } from '../../market/types';
import { MemoryPaperBooks } from '../../venues/paper/memory-books';
import { PaperVenue } from '../../venues/paper/paper-venue';
import type { PaperBooks } from '../../venues/paper/books';
import { type OrderRequest, type Venue, VenueRejection } from '../../venues/venue';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';

const BAR_MS = INTERVAL_MS['3m'];
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'];
const LEVERAGES = [1, 3, 10, 20, 50, 75, 100, 125, 130];

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { value: unknown } | { rejected: string; message: string };

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await call() };
  } catch (err) {
    if (err instanceof VenueRejection) return { rejected: err.code, message: err.message };
    throw err;
  }
}

interface Call {
  label: string;
  run(venue: Venue): Promise<unknown>;
}

/**
 * The exchange logic is the same code on both books; what this proves is that the books keep and
 * return exactly the same state: every answer (order ids included) and every refusal, call by call.
 */
describe('paper books: Postgres and memory give the same answers', function () {
  this.timeout(180_000);
  let database: MigratedTestDatabase;
  before(async () => {
    database = await createMigratedTestDatabase(2);
  });
  after(async () => database.close());

  it('over a random sequence of orders, triggers, liquidations and funding on the bundled bars', async () => {
    const market = new ReplayMarketData();
    const books: Record<'postgres' | 'memory', PaperBooks> = {
      postgres: PaperVenue.postgresBooks(database.db),
      memory: new MemoryPaperBooks(),
    };
    const venueAt = (which: keyof typeof books, asOf: number) =>
      new PaperVenue({
        books: books[which],
        market,
        account: 'parity',
        initialBalance: 10_000,
        takerFeeRate: 0.0005,
        slippageRate: 0.0002,
        asOf,
      });
    const rand = random(20230718);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const ids: string[] = [];
    let asOf = replayWindow().firstMarketTime;

    const markOf = async (symbol: string) => (await market.candles(symbol, '3m', asOf, 1))[0]!.close;
    async function randomCall(step: number): Promise<Call> {
      const symbol = pick(SYMBOLS);
      const id = rand() < 0.05 && ids.length > 0 ? pick(ids) : `c${step}`; // now and then a used id
      const side = pick(['BUY', 'SELL'] as const);
      const kind = rand();
      if (kind < 0.3) {
        const notional = 20 + rand() * 4_000;
        const reduce = rand() < 0.2;
        const request: OrderRequest = {
          clientOrderId: id,
          symbol,
          side,
          type: 'MARKET',
          quantity: String(notional / (await markOf(symbol))),
          ...(reduce && (rand() < 0.5 ? { reduceOnly: true } : { closePosition: true, quantity: undefined })),
        };
        ids.push(id);
        return { label: `market ${JSON.stringify(request)}`, run: (v) => v.placeOrder(request) };
      }
      if (kind < 0.45) {
        const type = pick(['STOP_MARKET', 'TAKE_PROFIT_MARKET'] as const);
        const distance = 1 + (rand() < 0.5 ? -1 : 1) * rand() * 0.03;
        const request: OrderRequest = {
          clientOrderId: id,
          symbol,
          side,
          type,
          stopPrice: String((await markOf(symbol)) * distance),
          ...(rand() < 0.7 ? { closePosition: true } : { reduceOnly: true, quantity: String(rand() * 2) }),
        };
        ids.push(id);
        return { label: `conditional ${JSON.stringify(request)}`, run: (v) => v.placeOrder(request) };
      }
      if (kind < 0.55) {
        const leverage = pick(LEVERAGES);
        return { label: `leverage ${symbol} ${leverage}`, run: (v) => v.setLeverage(symbol, leverage) };
      }
      if (kind < 0.6 && ids.length > 0) {
        const target = pick(ids);
        return { label: `cancel ${target}`, run: (v) => v.cancelOrder(symbol, target) };
      }
      if (kind < 0.65 && ids.length > 0) {
        const target = pick(ids);
        return { label: `get ${target}`, run: (v) => v.getOrder(symbol, target) };
      }
      const since = asOf - Math.floor(rand() * 3_000) * BAR_MS;
      const only = rand() < 0.5 ? symbol : undefined;
      return pick<Call>([
        { label: 'balance', run: (v) => v.balance() },
        { label: 'positions', run: (v) => v.positions() },
        { label: `open orders ${only ?? ''}`, run: (v) => v.openOrders(only) },
        { label: `fills since ${since}`, run: (v) => v.filledOrders(since, SYMBOLS) },
        { label: `income since ${since}`, run: (v) => v.income(since) },
      ]);
    }

    const seen = new Map<string, number>();
    for (let step = 0; step < 400; step++) {
      asOf += BAR_MS * Math.floor(rand() * 25);
      const call = await randomCall(step);
      const expected = await outcome(() => call.run(venueAt('postgres', asOf)));
      const actual = await outcome(() => call.run(venueAt('memory', asOf)));
      assert.deepEqual(actual, expected, `step ${step}: ${call.label}`);
      const kind = 'rejected' in expected ? `rejected ${expected.rejected}` : call.label.split(' ')[0]!;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }

    const finalState = async (which: keyof typeof books) => {
      const venue = venueAt(which, asOf);
      return {
        balance: await venue.balance(),
        positions: await venue.positions(),
        open: await venue.openOrders(),
        fills: await venue.filledOrders(0, SYMBOLS),
        income: await venue.income(0),
      };
    };
    const final = await finalState('postgres');
    assert.deepEqual(await finalState('memory'), final);

    // The sequence went through what it is meant to compare.
    const types = new Set(final.income.map((i) => i.type));
    for (const type of ['REALIZED_PNL', 'COMMISSION', 'FUNDING_FEE', 'INSURANCE_CLEAR'])
      assert.ok(types.has(type as never), `no ${type} income`);
    const fillTypes = new Set(final.fills.map((o) => o.type));
    for (const type of ['MARKET', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'LIQUIDATION'])
      assert.ok(fillTypes.has(type as never), `no ${type} fill`);
    for (const code of ['INSUFFICIENT_MARGIN', 'REDUCE_ONLY_REJECTED', 'DUPLICATE_CLIENT_ORDER_ID']) {
      assert.ok(seen.has(`rejected ${code}`), `no ${code} refusal in ${JSON.stringify([...seen])}`);
    }
  });
});
