import assert from 'node:assert/strict';
import { aggregateBars } from '../../market/bars';
import { LIVE_SETTLE_MS, liveClock } from '../../market/clock';
import { LIVE_PAGE_LIMIT, LiveMarketData } from '../../market/live';
import { ReplayMarketData, replayWindow } from '../../market/replay';
import { INTERVAL_MS, type Candle, type FundingRate, type Interval } from '../../market/types';
import { VenueRejection, VenueTemporaryError } from '../../venues/errors';
import type { CandleInterval, VenueMarketData } from '../../venues/live-venue';

const M3 = INTERVAL_MS['3m'];
const H4 = INTERVAL_MS['4h'];
const SYMBOL = 'BTCUSDT';

/**
 * A venue whose latest data is the end of the bundled history: its 4h bars are built from all 3m bars, so the
 * bar forming at an earlier endTime already holds later trades, as a real venue's would when asked about the past.
 */
class FakeVenue implements VenueMarketData {
  readonly venue = 'fake';
  readonly calls: { method: string; interval?: CandleInterval; endTime?: number; limit?: number }[] = [];
  fail?: Error;
  /** Open interest now, and the records by time the venue keeps (none: no history). */
  presentOi: number | null = 81_234.5;
  oiRecords: { time: number; value: number }[] = [];
  private readonly series = new Map<string, Candle[]>();

  constructor(
    bars3m: Candle[],
    private readonly funding: FundingRate[],
  ) {
    this.series.set('3m', bars3m);
    this.series.set('4h', aggregateBars(bars3m, H4));
  }

  async candles(_symbol: string, interval: CandleInterval, endTime: number, limit: number): Promise<Candle[]> {
    this.calls.push({ method: 'candles', interval, endTime, limit });
    await new Promise((r) => setTimeout(r, 1));
    if (this.fail) throw this.fail;
    if (limit > LIVE_PAGE_LIMIT) throw new VenueRejection('BAD_LIMIT', `limit ${limit}`);
    return structuredClone(
      this.series
        .get(interval)!
        .filter((c) => c.openTime <= endTime)
        .slice(-limit),
    );
  }

  async price(): Promise<number> {
    throw new Error('not used');
  }

  async fundingHistory(_symbol: string, startTime: number, endTime: number): Promise<FundingRate[]> {
    this.calls.push({ method: 'fundingHistory', endTime });
    if (this.fail) throw this.fail;
    return this.funding.filter((f) => f.time >= startTime && f.time <= endTime).map((f) => ({ ...f }));
  }

  async openInterest(): Promise<number | null> {
    this.calls.push({ method: 'openInterest' });
    await new Promise((r) => setTimeout(r, 1));
    if (this.fail) throw this.fail;
    return this.presentOi;
  }

  async openInterestAt(_symbol: string, time: number): Promise<number | null> {
    this.calls.push({ method: 'openInterestAt', endTime: time });
    if (this.fail) throw this.fail;
    return this.oiRecords.filter((r) => r.time <= time).at(-1)?.value ?? null;
  }

  async fundingIntervalHours(): Promise<number> {
    return 4;
  }
}

describe('LiveMarketData', () => {
  const replay = new ReplayMarketData();
  let bars: Candle[];
  let funding: FundingRate[];
  let venue: FakeVenue;
  let live: LiveMarketData;
  // A 4h bucket well inside the data, after the replay warm-up.
  const bucket = Math.ceil(replayWindow().firstMarketTime / H4) * H4 + 10 * H4;

  before(async () => {
    bars = await replay.barsBetween(SYMBOL, 0, Number.MAX_SAFE_INTEGER);
    funding = await replay.fundingBetween(SYMBOL, 0, Number.MAX_SAFE_INTEGER);
  });

  beforeEach(() => {
    venue = new FakeVenue(bars, funding);
    live = new LiveMarketData({ source: venue, symbols: [SYMBOL] });
  });

  const candleCalls = () => venue.calls.filter((c) => c.method === 'candles');

  it('is a live source of the configured symbols', () => {
    assert.equal(live.kind, 'live');
    assert.deepEqual([...live.symbols()], [SYMBOL]);
  });

  describe('candles', () => {
    const cases: [string, number][] = [
      ['exactly at a 4h boundary', bucket],
      ['one 3m bar into a 4h bar', bucket + M3],
      ['in the middle of a 4h bar, at a 3m boundary', bucket + 2 * 60 * 60_000],
      ['between 3m boundaries', bucket + 2 * 60 * 60_000 + 90_000],
      ['one bar before a 4h boundary', bucket + H4 - M3],
      ['just before a 4h boundary', bucket + H4 - 1],
      ['the replay start', replayWindow().firstMarketTime],
    ];
    for (const [name, asOf] of cases) {
      it(`matches the replay ${name}`, async () => {
        for (const interval of ['3m', '4h'] as Interval[]) {
          for (const limit of [100, 7, 1, 0]) {
            const got = await live.candles(SYMBOL, interval, asOf, limit);
            assert.deepEqual(got, await replay.candles(SYMBOL, interval, asOf, limit), `${interval} x${limit}`);
            // Every case has at least the 12-day replay warm-up (72 4h bars) behind it.
            const least = interval === '3m' ? limit : Math.min(limit, 72);
            assert.ok(got.length >= least && got.length <= limit, `${interval} x${limit}: ${got.length} bars`);
          }
        }
        const bars3m = await live.candles(SYMBOL, '3m', asOf, 100);
        assert.ok(
          bars3m.every((c) => c.openTime + M3 <= asOf),
          'a 3m bar closing after asOf',
        );
        const bars4h = await live.candles(SYMBOL, '4h', asOf, 100);
        assert.ok(
          bars4h.every((c) => c.openTime <= asOf - M3),
          'a 4h bar with no closed 3m bar',
        );
      });
    }

    it("does not take the venue's forming 4h bar, which holds trades after asOf", async () => {
      const asOf = bucket + 2 * 60 * 60_000;
      const venueBar = (await venue.candles(SYMBOL, '4h', asOf, 1))[0]!;
      const liveBar = (await live.candles(SYMBOL, '4h', asOf, 1))[0]!;
      assert.equal(liveBar.openTime, venueBar.openTime);
      assert.notDeepEqual(liveBar, venueBar);
      assert.deepEqual(
        liveBar,
        aggregateBars(
          bars.filter((c) => c.openTime >= bucket && c.openTime + M3 <= asOf),
          H4,
        )[0],
      );
    });

    it('shows nothing past the wall clock when asOf is ahead of it', async () => {
      const now = bucket + 30 * 60_000 + 5_000;
      const early = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => now });
      for (const interval of ['3m', '4h'] as Interval[]) {
        assert.deepEqual(await early.candles(SYMBOL, interval, now + H4, 50), await replay.candles(SYMBOL, interval, now, 50));
      }
    });

    it('rejects a bad limit', async () => {
      await assert.rejects(live.candles(SYMBOL, '3m', bucket, -1), RangeError);
    });
  });

  describe('cache', () => {
    it('collapses concurrent identical calls into one source call', async () => {
      const asOf = bucket + 60 * 60_000;
      const answers = await Promise.all(Array.from({ length: 10 }, () => live.candles(SYMBOL, '3m', asOf, 100)));
      assert.equal(candleCalls().length, 1);
      for (const a of answers) assert.deepEqual(a, answers[0]);
      answers[0]![0]!.close = -1; // callers get copies
      assert.notEqual((await live.candles(SYMBOL, '3m', asOf, 100))[0]!.close, -1);
    });

    it('serves a cycle from one fetch per interval, whatever the limits and the asOf within a bar', async () => {
      const asOf = bucket + 60 * 60_000;
      await Promise.all([
        live.candles(SYMBOL, '3m', asOf, 100),
        live.candles(SYMBOL, '4h', asOf, 100),
        live.candles(SYMBOL, '3m', asOf, 1),
        live.candles(SYMBOL, '4h', asOf + 1000, 10),
      ]);
      assert.deepEqual(
        candleCalls()
          .map((c) => c.interval)
          .sort(),
        ['3m', '4h'],
      );
      await live.candles(SYMBOL, '3m', asOf, 150); // more than fetched: asks again
      assert.equal(candleCalls().length, 3);
      await live.candles(SYMBOL, '3m', asOf + M3, 100); // next bar: new fetch
      assert.equal(candleCalls().length, 4);
    });

    it('refetches after the TTL and after a failure', async () => {
      let now = bucket + H4;
      live = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => now, cacheTtlMs: 10_000 });
      await live.candles(SYMBOL, '3m', bucket, 10);
      now += 9_999;
      await live.candles(SYMBOL, '3m', bucket, 10);
      assert.equal(candleCalls().length, 1);
      now += 1;
      await live.candles(SYMBOL, '3m', bucket, 10);
      assert.equal(candleCalls().length, 2);

      venue.fail = new VenueTemporaryError('down');
      await assert.rejects(live.candles(SYMBOL, '3m', bucket - M3, 10), VenueTemporaryError);
      venue.fail = undefined;
      assert.equal((await live.candles(SYMBOL, '3m', bucket - M3, 10)).length, 10);
    });

    it('stays bounded', async () => {
      await Promise.all(Array.from({ length: 300 }, (_, i) => live.candles(SYMBOL, '3m', bucket + i * M3, 1)));
      assert.equal(candleCalls().length, 300);
      const size = (live as unknown as { cache: Map<string, unknown> }).cache.size;
      assert.ok(size <= 256, `cache size ${size}`);
    });
  });

  describe('barsBetween', () => {
    it('pages across more than one page', async () => {
      const from = bucket - 2500 * M3;
      const to = bucket - M3;
      const got = await live.barsBetween(SYMBOL, from, to);
      assert.equal(got.length, 2500);
      assert.deepEqual(got, await replay.barsBetween(SYMBOL, from, to));
      assert.equal(candleCalls().length, 3);
      assert.ok(candleCalls().every((c) => c.limit! <= LIVE_PAGE_LIMIT && c.interval === '3m'));
    });

    it('handles unaligned bounds, small ranges and the start of the history', async () => {
      for (const [from, to] of [
        [bucket - 1000 * M3 + 1, bucket - 1], // 999 bars, not on boundaries
        [bucket - 2 * M3 + 1, bucket - M3], // one bar, as the paper venue asks between cycles
        [0, bars[1500]!.openTime], // before the first bar
        [bucket, bucket - M3], // empty
      ]) {
        venue.calls.length = 0;
        assert.deepEqual(await live.barsBetween(SYMBOL, from!, to!), await replay.barsBetween(SYMBOL, from!, to!), `${from}..${to}`);
        assert.ok(candleCalls().length <= 2);
      }
    });

    it("serves the settlement's short ask from the snapshot's bars: one request per symbol and bar, whatever the number of agents", async () => {
      await live.candles(SYMBOL, '3m', bucket, 100); // the snapshot's read
      const before = candleCalls().length;
      // Sixty agents settling the bar since their last cycle (the paper venue's ask, unaligned as it sends it).
      const asks = await Promise.all(Array.from({ length: 60 }, () => live.barsBetween(SYMBOL, bucket - 2 * M3 + 1, bucket - M3)));
      assert.equal(candleCalls().length, before, "no request beyond the snapshot's");
      for (const got of asks) assert.deepEqual(got, await replay.barsBetween(SYMBOL, bucket - 2 * M3 + 1, bucket - M3));
      assert.equal(asks[0]!.length, 1);
    });

    it('returns closed bars only', async () => {
      const now = bucket + 10 * M3 + 1;
      live = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => now });
      const got = await live.barsBetween(SYMBOL, bucket, bucket + H4);
      assert.deepEqual(
        got.map((c) => c.openTime),
        Array.from({ length: 10 }, (_, i) => bucket + i * M3),
      );
    });
  });

  describe('funding', () => {
    it('fundingBetween asks the venue once per symbol and bar for the recent ranges every agent asks', async () => {
      const c = funding[12]!;
      const now = c.time + 2 * M3;
      live = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => now });
      venue.calls.length = 0;
      const asks = await Promise.all(Array.from({ length: 60 }, () => live.fundingBetween(SYMBOL, c.time - M3, c.time + M3)));
      assert.equal(venue.calls.filter((x) => x.method === 'fundingHistory').length, 1);
      for (const got of asks) assert.deepEqual(got, [c]);
    });

    it('fundingBetween takes times in (from, to]', async () => {
      const [a, b, c] = funding.slice(10, 13) as [FundingRate, FundingRate, FundingRate];
      assert.deepEqual(await live.fundingBetween(SYMBOL, a.time, c.time), [b, c]);
      assert.deepEqual(await live.fundingBetween(SYMBOL, a.time - 1, c.time - 1), [a, b]);
      assert.deepEqual(await live.fundingBetween(SYMBOL, a.time, a.time), []);
      for (const [from, to] of [
        [a.time, c.time],
        [0, a.time],
        [a.time - 1, b.time + 1],
      ]) {
        assert.deepEqual(await live.fundingBetween(SYMBOL, from!, to!), await replay.fundingBetween(SYMBOL, from!, to!));
      }
    });

    it('lastFunding is the latest settlement at or before asOf', async () => {
      const [a, b] = funding.slice(20, 22) as [FundingRate, FundingRate];
      assert.deepEqual(await live.lastFunding(SYMBOL, b.time), b);
      assert.deepEqual(await live.lastFunding(SYMBOL, b.time - 1), a);
      assert.deepEqual(await live.lastFunding(SYMBOL, funding[0]!.time - 1), null);
      for (const asOf of [bucket, bucket + 12_345]) {
        assert.deepEqual(await live.lastFunding(SYMBOL, asOf), await replay.lastFunding(SYMBOL, asOf));
      }
      await Promise.all([live.lastFunding(SYMBOL, bucket), live.lastFunding(SYMBOL, bucket)]);
      // One request for the bar, shared with the settlement's recent ranges (fundingBetween).
      await live.fundingBetween(SYMBOL, bucket - 8 * 60 * 60_000, bucket);
      assert.equal(venue.calls.filter((c) => c.method === 'fundingHistory' && c.endTime === bucket + M3).length, 1);
    });
  });

  describe('open interest', () => {
    const oiCalls = () => venue.calls.filter((c) => c.method.startsWith('openInterest'));

    it('reads the present figure once per symbol and bar while the bar is the latest, whoever asks', async () => {
      let now = bucket + 2_000;
      live = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => now });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => live.openInterest(SYMBOL, bucket + (i % 2) * 1000)));
      assert.deepEqual(new Set(answers), new Set([81_234.5]));
      now += 60_000;
      assert.equal(await live.openInterest(SYMBOL, bucket), 81_234.5);
      assert.deepEqual(oiCalls(), [{ method: 'openInterest' }]);
      now = bucket + M3 + 2_000; // the next bar: asked again
      venue.presentOi = 81_300;
      assert.equal(await live.openInterest(SYMBOL, bucket + M3), 81_300);
      assert.equal(oiCalls().length, 2);
    });

    it("takes the venue's record at or before asOf for a cycle more than a bar late, null where it keeps none", async () => {
      live = new LiveMarketData({ source: venue, symbols: [SYMBOL], now: () => bucket + 10 * 60_000 });
      assert.equal(await live.openInterest(SYMBOL, bucket), null);
      venue.oiRecords = [
        { time: bucket - 10 * 60_000, value: 80_000 },
        { time: bucket - 5 * 60_000, value: 80_500 },
        { time: bucket + 5 * 60_000, value: 99_999 },
      ];
      assert.equal(await live.openInterest(SYMBOL, bucket - M3), 80_500);
      assert.deepEqual(oiCalls(), [
        { method: 'openInterestAt', endTime: bucket },
        { method: 'openInterestAt', endTime: bucket - M3 },
      ]);
    });

    it("passes the venue's funding interval through", async () => {
      assert.equal(await live.fundingIntervalHours(SYMBOL), 4);
    });
  });

  it('passes source errors through unchanged', async () => {
    for (const err of [new VenueTemporaryError('rate limited', 5000, 429), new VenueRejection('BAD_SYMBOL', 'no such symbol')]) {
      venue.fail = err;
      const same = (e: unknown) => e === err;
      await assert.rejects(live.candles(SYMBOL, '3m', bucket + 7 * M3, 10), same);
      await assert.rejects(live.candles(SYMBOL, '4h', bucket + 9 * M3, 10), same);
      await assert.rejects(live.barsBetween(SYMBOL, bucket - 10 * M3, bucket), same);
      await assert.rejects(live.fundingBetween(SYMBOL, bucket - H4, bucket), same);
      await assert.rejects(live.lastFunding(SYMBOL, bucket + 7 * M3), same);
      await assert.rejects(live.openInterest(SYMBOL, Date.now()), same);
    }
  });
});

describe('liveClock', () => {
  it('is the close of the latest closed 3m bar at the wall clock, and knows when the next one settles', async () => {
    const base = Date.UTC(2024, 0, 1, 12, 0);
    for (const [now, expected] of [
      [base, base],
      [base + 1, base],
      [base + M3 - 1, base],
      [base + M3, base + M3],
      [base + 7 * 60_000 + 30_000, base + 6 * 60_000],
    ]) {
      const reading = await liveClock(() => now!).read();
      assert.equal(reading.marketTime, expected);
      assert.equal(reading.nextBarAt, expected! + M3 + LIVE_SETTLE_MS, 'the next bar is read once it has closed and settled');
      assert.equal(reading.barWallMs, M3);
    }
    const t = (await liveClock().read()).marketTime;
    assert.equal(t % M3, 0);
    assert.ok(t <= Date.now() && Date.now() - t < M3);
  });
});
