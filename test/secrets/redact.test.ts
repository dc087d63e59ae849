import assert from 'node:assert/strict';
import fc from 'fast-check';
import { REDACTED, Redactor } from '../../secrets/redact';
import { isSecretVariable, secretValues } from '../../secrets/known-secrets';
import { childEnv } from '../../infra/child-env';

const KEY = 'sk-ant-api03-Zq8vN2xLm4Pr7Ts1Wy6Bc9Dk3Hf5Jg0Qe';

describe('secret redaction', () => {
  const redactor = new Redactor([KEY]);

  it('removes the key in every encoding a provider or a model echoes it in', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const b64url = (s: string) => Buffer.from(s).toString('base64url');
    const echoes = [
      `invalid x-api-key: ${KEY}`,
      `{"error":"bad key ${JSON.stringify(KEY).slice(1, -1)}"}`,
      `GET /v1/models?key=${encodeURIComponent(KEY)}`,
      `Authorization: Basic ${b64(`user:${KEY}`)}`,
      `Authorization: Basic ${b64(`u:${KEY}`)}`,
      `Authorization: Basic ${b64(`:${KEY}`)}`,
      `token=${b64url(`${KEY}`)}&x=1`,
      `the key starts with ${KEY.slice(0, 14)}… (truncated)`,
      `…${KEY.slice(-13)} is not valid`,
      `Incorrect API key provided: ${KEY.slice(0, 8)}***${KEY.slice(-4)}`,
      `Bearer ${'x'.repeat(30)} was refused`,
    ];
    for (const echo of echoes) {
      const out = redactor.redact(echo);
      assert.ok(out.includes(REDACTED), `nothing redacted in: ${echo}`);
      assert.ok(!out.includes(KEY.slice(0, 12)) && !out.includes(KEY.slice(-12)), `a part of the key survived: ${out}`);
      for (const encoded of [b64(KEY), b64url(KEY)]) assert.ok(!out.includes(encoded.slice(4, 20)), `an encoded part survived: ${out}`);
    }
  });

  it('leaves text without the key alone, and ignores secrets too short to search for', () => {
    const text = 'HTTP 401: invalid_api_key: the key sk-other-0000 was rejected';
    assert.equal(redactor.redact(text), text);
    assert.equal(new Redactor(['short', '', undefined]).redact('a short word'), 'a short word');
  });

  it('never lets a base64 or URL-encoded copy of a random secret through, at any offset (property)', () => {
    fc.assert(
      fc.property(
        fc.string({
          minLength: 16,
          maxLength: 64,
          unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'),
        }),
        fc.string({ maxLength: 5 }),
        fc.string({ maxLength: 5 }),
        (secret, before, after) => {
          const r = new Redactor([secret]);
          for (const text of [
            `${before}${secret}${after}`,
            Buffer.from(`${before}${secret}${after}`).toString('base64'),
            Buffer.from(`${before}${secret}${after}`).toString('base64url'),
            encodeURIComponent(`${before}${secret}${after}`),
          ]) {
            const out = r.redact(text);
            assert.ok(!out.includes(secret.slice(0, 12)), out);
            // the decoded output must not hold the secret either
            assert.ok(!Buffer.from(out, 'base64').toString('latin1').includes(secret), out);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts every string inside a structure', () => {
    const out = redactor.redactDeep({ a: [`x ${KEY}`], b: { c: KEY, n: 3 } });
    assert.deepEqual(out, { a: [`x ${REDACTED}`], b: { c: REDACTED, n: 3 } });
  });

  it('knows which variables hold secrets', () => {
    for (const name of [
      'API_TOKEN',
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY_TEAM',
      'BINANCE_API_SECRET_MAIN',
      'ASTER_PRIVATE_KEY_X',
      'TEMPORAL_API_KEY',
      'DATABASE_URL',
      'TELEGRAM_BOT_TOKEN',
      'PGPASSWORD',
    ]) {
      assert.ok(isSecretVariable(name), name);
    }
    for (const name of ['PATH', 'HOME', 'ARENA_CONFIG', 'API_PORT', 'TEMPORAL_ADDRESS', 'KEYBOARD'])
      assert.ok(!isSecretVariable(name), name);
    assert.deepEqual(secretValues({ API_TOKEN: 'tok-123456789', PATH: '/bin', EMPTY_API_KEY: '' }), ['tok-123456789']);
  });

  it('starts children with the base variables only (and what they are given), never a key', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/root',
      API_TOKEN: 't',
      OPENAI_API_KEY: 'sk',
      GOPROXY: 'https://proxy',
      DATABASE_URL: 'postgres://',
    };
    assert.deepEqual(childEnv([], {}, env), { PATH: '/usr/bin', HOME: '/root' });
    assert.deepEqual(childEnv(['GOPROXY'], { GOTOOLCHAIN: 'auto' }, env), {
      PATH: '/usr/bin',
      HOME: '/root',
      GOPROXY: 'https://proxy',
      GOTOOLCHAIN: 'auto',
    });
  });
});
