/**
 * The MACsec Security TAG (IEEE 802.1AE clause 9.3):
 *
 *   EtherType 0x88E5 (2) | TCI/AN (1) | SL (1) | PN (4) | SCI (8, present iff SC = 1)
 *
 * TCI bits (9.5): V 0x80 version, ES 0x40 end station, SC 0x20 SCI present, SCB 0x10 EPON
 * single copy broadcast, E 0x08 encryption, C 0x04 changed text; AN in the low two bits (9.6).
 */
import { fail, ok, type Parsed } from './error.js';
import { EtherType, readU16, readU32, writeU16, writeU32 } from './ethernet.js';

export const TCI_V = 0x80;
export const TCI_ES = 0x40;
export const TCI_SC = 0x20;
export const TCI_SCB = 0x10;
export const TCI_E = 0x08;
export const TCI_C = 0x04;
export const AN_MASK = 0x03;

export const SCI_LENGTH = 8;
/** SecTAG octets including its EtherType, without and with the SCI. */
export const SECTAG_LENGTH = 8;
export const SECTAG_WITH_SCI_LENGTH = SECTAG_LENGTH + SCI_LENGTH;
export const ICV_LENGTH = 16;
/** Secure data of this length or more is "not short": SL is 0 (9.7). */
export const MIN_NON_SHORT_LENGTH = 48;

export interface Tci {
  /** End station: the SCI is the source MAC address and port 0x0001 (9.5). */
  readonly es: boolean;
  /** The SecTAG carries an explicit SCI. */
  readonly sc: boolean;
  /** EPON single copy broadcast. */
  readonly scb: boolean;
  /** Encryption: the secure data is enciphered. */
  readonly e: boolean;
  /** Changed text: the secure data differs from the user data. */
  readonly c: boolean;
}

export interface SecTag {
  readonly tci: Tci;
  /** Association number, 0-3 (9.6). */
  readonly an: number;
  /** Short length: the secure data length when below 48 octets, else 0 (9.7). */
  readonly sl: number;
  /** The packet number's low 32 bits, as sent (9.8). */
  readonly pn: number;
  /** The secure channel identifier, 8 octets, present iff `tci.sc` (9.9). */
  readonly sci: Uint8Array | undefined;
}

export const secTagLength = (sc: boolean): number => (sc ? SECTAG_WITH_SCI_LENGTH : SECTAG_LENGTH);

/** The SL a SecTAG carries for secure data of `secureDataLength` octets (9.7). */
export const shortLength = (secureDataLength: number): number =>
  secureDataLength < MIN_NON_SHORT_LENGTH ? secureDataLength : 0;

export function tciOctet(tci: Tci, an: number): number {
  return (
    (tci.es ? TCI_ES : 0) |
    (tci.sc ? TCI_SC : 0) |
    (tci.scb ? TCI_SCB : 0) |
    (tci.e ? TCI_E : 0) |
    (tci.c ? TCI_C : 0) |
    (an & AN_MASK)
  );
}

export function tciFromOctet(octet: number): Tci {
  return {
    es: (octet & TCI_ES) !== 0,
    sc: (octet & TCI_SC) !== 0,
    scb: (octet & TCI_SCB) !== 0,
    e: (octet & TCI_E) !== 0,
    c: (octet & TCI_C) !== 0,
  };
}

export interface SecTagOptions {
  /** XPN suites may send a PN whose low 32 bits are 0 (802.1AEbw); the plain suites may not. */
  readonly allowZeroPN?: boolean;
}

/**
 * Parses the SecTAG at `offset` (its EtherType first) and checks the rules of 9.3-9.8 that the
 * tag alone decides (10.6.1 b-e). Length rules need the whole frame: see `parseMacsecFrame`.
 */
export function parseSecTag(frame: Uint8Array, offset: number, options: SecTagOptions = {}): Parsed<SecTag> {
  if (frame.length < offset + SECTAG_LENGTH) {
    return fail('TRUNCATED', 'SecTAG', offset, `needs ${SECTAG_LENGTH} octets, ${Math.max(0, frame.length - offset)} left`);
  }
  const type = readU16(frame, offset);
  if (type !== EtherType.MACsec) {
    return fail('NOT_MACSEC', 'EtherType', offset, `0x${type.toString(16).padStart(4, '0')} is not 0x88e5`);
  }
  const tciOffset = offset + 2;
  const tciAn = frame[tciOffset]!;
  if (tciAn & TCI_V) return fail('VERSION', 'TCI.V', tciOffset, 'V must be 0 (9.5)');
  if (tciAn & TCI_SC && tciAn & TCI_ES) return fail('ES_WITH_SC', 'TCI.ES', tciOffset, 'ES and SC must not both be set (9.5)');
  if (tciAn & TCI_SC && tciAn & TCI_SCB) return fail('SCB_WITH_SC', 'TCI.SCB', tciOffset, 'SCB and SC must not both be set (9.5)');
  if (tciAn & TCI_E && !(tciAn & TCI_C)) return fail('E_WITHOUT_C', 'TCI.E', tciOffset, 'E=1 requires C=1 (9.5)');
  const slOctet = frame[offset + 3]!;
  if (slOctet & 0xc0) return fail('SL_RESERVED', 'SL', offset + 3, `the two high bits must be 0, octet is 0x${slOctet.toString(16)} (9.7)`);
  if (slOctet >= MIN_NON_SHORT_LENGTH) return fail('SL_TOO_LARGE', 'SL', offset + 3, `${slOctet} is not below ${MIN_NON_SHORT_LENGTH} (9.7)`);
  const pn = readU32(frame, offset + 4);
  if (pn === 0 && !options.allowZeroPN) return fail('PN_ZERO', 'PN', offset + 4, 'PN 0 is never sent outside XPN (9.8)');
  const sc = (tciAn & TCI_SC) !== 0;
  if (sc && frame.length < offset + SECTAG_WITH_SCI_LENGTH) {
    return fail('TRUNCATED', 'SCI', offset + SECTAG_LENGTH, `needs ${SCI_LENGTH} octets, ${frame.length - offset - SECTAG_LENGTH} left`);
  }
  return ok({
    tci: tciFromOctet(tciAn),
    an: tciAn & AN_MASK,
    sl: slOctet,
    pn,
    sci: sc ? frame.slice(offset + SECTAG_LENGTH, offset + SECTAG_WITH_SCI_LENGTH) : undefined,
  });
}

/** Writes the SecTAG at `offset`; returns the offset after it. */
export function emitSecTag(tag: SecTag, out: Uint8Array, offset: number): number {
  writeU16(out, offset, EtherType.MACsec);
  out[offset + 2] = tciOctet(tag.tci, tag.an);
  out[offset + 3] = tag.sl;
  writeU32(out, offset + 4, tag.pn);
  if (!tag.tci.sc) return offset + SECTAG_LENGTH;
  if (tag.sci === undefined || tag.sci.length !== SCI_LENGTH) throw new RangeError('SecTAG: SC=1 needs an 8-octet SCI');
  out.set(tag.sci, offset + SECTAG_LENGTH);
  return offset + SECTAG_WITH_SCI_LENGTH;
}
