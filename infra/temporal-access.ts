/**
 * How the arena's processes reach a Temporal cluster: address, namespace, and on a cluster that asks
 * for it, TLS or mutual TLS and an API key. The variables are the Temporal CLI's own, so one set of
 * them serves the arena, its workers and `temporal` commands alike:
 *
 *   TEMPORAL_ADDRESS           host:port of the frontend (default: a local dev server the launcher starts)
 *   TEMPORAL_NAMESPACE         default `default`
 *   TEMPORAL_TLS               `true`: TLS with the system's CAs (implied by any variable below)
 *   TEMPORAL_TLS_CA            PEM file of the CA that signed the server's certificate
 *   TEMPORAL_TLS_CERT          PEM file of this client's certificate (mTLS) ...
 *   TEMPORAL_TLS_KEY           ... and its private key
 *   TEMPORAL_TLS_SERVER_NAME   the name to verify the server's certificate against (SNI)
 *   TEMPORAL_API_KEY           a bearer API key, for clusters or proxies that authorize by key
 */
import fs from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalAccess {
  /** Undefined: no cluster configured (the launcher starts a dev server). */
  address: string | undefined;
  namespace: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** Reads the variables above; a missing file or a lone cert/key is an error naming the variable. */
export function temporalAccessFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalAccess {
  const read = (name: string): Buffer | undefined => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`${name}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const ca = read('TEMPORAL_TLS_CA');
  const crt = read('TEMPORAL_TLS_CERT');
  const key = read('TEMPORAL_TLS_KEY');
  if (!!crt !== !!key) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mutual TLS needs both)');
  const serverName = env.TEMPORAL_TLS_SERVER_NAME?.trim() || undefined;
  const apiKey = env.TEMPORAL_API_KEY?.trim() || undefined;
  const flag = (env.TEMPORAL_TLS ?? '').trim().toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(flag)) throw new Error(`TEMPORAL_TLS: expected true or false, got "${flag.slice(0, 20)}"`);
  const useTls = flag === 'true' || flag === '1' || !!(ca || crt || serverName || apiKey);
  return {
    address: env.TEMPORAL_ADDRESS?.trim() || undefined,
    namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    ...(useTls && {
      tls: {
        ...(serverName && { serverNameOverride: serverName }),
        ...(ca && { serverRootCACertificate: ca }),
        ...(crt && key && { clientCertPair: { crt, key } }),
      },
    }),
    ...(apiKey && { apiKey }),
  };
}

/** Options for the client's `Connection.connect` and the worker's `NativeConnection.connect`. */
export function connectionOptions(access: TemporalAccess, address = access.address): ConnectionOptions & NativeConnectionOptions {
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set');
  return { address, ...(access.tls && { tls: access.tls }), ...(access.apiKey && { apiKey: access.apiKey }) };
}
