import assert from 'node:assert/strict';
import type { AgentConfig, ExchangeConfig } from '../../arena-config/types';
import { liveClock } from '../../market/clock';
import { LiveMarketData } from '../../market/live';
import { createAsterMarketData } from '../../venues/aster';
import { createBinanceMarketData } from '../../venues/binance';
import { createHyperliquidMarketData } from '../../venues/hyperliquid';
import type { VenueMarketData } from '../../venues/live-venue';
import { agentWorkflowId, cycleWorkflowId } from '../../workflows/definitions';
import { TestArena, demoAgent, eventually, startTestArena } from '../support/arena';
import { MockLlmServer, MockReply, startOpenAiServer } from '../support/llm-servers';
import { startAsterMock, startBinanceMock } from '../support/mock-venues/binance-family';
import { DEMO_CREDENTIALS, demoCredentialEnv } from '../support/mock-venues/demo-credentials';
import { startHyperliquidMock } from '../support/mock-venues/hyperliquid';
import type { MockVenueServer } from '../support/mock-venues/mock-venue';

const SYMBOL = 'BTCUSDT';
const PRICE = 60_000;

interface LiveVenueFixture {
  mock: MockVenueServer;
  marketData: VenueMarketData;
  /** Credential variables of the account, by conventional name. */
  env: Record<string, string>;
  /** Values that must never appear in history, records or logs. */
  secrets: string[];
  /** What the mock holds for the account: open positions' sizes and resting trigger orders' prices. */
  book(): { positions: number[]; triggers: number[] };
}

type FixtureFactory = (account: string) => Promise<LiveVenueFixture>;

const binance: FixtureFactory = async (account) => {
  const { apiKey, apiSecret } = DEMO_CREDENTIALS.binance;
  const mock = await startBinanceMock({ accounts: [{ apiKey, apiSecret }], prices: { [SYMBOL]: PRICE } });
  return {
    mock,
    marketData: createBinanceMarketData(mock.url),
    secrets: [apiSecret],
    env: demoCredentialEnv('binance', account),
    book: () => ({
      positions: mock.positionsOf(apiKey).map((p) => Math.abs(Number(p.positionAmt))),
      triggers: mock
        .algoOrdersOf(apiKey)
        .filter((o) => o.status === 'NEW')
        .map((o) => Number(o.triggerPrice)),
    }),
  };
};

const aster: FixtureFactory = async (account) => {
  const { user, signer, privateKey } = DEMO_CREDENTIALS.aster;
  const mock = await startAsterMock({ accounts: [{ user, signer }], prices: { [SYMBOL]: PRICE }, testnet: true });
  return {
    mock,
    marketData: createAsterMarketData(mock.url),
    secrets: [privateKey, privateKey.slice(2)],
    env: demoCredentialEnv('aster', account),
    book: () => ({
      positions: mock.positionsOf(user).map((p) => Math.abs(Number(p.positionAmt))),
      triggers: mock
        .ordersOf(user)
        .filter((o) => o.status === 'NEW' && o.stopPrice)
        .map((o) => Number(o.stopPrice)),
    }),
  };
};

const hyperliquid: FixtureFactory = async (account) => {
  const { agentPrivateKey, user, agent } = DEMO_CREDENTIALS.hyperliquid;
  const mock = await startHyperliquidMock({ accounts: [{ user, agents: [agent] }], prices: { [SYMBOL]: PRICE }, testnet: true });
  return {
    mock,
    marketData: createHyperliquidMarketData(mock.url, true),
    secrets: [agentPrivateKey, agentPrivateKey.slice(2)],
    env: demoCredentialEnv('hyperliquid', account),
    book: () => ({
      positions: mock.positionsOf(user).map((p) => Math.abs(Number(p.szi))),
      triggers: mock
        .ordersOf(user)
        .filter((o) => o.isTrigger && o.status === 'open')
        .map((o) => Number(o.triggerPx)),
    }),
  };
};

for (const [venue, start] of [
  ['binance', binance],
  ['aster', aster],
  ['hyperliquid', hyperliquid],
] as const) {
  describe(`an agent on ${venue}, through the adapter to its local protocol server, on a real dev server`, function () {
    this.timeout(180_000);
    let arena: TestArena;
    let llm: MockLlmServer;
    let fixture: LiveVenueFixture;
    let agent: AgentConfig;
    let opened = false;
    const account = `cycle_${venue}`;

    // The model opens one long on its first call, then waits.
    const reply = (): MockReply => {
      if (opened) return { json: { reasoning: 'holding', decisions: [{ action: 'wait', reason: 'hold' }] } };
      opened = true;
      return {
        json: {
          reasoning: 'Breakout above the range.',
          decisions: [{ action: 'open_long', symbol: SYMBOL, size_usd: 1500, leverage: 3, confidence: 0.8, reason: 'breakout' }],
        },
      };
    };

    before(async () => {
      fixture = await start(account);
      Object.assign(process.env, fixture.env, { DEEPSEEK_API_KEY_VENUE_TEST: 'sk-venue-test' });
      llm = await startOpenAiServer({ apiKey: 'sk-venue-test', models: ['deepseek-chat'], script: reply });
      // The live clock's bar, read every half second instead of at each 3-minute close: cycles come quickly.
      const live = liveClock();
      const clock = { read: async () => ({ ...(await live.read()), nextBarAt: Date.now() + 500, barWallMs: 500 }) };
      arena = await startTestArena({ market: new LiveMarketData({ source: fixture.marketData, symbols: [SYMBOL] }), clock });
      await arena.runWorker();
      const base = demoAgent('random-entry', `${arena.tag}-${venue}`);
      const exchange: ExchangeConfig = {
        type: venue,
        account,
        testnet: true,
        takerFeeRate: 0.0005,
        slippageRate: 0,
        baseUrl: fixture.mock.url,
        ...(venue === 'aster' && { asterSigning: { includeUser: false, signaturePrefix0x: true, signEncoding: 'urlencoded' as const } }),
      };
      agent = {
        ...base,
        decisionMaker: {
          provider: 'deepseek',
          model: 'deepseek-chat',
          baseUrl: llm.url,
          apiKeyEnv: 'DEEPSEEK_API_KEY_VENUE_TEST',
          temperature: 0.1,
          maxTokens: 1000,
          timeoutSeconds: 30,
        },
        exchange,
        strategy: { ...base.strategy, symbols: [SYMBOL] },
      };
    });
    after(async () => {
      await arena?.close();
      await llm?.close();
      await fixture?.mock.close();
      for (const name of Object.keys(fixture?.env ?? {})) delete process.env[name];
    });

    it('opens a protected position on the venue, then books the stop-loss the venue fired', async () => {
      await arena.start([agent], 500);
      const trade = await eventually(
        'the opened trade',
        () => arena.db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id).executeTakeFirst(),
        90_000,
      );
      // The cycle is recorded after its orders: wait for it too.
      const first = await eventually('the first cycle recorded', () =>
        arena.db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id).where('cycle_no', '=', 1).executeTakeFirst(),
      );
      assert.equal(first.status, 'ok', first.error ?? '');
      assert.equal(trade.symbol, SYMBOL);
      assert.equal(trade.side, 'long');

      // The venue holds the position and both protective orders at the prices the agent recorded.
      const book = fixture.book();
      assert.deepEqual(book.positions, [Number(trade.quantity)]);
      const stop = Number(trade.stop_loss);
      const target = Number(trade.take_profit);
      assert.ok(stop < PRICE && target > PRICE, `stop ${stop}, target ${target}`);
      assert.deepEqual(
        [...book.triggers].sort((a, b) => a - b),
        [stop, target],
      );
      const orders = await arena.db.selectFrom('orders').select(['purpose', 'status']).where('agent_id', '=', agent.id).execute();
      assert.deepEqual(orders.map((o) => o.purpose).sort(), ['open', 'stop_loss', 'take_profit']);

      // The price falls through the stop: the venue closes the position, the next cycle books it.
      fixture.mock.setPrice(SYMBOL, stop * 0.995);
      const closed = await eventually(
        'the trade closed by the stop',
        () => arena.db.selectFrom('trades').selectAll().where('id', '=', trade.id).where('status', '=', 'closed').executeTakeFirst(),
        60_000,
      );
      assert.equal(closed.close_reason, 'stop_loss');
      assert.ok(Number(closed.pnl) < 0);
      assert.deepEqual(fixture.book().positions, []);

      // Credentials stay in the environment: not in workflow history, not in the records.
      const histories = [
        await arena.client.workflow.getHandle(agentWorkflowId(agent.id)).fetchHistory(),
        await arena.client.workflow.getHandle(cycleWorkflowId(agent.id, 1)).fetchHistory(),
      ];
      for (const tableRows of [
        ...histories,
        await arena.db.selectFrom('orders').selectAll().execute(),
        await arena.db.selectFrom('cycles').selectAll().execute(),
        await arena.db.selectFrom('agents').selectAll().execute(),
      ]) {
        const text = JSON.stringify(tableRows);
        for (const secret of fixture.secrets) assert.ok(!text.includes(secret), 'a credential leaked');
      }
    });

    if (venue === 'binance') {
      it('runs a paper agent on the same live market data (live paper trading)', async () => {
        const paper = demoAgent('btc-buy-hold', `${arena.tag}-live-paper`);
        await arena.start([paper], 500);
        const trade = await eventually(
          'the paper trade',
          () => arena.db.selectFrom('trades').selectAll().where('agent_id', '=', paper.id).executeTakeFirst(),
          60_000,
        );
        // Filled at the live price of the venue's public klines (as the worker's market source has them), not a replay price.
        const [live] = (await arena.deps.market.candles(SYMBOL, '3m', Date.now(), 1)).map((c) => c.close);
        assert.ok(live, 'a live bar');
        assert.ok(Math.abs(Number(trade.entry_price) - live) / live < 0.005, `entry ${trade.entry_price}, live ${live}`);
      });
    }
  });
}
