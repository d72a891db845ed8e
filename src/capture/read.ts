/** Format detection: a pcap or pcapng file is told apart by its first four octets. */
import { CaptureError, truncated } from './errors.js';
import { pcapMagic, readPcap } from './pcap.js';
import { readPcapng } from './pcapng.js';
import type { Capture, ReadOptions } from './record.js';

const MAGIC_LENGTH = 4;
const PCAPNG_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a] as const;

/** Reads a pcap or pcapng file; `file` only names it in errors. */
export function readCapture(bytes: Uint8Array, file?: string, options: ReadOptions = {}): Capture {
  if (bytes.length < MAGIC_LENGTH) throw truncated(file, 'capture file magic number', 0, MAGIC_LENGTH, bytes.length);
  if (PCAPNG_MAGIC.every((b, i) => bytes[i] === b)) return readPcapng(bytes, file, options);
  if (pcapMagic(bytes) !== undefined) return readPcap(bytes, file, options);
  const found = Array.from(bytes.subarray(0, MAGIC_LENGTH), (b) => b.toString(16).padStart(2, '0')).join('');
  throw new CaptureError('BAD_MAGIC', file, 0, `magic number ${found} at offset 0 is neither pcap nor pcapng`);
}
