/** Capture files on disk; writes are atomic, so a reader never sees half a file. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '../util/errors.js';
import {
  checkPcapWritable,
  encodePcapHeader,
  encodePcapRecord,
  encodePcapRecordHeader,
  microsecondsToNanoseconds,
  PCAP_HEADER_LENGTH,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_LENGTH,
} from './pcap.js';
import { readCapture } from './read.js';
import { MAX_RECORD_LENGTH, type Capture, type ReadOptions, type WritableRecord } from './record.js';
import { CaptureReader, type ByteSource } from './stream.js';
import type { FrameTimes, PackedFrames } from './batch.js';

export async function readCaptureFile(path: string, options: ReadOptions = {}): Promise<Capture> {
  const buffer = await readFile(path);
  return readCapture(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path, options);
}

/** An open file (or pipe) read in order from where it stands. */
export function handleSource(handle: FileHandle): ByteSource {
  return { read: async (into, offset, length) => (await handle.read(into, offset, length, null)).bytesRead };
}

/** Whether `path` names something now (a dangling symlink does not). */
const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

const temporaryBeside = (path: string): string => `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;

/**
 * A streaming reader over the capture file at `path` (pcap or pcapng, told by its magic number): records are
 * read in bursts (`reader.nextBatch`, `reader.next`) into bounded buffers, whatever the file's size. `size` is
 * the file's length when it is a regular file; `close` releases it. A CaptureError names the file (or `name`,
 * as "stdin" for a spooled copy) and offset.
 */
export async function openCaptureFile(path: string, options: ReadOptions = {}, name = path): Promise<{ reader: CaptureReader; size: number | undefined; close: () => Promise<void> }> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    const reader = await CaptureReader.open(handleSource(handle), name, options);
    // A read ahead may be under way: it ends before the file does.
    const close = async (): Promise<void> => {
      await reader.settle();
      await handle.close();
    };
    return { reader, size: stat.isFile() ? stat.size : undefined, close };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

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
const WRITE_CHUNK = 1 << 21;
/** Frames shorter than this are copied octet by octet. */
const SHORT_COPY = 128;

/** Where a PcapFileWriter's octets go. */
interface PcapSink {
  /** Writes octets at `position` (a stream ignores it: it only ever appends); returns how many were written. */
  write(bytes: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** The file, when what is written can be read back and rewritten in place (a new regular file). */
  readonly file: FileHandle | undefined;
  /** Makes the output final (a temporary file closed and renamed over its path; synced first when it replaces a file). */
  commit(): Promise<void>;
  /** Gives up: a temporary file is removed; a stream is closed, what it took stays taken. */
  discard(): Promise<void>;
}

/** A stream such as process.stdout, written in order, each write awaited (a reader that quits early: EPIPE). */
function streamSink(stream: NodeJS.WritableStream): PcapSink {
  const write = (bytes: Uint8Array, offset: number, length: number): Promise<number> =>
    new Promise((done, failed) => {
      const onError = (e: Error): void => failed(e);
      stream.once('error', onError);
      stream.write(bytes.subarray(offset, offset + length), (e) => {
        stream.removeListener('error', onError);
        if (e) failed(e);
        else done(length);
      });
    });
  return { write, file: undefined, commit: async () => undefined, discard: async () => undefined };
}

/**
 * A pcap written as records come, through two bounded buffers taking turns: one is filled while the other
 * is being written. Written to a new file, its timestamps are in
 * microseconds while every record's fits them (what every reader knows), else in nanoseconds: at the first
 * record that needs them the records already written are turned into nanoseconds in place (exact, they were
 * whole microseconds), so each record's timestamp is kept exactly without knowing the records to come. The
 * file is a temporary one beside the path, renamed over the path only on `close`. Written through to what
 * cannot be rewritten (a FIFO, a device, stdout), the resolution is fixed up front by the caller.
 */
export class PcapFileWriter {
  private buffer = new Uint8Array(WRITE_CHUNK + PCAP_RECORD_HEADER_LENGTH + MAX_RECORD_LENGTH);
  private view = new DataView(this.buffer.buffer);
  /** The other buffer: being written, or free. */
  private spare = new Uint8Array(this.buffer.length);
  private spareView = new DataView(this.spare.buffer);
  /** The write of `spare` under way, if any. */
  private writing: Promise<void> | undefined;
  private used = 0;
  /** Octets handed to the file (written, or being written). */
  private flushed = 0;
  private nanoseconds = false;
  /** Records written. */
  records = 0;

  private constructor(
    private readonly sink: PcapSink,
    private readonly resolution: 'auto' | 'us' | 'ns',
  ) {
    this.nanoseconds = resolution === 'ns';
    encodePcapHeader(this.buffer, this.nanoseconds, MAX_RECORD_LENGTH);
    this.used = PCAP_HEADER_LENGTH;
  }

  /**
   * A new file at `path`, written atomically (a temporary file renamed over `path` on close, synced first when
   * that replaces a file); timestamps in microseconds while they fit ('auto'), or always in nanoseconds.
   */
  static async create(path: string, resolution: 'auto' | 'ns' = 'auto'): Promise<PcapFileWriter> {
    const temp = temporaryBeside(path);
    const handle = await open(temp, 'wx+');
    const sink: PcapSink = {
      write: async (bytes, offset, length, position) => (await handle.write(bytes, offset, length, position)).bytesWritten,
      file: handle,
      commit: async () => {
        try {
          // On disk before it replaces a file, so a crash cannot leave a half-written one where a whole one was; a
          // new path replaces nothing, and its octets reach the disk as the system writes them back.
          if (await exists(path)) await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, path);
      },
      discard: async () => {
        await handle.close().catch(() => undefined);
        await rm(temp, { force: true }).catch(() => undefined);
      },
    };
    return new PcapFileWriter(sink, resolution);
  }

  /** An existing file that is not a regular one (a FIFO waits here for its reader, a device), written in order, never replaced. */
  static async through(path: string, resolution: 'us' | 'ns'): Promise<PcapFileWriter> {
    const handle = await open(path, constants.O_WRONLY);
    const sink: PcapSink = {
      write: async (bytes, offset, length) => (await handle.write(bytes, offset, length, null)).bytesWritten,
      file: undefined,
      commit: () => handle.close(),
      discard: () => handle.close().catch(() => undefined),
    };
    return new PcapFileWriter(sink, resolution);
  }

  /** A stream (standard output), written in order and left open. */
  static toStream(stream: NodeJS.WritableStream, resolution: 'us' | 'ns'): PcapFileWriter {
    return new PcapFileWriter(streamSink(stream), resolution);
  }

  /** Adds records in order; throws ConfigError for one no pcap can hold (after 2106, over the snapshot length, finer than a fixed µs). */
  async write(records: readonly WritableRecord[]): Promise<void> {
    for (const record of records) {
      checkPcapWritable(record, this.records, MAX_RECORD_LENGTH);
      if (!this.nanoseconds && record.timestampNs % 1000n !== 0n) await this.needNanoseconds(record.timestampNs);
      this.used = encodePcapRecord(this.buffer, this.view, this.used, record, this.nanoseconds);
      this.records++;
      if (this.used >= WRITE_CHUNK) await this.flush();
    }
  }

  /**
   * Adds the frames of `frames` in order, each as a whole record (captured and original length its length),
   * frame k with the time `times` has at `order[k]` (at k without `order`); frames of length 0 (no output)
   * are left out. The same checks and octets as `write` with those records.
   */
  async writePacked(frames: PackedFrames, times: FrameTimes, order?: Uint32Array): Promise<void> {
    for (let k = 0; k < frames.count; ) {
      k = this.encodeFrames(frames, times, order, k);
      if (this.used >= WRITE_CHUNK) {
        await this.flush();
        continue;
      }
      if (k === frames.count) break;
      // With room left, frame k is one the fast loop leaves here: refused (the checks throw) or the first finer than µs.
      const t = order === undefined ? k : order[k]!;
      const s = times.seconds[t]!;
      const length = frames.lengths[k]!;
      if (!(s >= 0 && s <= 0xffffffff) || length > MAX_RECORD_LENGTH) {
        const from = frames.offsets[k]!;
        checkPcapWritable({ data: frames.data.subarray(from, from + length), timestampNs: times.timestampNs(t) }, this.records, MAX_RECORD_LENGTH);
      }
      await this.needNanoseconds(times.timestampNs(t));
    }
  }

  /**
   * Encodes frames k, k+1, ... of writePacked until the buffer is full, the frames end, or one needs
   * more than encoding (see there); returns the frame it stopped at.
   */
  private encodeFrames(frames: PackedFrames, times: FrameTimes, order: Uint32Array | undefined, k: number): number {
    const { data, offsets, lengths, count } = frames;
    const { seconds, nanoseconds } = times;
    const { buffer, view, nanoseconds: ns } = this;
    let o = this.used;
    for (; k < count && o < WRITE_CHUNK; k++) {
      const length = lengths[k]!;
      if (length === 0) continue;
      const t = order === undefined ? k : order[k]!;
      const s = seconds[t]!;
      const fraction = nanoseconds[t]!;
      if (!(s >= 0 && s <= 0xffffffff) || length > MAX_RECORD_LENGTH || (!ns && fraction % 1000 !== 0)) break;
      encodePcapRecordHeader(view, o, s, fraction, length, length, ns);
      o += PCAP_RECORD_HEADER_LENGTH;
      const from = offsets[k]!;
      // Short frames byte by byte: cheaper than a view to copy from.
      if (length < SHORT_COPY) for (let j = 0; j < length; j++) buffer[o + j] = data[from + j]!;
      else buffer.set(data.subarray(from, from + length), o);
      o += length;
      this.records++;
    }
    this.used = o;
    return k;
  }

  /** A record with `timestampNs`, finer than microseconds, is next: nanoseconds from here on, if they may be chosen. */
  private async needNanoseconds(timestampNs: bigint): Promise<void> {
    if (this.resolution === 'us') throw new ConfigError(`record ${this.records + 1} timestamp`, 'whole microseconds (this output was begun in microseconds)', `${timestampNs} ns`);
    await this.toNanoseconds();
  }

  /** Hands the filled buffer to the file and goes on in the other one (once its own write is done). */
  private async flush(): Promise<void> {
    await this.drain();
    const bytes = this.buffer;
    const length = this.used;
    const position = this.flushed;
    this.flushed += length;
    this.used = 0;
    [this.buffer, this.spare] = [this.spare, this.buffer];
    [this.view, this.spareView] = [this.spareView, this.view];
    const writing = (async () => {
      for (let done = 0; done < length; ) done += await this.sink.write(bytes, done, length - done, position + done);
    })();
    writing.catch(() => undefined); // its failure surfaces where it is awaited (drain)
    this.writing = writing;
  }

  /** Waits for the write under way, if any. */
  private async drain(): Promise<void> {
    const writing = this.writing;
    this.writing = undefined;
    await writing;
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
    await this.drain();
    const file = this.sink.file;
    if (file === undefined) throw new Error('pcap writer: a resolution chosen late needs a file to rewrite (see create)');
    const chunk = this.buffer;
    for (let at = 0; at < this.flushed; ) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, this.flushed - at), at);
      const first = at === 0 ? PCAP_HEADER_LENGTH : 0;
      if (at === 0) this.view.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
      const end = microsecondsToNanoseconds(chunk, first, bytesRead);
      await file.write(chunk, 0, end, at);
      at += end;
    }
  }

  /** Flushes and makes the output final (a new file: synced, closed, renamed over its path). */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.drain();
    } catch (e) {
      await this.sink.discard();
      throw e;
    }
    await this.sink.commit();
  }

  /** Gives up: a new file's temporary file is removed, so nothing is left at the path. */
  async abandon(): Promise<void> {
    await this.drain().catch(() => undefined);
    await this.sink.discard();
  }
}
