/**
 * The MAC Security Entity (IEEE 802.1AE clause 10): one transmit SC, receive SCs by SCI, the controls of
 * 10.7, secure frame generation (10.5) and verification (10.6), the statistics, and snapshots of transmit
 * state that keep a restarted SecY from reusing a PN (snapshot.ts).
 *
 * Each direction is three steps, so a batched path can reuse the bookkeeping and swap only the crypto:
 *   transmit: prepareTransmit (SA, PN, checks) -> protectJob (crypto) -> completeTransmit (counters)
 *   receive:  prepareReceive (SecTAG, SC, SA, PN recovery, replay pre-check) -> validateJob (crypto)
 *             -> completeReceive (replay check again, counters, nextPN/lowestPN)
 * The PN is assigned and the replay state updated in frame order. `transmitBurst`/`receiveBurst` run the
 * first step frame by frame, the crypto of the whole burst in one pass (`protectBurst`/`validateBurst`, one
 * call per run of frames that share an SA and SecTAG options), then the last step frame by frame, in frame
 * order; outcomes, counters, frames and PN state are exactly those of `transmit`/`receive` one frame at a
 * time (see the two methods for what serial order asks of them).
 *
 * Receive decision table (10.6.1-10.6.5), in the order the checks are made; "deliver" is the Controlled
 * Port, with the SecTAG and ICV removed; C is the SecTAG's C bit (E=1 implies C=1: 9.5):
 *
 *   check (clause)                        | Strict         | Check, C=0          | Check, C=1     | Disabled, C=0        | Disabled, C=1
 *   --------------------------------------+----------------+---------------------+----------------+----------------------+---------------
 *   no SecTAG (10.6, 10.6.1)              | NoTag, drop    | Untagged, deliver the frame as received (no SecTAG, so no C bit)
 *   E=1, C=0 (9.5, reserved)              | to the Uncontrolled Port only, no 802.1AE counter (SimInPktsUncontrolled), every mode
 *   SecTAG not valid (9.12, 10.6.1)       | BadTag, drop in every mode
 *   no receive SC for the SCI (10.6.1)    | NoSCI, drop    | UnknownSCI, deliver | NoSCI, drop    | UnknownSCI, deliver  | NoSCI, drop
 *     (or no SCI implied: SC=0, ES=0 and not point-to-point, 9.5)
 *   no receive SA in use for AN (10.6.1)  | NotUsingSA,drop| UnusedSA, deliver   | NotUsingSA,drop| UnusedSA, deliver    | NotUsingSA,drop
 *   replayProtect, PN < lowestPN (10.6.2) | Late, drop in every mode (with XPN the PN is recovered first, 10.6.2)
 *   validation (10.6.3, 10.6.4)           | validated      | validated           | validated      | not validated        | validated
 *   beyond receiveCapacity (simulator)    | Overrun, drop in every mode, for the frames that are to be validated
 *   replayProtect, PN < lowestPN (10.6.5) | Late, drop in every mode (lowestPN may have moved since 10.6.2)
 *   ICV fails (10.6.5)                    | NotValid, drop | Invalid, deliver    | NotValid, drop | -                    | NotValid, drop
 *   ICV ok, PN < lowestPN (10.6.5)        | Delayed, deliver (reachable only with replayProtect off) | -      | Delayed, deliver
 *   ICV ok (10.6.5)                       | OK, deliver; nextPN = max(nextPN, PN + 1), lowestPN = nextPN - replayWindow
 *   not validated (10.6.5)                | -              | -                   | -              | Unchecked, deliver   | -
 *                                         |                |                     |                | (Delayed if PN < lowestPN)
 *
 * Octets (10.6.5): when validateFrames is not Disabled, a frame that was validated and passed the second
 * replay check adds its user data length to InOctetsDecrypted (E=1) or InOctetsValidated (E=0), whatever
 * the ICV said; this is where Linux counts them too (Linux counts whole frames; we count user data octets,
 * as the standard's definition says).
 *
 * Where this differs from Linux (drivers/net/macsec.c), following the standard:
 * - a bad SecTAG is InPktsBadTag before any SC lookup (Linux counts an unknown SCI first);
 * - XPN PN recovery from lowestPN (802.1AEbw 10.6.2) rather than nextPN with a same-half test, so a frame
 *   with low PN 0 after 0xFFFFFFFF recovers 2^32 and a replay from before lowestPN fails its ICV;
 * - the SCI a SecTAG without one implies (9.5): ES=1 gives source address ‖ port 1, or port 0 with SCB=1
 *   too; ES=0 gives the single receive SC of a point-to-point SecY, else none. Linux takes source
 *   address ‖ port 1 for every SC=0 frame;
 * - a too-long frame is refused before it takes a PN (Linux assigns the PN first);
 * - InOctets and OutOctets count user data octets (Linux counts the whole frame).
 */
import { protectRange, validateRange, type BurstProtectOptions, type BurstRunOptions } from '../crypto/burst.js';
import { MIN_USER_DATA, protect, validate, type ProtectOptions } from '../crypto/macsec.js';
import { SaContext } from '../crypto/sa.js';
import type { BackendName } from '../crypto/backend.js';
import type { CipherSuite, ConfidentialityOffset } from '../crypto/suite.js';
import { CONFIDENTIALITY_OFFSETS } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, EtherType, VLAN_TAG_LENGTH, isVlanTpid, readU16, readU32 } from '../wire/ethernet.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { END_STATION_PORT, SCB_PORT, sciHex } from '../wire/sci.js';
import { ICV_LENGTH, TCI_C, TCI_E, secTagLength } from '../wire/sectag.js';
import {
  RECEIVE_SC_COUNTERS,
  SECY_COUNTERS,
  SECY_OWN_COUNTERS,
  TRANSMIT_SC_COUNTERS,
  addCounters,
  formatCounters,
  zeroCounters,
  type FormatOptions,
  type ReceiveSCCounters,
  type SecYCounters,
  type SecYCountersView,
  type SecYOwnCounters,
} from './counters.js';
import { applyControls, defaultControls, resolveBackend, resolveSuite, toSci, type SciInput, type SecYControls, type SecYOptions } from './controls.js';
import type { ReceiveDropCounter, ReceiveOrigin, ReceiveOutcome, TransmitDropCounter, TransmitOutcome } from './outcome.js';
import { advanceReplay, checkPN, isLate, pnBig, pnHi, pnLess, pnLo, raiseLowest, recoverPNHigh, TWO_32 } from './replay.js';
import { quickLayout } from './quick-layout.js';
import { ReceiveSA, TransmitSA } from './sa.js';
import { AN_COUNT, ReceiveSC, TransmitSC } from './sc.js';
import {
  DEFAULT_PN_HEADROOM,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  checkHeadroom,
  decodeTransmitSnapshot,
  keyIdOf,
  type RestoreResult,
  type SnapshotOptions,
  type TransmitSnapshot,
} from './snapshot.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface TransmitSAParams {
  readonly an: number;
  /** The SAK: 16 or 32 octets as the cipher suite requires. */
  readonly sak: Uint8Array;
  /** The PN of the SA's first frame. Default 1. */
  readonly nextPN?: bigint;
  /** XPN only: this SecY's 32-bit short SCI. */
  readonly ssci?: Uint8Array;
  /** XPN only: the 96-bit salt. */
  readonly salt?: Uint8Array;
  /** Enable transmit at once (which also makes it the encoding SA). Default false. */
  readonly enable?: boolean;
}

export interface ReceiveSAParams {
  readonly an: number;
  readonly sak: Uint8Array;
  /** Default 1. */
  readonly nextPN?: bigint;
  /** Default nextPN - replayWindow (at least 0). */
  readonly lowestPN?: bigint;
  /** XPN only: the transmitting peer's SSCI. */
  readonly ssci?: Uint8Array;
  readonly salt?: Uint8Array;
  /** Octets in clear after the SecTAG when E=1. Default: the SecY's confidentialityOffset control. */
  readonly confidentialityOffset?: ConfidentialityOffset;
  /** Enable receive at once. Default false. */
  readonly enable?: boolean;
}

export interface TransmitSAState {
  readonly an: number;
  readonly nextPN: bigint;
  readonly enableTransmit: boolean;
  readonly inUse: boolean;
  readonly exhausted: boolean;
  /** With persistence armed (SecY.persisted): the first PN no persisted snapshot covers; the SA sends below it only. */
  readonly persistedPN?: bigint;
}

export interface ReceiveSAState {
  readonly an: number;
  readonly nextPN: bigint;
  readonly lowestPN: bigint;
  readonly inUse: boolean;
}

export interface RekeyNeededEvent {
  /** The transmit SC's SCI, 16 hex digits. */
  readonly sci: string;
  readonly an: number;
  /** The PN that reached the threshold. */
  readonly pn: bigint;
  readonly threshold: bigint;
}

export interface PNExhaustedEvent {
  readonly sci: string;
  readonly an: number;
  /** maxPN: the last PN the SA sent. */
  readonly lastPN: bigint;
}

export interface PersistNeededEvent {
  readonly sci: string;
  readonly an: number;
  /** The SA's nextPN now. */
  readonly nextPN: bigint;
  /** The first PN no persisted snapshot covers: the SA stops there until a newer snapshot is persisted. */
  readonly persistedPN: bigint;
}

export interface SecYEvents {
  /** A transmit SA sent a PN at or past `rekeyThreshold`: time for the KaY to distribute a new SAK. Once per SA. */
  readonly rekeyNeeded: RekeyNeededEvent;
  /** A transmit SA sent its last PN and stopped (10.5.2). */
  readonly pnExhausted: PNExhaustedEvent;
  /**
   * Persistence is armed (SecY.persisted) and a transmit SA needs a newer snapshot stored: half its headroom
   * is used, it reached its persisted mark, it was just installed, or the SecY was restored. Take one
   * (`snapshot()`), store it, then call `persisted(it)`.
   */
  readonly persistNeeded: PersistNeededEvent;
}

export type SecYListener<K extends keyof SecYEvents> = (event: SecYEvents[K]) => void;

/** A frame that passed the transmit checks, with its SA and PN: all the crypto step needs. */
export interface TransmitJob {
  readonly kind: 'pending';
  readonly frame: Uint8Array;
  readonly sa: TransmitSA;
  readonly pnHi: number;
  readonly pnLo: number;
  /** Clear VLAN tags kept before the SecTAG. */
  readonly clearTags: number;
  readonly userLength: number;
  readonly includeSci: boolean;
  readonly endStation: boolean;
  readonly scb: boolean;
  readonly confidentiality: boolean;
  readonly confidentialityOffset: ConfidentialityOffset;
}

/** A received frame that reached a receive SA and passed the preliminary replay check. */
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

const checkAN = (an: unknown): number => {
  if (typeof an !== 'number' || !Number.isInteger(an) || an < 0 || an >= AN_COUNT) throw new ConfigError('an', 'an integer 0-3', describe(an));
  return an;
};

/** Offset of the SecTAG after at most `maxTags` VLAN tags, or -1 when the frame has none (untagged). */
export function findSecTag(frame: Uint8Array, maxTags: number): number {
  let offset = ETHERTYPE_OFFSET;
  for (let i = 0; ; i++) {
    if (frame.length < offset + 2) return -1;
    const type = readU16(frame, offset);
    if (type === EtherType.MACsec) return offset;
    if (i >= maxTags || !isVlanTpid(type)) return -1;
    offset += VLAN_TAG_LENGTH;
  }
}

/** How many of the first `maxTags` EtherTypes are VLAN tags (the ones a transmitted frame keeps in clear). */
function countVlanTags(frame: Uint8Array, maxTags: number): number {
  let n = 0;
  while (n < maxTags && frame.length >= ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * (n + 1) + 2 && isVlanTpid(readU16(frame, ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * n))) n++;
  return n;
}

/** DA ‖ SA ‖ [clear tags] ‖ secure data, as received: for frames delivered unverified (C=0). */
function stripSecTag(frame: Uint8Array, layout: MacsecFrame): Uint8Array {
  const out = new Uint8Array(layout.secTagOffset + layout.secureDataLength);
  out.set(frame.subarray(0, layout.secTagOffset));
  out.set(frame.subarray(layout.secureDataOffset, layout.secureDataOffset + layout.secureDataLength), layout.secTagOffset);
  return out;
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * A transmit frame's SecTAG options as one small number (frames with equal keys share a burst call):
 * the SC, ES, SCB and E=C bits, the clear tags, and the confidentiality offset's index in
 * CONFIDENTIALITY_OFFSETS.
 */
const KEY_INCLUDE_SCI = 1;
const KEY_END_STATION = 2;
const KEY_SCB = 4;
const KEY_CONFIDENTIALITY = 8;
const KEY_TAGS_SHIFT = 4;
const KEY_OFFSET_SHIFT = 6;

const keyOfControls = (c: SecYControls): number =>
  (c.confidentialityProtect ? KEY_CONFIDENTIALITY : 0) | (CONFIDENTIALITY_OFFSETS.indexOf(c.confidentialityOffset) << KEY_OFFSET_SHIFT);

/** A transmit burst's per-frame state by frame index, and the indices of the frames waiting for the crypto. */
class TransmitScratch {
  readonly tags: Uint8Array;
  readonly pnHi: Uint32Array;
  readonly pnLo: Uint32Array;
  readonly keys: Uint8Array;
  readonly pending: Int32Array;

  constructor(frames: number) {
    this.tags = new Uint8Array(frames);
    this.pnHi = new Uint32Array(frames);
    this.pnLo = new Uint32Array(frames);
    this.keys = new Uint8Array(frames);
    this.pending = new Int32Array(frames);
  }
}

export class SecY {
  readonly cipherSuite: CipherSuite;
  readonly backend: BackendName;
  private readonly txSci: Uint8Array;
  private readonly txSciHex: string;
  private c: SecYControls;
  private thresholdHi: number;
  private thresholdLo: number;
  /** The part of a transmitted frame's SecTAG options key that the controls alone decide (E=C, offset). */
  private keyOfControls: number;
  /** hi of maxPN: 0, or 2^32 - 1 with XPN. */
  private readonly maxHi: number;
  private readonly tx: TransmitSC;
  private readonly rx = new Map<string, ReceiveSC>();
  /** Receive SCs by the SCI's first and last four octets: a lookup per frame without allocating. */
  private readonly rxIndex = new Map<number, Map<number, ReceiveSC>>();
  private readonly own: SecYOwnCounters = zeroCounters(SECY_OWN_COUNTERS);
  /** Counts of deleted receive SCs. */
  private readonly rxAbsorbed: ReceiveSCCounters = zeroCounters(RECEIVE_SC_COUNTERS);
  private budget = Infinity;
  /** The SCI last looked up, for reporting an unknown one. */
  private lookupHi = 0;
  private lookupLo = 0;
  /** The receive SC found last, and its SCI's words: the frames of a burst mostly come from one peer. */
  private foundSC: ReceiveSC | undefined;
  private foundHi = -1;
  private foundLo = -1;
  private readonly protectOptions: Mutable<ProtectOptions>;
  private readonly listeners: { [K in keyof SecYEvents]: SecYListener<K>[] } = { rekeyNeeded: [], pnExhausted: [], persistNeeded: [] };
  /** PNs a snapshot saves ahead by default (snapshot.ts). */
  private readonly pnHeadroom: bigint;
  /** Some snapshot was persisted or restored: every transmit SA sends only PNs a stored snapshot covers. */
  private persistArmed = false;
  /** The sequence number of the last snapshot taken, and of the last one persisted. */
  private snapshotSequence = 0;
  private persistedSequence = -1;
  /** Resume points restored for SAKs by keyId: a SA installed under one of them starts there or above. */
  private readonly pnFloors = new Map<string, bigint>();
  private readonly queued: (() => void)[] = [];
  /** What step 1 of transmit leaves for the next steps when a frame takes its PN (takePN). */
  private readonly prepared: { sa: TransmitSA | undefined; hi: number; lo: number; key: number } = { sa: undefined, hi: 0, lo: 0, key: 0 };
  /** Kept from burst to burst (typed arrays are slow to make); undefined while a burst has it. */
  private txScratch: TransmitScratch | undefined;
  /** The PN upper halves of a receive run, kept likewise (receiveBurst raises no events, so never nested). */
  private rxPnHigh = new Uint32Array(128);
  /** A receive run's SCIs (one per frame, all the SA's), kept likewise and refilled when the SA changes. */
  private rxScis: Uint8Array[] = [];

  constructor(options: SecYOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with at least sci', describe(options));
    const { sci, cipherSuite, backend, pnHeadroom, ...controls } = options;
    this.cipherSuite = resolveSuite(cipherSuite);
    this.pnHeadroom = pnHeadroom === undefined ? DEFAULT_PN_HEADROOM : checkHeadroom(pnHeadroom, 'pnHeadroom');
    this.backend = resolveBackend(backend);
    this.txSci = toSci(sci);
    this.txSciHex = sciHex(this.txSci);
    this.maxHi = this.cipherSuite.xpn ? 0xffff_ffff : 0;
    this.c = applyControls(defaultControls(this.cipherSuite), controls, this.cipherSuite);
    this.thresholdHi = pnHi(this.c.rekeyThreshold);
    this.thresholdLo = pnLo(this.c.rekeyThreshold);
    this.keyOfControls = keyOfControls(this.c);
    this.tx = new TransmitSC(this.txSci);
    this.protectOptions = {
      an: 0,
      pn: 1n,
      sci: this.txSci,
      includeSci: false,
      endStation: false,
      scb: false,
      confidentiality: false,
      confidentialityOffset: 0,
      clearTags: 0,
    };
  }

  // ---------------------------------------------------------------- controls and status

  /** This SecY's SCI (its transmit SC's), as a copy. */
  get sci(): Uint8Array {
    return this.txSci.slice();
  }

  get controls(): SecYControls {
    return { ...this.c };
  }

  /** Changes controls (10.7); every value is checked first, so a ConfigError leaves all of them as they were. */
  setControls(changes: Partial<SecYControls>): void {
    const next = applyControls(this.c, changes, this.cipherSuite);
    this.c = next;
    this.thresholdHi = pnHi(next.rekeyThreshold);
    this.thresholdLo = pnLo(next.rekeyThreshold);
    this.keyOfControls = keyOfControls(next);
    // A smaller window raises lowestPN now; a larger one takes effect as nextPN moves on.
    for (const sc of this.rx.values()) for (const sa of sc.sas) if (sa) raiseLowest(sa, next.replayWindow);
  }

  /**
   * MAC_Operational of the Controlled Port as this simulator models it: with protectFrames on, true only
   * while the encoding SA is in use (enabled, PNs left); with protectFrames off, always true.
   */
  get operational(): boolean {
    if (!this.c.protectFrames) return true;
    return this.tx.sas[this.tx.encodingSA]?.inUse ?? false;
  }

  on<K extends keyof SecYEvents>(event: K, listener: SecYListener<K>): () => void {
    if (!Object.hasOwn(this.listeners, event)) throw new ConfigError('event', Object.keys(this.listeners).join(' or '), describe(event));
    const list = this.listeners[event] as SecYListener<K>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls the listeners of events raised since the last call; transmit and transmitBurst call it per frame. */
  dispatchEvents(): void {
    while (this.queued.length > 0) this.queued.shift()!();
  }

  private emit<K extends keyof SecYEvents>(event: K, payload: SecYEvents[K]): void {
    const list = this.listeners[event] as SecYListener<K>[];
    if (list.length === 0) return;
    this.queued.push(() => {
      for (const l of [...list]) l(payload);
    });
  }

  // ---------------------------------------------------------------- transmit SC and SAs (KaY operations)

  /** Installs a transmit SA (SAK, AN, initial PN; SSCI and salt with XPN): create_transmit_sa. */
  createTransmitSA(params: TransmitSAParams): void {
    const an = checkAN(params?.an);
    if (this.tx.sas[an]) throw new ConfigError('an', 'an AN without a transmit SA (delete the old SA first)', `AN ${an} in use`);
    let nextPN = checkPN('nextPN', params.nextPN ?? 1n, 1n, this.cipherSuite.maxPN);
    const ctx = new SaContext({ suite: this.cipherSuite, key: params.sak, ssci: params.ssci, salt: params.salt }, this.backend);
    const keyId = keyIdOf(this.cipherSuite, params.sak, params.ssci, params.salt);
    // A SAK a restored snapshot knows resumes above every PN it may have sent before (snapshot.ts).
    const floor = this.pnFloors.get(keyId);
    if (floor !== undefined && floor > nextPN) nextPN = floor;
    const sa = new TransmitSA(an, ctx, nextPN, this.maxHi);
    sa.keyId = keyId;
    this.tx.sas[an] = sa;
    if (this.persistArmed) {
      // No stored snapshot covers this SA yet: it sends nothing until one does.
      this.setLimit(sa, nextPN, nextPN);
      this.emitPersist(sa);
    }
    if (params.enable) this.enableTransmitSA(an);
    this.dispatchEvents();
  }

  /** Deletes a transmit SA and wipes its key; its counts stay in the SC's totals. */
  deleteTransmitSA(an: number): void {
    this.txSA(an);
    this.tx.delete(an);
  }

  /**
   * enableTransmit (10.7); like wpa_supplicant's Linux driver, enabling an SA also makes it the encoding
   * SA: the transmitter switches to it with the next frame.
   */
  enableTransmitSA(an: number): void {
    this.txSA(an).enableTransmit = true;
    this.tx.encodingSA = an;
  }

  disableTransmitSA(an: number): void {
    this.txSA(an).enableTransmit = false;
  }

  /** Switches the encoding SA (10.7 encodingSA); the SA need not exist yet (frames are refused until it does). */
  setEncodingSA(an: number): void {
    this.tx.encodingSA = checkAN(an);
  }

  get encodingSA(): number {
    return this.tx.encodingSA;
  }

  getTransmitNextPN(an: number): bigint {
    return this.txSA(an).nextPN;
  }

  /** Moves nextPN forward; never back, since a PN is never used twice under one SAK. */
  setTransmitNextPN(an: number, pn: bigint): void {
    const sa = this.txSA(an);
    checkPN('nextPN', pn, 1n, this.cipherSuite.maxPN);
    if (pn < sa.nextPN) throw new ConfigError('nextPN', `at least the SA's nextPN ${sa.nextPN} (a PN is never reused under one SAK)`, describe(pn));
    sa.nextHi = pnHi(pn);
    sa.nextLo = pnLo(pn);
  }

  transmitSAState(an: number): TransmitSAState | undefined {
    const sa = this.tx.sas[checkAN(an)];
    if (!sa) return undefined;
    return {
      an,
      nextPN: sa.nextPN,
      enableTransmit: sa.enableTransmit,
      inUse: sa.inUse,
      exhausted: sa.exhausted,
      ...(sa.limitHi !== Infinity ? { persistedPN: pnBig(sa.limitHi, sa.limitLo) } : {}),
    };
  }

  private txSA(an: number): TransmitSA {
    const sa = this.tx.sas[checkAN(an)];
    if (!sa) throw new ConfigError('an', 'the AN of an installed transmit SA', `no transmit SA under AN ${an}`);
    return sa;
  }

  // ---------------------------------------------------------------- receive SCs and SAs (KaY operations)

  createReceiveSC(sci: SciInput): void {
    const s = toSci(sci);
    const key = sciHex(s);
    if (this.rx.has(key)) throw new ConfigError('sci', 'an SCI without a receive SC', `receive SC ${key} exists`);
    const sc = new ReceiveSC(s);
    this.rx.set(key, sc);
    this.foundSC = undefined;
    const hi = readU32(s, 0);
    let inner = this.rxIndex.get(hi);
    if (!inner) this.rxIndex.set(hi, (inner = new Map()));
    inner.set(readU32(s, 4), sc);
  }

  /** Deletes a receive SC and all its SAs (keys wiped); its counts stay in the SecY's totals. */
  deleteReceiveSC(sci: SciInput): void {
    const sc = this.rxSC(sci);
    sc.clear();
    addCounters(this.rxAbsorbed, sc.counters(), RECEIVE_SC_COUNTERS);
    const key = sciHex(sc.sci);
    this.rx.delete(key);
    this.foundSC = undefined;
    const hi = readU32(sc.sci, 0);
    const inner = this.rxIndex.get(hi)!;
    inner.delete(readU32(sc.sci, 4));
    if (inner.size === 0) this.rxIndex.delete(hi);
  }

  receiveSCIs(): string[] {
    return [...this.rx.keys()];
  }

  /** Installs a receive SA (SAK, AN, initial PN; SSCI and salt with XPN; confidentialityOffset). */
  createReceiveSA(sci: SciInput, params: ReceiveSAParams): void {
    const sc = this.rxSC(sci);
    const an = checkAN(params?.an);
    if (sc.sas[an]) throw new ConfigError('an', 'an AN without a receive SA (delete the old SA first)', `AN ${an} in use`);
    const max = this.cipherSuite.maxPN;
    const nextPN = checkPN('nextPN', params.nextPN ?? 1n, 1n, max);
    const lowestPN = params.lowestPN === undefined ? undefined : checkPN('lowestPN', params.lowestPN, 0n, max);
    const offset = params.confidentialityOffset ?? this.c.confidentialityOffset;
    if (!CONFIDENTIALITY_OFFSETS.includes(offset)) throw new ConfigError('confidentialityOffset', '0, 30 or 50', describe(offset));
    const ctx = new SaContext({ suite: this.cipherSuite, key: params.sak, ssci: params.ssci, salt: params.salt }, this.backend);
    const sa = new ReceiveSA(an, ctx, sc.sci, offset, nextPN);
    if (lowestPN === undefined) raiseLowest(sa, this.c.replayWindow);
    else setLowest(sa, lowestPN);
    sc.sas[an] = sa;
    if (params.enable) sa.enableReceive = true;
  }

  deleteReceiveSA(sci: SciInput, an: number): void {
    const sc = this.rxSC(sci);
    this.rxSAOf(sc, an);
    sc.delete(an);
  }

  enableReceiveSA(sci: SciInput, an: number): void {
    this.rxSA(sci, an).enableReceive = true;
  }

  disableReceiveSA(sci: SciInput, an: number): void {
    this.rxSA(sci, an).enableReceive = false;
  }

  getReceiveNextPN(sci: SciInput, an: number): bigint {
    return this.rxSA(sci, an).nextPN;
  }

  /** Sets nextPN, and lowestPN = nextPN - replayWindow (at least 0). */
  setReceiveNextPN(sci: SciInput, an: number, pn: bigint): void {
    const sa = this.rxSA(sci, an);
    checkPN('nextPN', pn, 1n, this.cipherSuite.maxPN);
    sa.nextHi = pnHi(pn);
    sa.nextLo = pnLo(pn);
    sa.lowestHi = 0;
    sa.lowestLo = 0;
    raiseLowest(sa, this.c.replayWindow);
  }

  getReceiveLowestPN(sci: SciInput, an: number): bigint {
    return this.rxSA(sci, an).lowestPN;
  }

  /** Sets lowestPN (the KaY's lowest acceptable PN); nextPN moves up to it if below. */
  setReceiveLowestPN(sci: SciInput, an: number, pn: bigint): void {
    const sa = this.rxSA(sci, an);
    setLowest(sa, checkPN('lowestPN', pn, 0n, this.cipherSuite.maxPN));
  }

  receiveSAState(sci: SciInput, an: number): ReceiveSAState | undefined {
    const sa = this.rxSC(sci).sas[checkAN(an)];
    if (!sa) return undefined;
    return { an, nextPN: sa.nextPN, lowestPN: sa.lowestPN, inUse: sa.inUse };
  }

  private rxSC(sci: SciInput): ReceiveSC {
    const key = sciHex(toSci(sci));
    const sc = this.rx.get(key);
    if (!sc) throw new ConfigError('sci', 'the SCI of a receive SC (createReceiveSC)', `no receive SC ${key}`);
    return sc;
  }

  private rxSAOf(sc: ReceiveSC, an: number): ReceiveSA {
    const sa = sc.sas[checkAN(an)];
    if (!sa) throw new ConfigError('an', 'the AN of an installed receive SA', `no receive SA under AN ${an} in SC ${sciHex(sc.sci)}`);
    return sa;
  }

  private rxSA(sci: SciInput, an: number): ReceiveSA {
    return this.rxSAOf(this.rxSC(sci), an);
  }

  /** Deletes every SA (wiping its key) and every receive SC; the counters stay. */
  destroy(): void {
    for (let an = 0; an < AN_COUNT; an++) this.tx.delete(an);
    for (const sc of [...this.rx.values()]) this.deleteReceiveSC(sc.sci);
  }

  // ---------------------------------------------------------------- snapshots of transmit state (snapshot.ts)

  /**
   * The transmit state to store so that a SecY restarted under the same SAKs never reuses a PN: per transmit
   * SA its keyId (never the key), nextPN and resume point nextPN + headroom. Taking a snapshot changes
   * nothing but the sequence (and, with `final`, stops the SAs); store it, then call `persisted(snapshot)`.
   */
  snapshot(options: SnapshotOptions = {}): TransmitSnapshot {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object ({ headroom, final })', describe(options));
    const final = options.final ?? false;
    if (typeof final !== 'boolean') throw new ConfigError('final', 'true or false', describe(final));
    const headroom = final ? 0n : options.headroom === undefined ? this.pnHeadroom : checkHeadroom(options.headroom);
    const end = this.cipherSuite.maxPN + 1n;
    const sas = [];
    for (const sa of this.tx.sas) {
      if (!sa) continue;
      const next = sa.nextPN;
      let resume = next + headroom > end ? end : next + headroom;
      if (final) {
        // A clean stop: the SA sends nothing more until a newer snapshot is persisted, so nextPN is enough.
        this.persistArmed = true;
        this.setLimit(sa, next, next);
      } else if (sa.issuedResume > resume) {
        // Never below a resume point given before: once that snapshot is persisted, PNs up to it may be sent,
        // and this one, persisted after it, must still cover them (a smaller headroom must not undo that).
        resume = sa.issuedResume;
      }
      sa.issuedResume = resume;
      sas.push({ an: sa.an, keyId: sa.keyId, nextPN: next.toString(), resumePN: resume.toString(), enableTransmit: sa.enableTransmit, counters: { ...sa.counters } });
    }
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      sci: this.txSciHex,
      cipherSuite: this.cipherSuite.name,
      encodingSA: this.tx.encodingSA,
      headroom: headroom.toString(),
      sequence: ++this.snapshotSequence,
      final,
      sas,
      absorbed: { ...this.tx.absorbed },
    };
  }

  /**
   * Says `snapshot` is stored durably: from now on each of its SAs may send PNs up to (not including) its
   * resume point, and no further until a newer snapshot is persisted (persistence is armed for good: SAs
   * installed later send nothing until a snapshot covering them is persisted). Snapshots must be persisted
   * in the order taken: an older one than the last persisted is refused, since storing it would put the
   * resume points on disk back.
   */
  persisted(snapshot: TransmitSnapshot): void {
    const s = decodeTransmitSnapshot(snapshot, this.cipherSuite);
    if (s.sci !== this.txSciHex) throw new ConfigError('snapshot.sci', `${this.txSciHex} (this SecY's SCI)`, s.sci);
    if (s.sequence <= this.persistedSequence) {
      throw new ConfigError('snapshot.sequence', `above ${this.persistedSequence} (persist snapshots in the order taken)`, String(s.sequence));
    }
    this.persistedSequence = s.sequence;
    this.persistArmed = true;
    const headroom = BigInt(s.headroom);
    for (const snap of s.sas) {
      const sa = this.tx.sas[snap.an];
      if (!sa || sa.keyId !== snap.keyId) continue; // deleted (or replaced) since the snapshot was taken
      const resume = BigInt(snap.resumePN);
      if (sa.limitHi !== Infinity && pnBig(sa.limitHi, sa.limitLo) >= resume) continue;
      // persistNeeded again when half the headroom is used (at the mark itself for a headroom of 0 or 1).
      this.setLimit(sa, resume, resume - headroom / 2n);
    }
    this.armAll();
    this.dispatchEvents();
  }

  /** Persistence armed: a transmit SA no stored snapshot covers stops at its nextPN until one does. */
  private armAll(): void {
    for (const sa of this.tx.sas) {
      if (sa && sa.limitHi === Infinity) {
        this.setLimit(sa, sa.nextPN, sa.nextPN);
        this.emitPersist(sa);
      }
    }
  }

  /**
   * Restores transmit state from a stored snapshot (after a clean stop or a crash): each snapshot SA's
   * resume point becomes the floor of nextPN for its SAK, now for SAs installed with it and later for those
   * the KaY installs after this call (matched by keyId, whatever the AN). Also restores encodingSA, the
   * enableTransmit of matched SAs and the counters. Persistence is then armed: the resumed SAs send
   * nothing until a newer snapshot is persisted (persistNeeded is raised, and dispatched, at once), since
   * another crash would otherwise restore the same resume point under PNs already sent.
   */
  restore(snapshot: unknown): RestoreResult {
    const s = decodeTransmitSnapshot(snapshot, this.cipherSuite);
    if (s.sci !== this.txSciHex) throw new ConfigError('snapshot.sci', `${this.txSciHex} (this SecY's SCI)`, s.sci);
    // Counters are added, so a snapshot is restored once, into a SecY that has not taken a later one.
    if (s.sequence <= this.snapshotSequence) {
      throw new ConfigError('snapshot.sequence', `above ${this.snapshotSequence} (a snapshot not yet restored into or taken by this SecY)`, String(s.sequence));
    }
    const resumed: number[] = [];
    const pending: string[] = [];
    for (const snap of s.sas) {
      const resume = BigInt(snap.resumePN);
      const floor = this.pnFloors.get(snap.keyId);
      if (floor === undefined || floor < resume) this.pnFloors.set(snap.keyId, resume);
      const sa = this.tx.sas.find((x) => x?.keyId === snap.keyId);
      if (!sa) {
        pending.push(snap.keyId);
        continue;
      }
      if (sa.nextPN < resume) {
        sa.nextHi = pnHi(resume);
        sa.nextLo = pnLo(resume);
      }
      if (sa.an === snap.an) {
        sa.enableTransmit = snap.enableTransmit;
        addCounters(sa.counters, snap.counters, TRANSMIT_SC_COUNTERS);
      } else {
        addCounters(this.tx.absorbed, snap.counters, TRANSMIT_SC_COUNTERS);
      }
      if (sa.issuedResume < resume) sa.issuedResume = resume;
      this.setLimit(sa, sa.nextPN, sa.nextPN);
      this.emitPersist(sa);
      resumed.push(sa.an);
    }
    addCounters(this.tx.absorbed, s.absorbed, TRANSMIT_SC_COUNTERS);
    this.tx.encodingSA = s.encodingSA;
    this.persistArmed = true;
    this.armAll();
    this.snapshotSequence = s.sequence;
    if (s.sequence > this.persistedSequence) this.persistedSequence = s.sequence;
    this.dispatchEvents();
    return { resumed, pending };
  }

  private setLimit(sa: TransmitSA, limit: bigint, warnAt: bigint): void {
    sa.limitHi = pnHi(limit);
    sa.limitLo = pnLo(limit);
    sa.warnHi = pnHi(warnAt);
    sa.warnLo = pnLo(warnAt);
  }

  /** Raises persistNeeded once per mark: later frames do not raise it again until the mark moves. */
  private emitPersist(sa: TransmitSA): void {
    sa.warnHi = Infinity;
    this.emit('persistNeeded', { sci: this.txSciHex, an: sa.an, nextPN: sa.nextPN, persistedPN: pnBig(sa.limitHi, sa.limitLo) });
  }

  private refusePersist(sa: TransmitSA): TransmitOutcome {
    if (sa.warnHi !== Infinity) this.emitPersist(sa);
    return this.refuseTransmit(
      'SimOutPktsPNExhausted',
      `transmit SA ${sa.an} reached PN ${pnBig(sa.limitHi, sa.limitLo)}, the last persisted snapshot's mark: persist a newer snapshot (persistNeeded)`,
    );
  }

  // ---------------------------------------------------------------- transmit (10.5)

  /** Protects one frame (DA ‖ SA ‖ user data) with the encoding SA. */
  transmit(frame: Uint8Array): TransmitOutcome {
    const outcome = this.transmitOne(frame);
    this.dispatchEvents();
    return outcome;
  }

  /**
   * Protects frames in order (PNs assigned in order); checks every frame's shape before sending any.
   *
   * The cryptography of the burst is done in one pass: every frame takes its PN in order (step 1, as
   * prepareTransmit), the frames that took one are protected in runs that share an SA and SecTAG options,
   * one burst call each (protectBurst's work, its checks left out: the SecY made the options and PNs), and
   * then counted in frame order (step 3). An event a frame raises (rekeyNeeded, pnExhausted,
   * persistNeeded) is dispatched as `transmit` dispatches it: once that frame and all before it are
   * protected and counted, and before the next frame takes its PN. So a listener that switches SAs, changes
   * controls or persists a snapshot affects exactly the frames it would affect frame by frame. Outcomes,
   * counters, frames and PN state are those of `transmit` called once per frame.
   *
   * `run.pool` lets runs of at least `pool.minFrames` frames be split between worker threads
   * (crypto/pool.ts). The MPDUs returned are views into one buffer per run (burst.ts).
   */
  transmitBurst(frames: readonly Uint8Array[], run: BurstRunOptions = {}): TransmitOutcome[] {
    if (!Array.isArray(frames)) throw new ConfigError('frames', 'an array of Uint8Array', describe(frames));
    const n = frames.length;
    // A listener may send a burst of its own while this one waits on it: it gets scratch of its own.
    let s = this.txScratch;
    this.txScratch = undefined;
    if (s === undefined || s.pnHi.length < n) s = new TransmitScratch(Math.max(n, 128));
    const { tags, pnHi, pnLo, keys, pending } = s;
    for (let i = 0; i < n; i++) tags[i] = this.checkTransmitFrame(frames[i]!);
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
      let key: number;
      if (quick > 0 && frame.length + growth <= maxFrameSize) {
        // What takePN would do, none of its checks or events being due: take nextPN, increment it.
        quick--;
        const owner = sa!;
        const hi = owner.nextHi;
        const lo = owner.nextLo;
        if (lo === 0xffff_ffff) {
          owner.nextHi = hi + 1;
          owner.nextLo = 0;
        } else {
          owner.nextLo = lo + 1;
        }
        pnHi[i] = hi;
        pnLo[i] = lo;
        key = quickKey | (t << KEY_TAGS_SHIFT);
      } else {
        quick = 0;
        const refused = this.takePN(frame, t);
        if (refused !== undefined) {
          out[i] = refused;
        } else {
          const p = this.prepared;
          if (p.sa !== sa && count > 0) {
            // The SA changes only when a listener runs, after a flush; kept apart anyway should that change.
            this.sendPending(frames, sa!, s, count, octets, encryptedOctets, out, run);
            count = octets = encryptedOctets = 0;
          }
          sa = p.sa!;
          pnHi[i] = p.hi;
          pnLo[i] = p.lo;
          quickKey = p.key & ~(3 << KEY_TAGS_SHIFT);
          growth = secTagLength((p.key & KEY_INCLUDE_SCI) !== 0) + ICV_LENGTH;
          maxFrameSize = this.c.maxFrameSize;
          quick = this.quickPNs(sa);
        }
        key = refused === undefined ? this.prepared.key : -1;
      }
      if (key >= 0) {
        keys[i] = key;
        pending[count++] = i;
        const userLength = frame.length - ETHERTYPE_OFFSET - VLAN_TAG_LENGTH * t;
        octets += userLength;
        if (key & KEY_CONFIDENTIALITY) encryptedOctets += userLength;
      }
      if (this.queued.length > 0) {
        // Serial order: the listeners see this frame and every earlier one sent and counted.
        if (count > 0) this.sendPending(frames, sa!, s, count, octets, encryptedOctets, out, run);
        count = octets = encryptedOctets = 0;
        quick = 0; // a listener may change anything
        this.dispatchEvents();
      }
    }
    if (count > 0) this.sendPending(frames, sa!, s, count, octets, encryptedOctets, out, run);
    // A nested burst (a listener's) may have put its scratch back meanwhile: keep the larger.
    const kept = this.txScratch as TransmitScratch | undefined;
    if (kept === undefined || kept.pnHi.length < s.pnHi.length) this.txScratch = s;
    return out;
  }

  /**
   * Steps 2 and 3 for the frames s.pending[0, count), which took their PNs under `sa`: one burst call per
   * run of frames with the same SecTAG options (one run unless frames differ in their source address, with
   * useES, or in their clear tags), then the counters and outcomes in frame order.
   */
  private sendPending(
    frames: readonly Uint8Array[],
    sa: TransmitSA,
    s: TransmitScratch,
    count: number,
    octets: number,
    encryptedOctets: number,
    out: TransmitOutcome[],
    run: BurstRunOptions,
  ): void {
    const { pnHi, pnLo, keys, pending } = s;
    const key0 = keys[pending[0]!]!;
    let uniform = true;
    for (let k = 1; k < count && uniform; k++) uniform = keys[pending[k]!] === key0;
    let mpdus: Uint8Array[];
    if (uniform) {
      mpdus = this.sealRun(frames, sa, key0, s, pending.subarray(0, count), run);
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
        const sealed = this.sealRun(frames, sa, key, s, Int32Array.from(members, (m) => pending[m]!), run);
        for (let m = 0; m < members.length; m++) mpdus[members[m]!] = sealed[m]!;
      }
    }
    // Step 3, as completeTransmit: no listener runs before the burst returns or the next event, so the
    // counters can be added up and stored once.
    const an = sa.an;
    let encrypted = 0;
    for (let k = 0; k < count; k++) {
      const i = pending[k]!;
      const confidentiality = (keys[i]! & KEY_CONFIDENTIALITY) !== 0;
      if (confidentiality) encrypted++;
      out[i] = { kind: 'transmitted', counter: confidentiality ? 'OutPktsEncrypted' : 'OutPktsProtected', frame: mpdus[k]!, an, pn: pnBig(pnHi[i]!, pnLo[i]!) };
    }
    const cnt = sa.counters;
    cnt.OutPktsEncrypted += encrypted;
    cnt.OutOctetsEncrypted += encryptedOctets;
    cnt.OutPktsProtected += count - encrypted;
    cnt.OutOctetsProtected += octets - encryptedOctets;
  }

  /** Step 2 for frames[members[k]] with SecTAG options `key`: their MPDUs, in the members' order. */
  private sealRun(frames: readonly Uint8Array[], sa: TransmitSA, key: number, s: TransmitScratch, members: Int32Array, run: BurstRunOptions): Uint8Array[] {
    const count = members.length;
    const o: BurstProtectOptions = {
      an: sa.an,
      sci: this.txSci,
      includeSci: (key & KEY_INCLUDE_SCI) !== 0,
      endStation: (key & KEY_END_STATION) !== 0,
      scb: (key & KEY_SCB) !== 0,
      confidentiality: (key & KEY_CONFIDENTIALITY) !== 0,
      confidentialityOffset: CONFIDENTIALITY_OFFSETS[(key >>> KEY_OFFSET_SHIFT) & 3]!,
      clearTags: (key >>> KEY_TAGS_SHIFT) & 3,
    };
    const first = members[0]!;
    const split = run.pool?.splits(count) ?? false;
    // The usual case: frames first .. first + count - 1 of the burst, PNs in place by frame index.
    if (!split && members[count - 1]! - first === count - 1) return protectRange(sa.ctx, frames, first, count, o, s.pnHi, s.pnLo);
    const some: Uint8Array[] = new Array(count);
    const hi = new Uint32Array(count);
    const lo = new Uint32Array(count);
    for (let k = 0; k < count; k++) {
      const i = members[k]!;
      some[k] = frames[i]!;
      hi[k] = s.pnHi[i]!;
      lo[k] = s.pnLo[i]!;
    }
    return split ? run.pool!.protect(sa.ctx, some, o, hi, lo) : protectRange(sa.ctx, some, 0, count, o, hi, lo);
  }

  /**
   * How many frames may take their PNs from `sa` after the one that just took its PN through takePN with
   * none of takePN's checks or events due (the controls and SAs can change only when a listener runs, and
   * then this is worked out again): none while the SCI's presence depends on the frame's source (useES);
   * else as many PNs as lie below each of maxPN (whose frame raises pnExhausted), the persisted limit, the
   * rekey threshold not yet reported, and the PN whose frame moves nextPN to the persist mark.
   */
  private quickPNs(sa: TransmitSA): number {
    if (this.c.useES) return 0;
    const nextHi = sa.nextHi;
    const nextLo = sa.nextLo;
    // PNs from nextPN up to (not including) hi·2^32 + lo; Infinity when hi is (no limit, no mark).
    const below = (hi: number, lo: number): number => (hi - nextHi) * TWO_32 + (lo - nextLo);
    let n = Math.min(below(this.maxHi, 0xffff_ffff), below(sa.limitHi, sa.limitLo), below(sa.warnHi, sa.warnLo) - 1);
    if (!sa.rekeyReported) n = Math.min(n, below(this.thresholdHi, this.thresholdLo));
    return n;
  }

  private transmitOne(frame: Uint8Array): TransmitOutcome {
    const job = this.prepareTransmit(frame);
    if (job.kind !== 'pending') return job;
    return this.completeTransmit(job, this.protectJob(job));
  }

  private checkTransmitFrame(frame: Uint8Array): number {
    if (!(frame instanceof Uint8Array)) throw new ConfigError('frame', 'a Uint8Array', describe(frame));
    const tags = countVlanTags(frame, this.c.clearTags);
    const headerLength = ETHERTYPE_OFFSET + VLAN_TAG_LENGTH * tags;
    if (frame.length < headerLength + MIN_USER_DATA) {
      throw new ConfigError('frame', `at least ${headerLength + MIN_USER_DATA} octets (addresses, clear tags, EtherType)`, describe(frame));
    }
    return tags;
  }

  private refuseTransmit(counter: TransmitDropCounter, reason: string): TransmitOutcome {
    this.own[counter]++;
    return { kind: 'dropped', counter, reason };
  }

  /**
   * Step 1 of transmit: the checks, the SecTAG bits (10.5.3) and the PN (10.5.2). Refusals are counted and
   * returned; a frame that will be sent takes its PN here, in order.
   */
  prepareTransmit(frame: Uint8Array): TransmitOutcome | TransmitJob {
    const tags = this.checkTransmitFrame(frame);
    const refused = this.takePN(frame, tags);
    if (refused !== undefined) return refused;
    const { sa, hi, lo, key } = this.prepared;
    return {
      kind: 'pending',
      frame,
      sa: sa!,
      pnHi: hi,
      pnLo: lo,
      clearTags: tags,
      userLength: frame.length - ETHERTYPE_OFFSET - VLAN_TAG_LENGTH * tags,
      includeSci: (key & KEY_INCLUDE_SCI) !== 0,
      endStation: (key & KEY_END_STATION) !== 0,
      scb: (key & KEY_SCB) !== 0,
      confidentiality: (key & KEY_CONFIDENTIALITY) !== 0,
      confidentialityOffset: CONFIDENTIALITY_OFFSETS[(key >>> KEY_OFFSET_SHIFT) & 3]!,
    };
  }

  /**
   * Step 1 for a frame already checked, with its count of clear tags: a refusal (counted), or undefined
   * with the SA, PN and SecTAG options left in `this.prepared` (the burst path allocates nothing per frame).
   */
  private takePN(frame: Uint8Array, tags: number): TransmitOutcome | undefined {
    const c = this.c;
    if (!c.protectFrames) {
      if (frame.length > c.maxFrameSize) return this.refuseTransmit('OutPktsTooLong', `${frame.length} octets exceed maxFrameSize ${c.maxFrameSize}`);
      this.own.OutPktsUntagged++;
      return { kind: 'transmitted', counter: 'OutPktsUntagged', frame, an: undefined, pn: undefined };
    }
    const sa = this.tx.sas[this.tx.encodingSA];
    if (sa === undefined || !sa.enableTransmit) return this.refuseTransmit('SimOutPktsNoSA', `no transmit SA in use under encoding AN ${this.tx.encodingSA}`);
    if (sa.exhausted) return this.refuseTransmit('SimOutPktsPNExhausted', `transmit SA ${sa.an} has used its last PN`);
    if (!pnLess(sa.nextHi, sa.nextLo, sa.limitHi, sa.limitLo)) return this.refusePersist(sa);
    // 10.5.3, 9.5: SC when asked always, or when the SCI cannot be left out. ES needs SCI = source address ‖
    // port 1 (port 0 with SCB); SCB and a point-to-point SecY (at most one receive SC) let it be left out too.
    const esOk = c.useES && this.sourceIsSci(frame, c.useSCB ? SCB_PORT : END_STATION_PORT);
    const includeSci = c.alwaysIncludeSCI || !(esOk || c.useSCB || this.rx.size <= 1);
    const mpduLength = frame.length + secTagLength(includeSci) + ICV_LENGTH;
    if (mpduLength > c.maxFrameSize) return this.refuseTransmit('OutPktsTooLong', `MPDU of ${mpduLength} octets exceeds maxFrameSize ${c.maxFrameSize}`);
    // 10.5.2: the PN is nextPN, then nextPN is incremented; past maxPN the SA sends no more.
    const hi = sa.nextHi;
    const lo = sa.nextLo;
    if (lo === 0xffff_ffff) {
      sa.nextHi = hi + 1;
      sa.nextLo = 0;
    } else {
      sa.nextLo = lo + 1;
    }
    if (!sa.rekeyReported && !pnLess(hi, lo, this.thresholdHi, this.thresholdLo)) {
      sa.rekeyReported = true;
      this.emit('rekeyNeeded', { sci: this.txSciHex, an: sa.an, pn: pnBig(hi, lo), threshold: c.rekeyThreshold });
    }
    if (sa.exhausted) this.emit('pnExhausted', { sci: this.txSciHex, an: sa.an, lastPN: pnBig(hi, lo) });
    if (!pnLess(sa.nextHi, sa.nextLo, sa.warnHi, sa.warnLo)) this.emitPersist(sa);
    const p = this.prepared;
    p.sa = sa;
    p.hi = hi;
    p.lo = lo;
    p.key =
      (includeSci ? KEY_INCLUDE_SCI : esOk ? KEY_END_STATION : 0) |
      (!includeSci && c.useSCB ? KEY_SCB : 0) |
      (tags << KEY_TAGS_SHIFT) |
      this.keyOfControls;
    return undefined;
  }

  /** Step 2 of transmit: the cipher suite (14.5, 14.7). */
  protectJob(job: TransmitJob): Uint8Array {
    const o = this.protectOptions;
    o.an = job.sa.an;
    o.pn = pnBig(job.pnHi, job.pnLo);
    o.includeSci = job.includeSci;
    o.endStation = job.endStation;
    o.scb = job.scb;
    o.confidentiality = job.confidentiality;
    o.confidentialityOffset = job.confidentialityOffset;
    o.clearTags = job.clearTags;
    return protect(job.sa.ctx, job.frame, o);
  }

  /** Step 3 of transmit: the counters (10.7 transmit statistics; octets are user data octets). */
  completeTransmit(job: TransmitJob, mpdu: Uint8Array): TransmitOutcome {
    const cnt = job.sa.counters;
    if (job.confidentiality) {
      cnt.OutPktsEncrypted++;
      cnt.OutOctetsEncrypted += job.userLength;
    } else {
      cnt.OutPktsProtected++;
      cnt.OutOctetsProtected += job.userLength;
    }
    return {
      kind: 'transmitted',
      counter: job.confidentiality ? 'OutPktsEncrypted' : 'OutPktsProtected',
      frame: mpdu,
      an: job.sa.an,
      pn: pnBig(job.pnHi, job.pnLo),
    };
  }

  private sourceIsSci(frame: Uint8Array, port: number): boolean {
    const s = this.txSci;
    for (let i = 0; i < 6; i++) if (frame[6 + i] !== s[i]) return false;
    return s[6] === port >>> 8 && s[7] === (port & 0xff);
  }

  // ---------------------------------------------------------------- receive (10.6)

  /** Verifies one frame from the Common Port. Never throws on frame contents. */
  receive(frame: Uint8Array): ReceiveOutcome {
    // Frame contents never throw, but something that is not octets at all is the caller's mistake.
    if (!(frame instanceof Uint8Array)) throw new ConfigError('frame', 'a Uint8Array', describe(frame));
    this.budget = this.c.receiveCapacity;
    return this.receiveOne(frame);
  }

  /**
   * Verifies frames in order (replay state moves in order); `receiveCapacity` applies to the burst.
   *
   * The cryptography of the burst is done in one pass: every frame is parsed and matched to its receive SA,
   * its PN recovered and replay pre-checked, in order, against the SA's state before the burst; the frames
   * to validate are validated in runs per SA, one burst call each (validateBurst's work, its checks left
   * out: the SecY parsed the frames and recovered the PNs); then, in frame order, each frame
   * gets exactly what `receive` would give it with the SA's state as the earlier frames left it: its PN
   * recovered again (XPN) and checked against lowestPN, the capacity taken, the counters, nextPN and
   * lowestPN. A frame whose recovered PN came out differently from the one it was validated with (earlier
   * frames of the burst moved lowestPN across a 2^32 boundary) is validated again, alone, with the right
   * one; a frame the pre-check found late is late in frame order too (lowestPN only rises), so it is not
   * validated at all. Outcomes, counters, frames and PN state are those of `receive` called per frame.
   *
   * `run.pool` lets runs of at least `pool.minFrames` frames be split between worker threads
   * (crypto/pool.ts). The frames delivered are views into one buffer per run (burst.ts).
   */
  receiveBurst(frames: readonly Uint8Array[], run: BurstRunOptions = {}): ReceiveOutcome[] {
    if (!Array.isArray(frames)) throw new ConfigError('frames', 'an array of Uint8Array', describe(frames));
    for (let i = 0; i < frames.length; i++) {
      if (!(frames[i] instanceof Uint8Array)) throw new ConfigError(`frames[${i}]`, 'a Uint8Array', describe(frames[i]));
    }
    this.budget = this.c.receiveCapacity;
    const n = frames.length;
    const out: ReceiveOutcome[] = new Array(n);
    const jobs: (ReceiveJob | undefined)[] = new Array(n);
    // Step 2's results by frame: the unprotected frame, null (ICV failed), or undefined (not done ahead).
    let validated: (Uint8Array | null | undefined)[] = new Array(n);
    // Done ahead for the frames that will probably need it: to be validated, not late against lowestPN as it
    // is now (it only rises), within the capacity. A burst comes mostly from one SA: its frames (the run)
    // are gathered as they come, those of other SAs set aside (`others`) and gathered per SA afterwards.
    // While every frame goes to the run, the run is frames[0, runCount) and needs no list of its own.
    const replayProtect = this.c.replayProtect;
    let budget = this.budget;
    let runSA: ReceiveSA | undefined;
    let runCount = 0;
    const layouts: MacsecFrame[] = new Array(n);
    let runAt: number[] | undefined;
    let others: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const r = this.locateReceive(frames[i]!);
      if (r.kind !== 'pending') {
        out[i] = r;
        continue;
      }
      jobs[i] = r;
      if (budget <= 0 || !r.validate || (replayProtect && isLate(r.sa, r.pnHi, r.pnLo))) continue;
      budget--;
      if (r.pnHi > this.maxHi) {
        validated[i] = null; // as validateJob: recovered past maxPN
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
        const opened = this.validateRun(runSA, frames, layouts, runCount, run);
        if (runCount === n) validated = opened;
        else for (let k = 0; k < runCount; k++) validated[k] = opened[k];
      } else {
        this.validateAt(runSA, jobs, runAt, validated, run);
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
      for (const [sa, at] of bySA) this.validateAt(sa, jobs, at, validated, run);
    }
    // Step 3 in frame order, each frame against the state the frames before it left.
    for (let i = 0; i < n; i++) {
      const job = jobs[i];
      if (job !== undefined) out[i] = this.finishReceive(job, validated[i]);
    }
    return out;
  }

  /** validateRun for the jobs at[k] (all on `sa`), results to validated[at[k]]. */
  private validateAt(sa: ReceiveSA, jobs: readonly (ReceiveJob | undefined)[], at: readonly number[], validated: (Uint8Array | null | undefined)[], run: BurstRunOptions): void {
    const opened = this.validateRun(sa, at.map((i) => jobs[i]!.frame), at.map((i) => jobs[i]!.layout), at.length, run);
    for (let k = 0; k < at.length; k++) validated[at[k]!] = opened[k];
  }

  /**
   * Step 2 for frames[0, count), received on `sa` (validateBurst's work, its checks left out: the layouts
   * are the parser's, the PN halves the SecY's), each with the upper PN half its job recovered, which is
   * the one the SA's lowestPN gives now, as the burst began.
   */
  private validateRun(sa: ReceiveSA, frames: readonly Uint8Array[], layouts: readonly MacsecFrame[], count: number, run: BurstRunOptions): (Uint8Array | null)[] {
    if (this.rxPnHigh.length < count) this.rxPnHigh = new Uint32Array(Math.max(count, 2 * this.rxPnHigh.length));
    const pnHigh = this.rxPnHigh;
    if (this.cipherSuite.xpn) {
      for (let k = 0; k < count; k++) pnHigh[k] = recoverPNHigh(true, sa, layouts[k]!.secTag.pn);
    } else {
      pnHigh.fill(0, 0, count);
    }
    // Every frame of the run has the SA's SCI: an array of it kept from run to run.
    const sci = sa.validateOptions.sci;
    let scis = this.rxScis;
    if (scis.length < count || scis[0] !== sci) this.rxScis = scis = new Array<Uint8Array>(Math.max(count, scis.length)).fill(sci);
    if (run.pool?.splits(count)) {
      return run.pool.validate(sa.ctx, frames.slice(0, count), layouts.slice(0, count), scis.slice(0, count), pnHigh.slice(0, count), sa.validateOptions);
    }
    return validateRange(sa.ctx, frames, 0, count, layouts, scis, pnHigh, sa.validateOptions);
  }

  private receiveOne(frame: Uint8Array): ReceiveOutcome {
    const job = this.locateReceive(frame);
    if (job.kind !== 'pending') return job;
    return this.finishReceive(job, undefined);
  }

  /**
   * A located job's turn, in frame order: what `receive` does after locating the frame, with the SA's
   * state as it is now. The PN's upper half is recovered again (XPN: lowestPN may have moved since the job
   * was located, in a burst), then the replay check (10.6.2), the capacity, validation unless `validated`
   * holds its result for the same PN, and completeReceive.
   */
  private finishReceive(located: ReceiveJob, validated: Uint8Array | null | undefined): ReceiveOutcome {
    const { sa, pnLo: lo } = located;
    const hi = recoverPNHigh(this.cipherSuite.xpn, sa, lo);
    const job = hi === located.pnHi ? located : { ...located, pnHi: hi };
    if (this.c.replayProtect && isLate(sa, hi, lo)) return this.late(job.sc, sa, hi, lo);
    let plain: Uint8Array | null = null;
    if (job.validate) {
      if (this.budget <= 0) return this.overrun(job);
      this.budget--;
      plain = validated !== undefined && job === located ? validated : this.validateJob(job);
    }
    return this.completeReceive(job, plain);
  }

  /**
   * Step 1 of receive (10.6, 10.6.1, 10.6.2): SecTAG, receive SC, receive SA, PN recovery and the
   * preliminary replay check. Frames that end here are counted and returned.
   *
   * For a batched path: the XPN PN is recovered from lowestPN as it is at this step. If earlier frames of the
   * same batch move lowestPN across a 2^32 boundary before completeReceive, a frame may be recovered into the
   * older epoch where serial processing would recover it into the newer; completeReceive's replay check
   * then drops it as Late (with replayProtect on) instead of NotValid. Re-run the recovery for such frames
   * before completing them to keep serial outcomes exactly (as receiveBurst does).
   */
  prepareReceive(frame: Uint8Array): ReceiveOutcome | ReceiveJob {
    const job = this.locateReceive(frame);
    if (job.kind !== 'pending' || !(this.c.replayProtect && isLate(job.sa, job.pnHi, job.pnLo))) return job;
    return this.late(job.sc, job.sa, job.pnHi, job.pnLo);
  }

  /** prepareReceive without the replay check: everything that does not depend on the SA's PN state but the recovery. */
  private locateReceive(frame: Uint8Array): ReceiveOutcome | ReceiveJob {
    const c = this.c;
    const strict = c.validateFrames === 'Strict';
    // A SecTAG right after the addresses, as almost every frame has it, without the search.
    const tagOffset = frame.length > ETHERTYPE_OFFSET + 2 && frame[ETHERTYPE_OFFSET] === 0x88 && frame[ETHERTYPE_OFFSET + 1] === 0xe5 ? ETHERTYPE_OFFSET : findSecTag(frame, c.clearTags);
    if (tagOffset < 0) {
      if (strict) return this.drop(this.own, 'InPktsNoTag', 'no SecTAG, and validateFrames is Strict', undefined);
      this.own.InPktsUntagged++;
      return { kind: 'controlled', counter: 'InPktsUntagged', frame, origin: undefined };
    }
    if (frame.length > tagOffset + 2 && (frame[tagOffset + 2]! & (TCI_E | TCI_C)) === TCI_E) {
      this.own.SimInPktsUncontrolled++;
      return { kind: 'uncontrolled', counter: 'SimInPktsUncontrolled', frame };
    }
    // The common case without parseMacsecFrame's allocations; it decides (and explains) everything else.
    let layout: MacsecFrame | undefined = tagOffset === ETHERTYPE_OFFSET ? quickLayout(frame, this.cipherSuite.xpn) : undefined;
    if (layout === undefined) {
      const parsed = parseMacsecFrame(frame, { clearTags: (tagOffset - ETHERTYPE_OFFSET) / VLAN_TAG_LENGTH, allowZeroPN: this.cipherSuite.xpn });
      if (!parsed.ok) {
        this.own.InPktsBadTag++;
        return { kind: 'dropped', counter: 'InPktsBadTag', reason: parsed.error.message, error: parsed.error, origin: undefined };
      }
      layout = parsed.value;
    }
    const tag = layout.secTag;
    const cBit = tag.tci.c;
    const sc = this.findReceiveSC(frame, layout);
    if (sc === undefined) {
      const sci = this.lookupHi < 0 ? undefined : hex8(this.lookupHi) + hex8(this.lookupLo);
      const origin: ReceiveOrigin = { sci, an: tag.an, pn: undefined };
      if (cBit || strict) return this.drop(this.own, 'InPktsNoSCI', cBit ? 'unknown SCI, C=1' : 'unknown SCI, validateFrames is Strict', origin);
      this.own.InPktsUnknownSCI++;
      return { kind: 'controlled', counter: 'InPktsUnknownSCI', frame: stripSecTag(frame, layout), origin };
    }
    const sa = sc.sas[tag.an];
    if (sa === undefined || !sa.enableReceive) {
      const origin: ReceiveOrigin = { sci: sc.id, an: tag.an, pn: undefined };
      const cnt = sa ? sa.counters : sc.absorbed;
      if (cBit || strict) return this.drop(cnt, 'InPktsNotUsingSA', `no receive SA in use for AN ${tag.an}${cBit ? ', C=1' : ', validateFrames is Strict'}`, origin);
      cnt.InPktsUnusedSA++;
      return { kind: 'controlled', counter: 'InPktsUnusedSA', frame: stripSecTag(frame, layout), origin };
    }
    const lo = tag.pn;
    const hi = recoverPNHigh(this.cipherSuite.xpn, sa, lo);
    return { kind: 'pending', frame, layout, sc, sa, pnHi: hi, pnLo: lo, validate: cBit || c.validateFrames !== 'Disabled' };
  }

  /** Step 2 of receive (10.6.3, 10.6.4): the cipher suite. Returns the unprotected frame, or null on ICV failure. */
  validateJob(job: ReceiveJob): Uint8Array | null {
    if (job.pnHi > this.maxHi) return null; // recovered past maxPN: no transmitter can have sent it
    const o = job.sa.validateOptions;
    o.pnHigh = job.pnHi;
    return validate(job.sa.ctx, job.frame, job.layout, o);
  }

  /** A frame that was to be validated but exceeds the receive engine's capacity (InPktsOverrun). */
  overrun(job: ReceiveJob): ReceiveOutcome {
    return this.drop(this.own, 'InPktsOverrun', `beyond receiveCapacity ${this.c.receiveCapacity}`, this.origin(job.sc, job.sa, job.pnHi, job.pnLo));
  }

  /**
   * Step 3 of receive (10.6.5): the replay check again (lowestPN may have moved, in a batch), the counters,
   * and nextPN/lowestPN for a valid frame. `plain` is validateJob's result (null if not validated).
   */
  completeReceive(job: ReceiveJob, plain: Uint8Array | null): ReceiveOutcome {
    const c = this.c;
    const { sc, sa, pnHi: hi, pnLo: lo, layout } = job;
    const cnt = sa.counters;
    if (c.replayProtect && isLate(sa, hi, lo)) return this.late(sc, sa, hi, lo);
    const tci = layout.secTag.tci;
    if (job.validate && c.validateFrames !== 'Disabled') {
      if (tci.e) cnt.InOctetsDecrypted += layout.secureDataLength;
      else cnt.InOctetsValidated += layout.secureDataLength;
    }
    const origin = this.origin(sc, sa, hi, lo);
    if (plain === null) {
      if (job.validate) {
        if (tci.c || c.validateFrames === 'Strict') {
          return this.drop(cnt, 'InPktsNotValid', `ICV check failed (${tci.c ? 'C=1' : 'validateFrames is Strict'})`, origin);
        }
        cnt.InPktsInvalid++; // Check, C=0: delivered although it failed
        return { kind: 'controlled', counter: 'InPktsInvalid', frame: stripSecTag(job.frame, layout), origin };
      }
      // Disabled, C=0: not validated at all.
      const counter = isLate(sa, hi, lo) ? 'InPktsDelayed' : 'InPktsUnchecked';
      cnt[counter]++;
      return { kind: 'controlled', counter, frame: stripSecTag(job.frame, layout), origin };
    }
    const counter = isLate(sa, hi, lo) ? 'InPktsDelayed' : 'InPktsOK';
    cnt[counter]++;
    advanceReplay(sa, hi, lo, c.replayWindow);
    return { kind: 'controlled', counter, frame: plain, origin };
  }

  private late(sc: ReceiveSC, sa: ReceiveSA, hi: number, lo: number): ReceiveOutcome {
    return this.drop(sa.counters, 'InPktsLate', `PN ${pnBig(hi, lo)} below lowestPN ${sa.lowestPN}`, this.origin(sc, sa, hi, lo));
  }

  private drop<K extends ReceiveDropCounter>(cnt: Record<K, number>, counter: K, reason: string, origin: ReceiveOrigin | undefined): ReceiveOutcome {
    cnt[counter]++;
    return { kind: 'dropped', counter, reason, error: undefined, origin };
  }

  private origin(sc: ReceiveSC, sa: ReceiveSA, hi: number, lo: number): ReceiveOrigin {
    return { sci: sc.id, an: sa.an, pn: pnBig(hi, lo) };
  }

  /**
   * 10.6.1, 9.5: the receive SC for a frame. SC=1: the SecTAG's SCI. ES=1: source address ‖ port 1, or
   * port 0 when SCB is set too (as `implicitSci` in wire/sci.ts; Linux uses port 1 for both). ES=0: the
   * single receive SC of a point-to-point SecY, else none (Linux falls back to source address ‖ port 1).
   * Computed in place, without allocating: the SCI's first and last four octets.
   */
  private findReceiveSC(frame: Uint8Array, layout: MacsecFrame): ReceiveSC | undefined {
    const tci = layout.secTag.tci;
    if (tci.sc) {
      const o = layout.secTagOffset + 8;
      this.lookupHi = readU32(frame, o);
      this.lookupLo = readU32(frame, o + 4);
    } else if (tci.es) {
      this.lookupHi = readU32(frame, 6);
      this.lookupLo = ((readU16(frame, 10) << 16) | (tci.scb ? SCB_PORT : END_STATION_PORT)) >>> 0;
    } else {
      this.lookupHi = -1;
      return this.rx.size === 1 ? this.rx.values().next().value : undefined;
    }
    const hi = this.lookupHi;
    const lo = this.lookupLo;
    if (this.foundSC !== undefined && hi === this.foundHi && lo === this.foundLo) return this.foundSC;
    const sc = this.rxIndex.get(hi)?.get(lo);
    if (sc !== undefined) {
      this.foundSC = sc;
      this.foundHi = hi;
      this.foundLo = lo;
    }
    return sc;
  }

  // ---------------------------------------------------------------- statistics

  /** Every counter, per SecY, per SC and per SA, as a plain JSON-safe object. */
  counters(): SecYCountersView {
    const secy = zeroCounters(SECY_COUNTERS) as SecYCounters;
    Object.assign(secy, this.own);
    addCounters(secy, this.rxAbsorbed, RECEIVE_SC_COUNTERS);
    const receiveSCs = [...this.rx.values()].map((sc) => sc.view());
    for (const sc of receiveSCs) addCounters(secy, sc.counters, RECEIVE_SC_COUNTERS);
    const transmitSC = this.tx.view();
    addCounters(secy, transmitSC.counters, TRANSMIT_SC_COUNTERS);
    return { sci: this.txSciHex, secy, transmitSC, receiveSCs };
  }

  /** The counters as the table `formatCounters` prints. */
  formatCounters(options?: FormatOptions): string {
    return formatCounters(this.counters(), options);
  }
}

/** lowestPN = pn; nextPN moves up to it if below (so lowestPN <= nextPN always). */
function setLowest(sa: ReceiveSA, pn: bigint): void {
  sa.lowestHi = pnHi(pn);
  sa.lowestLo = pnLo(pn);
  if (pnLess(sa.nextHi, sa.nextLo, sa.lowestHi, sa.lowestLo)) {
    sa.nextHi = sa.lowestHi;
    sa.nextLo = sa.lowestLo;
  }
}

