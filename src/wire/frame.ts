/**
 * A MACsec frame (802.1AE 8.1, 9.1): DA | SA | [clear VLAN tags] | SecTAG | secure data | ICV | [padding].
 *
 * The clear tags are an extension beside the standard (what Linux builds when MACsec runs over a VLAN
 * device): the tags travel unprotected, outside the ICV. In standard MACsec VLAN tags are user data.
 */
import { fail, ok, type Parsed } from './error.js';
import { ETHERTYPE_OFFSET, EtherType, MIN_FRAME_LENGTH, VLAN_TAG_LENGTH, isVlanTpid, parseVlanTag, readU16, type VlanTag } from './ethernet.js';
import { ICV_LENGTH, parseSecTag, secTagLength, type SecTag, type SecTagOptions } from './sectag.js';

export interface MacsecFrame {
  /** VLAN tags between SA and SecTAG, outermost first (extension; outside the ICV). */
  readonly clearTags: readonly VlanTag[];
  readonly secTagOffset: number;
  readonly secTag: SecTag;
  readonly secureDataOffset: number;
  readonly secureDataLength: number;
  readonly icvOffset: number;
  /** Octets after the ICV: padding the MAC added to reach 60 octets (9.7). */
  readonly padding: number;
}

export interface MacsecFrameOptions extends SecTagOptions {
  /** How many clear VLAN tags precede the SecTAG: a count, or 'auto' to take up to two when a SecTAG follows. */
  readonly clearTags?: number | 'auto';
}

export const MAX_CLEAR_TAGS = 2;

/** Counts the VLAN tags after SA that a SecTAG follows (0 when none does). */
function countClearTags(frame: Uint8Array): number {
  let offset = ETHERTYPE_OFFSET;
  for (let n = 0; n <= MAX_CLEAR_TAGS && frame.length >= offset + 2; n++) {
    const type = readU16(frame, offset);
    if (type === EtherType.MACsec) return n;
    if (!isVlanTpid(type)) return 0;
    offset += VLAN_TAG_LENGTH;
  }
  return 0;
}

/** Parses and checks a received MACsec frame (802.1AE 10.6.1 a-i): never throws. */
export function parseMacsecFrame(frame: Uint8Array, options: MacsecFrameOptions = {}): Parsed<MacsecFrame> {
  const want = options.clearTags === 'auto' ? countClearTags(frame) : (options.clearTags ?? 0);
  const clearTags: VlanTag[] = [];
  let offset = ETHERTYPE_OFFSET;
  for (let i = 0; i < want; i++) {
    const tag = parseVlanTag(frame, offset);
    if (!tag.ok) return tag;
    if (!isVlanTpid(tag.value.tpid)) {
      return fail('BAD_VLAN', 'VLAN tag', offset, `expected a clear VLAN tag (0x8100 or 0x88a8), found 0x${tag.value.tpid.toString(16)}`);
    }
    clearTags.push(tag.value);
    offset += VLAN_TAG_LENGTH;
  }
  const parsed = parseSecTag(frame, offset, options);
  if (!parsed.ok) return parsed;
  const secTag = parsed.value;
  const secureDataOffset = offset + secTagLength(secTag.tci.sc);
  const minLength = secureDataOffset + ICV_LENGTH;
  if (frame.length < minLength) {
    return fail('TRUNCATED', 'ICV', secureDataOffset, `frame of ${frame.length} octets is shorter than header, SecTAG and ICV (${minLength})`);
  }
  const available = frame.length - minLength;
  let secureDataLength = available;
  if (secTag.sl !== 0) {
    // A short frame may arrive padded to the minimum frame size; SL says where the data ends.
    const padded = available > secTag.sl && frame.length <= MIN_FRAME_LENGTH;
    if (available !== secTag.sl && !padded) {
      return fail('SL_MISMATCH', 'SL', offset + 3, `SL ${secTag.sl} but ${available} octets of secure data present (9.7)`);
    }
    secureDataLength = secTag.sl;
  } else if (available < 48) {
    return fail('SL_MISMATCH', 'SL', offset + 3, `SL 0 but only ${available} octets of secure data (SL must give lengths below 48, 9.7)`);
  }
  return ok({
    clearTags,
    secTagOffset: offset,
    secTag,
    secureDataOffset,
    secureDataLength,
    icvOffset: secureDataOffset + secureDataLength,
    padding: available - secureDataLength,
  });
}
