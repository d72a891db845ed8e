/**
 * A transmitted frame's SecTAG options as one small number (frames with equal keys share a burst call):
 * the SC, ES, SCB and E=C bits (9.5), the clear tags, and the confidentiality offset's index in
 * CONFIDENTIALITY_OFFSETS. Encoded in transmit.ts (takePN) and here, decoded only here.
 */
import type { BurstProtectOptions } from '../crypto/burst.js';
import { CONFIDENTIALITY_OFFSETS } from '../crypto/suite.js';
import { ICV_LENGTH, secTagLength } from '../wire/sectag.js';
import type { SecYControls } from './controls.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const KEY_INCLUDE_SCI = 1;
export const KEY_END_STATION = 2;
export const KEY_SCB = 4;
export const KEY_CONFIDENTIALITY = 8;
export const KEY_TAGS_SHIFT = 4;
const KEY_OFFSET_SHIFT = 6;

/** The part of the key the controls alone decide (E=C, the confidentiality offset). */
export const keyOfControls = (c: SecYControls): number =>
  (c.confidentialityProtect ? KEY_CONFIDENTIALITY : 0) | (CONFIDENTIALITY_OFFSETS.indexOf(c.confidentialityOffset) << KEY_OFFSET_SHIFT);

/** A key's SecTAG options written into `o` (the one place a key is decoded). */
export function decodeKey(key: number, o: Mutable<BurstProtectOptions>): void {
  o.includeSci = (key & KEY_INCLUDE_SCI) !== 0;
  o.endStation = (key & KEY_END_STATION) !== 0;
  o.scb = (key & KEY_SCB) !== 0;
  o.confidentiality = (key & KEY_CONFIDENTIALITY) !== 0;
  o.confidentialityOffset = CONFIDENTIALITY_OFFSETS[(key >>> KEY_OFFSET_SHIFT) & 3]!;
  o.clearTags = (key >>> KEY_TAGS_SHIFT) & 3;
}

/** Octets a frame with this key grows by: SecTAG and ICV. */
export const growthOfKey = (key: number): number => secTagLength((key & KEY_INCLUDE_SCI) !== 0) + ICV_LENGTH;
