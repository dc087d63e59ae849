import assert from 'node:assert/strict';
import { aggregateBars } from '../../market/bars';
import { REPLAY_BAR_MS, REPLAY_WARMUP_MS, ReplayMarketData, replayWindow } from '../../market/replay';
import { INTERVAL_MS } from '../../market/types';

const SYMBOLS = ['BNBUSDT', 'BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'];
// From data/SOURCE.md: first bar open 2023-07-18 11:15 UTC, last 2023-08-17 11:09 UTC, 14,399 bars.
const FIRST_OPEN = Date.UTC(2023, 6, 18, 11, 15);
const LAST_OPEN = Date.UTC(2023, 7, 17, 11, 9);
const BAR_COUNT = 14_399;
const H4 = INTERVAL_MS['4h'];

/** The close of the replay's n-th bar (1-based), where an arena clock started at its first bar would be after n - 1 bars. */
const barAt = (n: number) => replayWindow().firstMarketTime + (n - 1) * REPLAY_BAR_MS;

describe('ReplayMarketData', () => {
  const source = new ReplayMarketData();

  it('serves the six bundled symbols', () => {
    assert.equal(source.kind, 'replay');
    assert.deepEqual([...source.symbols()], SYMBOLS);
  });

  it('loads every symbol whole, 3m apart', async () => {
    for (const symbol of SYMBOLS) {
      const bars = await source.barsBetween(symbol, 0, Number.MAX_SAFE_INTEGER);
      assert.equal(bars.length, BAR_COUNT, symbol);
      assert.equal(bars[0]!.openTime, FIRST_OPEN);
      assert.equal(bars[bars.length - 1]!.openTime, LAST_OPEN);
      for (let i = 1; i < bars.length; i++) assert.equal(bars[i]!.openTime - bars[i - 1]!.openTime, REPLAY_BAR_MS);
    }
  });

  describe('replay clock', () => {
    it('starts after 12 days of history and ends at the last close', () => {
      const w = replayWindow();
      assert.equal(REPLAY_BAR_MS, 180_000);
      assert.equal(w.firstMarketTime, FIRST_OPEN + REPLAY_WARMUP_MS + REPLAY_BAR_MS);
      assert.equal(w.firstMarketTime, Date.UTC(2023, 6, 30, 11, 18));
      assert.equal(w.firstMarketTime % REPLAY_BAR_MS, 0);
      assert.equal(w.lastMarketTime, LAST_OPEN + REPLAY_BAR_MS);
      assert.equal(w.cycles, (w.lastMarketTime - w.firstMarketTime) / REPLAY_BAR_MS + 1);
      assert.equal(w.cycles, 8_639);
    });

    it('has 12 full days of 3m bars visible at cycle 1', async () => {
      const bars = await source.candles('BTCUSDT', '3m', barAt(1), 100_000);
      assert.equal(bars[0]!.openTime, FIRST_OPEN);
      assert.equal(bars.length, REPLAY_WARMUP_MS / REPLAY_BAR_MS + 1);
      const fourHour = await source.candles('BTCUSDT', '4h', barAt(1), 100);
      assert.ok(fourHour.length >= 72, `only ${fourHour.length} 4h bars`);
    });
  });

  describe('no peeking past asOf', () => {
    const closeOf = (openTime: number) => openTime + REPLAY_BAR_MS;
    const someOpen = FIRST_OPEN + 5_000 * REPLAY_BAR_MS;
    const asOfs = [
      closeOf(FIRST_OPEN), // the first bar just closed
      closeOf(someOpen), // exactly at a bar close
      closeOf(someOpen) - 1, // 1 ms before it
      closeOf(someOpen) + 1,
      closeOf(someOpen) + 90_000, // mid-bar
      Date.UTC(2023, 7, 5, 12, 0), // exactly at a 4h boundary
      Date.UTC(2023, 7, 5, 12, 3), // first 3m bar of a 4h bucket just closed
      barAt(1),
      replayWindow().lastMarketTime,
    ];

    for (const asOf of asOfs) {
      it(`at ${new Date(asOf).toISOString()} (+${asOf % 1000} ms)`, async () => {
        const bars3m = await source.candles('ETHUSDT', '3m', asOf, 100);
        assert.ok(bars3m.length > 0);
        for (const c of bars3m) assert.ok(c.openTime + REPLAY_BAR_MS <= asOf, 'an unclosed 3m bar was returned');
        const lastClosedOpen = Math.floor(asOf / REPLAY_BAR_MS) * REPLAY_BAR_MS - REPLAY_BAR_MS;
        assert.equal(bars3m[bars3m.length - 1]!.openTime, Math.min(lastClosedOpen, LAST_OPEN), 'the last closed bar is missing');

        const bars4h = await source.candles('ETHUSDT', '4h', asOf, 100);
        for (const c of bars4h) assert.ok(c.openTime <= bars3m[bars3m.length - 1]!.openTime);
        for (let i = 1; i < bars4h.length; i++) assert.equal(bars4h[i]!.openTime - bars4h[i - 1]!.openTime, H4);
        // The last 4h bar is exactly the aggregation of the 3m bars closed so far in its bucket.
        const forming = bars4h[bars4h.length - 1]!;
        const wholeBucket = await source.barsBetween('ETHUSDT', forming.openTime, forming.openTime + H4 - REPLAY_BAR_MS);
        const closedInBucket = wholeBucket.filter((c) => c.openTime + REPLAY_BAR_MS <= asOf);
        assert.deepEqual([forming], aggregateBars(closedInBucket, H4));
      });
    }

    it('returns nothing before the first bar closes', async () => {
      assert.deepEqual(await source.candles('BTCUSDT', '3m', FIRST_OPEN + REPLAY_BAR_MS - 1, 10), []);
      assert.deepEqual(await source.candles('BTCUSDT', '4h', FIRST_OPEN, 10), []);
    });
  });

  it('4h bars match aggregating all visible 3m bars, closed buckets whole', async () => {
    const asOf = Date.UTC(2023, 7, 10, 13, 21);
    const bars4h = await source.candles('SOLUSDT', '4h', asOf, 100);
    const visible = await source.candles('SOLUSDT', '3m', asOf, 100_000);
    assert.equal(bars4h.length, 100);
    assert.deepEqual(bars4h, aggregateBars(visible, H4).slice(-100));
    assert.equal(bars4h[bars4h.length - 1]!.openTime, Date.UTC(2023, 7, 10, 12, 0));
    assert.equal(bars4h[bars4h.length - 2]!.openTime, Date.UTC(2023, 7, 10, 8, 0));
  });

  it('respects limit, and hands out candles no caller can change', async () => {
    const asOf = barAt(500);
    const a = await source.candles('XRPUSDT', '3m', asOf, 7);
    assert.equal(a.length, 7);
    assert.deepEqual(await source.candles('XRPUSDT', '3m', asOf, 0), []);
    assert.equal((await source.candles('XRPUSDT', '4h', asOf, 3)).length, 3);
    const close = a[0]!.close;
    assert.throws(() => {
      a[0]!.close = -1;
    }, TypeError);
    a.length = 0;
    assert.equal((await source.candles('XRPUSDT', '3m', asOf, 7))[0]!.close, close);
    await assert.rejects(source.candles('XRPUSDT', '3m', asOf, -1), RangeError);
  });

  it('barsBetween is inclusive on both open times', async () => {
    const from = FIRST_OPEN + 10 * REPLAY_BAR_MS;
    const bars = await source.barsBetween('BNBUSDT', from, from + 4 * REPLAY_BAR_MS);
    assert.deepEqual(
      bars.map((c) => c.openTime),
      [0, 1, 2, 3, 4].map((i) => from + i * REPLAY_BAR_MS),
    );
    assert.deepEqual(await source.barsBetween('BNBUSDT', from + 1, from + REPLAY_BAR_MS - 1), []);
  });

  it('serves funding: (from, to] and the last one known at asOf', async () => {
    const firstFunding = Date.UTC(2023, 6, 18, 16, 0);
    assert.equal(await source.lastFunding('BTCUSDT', firstFunding - 1), null);
    assert.deepEqual(await source.lastFunding('BTCUSDT', firstFunding), { time: firstFunding, rate: 7.477e-5 });
    assert.deepEqual(await source.lastFunding('BTCUSDT', firstFunding + 8 * 3_600_000 - 1), { time: firstFunding, rate: 7.477e-5 });
    const between = await source.fundingBetween('BTCUSDT', firstFunding, firstFunding + 16 * 3_600_000);
    assert.deepEqual(
      between.map((f) => f.time),
      [firstFunding + 8 * 3_600_000, firstFunding + 16 * 3_600_000],
    );
    const all = await source.fundingBetween('DOGEUSDT', 0, Number.MAX_SAFE_INTEGER);
    assert.equal(all.length, 89);
  });

  it('names the symbol and the available ones for an unknown symbol', async () => {
    await assert.rejects(source.candles('FOOUSDT', '3m', barAt(1), 10), (err: Error) => {
      assert.match(err.message, /FOOUSDT/);
      assert.match(err.message, /BTCUSDT/);
      assert.match(err.message, /XRPUSDT/);
      return true;
    });
    await assert.rejects(source.lastFunding('btcusdt', 0), /btcusdt/);
  });
});
