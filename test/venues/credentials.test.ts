import assert from 'node:assert/strict';
import type { ExchangeConfig } from '../../arena-config/types';
import { conventionalCredentialEnv, credentialEnvName, loadCredentials, requiredCredentialEnv } from '../../venues/credentials';
import { VenueRejection } from '../../venues/venue';

function exchange(type: ExchangeConfig['type'], account: string, credentialEnv?: ExchangeConfig['credentialEnv']): ExchangeConfig {
  return { type, account, testnet: true, takerFeeRate: 0.0005, slippageRate: 0.0002, ...(credentialEnv && { credentialEnv }) };
}

function missing(fn: () => unknown): VenueRejection {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof VenueRejection, `expected a VenueRejection, got ${String(err)}`);
    assert.equal(err.code, 'MISSING_CREDENTIALS');
    return err;
  }
  assert.fail('expected MISSING_CREDENTIALS');
}

const SECRETS = ['0xuser-value', '0xsigner-value', 'pk-secret-value', 'api-key-value', 'api-secret-value'];

describe('credential variable names', () => {
  it('follow <VENUE>_<FIELD>_<ACCOUNT>, the account upper-cased with other characters as _', () => {
    assert.equal(conventionalCredentialEnv('aster', 'private_key', 'main'), 'ASTER_PRIVATE_KEY_MAIN');
    assert.equal(conventionalCredentialEnv('binance', 'api_secret', 'deepseek-chat'), 'BINANCE_API_SECRET_DEEPSEEK_CHAT');
    assert.equal(conventionalCredentialEnv('hyperliquid', 'user', 'gpt.5 test'), 'HYPERLIQUID_USER_GPT_5_TEST');
  });

  it('come from the agent file where it names them, from the convention otherwise', () => {
    const ex = exchange('aster', 'main', { private_key: 'ASTER_MY_KEY_MAIN' });
    assert.equal(credentialEnvName(ex, 'private_key'), 'ASTER_MY_KEY_MAIN');
    assert.equal(credentialEnvName(ex, 'user'), 'ASTER_USER_MAIN');
    assert.equal(credentialEnvName(exchange('binance', 'x'), 'api_key'), 'BINANCE_API_KEY_X');
  });
});

describe('requiredCredentialEnv', () => {
  it("lists the variables a live account cannot run without, the file's names first", () => {
    assert.deepEqual(requiredCredentialEnv(exchange('aster', 'main', { signer: 'ASTER_MY_SIGNER_MAIN' })), [
      'ASTER_USER_MAIN',
      'ASTER_MY_SIGNER_MAIN',
      'ASTER_PRIVATE_KEY_MAIN',
    ]);
    assert.deepEqual(requiredCredentialEnv(exchange('binance', 'x')), ['BINANCE_API_KEY_X', 'BINANCE_API_SECRET_X']);
    assert.deepEqual(
      requiredCredentialEnv(exchange('hyperliquid', 'x', { user: 'HL_USER_X' })),
      ['HYPERLIQUID_PRIVATE_KEY_X'],
      'the optional main address is not required',
    );
    assert.deepEqual(requiredCredentialEnv(exchange('paper', 'x')), []);
  });
});

describe('loadCredentials', () => {
  it("reads Aster's user, signer and private key from the conventional variables", () => {
    const env = { ASTER_USER_MAIN: '0xuser-value', ASTER_SIGNER_MAIN: '0xsigner-value', ASTER_PRIVATE_KEY_MAIN: 'pk-secret-value' };
    assert.deepEqual(loadCredentials('aster', exchange('aster', 'main'), env), {
      user: '0xuser-value',
      signer: '0xsigner-value',
      privateKey: 'pk-secret-value',
    });
  });

  it('reads the variables the agent file names, trimming stray whitespace', () => {
    const ex = exchange('binance', 'main', { api_key: 'BINANCE_ALT_KEY_MAIN', api_secret: 'BINANCE_ALT_SECRET_MAIN' });
    const env = { BINANCE_ALT_KEY_MAIN: ' api-key-value\n', BINANCE_ALT_SECRET_MAIN: 'api-secret-value', BINANCE_API_KEY_MAIN: 'ignored' };
    assert.deepEqual(loadCredentials('binance', ex, env), { apiKey: 'api-key-value', apiSecret: 'api-secret-value' });
  });

  it('Hyperliquid needs only the private key; the main account address is optional', () => {
    const ex = exchange('hyperliquid', 'main');
    assert.deepEqual(loadCredentials('hyperliquid', ex, { HYPERLIQUID_PRIVATE_KEY_MAIN: 'pk-secret-value' }), {
      privateKey: 'pk-secret-value',
    });
    assert.deepEqual(
      loadCredentials('hyperliquid', ex, { HYPERLIQUID_PRIVATE_KEY_MAIN: 'pk-secret-value', HYPERLIQUID_USER_MAIN: '0xuser-value' }),
      { privateKey: 'pk-secret-value', user: '0xuser-value' },
    );
    assert.deepEqual(loadCredentials('hyperliquid', ex, { HYPERLIQUID_PRIVATE_KEY_MAIN: 'pk', HYPERLIQUID_USER_MAIN: '  ' }), {
      privateKey: 'pk',
    });
  });

  it('a missing variable is a permanent rejection naming every missing variable and no value', () => {
    const env = { ASTER_USER_MAIN: '0xuser-value', ASTER_SIGNER_MAIN: '', ASTER_PRIVATE_KEY_OTHER: 'pk-secret-value' };
    const err = missing(() => loadCredentials('aster', exchange('aster', 'main'), env));
    assert.equal(err.name, 'VenueRejection');
    assert.equal(err.message, 'aster account "main": set ASTER_SIGNER_MAIN, ASTER_PRIVATE_KEY_MAIN in the environment (or .env)');
    for (const secret of SECRETS) {
      assert.ok(!err.message.includes(secret), `the message must not contain ${secret}`);
      assert.ok(!JSON.stringify(err).includes(secret));
      assert.ok(!String(err.stack).includes(secret));
    }
  });

  it('names the variable the agent file chose', () => {
    const ex = exchange('binance', 'main', { api_secret: 'BINANCE_ALT_SECRET_MAIN' });
    const err = missing(() => loadCredentials('binance', ex, { BINANCE_API_KEY_MAIN: 'api-key-value' }));
    assert.match(err.message, /set BINANCE_ALT_SECRET_MAIN in the environment/);
    assert.ok(!err.message.includes('api-key-value'));
  });

  it('whitespace-only counts as missing', () => {
    const err = missing(() => loadCredentials('hyperliquid', exchange('hyperliquid', 'main'), { HYPERLIQUID_PRIVATE_KEY_MAIN: ' \t ' }));
    assert.match(err.message, /set HYPERLIQUID_PRIVATE_KEY_MAIN in/);
  });

  it('reads process.env by default', () => {
    const name = 'HYPERLIQUID_PRIVATE_KEY_CREDTEST_DEFAULT_ENV';
    process.env[name] = 'pk-from-process-env';
    try {
      assert.deepEqual(loadCredentials('hyperliquid', exchange('hyperliquid', 'credtest-default-env')), {
        privateKey: 'pk-from-process-env',
      });
    } finally {
      delete process.env[name];
    }
  });
});
