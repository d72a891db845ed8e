/**
 * A transmitted frame's SecTAG options as one small number (frames with equal keys share a burst call):
 * the SC, ES, SCB and E=C bits (9.5), the clear tags, and the confidentiality offset's index in
 * CONFIDENTIALITY_OFFSETS. Encoded in transmit.ts (takePN) and here, decoded only here.
 */
import type { BurstProtectOptions } from '../crypto/burst.js';
import { CONFIDENTIALITY_OFFSETS } from '../crypto/suite.js';
import { ICV_LENGTH, secTagLength, type AN } from '../wire/sectag.js';
import type { SecYControls } from './controls.js';

export const KEY_INCLUDE_SCI = 1;
export const KEY_END_STATION = 2;
export const KEY_SCB = 4;
export const KEY_CONFIDENTIALITY = 8;
export const KEY_TAGS_SHIFT = 4;
const KEY_OFFSET_SHIFT = 6;
/** Where the AN goes beside a key in the options cache. */
const KEY_AN_SHIFT = 8;

/** The part of the key the controls alone decide (E=C, the confidentiality offset). */
export const keyOfControls = (c: SecYControls): number =>
  (c.confidentialityProtect ? KEY_CONFIDENTIALITY : 0) | (CONFIDENTIALITY_OFFSETS.indexOf(c.confidentialityOffset) << KEY_OFFSET_SHIFT);

/**
 * A key's protect options under SA `an` (the one place a key is decoded), made once per key and AN and
 * kept in `cache` (frames sent the usual way share a handful of keys).
 */
export function optionsOfKey(cache: (BurstProtectOptions | undefined)[], key: number, an: AN, sci: Uint8Array): BurstProtectOptions {
  const at = key | (an << KEY_AN_SHIFT);
  const known = cache[at];
  if (known !== undefined) return known;
  const confidentiality = (key & KEY_CONFIDENTIALITY) !== 0;
  const confidentialityOffset = CONFIDENTIALITY_OFFSETS[(key >>> KEY_OFFSET_SHIFT) & 3]!;
  const clearTags = (key >>> KEY_TAGS_SHIFT) & 3;
  // Literals of one shape (no spread): the burst loop reads these per frame.
  const o: BurstProtectOptions =
    key & KEY_INCLUDE_SCI
      ? { an, sci, includeSci: true, endStation: false, scb: false, confidentiality, confidentialityOffset, clearTags }
      : { an, sci, includeSci: false, endStation: (key & KEY_END_STATION) !== 0, scb: (key & KEY_SCB) !== 0, confidentiality, confidentialityOffset, clearTags };
  cache[at] = o;
  return o;
}

/** Octets a frame with this key grows by: SecTAG and ICV. */
export const growthOfKey = (key: number): number => secTagLength((key & KEY_INCLUDE_SCI) !== 0) + ICV_LENGTH;
