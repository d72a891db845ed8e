/**
 * CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF),
 * slicing-by-8: eight 256-entry tables let the loop consume eight octets per step.
 */
import { ConfigError } from '../util/errors.js';

export const FCS_LENGTH = 4;

const TABLES = ((): Uint32Array => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  // Table k advances a CRC over octet n followed by k zero octets.
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = t[prev & 0xff]! ^ (prev >>> 8);
    }
  }
  return t;
})();

/**
 * A platform's own CRC-32 of this polynomial over many ranges at once: out[i] = CRC of
 * bytes[starts[i]..ends[i]) (Node's zlib.crc32 one by one, ipsec-mb's in one call).
 */
export type Crc32Engine = (bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, count: number, out: Uint32Array) => void;

let engine: Crc32Engine | undefined;

/** Installs (or with undefined removes) a faster CRC-32 for crc32Ranges; see node-crc32.ts. */
export function useCrc32Engine(e: Crc32Engine | undefined): void {
  engine = e;
}

/** out[i] = crc32(bytes, starts[i], ends[i]) for i < count, through the installed engine if any. */
export function crc32Ranges(bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, count: number, out: Uint32Array): void {
  if (engine !== undefined) {
    engine(bytes, starts, ends, count, out);
    return;
  }
  for (let i = 0; i < count; i++) out[i] = crc32(bytes, starts[i], ends[i]);
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= bytes.length)) {
    throw new ConfigError('crc32 range', `0 <= start <= end <= ${bytes.length}`, `${start}..${end}`);
  }
  const t = TABLES;
  let c = 0xffffffff;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + bytes[i + 4]!]! ^
      t[2 * 256 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The frame followed by its FCS, least significant octet first (the order 802.3 transmits it). */
export function appendFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + FCS_LENGTH);
  out.set(frame);
  const fcs = crc32(frame);
  out[frame.length] = fcs;
  out[frame.length + 1] = fcs >>> 8;
  out[frame.length + 2] = fcs >>> 16;
  out[frame.length + 3] = fcs >>> 24;
  return out;
}

/** True when the last four octets are the FCS of the octets before them. */
export function hasValidFcs(frame: Uint8Array): boolean {
  const n = frame.length - FCS_LENGTH;
  if (n < 0) return false;
  return crc32(frame, 0, n) === fcsAt(frame, n);
}

/** The FCS stored at bytes[at..at+4), least significant octet first. */
export function fcsAt(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
