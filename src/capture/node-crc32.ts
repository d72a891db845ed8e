/** CRC-32 engines in native code for the FCS checks of a burst: Node's zlib.crc32, or a faster one. */
import { crc32 } from 'node:zlib';
import { useCrc32Engine, type Crc32Engine } from './crc32.js';

/** Installs `faster` (the native addon's, see nativeCrc32) where there is one, else zlib.crc32 range by range. */
export function useNodeCrc32(faster?: Crc32Engine): void {
  useCrc32Engine(
    faster ??
      ((bytes, starts, ends, count, out) => {
        for (let i = 0; i < count; i++) out[i] = crc32(bytes.subarray(starts[i], ends[i]));
      }),
  );
}
