import { AbiCoder, Wallet, getAddress, getBytes, keccak256, TypedDataEncoder, type TypedDataDomain, type TypedDataField } from 'ethers';
import type { AsterSigningOptions } from '../../arena-config/types';
import { type ParamEntries, formEncode, rawEncode } from '../binance-family/encoding';
import type { ClockReason, RequestSigner, SignedPayload } from '../binance-family/signing';
import { NonceManager, asterNonces } from './nonce';

/** EIP-712 chain ids of Aster's signing domain. */
export const ASTER_CHAIN_IDS = { mainnet: 1666, testnet: 714 } as const;

export const ASTER_EIP712_TYPES: Record<string, TypedDataField[]> = { Message: [{ name: 'msg', type: 'string' }] };

export function asterDomain(chainId: number): TypedDataDomain {
  return { name: 'AsterSignTransaction', version: '1', chainId, verifyingContract: '0x0000000000000000000000000000000000000000' };
}

export interface AsterAuth {
  nonce: number | bigint | string;
  /** API wallet address (the one that signs). */
  signer: string;
  /** Main account address; added only with `includeUser`. */
  user?: string;
  includeUser?: boolean;
}

/**
 * The string Aster v3 signs and receives: the parameters in the order sent, then `nonce`, `user` (when
 * included; the 2026-01 documents put it between nonce and signer) and `signer`. `urlencoded` is the
 * Python document's form (urlencode), `raw` the JS demo's (no encoding); they differ only for values
 * with reserved characters.
 */
export function asterMessage(params: ParamEntries, auth: AsterAuth, encoding: AsterSigningOptions['signEncoding']): string {
  const all: ParamEntries = [...params, ['nonce', String(auth.nonce)]];
  if (auth.includeUser && auth.user) all.push(['user', auth.user]);
  all.push(['signer', auth.signer]);
  return encoding === 'raw' ? rawEncode(all) : formEncode(all);
}

/** The EIP-712 digest of `msg` (what the wallet signs). */
export function asterDigest(msg: string, chainId: number): string {
  return TypedDataEncoder.hash(asterDomain(chainId), ASTER_EIP712_TYPES, { msg });
}

/** eth_signTypedData_v4 of Message{msg} in Aster's domain: 0x + r‖s‖v (65 bytes). */
export function signAsterMessage(wallet: Wallet, msg: string, chainId: number): Promise<string> {
  return wallet.signTypedData(asterDomain(chainId), ASTER_EIP712_TYPES, { msg });
}

export interface AsterSignerOptions {
  user: string;
  signer: string;
  privateKey: string;
  chainId: number;
  signing: AsterSigningOptions;
  nonces?: NonceManager;
  /** Re-read the venue's clock after this long (ms). */
  resyncAfterMs?: number;
  now?: () => number;
}

/**
 * Signs Aster v3 requests (current scheme, EIP-712): builds the message once with a fresh nonce,
 * signs it with the API wallet and sends exactly that string with `&signature=` appended (the
 * URL-encoded form in `raw` mode, which is the same string for the plain values the arena sends).
 */
export class AsterEip712Signer implements RequestSigner {
  readonly user: string;
  readonly signer: string;
  private readonly chainId: number;
  private readonly signing: AsterSigningOptions;
  private readonly nonces: NonceManager;
  private readonly resyncAfterMs: number;
  private readonly now: () => number;
  private syncedAt: number | null = null;
  // ES private field: never shown by util.inspect or JSON.stringify.
  readonly #wallet: Wallet;

  constructor(opts: AsterSignerOptions) {
    this.#wallet = new Wallet(opts.privateKey);
    this.user = getAddress(opts.user);
    this.signer = getAddress(opts.signer);
    this.chainId = opts.chainId;
    this.signing = opts.signing;
    this.nonces = opts.nonces ?? asterNonces;
    this.resyncAfterMs = opts.resyncAfterMs ?? 30 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The address of the configured private key (must equal `signer`). */
  get keyAddress(): string {
    return this.#wallet.address;
  }

  needsClock(nowMs: number): boolean {
    return this.syncedAt === null || nowMs - this.syncedAt > this.resyncAfterMs;
  }

  setClock(serverTimeMs: number, reason: ClockReason): void {
    this.nonces.align(this.signer, serverTimeMs * 1000, reason === 'nonce-expired');
    this.syncedAt = this.now();
  }

  async sign(params: ParamEntries): Promise<SignedPayload> {
    const auth: AsterAuth = {
      nonce: this.nonces.next(this.signer),
      signer: this.signer,
      user: this.user,
      includeUser: this.signing.includeUser,
    };
    const msg = asterMessage(params, auth, this.signing.signEncoding);
    const signature = await signAsterMessage(this.#wallet, msg, this.chainId);
    const sent = this.signing.signEncoding === 'raw' ? asterMessage(params, auth, 'urlencoded') : msg;
    const hex = this.signing.signaturePrefix0x ? signature : signature.slice(2);
    return { payload: `${sent}&signature=${hex}`, headers: {} };
  }
}

// --- legacy scheme A (2025-09 .. 2026-01): ABI + keccak + EIP-191 ---

export interface AsterLegacySignature {
  /** The sorted, space-free JSON of the parameters (all values as strings). */
  json: string;
  /** abi.encode(['string','address','address','uint256'], [json, user, signer, nonce]), hex without 0x. */
  abiEncodedHex: string;
  /** keccak256 of the encoding, 0x-prefixed. */
  keccak: string;
  /** personal_sign (EIP-191) over the 32 raw bytes of the hash, 0x-prefixed. */
  signature: string;
}

/** Python's str() of a parameter value, as the legacy document's helper turned values into strings. */
function pythonStr(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return pythonJson(value.map((v) => pythonStr(v)));
  if (value !== null && typeof value === 'object') {
    const trimmed: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) trimmed[k] = pythonStr(v);
    return pythonJson(trimmed);
  }
  return String(value);
}

/** json.dumps(value, sort_keys=True) with its default ensure_ascii (\uXXXX for non-ASCII). */
function pythonJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value)).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Legacy Aster v3 signature (document @dc764e8): values as strings, json.dumps with sorted keys and
 * every space removed, ' → ", then keccak256 of the ABI encoding of (json, user, signer, nonce), signed
 * with EIP-191 personal_sign over the hash's raw bytes. Kept to check the published vectors and in case
 * a host still wants it; the adapter signs with the EIP-712 scheme.
 */
export async function signAsterLegacy(
  params: Record<string, unknown>,
  auth: { user: string; signer: string; nonce: number | bigint | string; privateKey: string },
): Promise<AsterLegacySignature> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) values[k] = pythonStr(v);
  const json = pythonJson(values).replace(/ /g, '').replace(/'/g, '"');
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ['string', 'address', 'address', 'uint256'],
    [json, getAddress(auth.user), getAddress(auth.signer), BigInt(auth.nonce)],
  );
  const hash = keccak256(encoded);
  const signature = await new Wallet(auth.privateKey).signMessage(getBytes(hash));
  return { json, abiEncodedHex: encoded.slice(2), keccak: hash, signature };
}
