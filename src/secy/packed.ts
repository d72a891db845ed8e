/**
 * The packed paths (issue 14): transmit.ts and receive.ts over frames packed in one buffer (wire/packed.ts),
 * outcomes as codes and PN halves (crypto/packed.ts), nothing allocated per frame in the common case.
 * Outcomes, counters, output octets, PN state and events are exactly those of the single-frame paths,
 * frame by frame; events are dispatched at the frame boundaries `transmit`/`transmitBurst` dispatch them.
 */
import { PACKED_ROOM, PackedCode, checkApart, checkOutcomes, packedInThread, type PackedOutcomes, type PackedReceiveControl, type PackedTransmitControl, type PackedValidateOptions } from '../crypto/packed.js';
import { MIN_USER_DATA } from '../crypto/macsec.js';
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import { ICV_LENGTH, SECTAG_TCI_AN, TCI_C, TCI_E, TCI_SC, isSecTagAt } from '../wire/sectag.js';
import { checkPackedFrames, type PackedFrames } from '../wire/packed.js';
import type { ReceiveOutcome } from './outcome.js';
import { finishReceive, findReceiveSCAt, locateReceive } from './receive.js';
import { advanceReplay, isLate, recoverPNHigh } from './replay.js';
import { TransmitSA, type ReceiveSA } from './sa.js';
import { dispatchEvents, type SecYState } from './state.js';
import { checkTransmitAt, countSent, pnsBeforeEvent, secTagKey, takePN } from './transmit.js';
import { KEY_CONFIDENTIALITY, KEY_TAGS_SHIFT, optionsOfKey } from './tx-key.js';

/** The kernel's control record, reused: a listener's nested call sets every field it reads. */
const tx: PackedTransmitControl = { first: 0, count: 0, outStart: 0, nextPnHigh: 0, nextPnLow: 0, lastPnHigh: 0, lastPnLow: 0, maxFrameSize: 0, outEnd: 0, pnsUsed: 0 };

const TWO_32 = 0x1_0000_0000;

/** Checks the arguments of a packed call and every input frame's place, and that output.data has room for all. */
function checkPackedCall(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): number {
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
  let outside = false;
  for (let i = 0; i < n; i++) {
    const len = lengths[i]!;
    if (offsets[i]! + len > size) outside = true;
    need += len + PACKED_ROOM;
  }
  if (outside) checkPackedFrames('input', input, 0, n, true);
  if (need > output.data.length) throw new ConfigError('output.data', `room for ${need} octets (each frame's length + ${PACKED_ROOM})`, describe(output.data));
  return n;
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
  const n = checkPackedCall(input, output, outcomes);
  const kernels = s.executor.packed ?? packedInThread;
  kernels.check(input, output, outcomes);
  const { data, offsets: inOff, lengths: inLen } = input;
  // Every frame's shape first (with no clear tags to look for, a length the rule passes needs no look).
  const anyTags = s.c.clearTags > 0;
  for (let i = 0; i < n; i++) if (anyTags || inLen[i]! < ETHERTYPE_OFFSET + MIN_USER_DATA) checkTransmitAt(s, data, inOff[i]!, inLen[i]!, i);
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
    const lastLo = lo + count - 1;
    tx.lastPnHigh = lastLo >= TWO_32 ? hi + 1 : hi;
    tx.lastPnLow = lastLo >= TWO_32 ? lastLo - TWO_32 : lastLo;
    tx.maxFrameSize = c.maxFrameSize;
    kernels.protectPacked(sa.ctx, optionsOfKey(s.txOptions, key, sa.an, s.txSci), input, output, outcomes, tx);
    at = tx.outEnd;
    // takePN moved nextPN past frame i's PN; the kernel used tx.pnsUsed PNs from it (10.5.2).
    const nextLo = sa.nextLo + tx.pnsUsed - 1;
    if (nextLo >= TWO_32) {
      sa.nextHi++;
      sa.nextLo = nextLo - TWO_32;
    } else sa.nextLo = nextLo;
    // The counters (10.7): the frames sent, their user data octets, and the too long ones.
    const header = ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * ((key >>> KEY_TAGS_SHIFT) & 3);
    let sent = 0;
    let octets = 0;
    for (let k = i; k < end; k++) {
      if (codes[k] === PackedCode.OutPktsTooLong) s.own.OutPktsTooLong++;
      else {
        sent++;
        octets += inLen[k]! - header;
      }
    }
    const encrypted = key & KEY_CONFIDENTIALITY ? sent : 0;
    countSent(sa.counters, sent, encrypted, octets, encrypted === 0 ? 0 : octets);
    i = end;
    if (s.queued.length > 0) dispatchEvents(s);
  }
  output.count = n;
}

const rx: PackedReceiveControl = { first: 0, count: 0, outStart: 0, lowestPnHigh: 0, lowestPnLow: 0, outEnd: 0, handled: 0 };

/** How many leading frames are looked at for the receive SA the burst's run is on. */
const RUN_PEEK = 8;

/**
 * The enabled receive SA of the first of the first few frames with a SecTAG right after the addresses
 * that names one: the SA whose frames go to validatePacked. Reads the frames only (counters untouched).
 */
function runSA(s: SecYState, input: PackedFrames, n: number): ReceiveSA | undefined {
  const { data, offsets, lengths } = input;
  for (let i = 0; i < Math.min(n, RUN_PEEK); i++) {
    const off = offsets[i]!;
    if (lengths[i]! < ETHERTYPE_OFFSET + 24 || !isSecTagAt(data, off + ETHERTYPE_OFFSET)) continue;
    const sa = findReceiveSCAt(s, data, off, ETHERTYPE_OFFSET)?.sas[data[off + ETHERTYPE_OFFSET + SECTAG_TCI_AN]! & 3];
    if (sa?.enableReceive) return sa;
  }
  return undefined;
}

/**
 * Verifies input frames 0 .. input.count - 1 in order, as `receiveBurst` does (receiveCapacity applies to
 * the call): frame i's outcome in outcomes.codes[i], its PN (carried and recovered, modulo 2^64; 0 where
 * the frame reached no receive SA) in outcomes.pnHigh/pnLow[i], the frame for the Controlled or
 * Uncontrolled Port at output.offsets[i], output.lengths[i] octets (0 where dropped); output.count =
 * input.count. Never throws on frame contents.
 *
 * The frames of one receive SA (that of the first frames) go through validatePacked in one call, against
 * lowestPN as the call starts; then, in frame order, the bookkeeping over the codes: a frame of that SA
 * gets its PN recovered again from lowestPN as the frames before it left it (a frame whose upper half
 * changes, lowestPN having crossed 2^32, is received again alone, as receiveBurst does), the replay
 * check, the capacity, the counters and nextPN/lowestPN (10.6.2, 10.6.5); every other frame takes the
 * single-frame path (a view of it, and its outcome object), its output after the kernel's.
 */
export function receivePacked(s: SecYState, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
  const n = checkPackedCall(input, output, outcomes);
  const kernels = s.executor.packed ?? packedInThread;
  kernels.check(input, output, outcomes);
  const { data, offsets: inOff, lengths: inLen } = input;
  const { codes, pnHigh, pnLow } = outcomes;
  const outLen = output.lengths;
  const c = s.c;
  s.budget = c.receiveCapacity;
  const sa = runSA(s, input, n);
  let tail = 0;
  const xpn = s.cipherSuite.xpn;
  const lowHi = sa?.lowestHi ?? 0;
  const lowLo = sa?.lowestLo ?? 0;
  // An XPN SA that has accepted maxPN has lowestPN 2^64, past the kernel's 32-bit halves: its frames take the
  // general path (all of them are Late, or recovered past maxPN, 10.6.2).
  if (sa !== undefined && lowHi <= 0xffff_ffff) {
    const o: PackedValidateOptions = {
      sci: sa.validateOptions.sci,
      an: sa.an,
      confidentialityOffset: sa.confidentialityOffset,
      clearTags: 0,
      validateFrames: c.validateFrames,
      replayProtect: c.replayProtect,
      pointToPoint: s.rx.size === 1,
    };
    rx.first = 0;
    rx.count = n;
    rx.outStart = 0;
    rx.lowestPnHigh = lowHi;
    rx.lowestPnLow = lowLo;
    kernels.validatePacked(sa.ctx, o, input, output, outcomes, rx);
    tail = rx.outEnd;
  } else codes.fill(PackedCode.None, 0, n);
  const disabled = c.validateFrames === 'Disabled';
  const { replayProtect, replayWindow } = c;
  // The run SA's counts, added up here and stored once (no listener runs during a receive call).
  let ok = 0, delayed = 0, unchecked = 0, invalid = 0, notValid = 0, late = 0, decrypted = 0, validated = 0, badTag = 0, overrun = 0;
  let budget = s.budget;
  for (let i = 0; i < n; i++) {
    const code = codes[i]!;
    if (code === PackedCode.None || sa === undefined) {
      s.budget = budget;
      tail = receiveOneAt(s, input, output, outcomes, i, tail);
      budget = s.budget;
      continue;
    }
    if (code === PackedCode.InPktsBadTag) {
      badTag++;
      continue;
    }
    const lo = pnLow[i]!;
    const hi = recoverPNHigh(xpn, sa, lo);
    // The upper half validatePacked recovered, from lowestPN as the call started.
    if (xpn && hi !== (lo >= lowLo ? lowHi : lowHi + 1)) {
      // Its output where the kernel put its own: a frame delivered there has the same length (DA ‖ SA ‖
      // user data), and one dropped there left its whole slot (from output.offsets[i]) unused.
      s.budget = budget;
      receiveOneAt(s, input, output, outcomes, i, output.offsets[i]!);
      budget = s.budget;
      continue;
    }
    pnHigh[i] = hi;
    const isLateNow = isLate(sa, hi, lo);
    if (replayProtect && isLateNow) {
      late++;
      codes[i] = PackedCode.InPktsLate;
      outLen[i] = 0;
      continue;
    }
    const off = inOff[i]!;
    const tci = data[off + ETHERTYPE_OFFSET + SECTAG_TCI_AN]!;
    if ((tci & TCI_C) !== 0 || !disabled) {
      if (budget <= 0) {
        overrun++;
        codes[i] = PackedCode.InPktsOverrun;
        outLen[i] = 0;
        continue;
      }
      budget--;
      if (!disabled) {
        const sl = data[off + ETHERTYPE_OFFSET + 3]!;
        const user = sl !== 0 ? sl : inLen[i]! - ETHERTYPE_OFFSET - (tci & TCI_SC ? 16 : 8) - ICV_LENGTH;
        if (tci & TCI_E) decrypted += user;
        else validated += user;
      }
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
        advanceReplay(sa, hi, lo, replayWindow);
      }
    } else if (isLateNow) {
      codes[i] = PackedCode.InPktsDelayed;
      delayed++;
    } else {
      codes[i] = PackedCode.InPktsUnchecked;
      unchecked++;
    }
  }
  s.budget = budget;
  s.own.InPktsBadTag += badTag;
  s.own.InPktsOverrun += overrun;
  if (sa !== undefined) {
    const cnt = sa.counters;
    cnt.InPktsOK += ok;
    cnt.InPktsDelayed += delayed;
    cnt.InPktsUnchecked += unchecked;
    cnt.InPktsInvalid += invalid;
    cnt.InPktsNotValid += notValid;
    cnt.InPktsLate += late;
    cnt.InOctetsDecrypted += decrypted;
    cnt.InOctetsValidated += validated;
  }
  output.count = n;
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
  output.offsets[i] = at;
  if (r.kind === 'dropped') {
    output.lengths[i] = 0;
    return at;
  }
  output.data.set(r.frame, at);
  output.lengths[i] = r.frame.length;
  return at + r.frame.length;
}
