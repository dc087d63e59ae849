import assert from 'node:assert/strict';
import type { AgentConfig, ExchangeConfig } from '../../arena-config/types';
import { checkLiveAccounts } from '../../arena/check-accounts';
import { openLiveVenue } from '../../venues/open-venue';
import { startAsterMock, startBinanceMock } from '../support/mock-venues/binance-family';
import { DEMO_CREDENTIALS, demoCredentialEnv } from '../support/mock-venues/demo-credentials';
import { startHyperliquidMock } from '../support/mock-venues/hyperliquid';
import type { MockVenueServer } from '../support/mock-venues/mock-venue';
import { demoAgent } from '../support/arena';

/** The startup check per live account, through the real adapters against the local protocol servers. */
describe('startup check of live accounts', function () {
  this.timeout(30_000);
  const mocks: MockVenueServer[] = [];
  const env: Record<string, string> = {};
  let n = 0;
  after(async () => {
    for (const mock of mocks) await mock.close();
    for (const name of Object.keys(env)) delete process.env[name];
  });

  function agentOn(
    exchange: Omit<ExchangeConfig, 'takerFeeRate' | 'slippageRate' | 'testnet'>,
    credentials: Record<string, string>,
  ): AgentConfig {
    Object.assign(env, credentials);
    Object.assign(process.env, credentials);
    const base = demoAgent('ema-trend', `check${++n}`);
    return { ...base, exchange: { ...exchange, testnet: true, takerFeeRate: 0.0005, slippageRate: 0 } };
  }

  it('passes a healthy account on each venue and reports its balance', async () => {
    const { apiKey, apiSecret } = DEMO_CREDENTIALS.binance;
    const binance = await startBinanceMock({ accounts: [{ apiKey, apiSecret, balance: 2500 }] });
    const { user, signer } = DEMO_CREDENTIALS.aster;
    const aster = await startAsterMock({ accounts: [{ user, signer, balance: 1500 }], testnet: true });
    const hl = DEMO_CREDENTIALS.hyperliquid;
    const hyperliquid = await startHyperliquidMock({ accounts: [{ user: hl.user, agents: [hl.agent], balance: 700 }], testnet: true });
    mocks.push(binance, aster, hyperliquid);
    const agents = [
      agentOn({ type: 'binance', account: 'chk_b', baseUrl: binance.url }, demoCredentialEnv('binance', 'chk_b')),
      agentOn({ type: 'aster', account: 'chk_a', baseUrl: aster.url }, demoCredentialEnv('aster', 'chk_a')),
      agentOn({ type: 'hyperliquid', account: 'chk_h', baseUrl: hyperliquid.url }, demoCredentialEnv('hyperliquid', 'chk_h')),
      demoAgent('ema-trend', 'paper-check'),
    ];
    const { ready, outcomes } = await checkLiveAccounts(agents, (exchange) => openLiveVenue(exchange));
    assert.deepEqual(
      ready.map((a) => a.id),
      agents.map((a) => a.id),
    );
    assert.deepEqual(
      outcomes.map((o) => [o.account, o.problem, o.check?.balance.equity, o.check?.positionMode]),
      [
        ['binance:chk_b', undefined, 2500, 'one-way'],
        ['aster:chk_a', undefined, 1500, 'one-way'],
        ['hyperliquid:chk_h', undefined, 700, 'one-way'],
      ],
    );
  });

  it('tries a passing failure again before holding an account back', async () => {
    const { apiKey, apiSecret } = DEMO_CREDENTIALS.binance;
    const binance = await startBinanceMock({ accounts: [{ apiKey, apiSecret }] });
    mocks.push(binance);
    const agent = agentOn({ type: 'binance', account: 'chk_retry', baseUrl: binance.url }, demoCredentialEnv('binance', 'chk_retry'));
    binance.failNext({ path: '/fapi/v1/positionSide/dual' }, { status: 503 });
    const open = (exchange: ExchangeConfig) => openLiveVenue(exchange);
    const { ready, outcomes } = await checkLiveAccounts([agent], open, { retryDelayMs: 10 });
    assert.deepEqual([ready.length, outcomes[0]!.problem], [1, undefined]);

    // Each attempt's read is itself sent three times (venues/http/read-retry.ts): six 503s fail both attempts.
    binance.failNext({ path: '/fapi/v1/positionSide/dual' }, { status: 503 }, 6);
    const once = await checkLiveAccounts([agent], open, { attempts: 2, retryDelayMs: 10 });
    assert.deepEqual(once.ready, []);
    assert.match(once.outcomes[0]!.problem!, /503/);
  });

  it('holds back the agents of an account in hedge mode, with a wrong secret or an unapproved wallet, saying why', async () => {
    const { apiKey, apiSecret } = DEMO_CREDENTIALS.binance;
    const hedged = await startBinanceMock({ accounts: [{ apiKey, apiSecret, hedgeMode: true }] });
    const binance = await startBinanceMock({ accounts: [{ apiKey, apiSecret }] });
    const hl = DEMO_CREDENTIALS.hyperliquid;
    const hyperliquid = await startHyperliquidMock({ accounts: [{ user: hl.user, agents: [] }], testnet: true });
    mocks.push(hedged, binance, hyperliquid);
    const wrongSecret = 'f'.repeat(64);
    const hedge = agentOn({ type: 'binance', account: 'chk_hedge', baseUrl: hedged.url }, demoCredentialEnv('binance', 'chk_hedge'));
    const badKey = agentOn(
      { type: 'binance', account: 'chk_bad', baseUrl: binance.url },
      demoCredentialEnv('binance', 'chk_bad', { api_secret: wrongSecret }),
    );
    const unapproved = agentOn(
      { type: 'hyperliquid', account: 'chk_unapproved', baseUrl: hyperliquid.url },
      demoCredentialEnv('hyperliquid', 'chk_unapproved'),
    );
    const paper = demoAgent('ema-trend', 'paper-check2');

    const { ready, outcomes } = await checkLiveAccounts([hedge, badKey, unapproved, paper], (exchange) => openLiveVenue(exchange));
    assert.deepEqual(
      ready.map((a) => a.id),
      [paper.id],
    );
    const problem = (account: string) => outcomes.find((o) => o.account === account)?.problem ?? '';
    assert.match(problem('binance:chk_hedge'), /hedge mode/i);
    assert.match(problem('binance:chk_bad'), /signature/i);
    assert.match(problem('hyperliquid:chk_unapproved'), /agent|approve/i);
    for (const o of outcomes)
      assert.ok(!o.problem!.includes(wrongSecret) && !o.problem!.includes(apiSecret) && !o.problem!.includes(hl.agentPrivateKey));
  });
});
