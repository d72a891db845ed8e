/**
 * The packed paths (issue 14): transmit.ts and receive.ts over frames packed in one buffer (wire/packed.ts),
 * outcomes as codes and PN halves (crypto/packed.ts), nothing allocated per frame in the common case.
 * Outcomes, counters, output octets, PN state and events are exactly those of the single-frame paths,
 * frame by frame; events are dispatched at the frame boundaries `transmit`/`transmitBurst` dispatch them.
 */
import { PACKED_CODE_NAMES, PACKED_ROOM, PackedCode, addPn, checkApart, checkOutcomes, packedInThread, type PackedOutcomes, type PackedReceiveControl, type PackedTransmitControl, type PackedValidateOptions } from '../crypto/packed.js';
import { MIN_USER_DATA } from '../crypto/macsec.js';
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import { ICV_LENGTH, SECTAG_TCI_AN, TCI_C, TCI_E, TCI_SC, secTagLength } from '../wire/sectag.js';
import { checkPackedFrames, packedFrame, type PackedFrames } from '../wire/packed.js';
import type { ReceiveDeliveredCounter, ReceiveDropCounter, ReceiveOrigin, ReceiveOutcome } from './outcome.js';
import {
  finishReceive,
  findReceiveSCAt,
  findSecTagAt,
  lateReason,
  locateReceive,
  lookedUpSci,
  noSciReason,
  noTagReason,
  notUsingSaReason,
  notValidReason,
  overrunReason,
  parseReceived,
  receivedTagOffset,
} from './receive.js';
import { TWO_32, advanceReplay, isLate, pnBig, recoverPNHigh } from './replay.js';
import { TransmitSA, type ReceiveSA } from './sa.js';
import { dispatchEvents, type SecYState } from './state.js';
import { checkTransmitAt, countSent, pnsBeforeEvent, secTagKey, takePN } from './transmit.js';
import { KEY_CONFIDENTIALITY, KEY_TAGS_SHIFT, optionsOfKey } from './tx-key.js';

/** The kernel's control record, reused: a listener's nested call sets every field it reads. */
const tx: PackedTransmitControl = { first: 0, count: 0, outStart: 0, nextPnHigh: 0, nextPnLow: 0, lastPnHigh: 0, lastPnLow: 0, maxFrameSize: 0, outEnd: 0, pnsUsed: 0 };

/** Checks the arguments of a packed call and every input frame's place, and that output.data has room for all. */
function checkPackedCall(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): { readonly count: number; readonly shortest: number; readonly octets: number } {
  if (typeof input !== 'object' || input === null) throw new ConfigError('input', 'PackedFrames', describe(input));
  if (typeof output !== 'object' || output === null) throw new ConfigError('output', 'PackedFrames', describe(output));
  if (typeof outcomes !== 'object' || outcomes === null) throw new ConfigError('outcomes', 'PackedOutcomes', describe(outcomes));
  const n = input.count;
  if (!Number.isInteger(n) || n < 0) throw new ConfigError('input.count', 'a whole number', describe(n));
  checkPackedFrames('input', input, 0, n, false);
  checkPackedFrames('output', output, 0, n, false);
  checkApart(input, output);
  checkOutcomes(outcomes, n);
  // Every frame inside input.data (checkPackedFrames names the first one that is not), and the room.
  const { offsets, lengths } = input;
  const size = input.data.length;
  let need = 0;
  let shortest = Infinity;
  let outside = false;
  for (let i = 0; i < n; i++) {
    const len = lengths[i]!;
    if (offsets[i]! + len > size) outside = true;
    if (len < shortest) shortest = len;
    need += len + PACKED_ROOM;
  }
  if (outside) checkPackedFrames('input', input, 0, n, true);
  if (need > output.data.length) throw new ConfigError('output.data', `room for ${need} octets (each frame's length + ${PACKED_ROOM})`, describe(output.data));
  return { count: n, shortest, octets: need - PACKED_ROOM * n };
}

/**
 * Protects input frames 0 .. input.count - 1 in order, as `transmitBurst` does, into output.data from 0
 * (frame i's MPDU at output.offsets[i], output.lengths[i] octets, 0 where refused), its outcome in
 * outcomes.codes[i] and its PN in outcomes.pnHigh/pnLow[i] (0 where none); output.count = input.count.
 * Checks every frame's shape and the room before sending any.
 *
 * Each frame that needs takePN's checks takes its PN through takePN (one view of it, the only allocation,
 * and the outcome object of a refusal); the frames after it that share its SecTAG options and may take
 * their PNs with no check or event due (pnsBeforeEvent) go with it to one protectPacked call, which
 * counts their PNs up from its PN and refuses the too long ones as takePN would.
 */
export function transmitPacked(s: SecYState, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
  const { count: n, shortest, octets: callOctets } = checkPackedCall(input, output, outcomes);
  const kernels = s.executor.packed ?? packedInThread;
  kernels.check(input, output, outcomes);
  const { data, offsets: inOff, lengths: inLen } = input;
  // Every frame's shape first (with no clear tags to look for, only a frame too short for the rule needs a look).
  if (s.c.clearTags > 0 || shortest < ETHERTYPE_OFFSET + MIN_USER_DATA) for (let i = 0; i < n; i++) checkTransmitAt(s, data, inOff[i]!, inLen[i]!, i);
  const { offsets: outOff, lengths: outLen } = output;
  const { codes, pnHigh, pnLow } = outcomes;
  const x = s.one;
  let at = 0;
  for (let i = 0; i < n; ) {
    const off = inOff[i]!;
    const len = inLen[i]!;
    const frame = data.subarray(off, off + len);
    const tags = checkTransmitAt(s, data, off, len, i);
    const r = takePN(s, frame, tags, x, 0);
    if (!(r instanceof TransmitSA)) {
      outOff[i] = at;
      pnHigh[i] = 0;
      pnLow[i] = 0;
      if (r.kind === 'transmitted') {
        output.data.set(frame, at);
        at += len;
        outLen[i] = len;
      } else outLen[i] = 0;
      codes[i] = PackedCode[r.counter];
      i++;
      if (s.queued.length > 0) dispatchEvents(s);
      continue;
    }
    const sa = r;
    const key = x.keys[0]!;
    const c = s.c;
    // Frame i and the frames after it that may follow it into one call (none when it raised an event).
    let end = i + 1;
    if (s.queued.length === 0) {
      const limit = i + 1 + Math.min(pnsBeforeEvent(s, sa), n - i - 1);
      if (!c.useES && c.clearTags === 0) end = limit;
      else while (end < limit && secTagKey(s, data, inOff[end]!, checkTransmitAt(s, data, inOff[end]!, inLen[end]!, end)) === key) end++;
    }
    const hi = x.pnHi[0]!;
    const lo = x.pnLo[0]!;
    const count = end - i;
    tx.first = i;
    tx.count = count;
    tx.outStart = at;
    tx.nextPnHigh = hi;
    tx.nextPnLow = lo;
    // At most `count` PNs from frame i's: within what pnsBeforeEvent allowed.
    [tx.lastPnHigh, tx.lastPnLow] = addPn(hi, lo, count - 1);
    tx.maxFrameSize = c.maxFrameSize;
    try {
      kernels.protectPacked(sa.ctx, optionsOfKey(s.txOptions, key, sa.an, s.txSci), input, output, outcomes, tx);
    } catch (e) {
      // A kernel that failed part way may have sealed frames with each PN of the run (a pool's late worker may still
      // be at it): nextPN moves past them all, so none is used again under this SAK (10.5.2).
      [sa.nextHi, sa.nextLo] = addPn(tx.lastPnHigh, tx.lastPnLow, 1);
      throw e;
    }
    at = tx.outEnd;
    // takePN moved nextPN past frame i's PN; the kernel used tx.pnsUsed PNs from it (10.5.2).
    [sa.nextHi, sa.nextLo] = addPn(sa.nextHi, sa.nextLo, tx.pnsUsed - 1);
    // The counters (10.7): the frames sent, their user data octets, and the too long ones (the frames that took no PN).
    const header = ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * ((key >>> KEY_TAGS_SHIFT) & 3);
    const sent = tx.pnsUsed;
    s.own.OutPktsTooLong += count - sent;
    let octets = -header * sent;
    if (sent === n) octets += callOctets;
    else for (let k = i; k < end; k++) if (codes[k] !== PackedCode.OutPktsTooLong) octets += inLen[k]!;
    const encrypted = key & KEY_CONFIDENTIALITY ? sent : 0;
    countSent(sa.counters, sent, encrypted, octets, encrypted === 0 ? 0 : octets);
    i = end;
    if (s.queued.length > 0) dispatchEvents(s);
  }
  output.count = n;
}

const rx: PackedReceiveControl = { first: 0, count: 0, outStart: 0, lowestPnHigh: 0, lowestPnLow: 0, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };

/** Runs (receive SA and clear tags) of one call that go through validatePacked; the frames of further ones take the general path. */
const MAX_RUNS = 8;
/** A frame shorter than its SecTAG's offset + this cannot be valid (SecTAG, ICV): it starts no run. */
const MIN_RUN_TAIL = 24;
// Run r (1 .. MAX_RUNS) of the current call: its SA, clear tags and lowestPN as the call starts (a receive
// call runs no listener, so never inside another). runOf[i], once a call has a second run: the run that
// decided frame i, 0 for the last run (or none); a call with one run does not look at it.
const runSA: (ReceiveSA | undefined)[] = new Array<ReceiveSA | undefined>(MAX_RUNS + 1).fill(undefined);
const runTags = new Uint8Array(MAX_RUNS + 1);
const runLowHi = new Uint32Array(MAX_RUNS + 1);
const runLowLo = new Uint32Array(MAX_RUNS + 1);
// Each run's counts, added up over the call and stored once.
const K_OK = 0, K_DELAYED = 1, K_UNCHECKED = 2, K_INVALID = 3, K_NOT_VALID = 4, K_LATE = 5, K_DECRYPTED = 6, K_VALIDATED = 7, COUNTS = 8;
const runCounts = new Float64Array((MAX_RUNS + 1) * COUNTS);
let runOf = new Uint8Array(256);

/**
 * Whether the frame at data[off] (len octets) starts run `runs` + 1: its enabled receive SA, with its
 * clear tags, is none of runs 1 .. runs, and its lowestPN is within the kernel's 32-bit halves (an XPN SA
 * that has accepted maxPN has 2^64: its frames take the general path). If so, runSA and runTags of the
 * new run are set. Reads the frame only.
 */
function newRun(s: SecYState, data: Uint8Array, off: number, len: number, runs: number): boolean {
  const tagOffset = findSecTagAt(data, off, len, s.c.clearTags);
  if (tagOffset < 0 || len < tagOffset + MIN_RUN_TAIL) return false;
  const tci = data[off + tagOffset + SECTAG_TCI_AN]!;
  if ((tci & (TCI_E | TCI_C)) === TCI_E) return false; // the Uncontrolled Port's (9.5)
  const sa = findReceiveSCAt(s, data, off, tagOffset)?.sas[tci & 3];
  if (sa === undefined || !sa.enableReceive || sa.lowestHi > 0xffff_ffff) return false;
  const tags = (tagOffset - ETHERTYPE_OFFSET) / VLAN_TAG_LENGTH;
  for (let r = 1; r <= runs; r++) if (runSA[r] === sa && runTags[r] === tags) return false;
  runSA[runs + 1] = sa;
  runTags[runs + 1] = tags;
  return true;
}

/**
 * Verifies input frames 0 .. input.count - 1 in order, as `receiveBurst` does (receiveCapacity applies to
 * the call): frame i's outcome in outcomes.codes[i], its PN (carried and recovered, modulo 2^64; 0 where
 * the frame reached no receive SA) in outcomes.pnHigh/pnLow[i], the frame for the Controlled or
 * Uncontrolled Port at output.offsets[i], output.lengths[i] octets (0 where dropped), and where
 * outcomes.reasons is given what receivedOutcome needs; output.count = input.count. Never throws on frame
 * contents.
 *
 * Runs: the frames of one receive SA with one number of clear tags go through validatePacked in one
 * call, against lowestPN as the call starts; the first frame no run has decided that names another SA
 * starts the next run, over the frames still undecided (up to MAX_RUNS). Then, in frame order, the
 * bookkeeping over the codes: a frame of a run gets its PN recovered again from lowestPN as the frames
 * before it left it (a frame whose upper half changes, lowestPN having crossed 2^32, is received again
 * alone, as receiveBurst does), the replay check, the capacity, the counters and nextPN/lowestPN (10.6.2,
 * 10.6.5); every other frame (untagged, unknown SC or SA, E=1 with C=0, ...) takes the single-frame path
 * (a view of it, and its outcome object), its output after the kernel's.
 */
export function receivePacked(s: SecYState, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
  const n = checkPackedCall(input, output, outcomes).count;
  const kernels = s.executor.packed ?? packedInThread;
  kernels.check(input, output, outcomes);
  const { data, offsets: inOff, lengths: inLen } = input;
  const { codes, pnHigh, pnLow, reasons } = outcomes;
  const outLen = output.lengths;
  const c = s.c;
  s.budget = c.receiveCapacity;
  if (runOf.length < n) runOf = new Uint8Array(Math.max(n, 2 * runOf.length));
  if (reasons !== undefined) reasons.pnPast64.fill(0, 0, n);
  let runs = 0;
  let tail = 0;
  let from = 0; // the first run writes every frame's outcome
  let found = false;
  for (let i = 0; i < n && !found; i++) found = newRun(s, data, inOff[i]!, inLen[i]!, 0);
  if (!found) codes.fill(PackedCode.None, 0, n);
  while (found) {
    const r = ++runs;
    const sa = runSA[r]!;
    runLowHi[r] = sa.lowestHi;
    runLowLo[r] = sa.lowestLo;
    runCounts.fill(0, r * COUNTS, (r + 1) * COUNTS);
    const o: PackedValidateOptions = {
      sci: sa.validateOptions.sci,
      an: sa.an,
      confidentialityOffset: sa.confidentialityOffset,
      clearTags: runTags[r]!,
      validateFrames: c.validateFrames,
      replayProtect: c.replayProtect,
      pointToPoint: s.rx.size === 1,
      undecidedOnly: r > 1,
    };
    rx.first = from;
    rx.count = n - from;
    rx.outStart = tail;
    rx.lowestPnHigh = sa.lowestHi;
    rx.lowestPnLow = sa.lowestLo;
    kernels.validatePacked(sa.ctx, o, input, output, outcomes, rx);
    tail = rx.outEnd;
    // The user data octets of the frames the kernel validated (10.7.9-10); the loop below takes back those it refuses.
    runCounts[r * COUNTS + K_VALIDATED]! += rx.octetsValidated;
    runCounts[r * COUNTS + K_DECRYPTED]! += rx.octetsDecrypted;
    // The first undecided frame that starts another run; if there is one, the frames this run decided.
    found = false;
    for (let i = from; i < n && r < MAX_RUNS; i++) {
      if (codes[i] !== PackedCode.None || !newRun(s, data, inOff[i]!, inLen[i]!, r)) continue;
      found = true;
      if (r === 1) runOf.fill(0, 0, n);
      for (let j = r === 1 ? 0 : from; j < n; j++) if (runOf[j] === 0 && codes[j] !== PackedCode.None) runOf[j] = r;
      from = i;
      break;
    }
  }
  const xpn = s.cipherSuite.xpn;
  const disabled = c.validateFrames === 'Disabled';
  const { replayProtect, replayWindow } = c;
  let badTag = 0, overrun = 0;
  let budget = s.budget;
  // The run of the frames now and its state, in locals; its counts are added to runCounts when another run's frame comes.
  let cur = 0;
  let frameSA: ReceiveSA | undefined;
  let lowHi = 0, lowLo = 0, tagOffset = 0;
  let ok = 0, delayed = 0, unchecked = 0, invalid = 0, notValid = 0, late = 0;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (code === PackedCode.None) {
      s.budget = budget;
      tail = receiveOneAt(s, input, output, outcomes, i, tail);
      budget = s.budget;
      continue;
    }
    if (code === PackedCode.InPktsBadTag) {
      badTag++;
      continue;
    }
    const r = runs === 1 ? 1 : runOf[i]! || runs;
    if (r !== cur || frameSA === undefined) {
      if (cur !== 0) addCounts(cur, ok, delayed, unchecked, invalid, notValid, late);
      ok = delayed = unchecked = invalid = notValid = late = 0;
      cur = r;
      frameSA = runSA[r]!;
      lowHi = runLowHi[r]!;
      lowLo = runLowLo[r]!;
      tagOffset = ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * runTags[r]!;
    }
    // Whether the kernel counted the frame's octets: validated past its replay pre-check.
    const counted = !disabled && code !== PackedCode.InPktsLate;
    const lo = pnLow[i]!;
    const hi = recoverPNHigh(xpn, frameSA, lo);
    // The upper half validatePacked recovered, from lowestPN as the call started.
    if (xpn && hi !== (lo >= lowLo ? lowHi : lowHi + 1)) {
      if (counted) takeBack(r, data, inOff[i]!, inLen[i]!, tagOffset);
      // Its output where the kernel put its own: a frame delivered there has the same length (DA ‖ SA ‖
      // [clear tags] ‖ user data), and one dropped there left its whole slot (from output.offsets[i]) unused.
      s.budget = budget;
      receiveOneAt(s, input, output, outcomes, i, output.offsets[i]!);
      budget = s.budget;
      continue;
    }
    pnHigh[i] = hi;
    if (hi > 0xffff_ffff && reasons !== undefined) reasons.pnPast64[i] = 1;
    const isLateNow = isLate(frameSA, hi, lo);
    if (replayProtect && isLateNow) {
      if (counted) takeBack(r, data, inOff[i]!, inLen[i]!, tagOffset);
      late++;
      codes[i] = PackedCode.InPktsLate;
      outLen[i] = 0;
      if (reasons !== undefined) {
        reasons.lowestPnHigh[i] = frameSA.lowestHi;
        reasons.lowestPnLow[i] = frameSA.lowestLo;
      }
      continue;
    }
    // With validateFrames Disabled only a frame with C set (encrypted or changed) is validated (10.6.2).
    if (!disabled || (data[inOff[i]! + tagOffset + SECTAG_TCI_AN]! & TCI_C) !== 0) {
      if (budget <= 0) {
        if (counted) takeBack(r, data, inOff[i]!, inLen[i]!, tagOffset);
        overrun++;
        codes[i] = PackedCode.InPktsOverrun;
        outLen[i] = 0;
        continue;
      }
      budget--;
      if (code === PackedCode.InPktsInvalid) invalid++;
      else if (code === PackedCode.InPktsNotValid) notValid++;
      else {
        if (isLateNow) {
          codes[i] = PackedCode.InPktsDelayed;
          delayed++;
        } else {
          codes[i] = PackedCode.InPktsOK;
          ok++;
        }
        advanceReplay(frameSA, hi, lo, replayWindow);
      }
    } else if (isLateNow) {
      codes[i] = PackedCode.InPktsDelayed;
      delayed++;
    } else {
      codes[i] = PackedCode.InPktsUnchecked;
      unchecked++;
    }
  }
  if (cur !== 0) addCounts(cur, ok, delayed, unchecked, invalid, notValid, late);
  s.budget = budget;
  s.own.InPktsBadTag += badTag;
  s.own.InPktsOverrun += overrun;
  for (let r = 1; r <= runs; r++) {
    const cnt = runSA[r]!.counters;
    const k = r * COUNTS;
    cnt.InPktsOK += runCounts[k + K_OK]!;
    cnt.InPktsDelayed += runCounts[k + K_DELAYED]!;
    cnt.InPktsUnchecked += runCounts[k + K_UNCHECKED]!;
    cnt.InPktsInvalid += runCounts[k + K_INVALID]!;
    cnt.InPktsNotValid += runCounts[k + K_NOT_VALID]!;
    cnt.InPktsLate += runCounts[k + K_LATE]!;
    cnt.InOctetsDecrypted += runCounts[k + K_DECRYPTED]!;
    cnt.InOctetsValidated += runCounts[k + K_VALIDATED]!;
    runSA[r] = undefined;
  }
  output.count = n;
}

/** Adds a stretch of run r's frames' counts to its total for the call. */
function addCounts(r: number, ok: number, delayed: number, unchecked: number, invalid: number, notValid: number, late: number): void {
  const k = r * COUNTS;
  runCounts[k + K_OK]! += ok;
  runCounts[k + K_DELAYED]! += delayed;
  runCounts[k + K_UNCHECKED]! += unchecked;
  runCounts[k + K_INVALID]! += invalid;
  runCounts[k + K_NOT_VALID]! += notValid;
  runCounts[k + K_LATE]! += late;
}

/** Takes back from run r the user data octets the kernel counted for a frame (SecTAG at tagOffset) the SecY then refused. */
function takeBack(r: number, data: Uint8Array, off: number, len: number, tagOffset: number): void {
  const tci = data[off + tagOffset + SECTAG_TCI_AN]!;
  const sl = data[off + tagOffset + 3]!;
  const user = sl !== 0 ? sl : len - tagOffset - secTagLength((tci & TCI_SC) !== 0) - ICV_LENGTH;
  runCounts[r * COUNTS + (tci & TCI_E ? K_DECRYPTED : K_VALIDATED)]! -= user;
}

/** Frame i by the single-frame path (receive.ts), its output at `at` in output.data; returns the offset after it. */
function receiveOneAt(s: SecYState, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, i: number, at: number): number {
  const off = input.offsets[i]!;
  const job = locateReceive(s, input.data.subarray(off, off + input.lengths[i]!));
  const r: ReceiveOutcome = job.kind === 'pending' ? finishReceive(s, job, undefined) : job;
  outcomes.codes[i] = PackedCode[r.counter];
  const pn = r.kind === 'uncontrolled' ? undefined : r.origin?.pn;
  outcomes.pnHigh[i] = pn === undefined ? 0 : Number((pn >> 32n) & 0xffff_ffffn);
  outcomes.pnLow[i] = pn === undefined ? 0 : Number(pn & 0xffff_ffffn);
  const reasons = outcomes.reasons;
  if (reasons !== undefined) {
    reasons.pnPast64[i] = pn !== undefined && pn > MAX_PN64 ? 1 : 0;
    // A late frame left the SA's lowestPN as it found it.
    if (r.counter === 'InPktsLate' && job.kind === 'pending') {
      reasons.lowestPnHigh[i] = job.sa.lowestHi;
      reasons.lowestPnLow[i] = job.sa.lowestLo;
    }
  }
  output.offsets[i] = at;
  if (r.kind === 'dropped') {
    output.lengths[i] = 0;
    return at;
  }
  output.data.set(r.frame, at);
  output.lengths[i] = r.frame.length;
  return at + r.frame.length;
}

const MAX_PN64 = 0xffff_ffff_ffff_ffffn;

/**
 * The ReceiveOutcome `receive`/`receiveBurst` give frame k of a receivePacked call (input, output and
 * outcomes as the call left them, outcomes.reasons given), rebuilt from its code, PN, octets and the
 * SecY's configuration: what a listing of the frame needs, built only for the frames listed. The drop
 * reasons come from receive.ts's builders, as on the single-frame path. Valid until the SecY's receive
 * SCs or controls change.
 */
export function receivedOutcome(s: SecYState, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, k: number): ReceiveOutcome {
  if (!Number.isInteger(k) || k < 0 || k >= input.count) throw new ConfigError('k', `a frame of the call, 0 to ${input.count - 1}`, describe(k));
  checkOutcomes(outcomes, k + 1);
  const reasons = outcomes.reasons;
  if (reasons === undefined) throw new ConfigError('outcomes.reasons', 'PackedReasons (as packedOutcomes makes them)', 'undefined');
  const code = outcomes.codes[k]!;
  const counter = PACKED_CODE_NAMES[code];
  if (counter === undefined) throw new ConfigError(`outcomes.codes[${k}]`, 'a receive outcome', String(code));
  const frame = packedFrame(input, k);
  // The frame for the Controlled or Uncontrolled Port, where the outcome has one (an untagged frame may be empty).
  const delivered = packedFrame(output, k);
  const dropped = (c: ReceiveDropCounter, reason: string, origin: ReceiveOrigin | undefined): ReceiveOutcome => ({ kind: 'dropped', counter: c, reason, error: undefined, origin });
  const controlled = (c: ReceiveDeliveredCounter, origin: ReceiveOrigin | undefined): ReceiveOutcome => ({ kind: 'controlled', counter: c, frame: delivered, origin });
  if (counter === 'SimInPktsUncontrolled') return { kind: 'uncontrolled', counter, frame: delivered };
  if (counter === 'InPktsUntagged') return controlled(counter, undefined);
  if (counter === 'InPktsNoTag') return dropped(counter, noTagReason(), undefined);
  const tagOffset = receivedTagOffset(s, frame);
  if (counter === 'InPktsBadTag') {
    const parsed = tagOffset < 0 ? undefined : parseReceived(s, frame, tagOffset);
    if (parsed === undefined || parsed.ok) throw new ConfigError(`input frame ${k}`, 'a frame with a SecTAG that is not valid (InPktsBadTag)', 'a valid one');
    return { kind: 'dropped', counter, reason: parsed.error.message, error: parsed.error, origin: undefined };
  }
  if (tagOffset < 0) throw new ConfigError(`input frame ${k}`, `a frame with a SecTAG (${counter})`, 'none');
  const tci = frame[tagOffset + SECTAG_TCI_AN]!;
  const an = tci & 3;
  const cBit = (tci & TCI_C) !== 0;
  const sc = findReceiveSCAt(s, frame, 0, tagOffset);
  if (counter === 'InPktsNoSCI' || counter === 'InPktsUnknownSCI') {
    const origin: ReceiveOrigin = { sci: lookedUpSci(s), an, pn: undefined };
    return counter === 'InPktsNoSCI' ? dropped(counter, noSciReason(cBit), origin) : controlled(counter, origin);
  }
  if (sc === undefined) throw new ConfigError(`input frame ${k}`, `a frame of a receive SC (${counter})`, 'an unknown SCI');
  if (counter === 'InPktsNotUsingSA' || counter === 'InPktsUnusedSA') {
    const origin: ReceiveOrigin = { sci: sc.id, an, pn: undefined };
    return counter === 'InPktsNotUsingSA' ? dropped(counter, notUsingSaReason(an, cBit), origin) : controlled(counter, origin);
  }
  const hi = outcomes.pnHigh[k]! + (reasons.pnPast64[k] === 1 ? TWO_32 : 0);
  const pn = pnBig(hi, outcomes.pnLow[k]!);
  const origin: ReceiveOrigin = { sci: sc.id, an, pn };
  switch (counter) {
    case 'InPktsLate':
      return dropped(counter, lateReason(pn, pnBig(reasons.lowestPnHigh[k]!, reasons.lowestPnLow[k]!)), origin);
    case 'InPktsOverrun':
      return dropped(counter, overrunReason(s.c.receiveCapacity), origin);
    case 'InPktsNotValid':
      return dropped(counter, notValidReason(cBit), origin);
    case 'InPktsOK':
    case 'InPktsDelayed':
    case 'InPktsUnchecked':
    case 'InPktsInvalid':
      return controlled(counter, origin);
    default:
      throw new ConfigError(`outcomes.codes[${k}]`, 'a receive outcome', counter);
  }
}
