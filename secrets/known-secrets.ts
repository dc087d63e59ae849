import { Redactor } from './redact';

/**
 * Variables whose values are secrets: the API token, every LLM key (`*_API_KEY*`), venue credentials
 * (`*_SECRET*`, `*_PRIVATE_KEY*`), passwords and tokens, and the database URL (it may carry a password).
 */
const SECRET_NAME = /(^|_)(API_?KEY|SECRET|TOKEN|PASSPHRASE|PRIVATE_?KEY)(_|$)|PASSWORD|^DATABASE_URL$|^TEST_DATABASE_URL$/i;

export function isSecretVariable(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The values of the secret variables in `env`. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value && isSecretVariable(name) ? [value] : []));
}

let processRedactor: Redactor | null = null;

/**
 * One redactor for the process, over the secrets its environment holds; built on first use (after a
 * `.env` file has been loaded) and rebuilt by `refreshProcessRedactor` when the environment changes.
 */
export function processSecrets(): Redactor {
  processRedactor ??= new Redactor(secretValues());
  return processRedactor;
}

export function refreshProcessRedactor(env: NodeJS.ProcessEnv = process.env): Redactor {
  processRedactor = new Redactor(secretValues(env));
  return processRedactor;
}
