/**
 * The pages read the arena through the API itself (in process, no socket): they show exactly what the
 * API answers, and the API's own read-token rule applies to them with the caller's Authorization.
 */

/** Answers a request the way the app does: `app.request`. */
export type ApiFetch = (path: string, init: RequestInit) => Response | Promise<Response>;

/** A refusal of the API, with its status and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiReader {
  /** The `data` of a success envelope; an ApiError for any other answer. */
  get<T>(path: string): Promise<T>;
}

export function apiReader(fetch: ApiFetch, authorization: string | undefined): ApiReader {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  return {
    async get<T>(path: string): Promise<T> {
      const res = await fetch(path, { headers });
      const body = (await res.json().catch(() => null)) as { success?: boolean; data?: T; error?: string } | null;
      if (!res.ok || !body?.success) throw new ApiError(res.status, body?.error ?? `${path}: ${res.status}`);
      return body.data as T;
    },
  };
}
