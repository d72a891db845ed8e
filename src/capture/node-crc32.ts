/** CRC-32 engines in native code for the FCS checks of a burst: Node's zlib.crc32, or a faster one. */
import { crc32 } from 'node:zlib';
import { crc32 as tableCrc32, useCrc32Engine, type Crc32Engine } from './crc32.js';

/**
 * Frames shorter than this go through the tables (no view); longer ones through zlib over a view (measured per
 * frame: 174 against 209 ns at 128 octets, 359 against 262 at 256).
 */
const ZLIB_FROM = 192;

/**
 * Installs the engine `faster` gives (the native addon's, see nativeCrc32) where it gives one, else zlib.crc32
 * range by range (the tables for short ranges). `faster` is asked on the first FCS check, not before: a
 * command that reads no capture does not load what it would load.
 */
export function useNodeCrc32(faster?: () => Crc32Engine | undefined): void {
  const zlib: Crc32Engine = (bytes, starts, ends, count, out) => {
    for (let i = 0; i < count; i++) {
      const s = starts[i]!;
      const e = ends[i]!;
      out[i] = e - s < ZLIB_FROM ? tableCrc32(bytes, s, e) : crc32(bytes.subarray(s, e));
    }
  };
  let engine: Crc32Engine | undefined;
  useCrc32Engine((bytes, starts, ends, count, out) => (engine ??= faster?.() ?? zlib)(bytes, starts, ends, count, out));
}
