/**
 * The SecY's state as one plain record (802.1AE clause 10): its transmit SC, its receive SCs and their
 * index by SCI, the controls, the counters of the SecY itself, the persistence marks and the events
 * waiting for their listeners. The modules beside this one are the operations over it: management.ts
 * (10.7), transmit.ts (10.5), receive.ts (10.6), bursts.ts and persistence.ts; secy.ts is the facade.
 */
import { inThread, type BurstExecutor } from '../crypto/burst.js';
import type { BurstProtectOptions } from '../crypto/macsec.js';
import type { BackendName } from '../crypto/backend.js';
import type { CipherSuite } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { sciHex } from '../wire/sci.js';
import { RECEIVE_SC_COUNTERS, SECY_OWN_COUNTERS, zeroCounters, type ReceiveSCCounters, type SecYOwnCounters } from './counters.js';
import { applyControls, defaultControls, resolveBackend, resolveSuite, toSci, type SecYControls, type SecYOptions } from './controls.js';
import { pnHi, pnLo } from './replay.js';
import { ReceiveSC, TransmitSC } from './sc.js';
import { DEFAULT_PN_HEADROOM, checkHeadroom } from './snapshot.js';
import { keyOfControls } from './tx-key.js';

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

/** Per-frame transmit state by frame index: PN halves and SecTAG options key (transmit.ts). Kept from burst to burst (typed arrays are slow to make). */
export class TransmitScratch {
  readonly tags: Uint8Array;
  readonly pnHi: Uint32Array;
  readonly pnLo: Uint32Array;
  readonly keys: Uint8Array;
  /** The indices of the frames waiting for the crypto. */
  readonly pending: Int32Array;

  constructor(frames: number) {
    this.tags = new Uint8Array(frames);
    this.pnHi = new Uint32Array(frames);
    this.pnLo = new Uint32Array(frames);
    this.keys = new Uint8Array(frames);
    this.pending = new Int32Array(frames);
  }
}

export interface SecYState {
  readonly cipherSuite: CipherSuite;
  readonly backend: BackendName;
  /** Where burst crypto runs; every SA's key is installed in it. */
  readonly executor: BurstExecutor;
  readonly txSci: Uint8Array;
  readonly txSciHex: string;
  /** hi of maxPN: 0, or 2^32 - 1 with XPN. */
  readonly maxHi: number;
  c: SecYControls;
  /** rekeyThreshold as hi/lo. */
  thresholdHi: number;
  thresholdLo: number;
  /** The part of a transmitted frame's SecTAG options key that the controls alone decide (transmit.ts). */
  keyOfControls: number;
  readonly tx: TransmitSC;
  readonly rx: Map<string, ReceiveSC>;
  /** Receive SCs by the SCI's first and last four octets: a lookup per frame without allocating. */
  readonly rxIndex: Map<number, Map<number, ReceiveSC>>;
  readonly own: SecYOwnCounters;
  /** Counts of deleted receive SCs. */
  readonly rxAbsorbed: ReceiveSCCounters;
  /** Frames the receive engine may still validate in this call (receiveCapacity). */
  budget: number;
  /** The SCI last looked up, for reporting an unknown one; hi -1 when the SecTAG implied none. */
  lookupHi: number;
  lookupLo: number;
  /** The receive SC found last, and its SCI's words: the frames of a burst mostly come from one peer. */
  foundSC: ReceiveSC | undefined;
  foundHi: number;
  foundLo: number;
  readonly listeners: { [K in keyof SecYEvents]: SecYListener<K>[] };
  readonly queued: (() => void)[];
  /** PNs a snapshot saves ahead by default (snapshot.ts). */
  readonly pnHeadroom: bigint;
  /** Some snapshot was persisted or restored: every transmit SA sends only PNs a stored snapshot covers. */
  persistArmed: boolean;
  /** The sequence number of the last snapshot taken, and of the last one persisted. */
  snapshotSequence: number;
  persistedSequence: number;
  /** Resume points restored for SAKs by keyId: a SA installed under one of them starts there or above. */
  readonly pnFloors: Map<string, bigint>;
  /** Protect options by SecTAG options key and AN (tx-key.ts), made once each. */
  readonly txOptions: (BurstProtectOptions | undefined)[];
  /** A single transmitted frame's PN and key. */
  readonly one: TransmitScratch;
  /** A burst's; undefined while a burst has it. */
  txScratch: TransmitScratch | undefined;
  /** The PN upper halves of a receive run, kept likewise (receiveBurst raises no events, so never nested). */
  rxPnHigh: Uint32Array;
  /** A receive run's SCIs (one per frame, all the SA's), kept likewise and refilled when the SA changes. */
  rxScis: Uint8Array[];
}

export function createState(options: SecYOptions): SecYState {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with at least sci', describe(options));
  const { sci, cipherSuite, backend, pnHeadroom, executor, ...controls } = options;
  const suite = resolveSuite(cipherSuite);
  const headroom = pnHeadroom === undefined ? DEFAULT_PN_HEADROOM : checkHeadroom(pnHeadroom, 'pnHeadroom');
  const backendName = resolveBackend(backend);
  if (executor !== undefined && (typeof executor !== 'object' || executor === null || typeof executor.install !== 'function')) {
    throw new ConfigError('executor', 'a BurstExecutor (install, protect, validate)', describe(executor));
  }
  const txSci = toSci(sci);
  const c = applyControls(defaultControls(suite), controls, suite);
  return {
    cipherSuite: suite,
    backend: backendName,
    executor: executor ?? inThread,
    txSci,
    txSciHex: sciHex(txSci),
    maxHi: suite.xpn ? 0xffff_ffff : 0,
    c,
    thresholdHi: pnHi(c.rekeyThreshold),
    thresholdLo: pnLo(c.rekeyThreshold),
    keyOfControls: keyOfControls(c),
    tx: new TransmitSC(txSci),
    rx: new Map(),
    rxIndex: new Map(),
    own: zeroCounters(SECY_OWN_COUNTERS),
    rxAbsorbed: zeroCounters(RECEIVE_SC_COUNTERS),
    budget: Infinity,
    lookupHi: 0,
    lookupLo: 0,
    foundSC: undefined,
    foundHi: -1,
    foundLo: -1,
    listeners: { rekeyNeeded: [], pnExhausted: [], persistNeeded: [] },
    queued: [],
    pnHeadroom: headroom,
    persistArmed: false,
    snapshotSequence: 0,
    persistedSequence: -1,
    pnFloors: new Map(),
    txOptions: [],
    one: new TransmitScratch(1),
    txScratch: undefined,
    rxPnHigh: new Uint32Array(128),
    rxScis: [],
  };
}

/** Queues an event for its listeners (none queued when there are none); dispatchEvents calls them. */
export function emit<K extends keyof SecYEvents>(s: SecYState, event: K, payload: SecYEvents[K]): void {
  const list = s.listeners[event] as SecYListener<K>[];
  if (list.length === 0) return;
  s.queued.push(() => {
    for (const l of [...list]) l(payload);
  });
}

/** Calls the listeners of events raised since the last call. */
export function dispatchEvents(s: SecYState): void {
  for (let listener = s.queued.shift(); listener !== undefined; listener = s.queued.shift()) listener();
}
