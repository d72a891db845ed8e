/**
 * A frame explained field by field, as someone learning MACsec would want to read it: every TCI bit
 * named with its meaning, SL, PN, the SCI split into system address and port, where the secure data
 * and ICV lie, and, given the keys, whether the ICV verifies and what the user data says.
 */
import { validate } from '../crypto/macsec.js';
import type { SaContext } from '../crypto/sa.js';
import type { ConfidentialityOffset } from '../crypto/suite.js';
import { hexdump } from '../util/hexdump.js';
import { toHex } from '../util/hex.js';
import { EtherType, etherTypeName, ETHERTYPE_OFFSET, isVlanTpid, parseEthernet, readU16, VLAN_TAG_LENGTH, type VlanTag } from '../wire/ethernet.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { formatMac, isGroupAddress } from '../wire/mac.js';
import { formatSci, implicitSci, sciPort } from '../wire/sci.js';
import { ICV_LENGTH, MIN_NON_SHORT_LENGTH, TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, TCI_V, type SecTag } from '../wire/sectag.js';
import type { ExplainNode } from './tree.js';

/** How to validate a frame: the receive SA, the SCI and the full PN, as a receiver would find them. */
export interface ResolvedKey {
  readonly sa: SaContext;
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
    root.push({ label: 'Frame', value: `${frame.length} octets`, note: 'no SecTAG: not protected by MACsec (a Strict receiver drops it as InPktsNoTag)', status: 'warn' });
    root.push({ label: 'Ethernet', children: ethernet });
    if (eth.ok) {
      const type = eth.value.etherType;
      if (type === EtherType.EAPOL) root.push({ label: 'EAPOL', note: 'MKA key agreement frames (802.1X) travel unprotected, by design' });
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

  const tciOctet = frame[m.secTagOffset + 2]!;
  const secTagChildren: ExplainNode[] = [
    { label: 'EtherType', value: '0x88e5 (MACsec)', offset: m.secTagOffset, length: 2 },
    { label: 'TCI/AN', value: `0x${tciOctet.toString(16).padStart(2, '0')}`, offset: m.secTagOffset + 2, length: 1, children: tciNodes(tag, tciOctet) },
    {
      label: 'SL  short length',
      value: String(tag.sl),
      offset: m.secTagOffset + 3,
      length: 1,
      note: tag.sl === 0 ? `secure data is ${MIN_NON_SHORT_LENGTH} octets or more` : `secure data is ${tag.sl} octets; anything after the ICV is padding`,
    },
    {
      label: 'PN  packet number',
      value: `${tag.pn} (0x${tag.pn.toString(16).padStart(8, '0')})`,
      offset: m.secTagOffset + 4,
      length: 4,
      note: 'never repeats under one key: the receiver uses it against replay; with XPN these are the low 32 of 64 bits',
    },
  ];
  if (tag.sci) {
    secTagChildren.push({
      label: 'SCI secure channel identifier',
      value: toHex(tag.sci),
      offset: m.secTagOffset + 8,
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

