/**
 * Ethernet II header with up to two 802.1Q / 802.1ad tags (IEEE 802.3 clause 3, 802.1Q 9.6).
 * A view over bytes: field offsets as constants, `parseEthernet` and `emitEthernet` symmetric.
 */
import { fail, ok, type Parsed } from './error.js';
import { MAC_LENGTH } from './mac.js';

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100, // 802.1Q C-tag
  IPv6: 0x86dd,
  EAPOL: 0x888e, // 802.1X, carries MKPDUs
  QinQ: 0x88a8, // 802.1ad S-tag
  MACsec: 0x88e5, // 802.1AE SecTAG
} as const;

export const DA_OFFSET = 0;
export const SA_OFFSET = MAC_LENGTH;
/** Offset of the first EtherType (or TPID) after DA and SA. */
export const ETHERTYPE_OFFSET = 2 * MAC_LENGTH;
export const VLAN_TAG_LENGTH = 4;
/** Shortest frame the MAC sends, FCS excluded; shorter frames are padded up to it (802.3 4.2.3.3). */
export const MIN_FRAME_LENGTH = 60;

export const isVlanTpid = (type: number): boolean => type === EtherType.VLAN || type === EtherType.QinQ;

export interface VlanTag {
  /** 0x8100 (802.1Q C-tag) or 0x88A8 (802.1ad S-tag). */
  readonly tpid: number;
  /** Priority code point, 0-7. */
  readonly pcp: number;
  /** Drop eligible indicator. */
  readonly dei: boolean;
  /** VLAN identifier, 0-4095. */
  readonly vid: number;
}

export interface EthernetHeader {
  readonly da: Uint8Array;
  readonly sa: Uint8Array;
  /** Outermost first. */
  readonly tags: readonly VlanTag[];
  readonly etherType: number;
  /** Octets from the start of the frame to the payload (after the EtherType). */
  readonly headerLength: number;
}

export const readU16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
export const readU32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

export function parseVlanTag(frame: Uint8Array, offset: number): Parsed<VlanTag> {
  if (frame.length < offset + VLAN_TAG_LENGTH) {
    return fail('BAD_VLAN', 'VLAN tag', offset, `needs ${VLAN_TAG_LENGTH} octets, ${frame.length - offset} left`);
  }
  const tci = readU16(frame, offset + 2);
  return ok({ tpid: readU16(frame, offset), pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff });
}

/** Parses DA, SA, at most `maxTags` VLAN tags and the EtherType that follows them. */
export function parseEthernet(frame: Uint8Array, maxTags = 2): Parsed<EthernetHeader> {
  if (frame.length < ETHERTYPE_OFFSET + 2) {
    return fail('TRUNCATED', 'EtherType', ETHERTYPE_OFFSET, `frame of ${frame.length} octets has no EtherType`);
  }
  const tags: VlanTag[] = [];
  let offset = ETHERTYPE_OFFSET;
  let type = readU16(frame, offset);
  while (isVlanTpid(type) && tags.length < maxTags) {
    const tag = parseVlanTag(frame, offset);
    if (!tag.ok) return tag;
    tags.push(tag.value);
    offset += VLAN_TAG_LENGTH;
    if (frame.length < offset + 2) return fail('TRUNCATED', 'EtherType', offset, 'frame ends inside the VLAN tags');
    type = readU16(frame, offset);
  }
  return ok({
    da: frame.subarray(DA_OFFSET, DA_OFFSET + MAC_LENGTH),
    sa: frame.subarray(SA_OFFSET, SA_OFFSET + MAC_LENGTH),
    tags,
    etherType: type,
    headerLength: offset + 2,
  });
}

export function etherTypeName(type: number): string {
  for (const [name, value] of Object.entries(EtherType)) if (value === type) return name;
  return type < 0x0600 ? 'length (802.3)' : 'unknown';
}
