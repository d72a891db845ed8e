/**
 * Reading a capture as a stream: the file's octets come from a source a chunk at a time, and records come
 * out in bursts (RecordBatch), so memory depends on the largest record, never on the file's length. Two
 * buffers take turns: while the records of one are processed, the next chunk is read into the other, and
 * the few octets of a record cut by the chunk's end move to just before it. Works for any source that can
 * be read in order (a file, a pipe, stdin).
 */
import { RecordBatch } from './batch.js';
import { CaptureError, truncated } from './errors.js';
import { pcapMagic, PCAP_HEADER_LENGTH, PcapRecords, readPcapHeader } from './pcap.js';
import { PcapngBlocks } from './pcapng.js';
import { LinkType } from './linktype.js';
import type { Capture, CaptureInterface, CaptureRecord, ReadOptions } from './record.js';
import { ADDED, END, READ_BURST, Window, type RecordSteps } from './window.js';

/** Where a streaming reader gets octets: like FileHandle.read, 0 at the end. */
export interface ByteSource {
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
}

/** Octets asked of the source at a time. */
export const READ_CHUNK = 1 << 21;
/**
 * Room before each chunk for the start of a record cut by the previous chunk's end: a record up to this
 * size moves there; a larger one (up to MAX_RECORD_LENGTH) is read into a buffer of its own.
 */
const CARRY = 1 << 16;

const MAGIC_LENGTH = 4;
const PCAPNG_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a] as const;

/** The octets of a source in two buffers taking turns (see the file's comment). */
class Chunks {
  readonly window: Window;
  /** The buffer not in the window: being read into, or free. */
  private spare: Uint8Array;
  /** The read into `spare` under way, if any. */
  private pending: Promise<number> | undefined;
  private readonly buffers: readonly [Uint8Array, Uint8Array];

  constructor(private readonly source: ByteSource) {
    this.buffers = [new Uint8Array(CARRY + READ_CHUNK), new Uint8Array(CARRY + READ_CHUNK)];
    this.window = new Window(this.buffers[0], false);
    this.window.start = this.window.end = CARRY;
    this.window.base = -CARRY;
    this.spare = this.buffers[1];
  }

  /** Starts reading the next chunk into the spare buffer, unless under way or at the end; the read under way. */
  readAhead(): Promise<number> {
    if (this.pending !== undefined) return this.pending;
    if (this.window.eof) return Promise.resolve(0);
    const pending = this.source.read(this.spare, CARRY, READ_CHUNK);
    // Its failure surfaces where it is awaited (need); a reader closed early never awaits it.
    pending.catch(() => undefined);
    this.pending = pending;
    return pending;
  }

  /**
   * Makes at least `octets` unread octets visible in the window (fewer only at the end of the source).
   * Moves the window: nothing may still refer to its octets.
   */
  async need(octets: number): Promise<void> {
    const w = this.window;
    if (w.eof) return;
    const n = await this.readAhead();
    this.pending = undefined;
    const left = w.left;
    const next = this.spare;
    if (left <= CARRY) {
      // The cut record's start moves to just before the chunk read after it.
      next.set(w.bytes.subarray(w.start, w.end), CARRY - left);
      const offset = w.offset;
      this.spare = w.bytes === this.buffers[0] || w.bytes === this.buffers[1] ? w.bytes : next === this.buffers[0] ? this.buffers[1] : this.buffers[0];
      w.use(next, CARRY - left, CARRY + n, offset - (CARRY - left));
    } else {
      // A record longer than CARRY: the window grows to hold it (see Window.makeRoom); the spare stays free.
      w.makeRoom(left + n);
      w.bytes.set(next.subarray(CARRY, CARRY + n), w.end);
      w.end += n;
    }
    if (n === 0) w.eof = true;
    while (!w.eof && w.left < octets) {
      if (w.end === w.bytes.length) w.makeRoom(Math.max(octets, w.bytes.length + 1));
      const more = await this.source.read(w.bytes, w.end, w.bytes.length - w.end);
      if (more === 0) w.eof = true;
      w.end += more;
    }
  }

  /** Waits for a read under way (a reader closed early must not leave one pending on a closed file). */
  async settle(): Promise<void> {
    await this.pending?.catch(() => 0);
  }
}

/** A capture read as it streams in: its format and interfaces, and its records in bursts. */
export class CaptureReader {
  private readonly batch = new RecordBatch(READ_BURST);

  private constructor(
    private readonly chunks: Chunks,
    readonly format: Capture['format'],
    private readonly records: RecordSteps,
    private readonly pcapInterfaces: readonly CaptureInterface[],
  ) {}

  /** Opens a capture on `source`: reads and checks its header; `file` only names it in errors. */
  static async open(source: ByteSource, file?: string, options: ReadOptions = {}): Promise<CaptureReader> {
    const chunks = new Chunks(source);
    const w = chunks.window;
    await chunks.need(PCAP_HEADER_LENGTH);
    const head = w.bytes.subarray(w.start, w.end);
    if (w.left < MAGIC_LENGTH) throw truncated(file, 'capture file magic number', 0, MAGIC_LENGTH, w.left);
    if (PCAPNG_MAGIC.every((b, i) => head[i] === b)) return new CaptureReader(chunks, 'pcapng', new PcapngBlocks(file, options), []);
    if (pcapMagic(head) === undefined) {
      const found = Array.from(head.subarray(0, MAGIC_LENGTH), (b) => b.toString(16).padStart(2, '0')).join('');
      throw new CaptureError('BAD_MAGIC', file, 0, `magic number ${found} at offset 0 is neither pcap nor pcapng`);
    }
    const header = readPcapHeader(head, file, w.left);
    w.start += PCAP_HEADER_LENGTH;
    return new CaptureReader(chunks, 'pcap', new PcapRecords(header, file, options), [header.iface]);
  }

  /** Link type of every record: always Ethernet, as packets of other link types are rejected. */
  get linkType(): number {
    return LinkType.ETHERNET;
  }

  /** The interfaces declared so far (pcapng declares them as it goes). */
  get interfaces(): readonly CaptureInterface[] {
    return this.records instanceof PcapngBlocks ? this.records.interfaces : this.pcapInterfaces;
  }

  /** Octets of the file consumed so far. */
  get offset(): number {
    return this.chunks.window.offset;
  }

  /**
   * The next burst of up to `max` (at most READ_BURST) records, empty only at the end of the file. The
   * batch and the octets it points to are the reader's: valid until the next call. A burst may end early
   * where a chunk of the file ends.
   */
  async nextBatch(max = READ_BURST): Promise<RecordBatch> {
    const { batch, chunks, records } = this;
    const w = chunks.window;
    const limit = Math.min(max, batch.capacity);
    batch.reset(w.bytes);
    while (batch.count < limit) {
      const r = records.step(w, batch);
      if (r === ADDED) continue;
      if (r === END || batch.count > 0) break;
      await chunks.need(r);
      batch.reset(w.bytes);
    }
    batch.guessFcs();
    void chunks.readAhead();
    return batch;
  }

  /**
   * Up to `max` next records, none only at the end of the file. Each owns its octets; with `views`, their
   * octets are views of the reader's buffer instead (no copy), valid only until the next call, and a burst
   * may end early where the buffer must be refilled.
   */
  async next(max: number, views = false): Promise<CaptureRecord[]> {
    const out: CaptureRecord[] = [];
    while (out.length < max) {
      const batch = await this.nextBatch(max - out.length);
      for (let i = 0; i < batch.count; i++) out.push(batch.record(i, views));
      if (batch.count === 0 || views) break;
    }
    return out;
  }

  /** Waits for any read ahead still under way; call before closing the source early. */
  settle(): Promise<void> {
    return this.chunks.settle();
  }
}
