import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64 of its SHA-256. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Puts a configured fingerprint in the canonical form (trailing `=` padding dropped). */
export function normaliseFingerprint(fp: string): string {
  return fp.trim().replace(/=+$/, '');
}

/** What the verifier saw: the offered fingerprint and whether it was pinned. */
export interface HostKeyObservation {
  readonly offered: string;
  readonly accepted: boolean;
}

/**
 * Builds an ssh2 `hostVerifier` that accepts only the pinned fingerprints.
 *
 * It is synchronous on purpose: ssh2 calls `verify(ret)` with whatever the verifier returns and
 * denies only on a strict `false`, so an async verifier (a Promise) or any non-boolean would let
 * every key through. `observe` records what was offered, so the caller can say which key to pin.
 */
export function pinnedHostVerifier(
  pins: readonly string[],
  observe: (o: HostKeyObservation) => void,
): (key: Buffer) => boolean {
  const pinned = new Set(pins.map(normaliseFingerprint));
  return (key: Buffer): boolean => {
    const offered = fingerprintOf(key);
    const accepted = pinned.size > 0 && pinned.has(offered);
    observe({ offered, accepted });
    return accepted;
  };
}
