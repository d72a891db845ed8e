/**
 * The Key Agreement Entity (KaY, 802.1X-2010 clause 9) of one port, with one MKA participant for one
 * CAK, and the part of the CP state machine (clause 12.4) that installs SAs into the SecY.
 *
 * It is clock-agnostic: the host hands it MKPDUs with `receive(frame, nowPs)`, calls `tick(nowPs)` at
 * `nextTimeoutPs()` (and soon after `wake` is called), and carries the frames it passes to `send` through
 * the Uncontrolled Port. Times are picoseconds of whatever clock the host runs. The RNG is injected so a
 * simulation is reproducible.
 *
 * The participant (9.4-9.8), in the order things happen:
 *
 *   MKPDU in ── parse: ICV under the ICK, CKN (11.11.2) ──> rejected with a reason, counted
 *        │
 *        ├─ MN not above the last one from that MI (9.4.3) ──> rejected (STALE_MN)
 *        ├─ sender lists our MI with a recent MN: Live Peer, else Potential Peer (9.4.3)
 *        ├─ key server election among self and Live Peers: lowest Key Server Priority, then lowest SCI (9.5)
 *        ├─ Distributed SAK from the elected key server: unwrap with the KEK, install receive SAs (9.8)
 *        └─ SAK Use: who receives / transmits with which key (9.8, 11.11.1)
 *
 *   CP, per key (12.4; the state a key is in decides what this KaY reports in its SAK Use):
 *     RECEIVE       new SAK: a receive SA per Live Peer and a transmit SA, not enabled; report rx
 *     TRANSMIT      key server: every Live Peer reports rx for the key; others: the key server reports tx.
 *                   Enable the transmit SA and make it the encoding SA; report tx
 *     RETIRE        retireTime after TRANSMIT: the old key's SAs are deleted, the latest key becomes the
 *                   old key (so in steady state the key in use is reported as the old key, as 12.4 does)
 *
 *   Timers: an MKPDU every helloTime (2 s) and whenever there is something new to say; a peer not heard
 *   (listing us) for lifeTime (6 s) is removed with its receive SC; without Live Peers every SA is
 *   deleted and `policy` decides the Controlled Port: `unsecured` (protectFrames off, validateFrames
 *   Check: traffic flows in clear, as 12.4 ALLOWED) or `blocked` (nothing passes).
 *
 *   The key server distributes a fresh SAK (KDF from the CAK with a KS-nonce, the MI list and the KN;
 *   AN = the next AN) when a CA first forms, when its Live Peers change, and when a transmit PN passes
 *   the SecY's rekeyThreshold (its own `rekeyNeeded`, or a peer's Lowest Acceptable PN in SAK Use).
 *
 * Bad MKPDUs never throw: they are rejected with a reason and counted.
 */
import type { ConfidentialityOffset, CipherSuite } from '../crypto/suite.js';
import { CIPHER_SUITES } from '../crypto/suite.js';
import type { SecY } from '../secy/secy.js';
import type { ValidateFrames } from '../secy/controls.js';
import { ConfigError, describe } from '../util/errors.js';
import { equalBytes, toHex } from '../util/hex.js';
import { MAC_LENGTH } from '../wire/mac.js';
import type { MkaErrorCode } from './error.js';
import { checkAesKey } from './kdf.js';
import {
  assignSsci,
  deriveCakKeys,
  deriveSak,
  MAX_CKN_LENGTH,
  MI_LENGTH,
  MIN_CKN_LENGTH,
  ssciOctets,
  unwrapSak,
  wipe,
  wrapSak,
  xpnSalt,
} from './keys.js';
import {
  confidentialityOffsetCode,
  confidentialityOffsetOf,
  emitMkpdu,
  parseMkpdu,
  type ConfidentialityOffsetCode,
  type DistributedSak,
  type KeyIdentifier,
  type MacsecCapability,
  type Mkpdu,
  type MkpduRepr,
  type SakUse,
} from './mkpdu.js';

/** The SecY operations a KaY uses (wpa_supplicant's secy_ops, 802.1AE 10.7). */
export type KaySecY = Pick<
  SecY,
  | 'sci'
  | 'cipherSuite'
  | 'controls'
  | 'setControls'
  | 'createReceiveSC'
  | 'deleteReceiveSC'
  | 'receiveSCIs'
  | 'createReceiveSA'
  | 'deleteReceiveSA'
  | 'receiveSAState'
  | 'createTransmitSA'
  | 'enableTransmitSA'
  | 'deleteTransmitSA'
  | 'transmitSAState'
  | 'setEncodingSA'
  | 'encodingSA'
  | 'getTransmitNextPN'
  | 'on'
>;

/** What the Controlled Port does while there is no Live Peer (and so no SAK). */
export type NoPeerPolicy = 'unsecured' | 'blocked';

export const PS_PER_SECOND = 1_000_000_000_000;
/** MKA Hello Time, MKA Life Time (9.4.3, Table 9-3). */
export const MKA_HELLO_TIME_PS = 2 * PS_PER_SECOND;
export const MKA_LIFE_TIME_PS = 6 * PS_PER_SECOND;
/** How long the old SAs stay after the switch to a new SAK (wpa_supplicant's MKA_SAK_RETIRE_TIME). */
export const SAK_RETIRE_TIME_PS = 3 * PS_PER_SECOND;
/** MKA Version Identifier of 802.1X-2020 (its XPN parameter set and Key Server SSCI need it). */
export const MKA_VERSION = 3;
/** A Key Server Priority of 0xFF: never key server (wpa_supplicant's DEFAULT_PRIO_NOT_KEY_SERVER). */
export const NOT_KEY_SERVER_PRIORITY = 0xff;

export interface KayOptions {
  readonly secy: KaySecY;
  /** The CAK, 16 or 32 octets, and its name, 1-32 octets (9.3). */
  readonly cak: Uint8Array;
  readonly ckn: Uint8Array;
  /** Source address of MKPDUs; default the address part of the SecY's SCI. */
  readonly mac?: Uint8Array;
  /** Key Server Priority (9.5): lower is preferred; 0xFF never key server. Default 16. */
  readonly keyServerPriority?: number;
  /** `length` random octets: MI and KS-nonce come from here (inject a seeded one for reproducible runs). */
  readonly random: (length: number) => Uint8Array;
  /** Puts an MKPDU (a whole Ethernet frame, no FCS) on the Uncontrolled Port. */
  readonly send: (frame: Uint8Array) => void;
  /** Called when the KaY has work outside receive/tick (the SecY asked for a rekey): call tick() soon. */
  readonly wake?: () => void;
  /** Everything worth telling: peers, election, SAKs, switches, retirements. */
  readonly onEvent?: (event: KayEvent) => void;
  readonly helloTimePs?: number;
  readonly lifeTimePs?: number;
  readonly retireTimePs?: number;
  /** Default 'unsecured' (wpa_supplicant's default macsec_policy, "should secure"). */
  readonly policy?: NoPeerPolicy;
  /**
   * Key server only: the confidentiality the Distributed SAK asks for; 'none' for integrity only.
   * Default: the SecY's confidentialityProtect and confidentialityOffset controls.
   */
  readonly confidentialityOffset?: ConfidentialityOffset | 'none';
  /** MKA Version Identifier sent. Default 3. */
  readonly mkaVersion?: number;
  /** MACsec Capability (11.11.1). Default 3: integrity and confidentiality at offset 0, 30 or 50. */
  readonly macsecCapability?: MacsecCapability;
  /** A simulation aid: the first PN of the first SAK's transmit SA, to start near the rekey threshold. Default 1. */
  readonly firstTransmitPN?: bigint;
}

/** Why an MKPDU was rejected as a whole: the codec's reasons (11.11.2) and the participant's (9.4). */
export type KayRejectReason =
  | MkaErrorCode
  /** The MN is not above the last one seen from that MI: a replay or a stale frame (9.4.3). */
  | 'STALE_MN'
  /** The sender uses this participant's own MI: our frame looped back, or an MI collision (9.2.2). */
  | 'OWN_MI';

/** Why a Distributed SAK was not installed (the rest of its MKPDU was used). */
export type SakRejectReason =
  | 'UNWRAP_FAILED' // AES Key Unwrap under the KEK failed
  | 'NOT_KEY_SERVER' // from a participant this KaY has not elected key server
  | 'CIPHER_SUITE' // a cipher suite other than the SecY's
  | 'AN_IN_USE' // under the AN this KaY transmits with
  | 'NO_MACSEC'; // an empty Distributed SAK: the key server says MACsec is not to be used

export interface KayCounters {
  mkpdusSent: number;
  /** Accepted: ICV verified, MN fresh. */
  mkpdusReceived: number;
  mkpdusRejected: Partial<Record<KayRejectReason, number>>;
  /** Key server: SAKs generated and distributed. */
  saksDistributed: number;
  /** SAKs installed (own as key server, or received). */
  saksInstalled: number;
  saksRejected: Partial<Record<SakRejectReason, number>>;
  /** Transmit switches to a new SAK. */
  transmitSwitches: number;
}

export type KayEventKind =
  | 'potential-peer'
  | 'live-peer'
  | 'peer-removed'
  | 'key-server'
  | 'sak-distributed'
  | 'sak-installed'
  | 'sak-rejected'
  | 'transmit'
  | 'retire'
  | 'rekey'
  | 'no-live-peer'
  | 'mkpdu-rejected'
  /** Not raised by the KaY itself: a host that stops feeding it (a crashed daemon) reports it so. */
  | 'silent';

export interface KayEvent {
  readonly atPs: number;
  readonly kind: KayEventKind;
  readonly text: string;
  readonly kn?: number;
  readonly an?: number;
  /** For 'transmit': the AN transmitted with before, if any. */
  readonly fromAn?: number;
  /** For 'sak-distributed': why the key server made a fresh SAK. */
  readonly reason?: string;
}

export interface KayPeerStatus {
  readonly mi: string;
  readonly mn: number;
  readonly sci: string;
  readonly keyServerPriority: number;
  readonly expiresAtPs: number;
}

export interface KayKeyStatus {
  /** Key Identifier: the key server's MI and the KN. */
  readonly keyServerMi: string;
  readonly kn: number;
  readonly an: number;
  readonly rx: boolean;
  readonly tx: boolean;
}

export interface KayStatus {
  readonly mi: string;
  readonly mn: number;
  readonly sci: string;
  readonly keyServerPriority: number;
  /** The elected key server's SCI, with whether it is this KaY; undefined without Live Peers. */
  readonly keyServer: { readonly sci: string; readonly self: boolean } | undefined;
  readonly livePeers: readonly KayPeerStatus[];
  readonly potentialPeers: readonly KayPeerStatus[];
  readonly latestKey: KayKeyStatus | undefined;
  readonly oldKey: KayKeyStatus | undefined;
  /** The key the transmit SA in use belongs to. */
  readonly transmitKey: KayKeyStatus | undefined;
  readonly policy: NoPeerPolicy;
  readonly counters: KayCounters;
}

export type KayReceiveResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: KayRejectReason; readonly detail: string };

interface Peer {
  readonly mi: Uint8Array;
  readonly miHex: string;
  sci: Uint8Array;
  sciHex: string;
  /** The last MN received from it. */
  mn: number;
  live: boolean;
  expiresAt: number;
  keyServerPriority: number;
  keyServer: boolean;
  sakUse: SakUse | undefined;
  /** Upper halves of its Lowest Acceptable PNs (XPN parameter set, 802.1X-2020). */
  lowestPnHigh: { latest: number; old: number } | undefined;
}

/** A SAK as this participant holds it: its KI, AN, the SAs made from it, and where it is in the CP. */
interface Key {
  readonly ki: KeyIdentifier;
  readonly an: number;
  readonly sak: Uint8Array;
  readonly offsetCode: ConfidentialityOffsetCode;
  /** XPN: the SCIs of the participants sharing the SAK (for SSCIs) and the salt. */
  readonly scis: Uint8Array[];
  readonly salt: Uint8Array | undefined;
  /** Key server: the parameter set, sent until every Live Peer reports the key. */
  readonly distributed: DistributedSak | undefined;
  /** Key server: the Live Peers' MIs it was made for, sorted, joined. */
  readonly members: string;
  /** Receive SCs (SCI hex) holding an SA of this key. */
  readonly rxScis: Set<string>;
  hasTxSA: boolean;
  rx: boolean;
  tx: boolean;
}

const hex = (b: Uint8Array): string => toHex(b);
const kiEqual = (a: KeyIdentifier, b: KeyIdentifier): boolean => a.kn === b.kn && equalBytes(a.mi, b.mi);
const ZERO_KI: KeyIdentifier = { mi: new Uint8Array(MI_LENGTH), kn: 0 };
const LOW32 = 0xffff_ffffn;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function checkTime(value: number | undefined, field: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError(field, 'a positive time in picoseconds', describe(value));
  return v;
}

/** The KaY of one port, with one participant (one CA). */
export class KaY {
  private readonly secy: KaySecY;
  private readonly suite: CipherSuite;
  private readonly cak: Uint8Array;
  private readonly ckn: Uint8Array;
  private readonly ick: Uint8Array;
  private readonly kek: Uint8Array;
  private readonly mac: Uint8Array;
  private readonly sci: Uint8Array;
  private readonly priority: number;
  private readonly random: (length: number) => Uint8Array;
  private readonly sendFrame: (frame: Uint8Array) => void;
  private readonly wake: (() => void) | undefined;
  private readonly onEvent: ((event: KayEvent) => void) | undefined;
  private readonly helloTime: number;
  private readonly lifeTime: number;
  private readonly retireTime: number;
  readonly policy: NoPeerPolicy;
  private readonly offsetCode: ConfidentialityOffsetCode;
  private readonly mkaVersion: number;
  private readonly capability: MacsecCapability;
  private firstTransmitPN: bigint;
  /** validateFrames as configured: what a secured port uses. */
  private readonly validateFrames: ValidateFrames;

  /** Member Identifier and Message Number (9.4.2). */
  private mi: Uint8Array;
  private mn = 0;
  /** MNs this participant sent, with when: a peer listing one older than lifeTime is not live (9.4.3). */
  private sentMns: { mn: number; at: number }[] = [];
  private readonly peers = new Map<string, Peer>();
  /** The elected key server: undefined without Live Peers; this participant's own MI when it is self. */
  private keyServerMi: Uint8Array | undefined;
  private nextKn = 1;
  private latest: Key | undefined;
  private old: Key | undefined;
  private retireAt: number | undefined;
  private nextHelloAt = 0;
  private now = 0;
  private newInfo = false;
  /** Why a fresh SAK is wanted (a PN passed the threshold); acted on by the key server. */
  private rekeyWanted: string | undefined;
  /** Set by the SecY's rekeyNeeded; taken up in the next step. */
  private ownPnReport: string | undefined;
  private destroyed = false;
  private readonly unsubscribe: () => void;
  readonly counters: KayCounters = {
    mkpdusSent: 0,
    mkpdusReceived: 0,
    mkpdusRejected: {},
    saksDistributed: 0,
    saksInstalled: 0,
    saksRejected: {},
    transmitSwitches: 0,
  };

  constructor(options: KayOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('KaY options', 'an object', describe(options));
    this.secy = options.secy;
    this.suite = this.secy.cipherSuite;
    checkAesKey(options.cak, 'CAK');
    if (!(options.ckn instanceof Uint8Array) || options.ckn.length < MIN_CKN_LENGTH || options.ckn.length > MAX_CKN_LENGTH) {
      throw new ConfigError('CKN', `${MIN_CKN_LENGTH}-${MAX_CKN_LENGTH} octets`, describe(options.ckn));
    }
    this.cak = options.cak.slice();
    this.ckn = options.ckn.slice();
    const { ick, kek } = deriveCakKeys(this.cak, this.ckn);
    this.ick = ick;
    this.kek = kek;
    this.sci = this.secy.sci;
    this.mac = (options.mac ?? this.sci.subarray(0, MAC_LENGTH)).slice();
    if (this.mac.length !== MAC_LENGTH) throw new ConfigError('mac', `${MAC_LENGTH} octets`, describe(options.mac));
    this.priority = options.keyServerPriority ?? 16;
    if (!Number.isInteger(this.priority) || this.priority < 0 || this.priority > 0xff) {
      throw new ConfigError('keyServerPriority', 'an integer 0-255', describe(options.keyServerPriority));
    }
    if (typeof options.random !== 'function') throw new ConfigError('random', 'a function returning random octets', describe(options.random));
    if (typeof options.send !== 'function') throw new ConfigError('send', 'a function taking an MKPDU frame', describe(options.send));
    this.random = options.random;
    this.sendFrame = options.send;
    this.wake = options.wake;
    this.onEvent = options.onEvent;
    this.helloTime = checkTime(options.helloTimePs, 'helloTime', MKA_HELLO_TIME_PS);
    this.lifeTime = checkTime(options.lifeTimePs, 'lifeTime', MKA_LIFE_TIME_PS);
    this.retireTime = checkTime(options.retireTimePs, 'retireTime', SAK_RETIRE_TIME_PS);
    if (this.lifeTime <= this.helloTime) throw new ConfigError('lifeTime', `longer than helloTime (${this.helloTime} ps)`, describe(this.lifeTime));
    this.policy = options.policy ?? 'unsecured';
    if (this.policy !== 'unsecured' && this.policy !== 'blocked') throw new ConfigError('policy', "'unsecured' or 'blocked'", describe(options.policy));
    const controls = this.secy.controls;
    const offset = options.confidentialityOffset ?? (controls.confidentialityProtect ? controls.confidentialityOffset : 'none');
    this.offsetCode = offset === 'none' ? 0 : confidentialityOffsetCode(offset);
    this.mkaVersion = options.mkaVersion ?? MKA_VERSION;
    this.capability = options.macsecCapability ?? 3;
    this.firstTransmitPN = options.firstTransmitPN ?? 1n;
    this.validateFrames = controls.validateFrames;
    this.mi = this.newMi();
    this.unsubscribe = this.secy.on('rekeyNeeded', (e) => {
      this.ownPnReport = `transmit PN ${e.pn} of AN ${e.an} reached the rekey threshold ${e.threshold}`;
      this.wake?.();
    });
    this.applyPolicy();
  }

  // ---------------------------------------------------------------- host interface

  /** An MKPDU from the Uncontrolled Port (a whole frame, DA first). Never throws on its contents. */
  receive(frame: Uint8Array, nowPs: number): KayReceiveResult {
    if (this.destroyed) return { accepted: false, reason: 'NOT_MKPDU', detail: 'the KaY was stopped' };
    this.now = Math.max(this.now, nowPs);
    const parsed = parseMkpdu(frame, (ckn) => (equalBytes(ckn, this.ckn) ? this.ick : undefined));
    if (!parsed.ok) return this.reject(parsed.error.code, parsed.error.message);
    const m = parsed.value;
    const b = m.basic;
    if (equalBytes(b.mi, this.mi)) return this.reject('OWN_MI', `the Actor MI ${hex(b.mi)} is this participant's own`);
    const miHex = hex(b.mi);
    let peer = this.peers.get(miHex);
    if (peer !== undefined && b.mn <= peer.mn) return this.reject('STALE_MN', `MN ${b.mn} from MI ${miHex} is not above the last one, ${peer.mn} (9.4.3)`);
    this.counters.mkpdusReceived++;
    const heardFirst = peer === undefined;
    if (peer === undefined) {
      peer = {
        mi: b.mi.slice(),
        miHex,
        sci: b.sci.slice(),
        sciHex: hex(b.sci),
        mn: b.mn,
        live: false,
        expiresAt: this.now + this.lifeTime,
        keyServerPriority: b.keyServerPriority,
        keyServer: b.keyServer,
        sakUse: undefined,
        lowestPnHigh: undefined,
      };
      this.peers.set(miHex, peer);
      this.newInfo = true; // it goes into our Potential Peer List (or Live, below)
    }
    peer.mn = b.mn;
    peer.keyServerPriority = b.keyServerPriority;
    peer.keyServer = b.keyServer;
    if (!equalBytes(peer.sci, b.sci)) {
      peer.sci = b.sci.slice();
      peer.sciHex = hex(b.sci);
    }
    // 9.4.3: a peer is live once it shows it has heard a recent MKPDU of ours; only that keeps it live.
    const listed = [...(m.livePeers?.peers ?? []), ...(m.potentialPeers?.peers ?? [])].find((p) => equalBytes(p.mi, this.mi));
    const fresh = listed !== undefined && this.isRecentMn(listed.mn);
    if (fresh) {
      peer.expiresAt = this.now + this.lifeTime;
      if (!peer.live) {
        peer.live = true;
        this.newInfo = true;
        this.event('live-peer', `MI ${miHex} (SCI ${peer.sciHex}) lists us: Live Peer`);
        this.peerBecameLive(peer);
      }
    } else if (!peer.live) {
      peer.expiresAt = this.now + this.lifeTime; // a Potential Peer lives on any MKPDU of its own
      if (heardFirst) this.event('potential-peer', `MI ${miHex} (SCI ${peer.sciHex}) heard: Potential Peer`);
    }
    this.elect();
    if (peer.live) {
      if (m.distributedSak !== undefined) this.receiveDistributedSak(peer, m.distributedSak);
      if (m.sakUse !== undefined) this.receiveSakUse(peer, m);
    }
    this.step();
    return { accepted: true };
  }

  /** Runs the timers: peers' life times, retirement, the hello. Call at nextTimeoutPs() (or sooner). */
  tick(nowPs: number): void {
    if (this.destroyed) return;
    this.now = Math.max(this.now, nowPs);
    for (const peer of [...this.peers.values()]) if (peer.expiresAt <= this.now) this.removePeer(peer);
    this.elect();
    if (this.retireAt !== undefined && this.now >= this.retireAt) this.retire();
    if (this.now >= this.nextHelloAt) this.newInfo = true;
    this.step();
  }

  /** When tick() is next needed. */
  nextTimeoutPs(): number {
    let t = this.nextHelloAt;
    if (this.retireAt !== undefined) t = Math.min(t, this.retireAt);
    for (const p of this.peers.values()) t = Math.min(t, p.expiresAt);
    if (this.ownPnReport !== undefined) t = Math.min(t, this.now);
    return t;
  }

  /** A snapshot for reports and tests. */
  status(): KayStatus {
    const peer = (p: Peer): KayPeerStatus => ({ mi: p.miHex, mn: p.mn, sci: p.sciHex, keyServerPriority: p.keyServerPriority, expiresAtPs: p.expiresAt });
    const key = (k: Key | undefined): KayKeyStatus | undefined => (k === undefined ? undefined : { keyServerMi: hex(k.ki.mi), kn: k.ki.kn, an: k.an, rx: k.rx, tx: k.tx });
    const ks = this.keyServerMi;
    const ksPeer = ks === undefined ? undefined : this.peers.get(hex(ks));
    return {
      mi: hex(this.mi),
      mn: this.mn,
      sci: hex(this.sci),
      keyServerPriority: this.priority,
      keyServer: ks === undefined ? undefined : { sci: this.isKeyServer ? hex(this.sci) : (ksPeer?.sciHex ?? '?'), self: this.isKeyServer },
      livePeers: this.livePeers().map(peer),
      potentialPeers: [...this.peers.values()].filter((p) => !p.live).map(peer),
      latestKey: key(this.latest),
      oldKey: key(this.old),
      transmitKey: key(this.transmitting()),
      policy: this.policy,
      counters: structuredClone(this.counters),
    };
  }

  get isKeyServer(): boolean {
    return this.keyServerMi !== undefined && equalBytes(this.keyServerMi, this.mi);
  }

  /** Stops the KaY: deletes the SAs it installed and wipes every key it holds. */
  destroy(): void {
    if (this.destroyed) return;
    this.dropKeys();
    this.unsubscribe();
    wipe(this.cak, this.ick, this.kek);
    this.destroyed = true;
  }

  // ---------------------------------------------------------------- participant

  private newMi(): Uint8Array {
    const mi = this.random(MI_LENGTH);
    if (!(mi instanceof Uint8Array) || mi.length !== MI_LENGTH) throw new ConfigError('random', `${MI_LENGTH} octets for the MI`, describe(mi));
    return mi.slice();
  }

  private reject(reason: KayRejectReason, detail: string): KayReceiveResult {
    this.counters.mkpdusRejected[reason] = (this.counters.mkpdusRejected[reason] ?? 0) + 1;
    // The first of each reason is worth a line in the log; the counters keep the rest.
    if (this.counters.mkpdusRejected[reason] === 1) this.event('mkpdu-rejected', `MKPDU rejected: ${detail}`);
    return { accepted: false, reason, detail };
  }

  private event(kind: KayEventKind, text: string, extra: Partial<Pick<KayEvent, 'kn' | 'an' | 'fromAn' | 'reason'>> = {}): void {
    this.onEvent?.({ atPs: this.now, kind, text, ...extra });
  }

  /** Whether `mn` is one this participant sent within the last MKA Life Time (9.4.3). */
  private isRecentMn(mn: number): boolean {
    const since = this.now - this.lifeTime;
    const recent = this.sentMns.filter((s) => s.at >= since);
    if (recent.length === 0) return false;
    return mn >= recent[0]!.mn && mn <= this.mn;
  }

  private livePeers(): Peer[] {
    return [...this.peers.values()].filter((p) => p.live);
  }

  private removePeer(peer: Peer): void {
    this.peers.delete(peer.miHex);
    this.newInfo = true;
    if (!peer.live) return;
    this.event('peer-removed', `Live Peer MI ${peer.miHex} (SCI ${peer.sciHex}) not heard for the MKA Life Time: removed with its receive SAs`);
    // Its receive SC goes, unless another live MI (a restarted peer) still uses the SCI.
    if (!this.livePeers().some((p) => p.sciHex === peer.sciHex)) this.deleteReceiveSC(peer.sciHex);
  }

  /**
   * Key server election (9.5): among this participant and its Live Peers, the lowest Key Server Priority,
   * ties broken by the lowest SCI. Without Live Peers there is no CA and so no key server.
   */
  private elect(): void {
    const live = this.livePeers();
    let best: { mi: Uint8Array; priority: number; sci: Uint8Array } | undefined;
    if (live.length > 0) {
      const candidates = [{ mi: this.mi, priority: this.priority, sci: this.sci }, ...live.map((p) => ({ mi: p.mi, priority: p.keyServerPriority, sci: p.sci }))];
      for (const c of candidates) {
        if (c.priority === NOT_KEY_SERVER_PRIORITY) continue;
        if (best === undefined || c.priority < best.priority || (c.priority === best.priority && compareBytes(c.sci, best.sci) < 0)) best = c;
      }
    }
    const before = this.keyServerMi;
    if (best === undefined ? before === undefined : before !== undefined && equalBytes(before, best.mi)) return;
    this.keyServerMi = best?.mi.slice();
    this.newInfo = true; // the Key Server bit of the Basic Parameter Set may change
    if (best !== undefined) {
      const self = equalBytes(best.mi, this.mi);
      this.event('key-server', self ? `elected key server (priority ${best.priority})` : `key server is SCI ${hex(best.sci)} (priority ${best.priority})`);
    }
  }

  private keyServerPeer(): Peer | undefined {
    return this.keyServerMi === undefined ? undefined : this.peers.get(hex(this.keyServerMi));
  }

  private peerBecameLive(peer: Peer): void {
    // A peer that goes live after the latest SAK was installed may still use it (another participant
    // of a larger CA): give it a receive SA under that key too. The key server rekeys anyway (9.8).
    if (this.latest !== undefined) this.installReceiveSA(this.latest, peer);
  }

  private receiveDistributedSak(peer: Peer, ds: DistributedSak): void {
    const key = ds.key;
    const ki = key === undefined ? undefined : { mi: peer.mi, kn: key.kn };
    if (ki !== undefined && [this.latest, this.old].some((k) => k !== undefined && kiEqual(k.ki, ki))) return; // a repeat
    if (this.keyServerMi === undefined || !equalBytes(this.keyServerMi, peer.mi) || this.isKeyServer) {
      return this.rejectSak('NOT_KEY_SERVER', `Distributed SAK from SCI ${peer.sciHex}, which this KaY did not elect key server`);
    }
    if (key === undefined || ki === undefined) return this.rejectSak('NO_MACSEC', 'the key server distributes no SAK: MACsec is not to be used');
    const suiteId = key.cipherSuite ?? CIPHER_SUITES['GCM-AES-128'].id;
    if (suiteId !== this.suite.id) {
      return this.rejectSak('CIPHER_SUITE', `cipher suite 0x${suiteId.toString(16).padStart(16, '0')}, the SecY runs ${this.suite.name}`);
    }
    const inUse = this.transmitting();
    if (inUse !== undefined && inUse.an === ds.an) return this.rejectSak('AN_IN_USE', `AN ${ds.an} is the AN this KaY transmits with`);
    const sak = unwrapSak(this.kek, key.wrappedSak);
    if (!sak.ok) return this.rejectSak('UNWRAP_FAILED', sak.error.message);
    if (sak.value.length !== this.suite.keyLength) {
      wipe(sak.value);
      return this.rejectSak('CIPHER_SUITE', `a ${sak.value.length}-octet SAK for ${this.suite.name}`);
    }
    this.installKey({ ki: { mi: peer.mi.slice(), kn: key.kn }, an: ds.an, sak: sak.value, offsetCode: ds.confidentialityOffset, distributed: undefined, members: '' });
    // A Distributed SAK shows the key server is alive and busy with us (wpa_supplicant does the same).
    peer.expiresAt = this.now + this.lifeTime;
  }

  private rejectSak(reason: SakRejectReason, text: string): void {
    this.counters.saksRejected[reason] = (this.counters.saksRejected[reason] ?? 0) + 1;
    this.event('sak-rejected', `Distributed SAK not installed: ${text}`);
  }

  private receiveSakUse(peer: Peer, m: Mkpdu): void {
    peer.sakUse = m.sakUse;
    peer.lowestPnHigh = m.xpn === undefined ? undefined : { latest: m.xpn.latestLowestPnHigh, old: m.xpn.oldLowestPnHigh };
    // Key server: a peer transmitting its newest SAK past the threshold asks for a fresh one (9.8),
    // as the Lowest Acceptable PN it reports shows (wpa_supplicant does the same).
    const mine = this.latest ?? this.old;
    if (!this.isKeyServer || mine === undefined || !equalBytes(mine.ki.mi, this.mi) || this.rekeyWanted !== undefined) return;
    const pn = this.reportedLowestPn(peer, mine.ki);
    const threshold = this.secy.controls.rekeyThreshold;
    if (pn !== undefined && pn >= threshold) this.rekeyWanted = `SCI ${peer.sciHex} transmits with PN ${pn}, past the rekey threshold ${threshold}`;
  }

  /** The Lowest Acceptable PN `peer` reports for key `ki`, the XPN upper half included. */
  private reportedLowestPn(peer: Peer, ki: KeyIdentifier): bigint | undefined {
    const keys = peer.sakUse?.keys;
    if (keys === undefined) return undefined;
    const high = (h: number | undefined): bigint => BigInt(h ?? 0) << 32n;
    if (kiEqual(keys.latestKi, ki)) return high(peer.lowestPnHigh?.latest) | BigInt(keys.latestLowestPn);
    if (kiEqual(keys.oldKi, ki)) return high(peer.lowestPnHigh?.old) | BigInt(keys.oldLowestPn);
    return undefined;
  }

  /** Whether `peer`'s SAK Use reports receiving (or transmitting) with key `ki`, in either slot. */
  private reports(peer: Peer, ki: KeyIdentifier, what: 'rx' | 'tx'): boolean {
    const u = peer.sakUse;
    if (u?.keys === undefined) return false;
    if (kiEqual(u.keys.latestKi, ki)) return what === 'rx' ? u.latestRx : u.latestTx;
    if (kiEqual(u.keys.oldKi, ki)) return what === 'rx' ? u.oldRx : u.oldTx;
    return false;
  }

  // ---------------------------------------------------------------- the step after every input

  private step(): void {
    if (this.ownPnReport !== undefined) {
      const why = this.ownPnReport;
      this.ownPnReport = undefined;
      // The key server acts; another participant tells it at once, through its SAK Use's Lowest Acceptable PN.
      if (this.isKeyServer) this.rekeyWanted ??= why;
      else this.newInfo = true;
    }
    if (this.livePeers().length === 0) {
      this.noLivePeer();
    } else {
      if (this.isKeyServer) this.keyServerStep();
      this.transmitStep();
      this.validateStep();
    }
    if (this.newInfo) this.sendMkpdu();
  }

  /** 9.8: a fresh SAK when the CA forms, when its Live Peers change, or when a PN passes the threshold. */
  private keyServerStep(): void {
    const live = this.livePeers();
    const members = live.map((p) => p.miHex).sort().join(',');
    const newest = this.latest ?? this.old;
    let reason: string | undefined;
    if (newest === undefined) reason = 'the CA formed';
    else if (!equalBytes(newest.ki.mi, this.mi)) reason = 'a new key server';
    else if (newest.members !== members) reason = 'the Live Peers changed';
    else if (this.rekeyWanted !== undefined) {
      if (this.latest !== undefined && !this.latest.tx) this.rekeyWanted = undefined; // a fresh SAK is on its way already
      else reason = this.rekeyWanted;
    }
    if (reason !== undefined) this.distributeSak(reason, live, members);
  }

  private distributeSak(reason: string, live: readonly Peer[], members: string): void {
    const kn = this.nextKn++;
    const inUse = this.transmitting();
    const an = inUse === undefined ? 0 : (inUse.an + 1) % 4;
    const sakLength = this.suite.keyLength;
    const ksNonce = this.random(sakLength);
    // 9.8.1: KS-nonce ‖ MI list ‖ KN; the key server's own MI first, as the Annex G vectors have it.
    const sak = deriveSak(this.cak, ksNonce, [this.mi, ...live.map((p) => p.mi)], kn, sakLength);
    wipe(ksNonce);
    const wrappedSak = wrapSak(this.kek, sak);
    // The default suite leaves the Cipher Suite out (body 28); any other names it (11.11.1, Figure 11-11).
    const explicitSuite = this.suite.id !== CIPHER_SUITES['GCM-AES-128'].id;
    const distributed: DistributedSak = {
      an,
      confidentialityOffset: this.offsetCode,
      key: { kn, wrappedSak, ...(explicitSuite ? { cipherSuite: this.suite.id } : {}) },
    };
    this.rekeyWanted = undefined;
    this.counters.saksDistributed++;
    this.event('sak-distributed', `distributes SAK KN ${kn} under AN ${an} to ${live.length} Live Peer${live.length === 1 ? '' : 's'} (${reason})`, { kn, an, reason });
    this.installKey({ ki: { mi: this.mi.slice(), kn }, an, sak, offsetCode: this.offsetCode, distributed, members });
  }

  /** The key whose transmit SA is in use. */
  private transmitting(): Key | undefined {
    return this.latest?.tx ? this.latest : this.old?.tx ? this.old : undefined;
  }

  /** CP RECEIVE (12.4): a receive SA per Live Peer, a transmit SA not yet enabled. */
  private installKey(k: Omit<Key, 'rxScis' | 'hasTxSA' | 'rx' | 'tx' | 'scis' | 'salt'>): void {
    if (this.latest !== undefined) {
      if (this.latest.tx) {
        // The latest key is in use: it becomes the old one; the one before it goes now.
        if (this.old !== undefined) this.deleteKey(this.old);
        this.old = this.latest;
        this.retireAt = undefined;
      } else {
        this.deleteKey(this.latest); // never transmitted: abandoned (12.4 ABANDON)
      }
      this.latest = undefined;
    }
    const scis = [this.sci, ...this.livePeers().map((p) => p.sci)];
    const key: Key = {
      ...k,
      scis,
      salt: this.suite.xpn ? xpnSalt(k.ki.mi, k.ki.kn) : undefined,
      rxScis: new Set(),
      hasTxSA: false,
      rx: false,
      tx: false,
    };
    for (const peer of this.livePeers()) this.installReceiveSA(key, peer);
    if (this.secy.transmitSAState(key.an) !== undefined) this.secy.deleteTransmitSA(key.an);
    this.secy.createTransmitSA({
      an: key.an,
      sak: key.sak,
      nextPN: this.firstTransmitPN,
      ...(this.suite.xpn ? { ssci: ssciOctets(assignSsci(this.sci, scis)), salt: key.salt } : {}),
      enable: false,
    });
    this.firstTransmitPN = 1n; // only the first SAK starts elsewhere
    key.hasTxSA = true;
    key.rx = true;
    this.latest = key;
    this.counters.saksInstalled++;
    this.newInfo = true;
    this.event('sak-installed', `installed SAK KN ${key.ki.kn} (key server MI ${hex(key.ki.mi)}) under AN ${key.an}: receive SAs enabled, transmit SA waiting`, {
      kn: key.ki.kn,
      an: key.an,
    });
  }

  private installReceiveSA(key: Key, peer: Peer): void {
    if (!this.secy.receiveSCIs().includes(peer.sciHex)) this.secy.createReceiveSC(peer.sci);
    if (this.secy.receiveSAState(peer.sci, key.an) !== undefined) this.secy.deleteReceiveSA(peer.sci, key.an);
    const scis = key.scis.some((s) => equalBytes(s, peer.sci)) ? key.scis : [...key.scis, peer.sci];
    this.secy.createReceiveSA(peer.sci, {
      an: key.an,
      sak: key.sak,
      nextPN: 1n,
      confidentialityOffset: confidentialityOffsetOf(key.offsetCode) ?? 0,
      ...(this.suite.xpn ? { ssci: ssciOctets(assignSsci(peer.sci, scis)), salt: key.salt } : {}),
      enable: true,
    });
    key.rxScis.add(peer.sciHex);
  }

  /** CP TRANSMIT (12.4): enable the transmit SA once the peers can receive with it. */
  private transmitStep(): void {
    const k = this.latest;
    if (k === undefined || k.tx || !k.rx) return;
    const live = this.livePeers();
    let ready: boolean;
    if (this.isKeyServer && equalBytes(k.ki.mi, this.mi)) {
      ready = live.every((p) => this.reports(p, k.ki, 'rx')); // allReceiving
    } else {
      const ks = this.keyServerPeer();
      ready = ks !== undefined && equalBytes(k.ki.mi, ks.mi) && this.reports(ks, k.ki, 'tx'); // serverTransmitting
    }
    if (!ready) return;
    const from = this.transmitting();
    const offset = confidentialityOffsetOf(k.offsetCode);
    this.secy.setControls({ protectFrames: true, confidentialityProtect: offset !== undefined, ...(offset !== undefined ? { confidentialityOffset: offset } : {}) });
    this.secy.enableTransmitSA(k.an); // also makes it the encoding SA, as wpa_supplicant's Linux driver does
    this.secy.setEncodingSA(k.an);
    k.tx = true;
    this.retireAt = this.now + this.retireTime;
    this.counters.transmitSwitches++;
    this.newInfo = true;
    this.event('transmit', `transmits with SAK KN ${k.ki.kn} under AN ${k.an}${from ? ` (was AN ${from.an})` : ''}`, {
      kn: k.ki.kn,
      an: k.an,
      ...(from ? { fromAn: from.an } : {}),
    });
  }

  /**
   * `unsecured` policy: validateFrames stays Check (clear frames accepted) until every Live Peer transmits
   * with a key this KaY receives with, so no frame is lost on the way from clear to protected.
   */
  private validateStep(): void {
    if (this.policy !== 'unsecured') return;
    const keys = [this.latest, this.old].filter((k): k is Key => k !== undefined && k.rx);
    const live = this.livePeers();
    const allProtected = live.length > 0 && live.every((p) => keys.some((k) => this.reports(p, k.ki, 'tx')));
    const want: ValidateFrames = allProtected ? this.validateFrames : 'Check';
    if (this.secy.controls.validateFrames !== want) this.secy.setControls({ validateFrames: want });
  }

  /** CP RETIRE (12.4): the old key's SAs go; the latest key becomes the old one. */
  private retire(): void {
    this.retireAt = undefined;
    const old = this.old;
    if (old !== undefined) {
      this.deleteKey(old);
      this.event('retire', `retired SAK KN ${old.ki.kn} (AN ${old.an}): its SAs deleted`, { kn: old.ki.kn, an: old.an });
    }
    this.old = this.latest;
    this.latest = undefined;
    this.newInfo = true;
  }

  private noLivePeer(): void {
    if (this.latest === undefined && this.old === undefined) return;
    this.dropKeys();
    this.applyPolicy();
    this.newInfo = true;
    this.event(
      'no-live-peer',
      `no Live Peer: every SA deleted; ${this.policy === 'unsecured' ? 'traffic flows unprotected (protectFrames off, validateFrames Check)' : 'the Controlled Port is blocked'}`,
    );
  }

  private dropKeys(): void {
    for (const k of [this.old, this.latest]) if (k !== undefined) this.deleteKey(k);
    this.old = this.latest = undefined;
    this.retireAt = undefined;
    this.rekeyWanted = undefined;
    for (const sci of this.secy.receiveSCIs()) this.deleteReceiveSC(sci);
  }

  /** Without a SAK (12.4 ALLOWED for `unsecured`; for `blocked`, protectFrames without an SA sends nothing). */
  private applyPolicy(): void {
    if (this.policy === 'unsecured') this.secy.setControls({ protectFrames: false, validateFrames: 'Check' });
    else this.secy.setControls({ protectFrames: true, validateFrames: this.validateFrames });
  }

  private deleteKey(k: Key): void {
    if (k.hasTxSA && this.secy.transmitSAState(k.an) !== undefined) this.secy.deleteTransmitSA(k.an);
    k.hasTxSA = false;
    const present = new Set(this.secy.receiveSCIs());
    for (const sci of k.rxScis) if (present.has(sci) && this.secy.receiveSAState(sci, k.an) !== undefined) this.secy.deleteReceiveSA(sci, k.an);
    k.rxScis.clear();
    wipe(k.sak);
  }

  private deleteReceiveSC(sciHex: string): void {
    if (this.secy.receiveSCIs().includes(sciHex)) this.secy.deleteReceiveSC(sciHex);
    for (const k of [this.latest, this.old]) k?.rxScis.delete(sciHex);
  }

  // ---------------------------------------------------------------- MKPDU transmission

  private sendMkpdu(): void {
    this.newInfo = false;
    if (this.mn === 0xffff_ffff) {
      // 9.4.2: an MN is never reused under one MI; a participant whose MN runs out takes a new MI.
      this.mi = this.newMi();
      this.mn = 0;
      this.sentMns = [];
    }
    this.mn++;
    this.sentMns.push({ mn: this.mn, at: this.now });
    const since = this.now - this.lifeTime;
    while (this.sentMns.length > 1 && this.sentMns[0]!.at < since) this.sentMns.shift();
    this.nextHelloAt = this.now + this.helloTime;
    const frame = emitMkpdu(this.mkpdu(), this.ick);
    this.counters.mkpdusSent++;
    this.sendFrame(frame);
  }

  private mkpdu(): MkpduRepr {
    const live = this.livePeers();
    const potential = [...this.peers.values()].filter((p) => !p.live);
    const xpn = this.suite.xpn;
    // 802.1X-2020: the key server orders its Live Peer List by SSCI and gives its own SSCI's low octet.
    let ksSsci = 0;
    if (xpn && this.isKeyServer && this.latest !== undefined) {
      const scis = this.latest.scis;
      live.sort((p, q) => assignSsci(p.sci, scis) - assignSsci(q.sci, scis));
      ksSsci = assignSsci(this.sci, scis) & 0xff;
    }
    const sakUse = this.sakUse();
    const latest = this.latest;
    const distributedSak = this.isKeyServer && latest?.distributed !== undefined && !live.every((p) => this.reports(p, latest.ki, 'rx')) ? latest.distributed : undefined;
    return {
      sa: this.mac,
      basic: {
        mkaVersion: this.mkaVersion,
        keyServerPriority: this.priority,
        keyServer: this.isKeyServer,
        macsecDesired: this.capability > 0,
        macsecCapability: this.capability,
        sci: this.sci,
        mi: this.mi,
        mn: this.mn,
        ckn: this.ckn,
      },
      ...(live.length > 0 ? { livePeers: { keyServerSsci: ksSsci, peers: live.map((p) => ({ mi: p.mi, mn: p.mn })) } } : {}),
      ...(potential.length > 0 ? { potentialPeers: { peers: potential.map((p) => ({ mi: p.mi, mn: p.mn })) } } : {}),
      ...(sakUse !== undefined ? { sakUse: sakUse.set } : {}),
      ...(distributedSak !== undefined ? { distributedSak } : {}),
      ...(xpn && sakUse !== undefined ? { xpn: { suspensionTime: 0, latestLowestPnHigh: sakUse.latestHigh, oldLowestPnHigh: sakUse.oldHigh } } : {}),
    };
  }

  /** The Lowest Acceptable PN to report for a key: the last PN sent with it (1 before any), as wpa_supplicant. */
  private lowestPn(k: Key | undefined): bigint {
    if (k === undefined || !k.tx || this.secy.transmitSAState(k.an) === undefined) return 1n;
    const next = this.secy.getTransmitNextPN(k.an);
    return next > 1n ? next - 1n : 1n;
  }

  /** The MACsec SAK Use parameter set (11.11.1, Figure 11-10), once this KaY holds a SAK. */
  private sakUse(): { set: SakUse; latestHigh: number; oldHigh: number } | undefined {
    const l = this.latest;
    const o = this.old;
    if (l === undefined && o === undefined) return undefined;
    const llpn = this.lowestPn(l);
    const olpn = this.lowestPn(o);
    return {
      set: {
        latestAn: l?.an ?? 0,
        latestTx: l?.tx ?? false,
        latestRx: l?.rx ?? false,
        oldAn: o?.an ?? 0,
        oldTx: o?.tx ?? false,
        oldRx: o?.rx ?? false,
        plainTx: !this.secy.controls.protectFrames,
        plainRx: this.secy.controls.validateFrames !== 'Strict',
        delayProtect: false,
        keys: {
          latestKi: l?.ki ?? ZERO_KI,
          latestLowestPn: Number(llpn & LOW32),
          oldKi: o?.ki ?? ZERO_KI,
          oldLowestPn: Number(olpn & LOW32),
        },
      },
      latestHigh: Number(llpn >> 32n),
      oldHigh: Number(olpn >> 32n),
    };
  }
}
