/**
 * Secure frame verification (802.1AE 10.6) for one frame: the SecTAG, the receive SC and SA, PN
 * recovery and the replay checks, validation and the counters. bursts.ts runs the same steps over a
 * burst, with the validation of many frames done in one pass between them. The decision table is in
 * secy.ts.
 */
import { validate } from '../crypto/macsec.js';
import { ETHERTYPE_OFFSET, EtherType, VLAN_TAG_LENGTH, isVlanTpid, readU16, readU32 } from '../wire/ethernet.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { quickLayout } from '../wire/quick-layout.js';
import { END_STATION_PORT, SCB_PORT } from '../wire/sci.js';
import { SECTAG_SCI, SECTAG_TCI_AN, TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, isSecTagAt } from '../wire/sectag.js';
import type { ReceiveDropCounter, ReceiveOrigin, ReceiveOutcome } from './outcome.js';
import { advanceReplay, isLate, pnBig, recoverPNHigh } from './replay.js';
import type { ReceiveSA } from './sa.js';
import type { ReceiveSC } from './sc.js';
import type { SecYState } from './state.js';

/** A received frame that reached an enabled receive SA: what validation and the last step need. */
export interface ReceiveJob {
  readonly kind: 'pending';
  readonly frame: Uint8Array;
  readonly layout: MacsecFrame;
  readonly sc: ReceiveSC;
  readonly sa: ReceiveSA;
  /** The full PN: recovered upper half (XPN) and the SecTAG's lower half. */
  readonly pnHi: number;
  readonly pnLo: number;
  /** Whether the frame goes through the cipher suite (C=1, or validateFrames not Disabled: 10.6.3). */
  readonly validate: boolean;
}

/** Offset of the SecTAG after at most `maxTags` VLAN tags, or -1 when the frame has none (untagged). */
export function findSecTag(frame: Uint8Array, maxTags: number): number {
  return findSecTagAt(frame, 0, frame.length, maxTags);
}

/** findSecTag for the `len` octets at data[off] (a packed frame): the offset within the frame. */
export function findSecTagAt(data: Uint8Array, off: number, len: number, maxTags: number): number {
  let offset = ETHERTYPE_OFFSET;
  for (let i = 0; ; i++) {
    if (len < offset + 2) return -1;
    const type = readU16(data, off + offset);
    if (type === EtherType.MACsec) return offset;
    if (i >= maxTags || !isVlanTpid(type)) return -1;
    offset += VLAN_TAG_LENGTH;
  }
}

/** Where a received frame's SecTAG is (-1: untagged): right after the addresses, as almost every frame has it, without the search. */
export function receivedTagOffset(s: SecYState, frame: Uint8Array): number {
  return frame.length > ETHERTYPE_OFFSET + SECTAG_TCI_AN && isSecTagAt(frame, ETHERTYPE_OFFSET) ? ETHERTYPE_OFFSET : findSecTag(frame, s.c.clearTags);
}

/** The parse of a received frame whose SecTAG is at `tagOffset`: its layout, or (InPktsBadTag) the rule it broke. */
export function parseReceived(s: SecYState, frame: Uint8Array, tagOffset: number): ReturnType<typeof parseMacsecFrame> {
  return parseMacsecFrame(frame, { clearTags: (tagOffset - ETHERTYPE_OFFSET) / VLAN_TAG_LENGTH, allowZeroPN: s.cipherSuite.xpn });
}

// The reasons of the drops (10.6, 10.6.1, 10.6.2, 10.6.5), one builder each: the single-frame path and the
// packed path's outcomes (packed.ts receivedOutcome) word them alike.
export const noTagReason = (): string => 'no SecTAG, and validateFrames is Strict';
export const noSciReason = (cBit: boolean): string => (cBit ? 'unknown SCI, C=1' : 'unknown SCI, validateFrames is Strict');
export const notUsingSaReason = (an: number, cBit: boolean): string => `no receive SA in use for AN ${an}${cBit ? ', C=1' : ', validateFrames is Strict'}`;
export const lateReason = (pn: bigint, lowestPN: bigint): string => `PN ${pn} below lowestPN ${lowestPN}`;
export const overrunReason = (receiveCapacity: number): string => `beyond receiveCapacity ${receiveCapacity}`;
export const notValidReason = (cBit: boolean): string => `ICV check failed (${cBit ? 'C=1' : 'validateFrames is Strict'})`;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** The SCI the last findReceiveSCAt looked up, as 16 hex digits; undefined when the SecTAG implied none. */
export const lookedUpSci = (s: SecYState): string | undefined => (s.lookupHi < 0 ? undefined : hex8(s.lookupHi) + hex8(s.lookupLo));

/** DA ‖ SA ‖ [clear tags] ‖ secure data, as received: for frames delivered unverified (C=0). */
function stripSecTag(frame: Uint8Array, layout: MacsecFrame): Uint8Array {
  const out = new Uint8Array(layout.secTagOffset + layout.secureDataLength);
  out.set(frame.subarray(0, layout.secTagOffset));
  out.set(frame.subarray(layout.secureDataOffset, layout.secureDataOffset + layout.secureDataLength), layout.secTagOffset);
  return out;
}

/** Verifies one frame (the receive capacity already set for the call). */
export function receiveOne(s: SecYState, frame: Uint8Array): ReceiveOutcome {
  const job = locateReceive(s, frame);
  if (job.kind !== 'pending') return job;
  return finishReceive(s, job, undefined);
}

/**
 * 10.6, 10.6.1 and the PN recovery of 10.6.2: SecTAG, receive SC, receive SA. Frames that end here are
 * counted and returned; the others come back as a job, its PN recovered from the SA's lowestPN now.
 */
export function locateReceive(s: SecYState, frame: Uint8Array): ReceiveOutcome | ReceiveJob {
  const c = s.c;
  const strict = c.validateFrames === 'Strict';
  const tagOffset = receivedTagOffset(s, frame);
  if (tagOffset < 0) {
    if (strict) return drop(s.own, 'InPktsNoTag', noTagReason(), undefined);
    s.own.InPktsUntagged++;
    return { kind: 'controlled', counter: 'InPktsUntagged', frame, origin: undefined };
  }
  // E=1 with C=0, read from the raw TCI/AN octet before any parse (which would refuse it).
  if (frame.length > tagOffset + SECTAG_TCI_AN && (frame[tagOffset + SECTAG_TCI_AN]! & (TCI_E | TCI_C)) === TCI_E) {
    s.own.SimInPktsUncontrolled++;
    return { kind: 'uncontrolled', counter: 'SimInPktsUncontrolled', frame };
  }
  // The common case without parseMacsecFrame's allocations; it decides (and explains) everything else.
  let layout: MacsecFrame | undefined = tagOffset === ETHERTYPE_OFFSET ? quickLayout(frame, s.cipherSuite.xpn) : undefined;
  if (layout === undefined) {
    const parsed = parseReceived(s, frame, tagOffset);
    if (!parsed.ok) {
      s.own.InPktsBadTag++;
      return { kind: 'dropped', counter: 'InPktsBadTag', reason: parsed.error.message, error: parsed.error, origin: undefined };
    }
    layout = parsed.value;
  }
  const tag = layout.secTag;
  const cBit = tag.tci.c;
  const sc = findReceiveSC(s, frame, layout);
  if (sc === undefined) {
    const origin: ReceiveOrigin = { sci: lookedUpSci(s), an: tag.an, pn: undefined };
    if (cBit || strict) return drop(s.own, 'InPktsNoSCI', noSciReason(cBit), origin);
    s.own.InPktsUnknownSCI++;
    return { kind: 'controlled', counter: 'InPktsUnknownSCI', frame: stripSecTag(frame, layout), origin };
  }
  const sa = sc.sas[tag.an];
  if (sa === undefined || !sa.enableReceive) {
    const origin: ReceiveOrigin = { sci: sc.id, an: tag.an, pn: undefined };
    const cnt = sa ? sa.counters : sc.absorbed;
    if (cBit || strict) return drop(cnt, 'InPktsNotUsingSA', notUsingSaReason(tag.an, cBit), origin);
    cnt.InPktsUnusedSA++;
    return { kind: 'controlled', counter: 'InPktsUnusedSA', frame: stripSecTag(frame, layout), origin };
  }
  const lo = tag.pn;
  const hi = recoverPNHigh(s.cipherSuite.xpn, sa, lo);
  return { kind: 'pending', frame, layout, sc, sa, pnHi: hi, pnLo: lo, validate: cBit || c.validateFrames !== 'Disabled' };
}

/**
 * A located job's turn, in frame order, with the SA's state as it is now: the PN's upper half recovered
 * again (XPN: lowestPN may have moved since the job was located, in a burst), the replay check (10.6.2),
 * the capacity, validation (10.6.3, 10.6.4) unless `validated` holds its result for the same PN, and
 * completeReceive (10.6.5).
 */
export function finishReceive(s: SecYState, located: ReceiveJob, validated: Uint8Array | null | undefined): ReceiveOutcome {
  const { sa, pnLo: lo } = located;
  const hi = recoverPNHigh(s.cipherSuite.xpn, sa, lo);
  const job = hi === located.pnHi ? located : { ...located, pnHi: hi };
  if (s.c.replayProtect && isLate(sa, hi, lo)) return late(job.sc, sa, hi, lo);
  let plain: Uint8Array | null = null;
  if (job.validate) {
    if (s.budget <= 0) return drop(s.own, 'InPktsOverrun', overrunReason(s.c.receiveCapacity), origin(job.sc, sa, hi, lo));
    s.budget--;
    plain = validated !== undefined && job === located ? validated : validateOne(s, job);
  }
  return completeReceive(s, job, plain);
}

/** 10.6.3, 10.6.4: the cipher suite. The unprotected frame, or null on ICV failure. */
function validateOne(s: SecYState, job: ReceiveJob): Uint8Array | null {
  if (job.pnHi > s.maxHi) return null; // recovered past maxPN: no transmitter can have sent it
  const o = job.sa.validateOptions;
  o.pnHigh = job.pnHi;
  return validate(job.sa.ctx, job.frame, job.layout, o);
}

/** 10.6.5: the counters, and nextPN/lowestPN for a valid frame. `plain` is validation's result (null if not validated). */
function completeReceive(s: SecYState, job: ReceiveJob, plain: Uint8Array | null): ReceiveOutcome {
  const c = s.c;
  const { sc, sa, pnHi: hi, pnLo: lo, layout } = job;
  const cnt = sa.counters;
  const tci = layout.secTag.tci;
  if (job.validate && c.validateFrames !== 'Disabled') {
    if (tci.e) cnt.InOctetsDecrypted += layout.secureDataLength;
    else cnt.InOctetsValidated += layout.secureDataLength;
  }
  const from = origin(sc, sa, hi, lo);
  if (plain === null) {
    if (job.validate) {
      if (tci.c || c.validateFrames === 'Strict') {
        return drop(cnt, 'InPktsNotValid', notValidReason(tci.c), from);
      }
      cnt.InPktsInvalid++; // Check, C=0: delivered although it failed
      return { kind: 'controlled', counter: 'InPktsInvalid', frame: stripSecTag(job.frame, layout), origin: from };
    }
    // Disabled, C=0: not validated at all.
    const counter = isLate(sa, hi, lo) ? 'InPktsDelayed' : 'InPktsUnchecked';
    cnt[counter]++;
    return { kind: 'controlled', counter, frame: stripSecTag(job.frame, layout), origin: from };
  }
  const counter = isLate(sa, hi, lo) ? 'InPktsDelayed' : 'InPktsOK';
  cnt[counter]++;
  advanceReplay(sa, hi, lo, c.replayWindow);
  return { kind: 'controlled', counter, frame: plain, origin: from };
}

/** 10.6.2: below lowestPN with replayProtect on. */
function late(sc: ReceiveSC, sa: ReceiveSA, hi: number, lo: number): ReceiveOutcome {
  return drop(sa.counters, 'InPktsLate', lateReason(pnBig(hi, lo), sa.lowestPN), origin(sc, sa, hi, lo));
}

function drop<K extends ReceiveDropCounter>(cnt: Record<K, number>, counter: K, reason: string, from: ReceiveOrigin | undefined): ReceiveOutcome {
  cnt[counter]++;
  return { kind: 'dropped', counter, reason, error: undefined, origin: from };
}

const origin = (sc: ReceiveSC, sa: ReceiveSA, hi: number, lo: number): ReceiveOrigin => ({ sci: sc.id, an: sa.an, pn: pnBig(hi, lo) });

/**
 * 10.6.1, 9.5: the receive SC for a frame. SC=1: the SecTAG's SCI. ES=1: source address ‖ port 1, or
 * port 0 when SCB is set too (as `implicitSci` in wire/sci.ts; Linux uses port 1 for both). ES=0: the
 * single receive SC of a point-to-point SecY, else none (Linux falls back to source address ‖ port 1).
 * Computed in place, without allocating: the SCI's first and last four octets.
 */
function findReceiveSC(s: SecYState, frame: Uint8Array, layout: MacsecFrame): ReceiveSC | undefined {
  return findReceiveSCAt(s, frame, 0, layout.secTagOffset);
}

/** findReceiveSC for the frame at data[off] whose SecTAG is at `tagOffset` in it (a packed frame). */
export function findReceiveSCAt(s: SecYState, data: Uint8Array, off: number, tagOffset: number): ReceiveSC | undefined {
  const tci = data[off + tagOffset + SECTAG_TCI_AN]!;
  if (tci & TCI_SC) {
    const o = off + tagOffset + SECTAG_SCI;
    s.lookupHi = readU32(data, o);
    s.lookupLo = readU32(data, o + 4);
  } else if (tci & TCI_ES) {
    s.lookupHi = readU32(data, off + 6);
    s.lookupLo = ((readU16(data, off + 10) << 16) | (tci & TCI_SCB ? SCB_PORT : END_STATION_PORT)) >>> 0;
  } else {
    s.lookupHi = -1;
    return s.rx.size === 1 ? s.rx.values().next().value : undefined;
  }
  const hi = s.lookupHi;
  const lo = s.lookupLo;
  if (s.foundSC !== undefined && hi === s.foundHi && lo === s.foundLo) return s.foundSC;
  const sc = s.rxIndex.get(hi)?.get(lo);
  if (sc !== undefined) {
    s.foundSC = sc;
    s.foundHi = hi;
    s.foundLo = lo;
  }
  return sc;
}
