/**
 * A frame explained field by field, as someone learning MACsec would want to read it: every TCI bit
 * named with its meaning, SL, PN, the SCI split into system address and port, where the secure data
 * and ICV lie, and, given the keys, whether the ICV verifies and what the user data says.
 */
import { validate } from '../crypto/macsec.js';
import type { SaContext, SaKey } from '../crypto/sa.js';
import type { ConfidentialityOffset } from '../crypto/suite.js';
import { hexdump } from '../util/hexdump.js';
import { toHex } from '../util/hex.js';
import { EtherType, etherTypeName, ETHERTYPE_OFFSET, isVlanTpid, parseEthernet, readU16, VLAN_TAG_LENGTH, type VlanTag } from '../wire/ethernet.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { formatMac, isGroupAddress } from '../wire/mac.js';
import { formatSci, implicitSci, sciPort } from '../wire/sci.js';
import { ICV_LENGTH, MIN_NON_SHORT_LENGTH, SECTAG_PN, SECTAG_SCI, SECTAG_SL, SECTAG_TCI_AN, TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, TCI_V, type SecTag } from '../wire/sectag.js';
import { cipherSuiteById } from '../crypto/suite.js';
import {
  ALGORITHM_AGILITY_2009,
  decodeMkpdu,
  EAPOL_MKA,
  MKPDU_OFFSET,
  parseMkpdu,
  ParameterSetType,
  type IckLookup,
  type Mkpdu,
  type PeerListEntry,
} from '../mka/mkpdu.js';
import { ICV_LENGTH as MKPDU_ICV_LENGTH } from '../mka/keys.js';
import type { ExplainNode } from './tree.js';

/** How to validate a frame: the receive SA, the SCI and the full PN, as a receiver would find them. */
export interface ResolvedKey {
  readonly sa: SaContext;
  /** The key `sa` was made from, for the GCM walk-through (explain --steps, gcmTrace). */
  readonly key: SaKey;
  readonly sci: Uint8Array;
  /** The full PN (XPN: recovered from the low 32 bits). */
  readonly pn: bigint;
  readonly confidentialityOffset: ConfidentialityOffset;
  /** Where the key came from, e.g. "receive SC 12:15:35:24:c0:89/1, AN 2". */
  readonly description: string;
}

export type KeyResolver = (frame: Uint8Array, layout: MacsecFrame) => ResolvedKey | { readonly missing: string };

export interface ExplainOptions {
  readonly keys?: KeyResolver;
  /** Allow PN 0 (XPN). Taken from the keys' suite when keys are given. */
  readonly xpn?: boolean;
  /** The ICK for a CAK Name, to check an MKPDU's ICV; without it the ICV is shown but cannot be checked. */
  readonly mkaIck?: IckLookup;
}

const bits = (octet: number, mask: number): string => {
  let s = '';
  for (let b = 0x80; b > 0; b >>= 1) s += (b & mask ? (octet & b ? '1' : '0') : '.') + (b === 0x10 ? ' ' : '');
  return s;
};

function macNode(label: string, frame: Uint8Array, offset: number): ExplainNode {
  const group = isGroupAddress(frame, offset);
  const broadcast = frame.subarray(offset, offset + 6).every((b) => b === 0xff);
  const local = (frame[offset]! & 2) !== 0;
  const kind = broadcast ? 'broadcast' : group ? 'group (multicast)' : 'individual (unicast)';
  return { label, value: formatMac(frame, offset), offset, length: 6, note: `${kind}${local ? ', locally administered' : ''}` };
}

function vlanNode(tag: VlanTag, offset: number, clear: boolean): ExplainNode {
  return {
    label: tag.tpid === EtherType.QinQ ? '802.1ad S-tag' : '802.1Q C-tag',
    value: `VID ${tag.vid}, PCP ${tag.pcp}${tag.dei ? ', DEI' : ''}`,
    offset,
    length: VLAN_TAG_LENGTH,
    status: clear ? 'warn' : undefined,
    note: clear
      ? 'in clear before the SecTAG and outside the ICV (an extension, as Linux does over a VLAN device): not protected, anyone can change it'
      : undefined,
  };
}

function tciNodes(tag: SecTag, octet: number): ExplainNode[] {
  const flag = (mask: number, name: string, on: string, off: string): ExplainNode => ({
    label: `${bits(octet, mask)}  ${name}`,
    value: octet & mask ? '1' : '0',
    note: octet & mask ? on : off,
  });
  return [
    flag(TCI_V, 'V   version', 'version 1: not defined, such a frame is discarded', 'version 0, the only MACsec version'),
    flag(TCI_ES, 'ES  end station', 'sent by an end station: the SCI is the source address with port 1, so it can be left out', 'not from an end station (or not saying so)'),
    flag(TCI_SC, 'SC  SCI present', 'the 8-octet SCI follows the PN', 'no SCI in the SecTAG: the receiver infers it'),
    flag(TCI_SCB, 'SCB single copy broadcast', 'EPON single copy broadcast (with ES: the SCI is the source address with port 0)', 'not an EPON single copy broadcast'),
    flag(TCI_E, 'E   encryption', 'the secure data is encrypted', 'the secure data is not encrypted'),
    flag(TCI_C, 'C   changed text', 'the secure data differs from the user data (it is ciphertext)', tag.tci.e ? '' : 'the secure data is the user data, unchanged'),
    { label: `${bits(octet, 3)}  AN  association number`, value: String(tag.an), note: `selects one of the channel's four SAs (keys): SA ${tag.an}` },
  ];
}

function userDataNodes(user: Uint8Array, baseOffset: number, heading: string, note: string): ExplainNode {
  const children: ExplainNode[] = [];
  let o = 0;
  while (o + 4 <= user.length && isVlanTpid(readU16(user, o))) {
    const tci = readU16(user, o + 2);
    children.push(vlanNode({ tpid: readU16(user, o), pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff }, baseOffset + o, false));
    o += VLAN_TAG_LENGTH;
  }
  if (o + 2 <= user.length) {
    const type = readU16(user, o);
    children.push({ label: 'EtherType', value: `0x${type.toString(16).padStart(4, '0')} (${etherTypeName(type)})`, offset: baseOffset + o, length: 2 });
    o += 2;
  }
  children.push({
    label: 'Payload',
    value: `${user.length - o} octets`,
    offset: baseOffset + o,
    length: user.length - o,
    children: hexdump(user.subarray(o), 0, 128).map((line) => ({ label: line })),
  });
  return { label: heading, value: `${user.length} octets`, note, children };
}

/** The explanation of one frame. Never throws on frame contents. */
export function explainFrame(frame: Uint8Array, options: ExplainOptions = {}): ExplainNode[] {
  const root: ExplainNode[] = [];
  if (frame.length < ETHERTYPE_OFFSET + 2) {
    return [{ label: 'Frame', value: `${frame.length} octets`, status: 'bad', note: 'too short for an Ethernet header (14 octets)' }];
  }
  const parsed = parseMacsecFrame(frame, { clearTags: 'auto', allowZeroPN: true });
  const ethernet: ExplainNode[] = [macNode('Destination', frame, 0), macNode('Source', frame, 6)];
  if (!parsed.ok && parsed.error.code === 'NOT_MACSEC') {
    const eth = parseEthernet(frame);
    const eapol = eth.ok && eth.value.etherType === EtherType.EAPOL;
    root.push({
      label: 'Frame',
      value: `${frame.length} octets`,
      note: eapol
        ? 'no SecTAG: an EAPOL frame for the Uncontrolled Port (a Strict SecY counts it InPktsNoTag on the Controlled Port; the KaY still gets it)'
        : 'no SecTAG: not protected by MACsec (a Strict receiver drops it as InPktsNoTag)',
      status: eapol ? undefined : 'warn',
    });
    root.push({ label: 'Ethernet', children: ethernet });
    if (eth.ok) {
      const type = eth.value.etherType;
      if (type === EtherType.EAPOL && eth.value.headerLength === ETHERTYPE_OFFSET + 2) {
        root.push(...eapolNodes(frame, options.mkaIck));
        return root;
      }
      root.push(userDataNodes(frame.subarray(ETHERTYPE_OFFSET), ETHERTYPE_OFFSET, 'User data', 'in clear'));
    }
    return root;
  }
  root.push({ label: 'Frame', value: `${frame.length} octets`, note: 'MACsec (IEEE 802.1AE)' });
  if (!parsed.ok) {
    const e = parsed.error;
    root.push({ label: 'Ethernet', children: ethernet });
    root.push({
      label: 'SecTAG',
      status: 'bad',
      value: `invalid (${e.code})`,
      offset: e.offset,
      note: `${e.field} at offset ${e.offset}: ${e.message.slice(e.message.lastIndexOf(': ') + 2)}; a receiver counts it as InPktsBadTag and drops it`,
    });
    return root;
  }
  const m = parsed.value;
  const tag = m.secTag;
  m.clearTags.forEach((t, i) => ethernet.push(vlanNode(t, ETHERTYPE_OFFSET + i * VLAN_TAG_LENGTH, true)));
  root.push({ label: 'Ethernet', children: ethernet });

  const tciOctet = tag.tciAn;
  const secTagChildren: ExplainNode[] = [
    { label: 'EtherType', value: '0x88e5 (MACsec)', offset: m.secTagOffset, length: 2 },
    { label: 'TCI/AN', value: `0x${tciOctet.toString(16).padStart(2, '0')}`, offset: m.secTagOffset + SECTAG_TCI_AN, length: 1, children: tciNodes(tag, tciOctet) },
    {
      label: 'SL  short length',
      value: String(tag.sl),
      offset: m.secTagOffset + SECTAG_SL,
      length: 1,
      note: tag.sl === 0 ? `secure data is ${MIN_NON_SHORT_LENGTH} octets or more` : `secure data is ${tag.sl} octets; anything after the ICV is padding`,
    },
    {
      label: 'PN  packet number',
      value: `${tag.pn} (0x${tag.pn.toString(16).padStart(8, '0')})`,
      offset: m.secTagOffset + SECTAG_PN,
      length: 4,
      note: 'never repeats under one key: the receiver uses it against replay; with XPN these are the low 32 of 64 bits',
    },
  ];
  if (tag.sci) {
    secTagChildren.push({
      label: 'SCI secure channel identifier',
      value: toHex(tag.sci),
      offset: m.secTagOffset + SECTAG_SCI,
      length: 8,
      children: [
        { label: 'System address', value: formatMac(tag.sci, 0) },
        { label: 'Port', value: `${sciPort(tag.sci)} (0x${sciPort(tag.sci).toString(16).padStart(4, '0')})` },
      ],
    });
  } else {
    const implied = implicitSci(frame, tag.tci);
    secTagChildren.push({
      label: 'SCI (implicit)',
      value: implied ? formatSci(implied) : 'the receive SC of a point-to-point link',
      note: implied
        ? `ES=1: the source address with port ${sciPort(implied)}${tag.tci.scb ? ' (the single copy broadcast SC)' : ''}`
        : 'ES=0 and SC=0: the receiver has one peer and knows its SCI',
    });
  }
  root.push({ label: 'SecTAG', value: `${m.secureDataOffset - m.secTagOffset} octets`, offset: m.secTagOffset, length: m.secureDataOffset - m.secTagOffset, children: secTagChildren });

  const encrypted = tag.tci.e;
  const resolved = options.keys?.(frame, m);
  const offset = resolved && 'sa' in resolved ? resolved.confidentialityOffset : 0;
  const secureNote = encrypted
    ? offset > 0
      ? `the first ${offset} octets in clear (confidentiality offset), the rest encrypted with AES-GCM`
      : 'encrypted with AES-GCM: an eavesdropper sees only ciphertext'
    : 'integrity only: in clear, anyone on the wire can read it, nobody can change it unnoticed';
  if (!encrypted) {
    root.push(userDataNodes(frame.subarray(m.secureDataOffset, m.icvOffset), m.secureDataOffset, 'Secure data', secureNote));
  } else {
    root.push({
      label: 'Secure data',
      value: `${m.secureDataLength} octets`,
      offset: m.secureDataOffset,
      length: m.secureDataLength,
      note: secureNote,
      children: hexdump(frame.subarray(m.secureDataOffset, m.icvOffset), 0, 64).map((line) => ({ label: line })),
    });
  }
  root.push({
    label: 'ICV integrity check value',
    value: toHex(frame.subarray(m.icvOffset, m.icvOffset + ICV_LENGTH)),
    offset: m.icvOffset,
    length: ICV_LENGTH,
    note: 'the GCM tag over DA, SA, SecTAG and the secure data',
  });
  if (m.padding > 0) {
    root.push({ label: 'Padding', value: `${m.padding} octets`, offset: m.icvOffset + ICV_LENGTH, length: m.padding, note: 'added by the MAC to reach 60 octets; not part of the frame MACsec protected' });
  }

  if (resolved === undefined) return root;
  if ('missing' in resolved) {
    root.push({ label: 'Validation', status: 'warn', value: 'not possible', note: resolved.missing });
    return root;
  }
  const plain = validate(resolved.sa, frame, m, { sci: resolved.sci, pnHigh: Number(resolved.pn >> 32n), confidentialityOffset: offset });
  const suite = resolved.sa.suite;
  const keyNode: ExplainNode = { label: 'Key', value: `${suite.name}, ${resolved.description}`, note: `SCI ${formatSci(resolved.sci)}, full PN ${resolved.pn}` };
  if (plain === null) {
    root.push({ label: 'Validation', status: 'bad', value: 'ICV does not verify', note: 'wrong key, or the frame was changed on the way: InPktsNotValid (Strict) and dropped', children: [keyNode] });
    return root;
  }
  root.push({ label: 'Validation', status: 'ok', value: 'ICV verifies', note: 'the frame is authentic and unchanged', children: [keyNode] });
  const headerLength = m.secTagOffset;
  root.push(userDataNodes(plain.subarray(headerLength), m.secureDataOffset, 'User data (as delivered)', encrypted ? 'decrypted' : 'as sent'));
  return root;
}


// ---------------------------------------------------------------- EAPOL and MKPDUs (802.1X-2010 clause 11)

/** EAPOL Packet Types (802.1X-2010 Table 11-3). */
const EAPOL_TYPES: Readonly<Record<number, string>> = {
  0: 'EAPOL-EAP (an EAP packet)',
  1: 'EAPOL-Start',
  2: 'EAPOL-Logoff',
  3: 'EAPOL-Key',
  4: 'EAPOL-Encapsulated-ASF-Alert',
  5: 'EAPOL-MKA (an MKPDU)',
  6: 'EAPOL-Announcement (Generic)',
  7: 'EAPOL-Announcement (Specific)',
  8: 'EAPOL-Announcement-Req',
};

const EAPOL_VERSIONS: Readonly<Record<number, string>> = { 1: '802.1X-2001', 2: '802.1X-2004', 3: '802.1X-2010 and later' };
const MKA_VERSIONS: Readonly<Record<number, string>> = { 1: '802.1X-2010', 2: '802.1Xbx-2014', 3: '802.1X-2020' };
const CAPABILITIES = [
  'MACsec not implemented',
  'integrity only, no confidentiality',
  'integrity, and confidentiality with offset 0',
  'integrity, and confidentiality with offset 0, 30 or 50',
];
const OFFSET_CODES = ['no confidentiality: integrity only', 'confidentiality, offset 0', 'confidentiality, offset 30', 'confidentiality, offset 50'];
const SET_NAMES: Readonly<Record<number, string>> = {
  [ParameterSetType.LivePeerList]: 'Live Peer List',
  [ParameterSetType.PotentialPeerList]: 'Potential Peer List',
  [ParameterSetType.SakUse]: 'MACsec SAK Use',
  [ParameterSetType.DistributedSak]: 'Distributed SAK',
  [ParameterSetType.DistributedCak]: 'Distributed CAK',
  [ParameterSetType.Kmd]: 'Key Management Domain',
  [ParameterSetType.Announcement]: 'Announcement',
  [ParameterSetType.Xpn]: 'XPN',
};

const flagNode = (label: string, on: boolean, yes: string, no: string): ExplainNode => ({ label, value: on ? '1' : '0', note: on ? yes : no });
const align4 = (n: number): number => (n + 3) & ~3;

/** The EAPOL header and, for an MKPDU, every parameter set with its fields and where it lies. */
function eapolNodes(frame: Uint8Array, mkaIck: IckLookup | undefined): ExplainNode[] {
  const e = ETHERTYPE_OFFSET + 2;
  if (frame.length < e + 4) {
    return [{ label: 'EAPOL', status: 'bad', value: 'truncated', offset: e, note: 'the 4-octet EAPOL header does not fit' }];
  }
  const version = frame[e]!;
  const type = frame[e + 1]!;
  const bodyLength = readU16(frame, e + 2);
  const header: ExplainNode = {
    label: 'EAPOL',
    value: `${EAPOL_TYPES[type] ?? `type ${type}`}`,
    offset: e,
    length: 4,
    note: 'port-based access control (802.1X): it goes to the Uncontrolled Port, never through MACsec, by design',
    children: [
      { label: 'Protocol Version', value: `${version} (${EAPOL_VERSIONS[version] ?? 'unknown'})`, offset: e, length: 1 },
      { label: 'Packet Type', value: `${type} (${EAPOL_TYPES[type] ?? 'unknown'})`, offset: e + 1, length: 1 },
      { label: 'Packet Body Length', value: `${bodyLength} octets`, offset: e + 2, length: 2, note: 'the MKPDU after this header, ICV included' },
    ],
  };
  if (type !== EAPOL_MKA) {
    return [header, { label: 'Packet Body', value: `${frame.length - e - 4} octets`, offset: e + 4, children: hexdump(frame.subarray(e + 4), 0, 64).map((l) => ({ label: l })) }];
  }
  const decoded = decodeMkpdu(frame);
  if (!decoded.ok) {
    const err = decoded.error;
    return [
      header,
      {
        label: 'MKPDU',
        status: 'bad',
        value: `malformed (${err.code})`,
        offset: err.offset,
        note: `${err.field} at offset ${err.offset}: ${err.message.slice(err.message.lastIndexOf(': ') + 2)}; a KaY rejects it`,
      },
    ];
  }
  const m = decoded.value;
  return [header, { label: 'MKPDU', value: `${bodyLength} octets`, offset: MKPDU_OFFSET, length: bodyLength, children: mkpduNodes(frame, m, mkaIck) }];
}

function peerNodes(peers: readonly PeerListEntry[]): ExplainNode[] {
  return peers.map((p, i) => ({ label: `Peer ${i + 1}`, value: `MI ${toHex(p.mi)}, MN ${p.mn}` }));
}

function mkpduNodes(frame: Uint8Array, m: Mkpdu, mkaIck: IckLookup | undefined): ExplainNode[] {
  const b = m.basic;
  const basicLength = ((frame[MKPDU_OFFSET + 2]! & 0x0f) << 8) | frame[MKPDU_OFFSET + 3]!;
  const out: ExplainNode[] = [
    {
      label: 'Basic Parameter Set',
      offset: MKPDU_OFFSET,
      length: align4(4 + basicLength),
      note: 'who sends: always first, with no type octet',
      children: [
        { label: 'MKA Version Identifier', value: `${b.mkaVersion} (${MKA_VERSIONS[b.mkaVersion] ?? 'unknown'})`, offset: MKPDU_OFFSET, length: 1 },
        {
          label: 'Key Server Priority',
          value: String(b.keyServerPriority),
          offset: MKPDU_OFFSET + 1,
          length: 1,
          note: 'the lowest value among the live participants becomes key server (ties: the lowest SCI)',
        },
        flagNode('Key Server', b.keyServer, 'the sender is the elected key server: it distributes the SAKs', 'the sender is not the key server'),
        flagNode('MACsec Desired', b.macsecDesired, 'the sender wants MACsec used', 'the sender does not ask for MACsec'),
        { label: 'MACsec Capability', value: `${b.macsecCapability} (${CAPABILITIES[b.macsecCapability]})` },
        { label: 'Parameter set body length', value: `${basicLength} octets` },
        {
          label: 'SCI',
          value: toHex(b.sci),
          offset: MKPDU_OFFSET + 4,
          length: 8,
          note: `system address ${formatMac(b.sci, 0)}, port ${sciPort(b.sci)}: the secure channel it will transmit on`,
        },
        { label: 'Actor Member Identifier', value: toHex(b.mi), offset: MKPDU_OFFSET + 12, length: 12, note: '96 random bits naming this participant' },
        { label: 'Actor Message Number', value: String(b.mn), offset: MKPDU_OFFSET + 24, length: 4, note: 'rises with every MKPDU: peers use it against replay and to tell live from stale' },
        {
          label: 'Algorithm Agility',
          value: `0x${b.algorithmAgility.toString(16).padStart(8, '0')}`,
          offset: MKPDU_OFFSET + 28,
          length: 4,
          note: b.algorithmAgility === ALGORITHM_AGILITY_2009 ? '802.1X-2010: AES-CMAC-128 ICV and the AES-CMAC KDF' : 'unknown: a KaY rejects the MKPDU',
          status: b.algorithmAgility === ALGORITHM_AGILITY_2009 ? undefined : 'bad',
        },
        { label: 'CAK Name (CKN)', value: toHex(b.ckn), offset: MKPDU_OFFSET + 32, length: b.ckn.length, note: 'names the CAK, and so the ICK and KEK, this MKPDU is under' },
      ],
    },
  ];
  // The other sets, in frame order; the first of each type decoded, repeats shown raw (receivers skip them).
  let o = MKPDU_OFFSET + align4(4 + basicLength);
  const seen = new Set<number>();
  let raw = 0;
  for (const type of m.order) {
    const length = ((frame[o + 2]! & 0x0f) << 8) | frame[o + 3]!;
    const first = !seen.has(type);
    seen.add(type);
    const where = { offset: o, length: 4 + align4(length) };
    const name = `${SET_NAMES[type] ?? `Parameter set type ${type}`}`;
    let children: ExplainNode[] | undefined;
    let note: string | undefined;
    if (first && type === ParameterSetType.LivePeerList && m.livePeers) {
      note = 'participants the sender has heard list it with a recent MN: its live peers';
      children = [
        { label: 'Key Server SSCI (low octet)', value: String(m.livePeers.keyServerSsci), note: 'XPN (802.1X-2020); 0 otherwise' },
        ...peerNodes(m.livePeers.peers),
      ];
    } else if (first && type === ParameterSetType.PotentialPeerList && m.potentialPeers) {
      note = 'participants the sender has heard but that have not yet listed it';
      children = peerNodes(m.potentialPeers.peers);
    } else if (first && type === ParameterSetType.SakUse && m.sakUse) {
      const u = m.sakUse;
      note = 'which SAKs the sender receives and transmits with';
      const key = (which: 'Latest' | 'Old', an: number, tx: boolean, rx: boolean, ki?: { mi: Uint8Array; kn: number }, lowest?: number): ExplainNode => ({
        label: `${which} Key`,
        value: ki === undefined || (ki.kn === 0 && ki.mi.every((x) => x === 0)) ? `AN ${an}, no key` : `AN ${an}, KN ${ki.kn}, key server MI ${toHex(ki.mi)}`,
        children: [
          flagNode('tx', tx, 'transmits with it', 'does not transmit with it'),
          flagNode('rx', rx, 'receives with it', 'does not receive with it'),
          ...(lowest !== undefined ? [{ label: 'Lowest Acceptable PN', value: String(lowest), note: 'low 32 bits; the key server rekeys when it nears exhaustion' }] : []),
        ],
      });
      children = [
        key('Latest', u.latestAn, u.latestTx, u.latestRx, u.keys?.latestKi, u.keys?.latestLowestPn),
        key('Old', u.oldAn, u.oldTx, u.oldRx, u.keys?.oldKi, u.keys?.oldLowestPn),
        flagNode('Plain tx', u.plainTx, 'also sends frames in clear', 'sends only protected frames'),
        flagNode('Plain rx', u.plainRx, 'also accepts frames in clear', 'accepts only protected frames'),
        flagNode('Delay protect', u.delayProtect, 'bounds the delay of frames with the Lowest Acceptable PNs', 'no delay protection'),
        ...(u.keys === undefined ? [{ label: 'Keys', value: 'none (body length 0)', note: 'no SAK in use yet' }] : []),
      ];
    } else if (first && type === ParameterSetType.DistributedSak && m.distributedSak) {
      const d = m.distributedSak;
      note = 'the key server hands out a new SAK, wrapped under the KEK';
      const suite = d.key?.cipherSuite === undefined ? undefined : cipherSuiteById(d.key.cipherSuite);
      children = [
        { label: 'Distributed AN', value: String(d.an), note: 'the AN the SAs of this key use' },
        { label: 'Confidentiality Offset', value: `${d.confidentialityOffset} (${OFFSET_CODES[d.confidentialityOffset]})` },
        ...(d.key === undefined
          ? [{ label: 'Key', value: 'none (body length 0)', note: 'the key server says MACsec is not to be used' }]
          : [
              { label: 'Key Number (KN)', value: String(d.key.kn) },
              {
                label: 'MACsec Cipher Suite',
                value: d.key.cipherSuite === undefined ? 'not present: GCM-AES-128' : `0x${d.key.cipherSuite.toString(16).padStart(16, '0')} (${suite?.name ?? 'unknown'})`,
              },
              {
                label: 'AES Key Wrap of SAK',
                value: toHex(d.key.wrappedSak),
                note: 'RFC 3394 under the KEK: only a holder of the CAK can unwrap it',
              },
            ]),
      ];
    } else if (first && type === ParameterSetType.Xpn && m.xpn) {
      note = '802.1X-2020, for XPN suites: the upper halves of the 64-bit Lowest Acceptable PNs';
      children = [
        { label: 'Suspension time', value: String(m.xpn.suspensionTime) },
        { label: 'Latest Key Lowest Acceptable PN (high 32 bits)', value: String(m.xpn.latestLowestPnHigh) },
        { label: 'Old Key Lowest Acceptable PN (high 32 bits)', value: String(m.xpn.oldLowestPnHigh) },
      ];
    } else {
      const r = m.others[raw++];
      note = first ? 'not decoded here; a KaY skips it' : 'a repeat of this type; a KaY uses only the first';
      children = r === undefined ? [] : hexdump(r.body, 0, 64).map((l) => ({ label: l }));
    }
    out.push({ label: `${name} (type ${type})`, value: `${length} octets`, ...where, note, children });
    o += 4 + align4(length);
  }
  const icvAt = MKPDU_OFFSET + ((frame[MKPDU_OFFSET - 2]! << 8) | frame[MKPDU_OFFSET - 1]!) - MKPDU_ICV_LENGTH;
  if (m.icvIndicator) out.push({ label: 'ICV Indicator (type 255)', offset: icvAt - 4, length: 4, note: 'the ICV follows' });
  out.push(icvNode(frame, m, icvAt, mkaIck));
  return out;
}

function icvNode(frame: Uint8Array, m: Mkpdu, icvAt: number, mkaIck: IckLookup | undefined): ExplainNode {
  const base = { label: 'ICV integrity check value', value: toHex(m.icv), offset: icvAt, length: MKPDU_ICV_LENGTH };
  const what = 'AES-CMAC under the ICK over every octet from DA up to here';
  if (mkaIck === undefined) {
    return { ...base, status: 'warn', note: `${what}; it cannot be checked here: the ICK comes from the CAK, which was not given` };
  }
  const checked = parseMkpdu(frame, mkaIck);
  if (checked.ok) return { ...base, status: 'ok', note: `${what}: verifies, the MKPDU is authentic` };
  const code = checked.error.code;
  if (code === 'UNKNOWN_CKN') return { ...base, status: 'warn', note: `${what}; no CAK with this name was given, so it cannot be checked` };
  return { ...base, status: 'bad', note: `${what}: ${code === 'BAD_ICV' ? 'does not verify (wrong CAK, or the MKPDU was changed)' : checked.error.message}; a KaY rejects it` };
}
