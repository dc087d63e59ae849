import { Wallet } from 'ethers';
import type { CredentialField } from '../../../arena-config/types';
import { conventionalCredentialEnv } from '../../../venues/credentials';

const HYPERLIQUID_AGENT_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const HYPERLIQUID_MAIN_KEY = `0x${'11'.repeat(32)}`;

/**
 * Credentials the tests use with the local mock venues: the demo values the venues' own
 * documentation publishes (Aster's API docs, Binance's signing example), never real accounts.
 */
export const DEMO_CREDENTIALS = {
  aster: {
    user: '0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e',
    signer: '0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0',
    privateKey: '0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1',
  },
  binance: {
    apiKey: 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83',
    apiSecret: '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9',
  },
  hyperliquid: {
    /** The python SDK's signing-test key, used as an agent (API) wallet of the main account below. */
    agentPrivateKey: HYPERLIQUID_AGENT_KEY,
    agent: new Wallet(HYPERLIQUID_AGENT_KEY).address,
    /** The main account that approved the agent wallet (a throwaway key). */
    user: new Wallet(HYPERLIQUID_MAIN_KEY).address,
  },
} as const;

type DemoVenue = keyof typeof DEMO_CREDENTIALS;

const FIELDS: { [V in DemoVenue]: Partial<Record<CredentialField, string>> } = {
  aster: { user: DEMO_CREDENTIALS.aster.user, signer: DEMO_CREDENTIALS.aster.signer, private_key: DEMO_CREDENTIALS.aster.privateKey },
  binance: { api_key: DEMO_CREDENTIALS.binance.apiKey, api_secret: DEMO_CREDENTIALS.binance.apiSecret },
  hyperliquid: { private_key: DEMO_CREDENTIALS.hyperliquid.agentPrivateKey, user: DEMO_CREDENTIALS.hyperliquid.user },
};

/** The demo credentials of a venue under the conventional variable names of `account`, fields overridable. */
export function demoCredentialEnv(
  venue: DemoVenue,
  account: string,
  overrides: Partial<Record<CredentialField, string>> = {},
): Record<string, string> {
  const fields = { ...FIELDS[venue], ...overrides };
  return Object.fromEntries(
    Object.entries(fields).map(([field, value]) => [conventionalCredentialEnv(venue, field as CredentialField, account), value]),
  );
}
