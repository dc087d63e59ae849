/**
 * callModel with the real OpenAI and Anthropic SDK clients against local servers speaking the
 * providers' wire protocols (test/support/llm-servers.ts). Nothing leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import type { DecisionMakerConfig } from '../../arena-config/types';
import { callModel } from '../../decisions/llm/call-model';
import { callCost } from '../../decisions/llm/cost';
import { parseReply } from '../../decisions/llm/parse-reply';
import { PROVIDERS, type LlmProvider } from '../../decisions/llm/providers';
import { LlmCallError, type LlmErrorKind, type LlmReply, type PromptMessages } from '../../decisions/llm/types';
import { freePort } from '../support/ports';
import { type MockLlmServer, type MockScript, startAnthropicServer, startOpenAiServer } from '../support/llm-servers';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyz';
const MODEL = 'test-model';
const PROMPT: PromptMessages = {
  system: 'You are a careful crypto futures trader. Answer in JSON.',
  user: 'BTCUSDT 65000, RSI(7) 71. Account: 10000 USDT.',
};
const REPLY = {
  reasoning: 'RSI is stretched; no edge.',
  decisions: [
    {
      action: 'open_long',
      symbol: 'BTCUSDT',
      size_usd: 1000,
      leverage: 5,
      stop_loss: 63000,
      take_profit: 69000,
      confidence: 0.6,
      reason: 'trend',
    },
  ],
};
/** What the decide activity does with a reply. */
const parse = (reply: LlmReply) => parseReply(reply.text, ['BTCUSDT'], { structured: reply.structuredOutput, truncated: reply.truncated });
const OPENAI_COMPATIBLE = (Object.keys(PROVIDERS) as LlmProvider[]).filter((p) => PROVIDERS[p].family === 'openai-compatible');

/** Every error message seen in this file, checked for the key at the end. */
const messages: string[] = [];

function config(
  provider: LlmProvider,
  server: MockLlmServer | { url: string },
  overrides: Partial<DecisionMakerConfig> = {},
): DecisionMakerConfig {
  return {
    provider,
    model: MODEL,
    temperature: 0.15,
    maxTokens: 4000,
    baseUrl: server.url,
    apiKeyEnv: 'TEST_LLM_KEY',
    timeoutSeconds: 10,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LlmCallError, `expected an LlmCallError, got ${String(err)}`);
    messages.push(err.message, String(err.stack));
    return err;
  }
  assert.fail('the call should have failed');
}

const servers: MockLlmServer[] = [];
async function openAi(script?: MockScript, apiKey: string | null = KEY): Promise<MockLlmServer> {
  const server = await startOpenAiServer({ apiKey, models: [MODEL], script });
  servers.push(server);
  return server;
}
async function anthropic(script?: MockScript): Promise<MockLlmServer> {
  const server = await startAnthropicServer({ apiKey: KEY, models: [MODEL], script });
  servers.push(server);
  return server;
}

describe('callModel', function () {
  this.timeout(20_000);

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  after(() => {
    for (const m of messages)
      assert.ok(!m.includes(KEY) && !m.includes(KEY.slice(0, 12)) && !m.includes(KEY.slice(-12)), `the key leaked into: ${m}`);
  });

  describe('OpenAI-compatible providers: the request and the reply', () => {
    for (const provider of OPENAI_COMPATIBLE) {
      const spec = PROVIDERS[provider];
      it(`${provider}: ${spec.structuredOutput} structured output, model, temperature, ${spec.maxTokensField}, key`, async () => {
        const server = await openAi(() => ({ json: REPLY, usage: { input: 1234, output: 56 } }));
        const reply = await callModel(config(provider, server), PROMPT, { apiKey: KEY });

        assert.deepEqual(JSON.parse(reply.raw), REPLY);
        assert.equal(reply.tokensIn, 1234);
        assert.equal(reply.tokensOut, 56);
        assert.ok(reply.latencyMs >= 0 && reply.latencyMs < 10_000);
        assert.equal(reply.truncated, false);
        // Only a strict schema (OpenAI's) guarantees one JSON document: that is structured output, the rest is text.
        if (provider === 'openai') {
          assert.deepEqual([reply.text, reply.structuredOutput], ['', JSON.stringify(REPLY)]);
        } else {
          assert.deepEqual([reply.text, reply.structuredOutput], [JSON.stringify(REPLY), undefined]);
        }

        assert.equal(server.requests.length, 1);
        const [req] = server.requests;
        assert.equal(req.path, '/v1/chat/completions');
        assert.equal(req.authorized, true);
        assert.equal(req.headers.authorization, '[redacted]');
        assert.equal(req.body.model, MODEL);
        assert.equal(req.body.temperature, 0.15);
        assert.equal(req.body[spec.maxTokensField], 4000);
        assert.equal(req.body[spec.maxTokensField === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens'], undefined);
        assert.equal(req.body.stream, undefined);
        assert.deepEqual(req.body.messages, [
          { role: 'system', content: PROMPT.system },
          { role: 'user', content: PROMPT.user },
        ]);
        const format = req.body.response_format;
        if (spec.structuredOutput === 'json_schema') {
          assert.equal(format.type, 'json_schema');
          assert.equal(format.json_schema.name, 'trading_decisions');
          assert.deepEqual(format.json_schema.schema.required, ['reasoning', 'decisions']);
          assert.deepEqual(format.json_schema.schema.properties.decisions.items.properties.action.enum, [
            'open_long',
            'open_short',
            'close',
            'hold',
            'wait',
          ]);
          // OpenAI's strict dialect: every property required, optional ones nullable, nothing extra.
          const strict = provider === 'openai';
          assert.equal(format.json_schema.strict, strict);
          assert.equal(format.json_schema.schema.additionalProperties, strict ? false : undefined);
        } else if (spec.structuredOutput === 'json_object') {
          assert.deepEqual(format, { type: 'json_object' });
        } else {
          assert.equal(format, undefined);
        }
      });
    }

    it('json_object: says "JSON" in the system prompt when the prompt never does (the APIs refuse otherwise)', async () => {
      const server = await openAi(() => ({ json: REPLY }));
      const prompt = { system: 'You trade perps.', user: 'BTCUSDT 65000.' };
      await callModel(config('deepseek', server), prompt, { apiKey: KEY });
      const [system, user] = server.requests[0].body.messages;
      assert.match(system.content, /^You trade perps\.\n\nReply with one JSON object only/);
      assert.equal(user.content, prompt.user);
    });

    it('local: no key, no Authorization header', async () => {
      const server = await openAi(() => ({ text: 'plain text reply' }), null);
      const reply = await callModel({ ...config('local', server), apiKeyEnv: undefined }, PROMPT, { apiKey: undefined });
      assert.equal(reply.raw, 'plain text reply');
      assert.equal(reply.text, 'plain text reply');
      assert.equal(reply.structuredOutput, undefined);
      assert.equal(server.requests[0].headers.authorization, undefined);
    });

    it('a key with a trailing newline (from a .env file) is trimmed', async () => {
      const server = await openAi();
      await callModel(config('openai', server), PROMPT, { apiKey: `${KEY}\n` });
      assert.equal(server.requests[0].authorized, true);
    });

    it('no usage in the reply: 0 tokens; a tool call instead of content: its arguments, as structured output', async () => {
      const server = await openAi(() => ({ toolInput: REPLY, usage: null }));
      const reply = await callModel(config('xai', server), PROMPT, { apiKey: KEY });
      assert.deepEqual(JSON.parse(reply.raw), REPLY);
      assert.deepEqual([reply.text, reply.structuredOutput], ['', JSON.stringify(REPLY)]);
      assert.equal(reply.tokensIn, 0);
      assert.equal(reply.tokensOut, 0);
    });

    it('the configured temperature is sent as is up to 2', async () => {
      const server = await openAi();
      await callModel(config('openai', server, { temperature: 1 }), PROMPT, { apiKey: KEY });
      assert.equal(server.requests[0].body.temperature, 1);
    });
  });

  describe('Anthropic: the request and the reply', () => {
    it('a forced submit_decisions tool call; model, max_tokens, system, key, version; no temperature', async () => {
      const server = await anthropic(() => ({ json: REPLY, usage: { input: 2000, output: 300 } }));
      const reply = await callModel(config('anthropic', server), PROMPT, { apiKey: KEY });

      assert.deepEqual(JSON.parse(reply.raw), REPLY);
      assert.deepEqual(reply.structuredOutput, REPLY);
      assert.equal(reply.text, '');
      assert.equal(reply.truncated, false);
      assert.equal(reply.tokensIn, 2000);
      assert.equal(reply.tokensOut, 300);

      const [req] = server.requests;
      assert.equal(req.path, '/v1/messages');
      assert.equal(req.authorized, true);
      assert.ok(req.headers['anthropic-version']);
      assert.equal(req.body.model, MODEL);
      assert.equal(req.body.max_tokens, 4000);
      assert.equal(req.body.system, PROMPT.system);
      assert.deepEqual(req.body.messages, [{ role: 'user', content: PROMPT.user }]);
      // API version 2026-10-21 (the SDK's) answers 400 to any sampling parameter.
      assert.equal(req.body.temperature, undefined);
      assert.equal(req.body.tools.length, 1);
      assert.equal(req.body.tools[0].name, 'submit_decisions');
      assert.equal(req.body.tools[0].input_schema.type, 'object');
      assert.deepEqual(req.body.tools[0].input_schema.required, ['reasoning', 'decisions']);
      assert.deepEqual(req.body.tool_choice, { type: 'tool', name: 'submit_decisions' });
    });

    it('a text reply instead of the tool: the text, not structured', async () => {
      const server = await anthropic(() => ({ text: 'I would rather wait.' }));
      const reply = await callModel(config('anthropic', server), PROMPT, { apiKey: KEY });
      assert.equal(reply.raw, 'I would rather wait.');
      assert.equal(reply.text, 'I would rather wait.');
      assert.equal(reply.structuredOutput, undefined);
    });
  });

  describe('what the parser gets: the text, the structured output, a cut', () => {
    const OPEN = REPLY.decisions[0]!;
    const CUT_JSON = '{"reasoning": "breakout", "decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1000';

    it('OpenAI-compatible: finish_reason "length" is a cut, and a cut reply trades nothing, complete-looking or not', async () => {
      const server = await openAi(() => ({ json: REPLY, stopReason: 'length' }));
      const reply = await callModel(config('deepseek', server), PROMPT, { apiKey: KEY });
      assert.equal(reply.truncated, true);
      assert.deepEqual(JSON.parse(reply.text), REPLY);
      assert.deepEqual(
        parse(reply).decisions.map((d) => d.action),
        ['wait'],
      );
      assert.match(parse(reply).decisions[0]!.reason, /cut off by its output limit/);
    });

    it('OpenAI strict schema: a reply cut mid-JSON stays the string received, and is not traded', async () => {
      const server = await openAi(() => ({ text: CUT_JSON, stopReason: 'length' }));
      const reply = await callModel(config('openai', server), PROMPT, { apiKey: KEY });
      assert.deepEqual([reply.text, reply.structuredOutput, reply.truncated, reply.raw], ['', CUT_JSON, true, CUT_JSON]);
      assert.equal(parse(reply).parsed, false);
    });

    it('OpenAI strict schema and tool-call arguments: the parser takes them as the answer', async () => {
      for (const script of [() => ({ json: REPLY }), () => ({ toolInput: REPLY })]) {
        const server = await openAi(script);
        const reply = await callModel(config('openai', server), PROMPT, { apiKey: KEY });
        const parsed = parse(reply);
        assert.equal(parsed.parsed, true);
        assert.deepEqual(
          parsed.decisions.map((d) => [d.action, d.symbol, d.sizeUsd]),
          [[OPEN.action, OPEN.symbol, OPEN.size_usd]],
        );
        assert.equal(parsed.reasoning, REPLY.reasoning);
      }
    });

    it('tool-call arguments are passed as received: broken JSON stays a string, a duplicated key stays visible', async () => {
      const broken = await openAi(() => ({ toolInput: CUT_JSON }));
      const cut = await callModel(config('xai', broken), PROMPT, { apiKey: KEY });
      assert.deepEqual([cut.text, cut.structuredOutput, cut.truncated], ['', CUT_JSON, false]);
      assert.match(parse(cut).decisions[0]!.reason, /the structured output is not JSON/);

      // JSON.parse would keep the last "action" silently; the parser reads the string and refuses the decision.
      const twice =
        '{"reasoning": "r", "decisions": [{"action": "wait", "symbol": "BTCUSDT", "reason": "calm", "action": "open_long", "size_usd": 5000}]}';
      const injected = await openAi(() => ({ toolInput: twice }));
      const reply = await callModel(config('xai', injected), PROMPT, { apiKey: KEY });
      assert.equal(reply.structuredOutput, twice);
      const parsed = parse(reply);
      assert.ok(!parsed.decisions.some((d) => d.action === 'open_long'), JSON.stringify(parsed.decisions));
      assert.match(JSON.stringify(parsed.rejected), /duplicated key \\"action\\"/);
    });

    it('OpenAI-compatible: content beside a tool call is the reply, as text; the call is not read', async () => {
      const server = await openAi(() => ({ toolInput: REPLY, besideText: 'No trade this cycle.' }));
      const reply = await callModel(config('deepseek', server), PROMPT, { apiKey: KEY });
      assert.deepEqual([reply.text, reply.structuredOutput, reply.raw], ['No trade this cycle.', undefined, 'No trade this cycle.']);
    });

    it("Anthropic: the text blocks are the text, the forced tool call's input the structured output", async () => {
      const server = await anthropic(() => ({ toolInput: REPLY, besideText: 'Momentum is fading; I will size down.' }));
      const reply = await callModel(config('anthropic', server), PROMPT, { apiKey: KEY });
      assert.equal(reply.text, 'Momentum is fading; I will size down.');
      assert.deepEqual(reply.structuredOutput, REPLY);
      assert.deepEqual(JSON.parse(reply.raw), REPLY);
      assert.equal(reply.truncated, false);
      assert.deepEqual(
        parse(reply).decisions.map((d) => d.action),
        [OPEN.action],
      );
    });

    it('Anthropic: stop_reason "max_tokens" (or the context window\'s) is a cut, tool call or text, and trades nothing', async () => {
      for (const stopReason of ['max_tokens', 'model_context_window_exceeded']) {
        const tool = await anthropic(() => ({ toolInput: { reasoning: 'breakout', decisions: [OPEN] }, stopReason }));
        const cutTool = await callModel(config('anthropic', tool), PROMPT, { apiKey: KEY });
        assert.equal(cutTool.truncated, true, stopReason);
        assert.deepEqual(
          parse(cutTool).decisions.map((d) => d.action),
          ['wait'],
        );

        const text = await anthropic(() => ({ text: CUT_JSON, stopReason }));
        const cutText = await callModel(config('anthropic', text), PROMPT, { apiKey: KEY });
        assert.deepEqual([cutText.text, cutText.structuredOutput, cutText.truncated], [CUT_JSON, undefined, true]);
        assert.equal(parse(cutText).parsed, false);
      }
    });

    it('Anthropic: end_turn and tool_use are not cuts', async () => {
      for (const stopReason of ['end_turn', 'tool_use', 'stop_sequence']) {
        const server = await anthropic(() => ({ json: REPLY, stopReason }));
        assert.equal((await callModel(config('anthropic', server), PROMPT, { apiKey: KEY })).truncated, false, stopReason);
      }
    });
  });

  describe('failures, classified', () => {
    const families: Array<{ provider: LlmProvider; start: (script?: MockScript) => Promise<MockLlmServer> }> = [
      { provider: 'openai', start: openAi },
      { provider: 'deepseek', start: openAi },
      { provider: 'anthropic', start: anthropic },
    ];
    const HTTP_CASES: Array<{ name: string; script: MockScript; kind: LlmErrorKind; status: number; retryAfterMs?: number }> = [
      { name: '400', script: () => ({ status: 400, message: 'messages: bad shape' }), kind: 'bad_request', status: 400 },
      { name: '422', script: () => ({ status: 422 }), kind: 'bad_request', status: 422 },
      { name: '403', script: () => ({ status: 403 }), kind: 'auth', status: 403 },
      {
        name: '429 with Retry-After: 7',
        script: () => ({ status: 429, headers: { 'retry-after': '7' } }),
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: 7000,
      },
      {
        name: '429 with retry-after-ms: 1500',
        script: () => ({ status: 429, headers: { 'retry-after-ms': '1500' } }),
        kind: 'rate_limited',
        status: 429,
        retryAfterMs: 1500,
      },
      { name: '500', script: () => ({ status: 500 }), kind: 'server', status: 500 },
      { name: '529 (overloaded)', script: () => ({ status: 529 }), kind: 'server', status: 529 },
      {
        name: '502 with an HTML page',
        script: () => ({ status: 502, body: `<html><body>${'Bad gateway '.repeat(500)}</body></html>` }),
        kind: 'server',
        status: 502,
      },
    ];

    for (const { provider, start } of families) {
      describe(provider, () => {
        for (const c of HTTP_CASES) {
          it(`${c.name} → ${c.kind}`, async () => {
            const server = await start(c.script);
            const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY }));
            assert.equal(err.kind, c.kind);
            assert.equal(err.status, c.status);
            assert.equal(err.retryAfterMs, c.retryAfterMs);
            assert.ok(err.message.startsWith(`${provider} ${MODEL}: HTTP ${c.status}`), err.message);
            assert.ok(err.message.length <= 600, 'the message is capped');
            assert.equal(server.requests.length, 1, 'no SDK retries');
          });
        }

        it('429 with Retry-After as an HTTP date → its distance from now', async () => {
          const server = await start(() => ({ status: 429, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } }));
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'rate_limited');
          assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 25_000 && err.retryAfterMs <= 30_000, String(err.retryAfterMs));
        });

        it('a wrong key → auth (401), and the key echoed by the server is scrubbed', async () => {
          const server = await start();
          const wrongKey = `${KEY.slice(0, -6)}WRONG!`;
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: wrongKey }));
          assert.equal(err.kind, 'auth');
          assert.equal(err.status, 401);
          assert.ok(!err.message.includes(wrongKey) && !err.message.includes(wrongKey.slice(0, 12)), err.message);
        });

        it('a server quoting the key in any error → scrubbed', async () => {
          const server = await start(() => ({
            status: 400,
            message: `key ${KEY} (encoded ${encodeURIComponent(KEY)}) is not allowed here; Bearer ${KEY}`,
          }));
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'bad_request');
          assert.ok(!err.message.includes(KEY), err.message);
          assert.match(err.message, /\[redacted\]/);
        });

        it('an unknown model (404) → bad_request', async () => {
          const server = await start();
          const err = await failure(callModel(config(provider, server, { model: 'no-such-model' }), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'bad_request');
          assert.equal(err.status, 404);
        });

        it('a server that never answers → timeout at timeoutSeconds', async () => {
          const server = await start(() => 'hang');
          const started = Date.now();
          const err = await failure(callModel(config(provider, server, { timeoutSeconds: 0.3 }), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'timeout');
          assert.ok(Date.now() - started < 3000);
        });

        it('a body that stalls after the headers → timeout too (the SDK timeout stops at the headers)', async () => {
          const server = await start(() => 'hang-body');
          const err = await failure(callModel(config(provider, server, { timeoutSeconds: 0.3 }), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'timeout');
        });

        it('aborting the signal mid-call → cancelled', async () => {
          const server = await start(() => 'hang');
          const controller = new AbortController();
          setTimeout(() => controller.abort(), 100);
          const started = Date.now();
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY, signal: controller.signal }));
          assert.equal(err.kind, 'cancelled');
          assert.ok(Date.now() - started < 3000);
        });

        it('an already aborted signal → cancelled, nothing sent', async () => {
          const server = await start();
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY, signal: AbortSignal.abort() }));
          assert.equal(err.kind, 'cancelled');
          assert.equal(server.requests.length, 0);
        });

        it('a connection reset → network', async () => {
          const server = await start(() => 'reset');
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'network');
        });

        it('nothing listening → network', async () => {
          const port = await freePort();
          const url = provider === 'anthropic' ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`;
          const err = await failure(callModel(config(provider, { url }), PROMPT, { apiKey: KEY }));
          assert.equal(err.kind, 'network');
        });

        it('no key → auth, nothing sent', async () => {
          const server = await start();
          const err = await failure(callModel(config(provider, server), PROMPT, { apiKey: undefined }));
          assert.equal(err.kind, 'auth');
          assert.match(err.message, /TEST_LLM_KEY is not set/);
          assert.equal(server.requests.length, 0);
        });
      });
    }

    it('rule_based → bad_request (it calls no model)', async () => {
      const err = await failure(callModel({ ...config('openai', { url: '' }), provider: 'rule_based' }, PROMPT, { apiKey: KEY }));
      assert.equal(err.kind, 'bad_request');
    });

    it('local without base_url → bad_request, nothing sent', async () => {
      const err = await failure(callModel({ ...config('local', { url: '' }), baseUrl: undefined }, PROMPT, { apiKey: undefined }));
      assert.equal(err.kind, 'bad_request');
      assert.match(err.message, /base_url/);
    });
  });
});

describe('providers', () => {
  it('default base URLs; only local has none and takes no key', () => {
    assert.deepEqual(Object.fromEntries(Object.values(PROVIDERS).map((p) => [p.id, p.defaultBaseUrl])), {
      deepseek: 'https://api.deepseek.com',
      qwen: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
      anthropic: 'https://api.anthropic.com',
      openai: 'https://api.openai.com/v1',
      xai: 'https://api.x.ai/v1',
      google: 'https://generativelanguage.googleapis.com/v1beta/openai/',
      openrouter: 'https://openrouter.ai/api/v1',
      local: null,
    });
    assert.deepEqual(
      Object.values(PROVIDERS)
        .filter((p) => !p.keyRequired)
        .map((p) => p.id),
      ['local'],
    );
  });
});

describe('callCost', () => {
  const base = config('deepseek', { url: '' });

  it('USD from the prices per million tokens', () => {
    assert.equal(callCost({ ...base, priceInputPerMillion: 0.28, priceOutputPerMillion: 0.42 }, 1_000_000, 500_000), 0.28 + 0.21);
    assert.ok(Math.abs(callCost({ ...base, priceInputPerMillion: 3, priceOutputPerMillion: 15 }, 12_000, 800) - 0.048) < 1e-12);
  });

  it('0 when the prices are unset, and for nonsense token counts', () => {
    assert.equal(callCost(base, 10_000, 2_000), 0);
    assert.equal(callCost({ ...base, priceInputPerMillion: 1, priceOutputPerMillion: 1 }, Number.NaN, -5), 0);
  });
});
