import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadArenaConfig, resolveArenaConfigPath } from '../../arena-config/load';
import { validateAgentConfig } from '../../arena-config/schema';
import type { AgentConfig } from '../../arena-config/types';
import { loadError, writeArena } from './arena-files';
import { paperAgentConfig } from '../fixtures/agent-config';

const SHIPPED = path.resolve(__dirname, '../../config/arena.yaml');
const BASELINES = ['ema-trend', 'rsi-reversion', 'btc-buy-hold', 'random-entry'];
const LLM_KEYS: Record<string, string> = {
  'deepseek-chat': 'DEEPSEEK_API_KEY',
  'qwen3-max': 'QWEN_API_KEY',
  'claude-sonnet': 'ANTHROPIC_API_KEY',
  'gpt-5': 'OPENAI_API_KEY',
  'grok-4': 'XAI_API_KEY',
  'gemini-2.5-pro': 'GOOGLE_API_KEY',
};

describe('shipped config', () => {
  it('loads with an empty environment: baselines run, every LLM agent is skipped naming its variable', () => {
    const arena = loadArenaConfig(SHIPPED, {});
    assert.equal(arena.system.marketData, 'replay');
    assert.equal(arena.system.tradingLock, 'per_account');
    assert.deepEqual(arena.api, { host: '127.0.0.1', port: 8000 }); // loopback unless the operator opts in
    for (const id of BASELINES) {
      const agent = arena.agents.find((a) => a.id === id);
      assert.ok(agent?.config, `${id} should run`);
      assert.equal(agent.config.decisionMaker.provider, 'rule_based');
      assert.equal(agent.config.exchange.type, 'paper');
      assert.equal(agent.config.strategy.initialBalance, 10_000);
    }
    assert.deepEqual(arena.agents.find((a) => a.id === 'btc-buy-hold')!.config!.strategy.symbols, ['BTCUSDT']);
    for (const [id, variable] of Object.entries(LLM_KEYS)) {
      const agent = arena.agents.find((a) => a.id === id);
      assert.ok(agent, `${id} is listed`);
      assert.equal(agent.enabled, true);
      assert.equal(agent.config, undefined);
      assert.equal(agent.skipReason, `${variable} is not set`);
    }
  });

  it('switches an LLM agent on when its key is set, keeping only the variable name', () => {
    const secret = 'sk-test-0123456789abcdef';
    const arena = loadArenaConfig(SHIPPED, { DEEPSEEK_API_KEY: secret });
    const deepseek = arena.agents.find((a) => a.id === 'deepseek-chat')!;
    assert.equal(deepseek.skipReason, undefined);
    assert.equal(deepseek.config?.decisionMaker.apiKeyEnv, 'DEEPSEEK_API_KEY');
    assert.equal(deepseek.config?.decisionMaker.provider, 'deepseek');
    assert.ok(!JSON.stringify(arena).includes(secret), 'the key value must not appear in the result');
    assert.equal(arena.agents.find((a) => a.id === 'gpt-5')!.skipReason, 'OPENAI_API_KEY is not set');
  });

  it('treats an empty key variable as unset', () => {
    const arena = loadArenaConfig(SHIPPED, { DEEPSEEK_API_KEY: '' });
    assert.equal(arena.agents.find((a) => a.id === 'deepseek-chat')!.skipReason, 'DEEPSEEK_API_KEY is not set');
  });

  it('resolves ARENA_CONFIG or falls back to config/arena.yaml', () => {
    assert.equal(resolveArenaConfigPath({}), SHIPPED);
    assert.equal(resolveArenaConfigPath({ ARENA_CONFIG: '/tmp/x/arena.yaml' }), '/tmp/x/arena.yaml');
  });
});

// ---------------------------------------------------------------------------------------------

const GOOD_AGENT = `
agent:
  id: alpha
  name: Alpha
llm:
  provider: deepseek
  model: deepseek-chat
  api_key: \${DEEPSEEK_API_KEY_TEST}
exchange:
  type: paper
strategy:
  initial_balance: 5000
  risk_management:
    max_leverage: 5
`;

function assertNames(err: ConfigError, fileName: string, field: string): void {
  assert.ok(err.message.includes(fileName), `message should name ${fileName}: ${err.message}`);
  assert.ok(err.message.includes(field), `message should name ${field}: ${err.message}`);
  assert.equal(path.basename(err.file), fileName);
  assert.equal(err.path, field);
}

describe('loading a config', () => {
  it('applies the seed defaults and resolves agent files next to the arena file', () => {
    const file = writeArena({ alpha: GOOD_AGENT });
    const [alpha] = loadArenaConfig(file, { DEEPSEEK_API_KEY_TEST: 'k' }).agents;
    assert.equal(alpha!.configFile, path.join(path.dirname(file), 'agents', 'alpha.yaml'));
    const config = alpha!.config!;
    assert.equal(config.exchange.account, 'alpha');
    assert.equal(config.exchange.testnet, false);
    assert.equal(config.exchange.takerFeeRate, 0.0005);
    assert.equal(config.exchange.slippageRate, 0.0002);
    assert.equal(config.decisionMaker.temperature, 0.15);
    assert.equal(config.decisionMaker.maxTokens, 4000);
    assert.equal(config.strategy.tradingStyle, 'balanced');
    assert.equal(config.strategy.scanIntervalMinutes, 3);
    assert.deepEqual(config.strategy.symbols, ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT', 'XRPUSDT']);
    assert.deepEqual(config.strategy.risk, {
      maxPositions: 3,
      maxLeverage: 5,
      maxPositionSizePct: 30,
      maxTotalPositionPct: 80,
      maxSingleTradePct: 50,
      maxSingleTradeWithPositionsPct: 30,
      maxDailyLossPct: 15,
      maxMarginUsagePct: 90,
      stopLossPct: 3,
      takeProfitPct: 10,
    });
  });

  it("does not read a disabled agent's file, and says where it was disabled", () => {
    const file = writeArena({}, 'agents:\n  - { id: draft, enabled: false, config_file: agents/missing.yaml }\n');
    const [draft] = loadArenaConfig(file, {}).agents;
    assert.equal(draft!.skipReason, 'disabled in arena.yaml');
    assert.equal(draft!.config, undefined);
  });

  it('validates an enabled agent even when its key is missing', () => {
    const file = writeArena({ alpha: GOOD_AGENT.replace('max_leverage: 5', 'max_leverage: 500') });
    assertNames(loadError(file), 'alpha.yaml', 'strategy.risk_management.max_leverage');
  });

  it("accepts the seed's system keys and upper-case log levels", () => {
    const file = writeArena(
      { alpha: GOOD_AGENT },
      [
        'system:',
        '  scan_interval_minutes: 5',
        '  max_concurrent_agents: 6',
        '  log_level: WARNING',
        'agents:',
        '  - { id: alpha, config_file: agents/alpha.yaml }',
        '',
      ].join('\n'),
    );
    const arena = loadArenaConfig(file, { DEEPSEEK_API_KEY_TEST: 'k' });
    assert.equal(arena.system.logLevel, 'warn');
    assert.equal(arena.agents[0]!.config!.strategy.scanIntervalMinutes, 5);
  });

  it('skips runnable agents beyond max_concurrent_agents', () => {
    const beta = GOOD_AGENT.replace('id: alpha', 'id: beta');
    const file = writeArena(
      { alpha: GOOD_AGENT, beta },
      [
        'system: { max_concurrent_agents: 1 }',
        'agents:',
        '  - { id: alpha, config_file: agents/alpha.yaml }',
        '  - { id: beta, config_file: agents/beta.yaml }',
        '',
      ].join('\n'),
    );
    const [alpha, betaEntry] = loadArenaConfig(file, { DEEPSEEK_API_KEY_TEST: 'k' }).agents;
    assert.ok(alpha!.config);
    assert.equal(betaEntry!.config, undefined);
    assert.match(betaEntry!.skipReason!, /max_concurrent_agents \(1\)/);
  });
});

describe('bad configs', () => {
  it('missing field', () => {
    const file = writeArena({ alpha: GOOD_AGENT.replace('  initial_balance: 5000\n', '') });
    const err = loadError(file);
    assertNames(err, 'alpha.yaml', 'strategy.initial_balance');
    assert.match(err.message, /strategy\.initial_balance: required field is missing$/);
  });

  it('missing agent id', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('  id: alpha\n', '') }));
    assertNames(err, 'alpha.yaml', 'agent.id');
    assert.match(err.message, /agent\.id: required field is missing/);
  });

  it('wrong type', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('max_leverage: 5', 'max_leverage: ten') }));
    assertNames(err, 'alpha.yaml', 'strategy.risk_management.max_leverage');
    assert.match(err.message, /max_leverage: expected a whole number from 1 to 125, got "ten"$/);
    assert.equal(err.value, 'ten');
  });

  it('unknown venue', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('type: paper', 'type: kraken') }));
    assertNames(err, 'alpha.yaml', 'exchange.type');
    assert.match(err.message, /exchange\.type: unknown venue "kraken" \(expected one of paper, aster, hyperliquid, binance\)$/);
  });

  it('unknown key (a typo) is an error with a suggestion', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('max_leverage: 5', 'max_levrage: 5') }));
    assertNames(err, 'alpha.yaml', 'strategy.risk_management.max_levrage');
    assert.match(err.message, /unknown field \(did you mean "max_leverage"\?\)/);
  });

  it('a typo is reported before the field it hides, with the count of further issues', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('initial_balance', 'initial_balanse') }));
    assertNames(err, 'alpha.yaml', 'strategy.initial_balanse');
    assert.match(err.message, /did you mean "initial_balance"\?\) \(\+1 more issue\)$/);
  });

  it('literal secret, without echoing it', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('${DEEPSEEK_API_KEY_TEST}', 'sk-live-abcdef123456') }));
    assertNames(err, 'alpha.yaml', 'llm.api_key');
    assert.match(err.message, /write it as \$\{SOME_ENV_VAR\} so the key never lands in files, history or logs/);
    assert.ok(!err.message.includes('sk-live-abcdef123456'));
    assert.ok(!JSON.stringify(err.value).includes('sk-live-abcdef123456'));
  });

  it('literal exchange credential', () => {
    const agent = GOOD_AGENT.replace('type: paper', 'type: aster\n  private_key: "0xdeadbeef"');
    const err = loadError(writeArena({ alpha: agent }));
    assertNames(err, 'alpha.yaml', 'exchange.private_key');
    assert.ok(!err.message.includes('deadbeef'));
  });

  it('bad YAML names the file and the line', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('  name: Alpha', '  name: "Alpha') }));
    assert.ok(err.message.includes('alpha.yaml'), err.message);
    assert.match(err.message, /line \d+, column \d+: invalid YAML/);
  });

  it('duplicate YAML keys are an error', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('  name: Alpha', '  name: Alpha\n  name: Beta') }));
    assert.match(err.message, /alpha\.yaml: line 5, column 3: invalid YAML: Map keys must be unique/);
  });

  it('missing agent file', () => {
    const file = writeArena({}, 'agents:\n  - { id: ghost, config_file: agents/ghost.yaml }\n');
    const err = loadError(file);
    assertNames(err, 'arena.yaml', 'agents[0].config_file');
    assert.match(err.message, /file not found: .*agents\/ghost\.yaml$/);
  });

  it('missing arena file', () => {
    const err = loadError('/nonexistent/arena.yaml');
    assert.equal(err.message, '/nonexistent/arena.yaml: file not found');
  });

  it('duplicate id', () => {
    const file = writeArena(
      { alpha: GOOD_AGENT },
      ['agents:', '  - { id: alpha, config_file: agents/alpha.yaml }', '  - { id: alpha, config_file: agents/alpha.yaml }', ''].join('\n'),
    );
    const err = loadError(file, { DEEPSEEK_API_KEY_TEST: 'k' });
    assertNames(err, 'arena.yaml', 'agents[1].id');
    assert.match(err.message, /duplicate agent id "alpha" \(also agents\[0\]\)/);
  });

  it('agent id that differs from the arena list', () => {
    const file = writeArena({ alpha: GOOD_AGENT.replace('id: alpha', 'id: alfa') });
    const err = loadError(file);
    assertNames(err, 'alpha.yaml', 'agent.id');
    assert.match(err.message, /expected "alpha" \(the id given in .*arena\.yaml\), got "alfa"/);
  });

  it('LLM agent without api_key hints at the variable', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT.replace('  api_key: ${DEEPSEEK_API_KEY_TEST}\n', '') }));
    assertNames(err, 'alpha.yaml', 'llm.api_key');
    assert.match(err.message, /required field is missing \(write it as \$\{DEEPSEEK_API_KEY\}\)/);
  });

  it('rule_based agent with an unknown baseline', () => {
    const agent = GOOD_AGENT.replace('provider: deepseek', 'provider: rule_based')
      .replace('model: deepseek-chat', 'model: macd')
      .replace('  api_key: ${DEEPSEEK_API_KEY_TEST}\n', '');
    const err = loadError(writeArena({ alpha: agent }));
    assertNames(err, 'alpha.yaml', 'llm.model');
    assert.match(err.message, /unknown baseline "macd"/);
  });

  it('bad symbols', () => {
    const err = loadError(
      writeArena({ alpha: GOOD_AGENT.replace('initial_balance: 5000', 'initial_balance: 5000\n  default_coins: [BTCUSDT, btc]') }),
    );
    assertNames(err, 'alpha.yaml', 'strategy.default_coins[1]');
  });
});

describe('interpolation', () => {
  const ARENA = [
    'system:',
    '  market_data: ${MODE:-replay}',
    '  replay_cycle_seconds: ${CYCLE:-5}',
    'api:',
    '  host: ${HOST}',
    '  port: ${PORT:-8000}',
    'agents:',
    '  - { id: alpha, name: "Alpha on ${HOST}", config_file: agents/alpha.yaml }',
    '',
  ].join('\n');

  it('substitutes ${NAME}, and ${NAME:-default} when unset or empty, keeping numbers numbers', () => {
    const file = writeArena({ alpha: GOOD_AGENT }, ARENA);
    const arena = loadArenaConfig(file, { HOST: '127.0.0.1', CYCLE: '' });
    assert.equal(arena.api.host, '127.0.0.1');
    assert.equal(arena.api.port, 8000);
    assert.equal(arena.system.marketData, 'replay');
    assert.equal(arena.system.replayCycleSeconds, 5);
    assert.equal(arena.agents[0]!.name, 'Alpha on 127.0.0.1');

    const overridden = loadArenaConfig(file, { HOST: 'h', PORT: '9000', MODE: 'live', CYCLE: '2' });
    assert.equal(overridden.api.port, 9000);
    assert.equal(overridden.system.marketData, 'live');
    assert.equal(overridden.system.replayCycleSeconds, 2);
  });

  it('an unset variable without a default is an error naming the field', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT }, ARENA));
    assertNames(err, 'arena.yaml', 'api.host');
    assert.match(err.message, /environment variable HOST is not set/);
  });

  it('a substituted value is validated like a literal one', () => {
    const err = loadError(writeArena({ alpha: GOOD_AGENT }, ARENA), { HOST: 'h', PORT: 'eighty' });
    assertNames(err, 'arena.yaml', 'api.port');
  });

  it('refuses to copy a secret-looking variable into a non-credential field', () => {
    const agent = GOOD_AGENT.replace('name: Alpha', 'name: ${DEEPSEEK_API_KEY_TEST}');
    const err = loadError(writeArena({ alpha: agent }), { DEEPSEEK_API_KEY_TEST: 'sk-1' });
    assertNames(err, 'alpha.yaml', 'agent.name');
  });
});

describe('live venue credentials', () => {
  const ASTER = GOOD_AGENT.replace(
    'type: paper',
    ['type: aster', '  account: MAIN', '  user: ${ASTER_USER_MAIN}', '  private_key: ${ASTER_PRIVATE_KEY_MAIN}'].join('\n'),
  );

  const LIVE_ARENA = 'system:\n  market_data: live\nagents:\n  - { id: alpha, config_file: agents/alpha.yaml }\n';

  it('skips the agent while a credential variable is unset, and never copies values', () => {
    const file = writeArena({ alpha: ASTER }, LIVE_ARENA);
    const env = { DEEPSEEK_API_KEY_TEST: 'k', ASTER_USER_MAIN: '0xuser' };
    assert.equal(loadArenaConfig(file, env).agents[0]!.skipReason, 'ASTER_PRIVATE_KEY_MAIN is not set');
    // The signer is not named in the file: its conventional variable is required all the same.
    const withKey = { ...env, ASTER_PRIVATE_KEY_MAIN: 'pk-secret' };
    assert.equal(loadArenaConfig(file, withKey).agents[0]!.skipReason, 'ASTER_SIGNER_MAIN is not set');
    const arena = loadArenaConfig(file, { ...withKey, ASTER_SIGNER_MAIN: '0xsigner' });
    const exchange = arena.agents[0]!.config!.exchange;
    assert.equal(exchange.account, 'MAIN');
    assert.deepEqual(exchange.credentialEnv, { user: 'ASTER_USER_MAIN', private_key: 'ASTER_PRIVATE_KEY_MAIN' });
    assert.deepEqual(exchange.asterSigning, { includeUser: false, signaturePrefix0x: true, signEncoding: 'urlencoded' });
    for (const secret of ['pk-secret', '0xsigner', '0xuser']) assert.ok(!JSON.stringify(arena).includes(secret));
  });

  it('refuses a live venue on replayed market data, naming the field', () => {
    const err = loadError(writeArena({ alpha: ASTER }), { DEEPSEEK_API_KEY_TEST: 'k' });
    assertNames(err, 'alpha.yaml', 'exchange.type');
    assert.match(err.message, /system\.market_data: live/);
  });

  it('requires credential variables to carry the account suffix the venue reads', () => {
    const err = loadError(writeArena({ alpha: ASTER.replace('ASTER_PRIVATE_KEY_MAIN', 'ASTER_PRIVATE_KEY_OTHER') }));
    assertNames(err, 'alpha.yaml', 'exchange.private_key');
    assert.match(err.message, /does not end in _MAIN/);
  });
});

describe('validateAgentConfig', () => {
  const good: AgentConfig = paperAgentConfig('alpha', 'Alpha', {
    provider: 'deepseek',
    model: 'deepseek-chat',
    temperature: 0.15,
    maxTokens: 4000,
    apiKeyEnv: 'DEEPSEEK_API_KEY',
  });

  it('accepts a good resolved config', () => {
    assert.deepEqual(validateAgentConfig(structuredClone(good)), good);
  });

  it('rejects a bad one naming the field', () => {
    const bad = structuredClone(good);
    bad.strategy.risk.maxLeverage = 500;
    assert.throws(
      () => validateAgentConfig(bad),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.path, 'strategy.risk.maxLeverage');
        assert.match(err.message, /strategy\.risk\.maxLeverage: expected a whole number from 1 to 125, got 500/);
        return true;
      },
    );
  });

  it('rejects unknown keys, duplicate symbols and an LLM without a key variable', () => {
    assert.throws(() => validateAgentConfig({ ...good, extra: 1 }), /extra: unknown field/);
    assert.throws(
      () => validateAgentConfig({ ...good, strategy: { ...good.strategy, symbols: ['BTCUSDT', 'BTCUSDT'] } }),
      /strategy\.symbols: expected each symbol once/,
    );
    const { apiKeyEnv: _omitted, ...noKey } = good.decisionMaker;
    assert.throws(() => validateAgentConfig({ ...good, decisionMaker: noKey }), /decisionMaker\.apiKeyEnv: required field is missing/);
  });
});
