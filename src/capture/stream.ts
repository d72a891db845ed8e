/**
 * Reading a capture as a stream: the file's octets come from a source a chunk at a time into one bounded
 * window, and records come out in bursts, so memory depends on the largest record, never on the file's
 * length. Works for any source that can be read in order (a file, a pipe, stdin).
 */
import { CaptureError, truncated } from './errors.js';
import { pcapMagic, PCAP_HEADER_LENGTH, PcapRecords, readPcapHeader } from './pcap.js';
import { PcapngBlocks } from './pcapng.js';
import { LinkType } from './linktype.js';
import type { Capture, CaptureInterface, CaptureRecord, ReadOptions } from './record.js';
import { END, Window } from './window.js';

/** Where a streaming reader gets octets: like FileHandle.read, 0 at the end. */
export interface ByteSource {
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
}

/** Octets asked of the source at a time. */
export const READ_CHUNK = 1 << 20;

const MAGIC_LENGTH = 4;
const PCAPNG_MAGIC = [0x0a, 0x0d, 0x0d, 0x0a] as const;

/** Reads from `source` until at least `octets` are unread in `w` or the source ends. */
async function fill(w: Window, source: ByteSource, octets: number): Promise<void> {
  if (w.end + Math.max(octets - w.left, READ_CHUNK / 2) > w.bytes.length) w.makeRoom(Math.max(octets, READ_CHUNK));
  while (!w.eof && w.left < octets) {
    const n = await source.read(w.bytes, w.end, w.bytes.length - w.end);
    if (n === 0) w.eof = true;
    w.end += n;
  }
}

/** A capture read as it streams in: its format and interfaces, and its records in bursts. */
export class CaptureReader {
  private constructor(
    private readonly source: ByteSource,
    private readonly window: Window,
    readonly format: Capture['format'],
    private readonly records: PcapRecords | PcapngBlocks,
    private readonly pcapInterfaces: readonly CaptureInterface[],
  ) {}

  /** Opens a capture on `source`: reads and checks its header; `file` only names it in errors. */
  static async open(source: ByteSource, file?: string, options: ReadOptions = {}): Promise<CaptureReader> {
    const w = new Window(new Uint8Array(2 * READ_CHUNK), false);
    await fill(w, source, PCAP_HEADER_LENGTH);
    if (w.left < MAGIC_LENGTH) throw truncated(file, 'capture file magic number', 0, MAGIC_LENGTH, w.left);
    if (PCAPNG_MAGIC.every((b, i) => w.bytes[i] === b)) return new CaptureReader(source, w, 'pcapng', new PcapngBlocks(file, options), []);
    if (pcapMagic(w.bytes.subarray(0, w.end)) === undefined) {
      const found = Array.from(w.bytes.subarray(0, MAGIC_LENGTH), (b) => b.toString(16).padStart(2, '0')).join('');
      throw new CaptureError('BAD_MAGIC', file, 0, `magic number ${found} at offset 0 is neither pcap nor pcapng`);
    }
    const header = readPcapHeader(w.bytes.subarray(0, w.end), file, w.left);
    w.start = PCAP_HEADER_LENGTH;
    return new CaptureReader(source, w, 'pcap', new PcapRecords(header, file, options), [header.iface]);
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
    return this.window.offset;
  }

  /**
   * Up to `max` next records, none only at the end of the file. Each owns its octets; with `views`, their
   * octets are views of the reader's buffer instead (no copy), valid only until the next call, and a burst
   * may end early where the buffer must be refilled.
   */
  async next(max: number, views = false): Promise<CaptureRecord[]> {
    const out: CaptureRecord[] = [];
    while (out.length < max) {
      const r = this.records.step(this.window, !views);
      if (r === END) break;
      if (typeof r !== 'number') out.push(r);
      else if (views && out.length > 0) break;
      else await fill(this.window, this.source, r);
    }
    return out;
  }
}
