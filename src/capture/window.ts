import { RecordBatch } from './batch.js';
import type { CaptureRecord } from './record.js';

/**
 * The octets of a capture a reader can see at once: a bounded window onto the file that a streaming
 * reader refills as it goes, or the whole file at once (`eof` already true). Readers step through it one
 * record or block at a time and ask for more octets when a record does not fit yet.
 */
export class Window {
  bytes: Uint8Array;
  view: DataView;
  /** Index in `bytes` of the next unread octet. */
  start = 0;
  /** Index in `bytes` past the last octet read in. */
  end: number;
  /** File offset of bytes[0]: file offset of index i is base + i. */
  base = 0;
  /** The file has no octets beyond `end`. */
  eof: boolean;

  constructor(bytes: Uint8Array, eof: boolean) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = eof ? bytes.length : 0;
    this.eof = eof;
  }

  get left(): number {
    return this.end - this.start;
  }

  /** File offset of the next unread octet. */
  get offset(): number {
    return this.base + this.start;
  }

  /** Shows `bytes[start..end)`, whose index 0 is file offset `base`. */
  use(bytes: Uint8Array, start: number, end: number, base: number): void {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.start = start;
    this.end = end;
    this.base = base;
  }

  /**
   * Room for at least `octets` unread octets: unread octets move to the front, and the buffer doubles
   * (only as far as needed) when a single record is larger than it.
   */
  makeRoom(octets: number): void {
    if (this.start > 0) {
      this.bytes.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (octets <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < octets) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.end));
    this.use(grown, this.start, this.end, this.base);
  }
}

/** What a reader's step gives: a record added to the batch, the number of unread octets it needs before it can go on, or the end. */
export const ADDED = true;
export const END = null;

/** A reader of records from a window into a batch (see PcapRecords, PcapngBlocks). */
export interface RecordSteps {
  step(w: Window, batch: RecordBatch): typeof ADDED | number | typeof END;
}

/** Records in one burst of a reader, as many as read at once. */
export const READ_BURST = 1024;

/** Every record of a whole file in `w` (eof), each owning its octets. */
export function readAll(w: Window, steps: RecordSteps): CaptureRecord[] {
  const records: CaptureRecord[] = [];
  const batch = new RecordBatch(READ_BURST);
  for (;;) {
    batch.reset(w.bytes);
    let r: typeof ADDED | number | typeof END = ADDED;
    while (!batch.full && (r = steps.step(w, batch)) === ADDED);
    batch.guessFcs();
    for (let i = 0; i < batch.count; i++) records.push(batch.record(i));
    if (r === END) return records;
    if (r !== ADDED) throw new Error(`capture reader: asked for ${r} more octets of a whole file`);
  }
}
