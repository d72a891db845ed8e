/**
 * One fuzz setup: a transmitting SecY and a receiving SecY with one combination of cipher suite,
 * validateFrames and replay controls, the legitimate frames the transmitter sent lately, a wrong-key
 * transmitter, and the replay model that predicts what the receiver must do with legitimate frames.
 */
import type { BackendName } from '../crypto/backend.js';
import { protect, transmitTci } from '../crypto/macsec.js';
import { SaContext, type SaKey } from '../crypto/sa.js';
import { CIPHER_SUITES, type CipherSuite, type CipherSuiteName, type ConfidentialityOffset } from '../crypto/suite.js';
import type { KeyResolver } from '../explain/explain.js';
import { SecY, VALIDATE_FRAMES, type ValidateFrames } from '../secy/index.js';
import { implicitSci } from '../wire/sci.js';
import { ReplayModel, type LegitimateMeta } from './oracle.js';
import type { Rng } from '../util/rng.js';

export type SciMode = 'sc' | 'es' | 'p2p';

/** The controls one setup fixes for its life. */
export interface SetupSpec {
  readonly name: string;
  readonly suite: CipherSuite;
  readonly validateFrames: ValidateFrames;
  readonly replayProtect: boolean;
  readonly replayWindow: number;
}

/** Replay variants: strictly increasing PNs, a window, and replay protection off (where Delayed lives). */
export const REPLAY_VARIANTS: readonly { readonly replayProtect: boolean; readonly replayWindow: number }[] = [
  { replayProtect: true, replayWindow: 0 },
  { replayProtect: true, replayWindow: 32 },
  { replayProtect: false, replayWindow: 0 },
];

/** Every cipher suite x validateFrames x replay variant: 36 setups. */
export function setupMatrix(): SetupSpec[] {
  const out: SetupSpec[] = [];
  for (const name of Object.keys(CIPHER_SUITES) as CipherSuiteName[]) {
    for (const validateFrames of VALIDATE_FRAMES) {
      for (const r of REPLAY_VARIANTS) {
        out.push({
          name: `${name}/${validateFrames}/${r.replayProtect ? `window ${r.replayWindow}` : 'replayProtect off'}`,
          suite: CIPHER_SUITES[name],
          validateFrames,
          ...r,
        });
      }
    }
  }
  return out;
}

/** First PNs of new SAs: XPN ones straddle 2^32 and 2^33 and run into 2^64; plain ones run into 2^32. */
export function startPNs(suite: CipherSuite): readonly bigint[] {
  return suite.xpn ? [1n, 0xffff_ff00n, 0x1_ffff_ff80n, 0xffff_ffff_ffff_fe00n] : [1n, 1000n, 0xffff_ff00n];
}

/** A frame the legitimate transmitter sent, as it went on the wire. */
export interface LegitFrame extends LegitimateMeta {
  readonly bytes: Uint8Array;
  /** The frame given to transmit (DA ‖ SA ‖ clear tags ‖ user data). */
  readonly plain: Uint8Array;
  /** Where the user data starts in `plain`. */
  readonly userOffset: number;
}

const RING = 48;
/** A transmitter sends frames up to this size: more than 64 KiB of MPDU. */
export const MAX_FUZZ_FRAME = 70_000;
const OFFSETS: readonly ConfidentialityOffset[] = [0, 30, 50];

/** Random octets to copy payloads from, so a 64 KiB payload costs a copy, not 64 Ki draws. */
export class PayloadPool {
  readonly bytes: Uint8Array;
  constructor(rng: Rng, size = 1 << 18) {
    this.bytes = rng.bytes(size);
  }
  /** `n` octets (at most the pool's size) from a random place. */
  take(rng: Rng, n: number): Uint8Array {
    const start = rng.int(this.bytes.length - n + 1);
    return this.bytes.slice(start, start + n);
  }
}

export class Stream {
  readonly tx: SecY;
  readonly rx: SecY;
  readonly model: ReplayModel;
  readonly ring: LegitFrame[] = [];
  readonly txSci: Uint8Array;
  readonly mac: Uint8Array;
  readonly peerMac: Uint8Array;
  readonly confidentiality: boolean;
  readonly offset: ConfidentialityOffset;
  readonly sciMode: SciMode;
  readonly clearTags: 0 | 1;
  /** The AN the transmitter sends under. */
  an = 0;
  private gen = 0;
  /** Per AN: the SAK generation the receiver holds, and a context with it for explain's validation. */
  private readonly rxKeys: ({ gen: number; key: SaKey; ctx: SaContext } | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Per AN: the SAK generation of the transmit SA. */
  private readonly txGen: number[] = [0, 0, 0, 0];
  private readonly rogue: SaContext;
  /** Key rollovers: at random, and whenever the transmit SA runs out of PNs. */
  rollovers = 0;

  constructor(
    readonly spec: SetupSpec,
    readonly index: number,
    private readonly rng: Rng,
    readonly backend: BackendName,
  ) {
    // Addresses and SCIs differ per setup; the SCI is MAC ‖ port 1, so ES can stand in for it.
    this.mac = Uint8Array.from([0x02, 0x5a, 0, 0, index >> 8, index & 0xff]);
    this.peerMac = Uint8Array.from([0x02, 0x5b, 0, 0, index >> 8, index & 0xff]);
    this.txSci = Uint8Array.from([...this.mac, 0, 1]);
    const [confidentiality, offset] = rng.pick<[boolean, ConfidentialityOffset]>([[true, 0], [true, 0], [true, rng.pick(OFFSETS)], [false, 0]]);
    this.confidentiality = confidentiality;
    this.offset = offset;
    this.sciMode = rng.pick<SciMode>(['sc', 'es', 'p2p']);
    this.clearTags = rng.chance(0.3) ? 1 : 0;
    const suite = spec.suite;
    this.tx = new SecY({
      sci: this.txSci,
      cipherSuite: suite,
      backend,
      confidentialityProtect: confidentiality,
      confidentialityOffset: offset,
      alwaysIncludeSCI: this.sciMode === 'sc',
      useES: this.sciMode === 'es',
      maxFrameSize: MAX_FUZZ_FRAME + 64,
      clearTags: this.clearTags,
    });
    this.rx = new SecY({
      sci: Uint8Array.from([...this.peerMac, 0, 1]),
      cipherSuite: suite,
      backend,
      validateFrames: spec.validateFrames,
      replayProtect: spec.replayProtect,
      replayWindow: spec.replayWindow,
      confidentialityOffset: offset,
      clearTags: this.clearTags,
    });
    this.model = new ReplayModel({
      xpn: suite.xpn,
      maxPN: suite.maxPN,
      validateFrames: spec.validateFrames,
      replayProtect: spec.replayProtect,
      replayWindow: spec.replayWindow,
    });
    this.rx.createReceiveSC(this.txSci);
    if (this.sciMode !== 'p2p') {
      // A second peer, so SC=0 ES=0 frames find no SC and an SCI must be resolved (not point-to-point).
      const decoy = Uint8Array.from([0x02, 0x5c, 0, 0, index >> 8, index & 0xff, 0, 1]);
      this.rx.createReceiveSC(decoy);
      this.rx.createReceiveSA(decoy, { an: 0, sak: rng.bytes(suite.keyLength), ...this.xpnParams(), enable: true });
    }
    this.rogue = new SaContext({ suite, key: rng.bytes(suite.keyLength), ...this.xpnParams() }, backend);
    this.install(0, rng.pick(startPNs(suite)));
  }

  private xpnParams(): { ssci?: Uint8Array; salt?: Uint8Array } {
    return this.spec.suite.xpn ? { ssci: this.rng.bytes(4), salt: this.rng.bytes(12) } : {};
  }

  /**
   * A new SAK under `an` on both sides, as a KaY installs it (802.1AE 10.7): the receiver first, the old
   * receive SA of that AN deleted (its key wiped), then the transmitter switches to it.
   */
  private install(an: number, nextPN: bigint): void {
    const suite = this.spec.suite;
    const sak = this.rng.bytes(suite.keyLength);
    const xpn = this.xpnParams();
    const gen = ++this.gen;
    if (this.rx.receiveSAState(this.txSci, an)) this.rx.deleteReceiveSA(this.txSci, an);
    this.rx.createReceiveSA(this.txSci, { an, sak, nextPN, ...xpn, enable: true });
    this.model.install(an, gen, nextPN);
    this.rxKeys[an]?.ctx.wipe();
    const key: SaKey = { suite, key: sak, ...xpn };
    this.rxKeys[an] = { gen, key, ctx: new SaContext(key, this.backend) };
    if (this.tx.transmitSAState(an)) this.tx.deleteTransmitSA(an);
    this.tx.createTransmitSA({ an, sak, nextPN, ...xpn, enable: true });
    this.txGen[an] = gen;
    // The AN two back is retired on the receiver: replays of its frames find no SA.
    const retired = (an + 2) % 4;
    if (this.rx.receiveSAState(this.txSci, retired)) {
      this.rx.deleteReceiveSA(this.txSci, retired);
      this.model.remove(retired);
      this.rxKeys[retired]?.ctx.wipe();
      this.rxKeys[retired] = undefined;
    }
    sak.fill(0);
    this.an = an;
  }

  rollover(): void {
    this.rollovers++;
    this.install((this.an + 1) % 4, this.rng.pick(startPNs(this.spec.suite)));
  }

  /** A plain frame for the transmitter: DA ‖ SA ‖ [VLAN tag] ‖ EtherType ‖ payload of `payload` octets. */
  plainFrame(pool: PayloadPool, payload: number): { plain: Uint8Array; userOffset: number } {
    const tag = this.clearTags === 1 && this.rng.chance(0.7);
    const header = tag ? 18 : 14;
    const f = new Uint8Array(header + payload);
    f.set(this.peerMac, 0);
    f.set(this.mac, 6);
    if (tag) {
      f[12] = this.rng.chance(0.5) ? 0x81 : 0x88;
      f[13] = f[12] === 0x81 ? 0x00 : 0xa8;
      f[14] = this.rng.int(256);
      f[15] = this.rng.int(256);
    }
    const type = this.rng.pick([0x0800, 0x86dd, 0x88cc, 0x8100, 0x0806, 0x88e5]);
    f[header - 2] = type >> 8;
    f[header - 1] = type & 0xff;
    f.set(pool.take(this.rng, payload), header);
    // The transmitter keeps in clear as many leading VLAN tags as clearTags allows, whether this code meant
    // them as tags or the EtherType happened to be 0x8100 (10.5 with the clear-tag extension).
    let userOffset = 12;
    while (userOffset < 12 + 4 * this.clearTags && f.length >= userOffset + 6 && [0x8100, 0x88a8].includes((f[userOffset]! << 8) | f[userOffset + 1]!)) userOffset += 4;
    return { plain: f, userOffset };
  }

  /**
   * Sends a plain frame through the transmitter and remembers it; a short frame is padded to 60 octets
   * half the time, as the MAC pads it. Rolls the key over when the SA's PNs run out.
   */
  send(pool: PayloadPool, payload: number): LegitFrame {
    const { plain, userOffset } = this.plainFrame(pool, payload);
    let o = this.tx.transmit(plain);
    if (o.kind === 'dropped') {
      this.rollover();
      o = this.tx.transmit(plain);
      if (o.kind === 'dropped') throw new Error(`fuzz: transmitter refused a frame after a rollover: ${o.counter}: ${o.reason}`);
    }
    let bytes = o.frame;
    if (bytes.length < 60 && this.rng.chance(0.5)) {
      const padded = new Uint8Array(60);
      padded.set(bytes);
      bytes = padded;
    }
    const { an, pn } = o;
    if (an === undefined || pn === undefined) throw new Error('fuzz: the transmitter sent a frame untagged with protectFrames on');
    const frame: LegitFrame = { bytes, plain, userOffset, an, pn, gen: this.txGen[an]!, c: this.confidentiality };
    if (this.ring.length >= RING) this.ring.splice(this.rng.int(RING), 1);
    this.ring.push(frame);
    return frame;
  }

  /** A well-formed frame like the transmitter's, under a key the receiver does not have (or an unknown SCI). */
  wrongKey(pool: PayloadPool, unknownSci: boolean): Uint8Array {
    const { plain, userOffset } = this.plainFrame(pool, this.rng.pick([10, 40, 46, 100, 600]));
    const state = this.tx.transmitSAState(this.an);
    const max = this.spec.suite.maxPN;
    let pn = (state?.nextPN ?? 1n) + BigInt(this.rng.int(64));
    if (pn > max) pn = max;
    const sci = unknownSci ? Uint8Array.from([0x02, 0x77, ...this.rng.bytes(4), 0, 1]) : this.txSci;
    const es = this.sciMode === 'es' && !unknownSci;
    const an = this.rng.chance(0.8) ? this.an : this.rng.int(4);
    return protect(this.rogue, plain, {
      ...transmitTci(an, { includeSci: !es && (this.sciMode === 'sc' || unknownSci), endStation: es, scb: false, confidentiality: this.confidentiality }),
      pn,
      sci,
      confidentialityOffset: this.offset,
      clearTags: (userOffset - 12) / 4,
    });
  }

  /** The receiver's keys for explain: the current SAK of the frame's AN, the PN recovered as the model would. */
  resolver(): KeyResolver {
    return (frame, layout) => {
      const tag = layout.secTag;
      const k = this.rxKeys[tag.an];
      if (k === undefined) return { missing: `no SA for AN ${tag.an}` };
      const sci = tag.sci ?? implicitSci(frame, tag.tci) ?? this.txSci;
      return { sa: k.ctx, key: k.key, sci, pn: this.model.recover(tag.an, tag.pn), confidentialityOffset: this.offset, description: `fuzz AN ${tag.an}` };
    };
  }

  /** Wipes every key this setup holds. */
  close(): void {
    this.tx.destroy();
    this.rx.destroy();
    this.rogue.wipe();
    for (const k of this.rxKeys) k?.ctx.wipe();
  }

  describe(): string {
    return `${this.spec.name}, ${this.confidentiality ? `encrypted offset ${this.offset}` : 'integrity only'}, SCI ${this.sciMode}, clearTags ${this.clearTags}`;
  }
}
