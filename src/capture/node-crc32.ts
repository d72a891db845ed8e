/** Node's zlib.crc32 (the same CRC-32 as the FCS, in native code) for the FCS checks of long frames. */
import { crc32 } from 'node:zlib';
import { useCrc32Engine } from './crc32.js';

/** Installs zlib.crc32 as the CRC-32 engine (see useCrc32Engine). */
export function useNodeCrc32(): void {
  useCrc32Engine((bytes) => crc32(bytes));
}
