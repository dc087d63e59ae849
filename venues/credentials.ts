import { credentialVariableProblem } from '../arena-config/secret-variables';
import type { CredentialField, ExchangeConfig, VenueType } from '../arena-config/types';
import { VenueRejection } from './venue';

/**
 * Live-venue credentials, read from the environment inside activities (never passed to workflows,
 * logged or stored). The agent file names the variables (`private_key: ${ASTER_PRIVATE_KEY_MAIN}`);
 * a field it leaves out is read from the conventional name `<VENUE>_<FIELD>_<ACCOUNT>`.
 */
export interface AsterCredentials {
  /** Main account address (the one holding the funds). */
  user: string;
  /** API wallet address registered for the main account; signs every request. */
  signer: string;
  /** The API wallet's private key. */
  privateKey: string;
}

export interface BinanceCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface HyperliquidCredentials {
  /** Private key of the wallet that signs: an agent (API) wallet approved by the main account, or the main wallet. */
  privateKey: string;
  /** Main account address whose positions are read; defaults to the signing wallet's own address. */
  user?: string;
}

export interface CredentialsByVenue {
  aster: AsterCredentials;
  binance: BinanceCredentials;
  hyperliquid: HyperliquidCredentials;
}

type LiveVenue = Exclude<VenueType, 'paper'>;

const REQUIRED: { [V in LiveVenue]: Array<[keyof CredentialsByVenue[V], CredentialField]> } = {
  aster: [
    ['user', 'user'],
    ['signer', 'signer'],
    ['privateKey', 'private_key'],
  ],
  binance: [
    ['apiKey', 'api_key'],
    ['apiSecret', 'api_secret'],
  ],
  hyperliquid: [['privateKey', 'private_key']],
};

const OPTIONAL: { [V in LiveVenue]: Array<[keyof CredentialsByVenue[V], CredentialField]> } = {
  aster: [],
  binance: [],
  hyperliquid: [['user', 'user']],
};

/** The conventional variable of a credential field, e.g. ASTER_PRIVATE_KEY_DEEPSEEK. */
export function conventionalCredentialEnv(venue: LiveVenue, field: CredentialField, account: string): string {
  const suffix = account.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `${venue.toUpperCase()}_${field.toUpperCase()}_${suffix}`;
}

/**
 * The variable a field is read from for this exchange config. A name outside the venue's own prefix is
 * refused here too, where the value is read, whatever door the config came through.
 */
export function credentialEnvName(exchange: ExchangeConfig, field: CredentialField): string {
  const name = exchange.credentialEnv?.[field] ?? conventionalCredentialEnv(exchange.type as LiveVenue, field, exchange.account);
  const problem = credentialVariableProblem(exchange.type, field, name);
  if (problem) throw new VenueRejection('CREDENTIAL_VARIABLE_REFUSED', problem);
  return name;
}

/** The variables a live account cannot run without (optional ones left out). */
export function requiredCredentialEnv(exchange: ExchangeConfig): string[] {
  if (exchange.type === 'paper') return [];
  return REQUIRED[exchange.type].map(([, field]) => credentialEnvName(exchange, field));
}

/**
 * Reads the account's credentials; a missing variable is a permanent error that names the variable
 * (never a value).
 */
export function loadCredentials<V extends LiveVenue>(
  venue: V,
  exchange: ExchangeConfig,
  env: NodeJS.ProcessEnv = process.env,
): CredentialsByVenue[V] {
  const result: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, field] of REQUIRED[venue] as Array<[string, CredentialField]>) {
    const name = credentialEnvName(exchange, field);
    const value = env[name]?.trim();
    if (value) result[key] = value;
    else missing.push(name);
  }
  for (const [key, field] of OPTIONAL[venue] as Array<[string, CredentialField]>) {
    const value = env[credentialEnvName(exchange, field)]?.trim();
    if (value) result[key] = value;
  }
  if (missing.length > 0) {
    throw new VenueRejection(
      'MISSING_CREDENTIALS',
      `${venue} account "${exchange.account}": set ${missing.join(', ')} in the environment (or .env)`,
    );
  }
  return result as unknown as CredentialsByVenue[V];
}
