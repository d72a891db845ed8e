/**
 * Classic libpcap files (draft-ietf-opsawg-pcap): a 24-octet file header, then records of a
 * 16-octet header and the captured octets. Either byte order is read, with microsecond or
 * nanosecond timestamps; files are written little-endian.
 */
import { ConfigError } from '../util/errors.js';
import { CaptureError, truncated } from './errors.js';
import { LinkType } from './linktype.js';
import {
  checkCapturedLength,
  checkLinkType,
  checkWritable,
  finishRecord,
  MAX_RECORD_LENGTH,
  MICROSECONDS,
  NANOSECONDS,
  unitsToNs,
  type Capture,
  type CaptureInterface,
  type CaptureRecord,
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

export function readPcap(bytes: Uint8Array, file?: string, options: ReadOptions = {}): Capture {
  if (bytes.length < PCAP_HEADER_LENGTH) throw truncated(file, 'pcap file header', 0, PCAP_HEADER_LENGTH, bytes.length);
  const magic = pcapMagic(bytes);
  if (magic === undefined) {
    const found = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false).toString(16).padStart(8, '0');
    throw new CaptureError('BAD_MAGIC', file, MAGIC_OFFSET, `bad pcap magic 0x${found} at offset ${MAGIC_OFFSET}`);
  }
  const le = magic.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = view.getUint16(VERSION_MAJOR_OFFSET, le);
  if (major !== VERSION_MAJOR) {
    const minor = view.getUint16(VERSION_MINOR_OFFSET, le);
    const detail = `pcap version ${major}.${minor} at offset ${VERSION_MAJOR_OFFSET} is not 2.x`;
    throw new CaptureError('VERSION', file, VERSION_MAJOR_OFFSET, detail);
  }
  const linkField = view.getUint32(LINKTYPE_OFFSET, le);
  const linkType = linkField & LINKTYPE_MASK;
  const fcsLength = linkField & FCS_PRESENT_BIT ? (linkField >>> FCS_LENGTH_SHIFT) * 2 : undefined;
  const resolution = magic.nanoseconds ? NANOSECONDS : MICROSECONDS;
  const iface: CaptureInterface = {
    linkType,
    snapLength: view.getUint32(SNAPLEN_OFFSET, le),
    tsResolution: resolution,
    tsOffsetSeconds: 0n,
    fcsLength,
    name: undefined,
    section: 0,
  };
  checkLinkType(linkType, { file, what: 'pcap LinkType field', offset: LINKTYPE_OFFSET }, '');

  const records: CaptureRecord[] = [];
  for (let o = PCAP_HEADER_LENGTH; o < bytes.length; ) {
    const left = bytes.length - o;
    if (left < PCAP_RECORD_HEADER_LENGTH) throw truncated(file, 'pcap record header', o, PCAP_RECORD_HEADER_LENGTH, left);
    const place = { file, what: 'pcap record', offset: o };
    const capturedLength = view.getUint32(o + CAPLEN_OFFSET, le);
    checkCapturedLength(capturedLength, options, place);
    const size = PCAP_RECORD_HEADER_LENGTH + capturedLength;
    if (left < size) throw truncated(file, 'pcap record', o, size, left);
    const seconds = BigInt(view.getUint32(o + TS_SEC_OFFSET, le));
    const fraction = BigInt(view.getUint32(o + TS_FRACTION_OFFSET, le));
    const raw = {
      bytes,
      dataOffset: o + PCAP_RECORD_HEADER_LENGTH,
      capturedLength,
      originalLength: view.getUint32(o + ORIGLEN_OFFSET, le),
      timestampNs: seconds * 1_000_000_000n + unitsToNs(fraction, resolution),
      interfaceId: 0,
      fcsLength,
    };
    records.push(finishRecord(raw, options, place));
    o += size;
  }
  return { format: 'pcap', linkType, interfaces: [iface], records };
}

/** A little-endian pcap file of Ethernet frames. */
export function writePcap(records: readonly WritableRecord[], options: WriteOptions = {}): Uint8Array {
  const nanoseconds = options.resolution === 'ns';
  const snapLength = options.snapLength ?? MAX_RECORD_LENGTH;
  let total = PCAP_HEADER_LENGTH;
  records.forEach((r, i) => {
    checkWritable(r, i, snapLength);
    if (r.timestampNs / 1_000_000_000n > 0xffffffffn) {
      throw new ConfigError(`records[${i}].timestampNs`, 'a time before 2106 (pcap seconds are 32 bits)', r.timestampNs.toString());
    }
    total += PCAP_RECORD_HEADER_LENGTH + r.data.length;
  });
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(MAGIC_OFFSET, nanoseconds ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, true);
  view.setUint16(VERSION_MAJOR_OFFSET, VERSION_MAJOR, true);
  view.setUint16(VERSION_MINOR_OFFSET, VERSION_MINOR, true);
  view.setUint32(SNAPLEN_OFFSET, snapLength, true);
  view.setUint32(LINKTYPE_OFFSET, LinkType.ETHERNET, true);
  let o = PCAP_HEADER_LENGTH;
  for (const r of records) {
    const ns = r.timestampNs % 1_000_000_000n;
    view.setUint32(o + TS_SEC_OFFSET, Number(r.timestampNs / 1_000_000_000n), true);
    view.setUint32(o + TS_FRACTION_OFFSET, Number(nanoseconds ? ns : ns / 1000n), true);
    view.setUint32(o + CAPLEN_OFFSET, r.data.length, true);
    view.setUint32(o + ORIGLEN_OFFSET, r.originalLength ?? r.data.length, true);
    out.set(r.data, o + PCAP_RECORD_HEADER_LENGTH);
    o += PCAP_RECORD_HEADER_LENGTH + r.data.length;
  }
  return out;
}
