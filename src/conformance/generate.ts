/**
 * Conformance cases for a device under test (`macsec generate`): per cipher suite and mode, N frames in the
 * vector schema under one SAK, each with its own frame, SCI form, AN, PN and confidentiality offset, drawn
 * from named edge classes; the frames a correct transmitter must refuse; and, for the receive side, a
 * protected stream mixing good frames with frames a correct receiver drops, with the counters it ends with.
 *
 * Seeded: the same arguments give the same bytes. The keys come from the seeded generator too: these are
 * test keys, published with the cases.
 *
 * One SAK per folder means one IV space: no (SCI, PN) pair is used twice in a folder (14.5: a repeated IV
 * under one key breaks GCM), so a class asking for a PN already taken gets a fresh one.
 */
import { protect, transmitTci } from '../crypto/macsec.js';
import { SaContext } from '../crypto/sa.js';
import type { BackendName } from '../crypto/backend.js';
import type { CipherSuite, ConfidentialityOffset } from '../crypto/suite.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../secy/controls.js';
import { Rng } from '../util/rng.js';
import { toHex } from '../util/hex.js';
import type { AnnexCEntry } from './shipped.js';
import { ICV_LENGTH, MIN_NON_SHORT_LENGTH, SECTAG_WITH_SCI_LENGTH, SCI_LENGTH, shortLength, TCI_ES, TCI_SCB, TCI_V, type AN } from '../wire/sectag.js';

/** The four association numbers (9.6). */
const ALL_ANS: readonly AN[] = [0, 1, 2, 3];

/** The edge classes, in the order `--help` and the README list them. */
export const EDGE_CLASSES = {
  sizes: 'minimum and maximum sizes, and padded short frames (SL 1-47)',
  offsets: 'confidentiality offsets 30 and 50, with frames shorter than the offset (confidentiality only)',
  vlan: 'a VLAN tag inside the protected data, and a VLAN tag in clear before the SecTAG',
  sci: 'every SCI form: SC (SCI in the SecTAG), ES, ES+SCB, implicit (point-to-point)',
  pn: 'PN 1, PN 2^32-1, and PN exhaustion (the last PN sent, the next frame refused; for 32-bit suites 2^32-1 is the last)',
  xpn: 'XPN across 2^32, and PNs whose upper half the receiver recovers from its lowestPN (XPN suites only)',
  an: 'AN 0-3, and an SA rollover in mid-stream (the AN changes, PNs go on)',
} as const;

export type EdgeClass = keyof typeof EDGE_CLASSES;
export const EDGE_CLASS_NAMES = Object.keys(EDGE_CLASSES) as EdgeClass[];

export type Mode = 'integrity' | 'confidentiality';

const ADDRESSES = 12;
const VLAN_TPID = 0x8100;
/** An untagged frame's largest size on a standard link: DA, SA, EtherType and 1500 octets of payload. */
const STANDARD_MAX_FRAME = 1514;
/** The Ethernet minimum (without FCS) the MAC pads a short frame to. */
const MIN_ETHERNET_FRAME = 60;

type SciForm = 'sc' | 'es' | 'es-scb' | 'implicit';

/** One case as a class asks for it; the generator fills in the rest. */
interface CaseSpec {
  readonly name: string;
  /** User data length (EtherType included). */
  readonly userLength?: number;
  readonly vlanInside?: boolean;
  readonly clearTag?: boolean;
  readonly sciForm?: SciForm;
  readonly an?: AN;
  readonly pn?: bigint;
  readonly offset?: ConfidentialityOffset;
  readonly note?: string;
}

/** A vector entry (the schema of vectors/*.json, with SL, offset and clear tags) with the class it came from and a note. */
export interface GeneratedCase extends AnnexCEntry {
  readonly class: EdgeClass;
  readonly note?: string;
  readonly sl: number;
  readonly confidentialityOffset: ConfidentialityOffset;
  readonly clearTags: number;
}

/** A frame a correct transmitter refuses, and the counter the refusal lands in. */
export interface RefusedCase {
  readonly name: string;
  readonly class: EdgeClass;
  readonly unprotectedFrame: string;
  readonly an: number;
  readonly counter: 'SimOutPktsPNExhausted' | 'OutPktsTooLong';
  readonly reason: string;
  /** PN exhaustion: the last PN the SA sent (the refused frame would need the next). */
  readonly lastPN?: string;
  readonly maxFrameSize?: number;
}

/** The keys of a folder: its SAK, the transmitter's SCI (and the one SCB implies), XPN's SSCI and salt. */
export interface FolderKeys {
  readonly suite: CipherSuite;
  readonly key: Uint8Array;
  readonly mac: Uint8Array;
  readonly peerMac: Uint8Array;
  readonly sci: Uint8Array;
  readonly scbSci: Uint8Array;
  readonly ssci: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
}

export interface GeneratedFolder {
  /** `<suite in lower case>-<mode>`. */
  readonly name: string;
  readonly mode: Mode;
  readonly keys: FolderKeys;
  readonly cases: readonly GeneratedCase[];
  /** The unprotected and protected frames, case by case. */
  readonly plain: readonly Uint8Array[];
  readonly protected: readonly Uint8Array[];
  readonly refused: readonly RefusedCase[];
  /** Classes asked for that do not apply to this suite and mode. */
  readonly notApplicable: readonly EdgeClass[];
}

export interface GenerateOptions {
  readonly suite: CipherSuite;
  readonly mode: Mode;
  readonly count: number;
  readonly seed: number;
  readonly classes: readonly EdgeClass[];
  readonly backend?: BackendName;
}

/** A locally administered unicast address. */
function macAddress(rng: Rng): Uint8Array {
  const mac = rng.bytes(6);
  mac[0] = (mac[0]! & 0xfc) | 0x02;
  return mac;
}

function sciOf(mac: Uint8Array, port: number): Uint8Array {
  const sci = new Uint8Array(SCI_LENGTH);
  sci.set(mac);
  sci[6] = port >> 8;
  sci[7] = port & 0xff;
  return sci;
}

export function folderName(suite: CipherSuite, mode: Mode): string {
  return `${suite.name.toLowerCase()}-${mode}`;
}

/** The folder's keys, from the seed, the suite and the mode alone. */
export function folderKeys(suite: CipherSuite, mode: Mode, seed: number): FolderKeys {
  const rng = new Rng(seed).fork(folderName(suite, mode));
  const key = rng.bytes(suite.keyLength);
  const mac = macAddress(rng);
  const peerMac = macAddress(rng);
  return {
    suite,
    key,
    mac,
    peerMac,
    sci: sciOf(mac, 1),
    scbSci: sciOf(mac, 0),
    ssci: suite.xpn ? rng.bytes(4) : undefined,
    salt: suite.xpn ? rng.bytes(12) : undefined,
  };
}

const TWO_32 = 0x1_0000_0000n;

/** Each class's variants: one call gives one group of consecutive cases. */
function classVariants(cls: EdgeClass, suite: CipherSuite, mode: Mode): (readonly CaseSpec[])[] {
  const maxPN = suite.maxPN;
  switch (cls) {
    case 'sizes': {
      // The largest user data whose MPDU (SecTAG with SCI, ICV) is exactly maxFrameSize octets.
      const largest = DEFAULT_MAX_FRAME_SIZE - ADDRESSES - SECTAG_WITH_SCI_LENGTH - ICV_LENGTH;
      return [
        [{ name: 'minimum frame: user data is the EtherType alone (SL 2)', userLength: 2 }],
        [{ name: `a ${STANDARD_MAX_FRAME}-octet frame (1500 octets of payload)`, userLength: STANDARD_MAX_FRAME - ADDRESSES }],
        [{ name: `largest frame: the MPDU is maxFrameSize (${DEFAULT_MAX_FRAME_SIZE}) octets`, userLength: largest }],
        [{ name: 'short frame padded on the wire (SL 20)', userLength: 20, note: `the MPDU is shorter than ${MIN_ETHERNET_FRAME} octets: the MAC pads it, SL tells the receiver where the secure data ends` }],
        [{ name: `SL ${MIN_NON_SHORT_LENGTH - 1}, the longest short frame`, userLength: MIN_NON_SHORT_LENGTH - 1 }],
        [{ name: `SL 0: ${MIN_NON_SHORT_LENGTH} octets of secure data`, userLength: MIN_NON_SHORT_LENGTH }],
      ];
    }
    case 'offsets':
      if (mode !== 'confidentiality') return [];
      return [
        [{ name: 'confidentiality offset 30', offset: 30, userLength: 100 }],
        [{ name: 'confidentiality offset 50', offset: 50, userLength: 100 }],
        [{ name: 'offset 30, frame shorter than the offset: all in clear, ICV over it', offset: 30, userLength: 20 }],
        [{ name: 'offset 50, frame shorter than the offset', offset: 50, userLength: 40 }],
        [{ name: 'offset 30, user data exactly 30 octets: nothing encrypted', offset: 30, userLength: 30 }],
      ];
    case 'vlan':
      return [
        [{ name: 'VLAN tag inside: the 802.1Q tag is user data, protected', vlanInside: true }],
        [{ name: 'VLAN tag in clear before the SecTAG (clearTags 1), outside the ICV', clearTag: true }],
      ];
    case 'sci':
      return [
        [{ name: 'SCI in the SecTAG (SC=1)', sciForm: 'sc' }],
        [{ name: 'ES=1, SC=0: the SCI is the source address and port 1', sciForm: 'es' }],
        [{ name: 'ES=1, SCB=1, SC=0: the SCI is the source address and port 0', sciForm: 'es-scb' }],
        [{ name: 'implicit SCI (ES=0, SC=0, SCB=0): the receiver\'s one receive SC', sciForm: 'implicit' }],
      ];
    case 'pn':
      return [
        [{ name: 'PN 1, the first PN of an SA', pn: 1n }],
        // A 32-bit suite's PN 2^32-1 is its last: the exhaustion case below.
        ...(suite.xpn ? [[{ name: 'PN 2^32-1', pn: TWO_32 - 1n, note: 'low half all ones: the next frame carries 0 in the SecTAG' }]] : []),
        [{ name: `PN exhaustion: the last PN (${maxPN}); the next frame is in refused.json`, pn: maxPN }],
      ];
    case 'xpn':
      if (!suite.xpn) return [];
      return [
        [
          { name: 'XPN across a 2^32 boundary: PN 5·2^32-1', pn: 5n * TWO_32 - 1n },
          { name: 'XPN across a 2^32 boundary: PN 5·2^32 (SecTAG PN 0)', pn: 5n * TWO_32, note: 'the SecTAG carries 0: a receiver whose lowestPN is just below recovers the upper half 5' },
          { name: 'XPN across a 2^32 boundary: PN 5·2^32+1', pn: 5n * TWO_32 + 1n },
        ],
        [{ name: 'lowestPN recovery: SecTAG PN small, upper half from lowestPN', pn: 7n * TWO_32 + 3n, note: `a receiver with lowestPN ${7n * TWO_32 - 10n} recovers PN ${7n * TWO_32 + 3n} (10.6.2)` }],
        [{ name: 'lowestPN recovery: SecTAG PN large, lowestPN just past it', pn: 9n * TWO_32 - 2n, note: `a receiver with lowestPN ${9n * TWO_32 - 100n} recovers PN ${9n * TWO_32 - 2n}` }],
      ];
    case 'an':
      return [
        ALL_ANS.map((an) => ({ name: `AN ${an}`, an })),
        [
          { name: 'SA rollover: AN 0 before the switch', an: 0 },
          { name: 'SA rollover: AN 0, last frame', an: 0 },
          { name: 'SA rollover: AN 1, first frame after the switch', an: 1 },
          { name: 'SA rollover: AN 1', an: 1 },
        ],
      ];
  }
}

/** A user frame: DA, SA, [clear VLAN tag], user data (EtherType first, [VLAN tag inside]). */
function userFrame(rng: Rng, keys: FolderKeys, spec: Omit<CaseSpec, 'name'>): Uint8Array {
  const length = spec.userLength ?? rng.range(46, 200);
  const clear = spec.clearTag === true ? 4 : 0;
  const frame = rng.bytes(ADDRESSES + clear + length);
  frame.set(keys.peerMac, 0);
  frame.set(keys.mac, 6);
  let o = ADDRESSES;
  const vlan = (): void => {
    frame[o] = VLAN_TPID >> 8;
    frame[o + 1] = VLAN_TPID & 0xff;
    frame[o + 2] = rng.int(8) << 5; // PCP, DEI 0, VID high bits
    frame[o + 3] = rng.range(1, 254);
    o += 4;
  };
  if (spec.clearTag === true) vlan();
  if (spec.vlanInside === true && length >= 6) vlan();
  frame[o] = 0x88; // a local experimental EtherType (IEEE 802): the payload is random
  frame[o + 1] = 0xb5;
  return frame;
}

/** Generates one folder. */
export function generateFolder(options: GenerateOptions): GeneratedFolder {
  const { suite, mode } = options;
  const keys = folderKeys(suite, mode, options.seed);
  const rng = new Rng(options.seed).fork(`${folderName(suite, mode)}/frames`);
  const confidentiality = mode === 'confidentiality';
  const groups = options.classes.map((cls) => ({ cls, variants: classVariants(cls, suite, mode), next: 0 }));
  const usable = groups.filter((g) => g.variants.length > 0);
  const notApplicable = groups.filter((g) => g.variants.length === 0).map((g) => g.cls);
  const used = new Set<string>();
  let freshPN = 1000n;
  const takePN = (sci: Uint8Array, wanted: bigint | undefined): bigint => {
    const free = (pn: bigint) => !used.has(`${toHex(sci)}:${pn}`);
    let pn = wanted !== undefined && free(wanted) ? wanted : undefined; // a named PN is free: checked before
    while (pn === undefined) {
      if (free(freshPN)) pn = freshPN;
      freshPN++;
    }
    used.add(`${toHex(sci)}:${pn}`);
    return pn;
  };
  const sa = new SaContext({ suite, key: keys.key, ssci: keys.ssci, salt: keys.salt }, options.backend);
  const cases: GeneratedCase[] = [];
  const plain: Uint8Array[] = [];
  const prot: Uint8Array[] = [];
  const refused: RefusedCase[] = [];
  try {
    const made = new Map<EdgeClass, number>();
    while (usable.length > 0 && cases.length < options.count) {
      // The class with the fewest cases so far goes next, so each class gets its share however long its groups.
      const g = usable.reduce((a, b) => ((made.get(b.cls) ?? 0) < (made.get(a.cls) ?? 0) ? b : a));
      // A variant naming a PN runs once: its PN is then taken. A class left with none of its variants is done.
      let group: readonly CaseSpec[] | undefined;
      for (let tries = 0; tries < g.variants.length && group === undefined; tries++, g.next++) {
        const v = g.variants[g.next % g.variants.length]!;
        if (v.every((spec) => spec.pn === undefined || !used.has(`${toHex(spec.sciForm === 'es-scb' ? keys.scbSci : keys.sci)}:${spec.pn}`))) group = v;
      }
      if (group === undefined) {
        usable.splice(usable.indexOf(g), 1);
        continue;
      }
      for (const spec of group) {
        if (cases.length >= options.count) break;
        const form = spec.sciForm ?? 'sc';
        const sci = form === 'es-scb' ? keys.scbSci : keys.sci;
        const pn = takePN(sci, spec.pn);
        const an = spec.an ?? 0;
        const offset = confidentiality ? (spec.offset ?? 0) : 0;
        const frame = userFrame(rng, keys, spec);
        const clearTags = spec.clearTag === true ? 1 : 0;
        const out = protect(sa, frame, {
          ...transmitTci(an, { includeSci: form === 'sc', endStation: form === 'es' || form === 'es-scb', scb: form === 'es-scb', confidentiality }),
          pn,
          sci,
          confidentialityOffset: offset,
          clearTags,
        });
        const tagAt = ADDRESSES + 4 * clearTags;
        cases.push({
          name: `${cases.length + 1}: ${spec.name}`,
          class: g.cls,
          ...(spec.note !== undefined ? { note: spec.note } : {}),
          cipherSuite: suite.name,
          key: toHex(keys.key),
          sci: toHex(sci),
          an,
          pn: pn.toString(),
          ...(keys.ssci !== undefined && keys.salt !== undefined ? { ssci: toHex(keys.ssci), salt: toHex(keys.salt) } : {}),
          tci: out[tagAt + 2]!.toString(16).padStart(2, '0'),
          sl: shortLength(frame.length - tagAt),
          confidentiality,
          confidentialityOffset: offset,
          clearTags,
          unprotectedFrame: toHex(frame),
          protectedFrame: toHex(out),
          icv: toHex(out.subarray(out.length - ICV_LENGTH)),
        });
        plain.push(frame);
        prot.push(out);
        made.set(g.cls, (made.get(g.cls) ?? 0) + 1);
        if (spec.pn === suite.maxPN && pn === suite.maxPN) {
          refused.push({
            name: 'PN exhausted: the frame after the last PN',
            class: g.cls,
            unprotectedFrame: toHex(userFrame(rng, keys, {})),
            an,
            counter: 'SimOutPktsPNExhausted',
            reason: `the SA sent PN ${suite.maxPN}, the last ${suite.name} has: a PN never repeats under one SAK (10.5.2), so the transmitter refuses and waits for a new SA`,
            lastPN: suite.maxPN.toString(),
          });
        }
      }
    }
    if (options.classes.includes('sizes')) {
      const tooLong = DEFAULT_MAX_FRAME_SIZE - ADDRESSES - SECTAG_WITH_SCI_LENGTH - ICV_LENGTH + 1;
      refused.push({
        name: `over maxFrameSize: the MPDU would be ${DEFAULT_MAX_FRAME_SIZE + 1} octets`,
        class: 'sizes',
        unprotectedFrame: toHex(userFrame(rng, keys, { userLength: tooLong })),
        an: 0,
        counter: 'OutPktsTooLong',
        reason: `protected with the SCI it is one octet over maxFrameSize ${DEFAULT_MAX_FRAME_SIZE}: refused, not truncated (10.5)`,
        maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
      });
    }
  } finally {
    sa.wipe();
  }
  return { name: folderName(suite, mode), mode, keys, cases, plain, protected: prot, refused, notApplicable };
}

/** The transmitter's SA file and the receiver's, for the folder's SAK (every AN, so every case's AN is installed). */
export function saFiles(keys: FolderKeys, mode: Mode, withScb: boolean): { transmit: Record<string, unknown>; receive: Record<string, unknown> } {
  const sas = (pn: string) =>
    [0, 1, 2, 3].map((an) => ({
      an,
      key: toHex(keys.key),
      pn,
      ...(keys.ssci !== undefined && keys.salt !== undefined ? { ssci: toHex(keys.ssci), salt: toHex(keys.salt) } : {}),
    }));
  const common = { cipherSuite: keys.suite.name, confidentiality: mode === 'confidentiality', confidentialityOffset: 0 };
  return {
    transmit: { ...common, channels: [{ sci: toHex(keys.sci), direction: 'transmit', sas: sas('1') }] },
    receive: {
      ...common,
      channels: [
        { sci: toHex(keys.sci), direction: 'receive', sas: sas(keys.suite.xpn ? '0' : '1') },
        ...(withScb ? [{ sci: toHex(keys.scbSci), direction: 'receive', sas: sas(keys.suite.xpn ? '0' : '1') }] : []),
      ],
    },
  };
}

// ---------------------------------------------------------------- the receive side: an attack stream

/** What a correct receiver does with one frame of the stream. */
export interface StreamFrame {
  readonly frame: Uint8Array;
  readonly what: string;
  /** The counter it must land in. */
  readonly counter: 'InPktsOK' | 'InPktsLate' | 'InPktsNotValid' | 'InPktsNotUsingSA' | 'InPktsBadTag';
}

export interface ReceiveStream {
  readonly frames: readonly StreamFrame[];
  /** The receiver's SA file: the transmitter's SCI, AN 0 only, lowest acceptable PN 1. */
  readonly sa: Record<string, unknown>;
  readonly expected: { validateFrames: 'strict'; replayProtect: true; replayWindow: number; counters: Record<string, number> };
}

/**
 * A protected stream (AN 0, SCI in the SecTAG, PNs rising from 1) with, between good frames: replays older
 * than the replay window (InPktsLate, 10.6.2), a flipped ICV bit (InPktsNotValid under Strict, 10.6.5), a
 * frame under an AN with no SA (InPktsNotUsingSA), and bad SecTAGs, V=1 and runts (InPktsBadTag, 10.6.1).
 * A dropped frame moves no PN state, so the good frames after it are still delivered.
 */
export function generateReceiveStream(keys: FolderKeys, mode: Mode, seed: number, replayWindow: number, backend?: BackendName): ReceiveStream {
  const rng = new Rng(seed).fork(`${folderName(keys.suite, mode)}/receive`);
  const sa = new SaContext({ suite: keys.suite, key: keys.key, ssci: keys.ssci, salt: keys.salt }, backend);
  const confidentiality = mode === 'confidentiality';
  let pn = 0n;
  const good: Uint8Array[] = [];
  const frames: StreamFrame[] = [];
  const send = (an: AN = 0): Uint8Array =>
    protect(sa, userFrame(rng, keys, {}), { an, pn: ++pn, sci: keys.sci, includeSci: true, endStation: false, scb: false, confidentiality, confidentialityOffset: 0 });
  const ok = (): void => {
    const f = send();
    good.push(f);
    frames.push({ frame: f, what: `good frame, PN ${pn}`, counter: 'InPktsOK' });
  };
  const tag = ADDRESSES;
  try {
    for (let i = 0; i < replayWindow + 3; i++) ok();
    // XPN: the receiver recovers the replayed low half into the span above lowestPN (10.6.2), so the ICV fails.
    frames.push(
      keys.suite.xpn
        ? { frame: good[0]!.slice(), what: `replay of PN 1: below lowestPN, recovered as PN 2^32+1, the ICV fails`, counter: 'InPktsNotValid' }
        : { frame: good[0]!.slice(), what: `replay of PN 1 (more than replayWindow ${replayWindow} below the highest PN)`, counter: 'InPktsLate' },
    );
    ok();
    const tampered = send();
    tampered[tampered.length - 1]! ^= 0x01;
    frames.push({ frame: tampered, what: `PN ${pn} with one ICV bit flipped`, counter: 'InPktsNotValid' });
    ok();
    frames.push({ frame: send(2), what: `PN ${pn} under AN 2, which has no SA`, counter: 'InPktsNotUsingSA' });
    ok();
    const both = send();
    both[tag + 2]! |= TCI_ES; // SC=1 with ES=1 (9.5: not both)
    frames.push({ frame: both, what: 'SecTAG with SC=1 and ES=1', counter: 'InPktsBadTag' });
    const v1 = send();
    v1[tag + 2]! |= TCI_V;
    frames.push({ frame: v1, what: 'SecTAG with V=1', counter: 'InPktsBadTag' });
    ok();
    const badSl = send();
    badSl[tag + 3] = MIN_NON_SHORT_LENGTH; // SL 48 and above is invalid (9.7)
    frames.push({ frame: badSl, what: 'SL 48 (SL must be below 48, 9.7)', counter: 'InPktsBadTag' });
    const runt = send().subarray(0, tag + SECTAG_WITH_SCI_LENGTH + 4);
    frames.push({ frame: runt.slice(), what: 'runt: a SecTAG and 4 octets, shorter than an ICV', counter: 'InPktsBadTag' });
    const noScb = send();
    noScb[tag + 2]! |= TCI_SCB; // SC=1 with SCB=1 (9.5: not both)
    frames.push({ frame: noScb, what: 'SecTAG with SC=1 and SCB=1', counter: 'InPktsBadTag' });
    ok();
    ok();
  } finally {
    sa.wipe();
  }
  const counters: Record<string, number> = {};
  for (const f of frames) counters[f.counter] = (counters[f.counter] ?? 0) + 1;
  return {
    frames,
    sa: {
      cipherSuite: keys.suite.name,
      confidentiality,
      channels: [{ sci: toHex(keys.sci), direction: 'receive', sas: [{ an: 0, key: toHex(keys.key), pn: '1', ...(keys.ssci && keys.salt ? { ssci: toHex(keys.ssci), salt: toHex(keys.salt) } : {}) }] }],
    },
    expected: { validateFrames: 'strict', replayProtect: true, replayWindow, counters },
  };
}
