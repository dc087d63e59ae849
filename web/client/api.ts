/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Reads of the API from the browser, with the token when one was entered. */
import { authHeaders } from './token';

export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The `data` of a success envelope; an ApiRefusal for any other answer. */
export async function getJson<T>(path: string): Promise<T> {
  return send<T>('GET', path);
}

export async function postJson<T>(path: string): Promise<T> {
  return send<T>('POST', path);
}

async function send<T>(method: string, path: string): Promise<T> {
  const res = await fetch(path, { method, headers: { accept: 'application/json', ...authHeaders() } });
  const body = (await res.json().catch(() => null)) as { success?: boolean; data?: T; error?: string } | null;
  if (!res.ok || !body?.success) throw new ApiRefusal(res.status, body?.error ?? `${res.status} ${res.statusText}`);
  return body.data as T;
}
