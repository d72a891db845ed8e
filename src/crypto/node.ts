/**
 * `node` backend: AES from node:crypto (OpenSSL, AES-NI). One long-lived AES-ECB cipher per SA,
 * never finalised, turns a run of counter blocks into keystream in one native call.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import type { KeystreamSource } from './gcm.js';

export function nodeKeystream(key: Uint8Array): KeystreamSource {
  let ecb: Cipher | undefined = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null).setAutoPadding(false);
  let counters = new Uint8Array(16 * 128);
  const cipher = (): Cipher => {
    if (ecb === undefined) throw new Error('node backend: the key was wiped');
    return ecb;
  };
  return {
    keystream(iv, blocks) {
      const n = blocks * 16;
      if (counters.length < n) counters = new Uint8Array(n);
      for (let i = 0; i < blocks; i++) {
        const o = i * 16;
        counters.set(iv, o);
        const c = i + 1;
        counters[o + 12] = c >>> 24;
        counters[o + 13] = c >>> 16;
        counters[o + 14] = c >>> 8;
        counters[o + 15] = c;
      }
      return cipher().update(counters.subarray(0, n));
    },
    encryptZeroBlock() {
      return new Uint8Array(cipher().update(new Uint8Array(16)));
    },
    wipe() {
      ecb?.final();
      ecb = undefined;
    },
  };
}
