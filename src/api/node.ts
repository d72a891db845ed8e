/**
 * `macsec-sim/node`: what needs Node. The `node` and `native` backends (registered by `useNodeBackends()`;
 * the native addon is loaded on first use), the worker pool for bursts, file loaders (vector, SA and
 * scenario files), pcap/pcapng captures (whole, or streamed in packed bursts: openCaptureFile, PcapFileWriter),
 * and transmit snapshots on disk.
 */
export { useNodeBackends } from '../crypto/node-backends.js';
export { nativeStatus, type NativeStatus } from '../crypto/native.js';
export { BurstPool, type BurstPoolOptions } from '../crypto/pool.js';
export { runVectorFile } from '../conformance/files.js';
export { loadSaFile } from '../config/files.js';
export { loadScenarioFile } from '../link/files.js';
export { readSnapshotFile, writeSnapshotFile } from '../config/snapshot-file.js';
export {
  CaptureError,
  CaptureReader,
  LinkType,
  openCaptureFile,
  PcapFileWriter,
  RecordBatch,
  readCapture,
  readCaptureFile,
  readPcap,
  readPcapng,
  writeCaptureFileAtomic,
  writePcap,
  writePcapng,
  type ByteSource,
  type Capture,
  type CaptureErrorCode,
  type CaptureInterface,
  type CaptureRecord,
  type FcsMode,
  type FrameTimes,
  type ReadOptions,
  type TsResolution,
  type WritableRecord,
  type WriteOptions,
} from '../capture/index.js';
