/** CRC-32 engines in native code for the FCS checks of a burst: Node's zlib.crc32, or a faster one. */
import { crc32 } from 'node:zlib';
import { useCrc32Engine, type Crc32Engine } from './crc32.js';

/**
 * Installs the engine `faster` gives (the native addon's, see nativeCrc32) where it gives one, else zlib.crc32
 * range by range. `faster` is asked on the first FCS check, not before: a command that reads no capture does
 * not load what it would load.
 */
export function useNodeCrc32(faster?: () => Crc32Engine | undefined): void {
  const zlib: Crc32Engine = (bytes, starts, ends, count, out) => {
    for (let i = 0; i < count; i++) out[i] = crc32(bytes.subarray(starts[i], ends[i]));
  };
  let engine: Crc32Engine | undefined;
  useCrc32Engine((bytes, starts, ends, count, out) => (engine ??= faster?.() ?? zlib)(bytes, starts, ends, count, out));
}
