/**
 * The MACsec Security TAG (IEEE 802.1AE clause 9.3), the one codec of it: its field offsets and bits are
 * named here and nowhere else, `parseSecTag` reads it, `emitSecTag` writes it. The fast paths are
 * specialisations of these (`quickLayout` in quick-layout.ts, `writeSecTagWords` below for the burst
 * writer), each with a differential test against them.
 *
 *   EtherType 0x88E5 (2) | TCI/AN (1) | SL (1) | PN (4) | SCI (8, present iff SC = 1)
 *
 * TCI bits (9.5): V 0x80 version, ES 0x40 end station, SC 0x20 SCI present, SCB 0x10 EPON
 * single copy broadcast, E 0x08 encryption, C 0x04 changed text; AN in the low two bits (9.6).
 *
 * What a receiver parses keeps every bit as received (`SecTag`, and the raw TCI/AN octet at SECTAG_TCI_AN),
 * since it must count frames that break the rules; what a transmitter writes is typed so that it cannot
 * (`TransmitTci`).
 */
import { fail, ok, type Parsed } from './error.js';
import { EtherType, readU16, readU32, writeU16, writeU32 } from './ethernet.js';

/** Field offsets from the SecTAG's first octet (its EtherType). */
export const SECTAG_ETHERTYPE = 0;
export const SECTAG_TCI_AN = 2;
export const SECTAG_SL = 3;
export const SECTAG_PN = 4;
export const SECTAG_SCI = 8;

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
  /** The TCI/AN octet as received, every bit (V included): what `tci` and `an` decode. */
  readonly tciAn: number;
  readonly tci: Tci;
  /** Association number (9.6). */
  readonly an: AN;
  /** Short length: the secure data length when below 48 octets, else 0 (9.7). */
  readonly sl: number;
  /** The packet number's low 32 bits, as sent (9.8). */
  readonly pn: number;
  /** The secure channel identifier, 8 octets, present iff `tci.sc` (9.9). */
  readonly sci: Uint8Array | undefined;
}

/** An association number (9.6): two bits. */
export type AN = 0 | 1 | 2 | 3;

/** The AN of a TCI/AN octet: its low two bits. */
export const anOf = (tciAn: number): AN => (tciAn & AN_MASK) as AN;

/** Whether `an` is an AN (0-3). */
export const isAN = (an: unknown): an is AN => an === 0 || an === 1 || an === 2 || an === 3;

/**
 * The TCI/AN a transmitter writes (9.5, 9.6): the SCI is carried exactly when SC=1, which rules out ES and
 * SCB; E and C are one choice (`confidentiality`: E=C=1, else E=C=0), so E without C cannot be written.
 */
export type TransmitTci = {
  readonly an: AN;
  readonly confidentiality: boolean;
} & (
  | { readonly includeSci: true; readonly endStation: false; readonly scb: false }
  | { readonly includeSci: false; readonly endStation: boolean; readonly scb: boolean }
);

export const secTagLength = (sc: boolean): number => (sc ? SECTAG_WITH_SCI_LENGTH : SECTAG_LENGTH);

/** The TCI/AN octet of a transmitted SecTAG. */
export const transmitTciOctet = (t: TransmitTci): number =>
  (t.endStation ? TCI_ES : 0) | (t.includeSci ? TCI_SC : 0) | (t.scb ? TCI_SCB : 0) | (t.confidentiality ? TCI_E | TCI_C : 0) | t.an;

/** Whether a SecTAG's EtherType (0x88E5) is at `offset`. */
export const isSecTagAt = (frame: Uint8Array, offset: number): boolean => frame[offset + SECTAG_ETHERTYPE] === 0x88 && frame[offset + SECTAG_ETHERTYPE + 1] === 0xe5;

/** The SL a SecTAG carries for secure data of `secureDataLength` octets (9.7). */
export const shortLength = (secureDataLength: number): number =>
  secureDataLength < MIN_NON_SHORT_LENGTH ? secureDataLength : 0;

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
  const tciOffset = offset + SECTAG_TCI_AN;
  const tciAn = frame[tciOffset]!;
  if (tciAn & TCI_V) return fail('VERSION', 'TCI.V', tciOffset, 'V must be 0 (9.5)');
  if (tciAn & TCI_SC && tciAn & TCI_ES) return fail('ES_WITH_SC', 'TCI.ES', tciOffset, 'ES and SC must not both be set (9.5)');
  if (tciAn & TCI_SC && tciAn & TCI_SCB) return fail('SCB_WITH_SC', 'TCI.SCB', tciOffset, 'SCB and SC must not both be set (9.5)');
  if (tciAn & TCI_E && !(tciAn & TCI_C)) return fail('E_WITHOUT_C', 'TCI.E', tciOffset, 'E=1 requires C=1 (9.5)');
  const slOffset = offset + SECTAG_SL;
  const slOctet = frame[slOffset]!;
  if (slOctet & 0xc0) return fail('SL_RESERVED', 'SL', slOffset, `the two high bits must be 0, octet is 0x${slOctet.toString(16)} (9.7)`);
  if (slOctet >= MIN_NON_SHORT_LENGTH) return fail('SL_TOO_LARGE', 'SL', slOffset, `${slOctet} is not below ${MIN_NON_SHORT_LENGTH} (9.7)`);
  const pn = readU32(frame, offset + SECTAG_PN);
  if (pn === 0 && !options.allowZeroPN) return fail('PN_ZERO', 'PN', offset + SECTAG_PN, 'PN 0 is never sent outside XPN (9.8)');
  const sc = (tciAn & TCI_SC) !== 0;
  const sciOffset = offset + SECTAG_SCI;
  if (sc && frame.length < sciOffset + SCI_LENGTH) {
    return fail('TRUNCATED', 'SCI', sciOffset, `needs ${SCI_LENGTH} octets, ${frame.length - sciOffset} left`);
  }
  return ok({
    tciAn,
    tci: tciFromOctet(tciAn),
    an: anOf(tciAn),
    sl: slOctet,
    pn,
    sci: sc ? frame.slice(sciOffset, sciOffset + SCI_LENGTH) : undefined,
  });
}

/**
 * Writes a transmitter's SecTAG at `offset`: the TCI/AN of `tci`, SL, the PN's low 32 bits, and `sci`
 * exactly when tci.includeSci (SC=1). Returns the offset after it. The one place SecTAG octets are
 * written; writeSecTagWords is its word-wise specialisation.
 */
export function emitSecTag(tci: TransmitTci, sl: number, pn: number, sci: Uint8Array, out: Uint8Array, offset: number): number {
  writeU16(out, offset + SECTAG_ETHERTYPE, EtherType.MACsec);
  out[offset + SECTAG_TCI_AN] = transmitTciOctet(tci);
  out[offset + SECTAG_SL] = sl;
  writeU32(out, offset + SECTAG_PN, pn);
  if (!tci.includeSci) return offset + SECTAG_LENGTH;
  if (sci.length !== SCI_LENGTH) throw new RangeError('SecTAG: SC=1 needs an 8-octet SCI');
  out.set(sci, offset + SECTAG_SCI);
  return offset + SECTAG_WITH_SCI_LENGTH;
}

/**
 * emitSecTag four octets at a time, for the burst writer, with the TCI/AN octet (`transmitTciOctet`) and
 * the SCI's two words (sci0, sci1) worked out once per burst: EtherType, TCI/AN and SL are one big-endian
 * word (SECTAG_ETHERTYPE, SECTAG_TCI_AN and SECTAG_SL are adjacent), the PN the next, then the SCI when
 * `includeSci`. Same octets as emitSecTag (a differential test holds it to that).
 */
export function writeSecTagWords(view: DataView, offset: number, tciAn: number, sl: number, pn: number, includeSci: boolean, sci0: number, sci1: number): void {
  view.setUint32(offset + SECTAG_ETHERTYPE, (EtherType.MACsec << 16) | (tciAn << 8) | sl);
  view.setUint32(offset + SECTAG_PN, pn);
  if (includeSci) {
    view.setUint32(offset + SECTAG_SCI, sci0);
    view.setUint32(offset + SECTAG_SCI + 4, sci1);
  }
}
