/**
 * EAPOL-MKA codec (802.1X-2010 clause 11): an untagged Ethernet frame, EtherType 0x888E, the EAPOL header
 * (Protocol Version, Packet Type 5, Packet Body Length) and the MKPDU: the Basic Parameter Set, other
 * parameter sets (each padded to 4 octets) and the 16-octet ICV over every octet from DA to just before it.
 *
 * `parseMkpdu` validates in the order of 11.11.2 and never throws on bad input; `emitMkpdu` is its inverse
 * and reproduces a parsed frame byte for byte (reserved bits, padding and Ethernet padding aside: those are
 * written as zeros and not kept).
 */
import { cipherSuiteById } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { EtherType, readU16, readU32, writeU16, writeU32 } from '../wire/ethernet.js';
import { isGroupAddress, MAC_LENGTH } from '../wire/mac.js';
import { SCI_LENGTH } from '../wire/sectag.js';
import { fail, ok, type MkaResult } from './error.js';
import { checkAesKey } from './kdf.js';
import {
  constantTimeEqual,
  ICV_LENGTH,
  KN_LENGTH,
  MAX_CKN_LENGTH,
  MI_LENGTH,
  MIN_CKN_LENGTH,
  mkpduIcv,
  WRAP_OVERHEAD,
} from './keys.js';

/** The PAE group address (nearest non-TPMR bridge), the default MKPDU destination (Table 11-1). */
export const PAE_GROUP_ADDRESS: Uint8Array = Uint8Array.of(0x01, 0x80, 0xc2, 0x00, 0x00, 0x03);
/** EAPOL Protocol Version of 802.1X-2010 (11.3.1). */
export const EAPOL_VERSION = 3;
/** EAPOL Packet Type of an MKPDU (Table 11-3). */
export const EAPOL_MKA = 5;
/** Algorithm Agility of 802.1X-2010: AES-CMAC-128 ICV and KDF (Table 9-1). */
export const ALGORITHM_AGILITY_2009 = 0x0080c201;

const EAPOL_OFFSET = 2 * MAC_LENGTH + 2;
/** Offset of the MKPDU (the Basic Parameter Set) in the frame. */
export const MKPDU_OFFSET = EAPOL_OFFSET + 4;
/** An MKPDU is at least 32 octets and a multiple of 4 (11.11.2 b, c). */
export const MIN_MKPDU_LENGTH = 32;
const SET_HEADER_LENGTH = 4;
/** Basic Parameter Set body before the CKN: SCI, MI, MN, Algorithm Agility (11.11.1, Figure 11-8). */
const BASIC_FIXED_LENGTH = SCI_LENGTH + MI_LENGTH + 4 + 4;
const PEER_ENTRY_LENGTH = MI_LENGTH + 4;
const SAK_USE_BODY_LENGTH = 40;
const XPN_BODY_LENGTH = 8;
const MAX_BODY_LENGTH = 0x0fff;
const CIPHER_SUITE_LENGTH = 8;

/** Parameter set types (11.11.1, Table 11-7; XPN from 802.1X-2020). The Basic Parameter Set has none. */
export const ParameterSetType = {
  LivePeerList: 1,
  PotentialPeerList: 2,
  SakUse: 3,
  DistributedSak: 4,
  DistributedCak: 5,
  Kmd: 6,
  Announcement: 7,
  Xpn: 8,
  IcvIndicator: 255,
} as const;

/** 0 not implemented, 1 integrity only, 2 and confidentiality at offset 0, 3 at offset 0, 30 or 50. */
export type MacsecCapability = 0 | 1 | 2 | 3;

/** Figure 11-8. */
export interface BasicParameterSet {
  /** 1: 802.1X-2010, 2: 802.1Xbx-2014, 3: 802.1X-2020. */
  readonly mkaVersion: number;
  readonly keyServerPriority: number;
  readonly keyServer: boolean;
  readonly macsecDesired: boolean;
  readonly macsecCapability: MacsecCapability;
  /** The actor's SCI, 8 octets. */
  readonly sci: Uint8Array;
  /** Actor Member Identifier, 12 octets. */
  readonly mi: Uint8Array;
  /** Actor Message Number. */
  readonly mn: number;
  /** Defaults to 00-80-C2-01 on emit. */
  readonly algorithmAgility?: number;
  /** CAK Name, 1-32 octets. */
  readonly ckn: Uint8Array;
}

export interface PeerListEntry {
  readonly mi: Uint8Array;
  readonly mn: number;
}

/** Type 1 (Figure 11-9). */
export interface LivePeerList {
  /** Octet 2: reserved (0) before 802.1X-2020; there, the LSB of the Key Server's SSCI when an XPN SAK is distributed. */
  readonly keyServerSsci: number;
  readonly peers: readonly PeerListEntry[];
}

/** Type 2 (Figure 11-9). */
export interface PotentialPeerList {
  readonly peers: readonly PeerListEntry[];
}

/** KI: the Key Server's MI and the KN it assigned (9.8). */
export interface KeyIdentifier {
  readonly mi: Uint8Array;
  readonly kn: number;
}

/** The body of a SAK Use set, present (40 octets) once a SAK is in use. Lowest Acceptable PNs: low 32 bits. */
export interface SakUseKeys {
  readonly latestKi: KeyIdentifier;
  readonly latestLowestPn: number;
  readonly oldKi: KeyIdentifier;
  readonly oldLowestPn: number;
}

/** Type 3 (Figure 11-10). */
export interface SakUse {
  readonly latestAn: number;
  readonly latestTx: boolean;
  readonly latestRx: boolean;
  readonly oldAn: number;
  readonly oldTx: boolean;
  readonly oldRx: boolean;
  readonly plainTx: boolean;
  readonly plainRx: boolean;
  readonly delayProtect: boolean;
  /** Absent: body length 0 (no SAK in use). */
  readonly keys?: SakUseKeys;
}

export interface DistributedSakKey {
  readonly kn: number;
  /** Absent for the default GCM-AES-128 (body 28); present gives body 36 or 52 (11.11.1, Figure 11-11). */
  readonly cipherSuite?: bigint;
  /** AES-KW(KEK, SAK): 24 or 40 octets. */
  readonly wrappedSak: Uint8Array;
}

/** Confidentiality Offset codes of the Distributed SAK set. */
export type ConfidentialityOffsetCode = 0 | 1 | 2 | 3;

/** Type 4 (Figure 11-11). */
export interface DistributedSak {
  readonly an: number;
  /** 0 no confidentiality, 1 offset 0, 2 offset 30, 3 offset 50. */
  readonly confidentialityOffset: ConfidentialityOffsetCode;
  /** Absent: body length 0, MACsec not to be used. */
  readonly key?: DistributedSakKey;
}

/** Type 8 (802.1X-2020): the upper 32 bits of the Lowest Acceptable PNs the SAK Use set carries the lower half of. */
export interface XpnParameterSet {
  readonly suspensionTime: number;
  readonly latestLowestPnHigh: number;
  readonly oldLowestPnHigh: number;
}

/**
 * A parameter set kept as it was: a type this codec does not decode (Distributed CAK, KMD, Announcement,
 * types from later revisions) or a repeat of a decoded type. Receivers skip both (wpa_supplicant, MKAdaemon).
 */
export interface RawParameterSet {
  readonly type: number;
  /** The 12 type-specific bits: octet 2, then the high nibble of octet 3. */
  readonly typeSpecific: number;
  readonly body: Uint8Array;
}

export interface MkpduRepr {
  /** Defaults to the PAE group address. */
  readonly da?: Uint8Array;
  readonly sa: Uint8Array;
  /** Defaults to 3. */
  readonly eapolVersion?: number;
  readonly basic: BasicParameterSet;
  readonly livePeers?: LivePeerList;
  readonly potentialPeers?: PotentialPeerList;
  readonly sakUse?: SakUse;
  readonly distributedSak?: DistributedSak;
  readonly xpn?: XpnParameterSet;
  readonly others?: readonly RawParameterSet[];
  /** Put the ICV behind an ICV Indicator (type 255) rather than bare at the end (11.11.1). */
  readonly icvIndicator?: boolean;
  /**
   * Parameter set types in the order to emit them; sets not named follow in ascending type order, the
   * order 11.11.3 prescribes. A parse records the order it found, so a re-emit reproduces the frame.
   */
  readonly order?: readonly number[];
}

/** A parsed MKPDU: the representation with every default resolved, and the ICV it carried. */
export interface Mkpdu extends MkpduRepr {
  readonly da: Uint8Array;
  readonly eapolVersion: number;
  readonly basic: BasicParameterSet & { readonly algorithmAgility: number };
  readonly others: readonly RawParameterSet[];
  readonly icvIndicator: boolean;
  readonly order: readonly number[];
  readonly icv: Uint8Array;
}

/** Returns the ICK of the CA a CKN names, or undefined when this participant holds no such CAK. */
export type IckLookup = (ckn: Uint8Array) => Uint8Array | undefined;

const align4 = (n: number): number => (n + 3) & ~3;

const CONFIDENTIALITY_OFFSETS: readonly (number | undefined)[] = [undefined, 0, 30, 50];

/** The offset a Confidentiality Offset code stands for; undefined for 0 (no confidentiality). */
export const confidentialityOffsetOf = (code: ConfidentialityOffsetCode): 0 | 30 | 50 | undefined =>
  CONFIDENTIALITY_OFFSETS[code] as 0 | 30 | 50 | undefined;

export function confidentialityOffsetCode(offset: 0 | 30 | 50 | undefined): ConfidentialityOffsetCode {
  const code = CONFIDENTIALITY_OFFSETS.indexOf(offset);
  if (code < 0) throw new ConfigError('confidentiality offset', '0, 30, 50 or undefined', describe(offset));
  return code as ConfidentialityOffsetCode;
}

/** Whether the parameter sets appear in ascending type order (11.11.3); MKAdaemon discards MKPDUs that do not. */
export function isCanonicalOrder(mkpdu: Pick<Mkpdu, 'order'>): boolean {
  for (let i = 1; i < mkpdu.order.length; i++) if (mkpdu.order[i]! < mkpdu.order[i - 1]!) return false;
  return true;
}

// ---------------------------------------------------------------- parse

interface SetSpan {
  readonly type: number;
  readonly typeSpecific: number;
  /** Offset of the set header in the frame. */
  readonly offset: number;
  readonly bodyLength: number;
}

const bodyLengthAt = (frame: Uint8Array, o: number): number => ((frame[o + 2]! & 0x0f) << 8) | frame[o + 3]!;

/**
 * Parses and verifies an MKPDU: frame and EAPOL header, lengths, the CKN (via `lookupIck`), the Algorithm
 * Agility and the ICV, then the parameter sets. Trailing octets beyond the Packet Body Length (Ethernet
 * padding) are ignored. Throws only if `lookupIck` returns a key that is not 16 or 32 octets.
 */
export function parseMkpdu(frame: Uint8Array, lookupIck: IckLookup): MkaResult<Mkpdu> {
  return parse(frame, lookupIck);
}

/** The structure of an MKPDU without checking its ICV: for dissectors only, never to act on. */
export function decodeMkpdu(frame: Uint8Array): MkaResult<Mkpdu> {
  return parse(frame, undefined);
}

function parse(frame: Uint8Array, lookupIck: IckLookup | undefined): MkaResult<Mkpdu> {
  if (frame.length < MKPDU_OFFSET) {
    return fail('TRUNCATED', 'EAPOL header', EAPOL_OFFSET, `frame of ${frame.length} octets ends before the EAPOL header`);
  }
  const etherType = readU16(frame, 2 * MAC_LENGTH);
  if (etherType !== EtherType.EAPOL) {
    return fail('NOT_MKPDU', 'EtherType', 2 * MAC_LENGTH, `0x${etherType.toString(16).padStart(4, '0')}, not EAPOL (0x888e; MKPDUs are untagged)`);
  }
  const eapolVersion = frame[EAPOL_OFFSET]!;
  const packetType = frame[EAPOL_OFFSET + 1]!;
  if (packetType !== EAPOL_MKA) return fail('NOT_MKPDU', 'Packet Type', EAPOL_OFFSET + 1, `${packetType}, not EAPOL-MKA (5)`);
  if (eapolVersion === 0) return fail('BAD_VERSION', 'Protocol Version', EAPOL_OFFSET, 'EAPOL version 0');
  if (!isGroupAddress(frame, 0)) return fail('BAD_DESTINATION', 'DA', 0, 'an individual address (11.11.2 a)');

  const bodyLength = readU16(frame, EAPOL_OFFSET + 2);
  if (bodyLength < MIN_MKPDU_LENGTH || bodyLength % 4 !== 0) {
    return fail('BAD_LENGTH', 'Packet Body Length', EAPOL_OFFSET + 2, `${bodyLength}: an MKPDU is at least 32 octets and a multiple of 4 (11.11.2 b, c)`);
  }
  const end = MKPDU_OFFSET + bodyLength;
  if (frame.length < end) {
    return fail('TRUNCATED', 'Packet Body Length', EAPOL_OFFSET + 2, `claims ${bodyLength} octets, ${frame.length - MKPDU_OFFSET} present`);
  }
  const icvStart = end - ICV_LENGTH;

  // Basic Parameter Set (11.11.2 d)
  const b = MKPDU_OFFSET;
  const mkaVersion = frame[b]!;
  if (mkaVersion === 0) return fail('BAD_VERSION', 'MKA Version Identifier', b, 'MKA version 0');
  const basicLength = bodyLengthAt(frame, b);
  const cknLength = basicLength - BASIC_FIXED_LENGTH;
  if (cknLength < MIN_CKN_LENGTH || cknLength > MAX_CKN_LENGTH) {
    return fail('BAD_LENGTH', 'Basic Parameter Set body length', b + 2, `${basicLength}: a CAK Name of ${cknLength} octets (1-32 allowed)`);
  }
  let o = b + align4(SET_HEADER_LENGTH + basicLength);
  if (o > icvStart) {
    return fail('BAD_LENGTH', 'Basic Parameter Set body length', b + 2, `${basicLength}: leaves no room for the ICV in an MKPDU of ${bodyLength} octets`);
  }

  // Set headers up to the ICV; the body length and 4-octet alignment of everything keep `o` on a header.
  const spans: SetSpan[] = [];
  let icvIndicator = false;
  while (o < icvStart) {
    const type = frame[o]!;
    const length = bodyLengthAt(frame, o);
    if (type === ParameterSetType.IcvIndicator) {
      if (length !== ICV_LENGTH) return fail('BAD_LENGTH', 'ICV Indicator body length', o + 2, `${length}: the ICV is ${ICV_LENGTH} octets`);
      if (o + SET_HEADER_LENGTH !== icvStart) return fail('BAD_LENGTH', 'ICV Indicator', o, 'not immediately followed by the ICV at the end of the MKPDU');
      icvIndicator = true;
      o += SET_HEADER_LENGTH;
      break;
    }
    const next = o + SET_HEADER_LENGTH + align4(length);
    if (next > icvStart) {
      return fail('BAD_LENGTH', 'Parameter set body length', o + 2, `set of type ${type} claims ${length} octets, ${icvStart - o - SET_HEADER_LENGTH} left before the ICV`);
    }
    spans.push({ type, typeSpecific: (frame[o + 1]! << 4) | (frame[o + 2]! >>> 4), offset: o, bodyLength: length });
    o = next;
  }

  const ckn = frame.slice(b + SET_HEADER_LENGTH + BASIC_FIXED_LENGTH, b + SET_HEADER_LENGTH + basicLength);
  const agilityOffset = b + SET_HEADER_LENGTH + SCI_LENGTH + MI_LENGTH + 4;
  const algorithmAgility = readU32(frame, agilityOffset);
  const icv = frame.slice(icvStart, end);
  if (lookupIck !== undefined) {
    const ick = lookupIck(ckn);
    if (ick === undefined) return fail('UNKNOWN_CKN', 'CAK Name', b + SET_HEADER_LENGTH + BASIC_FIXED_LENGTH, 'no CAK with this name (11.11.2 f)');
    if (algorithmAgility !== ALGORITHM_AGILITY_2009) {
      return fail('BAD_ALGORITHM', 'Algorithm Agility', agilityOffset, `0x${algorithmAgility.toString(16).padStart(8, '0')}: only 00-80-C2-01 is known (11.11.2 g)`);
    }
    if (!constantTimeEqual(mkpduIcv(ick, frame.subarray(0, icvStart)), icv)) {
      return fail('BAD_ICV', 'ICV', icvStart, 'AES-CMAC under the ICK does not match (11.11.2 f)');
    }
  }

  const basic = {
    mkaVersion,
    keyServerPriority: frame[b + 1]!,
    keyServer: (frame[b + 2]! & 0x80) !== 0,
    macsecDesired: (frame[b + 2]! & 0x40) !== 0,
    macsecCapability: ((frame[b + 2]! >>> 4) & 3) as MacsecCapability,
    sci: frame.slice(b + 4, b + 4 + SCI_LENGTH),
    mi: frame.slice(b + 4 + SCI_LENGTH, b + 4 + SCI_LENGTH + MI_LENGTH),
    mn: readU32(frame, b + 4 + SCI_LENGTH + MI_LENGTH),
    algorithmAgility,
    ckn,
  };
  const sets: DecodedSets = {};
  const others: RawParameterSet[] = [];
  for (const span of spans) {
    const field = FIELD_OF_TYPE[span.type];
    if (field === undefined || sets[field] !== undefined) {
      others.push({ type: span.type, typeSpecific: span.typeSpecific, body: frame.slice(span.offset + 4, span.offset + 4 + span.bodyLength) });
      continue;
    }
    const decoded = decodeSet(frame, span);
    if (!decoded.ok) return decoded;
    Object.assign(sets, decoded.value);
  }
  return ok({
    da: frame.slice(0, MAC_LENGTH),
    sa: frame.slice(MAC_LENGTH, 2 * MAC_LENGTH),
    eapolVersion,
    basic,
    ...sets,
    others,
    icvIndicator,
    order: spans.map((s) => s.type),
    icv,
  });
}

type SetField = keyof DecodedSets;

const FIELD_OF_TYPE: Readonly<Record<number, SetField>> = {
  [ParameterSetType.LivePeerList]: 'livePeers',
  [ParameterSetType.PotentialPeerList]: 'potentialPeers',
  [ParameterSetType.SakUse]: 'sakUse',
  [ParameterSetType.DistributedSak]: 'distributedSak',
  [ParameterSetType.Xpn]: 'xpn',
};

interface DecodedSets {
  livePeers?: LivePeerList;
  potentialPeers?: PotentialPeerList;
  sakUse?: SakUse;
  distributedSak?: DistributedSak;
  xpn?: XpnParameterSet;
}

/** Decodes a set of one of the types in FIELD_OF_TYPE. */
function decodeSet(frame: Uint8Array, span: SetSpan): MkaResult<DecodedSets> {
  const h = span.offset;
  const body = h + SET_HEADER_LENGTH;
  const len = span.bodyLength;
  const badLength = (name: string, expected: string) =>
    fail<never>('BAD_LENGTH', `${name} body length`, h + 2, `${len}: expected ${expected}`);
  switch (span.type) {
    case ParameterSetType.LivePeerList:
    case ParameterSetType.PotentialPeerList: {
      const live = span.type === ParameterSetType.LivePeerList;
      if (len % PEER_ENTRY_LENGTH !== 0) return badLength(live ? 'Live Peer List' : 'Potential Peer List', 'a multiple of 16');
      const peers: PeerListEntry[] = [];
      for (let p = body; p < body + len; p += PEER_ENTRY_LENGTH) {
        peers.push({ mi: frame.slice(p, p + MI_LENGTH), mn: readU32(frame, p + MI_LENGTH) });
      }
      return ok(live ? { livePeers: { keyServerSsci: frame[h + 1]!, peers } } : { potentialPeers: { peers } });
    }
    case ParameterSetType.SakUse: {
      if (len !== 0 && len !== SAK_USE_BODY_LENGTH) return badLength('MACsec SAK Use', '0 or 40 (802.1X-2020 Figure 11-10)');
      const f = frame[h + 1]!;
      const g = frame[h + 2]!;
      const ki = (p: number): KeyIdentifier => ({ mi: frame.slice(p, p + MI_LENGTH), kn: readU32(frame, p + MI_LENGTH) });
      const sakUse: SakUse = {
        latestAn: f >>> 6,
        latestTx: (f & 0x20) !== 0,
        latestRx: (f & 0x10) !== 0,
        oldAn: (f >>> 2) & 3,
        oldTx: (f & 0x02) !== 0,
        oldRx: (f & 0x01) !== 0,
        plainTx: (g & 0x80) !== 0,
        plainRx: (g & 0x40) !== 0,
        delayProtect: (g & 0x10) !== 0,
        ...(len === 0
          ? {}
          : {
              keys: {
                latestKi: ki(body),
                latestLowestPn: readU32(frame, body + 16),
                oldKi: ki(body + 20),
                oldLowestPn: readU32(frame, body + 36),
              },
            }),
      };
      return ok({ sakUse });
    }
    case ParameterSetType.DistributedSak: {
      const f = frame[h + 1]!;
      const head = { an: f >>> 6, confidentialityOffset: ((f >>> 4) & 3) as ConfidentialityOffsetCode };
      const explicit = len === 4 + CIPHER_SUITE_LENGTH + 16 + WRAP_OVERHEAD || len === 4 + CIPHER_SUITE_LENGTH + 32 + WRAP_OVERHEAD;
      if (len === 0) return ok({ distributedSak: head });
      if (len !== KN_LENGTH + 16 + WRAP_OVERHEAD && !explicit) return badLength('Distributed SAK', '0, 28, 36 or 52');
      const wrapAt = body + KN_LENGTH + (explicit ? CIPHER_SUITE_LENGTH : 0);
      const wrappedSak = frame.slice(wrapAt, body + len);
      if (!explicit) return ok({ distributedSak: { ...head, key: { kn: readU32(frame, body), wrappedSak } } });
      const cipherSuite = (BigInt(readU32(frame, body + 4)) << 32n) | BigInt(readU32(frame, body + 8));
      const suite = cipherSuiteById(cipherSuite);
      if (suite !== undefined && suite.keyLength + WRAP_OVERHEAD !== wrappedSak.length) {
        return badLength('Distributed SAK', `${4 + CIPHER_SUITE_LENGTH + suite.keyLength + WRAP_OVERHEAD} for ${suite.name}`);
      }
      return ok({ distributedSak: { ...head, key: { kn: readU32(frame, body), cipherSuite, wrappedSak } } });
    }
    case ParameterSetType.Xpn: {
      if (len !== XPN_BODY_LENGTH) return badLength('XPN', '8');
      return ok({
        xpn: { suspensionTime: frame[h + 1]!, latestLowestPnHigh: readU32(frame, body), oldLowestPnHigh: readU32(frame, body + 4) },
      });
    }
    default:
      return fail('BAD_LENGTH', 'parameter set', h, `type ${span.type} is not decoded here`); // unreachable: see FIELD_OF_TYPE
  }
}

// ---------------------------------------------------------------- emit

const checkBytes = (value: Uint8Array, field: string, length: number): void => {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new ConfigError(field, `${length} octets`, describe(value));
};

const checkInt = (value: number, field: string, max: number): void => {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new ConfigError(field, `an integer 0-${max}`, describe(value));
};

function setBytes(type: number, typeSpecific: number, body: Uint8Array, field: string): Uint8Array {
  if (body.length > MAX_BODY_LENGTH) throw new ConfigError(`${field} body`, `at most ${MAX_BODY_LENGTH} octets`, describe(body));
  const out = new Uint8Array(SET_HEADER_LENGTH + align4(body.length));
  out[0] = type;
  out[1] = typeSpecific >>> 4;
  out[2] = ((typeSpecific & 0x0f) << 4) | (body.length >>> 8);
  out[3] = body.length & 0xff;
  out.set(body, SET_HEADER_LENGTH);
  return out;
}

function peersBody(peers: readonly PeerListEntry[], field: string): Uint8Array {
  const body = new Uint8Array(peers.length * PEER_ENTRY_LENGTH);
  peers.forEach((peer, i) => {
    checkBytes(peer.mi, `${field}[${i}].mi`, MI_LENGTH);
    checkInt(peer.mn, `${field}[${i}].mn`, 0xffff_ffff);
    body.set(peer.mi, i * PEER_ENTRY_LENGTH);
    writeU32(body, i * PEER_ENTRY_LENGTH + MI_LENGTH, peer.mn);
  });
  return body;
}

function writeKi(body: Uint8Array, o: number, ki: KeyIdentifier, field: string): void {
  checkBytes(ki.mi, `${field}.mi`, MI_LENGTH);
  checkInt(ki.kn, `${field}.kn`, 0xffff_ffff);
  body.set(ki.mi, o);
  writeU32(body, o + MI_LENGTH, ki.kn);
}

function sakUseBytes(s: SakUse): Uint8Array {
  checkInt(s.latestAn, 'sakUse.latestAn', 3);
  checkInt(s.oldAn, 'sakUse.oldAn', 3);
  const flags = (s.latestAn << 6) | (s.latestTx ? 0x20 : 0) | (s.latestRx ? 0x10 : 0) | (s.oldAn << 2) | (s.oldTx ? 0x02 : 0) | (s.oldRx ? 0x01 : 0);
  const more = (s.plainTx ? 0x80 : 0) | (s.plainRx ? 0x40 : 0) | (s.delayProtect ? 0x10 : 0);
  let body = new Uint8Array(0);
  if (s.keys !== undefined) {
    body = new Uint8Array(SAK_USE_BODY_LENGTH);
    writeKi(body, 0, s.keys.latestKi, 'sakUse.keys.latestKi');
    checkInt(s.keys.latestLowestPn, 'sakUse.keys.latestLowestPn', 0xffff_ffff);
    writeU32(body, 16, s.keys.latestLowestPn);
    writeKi(body, 20, s.keys.oldKi, 'sakUse.keys.oldKi');
    checkInt(s.keys.oldLowestPn, 'sakUse.keys.oldLowestPn', 0xffff_ffff);
    writeU32(body, 36, s.keys.oldLowestPn);
  }
  return setBytes(ParameterSetType.SakUse, (flags << 4) | (more >>> 4), body, 'sakUse');
}

function distributedSakBytes(d: DistributedSak): Uint8Array {
  checkInt(d.an, 'distributedSak.an', 3);
  checkInt(d.confidentialityOffset, 'distributedSak.confidentialityOffset', 3);
  const typeSpecific = ((d.an << 6) | (d.confidentialityOffset << 4)) << 4;
  const k = d.key;
  if (k === undefined) return setBytes(ParameterSetType.DistributedSak, typeSpecific, new Uint8Array(0), 'distributedSak');
  checkInt(k.kn, 'distributedSak.key.kn', 0xffff_ffff);
  const wrapLengths = k.cipherSuite === undefined ? [16 + WRAP_OVERHEAD] : [16 + WRAP_OVERHEAD, 32 + WRAP_OVERHEAD];
  if (!(k.wrappedSak instanceof Uint8Array) || !wrapLengths.includes(k.wrappedSak.length)) {
    throw new ConfigError('distributedSak.key.wrappedSak', `${wrapLengths.join(' or ')} octets`, describe(k.wrappedSak));
  }
  const suiteLength = k.cipherSuite === undefined ? 0 : CIPHER_SUITE_LENGTH;
  const body = new Uint8Array(KN_LENGTH + suiteLength + k.wrappedSak.length);
  writeU32(body, 0, k.kn);
  if (k.cipherSuite !== undefined) {
    if (k.cipherSuite < 0n || k.cipherSuite > 0xffff_ffff_ffff_ffffn) {
      throw new ConfigError('distributedSak.key.cipherSuite', 'a 64-bit unsigned integer', describe(k.cipherSuite));
    }
    writeU32(body, 4, Number(k.cipherSuite >> 32n));
    writeU32(body, 8, Number(k.cipherSuite & 0xffff_ffffn));
  }
  body.set(k.wrappedSak, KN_LENGTH + suiteLength);
  return setBytes(ParameterSetType.DistributedSak, typeSpecific, body, 'distributedSak');
}

function xpnBytes(x: XpnParameterSet): Uint8Array {
  checkInt(x.suspensionTime, 'xpn.suspensionTime', 0xff);
  checkInt(x.latestLowestPnHigh, 'xpn.latestLowestPnHigh', 0xffff_ffff);
  checkInt(x.oldLowestPnHigh, 'xpn.oldLowestPnHigh', 0xffff_ffff);
  const body = new Uint8Array(XPN_BODY_LENGTH);
  writeU32(body, 0, x.latestLowestPnHigh);
  writeU32(body, 4, x.oldLowestPnHigh);
  return setBytes(ParameterSetType.Xpn, x.suspensionTime << 4, body, 'xpn');
}

function basicBytes(basic: BasicParameterSet): Uint8Array {
  checkInt(basic.mkaVersion, 'basic.mkaVersion', 0xff);
  checkInt(basic.keyServerPriority, 'basic.keyServerPriority', 0xff);
  checkInt(basic.macsecCapability, 'basic.macsecCapability', 3);
  checkBytes(basic.sci, 'basic.sci', SCI_LENGTH);
  checkBytes(basic.mi, 'basic.mi', MI_LENGTH);
  checkInt(basic.mn, 'basic.mn', 0xffff_ffff);
  const agility = basic.algorithmAgility ?? ALGORITHM_AGILITY_2009;
  checkInt(agility, 'basic.algorithmAgility', 0xffff_ffff);
  const ckn = basic.ckn;
  if (!(ckn instanceof Uint8Array) || ckn.length < MIN_CKN_LENGTH || ckn.length > MAX_CKN_LENGTH) {
    throw new ConfigError('basic.ckn', `${MIN_CKN_LENGTH}-${MAX_CKN_LENGTH} octets`, describe(ckn));
  }
  const length = BASIC_FIXED_LENGTH + ckn.length;
  const out = new Uint8Array(align4(SET_HEADER_LENGTH + length));
  out[0] = basic.mkaVersion;
  out[1] = basic.keyServerPriority;
  out[2] = (basic.keyServer ? 0x80 : 0) | (basic.macsecDesired ? 0x40 : 0) | (basic.macsecCapability << 4) | (length >>> 8);
  out[3] = length & 0xff;
  out.set(basic.sci, 4);
  out.set(basic.mi, 4 + SCI_LENGTH);
  writeU32(out, 4 + SCI_LENGTH + MI_LENGTH, basic.mn);
  writeU32(out, 4 + SCI_LENGTH + MI_LENGTH + 4, agility);
  out.set(ckn, SET_HEADER_LENGTH + BASIC_FIXED_LENGTH);
  return out;
}

interface Encoded {
  readonly type: number;
  readonly bytes: Uint8Array;
  used: boolean;
}

/** The parameter sets after the Basic one, encoded, in emission order. */
function encodeSets(repr: MkpduRepr): Uint8Array[] {
  const known: Encoded[] = [];
  const add = (type: number, bytes: Uint8Array) => known.push({ type, bytes, used: false });
  if (repr.livePeers !== undefined) {
    checkInt(repr.livePeers.keyServerSsci, 'livePeers.keyServerSsci', 0xff);
    add(ParameterSetType.LivePeerList, setBytes(1, repr.livePeers.keyServerSsci << 4, peersBody(repr.livePeers.peers, 'livePeers.peers'), 'livePeers'));
  }
  if (repr.potentialPeers !== undefined) {
    add(ParameterSetType.PotentialPeerList, setBytes(2, 0, peersBody(repr.potentialPeers.peers, 'potentialPeers.peers'), 'potentialPeers'));
  }
  if (repr.sakUse !== undefined) add(ParameterSetType.SakUse, sakUseBytes(repr.sakUse));
  if (repr.distributedSak !== undefined) add(ParameterSetType.DistributedSak, distributedSakBytes(repr.distributedSak));
  if (repr.xpn !== undefined) add(ParameterSetType.Xpn, xpnBytes(repr.xpn));
  // Decoded sets before raw ones of the same type: a parse decodes the first of each type.
  (repr.others ?? []).forEach((raw, i) => {
    checkInt(raw.type, `others[${i}].type`, 254);
    checkInt(raw.typeSpecific, `others[${i}].typeSpecific`, 0xfff);
    add(raw.type, setBytes(raw.type, raw.typeSpecific, raw.body, `others[${i}]`));
  });
  const out: Uint8Array[] = [];
  for (const type of repr.order ?? []) {
    const next = known.find((e) => !e.used && e.type === type);
    if (next === undefined) continue;
    next.used = true;
    out.push(next.bytes);
  }
  const rest = known.filter((e) => !e.used).sort((a, b) => a.type - b.type); // stable (ES2019)
  return [...out, ...rest.map((e) => e.bytes)];
}

/** Builds the frame: Ethernet and EAPOL headers, the parameter sets, and the ICV under `ick`. */
export function emitMkpdu(repr: MkpduRepr, ick: Uint8Array): Uint8Array {
  checkAesKey(ick, 'ICK');
  const da = repr.da ?? PAE_GROUP_ADDRESS;
  checkBytes(da, 'da', MAC_LENGTH);
  checkBytes(repr.sa, 'sa', MAC_LENGTH);
  const version = repr.eapolVersion ?? EAPOL_VERSION;
  checkInt(version, 'eapolVersion', 0xff);
  const parts = [basicBytes(repr.basic), ...encodeSets(repr)];
  // The ICV Indicator's body length names the ICV that follows it (11.11.1).
  if (repr.icvIndicator === true) parts.push(Uint8Array.of(ParameterSetType.IcvIndicator, 0, 0, ICV_LENGTH));
  const bodyLength = parts.reduce((n, p) => n + p.length, 0) + ICV_LENGTH;
  if (bodyLength > 0xffff) throw new ConfigError('MKPDU', 'at most 65535 octets', `${bodyLength} octets`);
  const frame = new Uint8Array(MKPDU_OFFSET + bodyLength);
  frame.set(da, 0);
  frame.set(repr.sa, MAC_LENGTH);
  writeU16(frame, 2 * MAC_LENGTH, EtherType.EAPOL);
  frame[EAPOL_OFFSET] = version;
  frame[EAPOL_OFFSET + 1] = EAPOL_MKA;
  writeU16(frame, EAPOL_OFFSET + 2, bodyLength);
  let o = MKPDU_OFFSET;
  for (const p of parts) {
    frame.set(p, o);
    o += p.length;
  }
  frame.set(mkpduIcv(ick, frame.subarray(0, o)), o);
  return frame;
}
