/**
 * AES-GCM (NIST SP 800-38D) for one key, with everything that depends only on the key made once:
 * the block cipher's key schedule (in the backend), the hash subkey H = E_K(0^128) and an 8-bit
 * GHASH table of 16 x 256 entries (64 KiB), so a frame costs table lookups and no key setup.
 *
 * Operates in place on ranges of one buffer: the AAD, then the data right where it lies, then the
 * 16-octet tag. Table-driven GHASH is not constant-time (cache timing): fine for a simulator.
 */

/** What a backend supplies: AES-CTR keystream for a 96-bit IV. */
export interface KeystreamSource {
  /**
   * Returns `blocks` keystream blocks E_K(IV ‖ 1), E_K(IV ‖ 2), ... (32-bit big-endian counter),
   * in a buffer the caller reads before the next call.
   */
  keystream(iv: Uint8Array, blocks: number): Uint8Array;
  /** E_K(0^128), the GHASH subkey H, in a new buffer. */
  encryptZeroBlock(): Uint8Array;
  /** Forgets the key. */
  wipe(): void;
}

export const TAG_LENGTH = 16;
export const IV_LENGTH = 12;

const readBE = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Reads the 4-octet word at `o` with octets at or past `end` taken as zero (GHASH pads with zeros). */
function readBEPadded(b: Uint8Array, o: number, end: number): number {
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (o + i < end ? b[o + i]! : 0);
  return w >>> 0;
}

/** 8-bit GHASH table: entry (p, v) is the field element with octet v at position p, times H. */
function ghashTable(h0: number, h1: number, h2: number, h3: number): Uint32Array {
  const table = new Uint32Array(16 * 256 * 4);
  let v0 = h0, v1 = h1, v2 = h2, v3 = h3; // H · x^j, j = 8p + i
  for (let p = 0; p < 16; p++) {
    for (let i = 0; i < 8; i++) {
      const e = ((p << 8) | (0x80 >>> i)) << 2;
      table[e] = v0;
      table[e + 1] = v1;
      table[e + 2] = v2;
      table[e + 3] = v3;
      // Multiply by x: a right shift in GCM's bit order, reduced by x^128 + x^7 + x^2 + x + 1.
      const carry = v3 & 1;
      v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
      v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
      v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
      v0 = ((v0 >>> 1) ^ (carry ? 0xe1000000 : 0)) >>> 0;
    }
    // Every other octet value is the XOR of its single-bit entries.
    for (let v = 1; v < 256; v++) {
      const low = v & -v;
      if (low === v) continue;
      const e = ((p << 8) | v) << 2;
      const a = ((p << 8) | low) << 2;
      const b = ((p << 8) | (v ^ low)) << 2;
      for (let k = 0; k < 4; k++) table[e + k] = table[a + k]! ^ table[b + k]!;
    }
  }
  return table;
}

export class Gcm {
  private table: Uint32Array;
  /** GHASH accumulator Y, four big-endian words. */
  private readonly y = new Uint32Array(4);

  constructor(private readonly source: KeystreamSource) {
    const h = source.encryptZeroBlock();
    this.table = ghashTable(readBE(h, 0), readBE(h, 4), readBE(h, 8), readBE(h, 12));
    h.fill(0);
  }

  /** Absorbs buf[off, off+len) into Y, zero-padding the last block. */
  private ghash(buf: Uint8Array, off: number, len: number): void {
    const t = this.table;
    const y = this.y;
    let y0 = y[0]!, y1 = y[1]!, y2 = y[2]!, y3 = y[3]!;
    const end = off + len;
    for (let o = off; o < end; o += 16) {
      if (o + 16 <= end) {
        y0 ^= readBE(buf, o);
        y1 ^= readBE(buf, o + 4);
        y2 ^= readBE(buf, o + 8);
        y3 ^= readBE(buf, o + 12);
      } else {
        y0 ^= readBEPadded(buf, o, end);
        y1 ^= readBEPadded(buf, o + 4, end);
        y2 ^= readBEPadded(buf, o + 8, end);
        y3 ^= readBEPadded(buf, o + 12, end);
      }
      let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
      for (let p = 0; p < 16; p++) {
        const w = p < 4 ? y0 : p < 8 ? y1 : p < 12 ? y2 : y3;
        const e = ((p << 8) | ((w >>> (24 - 8 * (p & 3))) & 0xff)) << 2;
        z0 ^= t[e]!;
        z1 ^= t[e + 1]!;
        z2 ^= t[e + 2]!;
        z3 ^= t[e + 3]!;
      }
      y0 = z0 >>> 0;
      y1 = z1 >>> 0;
      y2 = z2 >>> 0;
      y3 = z3 >>> 0;
    }
    y[0] = y0;
    y[1] = y1;
    y[2] = y2;
    y[3] = y3;
  }

  /** GHASH(A, C) ⊕ E_K(J0), written to out[outOff, outOff+16). `ks` holds E_K(J0) in its first block. */
  private tag(buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, ks: Uint8Array, out: Uint8Array, outOff: number): void {
    this.y.fill(0);
    this.ghash(buf, aadOff, aadLen);
    this.ghash(buf, dataOff, dataLen);
    const lengths = LENGTHS;
    lengths.fill(0);
    const aBits = aadLen * 8;
    const cBits = dataLen * 8;
    lengths[4] = aBits >>> 24; lengths[5] = aBits >>> 16; lengths[6] = aBits >>> 8; lengths[7] = aBits;
    lengths[12] = cBits >>> 24; lengths[13] = cBits >>> 16; lengths[14] = cBits >>> 8; lengths[15] = cBits;
    this.ghash(lengths, 0, 16);
    const y = this.y;
    for (let i = 0; i < 16; i++) out[outOff + i] = ((y[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff) ^ ks[i]!;
  }

  /**
   * Encrypts buf[dataOff, dataOff+dataLen) in place, authenticating buf[aadOff, aadOff+aadLen) with it,
   * and writes the tag at buf[tagOff].
   */
  seal(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void {
    const ks = this.source.keystream(iv, 1 + ((dataLen + 15) >> 4));
    for (let i = 0; i < dataLen; i++) buf[dataOff + i]! ^= ks[16 + i]!;
    this.tag(buf, aadOff, aadLen, dataOff, dataLen, ks, buf, tagOff);
  }

  /**
   * Checks the tag at buf[tagOff] in constant time; only when it verifies is the data decrypted in place.
   * Returns whether it verified.
   */
  open(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean {
    const ks = this.source.keystream(iv, 1 + ((dataLen + 15) >> 4));
    const expected = EXPECTED;
    this.tag(buf, aadOff, aadLen, dataOff, dataLen, ks, expected, 0);
    let diff = 0;
    for (let i = 0; i < TAG_LENGTH; i++) diff |= expected[i]! ^ buf[tagOff + i]!;
    expected.fill(0);
    if (diff !== 0) return false;
    for (let i = 0; i < dataLen; i++) buf[dataOff + i]! ^= ks[16 + i]!;
    return true;
  }

  /** Zeroes the GHASH table and the backend's key schedule. */
  wipe(): void {
    this.table.fill(0);
    this.y.fill(0);
    this.source.wipe();
  }
}

// Shared scratch: JavaScript runs one frame at a time per thread.
const LENGTHS = new Uint8Array(16);
const EXPECTED = new Uint8Array(TAG_LENGTH);
