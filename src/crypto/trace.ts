/**
 * Every intermediate value of GCM-AES for one MACsec frame (NIST SP 800-38D 7.1, 802.1AE 14.5/14.7), for
 * teaching: H, the IV and where each of its octets came from, J0, each counter block and its keystream,
 * each GHASH step over the AAD, the ciphertext and the length block, and the tag that becomes the ICV.
 *
 * The values come from the code that protects frames: the SA's own `iv()`, `protect()` for the SecTAG,
 * the noble keystream source (H and E_K(counter)), the GHASH table of ghash.ts and `ghash()` itself for
 * the final GHASH value. Only the per-block walk is spelt out here, one table multiplication per block,
 * and a test holds its last step equal to `ghash()` and its tag and ciphertext equal to `protect()`'s.
 */
import { parseMacsecFrame } from '../wire/frame.js';
import { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import { MAC_LENGTH } from '../wire/mac.js';
import { ICV_LENGTH } from '../wire/sectag.js';
import { ConfigError } from '../util/errors.js';
import { keystreamBlocks } from './engine.js';
import { ghash, ghashTable, type GhashTable } from './ghash.js';
import { protect, type ProtectOptions } from './macsec.js';
import { nobleKeystream } from './noble.js';
import { SaContext, type SaKey } from './sa.js';
import type { ConfidentialityOffset } from './suite.js';

/** Where one IV octet came from (14.5: SCI ‖ PN; 14.7: (SSCI ‖ PN64) XOR salt). */
export interface IvOctetSource {
  readonly from: 'SCI' | 'PN' | 'SSCI';
  /** The octet's index within its source (PN: of the 4-octet PN, or of the 8-octet PN64 with XPN). */
  readonly index: number;
  /** XPN: the salt octet it was XORed with. */
  readonly salt?: number;
}

export interface CounterStep {
  /** The counter block IV ‖ i (32-bit big-endian i), i = 2, 3, ... */
  readonly counter: Uint8Array;
  /** E_K(counter block). */
  readonly keystream: Uint8Array;
  /** The plaintext octets of this block (the last may be short) and the ciphertext they XOR to. */
  readonly plaintext: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface GhashStep {
  readonly part: 'AAD' | 'ciphertext' | 'length';
  /** The 16-octet block X_i (a short last block zero-padded). */
  readonly block: Uint8Array;
  /** Y_i = (Y_{i-1} XOR X_i) · H. */
  readonly y: Uint8Array;
}

export interface GcmTrace {
  readonly suite: string;
  /** The hash subkey H = E_K(0^128). */
  readonly h: Uint8Array;
  readonly iv: Uint8Array;
  readonly ivSources: readonly IvOctetSource[];
  /** J0 = IV ‖ 0x00000001. */
  readonly j0: Uint8Array;
  /** E_K(J0): XORed into the GHASH value to make the tag. */
  readonly ekj0: Uint8Array;
  /** DA ‖ SA ‖ SecTAG ‖ the user data in clear (all of it when integrity only). */
  readonly aad: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly counters: readonly CounterStep[];
  readonly ghash: readonly GhashStep[];
  /** GHASH_H(A, C): the last Y. */
  readonly s: Uint8Array;
  /** S XOR E_K(J0): the ICV a transmitter sends. */
  readonly tag: Uint8Array;
  /** A received frame: its ICV, and whether it equals the tag. */
  readonly receivedIcv?: Uint8Array;
  readonly verified?: boolean;
}

/** A frame to protect (its unprotected form), or a received protected frame with what the receiver resolved. */
export type TraceInput =
  | { readonly unprotected: Uint8Array; readonly options: ProtectOptions }
  | {
      readonly received: Uint8Array;
      readonly sci: Uint8Array;
      /** The full PN (recovered, with XPN). */
      readonly pn: bigint;
      readonly confidentialityOffset: ConfidentialityOffset;
    };

const PN_LOW = 0xffff_ffffn;

/**
 * The GCM trace of one frame under the SA `key`. Throws ConfigError for a bad key, what `protect` refuses, or
 * a frame that is not MACsec. It takes the key, not an SaContext: H and E_K(counter) need the SAK itself,
 * which a context never gives back; its own context (noble) is wiped before it returns.
 */
export function gcmTrace(key: SaKey, input: TraceInput): GcmTrace {
  const sa = new SaContext(key);
  try {
    return traceWith(sa, key, input);
  } finally {
    sa.wipe();
  }
}

function traceWith(sa: SaContext, material: SaKey, input: TraceInput): GcmTrace {
  let frame: Uint8Array;
  let sci: Uint8Array;
  let pn: bigint;
  let offset: ConfidentialityOffset;
  let clearTags: number;
  if ('unprotected' in input) {
    frame = protect(sa, input.unprotected, input.options);
    ({ sci, pn, confidentialityOffset: offset } = input.options);
    clearTags = input.options.clearTags ?? 0;
  } else {
    frame = input.received;
    ({ sci, pn, confidentialityOffset: offset } = input);
    clearTags = 2;
  }
  const parsed = parseMacsecFrame(frame, { clearTags: clearTags === 0 ? 0 : 'auto', allowZeroPN: true });
  if (!parsed.ok) throw new ConfigError('frame', 'a MACsec frame', parsed.error.message);
  const m = parsed.value;
  const encrypted = m.secTag.tci.e;
  const clear = encrypted ? Math.min(offset, m.secureDataLength) : m.secureDataLength;
  const dataStart = m.secureDataOffset + clear;
  const dataEnd = m.secureDataOffset + m.secureDataLength;
  // AAD: DA ‖ SA, then SecTAG ‖ clear user data (clear VLAN tags in between are outside it).
  const aad = new Uint8Array(2 * MAC_LENGTH + dataStart - m.secTagOffset);
  aad.set(frame.subarray(0, 2 * MAC_LENGTH));
  aad.set(frame.subarray(m.secTagOffset, dataStart), 2 * MAC_LENGTH);

  const source = nobleKeystream(material.key);
  try {
    const h = source.encryptZeroBlock();
    const table = ghashTable(h);
    const iv = sa.iv(sci, 0, Number(pn >> 32n), Number(pn & PN_LOW)).slice();
    const dataLength = dataEnd - dataStart;
    const ks = source.keystream(iv, keystreamBlocks(dataLength)).slice();
    const ekj0 = ks.slice(0, 16);
    // Transmit: the plaintext is the user data given; receive: the secure data is ciphertext.
    let plaintext: Uint8Array;
    let ciphertext: Uint8Array;
    if ('unprotected' in input) {
      const userStart = ETHERTYPE_OFFSET + clearTags * VLAN_TAG_LENGTH;
      plaintext = input.unprotected.slice(userStart + clear, userStart + m.secureDataLength);
      ciphertext = plaintext.map((p, i) => p ^ ks[16 + i]!);
    } else {
      ciphertext = frame.slice(dataStart, dataEnd);
      plaintext = ciphertext.map((c, i) => c ^ ks[16 + i]!);
    }
    const counters: CounterStep[] = [];
    for (let b = 0; b * 16 < dataLength; b++) {
      const counter = new Uint8Array(16);
      counter.set(iv);
      new DataView(counter.buffer).setUint32(12, b + 2);
      const at = b * 16;
      counters.push({
        counter,
        keystream: ks.slice(16 + at, 32 + at),
        plaintext: plaintext.slice(at, at + 16),
        ciphertext: ciphertext.slice(at, at + 16),
      });
    }
    const steps = ghashSteps(table, aad, ciphertext);
    // The GHASH value the protect path computes, over AAD and ciphertext laid out in one buffer.
    const buf = new Uint8Array(aad.length + ciphertext.length);
    buf.set(aad);
    buf.set(ciphertext, aad.length);
    const y = new Uint32Array(4);
    ghash(table, buf, undefined, 0, aad.length, aad.length, ciphertext.length, y);
    const s = new Uint8Array(y.buffer.slice(0));
    littleEndianWords(s);
    const tag = s.map((v, i) => v ^ ekj0[i]!);
    table.all.fill(0);
    const j0 = new Uint8Array(16);
    j0.set(iv);
    j0[15] = 1;
    const trace: GcmTrace = {
      suite: sa.suite.name,
      h,
      iv,
      ivSources: ivSources(sa, material.salt),
      j0,
      ekj0,
      aad,
      plaintext,
      ciphertext,
      counters,
      ghash: steps,
      s,
      tag,
    };
    if ('unprotected' in input) return trace;
    const receivedIcv = frame.slice(m.icvOffset, m.icvOffset + ICV_LENGTH);
    return { ...trace, receivedIcv, verified: receivedIcv.every((v, i) => v === tag[i]) };
  } finally {
    source.wipe();
  }
}

/** `y` holds four little-endian words (ghash.ts's layout); on a big-endian host swap each to octet order. */
function littleEndianWords(y: Uint8Array): void {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) return;
  for (let k = 0; k < 16; k += 4) y.subarray(k, k + 4).reverse();
}

function ivSources(sa: SaContext, salt: Uint8Array | undefined): IvOctetSource[] {
  const out: IvOctetSource[] = [];
  for (let i = 0; i < 12; i++) {
    if (sa.suite.xpn && salt !== undefined) out.push(i < 4 ? { from: 'SSCI', index: i, salt: salt[i]! } : { from: 'PN', index: i - 4, salt: salt[i]! });
    else out.push(i < 8 ? { from: 'SCI', index: i } : { from: 'PN', index: i - 8 });
  }
  return out;
}

/** Y_i for each block of A ‖ 0* ‖ C ‖ 0* ‖ len(A) ‖ len(C), multiplying by H through the GHASH table. */
function ghashSteps(table: GhashTable, aad: Uint8Array, ciphertext: Uint8Array): GhashStep[] {
  const [t0, t1, t2, t3] = table.words;
  const y = new Uint8Array(16);
  const steps: GhashStep[] = [];
  const absorb = (part: GhashStep['part'], block: Uint8Array): void => {
    for (let i = 0; i < 16; i++) y[i]! ^= block[i]!;
    // One lookup per octet p of Y in block p of the tables, as ghash() does; words little-endian.
    const z = [0, 0, 0, 0];
    for (let p = 0; p < 16; p++) {
      const e = (p << 8) | y[p]!;
      z[0]! ^= t0[e]!;
      z[1]! ^= t1[e]!;
      z[2]! ^= t2[e]!;
      z[3]! ^= t3[e]!;
    }
    for (let i = 0; i < 16; i++) y[i] = z[i >>> 2]! >>> ((i & 3) << 3);
    steps.push({ part, block, y: y.slice() });
  };
  const run = (part: GhashStep['part'], data: Uint8Array): void => {
    for (let o = 0; o < data.length; o += 16) {
      const block = new Uint8Array(16);
      block.set(data.subarray(o, o + 16));
      absorb(part, block);
    }
  };
  run('AAD', aad);
  run('ciphertext', ciphertext);
  const lengths = new Uint8Array(16);
  const view = new DataView(lengths.buffer);
  view.setUint32(4, aad.length * 8);
  view.setUint32(12, ciphertext.length * 8);
  absorb('length', lengths);
  return steps;
}
