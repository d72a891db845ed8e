/**
 * `node` backend: AES from node:crypto (OpenSSL, AES-NI). One long-lived AES-ECB cipher per SA, never
 * finalised, turns counter blocks into keystream: a frame's in one call, or a whole burst's in one call,
 * which is what makes small frames cheap (each call into node:crypto costs about a microsecond).
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { keystreamBlocks, D_DATA_LEN, D_IV, DESC_WORDS } from './engine.js';
import { keystreamOctets, type WordKeystreamSource } from './gcm.js';
import { bswap32, LITTLE_ENDIAN } from './ghash.js';

/** Swaps every word: on a big-endian host, turns little-endian words into memory order and back. */
function swapWords(w: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) w[i] = bswap32(w[i]!);
}

export function nodeKeystream(key: Uint8Array): WordKeystreamSource {
  let ecb: Cipher | undefined = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null).setAutoPadding(false);
  /** Counter blocks IV ‖ c as little-endian words; reused, grown to the largest burst. */
  let counters = new Uint32Array(4 * 128);
  const cipher = (): Cipher => {
    if (ecb === undefined) throw new Error('node backend: the key was wiped');
    return ecb;
  };
  /** Encrypts counters[0, 4·blocks) and returns the keystream as little-endian words. */
  const encryptCounters = (blocks: number): Uint32Array => {
    const n = blocks * 4;
    if (!LITTLE_ENDIAN) swapWords(counters, n);
    const out = cipher().update(new Uint8Array(counters.buffer, 0, n * 4));
    // node:crypto returns a buffer of its own, normally at offset 0 of its ArrayBuffer.
    const words = out.byteOffset % 4 === 0 ? new Uint32Array(out.buffer, out.byteOffset, n) : new Uint32Array(new Uint8Array(out).buffer);
    if (!LITTLE_ENDIAN) swapWords(words, n);
    return words;
  };
  const grow = (blocks: number): void => {
    if (counters.length < blocks * 4) counters = new Uint32Array(Math.max(blocks * 4, counters.length * 2));
  };
  /** Writes IV ‖ 1 .. IV ‖ blocks at block `at`; returns the block after. */
  const fill = (iv0: number, iv1: number, iv2: number, blocks: number, at: number): number => {
    let w = at * 4;
    for (let c = 1; c <= blocks; c++, w += 4) {
      counters[w] = iv0;
      counters[w + 1] = iv1;
      counters[w + 2] = iv2;
      counters[w + 3] = bswap32(c);
    }
    return at + blocks;
  };
  const keystreamWords = (iv0: number, iv1: number, iv2: number, blocks: number): Uint32Array => {
    grow(blocks);
    fill(iv0, iv1, iv2, blocks, 0);
    return encryptCounters(blocks);
  };
  return {
    keystreamWords,
    burstKeystream(desc, first, count) {
      let total = 0;
      for (let i = first; i < first + count; i++) total += keystreamBlocks(desc[i * DESC_WORDS + D_DATA_LEN]!);
      grow(total);
      let at = 0;
      for (let i = first; i < first + count; i++) {
        const d = i * DESC_WORDS;
        at = fill(desc[d + D_IV]!, desc[d + D_IV + 1]!, desc[d + D_IV + 2]!, keystreamBlocks(desc[d + D_DATA_LEN]!), at);
      }
      return encryptCounters(total);
    },
    ecbBlocks: (blocks) => cipher().update(blocks),
    keystream: (iv, blocks) => keystreamOctets(keystreamWords, iv, blocks),
    encryptZeroBlock() {
      return new Uint8Array(cipher().update(new Uint8Array(16)));
    },
    wipe() {
      ecb?.final();
      ecb = undefined;
      counters.fill(0);
    },
  };
}
