/**
 * Everything the page shows for one state, computed by the engine: the protected frame (`protect`), its
 * GCM trace (`gcmTrace`), the explain tree (`explainFrame`), and the receiver's verdict (`SecY.receive`).
 * The page lays these out; it decides nothing about MACsec itself.
 */
import { CIPHER_SUITES, gcmTrace, protect, SaContext, transmitTci, type GcmTrace, type ProtectOptions, type SaKey } from 'macsec-sim/crypto';
import { explainFrame, type ExplainNode, type KeyResolver } from 'macsec-sim/explain';
import { SecY, type ReceiveOutcome } from 'macsec-sim/secy';
import { fromHex, ICV_LENGTH, parseMacsecFrame, toHex, type MacsecFrame } from 'macsec-sim/wire';
import type { State } from './state.js';

/** Colour bands: what each octet of the wire frame is. */
export type Band = 'addr' | 'vlan' | 'sectag' | 'clear' | 'enc' | 'icv' | 'pad' | 'data';

export interface WalkStep {
  readonly title: string;
  readonly clause: string;
  readonly detail: string;
  readonly result: 'pass' | 'fail' | 'skip' | 'not reached';
  /** The counter this step moves when the frame stops here. */
  readonly counter?: string;
}

export interface Model {
  /** The frame on the wire: built and protected here, or the `protected` one given. */
  readonly wire: Uint8Array;
  readonly layout: MacsecFrame | undefined;
  readonly bands: readonly Band[];
  /** The AAD's octets in the wire frame. */
  readonly aad: readonly boolean[];
  readonly tree: readonly ExplainNode[];
  readonly trace: GcmTrace | undefined;
  readonly traceError: string | undefined;
  readonly outcome: ReceiveOutcome | undefined;
  readonly receiveError: string | undefined;
  readonly walk: readonly WalkStep[];
  /** The receive SA after the frame (nextPN, lowestPN), when there is one. */
  readonly after: { readonly nextPN: bigint; readonly lowestPN: bigint } | undefined;
  readonly lowest: bigint;
  readonly protectError: string | undefined;
}

/** The builder's protect options; a ConfigError for an AN or TCI bits a transmitter cannot send (9.5, 9.6). */
export const protectOptions = (s: State, sci: Uint8Array): ProtectOptions => ({
  ...transmitTci(s.an, { includeSci: s.sc, endStation: s.es, scb: s.scb, confidentiality: s.conf }),
  pn: s.pn,
  sci,
  confidentialityOffset: s.offset,
});

/** The builder's SA key (or `key` in its place). */
export function saKey(s: State, key = s.key): SaKey {
  const suite = CIPHER_SUITES[s.suite];
  return {
    suite,
    key: fromHex(key, 'key', suite.keyLength),
    ssci: suite.xpn ? fromHex(s.ssci, 'ssci', 4) : undefined,
    salt: suite.xpn ? fromHex(s.salt, 'salt', 12) : undefined,
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The same key with its last octet changed: the "wrong key" edit. */
export const wrongKey = (key: string): string => key.slice(0, -2) + ((parseInt(key.slice(-2), 16) ^ 0x5a) & 0xff).toString(16).padStart(2, '0');

export function compute(s: State): Model {
  const suite = CIPHER_SUITES[s.suite];
  const key = saKey(s);
  const sa = new SaContext(key);
  const sci = fromHex(s.sci, 'sci', 8);
  let options: ProtectOptions | undefined;
  let wire: Uint8Array;
  let protectError: string | undefined;
  let trace: GcmTrace | undefined;
  let traceError: string | undefined;
  const built = ((): Uint8Array | undefined => {
    try {
      options = protectOptions(s, sci);
      return protect(sa, fromHex(s.frame, 'frame'), options);
    } catch (e) {
      protectError = message(e);
      return undefined;
    }
  })();
  if (s.protected !== undefined) wire = fromHex(s.protected, 'protected');
  else wire = built ?? new Uint8Array(0);

  const parsed = parseMacsecFrame(wire, { clearTags: 0, allowZeroPN: suite.xpn });
  const layout = parsed.ok ? parsed.value : undefined;
  // The full PN of the received frame: its SecTAG's low 32 bits under the builder's high half (XPN).
  const framePN = layout ? ((s.pn >> 32n) << 32n) | BigInt(layout.secTag.pn) : s.pn;
  const lowest = s.lowest ?? framePN;
  if (layout) {
    try {
      // A frame built here has its options (else there is no frame to trace).
      if (s.protected !== undefined) trace = gcmTrace(key, { received: wire, sci, pn: framePN, confidentialityOffset: s.offset });
      else if (options !== undefined) trace = gcmTrace(key, { unprotected: fromHex(s.frame, 'frame'), options });
    } catch (e) {
      traceError = message(e);
    }
  } else traceError = parsed.ok ? undefined : parsed.error.message;

  const keys: KeyResolver = () => ({ sa, key, sci, pn: framePN, confidentialityOffset: s.offset, description: `the builder's SA, AN ${s.an}` });
  const tree = wire.length > 0 ? explainFrame(wire, { keys, xpn: suite.xpn }) : [];

  // The receiver: one receive SC for the builder's SCI, one SA (the edits move its AN or change its key).
  let outcome: ReceiveOutcome | undefined;
  let receiveError: string | undefined;
  let after: Model['after'];
  const rxAn = s.break === 'an' ? (s.an + 1) % 4 : s.an;
  try {
    const secy = new SecY({
      sci: '0200000000010001',
      cipherSuite: s.suite,
      validateFrames: s.validate,
      replayProtect: s.replayProtect,
      replayWindow: s.window,
      confidentialityOffset: s.offset,
    });
    secy.createReceiveSC(sci);
    secy.createReceiveSA(sci, {
      an: rxAn,
      sak: fromHex(s.break === 'key' ? wrongKey(s.key) : s.key, 'key'),
      nextPN: lowest > 0n ? lowest : 1n,
      lowestPN: lowest,
      ssci: suite.xpn ? fromHex(s.ssci, 'ssci') : undefined,
      salt: suite.xpn ? fromHex(s.salt, 'salt') : undefined,
      enable: true,
    });
    if (wire.length > 0) {
      if (s.break === 'replay') secy.receive(wire);
      outcome = secy.receive(wire);
      const st = secy.receiveSAState(sci, rxAn);
      if (st) after = { nextPN: st.nextPN, lowestPN: st.lowestPN };
    }
    secy.destroy();
  } catch (e) {
    receiveError = message(e);
  }
  // Frees the key schedule and the GHASH table now rather than at the next collection: one SA per render.
  sa.wipe();
  const { bands, aad } = bandsOf(wire, layout, s.offset);
  return {
    wire,
    layout,
    bands,
    aad,
    tree,
    trace,
    traceError,
    outcome,
    receiveError,
    walk: outcome ? walk(outcome, s, wire, layout, lowest, rxAn) : [],
    after,
    lowest,
    protectError,
  };
}

function bandsOf(wire: Uint8Array, m: MacsecFrame | undefined, offset: number): { bands: Band[]; aad: boolean[] } {
  const bands: Band[] = new Array<Band>(wire.length).fill('data');
  const aad: boolean[] = new Array<boolean>(wire.length).fill(false);
  for (let i = 0; i < Math.min(12, wire.length); i++) bands[i] = 'addr';
  if (!m) return { bands, aad };
  for (let i = 12; i < m.secTagOffset; i++) bands[i] = 'vlan';
  for (let i = m.secTagOffset; i < m.secureDataOffset; i++) bands[i] = 'sectag';
  const clear = m.secTag.tci.e ? Math.min(offset, m.secureDataLength) : m.secureDataLength;
  for (let i = 0; i < m.secureDataLength; i++) bands[m.secureDataOffset + i] = i < clear ? 'clear' : 'enc';
  for (let i = 0; i < ICV_LENGTH; i++) bands[m.icvOffset + i] = 'icv';
  for (let i = m.icvOffset + ICV_LENGTH; i < wire.length; i++) bands[i] = 'pad';
  for (let i = 0; i < 12; i++) aad[i] = true;
  for (let i = m.secTagOffset; i < m.secureDataOffset + clear; i++) aad[i] = true;
  return { bands, aad };
}

/** Which check of 10.6 each counter stops a frame at (the walk's order). */
const STOPS: Readonly<Record<string, number>> = {
  InPktsNoTag: 0,
  InPktsUntagged: 0,
  SimInPktsUncontrolled: 1,
  InPktsBadTag: 1,
  InPktsNoSCI: 2,
  InPktsUnknownSCI: 2,
  InPktsNotUsingSA: 3,
  InPktsUnusedSA: 3,
  InPktsLate: 4,
  InPktsOverrun: 5,
  InPktsNotValid: 5,
  InPktsInvalid: 5,
  InPktsUnchecked: 6,
  InPktsDelayed: 6,
  InPktsOK: 6,
};

function walk(o: ReceiveOutcome, s: State, wire: Uint8Array, m: MacsecFrame | undefined, lowest: bigint, rxAn: number): WalkStep[] {
  const stop = STOPS[o.counter] ?? 6;
  const delivered = o.kind === 'controlled';
  const pn = o.kind !== 'uncontrolled' ? o.origin?.pn : undefined;
  const sci = o.kind !== 'uncontrolled' ? o.origin?.sci : undefined;
  const steps: Omit<WalkStep, 'result'>[] = [
    { title: 'SecTAG present', clause: '10.6', detail: m ? `EtherType 0x88e5 at offset ${m.secTagOffset}` : 'no MACsec EtherType after the addresses' },
    {
      title: 'SecTAG valid (V=0, ES/SC/SCB, SL, PN)',
      clause: '9.3-9.8, 10.6.1',
      detail: o.kind === 'dropped' && o.error ? o.error.message : m ? `TCI 0x${wire[m.secTagOffset + 2]!.toString(16).padStart(2, '0')}, SL ${m.secTag.sl}, PN ${m.secTag.pn}` : '',
    },
    { title: 'Receive SC for the SCI', clause: '10.6.1', detail: `SCI ${sci ?? (m?.secTag.sci ? toHex(m.secTag.sci) : 'implied')}; the receiver has SC ${s.sci}` },
    { title: 'Receive SA for the AN', clause: '10.6.1', detail: `AN ${m?.secTag.an ?? '?'}; the receiver's SA is under AN ${rxAn}` },
    {
      title: 'PN against lowestPN (replay)',
      clause: '10.6.2',
      detail: s.replayProtect ? `PN ${pn ?? m?.secTag.pn ?? '?'} ${stop === 4 ? '<' : '≥'} lowestPN ${lowest} (replayWindow ${s.window})` : 'replayProtect is off: not checked',
    },
    {
      title: 'ICV verifies',
      clause: '10.6.3, 10.6.4',
      detail: s.validate === 'Disabled' ? 'validateFrames is Disabled: not validated' : o.counter === 'InPktsNotValid' || o.counter === 'InPktsInvalid' ? 'the ICV does not match the tag computed over AAD and secure data' : 'GCM tag over AAD and secure data equals the ICV',
    },
    { title: 'Replay window update, deliver', clause: '10.6.5', detail: 'nextPN = max(nextPN, PN + 1); lowestPN = nextPN − replayWindow' },
  ];
  return steps.map((step, i) => {
    if (i < stop) return { ...step, result: s.validate === 'Disabled' && i === 5 ? 'skip' : 'pass' };
    if (i === stop) {
      const fail = !delivered || ['InPktsInvalid', 'InPktsUnknownSCI', 'InPktsUnusedSA', 'InPktsUntagged'].includes(o.counter);
      return { ...step, result: o.counter === 'InPktsUnchecked' ? 'skip' : fail ? 'fail' : 'pass', counter: o.counter };
    }
    return { ...step, result: 'not reached' };
  });
}
