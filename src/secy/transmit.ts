/**
 * Secure frame generation (802.1AE 10.5): the transmit checks, the SecTAG options (10.5.3), the PN
 * (10.5.2) and the counters, for one frame; bursts.ts runs the same steps over a burst.

 */
import { MIN_USER_DATA, protectFrame } from '../crypto/macsec.js';
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH, isVlanTpid, readU16 } from '../wire/ethernet.js';
import { END_STATION_PORT, SCB_PORT } from '../wire/sci.js';
import type { TransmitSCCounters } from './counters.js';
import type { TransmitDropCounter, TransmitOutcome } from './outcome.js';
import { emitPersist } from './persistence.js';
import { TWO_32, pnBig, pnLess } from './replay.js';
import { TransmitSA } from './sa.js';
import { dispatchEvents, emit, type SecYState, type TransmitScratch } from './state.js';
import { KEY_CONFIDENTIALITY, KEY_END_STATION, KEY_INCLUDE_SCI, KEY_SCB, KEY_TAGS_SHIFT, growthOfKey, optionsOfKey } from './tx-key.js';

/** How many of the first `maxTags` EtherTypes are VLAN tags (the ones a transmitted frame keeps in clear). */
function countVlanTags(data: Uint8Array, off: number, length: number, maxTags: number): number {
  let n = 0;
  while (n < maxTags && length >= ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * (n + 1) + 2 && isVlanTpid(readU16(data, off + ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * n))) n++;
  return n;
}

/** The frame's shape (a caller's mistake throws ConfigError): its count of clear tags. */
export function checkTransmitFrame(s: SecYState, frame: Uint8Array): number {
  if (!(frame instanceof Uint8Array)) throw new ConfigError('frame', 'a Uint8Array', describe(frame));
  return checkTransmitAt(s, frame, 0, frame.length, -1);
}

/** checkTransmitFrame for the frame of `length` octets at data[off]: input frame `index` of a packed call (-1: a lone frame). */
export function checkTransmitAt(s: SecYState, data: Uint8Array, off: number, length: number, index: number): number {
  const tags = countVlanTags(data, off, length, s.c.clearTags);
  const headerLength = ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * tags;
  if (length < headerLength + MIN_USER_DATA) {
    throw new ConfigError(index < 0 ? 'frame' : `input frame ${index}`, `at least ${headerLength + MIN_USER_DATA} octets (addresses, clear tags, EtherType)`, `${length} octets`);
  }
  return tags;
}

export const userLengthOf = (frame: Uint8Array, tags: number): number => frame.length - ETHERTYPE_OFFSET - VLAN_TAG_LENGTH * tags;

function refuseTransmit(s: SecYState, counter: TransmitDropCounter, reason: string): TransmitOutcome {
  s.own[counter]++;
  return { kind: 'dropped', counter, reason };
}

/** A frame at the SA's persisted mark: refused, persistNeeded raised if not yet for this mark (persistence.ts). */
function refusePersist(s: SecYState, sa: TransmitSA): TransmitOutcome {
  if (sa.warnHi !== Infinity) emitPersist(s, sa);
  return refuseTransmit(
    s,
    'SimOutPktsPNExhausted',
    `transmit SA ${sa.an} reached PN ${pnBig(sa.limitHi, sa.limitLo)}, the last persisted snapshot's mark: persist a newer snapshot (persistNeeded)`,
  );
}

/** 10.5.2: the PN is nextPN (to pn*[i]), then nextPN is incremented; past maxPN the SA is exhausted. */
export function takeNextPN(sa: TransmitSA, pnHi: Uint32Array, pnLo: Uint32Array, i: number): void {
  const hi = sa.nextHi;
  const lo = sa.nextLo;
  if (lo === 0xffff_ffff) {
    sa.nextHi = hi + 1;
    sa.nextLo = 0;
  } else {
    sa.nextLo = lo + 1;
  }
  pnHi[i] = hi;
  pnLo[i] = lo;
}

/**
 * Frame i (checked, with `tags` clear tags) takes its PN: the checks, the SecTAG bits (10.5.3) and the PN
 * (10.5.2), with the events they raise queued. Returns the SA it took the PN from, with the PN and the
 * SecTAG options key written to x at i; or the refusal (counted), or the untagged frame when
 * protectFrames is off.
 */
export function takePN(s: SecYState, frame: Uint8Array, tags: number, x: TransmitScratch, i: number): TransmitSA | TransmitOutcome {
  const c = s.c;
  if (!c.protectFrames) {
    if (frame.length > c.maxFrameSize) return refuseTransmit(s, 'OutPktsTooLong', `${frame.length} octets exceed maxFrameSize ${c.maxFrameSize}`);
    s.own.OutPktsUntagged++;
    return { kind: 'transmitted', counter: 'OutPktsUntagged', frame, an: undefined, pn: undefined };
  }
  const sa = s.tx.sas[s.tx.encodingSA];
  if (sa === undefined || !sa.enableTransmit) return refuseTransmit(s, 'SimOutPktsNoSA', `no transmit SA in use under encoding AN ${s.tx.encodingSA}`);
  if (sa.exhausted) return refuseTransmit(s, 'SimOutPktsPNExhausted', `transmit SA ${sa.an} has used its last PN`);
  if (!pnLess(sa.nextHi, sa.nextLo, sa.limitHi, sa.limitLo)) return refusePersist(s, sa);
  const key = secTagKey(s, frame, 0, tags);
  const mpduLength = frame.length + growthOfKey(key);
  if (mpduLength > c.maxFrameSize) return refuseTransmit(s, 'OutPktsTooLong', `MPDU of ${mpduLength} octets exceeds maxFrameSize ${c.maxFrameSize}`);
  takeNextPN(sa, x.pnHi, x.pnLo, i);
  const hi = x.pnHi[i]!;
  const lo = x.pnLo[i]!;
  if (!sa.rekeyReported && !pnLess(hi, lo, s.thresholdHi, s.thresholdLo)) {
    sa.rekeyReported = true;
    emit(s, 'rekeyNeeded', { sci: s.txSciHex, an: sa.an, pn: pnBig(hi, lo), threshold: c.rekeyThreshold });
  }
  if (sa.exhausted) emit(s, 'pnExhausted', { sci: s.txSciHex, an: sa.an, lastPN: pnBig(hi, lo) });
  if (!pnLess(sa.nextHi, sa.nextLo, sa.warnHi, sa.warnLo)) emitPersist(s, sa);
  x.keys[i] = key;
  return sa;
}

/** The SecTAG options key (tx-key.ts) of the frame at data[off] with `tags` clear tags. */
export function secTagKey(s: SecYState, data: Uint8Array, off: number, tags: number): number {
  const c = s.c;
  // 10.5.3, 9.5: SC when asked always, or when the SCI cannot be left out. ES needs SCI = source address ‖
  // port 1 (port 0 with SCB); SCB and a point-to-point SecY (at most one receive SC) let it be left out too.
  const esOk = c.useES && sourceIsSci(s.txSci, data, off, c.useSCB ? SCB_PORT : END_STATION_PORT);
  const includeSci = c.alwaysIncludeSCI || !(esOk || c.useSCB || s.rx.size <= 1);
  return (includeSci ? KEY_INCLUDE_SCI : esOk ? KEY_END_STATION : 0) | (!includeSci && c.useSCB ? KEY_SCB : 0) | (tags << KEY_TAGS_SHIFT) | s.keyOfControls;
}

/**
 * How many frames may take their PNs from `sa` after the one that just took its PN through takePN with
 * none of takePN's checks or events due (the controls and SAs can change only when a listener runs, and
 * then this is worked out again): none while the SCI's presence depends on the frame's source (useES);
 * else as many PNs as lie below each of maxPN (whose frame raises pnExhausted), the persisted limit, the
 * rekey threshold not yet reported, and the PN whose frame moves nextPN to the persist mark.
 */
export function quickPNs(s: SecYState, sa: TransmitSA): number {
  return s.c.useES ? 0 : pnsBeforeEvent(s, sa);
}

/** quickPNs but for useES: the PNs `sa` may give out with no check or event due, whatever the frames' keys (at least 0). */
export function pnsBeforeEvent(s: SecYState, sa: TransmitSA): number {
  const nextHi = sa.nextHi;
  const nextLo = sa.nextLo;
  // PNs from nextPN up to (not including) hi·2^32 + lo; Infinity when hi is (no limit, no mark).
  const below = (hi: number, lo: number): number => (hi - nextHi) * TWO_32 + (lo - nextLo);
  let n = Math.min(below(s.maxHi, 0xffff_ffff), below(sa.limitHi, sa.limitLo), below(sa.warnHi, sa.warnLo) - 1);
  if (!sa.rekeyReported) n = Math.min(n, below(s.thresholdHi, s.thresholdLo));
  return Math.max(n, 0);
}

/** The transmit statistics (10.7; octets are user data octets) for frames sent under one SA. */
export function countSent(cnt: TransmitSCCounters, frames: number, encrypted: number, octets: number, encryptedOctets: number): void {
  cnt.OutPktsEncrypted += encrypted;
  cnt.OutOctetsEncrypted += encryptedOctets;
  cnt.OutPktsProtected += frames - encrypted;
  cnt.OutOctetsProtected += octets - encryptedOctets;
}

/** The outcome of a frame protected under `sa` with SecTAG options `key` and PN hi·2^32 + lo. */
export const sent = (key: number, mpdu: Uint8Array, sa: TransmitSA, hi: number, lo: number): TransmitOutcome => ({
  kind: 'transmitted',
  counter: key & KEY_CONFIDENTIALITY ? 'OutPktsEncrypted' : 'OutPktsProtected',
  frame: mpdu,
  an: sa.an,
  pn: pnBig(hi, lo),
});

/** Protects one frame (DA ‖ SA ‖ user data) with the encoding SA, and dispatches the events it raised. */
export function transmitOne(s: SecYState, frame: Uint8Array): TransmitOutcome {
  const tags = checkTransmitFrame(s, frame);
  const x = s.one;
  const taken = takePN(s, frame, tags, x, 0);
  if (!(taken instanceof TransmitSA)) {
    dispatchEvents(s);
    return taken;
  }
  const key = x.keys[0]!;
  const hi = x.pnHi[0]!;
  const lo = x.pnLo[0]!;
  // 14.5, 14.7: the cipher suite.
  const mpdu = protectFrame(taken.ctx, frame, optionsOfKey(s.txOptions, key, taken.an, s.txSci), hi, lo);
  const userLength = userLengthOf(frame, tags);
  const encrypted = key & KEY_CONFIDENTIALITY ? 1 : 0;
  countSent(taken.counters, 1, encrypted, userLength, encrypted * userLength);
  dispatchEvents(s);
  return sent(key, mpdu, taken, hi, lo);
}

function sourceIsSci(sci: Uint8Array, data: Uint8Array, off: number, port: number): boolean {
  for (let i = 0; i < 6; i++) if (data[off + 6 + i] !== sci[i]) return false;
  return sci[6] === port >>> 8 && sci[7] === (port & 0xff);
}
