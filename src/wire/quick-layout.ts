/**
 * The receive path's common case of `parseMacsecFrame` (wire/frame.ts) without its allocations: a frame
 * with its SecTAG right after the addresses that passes every check of 9.3-9.8 (10.6.1) is described by
 * one object, which is its own SecTAG and shares its TCI object and (empty) clear-tag list with every
 * other frame. Anything else (clear tags, a SecTAG that breaks a rule, a frame cut short) is left to
 * `parseMacsecFrame`, which says why: this only ever accepts what it accepts, with the same figures.
 */
import { ETHERTYPE_OFFSET, MIN_FRAME_LENGTH, readU32, type VlanTag } from './ethernet.js';
import type { MacsecFrame } from './frame.js';
import {
  ICV_LENGTH,
  MIN_NON_SHORT_LENGTH,
  SECTAG_LENGTH,
  SECTAG_WITH_SCI_LENGTH,
  TCI_C,
  TCI_E,
  TCI_ES,
  TCI_SC,
  TCI_SCB,
  TCI_V,
  SECTAG_PN,
  SECTAG_SCI,
  SECTAG_SL,
  SECTAG_TCI_AN,
  anOf,
  isSecTagAt,
  tciFromOctet,
  type AN,
  type SecTag,
  type Tci,
} from './sectag.js';

/** The TCI flags (ES SC SCB E C, bits 6-2 of the TCI octet) as shared, frozen objects. */
const TCIS: readonly Tci[] = Array.from({ length: 32 }, (_, flags) => Object.freeze(tciFromOctet(flags << 2)));
const NO_CLEAR_TAGS: readonly VlanTag[] = Object.freeze([]);

const SECTAG_OFFSET = ETHERTYPE_OFFSET;

/** A MacsecFrame (and its SecTAG) with the SecTAG at the EtherType's place: what parseMacsecFrame gives, read on demand. */
export class QuickLayout implements MacsecFrame, SecTag {
  // Declared rather than emitted as class fields (which would define each as undefined before the
  // constructor sets it): one plain store per field, on the receive path's hottest allocation.
  private declare readonly frame: Uint8Array;
  declare readonly tciAn: number;
  declare readonly sl: number;
  declare readonly pn: number;
  declare readonly secureDataOffset: number;
  declare readonly secureDataLength: number;
  declare readonly padding: number;

  constructor(frame: Uint8Array, tciAn: number, sl: number, pn: number, secureDataOffset: number, secureDataLength: number, padding: number) {
    this.frame = frame;
    this.tciAn = tciAn;
    this.sl = sl;
    this.pn = pn;
    this.secureDataOffset = secureDataOffset;
    this.secureDataLength = secureDataLength;
    this.padding = padding;
  }

  get clearTags(): readonly VlanTag[] {
    return NO_CLEAR_TAGS;
  }

  get secTagOffset(): number {
    return SECTAG_OFFSET;
  }

  get icvOffset(): number {
    return this.secureDataOffset + this.secureDataLength;
  }

  get secTag(): SecTag {
    return this;
  }

  get tci(): Tci {
    return TCIS[(this.tciAn >>> 2) & 31]!;
  }

  get an(): AN {
    return anOf(this.tciAn);
  }

  /** A copy, as parseSecTag makes: only the rare callers that want the SCI as octets pay for it. */
  get sci(): Uint8Array | undefined {
    return this.tciAn & TCI_SC ? this.frame.slice(SECTAG_OFFSET + SECTAG_SCI, SECTAG_OFFSET + SECTAG_WITH_SCI_LENGTH) : undefined;
  }
}

/**
 * The frame's layout when its SecTAG follows the addresses and passes parseMacsecFrame's checks (V=0; not
 * SC with ES or SCB; not E without C; SL below 48 with its high bits clear and agreeing with the octets
 * present, short frames padded to 60 octets allowed; PN not 0 unless XPN; room for the ICV); otherwise
 * undefined, and parseMacsecFrame decides.
 */
export function quickLayout(frame: Uint8Array, allowZeroPN: boolean): QuickLayout | undefined {
  const length = frame.length;
  const t = SECTAG_OFFSET;
  if (length < t + SECTAG_LENGTH + ICV_LENGTH || !isSecTagAt(frame, t)) return undefined;
  const tciAn = frame[t + SECTAG_TCI_AN]!;
  if (tciAn & TCI_V || (tciAn & TCI_SC && tciAn & (TCI_ES | TCI_SCB)) || (tciAn & TCI_E && !(tciAn & TCI_C))) return undefined;
  const sl = frame[t + SECTAG_SL]!;
  if (sl >= MIN_NON_SHORT_LENGTH) return undefined; // also the SL octet's two reserved bits
  const pn = readU32(frame, t + SECTAG_PN);
  if (pn === 0 && !allowZeroPN) return undefined;
  const dataOffset = t + (tciAn & TCI_SC ? SECTAG_WITH_SCI_LENGTH : SECTAG_LENGTH);
  const available = length - dataOffset - ICV_LENGTH;
  if (available < 0) return undefined;
  let dataLength = available;
  if (sl !== 0) {
    // A short frame may arrive padded to the minimum frame size; SL says where the data ends (9.7).
    if (available !== sl && !(available > sl && length <= MIN_FRAME_LENGTH)) return undefined;
    dataLength = sl;
  } else if (available < MIN_NON_SHORT_LENGTH) {
    return undefined;
  }
  return new QuickLayout(frame, tciAn, sl, pn, dataOffset, dataLength, available - dataLength);
}
