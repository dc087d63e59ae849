/**
 * Local stand-ins for model APIs, on 127.0.0.1, speaking the real wire protocols so that tests run the
 * real SDK clients against them:
 *
 * - `startOpenAiServer`: `POST /v1/chat/completions` (OpenAI and every OpenAI-compatible provider);
 *   SDK `baseURL` = `server.url` (`http://127.0.0.1:<port>/v1`).
 * - `startAnthropicServer`: `POST /v1/messages`; SDK `baseURL` = `server.url` (`http://127.0.0.1:<port>`).
 *
 * Each server checks the request the way the real API does (key, model, message shapes, and for
 * Anthropic the version header, max_tokens and tools), answers with the documented response or error
 * shape, and records every request. What it answers is up to a script: `(request) => reply`.
 *
 *   const server = await startOpenAiServer({ apiKey: 'sk-test', models: ['gpt-test'],
 *     script: () => ({ json: { reasoning: 'calm', decisions: [{ action: 'wait', reason: 'flat' }] } }) });
 *   ...
 *   await server.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// The API.

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-case names; the values of `authorization` and `x-api-key` are replaced by "[redacted]". */
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it was not JSON). */
  body: any;
  /** The request carried the expected key (always true when the server takes no key). */
  authorized: boolean;
  /** Anthropic only: which header carried the key. */
  authHeader?: 'authorization' | 'x-api-key';
}

interface ReplyOptions {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Token counts to report; default: about one token per 4 characters. `null` leaves `usage` out. */
  usage?: { input: number; output: number } | null;
  /** OpenAI `finish_reason` / Anthropic `stop_reason`. */
  stopReason?: string;
  headers?: Record<string, string>;
}

export type MockReply =
  /** The assistant's text. */
  | ({ text: string } & ReplyOptions)
  /**
   * A JSON value. OpenAI: the message content, serialised. Anthropic: the input of a `tool_use` block
   * when the request forces a tool, a text block otherwise.
   */
  | ({ json: unknown } & ReplyOptions)
  /**
   * A tool call. OpenAI: `message.tool_calls`. Anthropic: a `tool_use` block. Name defaults to the forced
   * tool's. `besideText`: OpenAI's `content` beside the call; Anthropic's text block before it. A string
   * `toolInput` is sent as OpenAI's arguments exactly (broken JSON included).
   */
  | ({ toolInput: unknown; toolName?: string; besideText?: string } & ReplyOptions)
  /**
   * An error. `body` replaces the provider's error shape (a string is sent as is, e.g. an HTML page);
   * otherwise `{ error: { message, type, code } }` (OpenAI) or `{ type: 'error', error: { type, message } }`.
   */
  | { status: number; message?: string; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Never answers (until the server closes). */
  | 'hang'
  /** Sends the status line and headers, then never sends the body. */
  | 'hang-body'
  /** Closes the connection without answering. */
  | 'reset';

export type MockScript = (request: RecordedRequest) => MockReply | Promise<MockReply>;

export interface MockServerOptions {
  /** The key the server expects; null takes any request (a keyless local server). Default "test-key". */
  apiKey?: string | null;
  /** The models it serves. Default ["test-model"]. */
  models?: string[];
  /** Default: a `wait` decision as JSON. */
  script?: MockScript;
}

export interface MockLlmServer {
  /** The SDK's baseURL. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_MOCK_REPLY: MockReply = { json: { reasoning: 'mock', decisions: [{ action: 'wait', reason: 'mock' }] } };

export function startOpenAiServer(options: MockServerOptions = {}): Promise<MockLlmServer> {
  return startServer(options, openAiProtocol, '/v1');
}

export function startAnthropicServer(options: MockServerOptions = {}): Promise<MockLlmServer> {
  return startServer(options, anthropicProtocol, '');
}

// ---------------------------------------------------------------------------------------------
// The server.

interface Protocol {
  path: string;
  /** Whether the request carries the expected key, and in which header. */
  authorize(req: http.IncomingMessage, expectedKey: string | null): { ok: boolean; via?: RecordedRequest['authHeader'] };
  /** A problem with the request, as the API would report it, or null. */
  validate(req: RecordedRequest, models: string[]): ErrorReply | null;
  error(status: number, message: string | undefined, presentedKey: string): object;
  success(reply: Exclude<MockReply, string | ErrorReply>, request: RecordedRequest, n: number): object;
}

type ErrorReply = Extract<MockReply, { status: number }>;

async function startServer(options: MockServerOptions, protocol: Protocol, urlPath: string): Promise<MockLlmServer> {
  const apiKey = options.apiKey === undefined ? 'test-key' : options.apiKey;
  const models = options.models ?? ['test-model'];
  const script = options.script ?? (() => DEFAULT_MOCK_REPLY);
  const requests: RecordedRequest[] = [];
  let count = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text
        }
        const auth = protocol.authorize(req, apiKey);
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: redactedHeaders(req.headers),
          body,
          authorized: auth.ok,
          ...(auth.via && { authHeader: auth.via }),
        };
        requests.push(recorded);
        const presented = presentedKey(req);

        if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== protocol.path) {
          return send(res, 404, protocol.error(404, `Unknown request URL: ${req.method} ${req.url}`, presented));
        }
        if (!auth.ok) return send(res, 401, protocol.error(401, undefined, presented));
        if (typeof body !== 'object' || body === null) return send(res, 400, protocol.error(400, 'the body is not JSON', presented));
        const invalid = protocol.validate(recorded, models);
        if (invalid) return send(res, invalid.status, protocol.error(invalid.status, invalid.message, presented));

        const reply = await script(recorded);
        if (reply === 'hang') return; // the socket stays open until close()
        if (reply === 'reset') return req.socket.destroy();
        if (reply === 'hang-body') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"id":');
          return;
        }
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        if ('status' in reply) {
          const errorBody = reply.body !== undefined ? reply.body : protocol.error(reply.status, reply.message, presented);
          return send(res, reply.status, errorBody, reply.headers);
        }
        count++;
        send(res, 200, protocol.success(reply, recorded, count), reply.headers);
      })().catch((err: unknown) => {
        if (!res.headersSent)
          send(res, 500, { error: { message: `mock server failure: ${String(err)}`, type: 'server_error', code: null } });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${urlPath}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const isText = typeof body === 'string';
  res.writeHead(status, {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
    'x-request-id': `req_mock_${Date.now()}`,
    ...headers,
  });
  res.end(isText ? body : JSON.stringify(body));
}

function redactedHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === 'authorization' || name === 'x-api-key' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function presentedKey(req: http.IncomingMessage): string {
  const header = req.headers['x-api-key'] ?? req.headers.authorization ?? '';
  return (Array.isArray(header) ? header[0] : header)?.replace(/^Bearer\s+/i, '') ?? '';
}

const approxTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// OpenAI chat completions.

const OPENAI_ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

const openAiProtocol: Protocol = {
  path: '/v1/chat/completions',

  authorize(req, expectedKey) {
    if (expectedKey === null) return { ok: true };
    return { ok: req.headers.authorization === `Bearer ${expectedKey}` };
  },

  validate(request, models) {
    const body = request.body;
    const bad = (message: string): ErrorReply => ({ status: 400, message });
    if (typeof body.model !== 'string') return bad('you must provide a model parameter');
    if (!models.includes(body.model))
      return { status: 404, message: `The model \`${body.model}\` does not exist or you do not have access to it.` };
    if (!Array.isArray(body.messages) || body.messages.length === 0) return bad("'messages' must be a non-empty array");
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m) || !['system', 'user', 'assistant', 'developer'].includes(m.role))
        return bad(`Invalid value for 'messages[${i}].role'`);
      if (typeof m.content !== 'string') return bad(`Invalid type for 'messages[${i}].content': expected a string`);
    }
    if (body.stream) return bad('this mock does not stream');
    if (body.temperature !== undefined && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 2)) {
      return bad(`Invalid 'temperature': ${body.temperature}`);
    }
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      if (body[field] !== undefined && !(Number.isInteger(body[field]) && body[field] > 0))
        return bad(`Invalid '${field}': ${body[field]}`);
    }
    const format = body.response_format;
    if (format !== undefined) {
      if (!isObject(format) || !['text', 'json_object', 'json_schema'].includes(format.type)) return bad("Invalid 'response_format.type'");
      if (
        format.type === 'json_schema' &&
        !(isObject(format.json_schema) && typeof format.json_schema.name === 'string' && isObject(format.json_schema.schema))
      ) {
        return bad("Missing required parameter: 'response_format.json_schema'");
      }
      const said = body.messages.map((m: { content: string }) => m.content).join('\n');
      if (format.type === 'json_object' && !/json/i.test(said)) {
        return bad("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.");
      }
    }
    return null;
  },

  error(status, message, presentedKey) {
    const kind =
      OPENAI_ERROR_TYPES[status] ?? (status >= 500 ? { type: 'server_error', code: null } : { type: 'invalid_request_error', code: null });
    // The real API echoes (part of) a wrong key; echoing all of it makes the scrubbing test stricter.
    const text =
      message ??
      (status === 401
        ? `Incorrect API key provided: ${presentedKey}. You can find your API key at https://platform.openai.com/account/api-keys.`
        : status === 429
          ? 'Rate limit reached for requests'
          : status >= 500
            ? 'The server had an error while processing your request.'
            : 'Bad request');
    return { error: { message: text, type: kind.type, param: null, code: kind.code } };
  },

  success(reply, request, n) {
    const body = request.body;
    let content: string | null = null;
    let toolCalls: object[] | undefined;
    if ('toolInput' in reply) {
      content = reply.besideText ?? null;
      const args = typeof reply.toolInput === 'string' ? reply.toolInput : JSON.stringify(reply.toolInput);
      toolCalls = [
        {
          id: `call_mock_${n}`,
          type: 'function',
          function: { name: reply.toolName ?? body.tool_choice?.function?.name ?? 'submit_decisions', arguments: args },
        },
      ];
    } else if ('text' in reply) content = reply.text;
    else content = JSON.stringify(reply.json);
    const promptText = body.messages.map((m: { content: string }) => m.content).join('\n');
    const usage =
      reply.usage === undefined
        ? { input: approxTokens(promptText), output: approxTokens(content ?? JSON.stringify(toolCalls)) }
        : reply.usage;
    return {
      id: `chatcmpl-mock-${n}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, ...(toolCalls && { tool_calls: toolCalls }) },
          logprobs: null,
          finish_reason: reply.stopReason ?? (toolCalls ? 'tool_calls' : 'stop'),
        },
      ],
      ...(usage && { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }),
      system_fingerprint: null,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Anthropic messages.

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};
/** API versions the mock knows. 2026-10-21 refuses sampling parameters (temperature, top_p, top_k). */
const ANTHROPIC_VERSIONS = ['2023-06-01', '2026-10-21'];

const anthropicProtocol: Protocol = {
  path: '/v1/messages',

  // The API takes the key in `x-api-key` or as a bearer token (SDK 1.x sends the latter); x-api-key wins.
  authorize(req, expectedKey) {
    const via =
      req.headers['x-api-key'] !== undefined ? 'x-api-key' : req.headers.authorization !== undefined ? 'authorization' : undefined;
    if (expectedKey === null) return { ok: true, via };
    const ok = via === 'x-api-key' ? req.headers['x-api-key'] === expectedKey : req.headers.authorization === `Bearer ${expectedKey}`;
    return { ok, via };
  },

  validate(request, models) {
    const body = request.body;
    const bad = (message: string): ErrorReply => ({ status: 400, message });
    const version = request.headers['anthropic-version'];
    if (version === undefined) return bad('anthropic-version: header is required');
    if (!ANTHROPIC_VERSIONS.includes(version)) return bad(`anthropic-version: invalid version ${version}`);
    if (typeof body.model !== 'string') return bad('model: Field required');
    if (!models.includes(body.model)) return { status: 404, message: `model: ${body.model}` };
    if (!(Number.isInteger(body.max_tokens) && body.max_tokens > 0)) return bad('max_tokens: Field required (a positive integer)');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return bad('messages: at least one message is required');
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m) || !['user', 'assistant'].includes(m.role)) return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      const blocksOk = Array.isArray(m.content) && m.content.every((b: unknown) => isObject(b) && typeof b.type === 'string');
      if (typeof m.content !== 'string' && !blocksOk)
        return bad(`messages.${i}.content: Input should be a string or a list of content blocks`);
    }
    if (
      body.system !== undefined &&
      typeof body.system !== 'string' &&
      !(Array.isArray(body.system) && body.system.every((b: unknown) => isObject(b) && b.type === 'text' && typeof b.text === 'string'))
    ) {
      return bad('system: Input should be a string or a list of text blocks');
    }
    for (const field of ['temperature', 'top_p', 'top_k']) {
      if (body[field] === undefined) continue;
      if (version === '2026-10-21') return bad(`${field}: Extra inputs are not permitted`);
      if (field === 'temperature' && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)) {
        return bad('temperature: Input should be less than or equal to 1');
      }
    }
    const tools: unknown = body.tools;
    if (tools !== undefined) {
      if (!Array.isArray(tools)) return bad('tools: Input should be a valid list');
      for (const [i, t] of tools.entries()) {
        if (!isObject(t) || typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name))
          return bad(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
        if (t.description !== undefined && typeof t.description !== 'string')
          return bad(`tools.${i}.description: Input should be a valid string`);
        if (!isObject(t.input_schema) || t.input_schema.type !== 'object')
          return bad(`tools.${i}.input_schema: Input schema must have type 'object'`);
      }
    }
    const choice = body.tool_choice;
    if (choice !== undefined) {
      if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type))
        return bad('tool_choice: Input tag does not match any of the expected tags');
      if (choice.type === 'tool' && !(Array.isArray(tools) && tools.some((t) => isObject(t) && t.name === choice.name))) {
        return bad(`tool_choice: tool '${String(choice.name)}' not found in tools`);
      }
    }
    return null;
  },

  error(status, message, presentedKey) {
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    const text =
      message ??
      (status === 401
        ? `invalid x-api-key: ${presentedKey}`
        : status === 429
          ? 'Number of requests has exceeded your rate limit'
          : status === 529
            ? 'Overloaded'
            : status >= 500
              ? 'Internal server error'
              : 'Bad request');
    return { type: 'error', error: { type, message: text }, request_id: `req_mock_${status}` };
  },

  success(reply, request, n) {
    const body = request.body;
    const forcedTool: string | undefined = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
    const blocks = anthropicBlocks(reply, n, forcedTool ?? body.tools?.[0]?.name ?? 'tool', forcedTool !== undefined);
    const promptText = [
      JSON.stringify(body.system ?? ''),
      ...body.messages.map((m: { content: unknown }) => JSON.stringify(m.content)),
    ].join('\n');
    const usage =
      reply.usage === undefined ? { input: approxTokens(promptText), output: approxTokens(JSON.stringify(blocks)) } : reply.usage;
    return {
      id: `msg_mock_${n}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: blocks,
      stop_reason: reply.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      ...(usage && {
        usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      }),
    };
  },
};

type AnthropicBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

/** The content blocks of a reply: text, or a tool call (a JSON reply is one when the request forces a tool). */
function anthropicBlocks(
  reply: Exclude<MockReply, string | ErrorReply>,
  n: number,
  toolName: string,
  toolForced: boolean,
): AnthropicBlock[] {
  if ('text' in reply) return [{ type: 'text', text: reply.text }];
  if ('json' in reply && !toolForced) return [{ type: 'text', text: JSON.stringify(reply.json) }];
  const input = 'json' in reply ? reply.json : reply.toolInput;
  const name = ('toolName' in reply && reply.toolName) || toolName;
  const beside: AnthropicBlock[] =
    'besideText' in reply && reply.besideText !== undefined ? [{ type: 'text', text: reply.besideText }] : [];
  return [...beside, { type: 'tool_use', id: `toolu_mock_${n}`, name, input }];
}
