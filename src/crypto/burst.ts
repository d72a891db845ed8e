/**
 * The MACsec transform for a burst of frames under one SA (what `protect`/`validate` do per frame, in
 * one go): the frames are laid out in one buffer, described in one descriptor table, and sealed or
 * opened by the backend in one call (one AES-ECB call for `node`, one C call for `native`); with a
 * `BurstPool` a large burst is split between this thread and worker threads. Results are byte-identical
 * to the per-frame functions.
 *
 * Stateless like them: the SecY assigns the PNs (and recovers the high halves of XPN PNs) and keeps the
 * replay state; here each frame comes with its PN, and on receive with its parsed layout and SCI.
 *
 * The frames returned are views into one new buffer per burst (per thread, when split), so a frame kept
 * alive keeps its burst's buffer. Each frame's slot starts where its larger part (data, else AAD) is
 * 4-octet aligned, for the word-wise GHASH and CTR paths.
 */
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, readU32, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import { MAC_LENGTH } from '../wire/mac.js';
import { ICV_LENGTH, SCI_LENGTH, secTagLength, shortLength, transmitTciOctet, writeSecTagWords } from '../wire/sectag.js';
import { D_AAD_LEN, D_AAD_OFF, D_DATA_LEN, D_DATA_OFF, D_IV, D_TAG_OFF, DESC_WORDS, type BurstBuffers } from './engine.js';
import { bswap32 } from './ghash.js';
import { checkSecTagOptions, MIN_USER_DATA, type BurstProtectOptions } from './macsec.js';
import type { PackedExecutor } from './packed.js';
import type { SaContext, SaKey } from './sa.js';
import type { ConfidentialityOffset } from './suite.js';

const ADDRESSES = 2 * MAC_LENGTH;

export type { BurstProtectOptions } from './macsec.js';

export interface BurstValidateOptions {
  /** Octets of user data in clear when E=1 (the receive SA's confidentiality offset). */
  readonly confidentialityOffset: ConfidentialityOffset;
}

/** What validation needs of a parsed frame: a `MacsecFrame` from `parseMacsecFrame` has it. */
export interface BurstLayout {
  readonly secTagOffset: number;
  readonly secureDataOffset: number;
  readonly secureDataLength: number;
  readonly icvOffset: number;
  readonly secTag: { readonly tci: { readonly e: boolean }; readonly pn: number };
}

/**
 * Where a burst's crypto runs. `protect`/`validate` take frames first .. first + count - 1, arguments
 * already checked, and decide alone whether to run them here or elsewhere.
 */
export interface BurstExecutor {
  /**
   * An SA was installed under `key`: an executor that runs bursts in other threads hands the key on to
   * them now (and forgets it when `sa` is wiped); it keeps no copy of its own.
   */
  install(sa: SaContext, key: Omit<SaKey, 'suite'>): void;
  protect(
    sa: SaContext,
    frames: readonly Uint8Array[],
    first: number,
    count: number,
    o: BurstProtectOptions,
    pnHigh: ArrayLike<number>,
    pnLow: ArrayLike<number>,
  ): Uint8Array[];
  validate(
    sa: SaContext,
    frames: readonly Uint8Array[],
    first: number,
    count: number,
    layouts: readonly BurstLayout[],
    scis: readonly Uint8Array[],
    pnHigh: ArrayLike<number>,
    o: BurstValidateOptions,
  ): (Uint8Array | null)[];
  /** Where the SecY's packed kernel calls run; without it, on the calling thread. */
  readonly packed?: PackedExecutor;
}

export interface BurstRunOptions {
  /** Where the burst runs. Default `inThread`. */
  readonly executor?: BurstExecutor | undefined;
}

/** Descriptor and result scratch for bursts run on this thread, grown to the largest burst. */
let scratchDesc = new Int32Array(DESC_WORDS * 256);
let scratchResults = new Uint8Array(256);

/**
 * How a burst's output buffer is made. The layout functions write every octet up to the end of the last
 * slot, gaps included, so it need not be zero-filled; zero-filling costs as much as the copying at large
 * frames, which is why Node's unpooled, unfilled allocation is registered where there is Node
 * (node-alloc.ts), explicitly rather than by importing something.
 */
export type BurstAllocator = (octets: number) => Uint8Array;

let allocate: BurstAllocator = (octets) => new Uint8Array(octets);

/** Makes every later burst allocate its output with `allocator`. */
export function setBurstAllocator(allocator: BurstAllocator): void {
  allocate = allocator;
}

/** A burst's working buffers: `octets` of output, and the descriptor and result scratch. */
function burstBuffers(octets: number, frames: number): BurstBuffers {
  if (scratchResults.length < frames) {
    scratchResults = new Uint8Array(Math.max(frames, 2 * scratchResults.length));
    scratchDesc = new Int32Array(scratchResults.length * DESC_WORDS);
  }
  return { data: allocate(octets), desc: scratchDesc, results: scratchResults };
}

/** The first offset at or after `at` where `part` (an offset within the slot) lands 4-aligned. */
const alignSlot = (at: number, part: number): number => at + ((4 - ((at + part) & 3)) & 3);

const IV0 = new Int32Array(3);
/** Octets laid out before they are sealed or opened: well inside a core's L2 cache. */
const CHUNK_OCTETS = 128 * 1024;


const isU32 = (x: number | undefined): x is number => x !== undefined && x >>> 0 === x;

/**
 * Protects `frames` (each DA ‖ SA ‖ [clear tags] ‖ user data) under `sa`, frame i with PN
 * pnHigh[i]·2^32 + pnLow[i] (pnHigh all 0 for the plain suites). Returns the MACsec frames in order.
 * Throws ConfigError on bad options, PNs or frame lengths, before anything is encrypted.
 */
export function protectBurst(
  sa: SaContext,
  frames: readonly Uint8Array[],
  o: BurstProtectOptions,
  pnHigh: ArrayLike<number>,
  pnLow: ArrayLike<number>,
  run: BurstRunOptions = {},
): Uint8Array[] {
  checkSecTagOptions(o);
  const n = frames.length;
  if (pnHigh.length < n || pnLow.length < n) throw new ConfigError('pnHigh/pnLow', `a PN for each of the ${n} frames`, `${pnHigh.length}/${pnLow.length}`);
  const headerLength = ETHERTYPE_OFFSET + (o.clearTags ?? 0) * VLAN_TAG_LENGTH;
  const xpn = sa.suite.xpn;
  for (let i = 0; i < n; i++) {
    if (frames[i]!.length < headerLength + MIN_USER_DATA) {
      throw new ConfigError(`frames[${i}]`, `at least ${headerLength + MIN_USER_DATA} octets (addresses, clear tags, EtherType)`, describe(frames[i]));
    }
    const high = pnHigh[i], low = pnLow[i];
    if (!isU32(high) || !isU32(low) || (!xpn && (high !== 0 || low === 0))) {
      throw new ConfigError(`pn[${i}]`, xpn ? 'two 32-bit halves' : `1 to ${sa.suite.maxPN} for ${sa.suite.name} (pnHigh 0)`, `${String(high)}:${String(low)}`);
    }
  }
  return (run.executor ?? inThread).protect(sa, frames, 0, n, o, pnHigh, pnLow);
}

/**
 * protectBurst for frames first .. first + count - 1, on this thread, arguments already checked: what
 * every executor runs, on its thread's slice.
 */
export function protectRange(
  sa: SaContext,
  frames: readonly Uint8Array[],
  first: number,
  count: number,
  o: BurstProtectOptions,
  pnHigh: ArrayLike<number>,
  pnLow: ArrayLike<number>,
): Uint8Array[] {
  const end = first + count;
  const tagsLength = (o.clearTags ?? 0) * VLAN_TAG_LENGTH;
  const headerLength = ETHERTYPE_OFFSET + tagsLength;
  const secTagLen = secTagLength(o.includeSci);
  let octets = 0;
  for (let i = first; i < end; i++) octets += frames[i]!.length + secTagLen + ICV_LENGTH + 3;
  const burst = burstBuffers(octets, count);
  const { data, desc } = burst;
  // The IV is linear in the PN: the PN-0 IV once, then each frame's PN halves XORed in.
  sa.ivWords(o.sci, 0, 0, 0, IV0, 0);
  const iv0 = IV0[0]!, iv1 = IV0[1]!, iv2 = IV0[2]!;
  const tciAn = transmitTciOctet(o);
  // Octets moved four at a time (DataView reads unaligned words; measured well ahead of octet loops here).
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const sci0 = readU32(o.sci, 0), sci1 = readU32(o.sci, 4);
  const offsets = new Int32Array(count);
  let at = 0;
  // Sealed (opened) a chunk at a time, while its octets are still in cache from being laid out.
  let chunk = 0, chunkAt = 0;
  for (let i = first; i < end; i++) {
    const frame = frames[i]!;
    const userLength = frame.length - headerLength;
    const clear = o.confidentiality ? Math.min(o.confidentialityOffset, userLength) : userLength;
    const aadLen = ADDRESSES + secTagLen + clear;
    const dataRel = headerLength + secTagLen + clear;
    const s = alignSlot(at, userLength - clear >= aadLen ? dataRel : tagsLength);
    for (let k = at; k < s; k++) data[k] = 0;
    offsets[i - first] = s;
    // The whole frame goes in so that its user data lands after the SecTAG; DA ‖ SA then move right before
    // the SecTAG, making the AAD one run (clear tags, outside the ICV, are put back afterwards).
    data.set(frame, s + secTagLen);
    // Forwards, word by word: the destination is never after the source, so overlap is harmless.
    const from = s + secTagLen, to = s + tagsLength;
    view.setUint32(to, view.getUint32(from));
    view.setUint32(to + 4, view.getUint32(from + 4));
    view.setUint32(to + 8, view.getUint32(from + 8));
    const t = s + headerLength;
    const pn = pnLow[i]!;
    writeSecTagWords(view, t, tciAn, shortLength(userLength), pn, o.includeSci, sci0, sci1);
    const d = (i - first) * DESC_WORDS;
    desc[d + D_AAD_OFF] = s + tagsLength;
    desc[d + D_AAD_LEN] = aadLen;
    desc[d + D_DATA_OFF] = s + dataRel;
    desc[d + D_DATA_LEN] = userLength - clear;
    desc[d + D_TAG_OFF] = s + headerLength + secTagLen + userLength;
    desc[d + D_IV] = iv0;
    desc[d + D_IV + 1] = iv1 ^ bswap32(pnHigh[i]!);
    desc[d + D_IV + 2] = iv2 ^ bswap32(pn);
    at = s + headerLength + secTagLen + userLength + ICV_LENGTH;
    if (at - chunkAt >= CHUNK_OCTETS || i === end - 1) {
      sa.sealBurst(burst, chunk, i - first + 1 - chunk);
      chunk = i - first + 1;
      chunkAt = at;
    }
  }
  data.fill(0, at);
  if (tagsLength > 0) for (let i = first; i < end; i++) data.set(frames[i]!.subarray(0, headerLength), offsets[i - first]);
  const result = new Array<Uint8Array>(count);
  const { buffer, byteOffset } = data;
  // The constructor, not subarray(): about twice as fast (no species lookup).
  for (let i = 0; i < count; i++) result[i] = new Uint8Array(buffer, byteOffset + offsets[i]!, frames[first + i]!.length + secTagLen + ICV_LENGTH);
  return result;
}

/**
 * Validates a burst of MACsec frames received on one SA: frame i as parsed into layouts[i]
 * (`parseMacsecFrame`), from the SC scis[i] (the SecTAG's SCI or as the receiver resolved it), with
 * pnHigh[i] the high half of its recovered PN (XPN; 0 otherwise). Returns for each frame the
 * unprotected frame (DA ‖ SA ‖ [clear tags] ‖ user data), or null when its ICV does not verify.
 * Never throws on frame contents; throws ConfigError when the arguments disagree with each other.
 */
export function validateBurst(
  sa: SaContext,
  frames: readonly Uint8Array[],
  layouts: readonly BurstLayout[],
  scis: readonly Uint8Array[],
  pnHigh: ArrayLike<number>,
  o: BurstValidateOptions,
  run: BurstRunOptions = {},
): (Uint8Array | null)[] {
  const n = frames.length;
  if (layouts.length < n || scis.length < n || pnHigh.length < n) {
    throw new ConfigError('layouts/scis/pnHigh', `one for each of the ${n} frames`, `${layouts.length}/${scis.length}/${pnHigh.length}`);
  }
  for (let i = 0; i < n; i++) {
    const { secTagOffset, secureDataOffset, secureDataLength, icvOffset } = layouts[i]!;
    if (!(secTagOffset >= ADDRESSES && secureDataOffset > secTagOffset && secureDataOffset + secureDataLength === icvOffset && frames[i]!.length >= icvOffset + ICV_LENGTH)) {
      throw new ConfigError(`layouts[${i}]`, 'the layout parseMacsecFrame gave for the frame', `ICV at ${icvOffset} in ${describe(frames[i])}`);
    }
    if (scis[i]!.length !== SCI_LENGTH) throw new ConfigError(`scis[${i}]`, `${SCI_LENGTH} octets`, describe(scis[i]));
    if (!isU32(pnHigh[i])) throw new ConfigError(`pnHigh[${i}]`, 'a 32-bit unsigned integer', String(pnHigh[i]));
  }
  return (run.executor ?? inThread).validate(sa, frames, 0, n, layouts, scis, pnHigh, o);
}

/** validateBurst for frames first .. first + count - 1, on this thread, arguments already checked. */
export function validateRange(
  sa: SaContext,
  frames: readonly Uint8Array[],
  first: number,
  count: number,
  layouts: readonly BurstLayout[],
  scis: readonly Uint8Array[],
  pnHigh: ArrayLike<number>,
  o: BurstValidateOptions,
): (Uint8Array | null)[] {
  const end = first + count;
  let octets = 0;
  for (let i = first; i < end; i++) octets += frames[i]!.length + 3;
  const burst = burstBuffers(octets, count);
  const { data, desc, results } = burst;
  const offsets = new Int32Array(count);
  let at = 0;
  // Sealed (opened) a chunk at a time, while its octets are still in cache from being laid out.
  let chunk = 0, chunkAt = 0;
  for (let i = first; i < end; i++) {
    const frame = frames[i]!;
    const { secTagOffset, secureDataOffset: dataOffset, secureDataLength: userLength, icvOffset, secTag } = layouts[i]!;
    const tagsLength = secTagOffset - ADDRESSES;
    const clear = secTag.tci.e ? Math.min(o.confidentialityOffset, userLength) : userLength;
    const aadLen = dataOffset + clear - tagsLength;
    const s = alignSlot(at, userLength - clear >= aadLen ? dataOffset + clear : tagsLength);
    for (let k = at; k < s; k++) data[k] = 0;
    offsets[i - first] = s;
    data.set(frame, s);
    // DA ‖ SA adjacent to the SecTAG: a contiguous AAD.
    if (tagsLength > 0) for (let k = 0; k < ADDRESSES; k++) data[s + tagsLength + k] = frame[k]!;
    const d = (i - first) * DESC_WORDS;
    desc[d + D_AAD_OFF] = s + tagsLength;
    desc[d + D_AAD_LEN] = aadLen;
    desc[d + D_DATA_OFF] = s + dataOffset + clear;
    desc[d + D_DATA_LEN] = userLength - clear;
    desc[d + D_TAG_OFF] = s + icvOffset;
    sa.ivWords(scis[i]!, 0, pnHigh[i]!, secTag.pn, desc, d + D_IV);
    at = s + frame.length;
    if (at - chunkAt >= CHUNK_OCTETS || i === end - 1) {
      sa.openBurst(burst, chunk, i - first + 1 - chunk);
      chunk = i - first + 1;
      chunkAt = at;
    }
  }
  data.fill(0, at);
  const result = new Array<Uint8Array | null>(count);
  const { buffer, byteOffset } = data;
  const view = new DataView(buffer, byteOffset, data.length);
  for (let i = 0; i < count; i++) {
    if (results[i] !== 1) {
      result[i] = null;
      continue;
    }
    const { secTagOffset, secureDataOffset: dataOffset, secureDataLength: userLength } = layouts[first + i]!;
    // DA ‖ SA ‖ clear tags right before the user data, where the SecTAG was.
    const s = offsets[i]!;
    const start = s + dataOffset - secTagOffset;
    if (secTagOffset === ADDRESSES) {
      // DA ‖ SA are still at the slot's start: read all three words before writing (the runs overlap).
      const w0 = view.getUint32(s), w1 = view.getUint32(s + 4), w2 = view.getUint32(s + 8);
      view.setUint32(start, w0);
      view.setUint32(start + 4, w1);
      view.setUint32(start + 8, w2);
    } else {
      const frame = frames[first + i]!;
      for (let k = 0; k < secTagOffset; k++) data[start + k] = frame[k]!;
    }
    result[i] = new Uint8Array(buffer, byteOffset + start, secTagOffset + userLength);
  }
  return result;
}

/** Every burst on the calling thread; installing an SA needs nothing. */
export const inThread: BurstExecutor = {
  install: () => undefined,
  protect: protectRange,
  validate: validateRange,
};
