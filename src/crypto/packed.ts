/**
 * Packed kernels: MACsec transmit and receive over frames packed in one buffer (wire/packed.ts), one call
 * per burst, nothing allocated per frame, outcomes as codes and PN halves in typed arrays. What the SecY's
 * packed transmit and receive are built on:
 *
 *   transmit  one SA and one SecTAG form: per frame the maxFrameSize and PN-exhaustion refusals, the
 *             SecTAG (TCI/AN, SL, PN, SCI) inserted after DA ‖ SA (and clear VLAN tags), the PN counting
 *             up from the given next PN, protect (14.5, 14.7); output frames back to back.
 *   receive   one receive SA (one SCI and AN): per frame the SecTAG checks (9.3-9.8, 10.6.1), the SCI and
 *             AN match, XPN recovery of the PN's upper half from lowestPN (802.1AEbw 10.6.2), the replay
 *             pre-check against lowestPN, validate (10.6.3, 10.6.4) and the outcome of 10.6.5; frames of
 *             another SC or AN, untagged frames and E=1,C=0 frames are left to the general path (code
 *             None), or to a later call for their own SA over the frames still undecided (undecidedOnly).
 *             Replay state and counters stay with the SecY, which runs its bookkeeping over the codes;
 *             lowestPN here is the SA's at the start of the burst, so a frame decided against it may
 *             need deciding again as lowestPN moves inside the burst (the SecY re-runs those).
 *
 * On the `native` backend the whole per-frame loop is one C call (native/macsec_gcm.c); on `node` and
 * `noble` the same rules run here in TypeScript, sealing and opening a chunk of frames a call through the
 * burst descriptor (engine.ts). There the octets move as copy runs: executed in the GCM kernel's
 * WebAssembly memory, where a chunk's input is staged, laid out, sealed or opened in place and copied out
 * (one copy each way instead of a JavaScript loop per frame and two more into the kernel), or here without
 * WebAssembly. Both give the bytes of per-frame protect/validate (macsec.ts).
 */
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, MIN_FRAME_LENGTH, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import { MAC_LENGTH } from '../wire/mac.js';
import { checkPackedFrames, type PackedFrames } from '../wire/packed.js';
import { ICV_LENGTH, MIN_NON_SHORT_LENGTH, SCI_LENGTH, TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, TCI_V, secTagLength, transmitTciOctet } from '../wire/sectag.js';
import { D_AAD_LEN, D_AAD_OFF, D_DATA_LEN, D_DATA_OFF, D_IV, D_TAG_OFF, DESC_WORDS, type WorkArea } from './engine.js';
import { bswap32, readLE, WordView } from './ghash.js';
import { checkSecTagOptions, MIN_USER_DATA, type BurstProtectOptions } from './macsec.js';
import { workAreaOf, type SaContext } from './sa.js';
import { CONFIDENTIALITY_OFFSETS, type ConfidentialityOffset } from './suite.js';

/**
 * One code per counter a frame can land in, named as the SecY's counters (802.1AE 10.7, and the
 * simulator's Sim*); `None`: this kernel left the frame to the general path. native/macsec_gcm.c uses the
 * same numbers.
 */
export const PackedCode = {
  None: 0,
  OutPktsProtected: 1,
  OutPktsEncrypted: 2,
  OutPktsUntagged: 3,
  OutPktsTooLong: 4,
  SimOutPktsNoSA: 5,
  SimOutPktsPNExhausted: 6,
  InPktsOK: 16,
  InPktsUnchecked: 17,
  InPktsDelayed: 18,
  InPktsLate: 19,
  InPktsInvalid: 20,
  InPktsNotValid: 21,
  InPktsNotUsingSA: 22,
  InPktsUnusedSA: 23,
  InPktsUntagged: 24,
  InPktsNoTag: 25,
  InPktsBadTag: 26,
  InPktsUnknownSCI: 27,
  InPktsNoSCI: 28,
  InPktsOverrun: 29,
  SimInPktsUncontrolled: 30,
} as const;
export type PackedCodeName = keyof typeof PackedCode;
export type PackedCode = (typeof PackedCode)[PackedCodeName];

/** The counter name of each code, by code (undefined for numbers that are no code). */
export const PACKED_CODE_NAMES: readonly (PackedCodeName | undefined)[] = (() => {
  const names: (PackedCodeName | undefined)[] = new Array<PackedCodeName | undefined>(32).fill(undefined);
  for (const [name, code] of Object.entries(PackedCode)) names[code] = name as PackedCodeName;
  return names;
})();

export interface PackedOutcomes {
  /** One PackedCode per frame. */
  readonly codes: Uint8Array;
  /** The PN each frame used (transmit) or carried and recovered (receive), as two halves; 0 where none. */
  readonly pnHigh: Uint32Array;
  readonly pnLow: Uint32Array;
  /** Receive, where given: what a frame's listing needs beyond its code, PN and octets (SecY.receivedOutcome). */
  readonly reasons?: PackedReasons;
}

/** A received frame's state at its check that its row needs, for the frames that need it (written for those only). */
export interface PackedReasons {
  /**
   * For an InPktsLate frame: the lowestPN it was found below (10.6.2), as halves; the upper one a
   * Float64Array, since an XPN SA that has accepted maxPN has lowestPN 2^64.
   */
  readonly lowestPnHigh: Float64Array;
  readonly lowestPnLow: Uint32Array;
  /** 1 where a frame's PN was recovered past 2^64 - 1 (pnHigh/pnLow hold it modulo 2^64: XPN, lowestPN near 2^64), else 0. */
  readonly pnPast64: Uint8Array;
}

/** Outcome arrays for `frames` frames, with the receive reasons. */
export function packedOutcomes(frames: number): PackedOutcomes {
  return {
    codes: new Uint8Array(frames),
    pnHigh: new Uint32Array(frames),
    pnLow: new Uint32Array(frames),
    reasons: { lowestPnHigh: new Float64Array(frames), lowestPnLow: new Uint32Array(frames), pnPast64: new Uint8Array(frames) },
  };
}

/** What a transmit burst's frames share: the SecTAG form and the SC (everything in ProtectOptions but the PN). */
export type PackedProtectOptions = BurstProtectOptions;

/** A packed transmit call's frame range and PN state in, and what it did out (the caller may reuse one). */
export interface PackedTransmitControl {
  /** Input frames first .. first + count - 1; output frame i and outcome i go with input frame i. */
  first: number;
  count: number;
  /** Where in output.data the first output frame goes; the rest follow back to back. */
  outStart: number;
  /** The PN the first protected frame takes (the SA's nextPN). */
  nextPnHigh: number;
  nextPnLow: number;
  /** The last PN the SA may use (maxPN, or less where a persisted snapshot bounds it): past it, SimOutPktsPNExhausted. */
  lastPnHigh: number;
  lastPnLow: number;
  /** A frame longer, or whose MPDU would be longer, is OutPktsTooLong (10.7.17) and takes no PN. */
  maxFrameSize: number;
  /** Out: the offset after the last output frame. */
  outEnd: number;
  /** Out: PNs taken (frames protected). */
  pnsUsed: number;
}

export type PackedValidateFrames = 'Strict' | 'Check' | 'Disabled';

/** What a receive run's frames share: one receive SC and SA, and the SecY's controls. */
export interface PackedValidateOptions {
  /** The receive SC's SCI: frames whose SecTAG resolves to another go to the general path. */
  readonly sci: Uint8Array;
  /** The receive SA's AN: frames with another go to the general path. */
  readonly an: number;
  /** Octets of user data in clear when E=1 (the receive SA's confidentiality offset). */
  readonly confidentialityOffset: ConfidentialityOffset;
  /** Clear VLAN tags before the SecTAG (0-2): the SecTAG is looked for at 12 + 4·clearTags only. */
  readonly clearTags: number;
  readonly validateFrames: PackedValidateFrames;
  readonly replayProtect: boolean;
  /** A SecTAG with SC=0 and ES=0 implies this SC (the SecY has exactly one receive SC, 9.5). */
  readonly pointToPoint: boolean;
  /**
   * Only the frames whose code is None as the call starts are looked at; the others, and their output,
   * are left as they are (a later run over what an earlier one, for another SA, left). The room needed
   * is then that of those frames only.
   */
  readonly undecidedOnly?: boolean;
}

/** A packed receive call's frame range and the SA's lowestPN in, and what it did out. */
export interface PackedReceiveControl {
  first: number;
  count: number;
  outStart: number;
  /** The receive SA's lowestPN as the burst starts: XPN recovery and the replay pre-check use it. */
  lowestPnHigh: number;
  lowestPnLow: number;
  /** Out: the offset after the last octet written to output.data. */
  outEnd: number;
  /** Out: frames with a code other than None. */
  handled: number;
  /**
   * Out: the user data octets (InOctetsValidated and InOctetsDecrypted, 10.7.9-10) of the frames validated
   * past the replay pre-check, E clear and E set; 0 when validateFrames is Disabled. The SecY takes back
   * those of frames it then finds late or over its budget.
   */
  octetsValidated: number;
  octetsDecrypted: number;
}

// The native kernels' configuration octets and control words (native/macsec_gcm.c CFG_*, TX_*, RX_*).
const CFG_OCTETS = 24;
const CFG_TCI = 0, CFG_TAGS = 1, CFG_OFFSET = 2, CFG_FLAGS = 3, CFG_IV = 4, CFG_SCI = 16;
const FLAG_XPN = 1, FLAG_REPLAY = 2, FLAG_VALIDATE_SHIFT = 2, FLAG_POINT_TO_POINT = 16, FLAG_UNDECIDED = 32;
const VALIDATE_MODES: readonly PackedValidateFrames[] = ['Strict', 'Check', 'Disabled'];
const TX_WORDS = 10, RX_WORDS = 11;
/** 2^32: a 64-bit value's upper half's weight. */
export const TWO_32 = 0x1_0000_0000;

/** The PN k after (hi, lo), as 32-bit halves (hi may reach 2^32: past every PN); k < 2^32. */
export function addPn(hi: number, lo: number, k: number): [number, number] {
  const l = lo + k;
  return l >= TWO_32 ? [hi + 1, l - TWO_32] : [hi, l];
}
const cfg = new Uint8Array(CFG_OCTETS);
const ctl = new Uint32Array(Math.max(TX_WORDS, RX_WORDS));

/** Fills the addon's per-call configuration (layout above): the SecTAG octet or AN, the clear tags, the offset, flags, IV base and SCI. */
function nativeConfig(sa: SaContext, tciOrAn: number, tags: number, offset: number, flags: number, sci: Uint8Array): void {
  cfg[CFG_TCI] = tciOrAn;
  cfg[CFG_TAGS] = tags;
  cfg[CFG_OFFSET] = offset;
  cfg[CFG_FLAGS] = (sa.suite.xpn ? FLAG_XPN : 0) | flags;
  sa.ivBase(sci, cfg, CFG_IV);
  cfg.set(sci, CFG_SCI);
}

const ADDRESSES = 2 * MAC_LENGTH;
const MAX_CLEAR_TAGS = 2;
/** Output room each frame needs beyond its input length, transmit and receive alike. */
export const PACKED_ROOM = 32;

/** Descriptor scratch and the frame each descriptor belongs to, grown to the largest chunk. */
let desc = new Int32Array(DESC_WORDS * 256);
let descFrame = new Uint32Array(256);
let results = new Uint8Array(256);
function reserve(frames: number): void {
  if (descFrame.length >= frames) return;
  const n = Math.max(frames, 2 * descFrame.length);
  desc = new Int32Array(DESC_WORDS * n);
  descFrame = new Uint32Array(n);
  results = new Uint8Array(n);
}

/** Word views of the input and output buffers, kept while the buffers stay the same. */
const inWords = new WordView();
const outWords = new WordView();

/**
 * Copies src[from, to) to dst[at ...]. Long runs through one subarray view and the native copy (a view is
 * an allocation, but past a few hundred octets any JavaScript loop costs more); short ones, the common
 * case at small frames, by words where both ends share their alignment, else octet by octet. The word
 * views cover their whole buffers: srcBase/dstBase are src's and dst's byteOffsets (read once a call,
 * not per frame: reading byteOffset is not free).
 */
function copy(src: Uint8Array, sw: Uint32Array | undefined, srcBase: number, from: number, to: number, dst: Uint8Array, dw: Uint32Array | undefined, dstBase: number, at: number): void {
  const n = to - from;
  if (n >= 256) {
    dst.set(src.subarray(from, to), at);
    return;
  }
  let a = srcBase + from;
  let b = dstBase + at;
  if (sw !== undefined && dw !== undefined && (a & 3) === (b & 3) && n >= 8) {
    const head = (4 - (a & 3)) & 3;
    for (let k = 0; k < head; k++) dst[at + k] = src[from + k]!;
    a += head;
    b += head;
    const words = (n - head) >>> 2;
    const wa = a >>> 2, wb = b >>> 2;
    for (let k = 0; k < words; k++) dw[wb + k] = sw[wa + k]!;
    for (let k = head + 4 * words; k < n; k++) dst[at + k] = src[from + k]!;
  } else {
    for (let k = 0; k < n; k++) dst[at + k] = src[from + k]!;
  }
}

const isU32 = (x: unknown): x is number => typeof x === 'number' && x >>> 0 === x;

/** An output never replaces an input: their data may share a buffer only where they do not overlap. */
export function checkApart(input: PackedFrames, output: PackedFrames): void {
  const a = input.data, b = output.data;
  if (a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length) {
    throw new ConfigError('output.data', 'memory apart from input.data', 'an overlapping view of the same buffer');
  }
}

export function checkOutcomes(o: PackedOutcomes, end: number): void {
  if (!(o.codes instanceof Uint8Array) || o.codes.length < end) throw new ConfigError('outcomes.codes', `a Uint8Array of at least ${end}`, describe(o.codes));
  if (!(o.pnHigh instanceof Uint32Array) || o.pnHigh.length < end) throw new ConfigError('outcomes.pnHigh', `a Uint32Array of at least ${end}`, describe(o.pnHigh));
  if (!(o.pnLow instanceof Uint32Array) || o.pnLow.length < end) throw new ConfigError('outcomes.pnLow', `a Uint32Array of at least ${end}`, describe(o.pnLow));
  const r = o.reasons;
  if (r === undefined) return;
  if (typeof r !== 'object' || r === null) throw new ConfigError('outcomes.reasons', 'PackedReasons or undefined', describe(r));
  if (!(r.lowestPnHigh instanceof Float64Array) || r.lowestPnHigh.length < end) throw new ConfigError('outcomes.reasons.lowestPnHigh', `a Float64Array of at least ${end}`, describe(r.lowestPnHigh));
  if (!(r.lowestPnLow instanceof Uint32Array) || r.lowestPnLow.length < end) throw new ConfigError('outcomes.reasons.lowestPnLow', `a Uint32Array of at least ${end}`, describe(r.lowestPnLow));
  if (!(r.pnPast64 instanceof Uint8Array) || r.pnPast64.length < end) throw new ConfigError('outcomes.reasons.pnPast64', `a Uint8Array of at least ${end}`, describe(r.pnPast64));
}

function checkControl(c: object, fields: readonly string[]): void {
  for (const f of fields) {
    const v = (c as Record<string, unknown>)[f];
    if (!isU32(v)) throw new ConfigError(`control.${f}`, 'a 32-bit unsigned integer', describe(v));
  }
}

/** A kernel call's control fields, frame range (offsets and lengths only: each frame's place is checked when needed), and arrays. */
function checkKernelCall(c: { readonly first: number; readonly count: number }, fields: readonly string[], input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
  checkControl(c, ['first', 'count', 'outStart', ...fields]);
  checkPackedFrames('input', input, c.first, c.count, false);
  checkPackedFrames('output', output, c.first, c.count, false);
  checkApart(input, output);
  checkOutcomes(outcomes, c.first + c.count);
}

/**
 * Where packed kernel calls run: a BurstExecutor may offer one (BurstPool splits a call between threads);
 * the SecY's packed paths use it, else `packedInThread`. Like BurstExecutor's methods, these take calls
 * the caller has checked (the SecY checks the whole call first); results are those of the kernels.
 */
export interface PackedExecutor {
  /** Throws a ConfigError if this executor cannot run calls over these arrays (the SecY asks before it changes any state). */
  check(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void;
  protectPacked(sa: SaContext, o: PackedProtectOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedTransmitControl): void;
  validatePacked(sa: SaContext, o: PackedValidateOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedReceiveControl): void;
}

// ---------------------------------------------------------------- transmit

/**
 * The MPDU length of a frame of `len` octets under a SecTAG of `secTagLen`, or 0 when that MPDU would be
 * longer than maxFrameSize: OutPktsTooLong, no PN taken (10.7.17).
 */
export function transmitLength(len: number, secTagLen: number, maxFrameSize: number): number {
  const mpdu = len + secTagLen + ICV_LENGTH;
  return mpdu > maxFrameSize ? 0 : mpdu;
}

/**
 * Protects input frames c.first .. c.first + c.count - 1 (each DA ‖ SA ‖ [clear tags] ‖ user data) under
 * `sa`, into output.data from c.outStart, filling output.offsets/lengths (length 0: refused), the outcome
 * codes (OutPktsProtected, OutPktsEncrypted, OutPktsTooLong, SimOutPktsPNExhausted) and the PN halves,
 * and c.outEnd, c.pnsUsed. output.count is left to the caller. Throws ConfigError on bad options, a bad
 * range, a frame too short for its header, or too little room (each frame needs its length + 32 octets),
 * before anything is written.
 */
export function protectPacked(sa: SaContext, o: PackedProtectOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedTransmitControl): void {
  checkSecTagOptions(o);
  checkKernelCall(c, ['nextPnHigh', 'nextPnLow', 'lastPnHigh', 'lastPnLow', 'maxFrameSize'], input, output, outcomes);
  const { first, count } = c;
  const end = first + count;
  if (!sa.suite.xpn && (c.lastPnHigh !== 0 || c.nextPnHigh > 1)) throw new ConfigError('control.lastPnHigh', `0 for ${sa.suite.name}`, String(c.lastPnHigh));
  const tags = o.clearTags ?? 0;
  const hdr = ETHERTYPE_OFFSET + tags * VLAN_TAG_LENGTH;
  // Per frame: inside input.data, long enough for its header, room in output.data.
  const checkFrames = (): void => {
    checkPackedFrames('input', input, first, count, true);
    let need = c.outStart;
    for (let i = first; i < end; i++) {
      const len = input.lengths[i]!;
      if (len < hdr + MIN_USER_DATA) throw new ConfigError(`input frame ${i}`, `at least ${hdr + MIN_USER_DATA} octets (addresses, clear tags, EtherType)`, `${len} octets`);
      need += len + PACKED_ROOM;
    }
    if (need > output.data.length) throw new ConfigError('output.data', `room for ${need} octets (each frame's length + ${PACKED_ROOM})`, describe(output.data));
  };

  const native = sa.packedKernels();
  if (native !== undefined) {
    nativeConfig(sa, transmitTciOctet(o), tags, o.confidentialityOffset, 0, o.sci);
    ctl[0] = first;
    ctl[1] = count;
    ctl[2] = c.outStart;
    ctl[3] = c.nextPnHigh;
    ctl[4] = c.nextPnLow;
    ctl[5] = c.lastPnHigh;
    ctl[6] = c.lastPnLow;
    ctl[7] = c.maxFrameSize;
    try {
      native.protectPacked(cfg, input.data, input.offsets, input.lengths, output.data, output.offsets, output.lengths, outcomes.codes, outcomes.pnHigh, outcomes.pnLow, ctl);
    } catch (e) {
      // The addon checks every frame before it writes anything (13 % of a call at 64 octets when done here
      // too); when it refuses, the same checks here name the frame with a ConfigError.
      checkFrames();
      throw e;
    }
    c.outEnd = ctl[8]!;
    c.pnsUsed = ctl[9]!;
    return;
  }
  checkFrames();
  protectPackedTs(sa, o, input, output, outcomes, c, hdr);
}

function protectPackedTs(sa: SaContext, o: PackedProtectOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedTransmitControl, hdr: number): void {
  const { first, count, maxFrameSize } = c;
  const end = first + count;
  const { offsets: inOff, lengths: inLen } = input;
  const { offsets: outOff, lengths: outLen } = output;
  const { codes, pnHigh, pnLow } = outcomes;
  const tagsLength = hdr - ETHERTYPE_OFFSET;
  const sc = o.includeSci;
  const secTagLen = secTagLength(sc);
  const tci = transmitTciOctet(o);
  const sent = o.confidentiality ? PackedCode.OutPktsEncrypted : PackedCode.OutPktsProtected;
  const sci = o.sci;
  sa.ivBase(sci, cfg, CFG_IV);
  const iv0 = readLE(cfg, CFG_IV), iv1 = readLE(cfg, CFG_IV + 4), iv2 = readLE(cfg, CFG_IV + 8);
  // The SecTAG as little-endian words, for output slots where it lies 4-aligned: EtherType ‖ TCI/AN (SL
  // added per frame), PN, SCI.
  const tagWord = 0xe588 | (tci << 16);
  const sci0 = readLE(sci, 0), sci1 = readLE(sci, 4);
  let hi = c.nextPnHigh, lo = c.nextPnLow;
  const lastHi = c.lastPnHigh, lastLo = c.lastPnLow;
  let exhausted = hi > lastHi || (hi === lastHi && lo > lastLo);
  let at = c.outStart, used = 0;
  for (let i = first; i < end; ) {
    const k = stage(sa, input, output, i, end, at);
    const { out, ss, ts } = k;
    const dw = outWords.of(out);
    const tBase = out.byteOffset + ts;
    const chunk = used;
    for (; i < k.end; i++) {
      const len = inLen[i]!;
      const user = len - hdr;
      const mpdu = transmitLength(len, secTagLen, maxFrameSize);
      outOff[i] = at;
      outLen[i] = 0;
      pnHigh[i] = 0;
      pnLow[i] = 0;
      if (len > maxFrameSize || (!exhausted && mpdu === 0)) {
        codes[i] = PackedCode.OutPktsTooLong;
        continue;
      }
      if (exhausted) {
        codes[i] = PackedCode.SimOutPktsPNExhausted;
        continue;
      }
      const s = at;
      const src = inOff[i]! + ss;
      // DA ‖ SA right before the SecTAG, so the AAD is one run; the clear tags go in after sealing.
      addRun(k, src, s + tagsLength + ts, ADDRESSES);
      const t = s + hdr;
      const sl = user < MIN_NON_SHORT_LENGTH ? user : 0;
      if (dw !== undefined && ((tBase + t) & 3) === 0) {
        const w = (tBase + t) >>> 2;
        dw[w] = tagWord | (sl << 24);
        dw[w + 1] = bswap32(lo);
        if (sc) {
          dw[w + 2] = sci0;
          dw[w + 3] = sci1;
        }
      } else {
        const q = t + ts;
        out[q] = 0x88;
        out[q + 1] = 0xe5;
        out[q + 2] = tci;
        out[q + 3] = sl;
        out[q + 4] = lo >>> 24;
        out[q + 5] = lo >>> 16;
        out[q + 6] = lo >>> 8;
        out[q + 7] = lo;
        if (sc) for (let b = 0; b < SCI_LENGTH; b++) out[q + 8 + b] = sci[b]!;
      }
      const dataOff = t + secTagLen + ts;
      addRun(k, src + hdr, dataOff, user);
      const clear = o.confidentiality ? Math.min(o.confidentialityOffset, user) : user;
      const n = used - chunk;
      const d = n * DESC_WORDS;
      desc[d + D_AAD_OFF] = s + tagsLength + ts;
      desc[d + D_AAD_LEN] = ADDRESSES + secTagLen + clear;
      desc[d + D_DATA_OFF] = dataOff + clear;
      desc[d + D_DATA_LEN] = user - clear;
      desc[d + D_TAG_OFF] = dataOff + user;
      desc[d + D_IV] = iv0;
      desc[d + D_IV + 1] = iv1 ^ bswap32(hi);
      desc[d + D_IV + 2] = iv2 ^ bswap32(lo);
      descFrame[n] = i;
      outLen[i] = mpdu;
      pnHigh[i] = hi;
      pnLow[i] = lo;
      codes[i] = sent;
      used++;
      at += mpdu;
      if (hi === lastHi && lo === lastLo) exhausted = true;
      else if (lo === 0xffff_ffff) {
        hi++;
        lo = 0;
      } else lo++;
    }
    if (used > chunk) {
      flushRuns(k, input);
      sa.sealBurst({ data: k.out, desc, results }, 0, used - chunk);
      if (tagsLength > 0) {
        for (let n = 0; n < used - chunk; n++) {
          const f = descFrame[n]!;
          addRun(k, inOff[f]! + ss, outOff[f]! + ts, hdr);
        }
        flushRuns(k, input);
      }
    }
    unstage(k, output, at);
  }
  c.outEnd = at;
  c.pnsUsed = used;
}

/** Copy runs: source, destination, length. */
const RUN_WORDS = 3;
/** Runs a frame adds before a flush, at most. */
const RUNS_PER_FRAME = 2;

/**
 * Where a chunk of a packed call is laid out. With a work area (the WebAssembly kernel's memory): the
 * chunk's input staged there (input offset x at x + ss), its output laid out there (output offset y at
 * y + ts), copied by runs executed there, sealed or opened in place, then copied out; without one, the
 * output buffer itself (ss = ts = 0) and the runs copied here.
 */
interface Stage {
  /** Frames up to this index (exclusive) belong to the chunk. */
  end: number;
  /** The buffer frames are laid out in: the work area's memory, or output.data. */
  out: Uint8Array;
  area: WorkArea | undefined;
  ss: number;
  ts: number;
  /** Output offset the chunk starts at (where its output is copied back to). */
  outStart: number;
  /** Where the runs list lies in the work area. */
  runsAt: number;
  /** The copy runs added since the last flush, RUN_WORDS each. */
  runs: Uint32Array;
  runCount: number;
}
const staged: Stage = { end: 0, out: new Uint8Array(0), area: undefined, ss: 0, ts: 0, outStart: 0, runsAt: 0, runs: new Uint32Array(RUN_WORDS * RUNS_PER_FRAME * 256), runCount: 0 };

/** Input octets a chunk stages at most (more only for one longer frame): with its output, well inside L2. */
const STAGE_OCTETS = 64 * 1024;

/**
 * Picks the chunk of frames from `i` (input and output each about STAGE_OCTETS at most; where its input is
 * staged, in the SA's engine's work area, its frames within one input span of that size) and stages it.
 */
function stage(sa: SaContext, input: PackedFrames, output: PackedFrames, i: number, end: number, outAt: number): Stage {
  const area = workAreaOf(sa);
  const { offsets, lengths } = input;
  let lo = offsets[i]!, hi = lo + lengths[i]!, room = lengths[i]! + PACKED_ROOM;
  let j = i + 1;
  for (; j < end && room < STAGE_OCTETS; j++) {
    const o = offsets[j]!, e = o + lengths[j]!;
    const nlo = Math.min(lo, o), nhi = Math.max(hi, e);
    if (area !== undefined && nhi - nlo > STAGE_OCTETS) break;
    lo = nlo;
    hi = nhi;
    room += lengths[j]! + PACKED_ROOM;
  }
  reserve(j - i);
  const k = staged;
  if (k.runs.length < RUN_WORDS * RUNS_PER_FRAME * (j - i)) k.runs = new Uint32Array(2 * RUN_WORDS * RUNS_PER_FRAME * (j - i));
  k.runCount = 0;
  k.end = j;
  k.area = area;
  k.outStart = outAt;
  if (area === undefined) {
    k.out = output.data;
    k.ss = 0;
    k.ts = 0;
    return k;
  }
  const n = j - i;
  // Runs list, input, output (offsets from the area's start, 64 KiB-aligned); then what sealing or opening in
  // place puts after them: keystream (a frame's at most 2 blocks beyond its octets: within `room`),
  // descriptors and results.
  const inRel = (RUN_WORDS * 4 * RUNS_PER_FRAME * n + 15) & ~15;
  const outRel = (inRel + (hi - lo) + 15) & ~15;
  const runsAt = area.area(outRel + room, room + 4 * DESC_WORDS * n + n + 64);
  const inAt = runsAt + inRel, outArea = runsAt + outRel;
  k.out = area.bytes;
  k.out.set(input.data.subarray(lo, hi), inAt);
  k.ss = inAt - lo;
  k.ts = outArea - outAt;
  k.runsAt = runsAt;
  return k;
}

/** A chunk's output back where the call wants it: output offsets outStart .. outEnd - 1. */
function unstage(k: Stage, output: PackedFrames, outEnd: number): void {
  if (k.area === undefined || outEnd === k.outStart) return;
  const from = k.outStart + k.ts;
  output.data.set(k.area.bytes.subarray(from, from + outEnd - k.outStart), k.outStart);
}

/** Adds a copy run to the chunk's list (stage() made room for every run its frames add). */
function addRun(k: Stage, src: number, dst: number, len: number): void {
  const list = k.runs;
  const r = RUN_WORDS * k.runCount++;
  list[r] = src;
  list[r + 1] = dst;
  list[r + 2] = len;
}

/** Executes the runs added since the last flush: in the work area, or from input.data into output.data here. */
function flushRuns(k: Stage, input: PackedFrames): void {
  const { runs, runCount } = k;
  if (runCount === 0) return;
  if (k.area !== undefined) {
    k.area.copyRuns(runs, runCount, k.runsAt);
  } else {
    const src = input.data, out = k.out;
    const sw = inWords.of(src), dw = outWords.of(out);
    const inBase = src.byteOffset, outBase = out.byteOffset;
    for (let r = 0; r < RUN_WORDS * runCount; r += RUN_WORDS) {
      const from = runs[r]!;
      copy(src, sw, inBase, from, from + runs[r + 2]!, out, dw, outBase, runs[r + 1]!);
    }
  }
  k.runCount = 0;
}

// ---------------------------------------------------------------- receive

/**
 * Receives input frames c.first .. c.first + c.count - 1 for one receive SA (module comment): codes
 * (InPktsOK, InPktsUnchecked, InPktsDelayed, InPktsLate, InPktsInvalid, InPktsNotValid, InPktsBadTag, or
 * None for the general path), PN halves (0 where no PN was read), and the delivered frames (DA ‖ SA ‖
 * [clear tags] ‖ user data; length 0 where none) in output.data from c.outStart. Sets c.outEnd,
 * c.handled and the user data octets validated (c.octetsValidated, c.octetsDecrypted). Throws ConfigError on bad options, a bad range or too little room (each frame needs its
 * length + 32 octets, as on transmit), before anything is written; never on frame contents.
 */
export function validatePacked(sa: SaContext, o: PackedValidateOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedReceiveControl): void {
  if (!Number.isInteger(o.an) || o.an < 0 || o.an > 3) throw new ConfigError('an', 'an integer 0-3', describe(o.an));
  if (!(o.sci instanceof Uint8Array) || o.sci.length !== SCI_LENGTH) throw new ConfigError('sci', `${SCI_LENGTH} octets`, describe(o.sci));
  if (!CONFIDENTIALITY_OFFSETS.includes(o.confidentialityOffset)) throw new ConfigError('confidentialityOffset', '0, 30 or 50', describe(o.confidentialityOffset));
  if (!Number.isInteger(o.clearTags) || o.clearTags < 0 || o.clearTags > MAX_CLEAR_TAGS) throw new ConfigError('clearTags', '0, 1 or 2', describe(o.clearTags));
  const mode = VALIDATE_MODES.indexOf(o.validateFrames);
  if (mode < 0) throw new ConfigError('validateFrames', VALIDATE_MODES.join(', '), describe(o.validateFrames));
  checkKernelCall(c, ['lowestPnHigh', 'lowestPnLow'], input, output, outcomes);
  const { first, count } = c;
  const end = first + count;
  if (!sa.suite.xpn && c.lowestPnHigh > 1) throw new ConfigError('control.lowestPnHigh', `0 or 1 for ${sa.suite.name}`, String(c.lowestPnHigh));
  const undecided = o.undecidedOnly === true;
  const checkFrames = (): void => {
    checkPackedFrames('input', input, first, count, true);
    let need = c.outStart;
    for (let i = first; i < end; i++) if (!undecided || outcomes.codes[i] === PackedCode.None) need += input.lengths[i]! + PACKED_ROOM;
    if (need > output.data.length) throw new ConfigError('output.data', `room for ${need} octets (each frame's length + ${PACKED_ROOM})`, describe(output.data));
  };

  const native = sa.packedKernels();
  if (native !== undefined) {
    nativeConfig(sa, o.an, o.clearTags, o.confidentialityOffset, (o.replayProtect ? FLAG_REPLAY : 0) | (mode << FLAG_VALIDATE_SHIFT) | (o.pointToPoint ? FLAG_POINT_TO_POINT : 0) | (undecided ? FLAG_UNDECIDED : 0), o.sci);
    ctl[0] = first;
    ctl[1] = count;
    ctl[2] = c.outStart;
    ctl[3] = c.lowestPnHigh;
    ctl[4] = c.lowestPnLow;
    try {
      native.validatePacked(cfg, input.data, input.offsets, input.lengths, output.data, output.offsets, output.lengths, outcomes.codes, outcomes.pnHigh, outcomes.pnLow, ctl);
    } catch (e) {
      checkFrames(); // as on transmit: the ConfigError naming the frame, where there is one
      throw e;
    }
    c.outEnd = ctl[5]!;
    c.handled = ctl[6]!;
    c.octetsValidated = ctl[7]! * TWO_32 + ctl[8]!;
    c.octetsDecrypted = ctl[9]! * TWO_32 + ctl[10]!;
    return;
  }
  checkFrames();
  validatePackedTs(sa, o, mode, undecided, input, output, outcomes, c);
}

const MODE_CHECK = 1, MODE_DISABLED = 2;

function validatePackedTs(sa: SaContext, o: PackedValidateOptions, mode: number, undecided: boolean, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedReceiveControl): void {
  const { first, count } = c;
  const end = first + count;
  const { data: inData, offsets: inOff, lengths: inLen } = input;
  const { offsets: outOff, lengths: outLen } = output;
  const { codes, pnHigh, pnLow } = outcomes;
  const xpn = sa.suite.xpn;
  const tagsLength = o.clearTags * VLAN_TAG_LENGTH;
  const tagOff = ETHERTYPE_OFFSET + tagsLength;
  const an = o.an, sci = o.sci;
  const lowHi = c.lowestPnHigh, lowLo = c.lowestPnLow;
  sa.ivBase(sci, cfg, CFG_IV);
  const iv0 = readLE(cfg, CFG_IV), iv1 = readLE(cfg, CFG_IV + 4), iv2 = readLE(cfg, CFG_IV + 8);
  const sw = inWords.of(inData);
  const inBase = inData.byteOffset;
  const sci0 = readLE(sci, 0), sci1 = readLE(sci, 4);
  let at = c.outStart, handled = 0, validated = 0, decrypted = 0;
  for (let i = first; i < end; ) {
    const k = stage(sa, input, output, i, end, at);
    const { ss, ts } = k;
    // Descriptors of the frames this chunk opens.
    let n = 0;
    for (; i < k.end; i++) {
      if (undecided && codes[i] !== PackedCode.None) continue;
      const p = inOff[i]!;
      const len = inLen[i]!;
      codes[i] = PackedCode.None;
      outOff[i] = at;
      outLen[i] = 0;
      pnHigh[i] = 0;
      pnLow[i] = 0;
      if (len < tagOff + 2) continue;
      let vlan = true;
      for (let q = ETHERTYPE_OFFSET; q < tagOff; q += VLAN_TAG_LENGTH) {
        const tpid = (inData[p + q]! << 8) | inData[p + q + 1]!;
        if (tpid !== 0x8100 && tpid !== 0x88a8) vlan = false;
      }
      if (!vlan || inData[p + tagOff] !== 0x88 || inData[p + tagOff + 1] !== 0xe5) continue;
      const t = len > tagOff + 2 ? inData[p + tagOff + 2]! : 0;
      if ((t & (TCI_E | TCI_C)) === TCI_E) continue; // the Uncontrolled Port's (9.5)
      const hasSci = (t & TCI_SC) !== 0;
      const dataOff = tagOff + (hasSci ? 16 : 8);
      // 9.3-9.8, 10.6.1: what makes a SecTAG not valid.
      let bad = len < tagOff + 8;
      let sl = 0, lo = 0, user = 0;
      if (!bad) {
        sl = inData[p + tagOff + 3]!;
        lo = ((inData[p + tagOff + 4]! << 24) | (inData[p + tagOff + 5]! << 16) | (inData[p + tagOff + 6]! << 8) | inData[p + tagOff + 7]!) >>> 0;
        bad = (t & TCI_V) !== 0 || (hasSci && (t & (TCI_ES | TCI_SCB)) !== 0) || (sl & 0xc0) !== 0 || sl >= MIN_NON_SHORT_LENGTH || (lo === 0 && !xpn) || len < dataOff + ICV_LENGTH;
      }
      if (!bad) {
        const avail = len - dataOff - ICV_LENGTH;
        if (sl !== 0) {
          bad = avail !== sl && !(avail > sl && len <= MIN_FRAME_LENGTH);
          user = sl;
        } else {
          bad = avail < MIN_NON_SHORT_LENGTH;
          user = avail;
        }
      }
      if (bad) {
        codes[i] = PackedCode.InPktsBadTag;
        handled++;
        continue;
      }
      // The SCI (9.9, 10.6.1): carried, implied by ES (source address ‖ port 1, port 0 with SCB), or the point-to-point SC.
      let match: boolean;
      if (hasSci) {
        const q = inBase + p + tagOff + 8;
        if (sw !== undefined && (q & 3) === 0) match = sw[q >>> 2] === sci0 && sw[(q >>> 2) + 1] === sci1;
        else {
          match = true;
          for (let b = 0; b < SCI_LENGTH; b++) if (inData[p + tagOff + 8 + b] !== sci[b]) match = false;
        }
      } else if (t & TCI_ES) {
        match = sci[6] === 0 && sci[7] === ((t & TCI_SCB) !== 0 ? 0 : 1);
        for (let b = 0; b < 6; b++) if (inData[p + 6 + b] !== sci[b]) match = false;
      } else match = o.pointToPoint;
      if (!match || (t & 3) !== an) continue;
      handled++;
      // 802.1AEbw 10.6.2: the upper half recovered from lowestPN.
      const hi = xpn ? (lo >= lowLo ? lowHi : lowHi + 1) : 0;
      pnHigh[i] = hi;
      pnLow[i] = lo;
      const late = hi < lowHi || (hi === lowHi && lo < lowLo);
      if (o.replayProtect && late) {
        codes[i] = PackedCode.InPktsLate;
        continue;
      }
      if (mode !== MODE_DISABLED) {
        if ((t & TCI_E) !== 0) decrypted += user;
        else validated += user;
      }
      const cBit = (t & TCI_C) !== 0;
      // Back to back, as the native kernel's: no gap octets for a copy out of the work area to carry.
      const s = at;
      addRun(k, p + ss, s + ts, dataOff + user + ICV_LENGTH);
      at = s + dataOff + user + ICV_LENGTH;
      if (!cBit && mode === MODE_DISABLED) {
        codes[i] = late ? PackedCode.InPktsDelayed : PackedCode.InPktsUnchecked;
        deliver(k, p, outOff, outLen, i, s, tagOff, dataOff, user);
        continue;
      }
      if (hi > 0xffff_ffff) {
        // Recovered past maxPN: no transmitter can have sent it; as an ICV that fails.
        failed(k, codes, i, mode, cBit, p, outOff, outLen, s, tagOff, dataOff, user);
        continue;
      }
      const clear = (t & TCI_E) !== 0 ? Math.min(o.confidentialityOffset, user) : user;
      // DA ‖ SA right before the SecTAG, so the AAD is one run.
      if (tagsLength > 0) addRun(k, p + ss, s + tagsLength + ts, ADDRESSES);
      const d = n * DESC_WORDS;
      desc[d + D_AAD_OFF] = s + tagsLength + ts;
      desc[d + D_AAD_LEN] = dataOff + clear - tagsLength;
      desc[d + D_DATA_OFF] = s + dataOff + clear + ts;
      desc[d + D_DATA_LEN] = user - clear;
      desc[d + D_TAG_OFF] = s + dataOff + user + ts;
      desc[d + D_IV] = iv0;
      desc[d + D_IV + 1] = iv1 ^ bswap32(hi);
      desc[d + D_IV + 2] = iv2 ^ bswap32(lo);
      descFrame[n] = i;
      // Which of OK and Delayed, should it verify: kept in the code until the chunk is opened.
      codes[i] = late ? PackedCode.InPktsDelayed : PackedCode.InPktsOK;
      outOff[i] = s;
      n++;
    }
    flushRuns(k, input);
    if (n > 0) {
      openChunk(sa, k, n, mode, input, output, outcomes, tagOff);
      flushRuns(k, input);
    }
    unstage(k, output, at);
  }
  c.outEnd = at;
  c.handled = handled;
  c.octetsValidated = validated;
  c.octetsDecrypted = decrypted;
}

/** Opens the chunk's `count` descriptors and decides each frame's code and output from its result. */
function openChunk(sa: SaContext, k: Stage, count: number, mode: number, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, tagOff: number): void {
  sa.openBurst({ data: k.out, desc, results }, 0, count);
  const { data: inData, offsets: inOff, lengths: inLen } = input;
  const { offsets: outOff, lengths: outLen } = output;
  const codes = outcomes.codes;
  for (let n = 0; n < count; n++) {
    const i = descFrame[n]!;
    const p = inOff[i]!;
    const s = outOff[i]!;
    const t = inData[p + tagOff + 2]!;
    const dataOff = tagOff + ((t & TCI_SC) !== 0 ? 16 : 8);
    const sl = inData[p + tagOff + 3]!;
    const user = sl !== 0 ? sl : inLen[i]! - dataOff - ICV_LENGTH;
    if (results[n] === 1) deliver(k, p, outOff, outLen, i, s, tagOff, dataOff, user);
    else failed(k, codes, i, mode, (t & TCI_C) !== 0, p, outOff, outLen, s, tagOff, dataOff, user);
  }
}

/** A frame whose ICV failed (10.6.5): InPktsInvalid and delivered in Check mode with C=0, else InPktsNotValid, dropped. */
function failed(k: Stage, codes: Uint8Array, i: number, mode: number, cBit: boolean, p: number, outOff: Uint32Array, outLen: Uint32Array, s: number, tagOff: number, dataOff: number, user: number): void {
  if (mode === MODE_CHECK && !cBit) {
    codes[i] = PackedCode.InPktsInvalid;
    deliver(k, p, outOff, outLen, i, s, tagOff, dataOff, user);
    return;
  }
  codes[i] = PackedCode.InPktsNotValid;
  outLen[i] = 0;
}

/** DA ‖ SA ‖ clear tags right before the user data, where the SecTAG was: the frame for the Controlled Port. */
function deliver(k: Stage, p: number, outOff: Uint32Array, outLen: Uint32Array, i: number, s: number, tagOff: number, dataOff: number, user: number): void {
  const start = s + dataOff - tagOff;
  addRun(k, p + k.ss, start + k.ts, tagOff);
  outOff[i] = start;
  outLen[i] = tagOff + user;
}

/** Every packed kernel call on the calling thread. */
export const packedInThread: PackedExecutor = { check: () => undefined, protectPacked, validatePacked };
