import assert from 'node:assert/strict';
import { buildPrompt } from '../../decisions/prompt/build-prompt';
import type { DecisionInput } from '../../decisions/types';
import { LiveMarketData } from '../../market/live';
import { MarketSnapshots } from '../../market/snapshot-cache';
import { fetchSymbolSnapshot, type SymbolSnapshot } from '../../market/snapshot';
import { createAsterMarketData } from '../../venues/aster';
import { createBinanceMarketData } from '../../venues/binance';
import { createHyperliquidMarketData } from '../../venues/hyperliquid';
import type { VenueMarketData } from '../../venues/live-venue';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';
import { startAsterMock, startBinanceMock } from '../support/mock-venues/binance-family';
import { DEMO_CREDENTIALS } from '../support/mock-venues/demo-credentials';
import { startHyperliquidMock } from '../support/mock-venues/hyperliquid';
import type { MockRequestLog, MockVenueServer } from '../support/mock-venues/mock-venue';

const M3 = 3 * 60_000;
/** A bar close, as the live clock gives it; the venues' clocks and ours are faked to a few seconds after. */
const T0 = Date.UTC(2026, 0, 5, 12, 0);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'];
const PRICES = { BTCUSDT: 60_000, ETHUSDT: 3_000, DOGEUSDT: 0.15 };
const OPEN_INTEREST = { BTCUSDT: 81_234.5, ETHUSDT: 1_204_000, DOGEUSDT: 3_300_000_000 };

interface Venue {
  mock: MockVenueServer;
  data: VenueMarketData;
  /** The mock's clock and ours. */
  clock: { now: number };
  /** The requests that asked for open interest. */
  oiRequests(): MockRequestLog[];
}

async function binanceVenue(): Promise<Venue> {
  const clock = { now: T0 + 2_000 };
  const mock = await startBinanceMock({
    accounts: [{ ...DEMO_CREDENTIALS.binance }],
    prices: PRICES,
    now: () => clock.now,
    openInterest: OPEN_INTEREST,
    fundingIntervals: { DOGEUSDT: 4 },
    openInterestHistory: { BTCUSDT: [-10, -5, 0, 5].map((m) => ({ time: T0 + m * 60_000, openInterest: 80_000 + m * 100 })) },
  });
  return {
    mock,
    data: createBinanceMarketData(mock.url),
    clock,
    oiRequests: () => mock.requests.filter((r) => r.path === '/fapi/v1/openInterest' || r.path === '/futures/data/openInterestHist'),
  };
}

async function hyperliquidVenue(): Promise<Venue> {
  const clock = { now: T0 + 2_000 };
  const mock = await startHyperliquidMock({
    accounts: [{ user: DEMO_CREDENTIALS.hyperliquid.user }],
    prices: PRICES,
    now: () => clock.now,
    openInterest: OPEN_INTEREST,
  });
  return {
    mock,
    data: createHyperliquidMarketData(mock.url, true),
    clock,
    oiRequests: () => mock.requests.filter((r) => r.params.type === 'metaAndAssetCtxs'),
  };
}

function liveOn(venue: Venue): LiveMarketData {
  return new LiveMarketData({ source: venue.data, symbols: SYMBOLS, now: () => venue.clock.now });
}

function promptUser(market: SymbolSnapshot[]): string {
  const input: DecisionInput = {
    agentId: 'a',
    cycleNo: 1,
    marketTime: T0,
    account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
    positions: [],
    market,
    risk: { ...SEED_RISK_LIMITS },
    tradingStyle: 'balanced',
  };
  return buildPrompt(input, {}).user;
}

const marketHeader = (user: string) => user.split('\n').find((l) => l.startsWith('symbol|price|'))!;
const row = (user: string, symbol: string) => user.split('\n').find((l) => l.startsWith(`${symbol}|`) && l.split('|').length > 12)!;

/**
 * `agents` agents of one worker at two consecutive bars, as the cycle reads the market (one MarketSnapshots
 * per worker), plus a late reader at each bar: the open interest requests the venue saw.
 */
async function oiRequestsForAgents(start: () => Promise<Venue>, agents: number): Promise<number> {
  const venue = await start();
  try {
    const snapshots = new MarketSnapshots(liveOn(venue));
    for (const bar of [T0, T0 + M3]) {
      venue.clock.now = bar + 2_000;
      await Promise.all(Array.from({ length: agents }, () => snapshots.at(SYMBOLS, bar)));
      venue.clock.now = bar + 90_000;
      await snapshots.at(SYMBOLS, bar);
    }
    return venue.oiRequests().length;
  } finally {
    await venue.mock.close();
  }
}

describe('open interest and funding intervals from the venues, through the live market data (mock servers)', function () {
  this.timeout(20_000);

  describe('Binance', () => {
    let venue: Venue;
    beforeEach(async () => {
      venue = await binanceVenue();
    });
    afterEach(() => venue.mock.close());

    it("puts GET /fapi/v1/openInterest and fundingInfo's intervals into the snapshots (8h for symbols it does not list)", async () => {
      const { snapshot } = await new MarketSnapshots(liveOn(venue)).at(SYMBOLS, T0);
      assert.deepEqual(
        snapshot.map((s) => [s.symbol, s.openInterest, s.fundingIntervalHours]),
        [
          ['BTCUSDT', 81_234.5, 8],
          ['ETHUSDT', 1_204_000, 8],
          ['DOGEUSDT', 3_300_000_000, 4],
        ],
      );
      assert.equal(venue.mock.requests.filter((r) => r.path === '/fapi/v1/fundingInfo').length, 1, 'one fundingInfo for every symbol');

      const user = promptUser(snapshot);
      assert.ok(user.includes('funding % per settlement/its interval; oi, vol3m in base units'));
      assert.match(marketHeader(user), /\|funding\|oi\|vol3m$/);
      assert.match(row(user, 'BTCUSDT'), /\|flat\|-\|81\.2K\|1K$/);
      assert.match(row(user, 'DOGEUSDT'), /\|3\.3B\|1K$/);
    });

    it('takes the 5-minute statistics at or before the bar for a cycle more than a bar late', async () => {
      const live = liveOn(venue);
      venue.clock.now = T0 + 10 * 60_000;
      assert.equal(await live.openInterest('BTCUSDT', T0 - M3), 79_500);
      assert.equal(await live.openInterest('BTCUSDT', T0), 80_000);
      const asked = venue.oiRequests().map((r) => [r.path, r.params.period, Number(r.params.endTime)]);
      assert.deepEqual(asked, [
        ['/futures/data/openInterestHist', '5m', T0 - M3],
        ['/futures/data/openInterestHist', '5m', T0],
      ]);
      assert.equal(await live.openInterest('ETHUSDT', T0), null, 'no statistics kept for it');
    });

    it('asks once per symbol and bar, whoever reads the bar and however late within it', async () => {
      const live = liveOn(venue);
      await Promise.all(SYMBOLS.flatMap((s) => [T0, T0 + 1_000, T0 + 2_000].map((asOf) => fetchSymbolSnapshot(live, s, asOf))));
      venue.clock.now = T0 + M3 - 1;
      await Promise.all(SYMBOLS.map((s) => fetchSymbolSnapshot(live, s, T0)));
      assert.deepEqual(
        venue
          .oiRequests()
          .map((r) => r.params.symbol)
          .sort(),
        [...SYMBOLS].sort(),
      );
    });

    it('sends no more open interest requests for twelve agents than for one', async () => {
      const one = await oiRequestsForAgents(binanceVenue, 1);
      assert.equal(one, SYMBOLS.length * 2, 'one per symbol and bar');
      assert.equal(await oiRequestsForAgents(binanceVenue, 12), one);
    });
  });

  describe('Hyperliquid', () => {
    let venue: Venue;
    beforeEach(async () => {
      venue = await hyperliquidVenue();
    });
    afterEach(() => venue.mock.close());

    it("reads every symbol's open interest from one metaAndAssetCtxs, and says funding is hourly", async () => {
      const { snapshot } = await new MarketSnapshots(liveOn(venue)).at(SYMBOLS, T0);
      assert.deepEqual(
        snapshot.map((s) => [s.symbol, s.openInterest, s.fundingIntervalHours]),
        [
          ['BTCUSDT', 81_234.5, 1],
          ['ETHUSDT', 1_204_000, 1],
          ['DOGEUSDT', 3_300_000_000, 1],
        ],
      );
      assert.equal(venue.oiRequests().length, 1);
      const user = promptUser(snapshot);
      assert.ok(user.includes('funding % per 1h; oi, vol3m in base units'));
      assert.match(row(user, 'ETHUSDT'), /\|1\.2M\|[^|]+$/);
    });

    it('has no open interest for a cycle more than a bar late (the venue keeps no history)', async () => {
      venue.clock.now = T0 + 10 * 60_000;
      assert.equal(await liveOn(venue).openInterest('BTCUSDT', T0), null);
      assert.equal(venue.oiRequests().length, 0);
    });

    it('sends no more open interest requests for twelve agents than for one', async () => {
      const one = await oiRequestsForAgents(hyperliquidVenue, 1);
      assert.ok(one >= 1 && one <= 2, `${one} requests for two bars`);
      assert.equal(await oiRequestsForAgents(hyperliquidVenue, 12), one);
    });
  });

  describe('the mock servers answer in the documented shapes', () => {
    const get = async (url: string) => {
      const res = await fetch(url);
      return { status: res.status, body: (await res.json()) as any };
    };

    it('Binance: openInterestHist and fundingInfo', async () => {
      const venue = await binanceVenue();
      try {
        const hist = await get(`${venue.mock.url}/futures/data/openInterestHist?symbol=BTCUSDT&period=5m&limit=2`);
        assert.deepEqual(
          hist.body.map((r: object) => Object.keys(r)),
          Array(2).fill(['symbol', 'sumOpenInterest', 'sumOpenInterestValue', 'CMCCirculatingSupply', 'timestamp']),
        );
        assert.deepEqual(
          hist.body.map((r: { timestamp: string }) => r.timestamp),
          [String(T0 - 5 * 60_000), String(T0)],
          'the latest, none after now',
        );
        assert.equal(hist.body[1].sumOpenInterest, '80000.00000000');
        const hourly = await get(`${venue.mock.url}/futures/data/openInterestHist?symbol=BTCUSDT&period=1h`);
        assert.deepEqual(
          hourly.body.map((r: { timestamp: string }) => Number(r.timestamp)),
          [T0],
          "the period's records only",
        );
        assert.deepEqual(await get(`${venue.mock.url}/futures/data/openInterestHist?symbol=BTCUSDT&period=3m`), {
          status: 400,
          body: { code: -1130, msg: "Data sent for parameter 'period' is not valid." },
        });
        assert.deepEqual((await get(`${venue.mock.url}/fapi/v1/fundingInfo`)).body, [
          {
            symbol: 'DOGEUSDT',
            adjustedFundingRateCap: '0.02500000',
            adjustedFundingRateFloor: '-0.02500000',
            fundingIntervalHours: 4,
            disclaimer: false,
          },
        ]);
      } finally {
        await venue.mock.close();
      }
    });

    it('Aster: fundingInfo lists every symbol', async () => {
      const { user, signer } = DEMO_CREDENTIALS.aster;
      const mock = await startAsterMock({ accounts: [{ user, signer }], now: () => T0, fundingIntervals: { BTCUSDT: 4 } });
      try {
        const { body } = await get(`${mock.url}/fapi/v3/fundingInfo?symbol=BTCUSDT`);
        assert.deepEqual(body, [
          { symbol: 'BTCUSDT', interestRate: '0.00010000', time: T0, fundingIntervalHours: 4, fundingFeeCap: 0.03, fundingFeeFloor: -0.03 },
        ]);
        assert.ok((await get(`${mock.url}/fapi/v3/fundingInfo`)).body.length > 3);
      } finally {
        await mock.close();
      }
    });

    it("Hyperliquid: metaAndAssetCtxs, contexts in the universe's order", async () => {
      const venue = await hyperliquidVenue();
      try {
        const res = await fetch(`${venue.mock.url}/info`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"type":"metaAndAssetCtxs"}',
        });
        const [meta, contexts] = (await res.json()) as [{ universe: Array<{ name: string }> }, Array<Record<string, unknown>>];
        assert.equal(contexts.length, meta.universe.length);
        assert.deepEqual(Object.keys(contexts[0]!), [
          'prevDayPx',
          'dayNtlVlm',
          'markPx',
          'midPx',
          'funding',
          'openInterest',
          'premium',
          'oraclePx',
          'impactPxs',
          'dayBaseVlm',
        ]);
        assert.equal(contexts[meta.universe.findIndex((u) => u.name === 'DOGE')]!.openInterest, '3300000000');
      } finally {
        await venue.mock.close();
      }
    });
  });

  describe('Aster', () => {
    it('has no documented open interest: none is asked for, the prompt has no oi column; intervals from fundingInfo', async () => {
      const clock = { now: T0 + 2_000 };
      const { user, signer } = DEMO_CREDENTIALS.aster;
      const mock = await startAsterMock({
        accounts: [{ user, signer }],
        prices: PRICES,
        now: () => clock.now,
        fundingIntervals: { BTCUSDT: 4 },
      });
      try {
        const live = new LiveMarketData({ source: createAsterMarketData(mock.url), symbols: SYMBOLS, now: () => clock.now });
        const { snapshot } = await new MarketSnapshots(live).at(SYMBOLS, T0);
        assert.deepEqual(
          snapshot.map((s) => [s.symbol, s.openInterest, s.fundingIntervalHours]),
          [
            ['BTCUSDT', null, 4],
            ['ETHUSDT', null, 8],
            ['DOGEUSDT', null, 8],
          ],
        );
        assert.ok(!mock.requests.some((r) => /openInterest/i.test(r.path)), 'no open interest request');
        const prompt = promptUser(snapshot);
        assert.match(marketHeader(prompt), /\|funding\|vol3m$/);
        assert.ok(prompt.includes('funding % per settlement/its interval; vol3m in base units'));
      } finally {
        await mock.close();
      }
    });
  });
});
