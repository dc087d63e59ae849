import { verifyTypedData } from 'ethers';
import { Errors } from './errors';
import { decodeForm } from './params';
import { type Authenticator, type RawRequest, withoutSignature } from './request';

/**
 * Aster v3 signed endpoints (EIP-712, the 2026 scheme):
 * - params `nonce` (µs), `signer` (API wallet), `signature`, optional `user`; each missing → -1102.
 * - msg = the parameter string as received (query, then body, joined with `&` when both carry
 *   params) minus `signature=...`, in the order sent; the signature (with or without `0x`) must
 *   recover, under domain {AsterSignTransaction, 1, chainId, 0x0…0} and Message{msg:string}, to
 *   `signer`, else -1022. Because the docs disagree on whether the URL-encoded or the raw string is
 *   signed, both forms of msg are accepted (they differ only for reserved characters).
 * - `signer` must be an API wallet registered for a user, else 401 -2015; `user`, when sent, must be
 *   that user (else 401 -2015).
 * - Nonce: within 10 s of server time (else -1021, text INVENTED); the last 100 nonces per user are
 *   kept; a reused one → -4226 "Nonce Duplicated" (INVENTED: the doc only says "rejected as a
 *   duplicate"); when 100 are kept, one below the smallest → -4225 "Nonce Expired". Only requests with
 *   a valid signature touch the nonce list.
 * - `timestamp` / `recvWindow` were removed from v3 (2026-03) and are ignored when sent.
 */
export interface AsterApiWallet {
  /** Main account address. */
  user: string;
  /** API wallet address registered for it. */
  signer: string;
}

export interface AsterAuthOptions {
  chainId: number;
  wallets: AsterApiWallet[];
  now: () => number;
  nonceWindowMs?: number;
  noncesKept?: number;
}

const TYPES = { Message: [{ name: 'msg', type: 'string' }] };
const NONCE = /^[0-9]{1,19}$/;

export class AsterAuth implements Authenticator {
  private readonly signers = new Map<string, string>();
  private readonly nonces = new Map<string, number[]>();
  private readonly domain: { name: string; version: string; chainId: number; verifyingContract: string };
  private readonly windowMs: number;
  private readonly kept: number;

  constructor(private readonly options: AsterAuthOptions) {
    for (const wallet of options.wallets) this.signers.set(wallet.signer.toLowerCase(), wallet.user.toLowerCase());
    this.domain = {
      name: 'AsterSignTransaction',
      version: '1',
      chainId: options.chainId,
      verifyingContract: '0x0000000000000000000000000000000000000000',
    };
    this.windowMs = options.nonceWindowMs ?? 10_000;
    this.kept = options.noncesKept ?? 100;
  }

  /** Answers the user (lower-case) the request acts for. */
  authenticate(request: RawRequest): string {
    const { params } = request;
    const nonceText = params.required('nonce');
    const signer = params.required('signer');
    const signature = params.required('signature');
    if (!NONCE.test(nonceText)) throw Errors.mandatory('nonce');

    if (!this.signatureMatches(request, signature, signer)) throw Errors.badSignature();

    const user = this.signers.get(signer.toLowerCase());
    if (!user) throw Errors.rejectedKey();
    const claimedUser = params.get('user');
    if (claimedUser !== undefined && claimedUser.toLowerCase() !== user) throw Errors.rejectedKey();

    this.useNonce(user, Number(nonceText));
    return user;
  }

  private signatureMatches(request: RawRequest, signature: string, signer: string): boolean {
    const wire = [request.query, request.body].filter((part) => part.length > 0).join('&');
    const raw = withoutSignature(wire).rest;
    const decoded = decodeForm(raw)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const hex = signature.startsWith('0x') ? signature : `0x${signature}`;
    for (const msg of new Set([raw, decoded])) {
      try {
        const recovered = verifyTypedData(this.domain, TYPES, { msg }, hex);
        if (recovered.toLowerCase() === signer.toLowerCase()) return true;
      } catch {
        return false;
      }
    }
    return false;
  }

  private useNonce(user: string, nonce: number): void {
    const nowUs = this.options.now() * 1000;
    if (Math.abs(nowUs - nonce) > this.windowMs * 1000) throw Errors.nonceOutsideWindow();
    const kept = this.nonces.get(user) ?? [];
    if (kept.includes(nonce)) throw Errors.nonceDuplicate();
    if (kept.length >= this.kept && nonce < kept[0]!) throw Errors.nonceExpired();
    kept.push(nonce);
    kept.sort((a, b) => a - b);
    while (kept.length > this.kept) kept.shift();
    this.nonces.set(user, kept);
  }
}
