/**
 * GHASH (NIST SP 800-38D 6.4) with an 8-bit table per hash subkey, and the word-wise CTR XOR beside it.
 *
 * Field elements are held as four little-endian 32-bit words (word k = octets 4k..4k+3, octet 4k in the
 * low bits), so a `Uint32Array` over the frame buffer feeds GHASH with no byte swapping on the usual
 * little-endian hosts. One multiplication by H is 16 table lookups (one per octet of Y) of 4 words each,
 * XORed together: no shifts, no reduction. Table-driven GHASH is not constant-time (cache timing).
 */

/** `Uint32Array` views read octets in the order the word paths assume only on little-endian hosts. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const bswap32 = (x: number): number => ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

const readBE = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
/** Little-endian word of 4 octets: how IVs and keystream are held as words. */
export const readLE = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/**
 * The 8-bit table for one hash subkey H: entry p·256 + v of `words[k]` is word k of the field element
 * whose only nonzero octet is v at position p, times H. Four separate arrays, one per word of the
 * product, index with one computed offset and measured about 20 % faster than one interleaved array.
 */
export interface GhashTable {
  readonly words: readonly [Int32Array, Int32Array, Int32Array, Int32Array];
  /** The memory all four live in (64 KiB), for wiping. */
  readonly all: Int32Array;
}

export function ghashTable(h: Uint8Array): GhashTable {
  const table = new Uint32Array(16 * 256 * 4);
  ghashTableInto(h, table, 0);
  const all = new Int32Array(4 * 4096);
  for (let i = 0; i < 4096; i++) {
    for (let k = 0; k < 4; k++) all[k * 4096 + i] = table[4 * i + k]!;
  }
  table.fill(0);
  return { all, words: [all.subarray(0, 4096), all.subarray(4096, 8192), all.subarray(8192, 12288), all.subarray(12288)] };
}

/**
 * The same table interleaved, written to out[at, +16384): entry p·256 + v is the four little-endian words
 * of its product in order (the layout of the WebAssembly kernel's slots, built there in place).
 */
export function ghashTableInto(h: Uint8Array, out: Uint32Array, at: number): void {
  // H · x^j (j = 8p + i) in big-endian words, where multiplying by x is a plain right shift; each entry
  // is stored swapped (swapping commutes with XOR, so the other entries are made from swapped ones).
  const v = bigEndianWords(h);
  for (let p = 0; p < 16; p++) {
    const block = at + (p << 10);
    for (let i = 0; i < 8; i++) {
      const e = block + ((0x80 >>> i) << 2);
      for (let k = 0; k < 4; k++) out[e + k] = bswap32(v[k]!);
      timesX(v);
    }
    // Every other octet value is the XOR of its single-bit entries; entry 0 is zero.
    out.fill(0, block, block + 4);
    for (let o = 1; o < 256; o++) {
      const low = o & -o;
      if (low === o) continue;
      const e = block + (o << 2);
      const a = block + (low << 2);
      const b = block + ((o ^ low) << 2);
      out[e] = out[a]! ^ out[b]!;
      out[e + 1] = out[a + 1]! ^ out[b + 1]!;
      out[e + 2] = out[a + 2]! ^ out[b + 2]!;
      out[e + 3] = out[a + 3]! ^ out[b + 3]!;
    }
  }
  v.fill(0);
}

const bigEndianWords = (b: Uint8Array): Uint32Array => new Uint32Array([readBE(b, 0), readBE(b, 4), readBE(b, 8), readBE(b, 12)]);

/** v = v · x (v as big-endian words): a right shift in GCM's bit order, reduced by x^128 + x^7 + x^2 + x + 1. */
function timesX(v: Uint32Array): void {
  const carry = v[3]! & 1;
  v[3] = (v[3]! >>> 1) | (v[2]! << 31);
  v[2] = (v[2]! >>> 1) | (v[1]! << 31);
  v[1] = (v[1]! >>> 1) | (v[0]! << 31);
  v[0] = (v[0]! >>> 1) ^ (carry ? 0xe1000000 : 0);
}

/**
 * X · Y in GF(2^128), GCM's bit order (SP 800-38D 6.3, algorithm 1, bit by bit): for key setup only
 * (the powers of H), into a new array.
 */
export function gfMul(x: Uint8Array, y: Uint8Array): Uint8Array {
  const z = new Uint32Array(4);
  const v = bigEndianWords(y);
  for (let i = 0; i < 128; i++) {
    if ((x[i >>> 3]! >>> (7 - (i & 7))) & 1) for (let k = 0; k < 4; k++) z[k]! ^= v[k]!;
    timesX(v);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = z[i >>> 2]! >>> (24 - 8 * (i & 3));
  z.fill(0);
  v.fill(0);
  return out;
}

/**
 * Caches one `Uint32Array` over a whole ArrayBuffer, so a run of frames in one buffer (a burst) pays for
 * the view once. `of()` returns undefined on big-endian hosts: every caller then takes its octet path.
 */
export class WordView {
  private buffer: ArrayBufferLike | undefined;
  private words: Uint32Array = new Uint32Array(0);

  of(b: Uint8Array): Uint32Array | undefined {
    if (!LITTLE_ENDIAN) return undefined;
    const buffer = b.buffer;
    // A resizable ArrayBuffer may have changed length: a view past its end would read undefined (zeros).
    if (buffer !== this.buffer || this.words.length !== buffer.byteLength >>> 2) {
      this.buffer = buffer;
      this.words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    }
    return this.words;
  }

  clear(): void {
    this.buffer = undefined;
    this.words = new Uint32Array(0);
  }
}

/** Zero-padded copy of a final partial block. Shared: one frame at a time per thread. */
const PAD = new Uint8Array(16);

/**
 * Y = GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ len(A) ‖ len(C)) for A = buf[aadOff, +aadLen), C = buf[dataOff, +dataLen),
 * written to `y` as four little-endian words. `words` is the view of buf's whole ArrayBuffer (or undefined):
 * 16-octet blocks starting on a 4-octet boundary are read through it, others octet by octet.
 */
const NO_WORDS = new Uint32Array(0);

export function ghash(
  table: GhashTable,
  buf: Uint8Array,
  words: Uint32Array | undefined,
  aadOff: number,
  aadLen: number,
  dataOff: number,
  dataLen: number,
  y: Uint32Array,
): void {
  const [t0, t1, t2, t3] = table.words;
  const base = buf.byteOffset;
  // No view: an empty one, so `aligned` (blocks within wordBytes) is never true and no read goes through it.
  const ws = words ?? NO_WORDS;
  const wordBytes = ws.length << 2;
  let y0 = 0, y1 = 0, y2 = 0, y3 = 0;
  // Two runs (A, then C) and the length block; `off` walks the current run.
  let off = aadOff;
  let end = aadOff + aadLen;
  let phase = 0;
  let aligned = ((base + off) & 3) === 0 && base + end <= wordBytes && wordBytes > 0;
  for (;;) {
    if (off + 16 <= end) {
      if (aligned) {
        const w = (base + off) >>> 2;
        y0 ^= ws[w]!;
        y1 ^= ws[w + 1]!;
        y2 ^= ws[w + 2]!;
        y3 ^= ws[w + 3]!;
      } else {
        y0 ^= buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24);
        y1 ^= buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16) | (buf[off + 7]! << 24);
        y2 ^= buf[off + 8]! | (buf[off + 9]! << 8) | (buf[off + 10]! << 16) | (buf[off + 11]! << 24);
        y3 ^= buf[off + 12]! | (buf[off + 13]! << 8) | (buf[off + 14]! << 16) | (buf[off + 15]! << 24);
      }
      off += 16;
    } else if (off < end && aligned && base + off + 16 <= wordBytes) {
      // A final partial block inside the buffer: whole words, the octets past the run masked off.
      const r = end - off;
      const w = (base + off) >>> 2;
      y0 ^= ws[w]! & (r >= 4 ? -1 : (1 << (r << 3)) - 1);
      y1 ^= r <= 4 ? 0 : ws[w + 1]! & (r >= 8 ? -1 : (1 << ((r - 4) << 3)) - 1);
      y2 ^= r <= 8 ? 0 : ws[w + 2]! & (r >= 12 ? -1 : (1 << ((r - 8) << 3)) - 1);
      y3 ^= r <= 12 ? 0 : ws[w + 3]! & ((1 << ((r - 12) << 3)) - 1);
      off = end;
    } else if (off < end) {
      PAD.fill(0);
      for (let i = 0; off + i < end; i++) PAD[i] = buf[off + i]!;
      y0 ^= PAD[0]! | (PAD[1]! << 8) | (PAD[2]! << 16) | (PAD[3]! << 24);
      y1 ^= PAD[4]! | (PAD[5]! << 8) | (PAD[6]! << 16) | (PAD[7]! << 24);
      y2 ^= PAD[8]! | (PAD[9]! << 8) | (PAD[10]! << 16) | (PAD[11]! << 24);
      y3 ^= PAD[12]! | (PAD[13]! << 8) | (PAD[14]! << 16) | (PAD[15]! << 24);
      off = end;
    } else if (phase === 0) {
      phase = 1;
      off = dataOff;
      end = dataOff + dataLen;
      aligned = ((base + off) & 3) === 0 && base + end <= wordBytes && wordBytes > 0;
      continue;
    } else if (phase === 1) {
      // len(A) ‖ len(C) in bits, 64-bit big-endian each; frames stay far below 2^29 octets.
      phase = 2;
      y1 ^= bswap32(aadLen * 8);
      y3 ^= bswap32(dataLen * 8);
    } else {
      break;
    }
    // Y = Y · H: one lookup per octet of Y, octet p of Y selecting from block p of the tables.
    let e = y0 & 255;
    let z0 = t0[e]!, z1 = t1[e]!, z2 = t2[e]!, z3 = t3[e]!;
    e = 0x100 | ((y0 >>> 8) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x200 | ((y0 >>> 16) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x300 | (y0 >>> 24); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x400 | (y1 & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x500 | ((y1 >>> 8) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x600 | ((y1 >>> 16) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x700 | (y1 >>> 24); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x800 | (y2 & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0x900 | ((y2 >>> 8) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xa00 | ((y2 >>> 16) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xb00 | (y2 >>> 24); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xc00 | (y3 & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xd00 | ((y3 >>> 8) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xe00 | ((y3 >>> 16) & 255); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    e = 0xf00 | (y3 >>> 24); z0 ^= t0[e]!; z1 ^= t1[e]!; z2 ^= t2[e]!; z3 ^= t3[e]!;
    y0 = z0;
    y1 = z1;
    y2 = z2;
    y3 = z3;
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
}

/**
 * buf[off, +len) ^= keystream, the keystream being `ks` from word `ksWord` on (little-endian words, so
 * octet i of the keystream is octet i & 3 of word i >> 2).
 */
export function xorKeystream(buf: Uint8Array, words: Uint32Array | undefined, off: number, len: number, ks: Uint32Array, ksWord: number): void {
  const abs = buf.byteOffset + off;
  let i = 0;
  if (words !== undefined && (abs & 3) === 0 && abs + len <= words.length << 2) {
    const w = abs >>> 2;
    const n = len >>> 2;
    for (; i < n; i++) words[w + i]! ^= ks[ksWord + i]!;
    i <<= 2;
  }
  for (; i < len; i++) buf[off + i]! ^= ks[ksWord + (i >>> 2)]! >>> ((i & 3) << 3);
}

/** Writes the tag Y ⊕ E_K(J0) (E_K(J0) = ks[ksWord..+4)) as 16 octets at buf[off]. */
export function writeTag(y: Uint32Array, ks: Uint32Array, ksWord: number, buf: Uint8Array, off: number): void {
  for (let k = 0; k < 4; k++) {
    const w = y[k]! ^ ks[ksWord + k]!;
    const o = off + 4 * k;
    buf[o] = w;
    buf[o + 1] = w >>> 8;
    buf[o + 2] = w >>> 16;
    buf[o + 3] = w >>> 24;
  }
}

/** Compares Y ⊕ E_K(J0) with the 16 octets at buf[off] in constant time. */
export function tagMatches(y: Uint32Array, ks: Uint32Array, ksWord: number, buf: Uint8Array, off: number): boolean {
  let diff = 0;
  for (let k = 0; k < 4; k++) {
    const o = off + 4 * k;
    diff |= (y[k]! ^ ks[ksWord + k]!) ^ (buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24));
  }
  return diff === 0;
}
