import assert from 'node:assert/strict';
import path from 'node:path';
import { loadArenaConfig } from '../../arena-config/load';
import { validateAgentConfig } from '../../arena-config/schema';
import { ASTER_SIGNING_DEFAULTS, type AgentConfig, type ExchangeConfig } from '../../arena-config/types';
import { paperAgentConfig } from '../fixtures/agent-config';
import { loadError, writeArena as writeArenaFiles } from './arena-files';

/** The exchange section of an agent file: `base_url`, the `aster:` switches, credential references. */

const LIVE_ARENA = 'system:\n  market_data: live\nagents:\n  - { id: alpha, config_file: agents/alpha.yaml }\n';

/** A rule_based agent (no LLM key) whose exchange section is `exchangeLines`. */
function agentFile(exchangeLines: string[]): string {
  return [
    'agent:',
    '  id: alpha',
    'llm:',
    '  provider: rule_based',
    '  model: ema_trend',
    'exchange:',
    ...exchangeLines.map((line) => `  ${line}`),
    'strategy:',
    '  initial_balance: 5000',
    '',
  ].join('\n');
}

/** An arena running the one agent `alpha` (on live market data unless `arena` says otherwise). */
function writeArena(agent: string, arena = LIVE_ARENA): string {
  return writeArenaFiles({ alpha: agent }, arena);
}

function loadExchange(agent: string, env: NodeJS.ProcessEnv, arena?: string): ExchangeConfig {
  const [entry] = loadArenaConfig(writeArena(agent, arena), env).agents;
  assert.ok(entry?.config, `the agent should run (skipReason: ${entry?.skipReason})`);
  return entry.config.exchange;
}

const ASTER_ENV = { ASTER_USER_MAIN: '0xuser-secret-1', ASTER_SIGNER_MAIN: '0xsigner-secret-2', ASTER_PRIVATE_KEY_MAIN: 'pk-secret-3' };
const ASTER_REFS = ['user: ${ASTER_USER_MAIN}', 'signer: ${ASTER_SIGNER_MAIN}', 'private_key: ${ASTER_PRIVATE_KEY_MAIN}'];

describe('exchange config: base_url', () => {
  it('takes an http(s) base URL, also from a variable', () => {
    const exchange = loadExchange(
      agentFile(['type: aster', 'account: MAIN', 'base_url: https://fapi.asterdex-testnet.com', ...ASTER_REFS]),
      ASTER_ENV,
    );
    assert.equal(exchange.baseUrl, 'https://fapi.asterdex-testnet.com');

    const local = loadExchange(agentFile(['type: binance', 'account: MAIN', 'base_url: ${MOCK_VENUE_URL}']), {
      MOCK_VENUE_URL: 'http://127.0.0.1:18080/base',
      BINANCE_API_KEY_MAIN: 'k-secret',
      BINANCE_API_SECRET_MAIN: 's-secret',
    });
    assert.equal(local.baseUrl, 'http://127.0.0.1:18080/base');
  });

  it('is absent unless given', () => {
    const exchange = loadExchange(agentFile(['type: aster', 'account: MAIN', ...ASTER_REFS]), ASTER_ENV);
    assert.ok(!('baseUrl' in exchange));
  });

  for (const bad of ['ftp://fapi.example.com', 'fapi.binance.com', 'https://', 'http:// spaced.example']) {
    it(`refuses ${JSON.stringify(bad)}, naming the file, the field and the value`, () => {
      const err = loadError(writeArena(agentFile(['type: aster', 'account: MAIN', `base_url: "${bad}"`, ...ASTER_REFS])), ASTER_ENV);
      assert.equal(path.basename(err.file), 'alpha.yaml');
      assert.equal(err.path, 'exchange.base_url');
      assert.equal(err.value, bad);
      assert.match(err.message, /alpha\.yaml: exchange\.base_url: expected an http\(s\) URL, got /);
      assert.ok(err.message.endsWith(`got ${JSON.stringify(bad)}`), err.message);
    });
  }
});

describe('exchange config: Aster signing switches', () => {
  it('defaults to ASTER_SIGNING_DEFAULTS when the file has no aster section', () => {
    const exchange = loadExchange(agentFile(['type: aster', 'account: MAIN', ...ASTER_REFS]), ASTER_ENV);
    assert.deepEqual(exchange.asterSigning, ASTER_SIGNING_DEFAULTS);
    assert.deepEqual(ASTER_SIGNING_DEFAULTS, { includeUser: false, signaturePrefix0x: true, signEncoding: 'urlencoded' });
  });

  it('reads every switch', () => {
    const exchange = loadExchange(
      agentFile([
        'type: aster',
        'account: MAIN',
        ...ASTER_REFS,
        'aster:',
        '  include_user: true',
        '  signature_prefix_0x: false',
        '  sign_encoding: raw',
      ]),
      ASTER_ENV,
    );
    assert.deepEqual(exchange.asterSigning, { includeUser: true, signaturePrefix0x: false, signEncoding: 'raw' });
  });

  it('fills the switches a partial section leaves out with the defaults', () => {
    const exchange = loadExchange(agentFile(['type: aster', 'account: MAIN', ...ASTER_REFS, 'aster:', '  include_user: true']), ASTER_ENV);
    assert.deepEqual(exchange.asterSigning, { ...ASTER_SIGNING_DEFAULTS, includeUser: true });
  });

  it('refuses an unknown encoding, a non-boolean switch and an unknown switch', () => {
    const base = ['type: aster', 'account: MAIN', ...ASTER_REFS];
    const encoding = loadError(writeArena(agentFile([...base, 'aster:', '  sign_encoding: hex'])), ASTER_ENV);
    assert.equal(encoding.path, 'exchange.aster.sign_encoding');
    assert.match(encoding.message, /exchange\.aster\.sign_encoding: unknown signing encoding "hex" \(expected one of urlencoded, raw\)/);

    const flag = loadError(writeArena(agentFile([...base, 'aster:', '  include_user: maybe'])), ASTER_ENV);
    assert.equal(flag.path, 'exchange.aster.include_user');
    assert.match(flag.message, /expected true or false/);

    const typo = loadError(writeArena(agentFile([...base, 'aster:', '  signature_prefix: false'])), ASTER_ENV);
    assert.equal(typo.path, 'exchange.aster.signature_prefix');
    assert.match(typo.message, /unknown field/);
  });

  it('only Aster accounts carry signing options', () => {
    const binance = loadExchange(agentFile(['type: binance', 'account: MAIN']), {
      BINANCE_API_KEY_MAIN: 'k-secret',
      BINANCE_API_SECRET_MAIN: 's-secret',
    });
    assert.ok(!('asterSigning' in binance));
    const paper = loadExchange(agentFile(['type: paper']), {}, 'agents:\n  - { id: alpha, config_file: agents/alpha.yaml }\n');
    assert.ok(!('asterSigning' in paper));
  });

  it('refuses fields another venue would silently ignore, naming them', () => {
    const env = { BINANCE_API_KEY_MAIN: 'k-secret', BINANCE_API_SECRET_MAIN: 's-secret' };
    const aster = loadError(writeArena(agentFile(['type: binance', 'account: MAIN', 'aster:', '  include_user: true'])), env);
    assert.equal(aster.path, 'exchange.aster');
    const paperArena = 'agents:\n  - { id: alpha, config_file: agents/alpha.yaml }\n';
    const url = loadError(writeArena(agentFile(['type: paper', 'base_url: http://127.0.0.1:1']), paperArena));
    assert.equal(url.path, 'exchange.base_url');
    const key = loadError(writeArena(agentFile(['type: paper', 'api_key: ${BINANCE_API_KEY_MAIN}']), paperArena), env);
    assert.equal(key.path, 'exchange.api_key');
    assert.ok(!key.message.includes('k-secret'));
  });
});

describe('exchange config: credential variables', () => {
  it('keeps the names of the variables the file references, never their values', () => {
    const arena = loadArenaConfig(writeArena(agentFile(['type: aster', 'account: MAIN', ...ASTER_REFS])), ASTER_ENV);
    const exchange = arena.agents[0]!.config!.exchange;
    assert.deepEqual(exchange.credentialEnv, {
      user: 'ASTER_USER_MAIN',
      signer: 'ASTER_SIGNER_MAIN',
      private_key: 'ASTER_PRIVATE_KEY_MAIN',
    });
    const everything = JSON.stringify(arena);
    for (const value of Object.values(ASTER_ENV)) assert.ok(!everything.includes(value), `${value} must not be in the resolved config`);
  });

  it('a live account that names no variable gets an empty map (the conventional names apply)', () => {
    const env = { BINANCE_API_KEY_ALPHA: 'k-secret', BINANCE_API_SECRET_ALPHA: 's-secret' };
    const arena = loadArenaConfig(writeArena(agentFile(['type: binance'])), env);
    const exchange = arena.agents[0]!.config!.exchange;
    assert.equal(exchange.account, 'alpha', 'the account defaults to the agent id');
    assert.deepEqual(exchange.credentialEnv, {});
    for (const value of Object.values(env)) assert.ok(!JSON.stringify(arena).includes(value));
  });

  it('skips a live agent until its conventional variables are set', () => {
    const file = writeArena(agentFile(['type: hyperliquid', 'account: MAIN']));
    assert.equal(loadArenaConfig(file, {}).agents[0]!.skipReason, 'HYPERLIQUID_PRIVATE_KEY_MAIN is not set');
    // The main account address is optional for Hyperliquid.
    const exchange = loadExchange(agentFile(['type: hyperliquid', 'account: MAIN']), { HYPERLIQUID_PRIVATE_KEY_MAIN: 'pk-secret' });
    assert.deepEqual(exchange.credentialEnv, {});
  });

  it('a paper account has no credential variables', () => {
    const paper = loadExchange(agentFile(['type: paper']), {}, 'agents:\n  - { id: alpha, config_file: agents/alpha.yaml }\n');
    assert.ok(!('credentialEnv' in paper));
  });

  it('refuses a literal value in a credential field without echoing it', () => {
    const err = loadError(writeArena(agentFile(['type: binance', 'account: MAIN', 'api_secret: s3cr3t-literal-value'])));
    assert.equal(err.path, 'exchange.api_secret');
    assert.ok(!err.message.includes('s3cr3t-literal-value'));
    assert.ok(!JSON.stringify(err.value ?? null).includes('s3cr3t-literal-value'));
  });
});

describe('validateAgentConfig: the new exchange fields', () => {
  const good: AgentConfig = {
    ...paperAgentConfig('alpha', 'Alpha', { provider: 'rule_based', model: 'ema_trend', temperature: 0.15, maxTokens: 4000 }),
    exchange: {
      type: 'aster',
      account: 'MAIN',
      testnet: true,
      takerFeeRate: 0.0005,
      slippageRate: 0.0002,
      baseUrl: 'https://fapi.asterdex-testnet.com',
      credentialEnv: { user: 'ASTER_USER_MAIN', private_key: 'ASTER_PRIVATE_KEY_MAIN' },
      asterSigning: { includeUser: true, signaturePrefix0x: false, signEncoding: 'raw' },
    },
  };

  it('accepts them', () => {
    assert.deepEqual(validateAgentConfig(structuredClone(good)), good);
  });

  it('rejects a bad base URL, a bad variable name and a bad encoding, naming the field', () => {
    const bad = (exchange: Partial<ExchangeConfig> | Record<string, unknown>) => ({ ...good, exchange: { ...good.exchange, ...exchange } });
    assert.throws(() => validateAgentConfig(bad({ baseUrl: 'ws://x' })), /exchange\.baseUrl: expected an http\(s\) URL, got "ws:\/\/x"/);
    assert.throws(
      () => validateAgentConfig(bad({ credentialEnv: { user: '${ASTER_USER_MAIN}' } })),
      /exchange\.credentialEnv\.user: expected an environment variable name/,
    );
    assert.throws(() => validateAgentConfig(bad({ credentialEnv: { password: 'X' } })), /exchange\.credentialEnv\.password: unknown field/);
    assert.throws(
      () => validateAgentConfig(bad({ asterSigning: { includeUser: true, signaturePrefix0x: true, signEncoding: 'hex' } })),
      /exchange\.asterSigning\.signEncoding: unknown signing encoding "hex"/,
    );
  });
});
