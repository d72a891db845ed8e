/**
 * `noble` backend: AES from @noble/ciphers (pure TypeScript, no node:crypto, so it runs in a browser).
 * The key schedule is expanded once per SA; each keystream block is one call of noble's round function.
 */
import { unsafe } from '@noble/ciphers/aes.js';
import type { KeystreamSource } from './gcm.js';

const bswap = (x: number): number => ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
/** Little-endian word of 4 octets: noble's round function works on LE words. */
const readLE = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

function writeLE(b: Uint8Array, o: number, w: number): void {
  b[o] = w;
  b[o + 1] = w >>> 8;
  b[o + 2] = w >>> 16;
  b[o + 3] = w >>> 24;
}

export function nobleKeystream(key: Uint8Array): KeystreamSource {
  const xk = unsafe.expandKeyLE(key);
  let out = new Uint8Array(16 * 128);
  return {
    keystream(iv, blocks) {
      if (out.length < blocks * 16) out = new Uint8Array(blocks * 16);
      const w0 = readLE(iv, 0), w1 = readLE(iv, 4), w2 = readLE(iv, 8);
      for (let i = 0; i < blocks; i++) {
        const s = unsafe.encrypt(xk, w0, w1, w2, bswap(i + 1));
        const o = i * 16;
        writeLE(out, o, s.s0);
        writeLE(out, o + 4, s.s1);
        writeLE(out, o + 8, s.s2);
        writeLE(out, o + 12, s.s3);
      }
      return out;
    },
    encryptZeroBlock() {
      const s = unsafe.encrypt(xk, 0, 0, 0, 0);
      const h = new Uint8Array(16);
      writeLE(h, 0, s.s0);
      writeLE(h, 4, s.s1);
      writeLE(h, 8, s.s2);
      writeLE(h, 12, s.s3);
      return h;
    },
    wipe() {
      xk.fill(0);
      out.fill(0);
    },
  };
}
