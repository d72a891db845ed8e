/**
 * node:crypto's createHash('sha256') for the browser build: the SecY names each transmit SA's SAK by a
 * SHA-256 keyId (secy/snapshot.ts) when the link lab installs one. Web Crypto's digest is asynchronous, so
 * @noble/hashes (the same audited family as the noble cipher backend) computes it.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export function createHash(algorithm: string): { update(data: string | Uint8Array): unknown; digest(encoding: 'hex'): string } {
  if (algorithm !== 'sha256') throw new Error(`node:crypto createHash: only sha256 in a browser, not ${algorithm}`);
  const h = sha256.create();
  const hash = {
    update(data: string | Uint8Array) {
      h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      return hash;
    },
    digest: (_encoding: 'hex'): string => Array.from(h.digest(), (b) => b.toString(16).padStart(2, '0')).join(''),
  };
  return hash;
}
