/** Reading and writing packet captures: classic pcap and pcapng, Ethernet frames only. */
export { CaptureError, type CaptureErrorCode } from './errors.js';
export { crc32, appendFcs, hasValidFcs, FCS_LENGTH } from './crc32.js';
export { LinkType, describeLinkType } from './linktype.js';
export {
  MAX_RECORD_LENGTH,
  MICROSECONDS,
  NANOSECONDS,
  type Capture,
  type CaptureInterface,
  type CaptureRecord,
  type FcsMode,
  type ReadOptions,
  type TsResolution,
  type WritableRecord,
  type WriteOptions,
} from './record.js';
export { readPcap, writePcap, PCAP_MAGIC_MICROSECONDS, PCAP_MAGIC_NANOSECONDS } from './pcap.js';
export { readPcapng, writePcapng, BlockType } from './pcapng.js';
export { readCapture } from './read.js';
export { readCaptureFile, writeCaptureFileAtomic } from './file.js';
export { CaptureReader, READ_CHUNK, type ByteSource } from './stream.js';
export { RecordBatch, type FrameTimes } from './batch.js';
export { handleSource, openCaptureFile, PcapFileWriter } from './file.js';
