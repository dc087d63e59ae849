/** One JSON POST with a deadline, and what its failure says about whether the request arrived. */

/** How long an attempt may take; a claim on a delivery outlasts it (alerts/deliver.ts). */
export const SEND_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  /** Retry-After, when the receiver sent one. */
  retryAfterMs?: number;
  text: string;
}

/** The request did not get an answer. */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly maybeArrived: boolean,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

// Failures that happen before a byte of the request leaves: the receiver cannot have it.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'agent-arena-alerts', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (err) {
    throw describeFailure(err);
  }
  const text = await response.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return { status: response.status, text, ...(retryAfterMs !== undefined && { retryAfterMs }) };
}

function describeFailure(err: unknown): RequestFailed {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new RequestFailed(`no answer within ${SEND_TIMEOUT_MS / 1000} s`, true, false);
  }
  const code = error.cause?.code;
  if (code === 'ERR_INVALID_URL') return new RequestFailed('invalid URL', false, true);
  const detail = code ?? error.cause?.message ?? error.message;
  // A connection that broke after the request left (a reset, a closed socket) may have delivered it.
  return new RequestFailed(
    `${error.message}${detail !== error.message ? ` (${detail})` : ''}`,
    code === undefined || !NOT_SENT.has(code),
    false,
  );
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
