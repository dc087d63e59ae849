import { Signature, ZeroAddress, verifyTypedData, zeroPadValue } from 'ethers';
import { signing } from '../../../../venues/hyperliquid/sdk';

/** EIP-712 domain and type of L1 actions ("phantom agent"). */
const DOMAIN = { name: 'Exchange', version: '1', chainId: 1337, verifyingContract: ZeroAddress };
const AGENT_TYPES = {
  Agent: [
    { name: 'source', type: 'string' },
    { name: 'connectionId', type: 'bytes32' },
  ],
};

export interface SignedBody {
  action: Record<string, unknown>;
  nonce: number;
  signature: { r: string; s: string; v: number };
  vaultAddress?: string | null;
  expiresAfter?: number | null;
}

/**
 * The address that signed an L1 action, recovered as the venue does: connectionId = keccak256 of
 * msgpack(action, in the key order received) + nonce (u64 BE) + vault byte (+ expiresAfter), signed
 * as Agent{source: "a" mainnet / "b" testnet, connectionId}. A malformed signature throws.
 */
export function recoverL1Signer(body: SignedBody, testnet: boolean): string {
  const connectionId = signing.createL1ActionHash({
    action: body.action,
    nonce: body.nonce,
    ...(body.vaultAddress ? { vaultAddress: body.vaultAddress as `0x${string}` } : {}),
    ...(body.expiresAfter !== undefined && body.expiresAfter !== null ? { expiresAfter: body.expiresAfter } : {}),
  });
  const { r, s, v } = body.signature;
  const signature = Signature.from({ r: zeroPadValue(r, 32), s: zeroPadValue(s, 32), v });
  return verifyTypedData(DOMAIN, AGENT_TYPES, { source: testnet ? 'b' : 'a', connectionId }, signature).toLowerCase();
}

const DAY_MS = 24 * 60 * 60_000;
const KEPT = 100;

/**
 * Nonce rules per signer: the 100 highest nonces are kept; a new nonce must not be one of them, must
 * be larger than the smallest of them once 100 are kept, and must lie within (T − 2 d, T + 1 d).
 */
export class NonceBook {
  private readonly kept = new Map<string, number[]>();

  /** Why `nonce` is refused, or null when it is acceptable. */
  check(signer: string, nonce: unknown, now: number): string | null {
    if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce)) return 'Invalid nonce: not an integer';
    if (nonce <= now - 2 * DAY_MS || nonce >= now + DAY_MS) return `Invalid nonce: ${nonce} is outside the allowed time window`;
    const kept = this.kept.get(signer) ?? [];
    if (kept.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    if (kept.length >= KEPT && nonce <= kept[0]!) return `Invalid nonce: ${nonce} is not above the smallest of the last ${KEPT}`;
    return null;
  }

  use(signer: string, nonce: number): void {
    const kept = [...(this.kept.get(signer) ?? []), nonce].sort((a, b) => a - b);
    this.kept.set(signer, kept.slice(-KEPT));
  }
}
