/**
 * Local receivers for the alert channels, on 127.0.0.1 only: a webhook receiver that deduplicates on
 * the idempotency key as a careful receiver would, and a server speaking the Telegram Bot API's
 * sendMessage (the token in the path, the parameters checked, the documented answers and errors).
 * Both can fail the next requests (5xx, 429) or hold one: keep it and never answer, as a receiver
 * whose caller died mid-request.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Failure {
  status: number;
  retryAfterSeconds?: number;
}

/** What the next requests meet: failures, then possibly a hold. */
class Script {
  private failures: Failure[] = [];
  private hold: ((value: unknown) => void) | null = null;

  failNext(n: number, status: number, retryAfterSeconds?: number): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) });
  }

  holdNext<T>(): Promise<T> {
    return new Promise((resolve) => {
      this.hold = resolve as (value: unknown) => void;
    });
  }

  nextFailure(): Failure | undefined {
    return this.failures.shift();
  }

  /** When a hold is armed: takes it, and tells its waiter what arrived. */
  takeHold(arrived: unknown): boolean {
    const hold = this.hold;
    if (!hold) return false;
    this.hold = null;
    hold(arrived);
    return true;
  }
}

async function listen(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------

export interface WebhookRequest {
  key: string | null;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, retries and failed ones included. */
  requests: WebhookRequest[];
  /** What a receiver deduplicating on the idempotency key keeps: the first accepted request of each key. */
  messages(): WebhookRequest[];
  /** The next `n` requests are answered `status` (and Retry-After when given), and not accepted. */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** The next request is accepted and never answered; resolves when it arrives. */
  holdNext(): Promise<WebhookRequest>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const script = new Script();
  const requests: WebhookRequest[] = [];
  const accepted: WebhookRequest[] = [];
  const { server, origin } = await listen((req, text, res) => {
    if (req.method !== 'POST' || req.url !== '/hook') return answer(res, 404, { error: 'not found' });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(res, 415, { error: 'expected JSON' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return answer(res, 400, { error: 'invalid JSON' });
    }
    const header = req.headers['idempotency-key'];
    const request: WebhookRequest = { key: typeof header === 'string' ? header : null, body, headers: req.headers };
    requests.push(request);
    const failure = script.nextFailure();
    if (failure) {
      return answer(
        res,
        failure.status,
        { error: 'failing on purpose' },
        failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {},
      );
    }
    accepted.push(request);
    if (script.takeHold(request)) return; // accepted, never answered
    answer(res, 200, { ok: true });
  });
  return {
    url: `${origin}/hook`,
    requests,
    messages: () => accepted.filter((r, i) => r.key === null || accepted.findIndex((o) => o.key === r.key) === i),
    failNext: (n, status, retryAfterSeconds) => script.failNext(n, status, retryAfterSeconds),
    holdNext: () => script.holdNext<WebhookRequest>(),
    close: () => close(server),
  };
}

// ---------------------------------------------------------------------------------------------

/** A bot token in the Bot API's format (`<bot id>:<35 characters>`). */
export const TEST_BOT_TOKEN = '7234567890:AAH-test_token_for_local_bot_api_00';
export const TEST_CHAT_ID = '-1001234567890';
const TOKEN_FORMAT = /^\d{5,12}:[A-Za-z0-9_-]{35}$/;
const MAX_TEXT = 4096;

export interface TelegramMessage {
  message_id: number;
  chat_id: string;
  text: string;
}

export interface TelegramServer {
  /** The Bot API root to configure (`api_base_url`). */
  baseUrl: string;
  /** The messages the chat shows, in order. */
  messages: TelegramMessage[];
  /** sendMessage calls with a valid token, failed ones included. */
  calls: number;
  failNext(n: number, status: 429 | 500 | 502, retryAfterSeconds?: number): void;
  /** The next message is shown in the chat and its request never answered; resolves when it arrives. */
  holdNext(): Promise<TelegramMessage>;
  close(): Promise<void>;
}

export async function startTelegramServer(opts: { token?: string; chatId?: string } = {}): Promise<TelegramServer> {
  const token = opts.token ?? TEST_BOT_TOKEN;
  const chatId = opts.chatId ?? TEST_CHAT_ID;
  if (!TOKEN_FORMAT.test(token)) throw new Error('the test bot token must have the Bot API format');
  const script = new Script();
  const messages: TelegramMessage[] = [];
  const state = { calls: 0 };
  const botError = (res: ServerResponse, code: number, description: string, parameters?: object) =>
    answer(res, code, { ok: false, error_code: code, description, ...(parameters && { parameters }) });

  const { server, origin } = await listen((req, text, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // As the Bot API: a path without a well-formed token is not found; a well-formed unknown token is unauthorized.
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match || !TOKEN_FORMAT.test(match[1]!)) return botError(res, 404, 'Not Found');
    if (match[1] !== token) return botError(res, 401, 'Unauthorized');
    // Method names are case-insensitive; this server knows one.
    if (match[2]!.toLowerCase() !== 'sendmessage') return botError(res, 404, 'Not Found');
    if (req.method !== 'POST' && req.method !== 'GET') return botError(res, 405, 'Method Not Allowed');
    const params = parameters(req, url, text);
    if (!params) return botError(res, 400, "Bad Request: can't parse JSON object");
    state.calls += 1;
    const failure = script.nextFailure();
    if (failure) {
      return failure.status === 429
        ? botError(res, 429, `Too Many Requests: retry after ${failure.retryAfterSeconds ?? 1}`, {
            retry_after: failure.retryAfterSeconds ?? 1,
          })
        : botError(res, failure.status, 'Internal Server Error');
    }
    const chat = params.chat_id === undefined ? '' : String(params.chat_id);
    if (chat === '') return botError(res, 400, 'Bad Request: chat_id is empty');
    if (chat !== chatId) return botError(res, 400, 'Bad Request: chat not found');
    const messageText = typeof params.text === 'string' ? params.text : '';
    if (messageText.trim() === '') return botError(res, 400, 'Bad Request: message text is empty');
    if (messageText.length > MAX_TEXT) return botError(res, 400, 'Bad Request: message is too long');
    const preview = params.link_preview_options;
    if (preview !== undefined && (preview === null || typeof preview !== 'object')) {
      return botError(res, 400, "Bad Request: can't parse link preview options JSON object");
    }
    const message: TelegramMessage = { message_id: messages.length + 1, chat_id: chat, text: messageText };
    messages.push(message);
    if (script.takeHold(message)) return; // sent to the chat, the answer never comes
    answer(res, 200, {
      ok: true,
      result: {
        message_id: message.message_id,
        date: Math.floor(Date.now() / 1000),
        text: messageText,
        from: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Arena Test Bot', username: 'arena_test_bot' },
        chat: { id: Number(chatId), type: 'supergroup', title: 'arena alerts' },
      },
    });
  });
  return {
    baseUrl: origin,
    messages,
    get calls() {
      return state.calls;
    },
    failNext: (n, status, retryAfterSeconds) => script.failNext(n, status, retryAfterSeconds),
    holdNext: () => script.holdNext<TelegramMessage>(),
    close: () => close(server),
  };
}

/** The request's parameters as the Bot API reads them: query string, JSON body or form body. */
function parameters(req: IncomingMessage, url: URL, body: string): Record<string, unknown> | null {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (body === '') return params;
  if (type.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...params, ...(parsed as object) } : null;
    } catch {
      return null;
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(body));
    if (typeof form.link_preview_options === 'string') {
      try {
        form.link_preview_options = JSON.parse(form.link_preview_options) as never;
      } catch {
        return null;
      }
    }
    return { ...params, ...form };
  }
  return params;
}
