/**
 * The MACsec transform (802.1AE 14.5, 14.7): one frame protected or validated under one SA.
 * Stateless: the SecY chooses the PN and keeps replay state; this is what the Annex C vectors test.
 *
 *   AAD = DA ‖ SA ‖ SecTAG ‖ (the first confidentialityOffset octets of user data | all of it when
 *         integrity-only); P = the rest of the user data. ICV = the GCM tag, 16 octets.
 */
import { ConfigError, describe } from '../util/errors.js';
import { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH } from '../wire/ethernet.js';
import type { MacsecFrame } from '../wire/frame.js';
import { MAC_LENGTH } from '../wire/mac.js';
import { ICV_LENGTH, SCI_LENGTH, emitSecTag, isAN, secTagLength, shortLength, type TransmitTci } from '../wire/sectag.js';
import type { SaContext } from './sa.js';
import { CONFIDENTIALITY_OFFSETS, type ConfidentialityOffset } from './suite.js';

const ADDRESSES = 2 * MAC_LENGTH;
/** User data is at least its EtherType. */
export const MIN_USER_DATA = 2;

/**
 * What protection needs of a frame but its PN (what the frames of a burst share): the SecTAG's TCI/AN,
 * typed so that only a valid one can be asked for (wire/sectag.ts `TransmitTci`: SC=1 without ES or SCB,
 * E=C), the SCI, and where encryption starts.
 */
export type BurstProtectOptions = TransmitTci & {
  /** The transmitting SC's SCI: in the IV of the plain suites, and in the SecTAG when `includeSci`. */
  readonly sci: Uint8Array;
  readonly confidentialityOffset: ConfidentialityOffset;
  /** VLAN tags after SA that stay in clear and outside the ICV (extension, as Linux over a VLAN device). */
  readonly clearTags?: number;
};

export type ProtectOptions = BurstProtectOptions & {
  /** The full PN (64-bit with XPN); the SecTAG carries its low 32 bits. */
  readonly pn: bigint;
};

const PN_LOW = 0xffff_ffffn;

/** TCI bits as loose data (a vector file, a JavaScript caller) in their typed form, or the ConfigError for them (9.5, 9.6). */
export function transmitTci(an: number, bits: { readonly includeSci: boolean; readonly endStation: boolean; readonly scb: boolean; readonly confidentiality: boolean }): TransmitTci {
  if (!isAN(an)) throw new ConfigError('an', 'an integer 0-3', describe(an));
  const confidentiality = bits.confidentiality;
  if (!bits.includeSci) return { an, confidentiality, includeSci: false, endStation: bits.endStation, scb: bits.scb };
  if (bits.endStation || bits.scb) throw new ConfigError('includeSci', 'SC=1 only with ES=0 and SCB=0 (9.5)', 'ES or SCB set');
  return { an, confidentiality, includeSci: true, endStation: false, scb: false };
}

/** Checks what a SecY checks once at configuration, for callers of the stateless API. */
export function checkProtectOptions(sa: SaContext, o: ProtectOptions): void {
  const minPN = sa.suite.xpn ? 0n : 1n;
  if (typeof o.pn !== 'bigint' || o.pn < minPN || o.pn > sa.suite.maxPN) {
    throw new ConfigError('pn', `${minPN} to ${sa.suite.maxPN} for ${sa.suite.name}`, describe(o.pn));
  }
  checkSecTagOptions(o);
}

/**
 * The checks of `checkProtectOptions` but the PN's: what a burst shares between its frames. The types
 * already rule these out; this is for callers from JavaScript or untyped data.
 */
export function checkSecTagOptions(o: BurstProtectOptions): void {
  transmitTci(o.an, o);
  if (o.sci.length !== SCI_LENGTH) throw new ConfigError('sci', `${SCI_LENGTH} octets`, describe(o.sci));
  if (!CONFIDENTIALITY_OFFSETS.includes(o.confidentialityOffset)) {
    throw new ConfigError('confidentialityOffset', '0, 30 or 50', describe(o.confidentialityOffset));
  }
  const tags = o.clearTags ?? 0;
  if (!Number.isInteger(tags) || tags < 0 || tags > 2) throw new ConfigError('clearTags', '0, 1 or 2', describe(tags));
}

/** Protects `frame` (DA ‖ SA ‖ [clear tags] ‖ user data) into a new MACsec frame. */
export function protect(sa: SaContext, frame: Uint8Array, o: ProtectOptions): Uint8Array {
  if (!(frame instanceof Uint8Array)) throw new ConfigError('frame', 'a Uint8Array', describe(frame));
  checkProtectOptions(sa, o);
  const tagsLength = (o.clearTags ?? 0) * VLAN_TAG_LENGTH;
  const headerLength = ETHERTYPE_OFFSET + tagsLength;
  const userLength = frame.length - headerLength;
  if (userLength < MIN_USER_DATA) {
    throw new ConfigError('frame', `at least ${headerLength + MIN_USER_DATA} octets (addresses, clear tags, EtherType)`, describe(frame));
  }
  return protectFrame(sa, frame, o, Number(o.pn >> 32n), Number(o.pn & PN_LOW));
}

/** protect with PN pnHigh·2^32 + pnLow, for a caller that made the options and PN itself (a SecY): no checks. */
export function protectFrame(sa: SaContext, frame: Uint8Array, o: BurstProtectOptions, pnHigh: number, pnLow: number): Uint8Array {
  const tagsLength = (o.clearTags ?? 0) * VLAN_TAG_LENGTH;
  const headerLength = ETHERTYPE_OFFSET + tagsLength;
  const userLength = frame.length - headerLength;
  const secTagOffset = headerLength;
  const dataOffset = secTagOffset + secTagLength(o.includeSci);
  const out = new Uint8Array(dataOffset + userLength + ICV_LENGTH);
  // Lay DA ‖ SA right before the SecTAG so the AAD is one contiguous run; the clear tags go in after.
  out.set(frame.subarray(0, ADDRESSES), tagsLength);
  emitSecTag(o, shortLength(userLength), pnLow, o.sci, out, secTagOffset);
  out.set(frame.subarray(headerLength), dataOffset);
  const clear = o.confidentiality ? Math.min(o.confidentialityOffset, userLength) : userLength;
  const iv = sa.iv(o.sci, 0, pnHigh, pnLow);
  sa.seal(iv, out, tagsLength, dataOffset + clear - tagsLength, dataOffset + clear, userLength - clear, dataOffset + userLength);
  out.set(frame.subarray(0, headerLength), 0);
  return out;
}

export interface ValidateOptions {
  /** The SCI of the transmitting SC: from the SecTAG, or as the receiver resolved it (10.6.1). */
  readonly sci: Uint8Array;
  /** High half of the recovered 64-bit PN (XPN, 10.6.2); 0 for the plain suites. */
  readonly pnHigh: number;
  /** Octets of user data in clear when E=1 (the receive SA's confidentiality offset). */
  readonly confidentialityOffset: ConfidentialityOffset;
}

/**
 * Validates a parsed MACsec frame. Returns the unprotected frame (DA ‖ SA ‖ [clear tags] ‖ user data),
 * or null when the ICV does not verify. Never throws on frame contents; padding after the ICV is ignored.
 */
export function validate(sa: SaContext, frame: Uint8Array, layout: MacsecFrame, o: ValidateOptions): Uint8Array | null {
  const { secTagOffset, secureDataOffset: dataOffset, secureDataLength: userLength, icvOffset } = layout;
  const tagsLength = secTagOffset - ADDRESSES;
  const work = frame.slice(0, icvOffset + ICV_LENGTH);
  work.copyWithin(tagsLength, 0, ADDRESSES); // DA ‖ SA adjacent to the SecTAG: a contiguous AAD
  const clear = layout.secTag.tci.e ? Math.min(o.confidentialityOffset, userLength) : userLength;
  const iv = sa.iv(o.sci, 0, o.pnHigh, layout.secTag.pn);
  if (!sa.open(iv, work, tagsLength, dataOffset + clear - tagsLength, dataOffset + clear, userLength - clear, icvOffset)) {
    return null;
  }
  // DA ‖ SA ‖ clear tags right before the user data, where the SecTAG was.
  const start = dataOffset - secTagOffset;
  work.set(frame.subarray(0, secTagOffset), start);
  return work.subarray(start, dataOffset + userLength);
}
