/**
 * The burst paths: transmit.ts and receive.ts step by step over a burst, with the cryptography of the
 * burst done in one pass between the steps (the SecY's executor, crypto/burst.ts). Outcomes, counters,
 * frames, PN state and events are exactly those of the single-frame paths, frame by frame.
 */
import { ConfigError, describe } from '../util/errors.js';
import type { MacsecFrame } from '../wire/frame.js';
import type { ReceiveOutcome, TransmitOutcome } from './outcome.js';
import { finishReceive, locateReceive, type ReceiveJob } from './receive.js';
import { isLate, recoverPNHigh } from './replay.js';
import { TransmitSA, type ReceiveSA } from './sa.js';
import { TransmitScratch, dispatchEvents, type SecYState } from './state.js';
import { checkTransmitFrame, countSent, quickPNs, sent, takeNextPN, takePN, userLengthOf } from './transmit.js';
import { KEY_CONFIDENTIALITY, KEY_TAGS_SHIFT, growthOfKey, optionsOfKey } from './tx-key.js';

/**
 * Protects frames in order (PNs assigned in order); checks every frame's shape before sending any.
 *
 * Every frame takes its PN in order (takePN), the frames that took one are protected in runs that share
 * an SA and SecTAG options, one executor call each (protectBurst's work, its checks left out: the SecY made
 * the options and PNs), and then counted in frame order. An event a frame raises (rekeyNeeded,
 * pnExhausted, persistNeeded) is dispatched as `transmit` dispatches it: once that frame and all before it
 * are protected and counted, and before the next frame takes its PN. So a listener that switches SAs,
 * changes controls or persists a snapshot affects exactly the frames it would affect frame by frame.
 */
export function transmitBurst(s: SecYState, frames: readonly Uint8Array[]): TransmitOutcome[] {
  if (!Array.isArray(frames)) throw new ConfigError('frames', 'an array of Uint8Array', describe(frames));
  const n = frames.length;
  // A listener may send a burst of its own while this one waits on it: it gets scratch of its own.
  let x = s.txScratch;
  s.txScratch = undefined;
  if (x === undefined || x.pnHi.length < n) x = new TransmitScratch(Math.max(n, 128));
  const { tags, keys, pending } = x;
  for (let i = 0; i < n; i++) tags[i] = checkTransmitFrame(s, frames[i]);
  const out: TransmitOutcome[] = new Array(n);
  // The frames that took a PN and wait for the crypto: pending[0, count), all under `sa`, with their user
  // data octets added up (all, and E=1's) while each frame is at hand, for the counters.
  let count = 0;
  let sa: TransmitSA | undefined;
  let octets = 0;
  let encryptedOctets = 0;
  // After a frame takes its PN the full way (takePN), the frames that may follow it taking theirs with
  // only their length checked (quickPNs), the SecTAG options they share but for the clear tags, and the
  // octets a frame grows by.
  let quick = 0;
  let quickKey = 0;
  let growth = 0;
  let maxFrameSize = 0;
  for (let i = 0; i < n; i++) {
    const frame = frames[i]!;
    const t = tags[i]!;
    let taken = false;
    if (quick > 0 && sa !== undefined && frame.length + growth <= maxFrameSize) {
      // What takePN would do, none of its checks or events being due.
      quick--;
      takeNextPN(sa, x.pnHi, x.pnLo, i);
      keys[i] = quickKey | (t << KEY_TAGS_SHIFT);
      taken = true;
    } else {
      quick = 0;
      const r = takePN(s, frame, t, x, i);
      if (r instanceof TransmitSA) {
        if (r !== sa && count > 0 && sa !== undefined) {
          // The SA changes only when a listener runs, after a flush; kept apart anyway should that change.
          sendPending(s, frames, sa, x, count, octets, encryptedOctets, out);
          count = octets = encryptedOctets = 0;
        }
        sa = r;
        const key = keys[i]!;
        quickKey = key & ~(3 << KEY_TAGS_SHIFT);
        growth = growthOfKey(key);
        maxFrameSize = s.c.maxFrameSize;
        quick = quickPNs(s, sa);
        taken = true;
      } else {
        out[i] = r;
      }
    }
    if (taken) {
      pending[count++] = i;
      const userLength = userLengthOf(frame, t);
      octets += userLength;
      if (keys[i]! & KEY_CONFIDENTIALITY) encryptedOctets += userLength;
    }
    if (s.queued.length > 0) {
      // Serial order: the listeners see this frame and every earlier one sent and counted.
      if (count > 0 && sa !== undefined) sendPending(s, frames, sa, x, count, octets, encryptedOctets, out);
      count = octets = encryptedOctets = 0;
      quick = 0; // a listener may change anything
      dispatchEvents(s);
    }
  }
  if (count > 0 && sa !== undefined) sendPending(s, frames, sa, x, count, octets, encryptedOctets, out);
  // A nested burst (a listener's) may have put its scratch back meanwhile: keep the larger.
  const kept = s.txScratch as TransmitScratch | undefined;
  if (kept === undefined || kept.pnHi.length < x.pnHi.length) s.txScratch = x;
  return out;
}

/**
 * The crypto and counters for the frames x.pending[0, count), which took their PNs under `sa`: one
 * executor call per run of frames with the same SecTAG options (one run unless frames differ in their
 * source address, with useES, or in their clear tags), then the counters and outcomes in frame order.
 */
function sendPending(
  s: SecYState,
  frames: readonly Uint8Array[],
  sa: TransmitSA,
  x: TransmitScratch,
  count: number,
  octets: number,
  encryptedOctets: number,
  out: TransmitOutcome[],
): void {
  const { pnHi, pnLo, keys, pending } = x;
  const key0 = keys[pending[0]!]!;
  let uniform = true;
  for (let k = 1; k < count && uniform; k++) uniform = keys[pending[k]!] === key0;
  let mpdus: Uint8Array[];
  if (uniform) {
    mpdus = sealRun(s, frames, sa, key0, x, pending.subarray(0, count));
  } else {
    mpdus = new Array(count);
    const done = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      if (done[k]) continue;
      const key = keys[pending[k]!]!;
      const members: number[] = [];
      for (let m = k; m < count; m++) {
        if (!done[m] && keys[pending[m]!] === key) {
          members.push(m);
          done[m] = 1;
        }
      }
      const sealed = sealRun(s, frames, sa, key, x, Int32Array.from(members, (m) => pending[m]!));
      for (let m = 0; m < members.length; m++) mpdus[members[m]!] = sealed[m]!;
    }
  }
  // No listener runs before the burst returns or the next event, so the counters can be added up and
  // stored once.
  let encrypted = 0;
  for (let k = 0; k < count; k++) {
    const i = pending[k]!;
    const key = keys[i]!;
    if (key & KEY_CONFIDENTIALITY) encrypted++;
    out[i] = sent(key, mpdus[k]!, sa, pnHi[i]!, pnLo[i]!);
  }
  countSent(sa.counters, count, encrypted, octets, encryptedOctets);
}

/** The crypto for frames[members[k]] with SecTAG options `key`: their MPDUs, in the members' order. */
function sealRun(s: SecYState, frames: readonly Uint8Array[], sa: TransmitSA, key: number, x: TransmitScratch, members: Int32Array): Uint8Array[] {
  const count = members.length;
  const o = optionsOfKey(s.txOptions, key, sa.an, s.txSci);
  const first = members[0]!;
  // The usual case: frames first .. first + count - 1 of the burst, PNs in place by frame index.
  if (members[count - 1]! - first === count - 1) return s.executor.protect(sa.ctx, frames, first, count, o, x.pnHi, x.pnLo);
  const some: Uint8Array[] = new Array(count);
  const hi = new Uint32Array(count);
  const lo = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const i = members[k]!;
    some[k] = frames[i]!;
    hi[k] = x.pnHi[i]!;
    lo[k] = x.pnLo[i]!;
  }
  return s.executor.protect(sa.ctx, some, 0, count, o, hi, lo);
}

/**
 * Verifies frames in order (replay state moves in order); `receiveCapacity` applies to the burst.
 *
 * Every frame is located (receive.ts) in order against the SA's state before the burst, and pre-checked
 * against lowestPN; the frames to validate are validated in runs per SA, one executor call each
 * (validateBurst's work, its checks left out: the SecY parsed the frames and recovered the PNs); then, in
 * frame order, each frame gets exactly what `receive` would give it with the SA's state as the earlier
 * frames left it (finishReceive). A frame whose recovered PN came out differently from the one it was
 * validated with (earlier frames of the burst moved lowestPN across a 2^32 boundary) is validated again,
 * alone, with the right one; a frame the pre-check found late is late in frame order too (lowestPN only
 * rises), so it is not validated at all.
 */
export function receiveBurst(s: SecYState, frames: readonly Uint8Array[]): ReceiveOutcome[] {
  if (!Array.isArray(frames)) throw new ConfigError('frames', 'an array of Uint8Array', describe(frames));
  for (let i = 0; i < frames.length; i++) {
    if (!(frames[i] instanceof Uint8Array)) throw new ConfigError(`frames[${i}]`, 'a Uint8Array', describe(frames[i]));
  }
  s.budget = s.c.receiveCapacity;
  const n = frames.length;
  const out: ReceiveOutcome[] = new Array(n);
  const jobs: (ReceiveJob | undefined)[] = new Array(n);
  // Validation's results by frame: the unprotected frame, null (ICV failed), or undefined (not done ahead).
  let validated: (Uint8Array | null | undefined)[] = new Array(n);
  // Done ahead for the frames that will probably need it: to be validated, not late against lowestPN as it
  // is now (it only rises), within the capacity. A burst comes mostly from one SA: its frames (the run)
  // are gathered as they come, those of other SAs set aside (`others`) and gathered per SA afterwards.
  // While every frame goes to the run, the run is frames[0, runCount) and needs no list of its own.
  const replayProtect = s.c.replayProtect;
  let budget = s.budget;
  let runSA: ReceiveSA | undefined;
  let runCount = 0;
  const layouts: MacsecFrame[] = new Array(n);
  let runAt: number[] | undefined;
  let others: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const r = locateReceive(s, frames[i]);
    if (r.kind !== 'pending') {
      out[i] = r;
      continue;
    }
    jobs[i] = r;
    if (budget <= 0 || !r.validate || (replayProtect && isLate(r.sa, r.pnHi, r.pnLo))) continue;
    budget--;
    if (r.pnHi > s.maxHi) {
      validated[i] = null; // recovered past maxPN: no transmitter can have sent it
    } else if (runSA === undefined || r.sa === runSA) {
      runSA = r.sa;
      if (runAt === undefined && runCount !== i) runAt = Array.from({ length: runCount }, (_, k) => k);
      if (runAt === undefined) layouts[i] = r.layout;
      else runAt.push(i);
      runCount++;
    } else {
      (others ??= []).push(i);
    }
  }
  if (runSA !== undefined) {
    if (runAt === undefined) {
      const opened = validateRun(s, runSA, frames, layouts, runCount);
      if (runCount === n) validated = opened;
      else for (let k = 0; k < runCount; k++) validated[k] = opened[k];
    } else {
      validateAt(s, runSA, jobs, runAt, validated);
    }
  }
  if (others !== undefined) {
    const bySA = new Map<ReceiveSA, number[]>();
    for (const i of others) {
      const sa = jobs[i]!.sa;
      const list = bySA.get(sa);
      if (list === undefined) bySA.set(sa, [i]);
      else list.push(i);
    }
    for (const [sa, at] of bySA) validateAt(s, sa, jobs, at, validated);
  }
  // In frame order, each frame against the state the frames before it left.
  for (let i = 0; i < n; i++) {
    const job = jobs[i];
    if (job !== undefined) out[i] = finishReceive(s, job, validated[i]);
  }
  return out;
}

/** validateRun for the jobs at[k] (all on `sa`), results to validated[at[k]]. */
function validateAt(s: SecYState, sa: ReceiveSA, jobs: readonly (ReceiveJob | undefined)[], at: readonly number[], validated: (Uint8Array | null | undefined)[]): void {
  const opened = validateRun(s, sa, at.map((i) => jobs[i]!.frame), at.map((i) => jobs[i]!.layout), at.length);
  for (let k = 0; k < at.length; k++) validated[at[k]!] = opened[k];
}

/**
 * Validation of frames[0, count), received on `sa` (validateBurst's work, its checks left out: the layouts
 * are the parser's, the PN halves the SecY's), each with the upper PN half the SA's lowestPN gives now,
 * as the burst began.
 */
function validateRun(s: SecYState, sa: ReceiveSA, frames: readonly Uint8Array[], layouts: readonly MacsecFrame[], count: number): (Uint8Array | null)[] {
  if (s.rxPnHigh.length < count) s.rxPnHigh = new Uint32Array(Math.max(count, 2 * s.rxPnHigh.length));
  const pnHigh = s.rxPnHigh;
  if (s.cipherSuite.xpn) {
    for (let k = 0; k < count; k++) pnHigh[k] = recoverPNHigh(true, sa, layouts[k]!.secTag.pn);
  } else {
    pnHigh.fill(0, 0, count);
  }
  // Every frame of the run has the SA's SCI: an array of it kept from run to run.
  const sci = sa.validateOptions.sci;
  let scis = s.rxScis;
  if (scis.length < count || scis[0] !== sci) s.rxScis = scis = new Array<Uint8Array>(Math.max(count, scis.length)).fill(sci);
  return s.executor.validate(sa.ctx, frames, 0, count, layouts, scis, pnHigh, sa.validateOptions);
}
