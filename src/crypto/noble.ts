/**
 * `noble` backend: AES in pure TypeScript (no node:crypto, so it runs in a browser): @noble/ciphers' key
 * schedule (`unsafe.expandKeyLE`), expanded once per SA, and its round function per counter block,
 * written straight into the keystream words (for bursts, where the burst kernel reads them).
 *
 * Our own T-table round loop (four 1 KiB tables, rounds 1-2 cached per run of counters) was measured
 * against `unsafe.encrypt`: no faster on long runs, a third slower on the 4-block runs of small frames
 * (the object noble returns per block is optimised away); so noble's it is.
 */
import { unsafe } from '@noble/ciphers/aes.js';
import { bswap32 } from './ghash.js';
import { keystreamOctets, type WordKeystreamSource } from './gcm.js';

export function nobleKeystream(key: Uint8Array): WordKeystreamSource {
  const xk = unsafe.expandKeyLE(key);
  let words = new Uint32Array(4 * 128);
  /** E_K(IV ‖ 1), E_K(IV ‖ 2), ... to out[o ...] as little-endian words, noble's state order. */
  const keystreamInto = (iv0: number, iv1: number, iv2: number, blocks: number, out: Uint32Array, o: number): void => {
    for (let c = 1; c <= blocks; c++, o += 4) {
      const s = unsafe.encrypt(xk, iv0, iv1, iv2, bswap32(c));
      out[o] = s.s0;
      out[o + 1] = s.s1;
      out[o + 2] = s.s2;
      out[o + 3] = s.s3;
    }
  };
  const keystreamWords = (iv0: number, iv1: number, iv2: number, blocks: number): Uint32Array => {
    if (words.length < blocks * 4) words = new Uint32Array(blocks * 4);
    keystreamInto(iv0, iv1, iv2, blocks, words, 0);
    return words;
  };
  return {
    keystreamWords,
    keystreamInto,
    keystream: (iv, blocks) => keystreamOctets(keystreamWords, iv, blocks),
    encryptZeroBlock() {
      const s = unsafe.encrypt(xk, 0, 0, 0, 0);
      const h = new Uint8Array(16);
      [s.s0, s.s1, s.s2, s.s3].forEach((w, k) => {
        for (let i = 0; i < 4; i++) h[4 * k + i] = w >>> (8 * i);
      });
      return h;
    },
    wipe() {
      xk.fill(0);
      words.fill(0);
    },
  };
}
