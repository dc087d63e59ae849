/**
 * Nonces of L1 actions: the time in ms, strictly increasing per signer within the process (two
 * actions in the same millisecond get consecutive values). The venue keeps the 100 highest nonces of
 * each signer and accepts a new one only above the smallest of them and within (T − 2 d, T + 1 d).
 */
const last = new Map<string, number>();

export function nextNonce(signer: string, now: number = Date.now()): number {
  const key = signer.toLowerCase();
  const nonce = Math.max(now, (last.get(key) ?? 0) + 1);
  last.set(key, nonce);
  return nonce;
}
