/**
 * The SecY's management (802.1AE 10.7): its controls, and the operations a KaY calls on it, as
 * wpa_supplicant's secy_ops has them: create, enable, disable and delete transmit and receive SCs and
 * SAs, get and set nextPN and lowestPN, and the statistics.
 */
import { SaContext } from '../crypto/sa.js';
import { CONFIDENTIALITY_OFFSETS, type ConfidentialityOffset } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { readU32 } from '../wire/ethernet.js';
import { sciHex } from '../wire/sci.js';
import { isAN, type AN } from '../wire/sectag.js';
import { applyControls, toSci, type SciInput, type SecYControls } from './controls.js';
import { RECEIVE_SC_COUNTERS, SECY_COUNTERS, TRANSMIT_SC_COUNTERS, addCounters, zeroCounters, type SecYCounters, type SecYCountersView } from './counters.js';
import { installPersisted } from './persistence.js';
import { checkPN, pnBig, pnHi, pnLess, pnLo, raiseLowest } from './replay.js';
import { ReceiveSA, TransmitSA } from './sa.js';
import { AN_COUNT, ReceiveSC } from './sc.js';
import { keyIdOf } from './snapshot.js';
import { dispatchEvents, type SecYState } from './state.js';
import { keyOfControls } from './tx-key.js';

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

export const checkAN = (an: unknown): AN => {
  if (!isAN(an)) throw new ConfigError('an', 'an integer 0-3', describe(an));
  return an;
};

// ---------------------------------------------------------------- controls and status

/** Changes controls (10.7); every value is checked first, so a ConfigError leaves all of them as they were. */
export function setControls(s: SecYState, changes: Partial<SecYControls>): void {
  const next = applyControls(s.c, changes, s.cipherSuite);
  s.c = next;
  s.thresholdHi = pnHi(next.rekeyThreshold);
  s.thresholdLo = pnLo(next.rekeyThreshold);
  s.keyOfControls = keyOfControls(next);
  // A smaller window raises lowestPN now; a larger one takes effect as nextPN moves on.
  for (const sc of s.rx.values()) for (const sa of sc.sas) if (sa) raiseLowest(sa, next.replayWindow);
}

/**
 * MAC_Operational of the Controlled Port as this simulator models it: with protectFrames on, true only
 * while the encoding SA is in use (enabled, PNs left); with protectFrames off, always true.
 */
export function operational(s: SecYState): boolean {
  if (!s.c.protectFrames) return true;
  return s.tx.sas[s.tx.encodingSA]?.inUse ?? false;
}

// ---------------------------------------------------------------- transmit SC and SAs

/** Installs a transmit SA (SAK, AN, initial PN; SSCI and salt with XPN): create_transmit_sa. */
export function createTransmitSA(s: SecYState, params: TransmitSAParams): void {
  const an = checkAN(params?.an);
  if (s.tx.sas[an]) throw new ConfigError('an', 'an AN without a transmit SA (delete the old SA first)', `AN ${an} in use`);
  const nextPN = checkPN('nextPN', params.nextPN ?? 1n, 1n, s.cipherSuite.maxPN);
  const ctx = installContext(s, params);
  const sa = new TransmitSA(an, ctx, nextPN, s.maxHi);
  sa.keyId = keyIdOf(s.cipherSuite, params.sak, params.ssci, params.salt);
  s.tx.sas[an] = sa;
  installPersisted(s, sa);
  if (params.enable) enableTransmitSA(s, an);
  dispatchEvents(s);
}

/** The SA's crypto context, its key installed in the executor too. */
function installContext(s: SecYState, params: TransmitSAParams | ReceiveSAParams): SaContext {
  const ctx = new SaContext({ suite: s.cipherSuite, key: params.sak, ssci: params.ssci, salt: params.salt }, s.backend);
  s.executor.install(ctx, { key: params.sak, ssci: params.ssci, salt: params.salt });
  return ctx;
}

/** Deletes a transmit SA and wipes its key; its counts stay in the SC's totals. */
export function deleteTransmitSA(s: SecYState, an: number): void {
  txSA(s, an);
  s.tx.delete(an);
}

/**
 * enableTransmit (10.7); like wpa_supplicant's Linux driver, enabling an SA also makes it the encoding
 * SA: the transmitter switches to it with the next frame.
 */
export function enableTransmitSA(s: SecYState, an: number): void {
  txSA(s, an).enableTransmit = true;
  s.tx.encodingSA = an;
}

export function disableTransmitSA(s: SecYState, an: number): void {
  txSA(s, an).enableTransmit = false;
}

/** Switches the encoding SA (10.7 encodingSA); the SA need not exist yet (frames are refused until it does). */
export function setEncodingSA(s: SecYState, an: number): void {
  s.tx.encodingSA = checkAN(an);
}

/** Moves nextPN forward; never back, since a PN is never used twice under one SAK. */
export function setTransmitNextPN(s: SecYState, an: number, pn: bigint): void {
  const sa = txSA(s, an);
  checkPN('nextPN', pn, 1n, s.cipherSuite.maxPN);
  if (pn < sa.nextPN) throw new ConfigError('nextPN', `at least the SA's nextPN ${sa.nextPN} (a PN is never reused under one SAK)`, describe(pn));
  sa.nextHi = pnHi(pn);
  sa.nextLo = pnLo(pn);
}

export function transmitSAState(s: SecYState, an: number): TransmitSAState | undefined {
  const sa = s.tx.sas[checkAN(an)];
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

export function txSA(s: SecYState, an: number): TransmitSA {
  const sa = s.tx.sas[checkAN(an)];
  if (!sa) throw new ConfigError('an', 'the AN of an installed transmit SA', `no transmit SA under AN ${an}`);
  return sa;
}

// ---------------------------------------------------------------- receive SCs and SAs

export function createReceiveSC(s: SecYState, sci: SciInput): void {
  const id = toSci(sci);
  const key = sciHex(id);
  if (s.rx.has(key)) throw new ConfigError('sci', 'an SCI without a receive SC', `receive SC ${key} exists`);
  const sc = new ReceiveSC(id);
  s.rx.set(key, sc);
  s.foundSC = undefined;
  const hi = readU32(id, 0);
  let inner = s.rxIndex.get(hi);
  if (!inner) s.rxIndex.set(hi, (inner = new Map()));
  inner.set(readU32(id, 4), sc);
}

/** Deletes a receive SC and all its SAs (keys wiped); its counts stay in the SecY's totals. */
export function deleteReceiveSC(s: SecYState, sci: SciInput): void {
  const sc = rxSC(s, sci);
  sc.clear();
  addCounters(s.rxAbsorbed, sc.counters(), RECEIVE_SC_COUNTERS);
  s.rx.delete(sc.id);
  s.foundSC = undefined;
  const hi = readU32(sc.sci, 0);
  const inner = s.rxIndex.get(hi);
  inner?.delete(readU32(sc.sci, 4));
  if (inner?.size === 0) s.rxIndex.delete(hi);
}

/** Installs a receive SA (SAK, AN, initial PN; SSCI and salt with XPN; confidentialityOffset). */
export function createReceiveSA(s: SecYState, sci: SciInput, params: ReceiveSAParams): void {
  const sc = rxSC(s, sci);
  const an = checkAN(params?.an);
  if (sc.sas[an]) throw new ConfigError('an', 'an AN without a receive SA (delete the old SA first)', `AN ${an} in use`);
  const max = s.cipherSuite.maxPN;
  const nextPN = checkPN('nextPN', params.nextPN ?? 1n, 1n, max);
  const lowestPN = params.lowestPN === undefined ? undefined : checkPN('lowestPN', params.lowestPN, 0n, max);
  const offset = params.confidentialityOffset ?? s.c.confidentialityOffset;
  if (!CONFIDENTIALITY_OFFSETS.includes(offset)) throw new ConfigError('confidentialityOffset', '0, 30 or 50', describe(offset));
  const ctx = installContext(s, params);
  const sa = new ReceiveSA(an, ctx, sc.sci, offset, nextPN);
  if (lowestPN === undefined) raiseLowest(sa, s.c.replayWindow);
  else setLowest(sa, lowestPN);
  sc.sas[an] = sa;
  if (params.enable) sa.enableReceive = true;
}

export function deleteReceiveSA(s: SecYState, sci: SciInput, an: number): void {
  const sc = rxSC(s, sci);
  rxSAOf(sc, an);
  sc.delete(an);
}

/** Sets nextPN, and lowestPN = nextPN - replayWindow (at least 0). */
export function setReceiveNextPN(s: SecYState, sci: SciInput, an: number, pn: bigint): void {
  const sa = rxSA(s, sci, an);
  checkPN('nextPN', pn, 1n, s.cipherSuite.maxPN);
  sa.nextHi = pnHi(pn);
  sa.nextLo = pnLo(pn);
  sa.lowestHi = 0;
  sa.lowestLo = 0;
  raiseLowest(sa, s.c.replayWindow);
}

/** Sets lowestPN (the KaY's lowest acceptable PN); nextPN moves up to it if below. */
export function setReceiveLowestPN(s: SecYState, sci: SciInput, an: number, pn: bigint): void {
  setLowest(rxSA(s, sci, an), checkPN('lowestPN', pn, 0n, s.cipherSuite.maxPN));
}

export function receiveSAState(s: SecYState, sci: SciInput, an: number): ReceiveSAState | undefined {
  const sa = rxSC(s, sci).sas[checkAN(an)];
  if (!sa) return undefined;
  return { an, nextPN: sa.nextPN, lowestPN: sa.lowestPN, inUse: sa.inUse };
}

function rxSC(s: SecYState, sci: SciInput): ReceiveSC {
  const key = sciHex(toSci(sci));
  const sc = s.rx.get(key);
  if (!sc) throw new ConfigError('sci', 'the SCI of a receive SC (createReceiveSC)', `no receive SC ${key}`);
  return sc;
}

function rxSAOf(sc: ReceiveSC, an: number): ReceiveSA {
  const sa = sc.sas[checkAN(an)];
  if (!sa) throw new ConfigError('an', 'the AN of an installed receive SA', `no receive SA under AN ${an} in SC ${sciHex(sc.sci)}`);
  return sa;
}

export function rxSA(s: SecYState, sci: SciInput, an: number): ReceiveSA {
  return rxSAOf(rxSC(s, sci), an);
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

/** Deletes every SA (wiping its key) and every receive SC; the counters stay. */
export function destroy(s: SecYState): void {
  for (let an = 0; an < AN_COUNT; an++) s.tx.delete(an);
  for (const sc of [...s.rx.values()]) deleteReceiveSC(s, sc.sci);
}

// ---------------------------------------------------------------- statistics

/** Every counter, per SecY, per SC and per SA, as a plain JSON-safe object. */
export function countersView(s: SecYState): SecYCountersView {
  const secy = zeroCounters(SECY_COUNTERS) as SecYCounters;
  Object.assign(secy, s.own);
  addCounters(secy, s.rxAbsorbed, RECEIVE_SC_COUNTERS);
  const receiveSCs = [...s.rx.values()].map((sc) => sc.view());
  for (const sc of receiveSCs) addCounters(secy, sc.counters, RECEIVE_SC_COUNTERS);
  const transmitSC = s.tx.view();
  addCounters(secy, transmitSC.counters, TRANSMIT_SC_COUNTERS);
  return { sci: s.txSciHex, secy, transmitSC, receiveSCs };
}
