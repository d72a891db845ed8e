/**
 * Classic libpcap files (draft-ietf-opsawg-pcap): a 24-octet file header, then records of a
 * 16-octet header and the captured octets. Either byte order is read, with microsecond or
 * nanosecond timestamps; files are written little-endian.
 */
import { ConfigError } from '../util/errors.js';
import { CaptureError, truncated } from './errors.js';
import { LinkType } from './linktype.js';
import { RecordBatch } from './batch.js';
import { ADDED, END, readAll, Window } from './window.js';
import {
  checkCapturedLength,
  checkLinkType,
  checkWritable,
  MAX_RECORD_LENGTH,
  MICROSECONDS,
  NANOSECONDS,
  type Capture,
  type CaptureInterface,
  type FcsMode,
  type ReadOptions,
  type WritableRecord,
  type WriteOptions,
} from './record.js';

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
const VERSION_MAJOR = 2;
const VERSION_MINOR = 4;

// File header.
const MAGIC_OFFSET = 0;
const VERSION_MAJOR_OFFSET = 4;
const VERSION_MINOR_OFFSET = 6;
// 8: thiszone and 12: sigfigs, both 0 in practice and ignored by libpcap.
const SNAPLEN_OFFSET = 16;
const LINKTYPE_OFFSET = 20;
export const PCAP_HEADER_LENGTH = 24;

// Record header.
const TS_SEC_OFFSET = 0;
const TS_FRACTION_OFFSET = 4;
const CAPLEN_OFFSET = 8;
const ORIGLEN_OFFSET = 12;
export const PCAP_RECORD_HEADER_LENGTH = 16;

// The LinkType field's upper bits may say how long an FCS the frames carry (libpcap LT_FCS_*).
const LINKTYPE_MASK = 0xffff;
const FCS_PRESENT_BIT = 0x0400_0000;
const FCS_LENGTH_SHIFT = 28; // in 16-bit words

/** The byte order and timestamp unit a pcap magic number announces, or undefined if it is none. */
export function pcapMagic(bytes: Uint8Array): { littleEndian: boolean; nanoseconds: boolean } | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const value = view.getUint32(MAGIC_OFFSET, littleEndian);
    if (value === PCAP_MAGIC_MICROSECONDS) return { littleEndian, nanoseconds: false };
    if (value === PCAP_MAGIC_NANOSECONDS) return { littleEndian, nanoseconds: true };
  }
  return undefined;
}

/** The file header of a pcap file: the whole file's interface and how to read its records. */
export interface PcapHeader {
  readonly iface: CaptureInterface;
  readonly littleEndian: boolean;
}

/** Reads the 24-octet file header; `fileLength` (the octets there are, when fewer than 24) names a truncated one. */
export function readPcapHeader(bytes: Uint8Array, file: string | undefined, fileLength: number): PcapHeader {
  if (fileLength < PCAP_HEADER_LENGTH) throw truncated(file, 'pcap file header', 0, PCAP_HEADER_LENGTH, fileLength);
  const magic = pcapMagic(bytes);
  if (magic === undefined) {
    const found = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false).toString(16).padStart(8, '0');
    throw new CaptureError('BAD_MAGIC', file, MAGIC_OFFSET, `bad pcap magic 0x${found} at offset ${MAGIC_OFFSET}`);
  }
  const le = magic.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, PCAP_HEADER_LENGTH);
  const major = view.getUint16(VERSION_MAJOR_OFFSET, le);
  if (major !== VERSION_MAJOR) {
    const minor = view.getUint16(VERSION_MINOR_OFFSET, le);
    const detail = `pcap version ${major}.${minor} at offset ${VERSION_MAJOR_OFFSET} is not 2.x`;
    throw new CaptureError('VERSION', file, VERSION_MAJOR_OFFSET, detail);
  }
  const linkField = view.getUint32(LINKTYPE_OFFSET, le);
  const linkType = linkField & LINKTYPE_MASK;
  const fcsLength = linkField & FCS_PRESENT_BIT ? (linkField >>> FCS_LENGTH_SHIFT) * 2 : undefined;
  const iface: CaptureInterface = {
    linkType,
    snapLength: view.getUint32(SNAPLEN_OFFSET, le),
    tsResolution: magic.nanoseconds ? NANOSECONDS : MICROSECONDS,
    tsOffsetSeconds: 0n,
    fcsLength,
    name: undefined,
    section: 0,
  };
  checkLinkType(linkType, { file, what: 'pcap LinkType field', offset: LINKTYPE_OFFSET }, '');
  return { iface, littleEndian: le };
}

/** Reads the records after the file header one at a time from a window onto the file, into a batch. */
export class PcapRecords {
  private readonly fcsMode: FcsMode;
  private readonly limit: number;
  /** Nanoseconds in one unit of the record headers' fraction. */
  private readonly unitNs: number;
  /** The record being read, for errors: one object reused, as each error's message is made at once. */
  private readonly place: { file: string | undefined; what: string; offset: number };

  constructor(
    private readonly header: PcapHeader,
    private readonly file: string | undefined,
    options: ReadOptions,
  ) {
    this.fcsMode = options.fcsMode ?? 'auto';
    this.limit = options.maxRecordLength ?? MAX_RECORD_LENGTH;
    this.unitNs = header.iface.tsResolution === NANOSECONDS ? 1 : 1000;
    this.place = { file, what: 'pcap record', offset: 0 };
  }

  /** Adds the next record to `batch` (whose data is the window's): ADDED, the unread octets needed to read it, or END. */
  step(w: Window, batch: RecordBatch): typeof ADDED | number | typeof END {
    const left = w.left;
    if (left === 0 && w.eof) return END;
    const o = w.start;
    if (left < PCAP_RECORD_HEADER_LENGTH) {
      if (!w.eof) return PCAP_RECORD_HEADER_LENGTH;
      throw truncated(this.file, 'pcap record header', w.offset, PCAP_RECORD_HEADER_LENGTH, left);
    }
    const le = this.header.littleEndian;
    const view = w.view;
    const place = this.place;
    place.offset = w.offset;
    const capturedLength = view.getUint32(o + CAPLEN_OFFSET, le);
    checkCapturedLength(capturedLength, this.limit, place);
    const size = PCAP_RECORD_HEADER_LENGTH + capturedLength;
    if (left < size) {
      if (!w.eof) return size;
      throw truncated(this.file, 'pcap record', w.offset, size, left);
    }
    batch.add(
      o + PCAP_RECORD_HEADER_LENGTH,
      capturedLength,
      view.getUint32(o + ORIGLEN_OFFSET, le),
      this.header.iface.fcsLength,
      this.fcsMode,
      view.getUint32(o + TS_SEC_OFFSET, le),
      view.getUint32(o + TS_FRACTION_OFFSET, le) * this.unitNs,
      0,
      place,
    );
    w.start += size;
    return ADDED;
  }
}

export function readPcap(bytes: Uint8Array, file?: string, options: ReadOptions = {}): Capture {
  const header = readPcapHeader(bytes, file, bytes.length);
  const w = new Window(bytes, true);
  w.start = PCAP_HEADER_LENGTH;
  const reader = new PcapRecords(header, file, options);
  return { format: 'pcap', linkType: header.iface.linkType, interfaces: [header.iface], records: readAll(w, reader) };
}

/** Checks a record a pcap writer is given; `index` names it in the error. */
export function checkPcapWritable(r: WritableRecord, index: number, snapLength: number): void {
  checkWritable(r, index, snapLength);
  if (r.timestampNs / 1_000_000_000n > 0xffffffffn) {
    throw new ConfigError(`records[${index}].timestampNs`, 'a time before 2106 (pcap seconds are 32 bits)', r.timestampNs.toString());
  }
}

/** The little-endian file header of a pcap of Ethernet frames into out[0..24). */
export function encodePcapHeader(out: Uint8Array, nanoseconds: boolean, snapLength: number): void {
  const view = new DataView(out.buffer, out.byteOffset, PCAP_HEADER_LENGTH);
  view.setUint32(MAGIC_OFFSET, nanoseconds ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, true);
  view.setUint16(VERSION_MAJOR_OFFSET, VERSION_MAJOR, true);
  view.setUint16(VERSION_MINOR_OFFSET, VERSION_MINOR, true);
  view.setUint32(SNAPLEN_OFFSET, snapLength, true);
  view.setUint32(LINKTYPE_OFFSET, LinkType.ETHERNET, true);
}

/** A record header at view[o..o+16): seconds, nanoseconds (floored to microseconds unless `nanoseconds`), lengths. */
export function encodePcapRecordHeader(view: DataView, o: number, seconds: number, ns: number, capturedLength: number, originalLength: number, nanoseconds: boolean): void {
  view.setUint32(o + TS_SEC_OFFSET, seconds, true);
  view.setUint32(o + TS_FRACTION_OFFSET, nanoseconds ? ns : Math.floor(ns / 1000), true);
  view.setUint32(o + CAPLEN_OFFSET, capturedLength, true);
  view.setUint32(o + ORIGLEN_OFFSET, originalLength, true);
}

/** One checked record, header and octets, at out[o..); returns the offset after it. */
export function encodePcapRecord(out: Uint8Array, view: DataView, o: number, r: WritableRecord, nanoseconds: boolean): number {
  const ns = Number(r.timestampNs % 1_000_000_000n);
  encodePcapRecordHeader(view, o, Number(r.timestampNs / 1_000_000_000n), ns, r.data.length, r.originalLength ?? r.data.length, nanoseconds);
  out.set(r.data, o + PCAP_RECORD_HEADER_LENGTH);
  return o + PCAP_RECORD_HEADER_LENGTH + r.data.length;
}

/**
 * Turns the microsecond records in bytes[from..to) into nanosecond ones (fraction x 1000, exact), stopping
 * before a record that does not end by `to`; returns where it stopped. The file header's magic is the caller's.
 */
export function microsecondsToNanoseconds(bytes: Uint8Array, from: number, to: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = from;
  while (o + PCAP_RECORD_HEADER_LENGTH <= to) {
    const size = PCAP_RECORD_HEADER_LENGTH + view.getUint32(o + CAPLEN_OFFSET, true);
    if (o + size > to) break;
    view.setUint32(o + TS_FRACTION_OFFSET, view.getUint32(o + TS_FRACTION_OFFSET, true) * 1000, true);
    o += size;
  }
  return o;
}

/** A little-endian pcap file of Ethernet frames. */
export function writePcap(records: readonly WritableRecord[], options: WriteOptions = {}): Uint8Array {
  const nanoseconds = options.resolution === 'ns';
  const snapLength = options.snapLength ?? MAX_RECORD_LENGTH;
  let total = PCAP_HEADER_LENGTH;
  records.forEach((r, i) => {
    checkPcapWritable(r, i, snapLength);
    total += PCAP_RECORD_HEADER_LENGTH + r.data.length;
  });
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  encodePcapHeader(out, nanoseconds, snapLength);
  let o = PCAP_HEADER_LENGTH;
  for (const r of records) o = encodePcapRecord(out, view, o, r, nanoseconds);
  return out;
}
