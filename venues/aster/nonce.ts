/**
 * Aster v3 nonces: the current time in microseconds, strictly increasing per signer within the process.
 * The server keeps the last 100 nonces of a user, refuses a repeated one, and refuses one below the
 * smallest kept as expired (-4225); it also wants the nonce within ~10 s of its own clock.
 *
 * Like the official helper (whole seconds × 10^6 + a counter, under a lock), but with real
 * microseconds: Date.now() × 1000 plus the offset to the venue's clock, bumped to last + 1 whenever that
 * would not be strictly greater than the last nonce handed out (many calls in the same millisecond).
 */
export class NonceManager {
  private readonly state = new Map<string, { last: number; offsetUs: number }>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** The next nonce for `signer` (µs); never equal to or lower than one handed out before. */
  next(signer: string): number {
    const s = this.entry(signer);
    const candidate = Math.floor(this.nowMs() * 1000) + s.offsetUs;
    s.last = Math.max(candidate, s.last + 1);
    return s.last;
  }

  /**
   * The venue's clock (µs) was read: later nonces follow it. After "Nonce Expired" (`jump`), the
   * offset only grows and the next nonce is above the venue's time, whatever the local clock says.
   */
  align(signer: string, serverTimeUs: number, jump: boolean): void {
    const s = this.entry(signer);
    const offset = Math.round(serverTimeUs - this.nowMs() * 1000);
    if (jump) {
      s.offsetUs = Math.max(s.offsetUs, offset);
      s.last = Math.max(s.last, Math.floor(serverTimeUs));
    } else {
      s.offsetUs = offset;
    }
  }

  /** The last nonce handed out for `signer` (0 when none). */
  last(signer: string): number {
    return this.state.get(signer.toLowerCase())?.last ?? 0;
  }

  private entry(signer: string): { last: number; offsetUs: number } {
    const key = signer.toLowerCase();
    let s = this.state.get(key);
    if (!s) this.state.set(key, (s = { last: 0, offsetUs: 0 }));
    return s;
  }
}

/** The process-wide nonce manager every Aster adapter signs with. */
export const asterNonces = new NonceManager();
