import type { InfoClient } from '@nktkas/hyperliquid';
import { VenueTemporaryError } from '../errors';
import type { AccountCheck } from '../live-venue';
import { VenueRejection } from '../venue';
import { venueCall } from './errors';
import { toVenueBalance } from './mapping';

export interface AccountCheckInput {
  info: InfoClient;
  account: string;
  baseUrl: string;
  testnet: boolean;
  /** Main account whose state is read. */
  user: `0x${string}`;
  /** Address of the signing wallet. */
  signer: `0x${string}`;
  now?: number;
}

const DAY_MS = 24 * 60 * 60_000;
/** An agent wallet expiring sooner than this gets a warning. */
const EXPIRY_WARNING_MS = 7 * DAY_MS;

/**
 * The startup check, read-only (nothing is signed or placed):
 * 1. reachable and the user's clearinghouseState readable (the balance);
 * 2. the signing wallet is accepted for that user: it is the user itself, or `userRole` says it is an
 *    agent of that user (then `extraAgents` tells whether, and when, its approval expires);
 * 3. one-way by construction (Hyperliquid has no hedge mode).
 * A read-only check cannot prove that signatures verify (a mainnet/testnet mix-up of the signing
 * source shows at the first action as "User or API Wallet … does not exist").
 */
export async function checkHyperliquidAccount(input: AccountCheckInput): Promise<AccountCheck> {
  const { info, user, signer } = input;
  const now = input.now ?? Date.now();
  const where = `hyperliquid ${input.testnet ? 'testnet' : 'mainnet'} at ${input.baseUrl}`;
  const state = await reachable(where, () => info.clearinghouseState({ user }));
  const warnings: string[] = [];

  if (signer !== user) {
    const role = await reachable(where, () => info.userRole({ user: signer }));
    if (role.role !== 'agent') {
      throw new VenueRejection(
        'UNAUTHORIZED',
        `${where}: the signing wallet ${signer} is not an API wallet of ${user} ` +
          `(its role is "${role.role}"): approve it for ${user} in the venue's API page, or set the user variable to the account it signs for`,
      );
    }
    if (role.data.user.toLowerCase() !== user) {
      throw new VenueRejection(
        'UNAUTHORIZED',
        `${where}: the signing wallet ${signer} is an API wallet of ${role.data.user}, ` +
          `not of ${user}: set the user variable to ${role.data.user} or approve the wallet for ${user}`,
      );
    }
    const agents = await reachable(where, () => info.extraAgents({ user }));
    const agent = agents.find((a) => a.address.toLowerCase() === signer);
    // validUntil is null for an approval with no expiry.
    if (agent && agent.validUntil !== null && agent.validUntil > 0) {
      if (agent.validUntil <= now) {
        throw new VenueRejection(
          'UNAUTHORIZED',
          `${where}: the approval of API wallet ${signer} ("${agent.name}") expired on ${new Date(agent.validUntil).toISOString()}: approve it again`,
        );
      }
      if (agent.validUntil - now < EXPIRY_WARNING_MS) {
        warnings.push(`API wallet ${signer} ("${agent.name}") expires on ${new Date(agent.validUntil).toISOString()}`);
      }
    }
  }

  for (const { position } of state.assetPositions) {
    if (Number(position.szi) !== 0 && position.leverage.type === 'cross') {
      warnings.push(`${position.coin} is held with cross margin; the arena opens isolated positions`);
    }
  }
  return {
    venue: 'hyperliquid',
    account: input.account,
    testnet: input.testnet,
    baseUrl: input.baseUrl,
    balance: toVenueBalance(state),
    positionMode: 'one-way',
    warnings,
  };
}

/** A read that must work; a venue that does not answer is reported as a rejection that says where. */
async function reachable<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await venueCall('startup check', call);
  } catch (err) {
    if (err instanceof VenueTemporaryError) {
      // Still temporary (the launcher tries again), with what to check if it lasts.
      throw new VenueTemporaryError(
        `${where} is not reachable or refuses us for now (${err.message}); check base_url and the network`,
        err.retryAfterMs,
        err.status,
      );
    }
    throw err;
  }
}
