/** Capture files on disk; writes are atomic, so a reader never sees half a file. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import {
  checkPcapWritable,
  encodePcapHeader,
  encodePcapRecord,
  microsecondsToNanoseconds,
  PCAP_HEADER_LENGTH,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_LENGTH,
} from './pcap.js';
import { readCapture } from './read.js';
import { MAX_RECORD_LENGTH, type Capture, type ReadOptions, type WritableRecord } from './record.js';
import type { ByteSource } from './stream.js';

export async function readCaptureFile(path: string, options: ReadOptions = {}): Promise<Capture> {
  const buffer = await readFile(path);
  return readCapture(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path, options);
}

/** An open file (or pipe) read in order from where it stands. */
export function handleSource(handle: FileHandle): ByteSource {
  return { read: async (into, offset, length) => (await handle.read(into, offset, length, null)).bytesRead };
}

const temporaryBeside = (path: string): string => `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;

/**
 * Writes to a temporary file beside `path` (rename is only atomic within one file system),
 * flushes it, then renames it over `path`; on any failure the temporary file is removed.
 */
export async function writeCaptureFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = temporaryBeside(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined); // the first error is the one to report
    throw error;
  }
}

/** Octets gathered before they go to the file in one write. */
const WRITE_CHUNK = 1 << 20;

/**
 * A pcap written as records come, through a bounded buffer. Its timestamps are in microseconds while every
 * record's fits them (what every reader knows), else in nanoseconds: at the first record that needs them
 * the records already written are turned into nanoseconds in place (exact, they were whole microseconds),
 * so each record's timestamp is kept exactly without knowing the records to come. `atomic` writers write a
 * temporary file beside the path and rename it over the path only on `close`.
 */
export class PcapFileWriter {
  private buffer = new Uint8Array(WRITE_CHUNK + PCAP_RECORD_HEADER_LENGTH + MAX_RECORD_LENGTH);
  private view = new DataView(this.buffer.buffer);
  private used = 0;
  /** Octets already in the file. */
  private flushed = 0;
  private nanoseconds = false;
  /** Records written. */
  records = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly temp: string | undefined,
    resolution: 'auto' | 'ns',
  ) {
    this.nanoseconds = resolution === 'ns';
    encodePcapHeader(this.buffer, this.nanoseconds, MAX_RECORD_LENGTH);
    this.used = PCAP_HEADER_LENGTH;
  }

  /**
   * A new file at `path`, written atomically (a temporary file renamed over `path` on close); timestamps in
   * microseconds while they fit ('auto'), or always in nanoseconds.
   */
  static async create(path: string, resolution: 'auto' | 'ns' = 'auto'): Promise<PcapFileWriter> {
    const temp = temporaryBeside(path);
    return new PcapFileWriter(await open(temp, 'wx+'), path, temp, resolution);
  }

  /** Adds records in order; throws ConfigError for one no pcap can hold (after 2106, over the snapshot length). */
  async write(records: readonly WritableRecord[]): Promise<void> {
    for (const record of records) {
      checkPcapWritable(record, this.records, MAX_RECORD_LENGTH);
      if (!this.nanoseconds && record.timestampNs % 1000n !== 0n) await this.toNanoseconds();
      this.used = encodePcapRecord(this.buffer, this.view, this.used, record, this.nanoseconds);
      this.records++;
      if (this.used >= WRITE_CHUNK) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    let done = 0;
    while (done < this.used) done += (await this.handle.write(this.buffer, done, this.used - done, this.flushed + done)).bytesWritten;
    this.flushed += this.used;
    this.used = 0;
  }

  /** Rewrites what is written so far in nanoseconds: the magic, then every record's fraction. */
  private async toNanoseconds(): Promise<void> {
    this.nanoseconds = true;
    if (this.flushed === 0) {
      microsecondsToNanoseconds(this.buffer, PCAP_HEADER_LENGTH, this.used);
      this.view.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
      return;
    }
    await this.flush();
    const chunk = this.buffer;
    for (let at = 0; at < this.flushed; ) {
      const { bytesRead } = await this.handle.read(chunk, 0, Math.min(chunk.length, this.flushed - at), at);
      const first = at === 0 ? PCAP_HEADER_LENGTH : 0;
      if (at === 0) this.view.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
      const end = microsecondsToNanoseconds(chunk, first, bytesRead);
      await this.handle.write(chunk, 0, end, at);
      at += end;
    }
  }

  /** Flushes, syncs and closes; an atomic writer then renames its file over the path. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
    if (this.temp !== undefined) await rename(this.temp, this.path);
  }

  /** Closes and removes the temporary file: nothing is left at the path. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    if (this.temp !== undefined) await rm(this.temp, { force: true }).catch(() => undefined);
  }
}
