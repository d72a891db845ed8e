/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, total length, body,
 * total length`, grouped in sections that each open with a Section Header Block fixing the
 * byte order. Packets come from Enhanced, Simple and (obsolete) Packet Blocks; every other
 * block is skipped by its length.
 */
import { ConfigError } from '../util/errors.js';
import { CaptureError, truncated } from './errors.js';
import { LinkType } from './linktype.js';
import type { RecordBatch } from './batch.js';
import { ADDED, END, readAll, Window } from './window.js';
import {
  checkCapturedLength,
  checkLinkType,
  checkWritable,
  MAX_RECORD_LENGTH,
  MICROSECONDS,
  NANOSECONDS,
  unitsToNs,
  type Capture,
  type CaptureInterface,
  type FcsMode,
  type Place,
  type ReadOptions,
  type TsResolution,
  type WritableRecord,
  type WriteOptions,
} from './record.js';

export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a, // a palindrome, so it reads the same in both byte orders
  INTERFACE_DESCRIPTION: 1,
  PACKET: 2, // obsolete, still met in old files
  SIMPLE_PACKET: 3,
  NAME_RESOLUTION: 4,
  INTERFACE_STATISTICS: 5,
  ENHANCED_PACKET: 6,
  DECRYPTION_SECRETS: 10,
  CUSTOM: 0x00000bad,
  CUSTOM_NO_COPY: 0x40000bad,
} as const;

const BLOCK_NAMES: ReadonlyMap<number, string> = new Map([
  [BlockType.SECTION_HEADER, 'Section Header Block'],
  [BlockType.INTERFACE_DESCRIPTION, 'Interface Description Block'],
  [BlockType.PACKET, 'Packet Block'],
  [BlockType.SIMPLE_PACKET, 'Simple Packet Block'],
  [BlockType.NAME_RESOLUTION, 'Name Resolution Block'],
  [BlockType.INTERFACE_STATISTICS, 'Interface Statistics Block'],
  [BlockType.ENHANCED_PACKET, 'Enhanced Packet Block'],
  [BlockType.DECRYPTION_SECRETS, 'Decryption Secrets Block'],
  [BlockType.CUSTOM, 'Custom Block'],
  [BlockType.CUSTOM_NO_COPY, 'Custom Block'],
]);

const blockName = (type: number): string =>
  BLOCK_NAMES.get(type) ?? `block of type 0x${type.toString(16).padStart(8, '0')}`;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const VERSION_MAJOR = 1;
const VERSION_MINOR = 0;

// Every block: type, total length, body, total length again.
const TYPE_OFFSET = 0;
const LENGTH_OFFSET = 4;
const BLOCK_OVERHEAD = 12;
/** Octets a block may have beyond the longest record (options, name tables, custom blocks): Wireshark's bound, 16 MiB. */
const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

// Section Header Block.
const SHB_MAGIC_OFFSET = 8;
const SHB_MAJOR_OFFSET = 12;
const SHB_MINOR_OFFSET = 14;
const SHB_SECTION_LENGTH_OFFSET = 16;
const SHB_LENGTH = 28; // without options

// Interface Description Block.
const IDB_LINKTYPE_OFFSET = 8;
const IDB_SNAPLEN_OFFSET = 12;
const IDB_OPTIONS_OFFSET = 16;

// Enhanced Packet Block; the obsolete Packet Block differs only in its 16-bit interface id.
const EPB_INTERFACE_OFFSET = 8;
const EPB_TS_HIGH_OFFSET = 12;
const EPB_TS_LOW_OFFSET = 16;
const EPB_CAPLEN_OFFSET = 20;
const EPB_ORIGLEN_OFFSET = 24;
const EPB_DATA_OFFSET = 28;

// Simple Packet Block.
const SPB_ORIGLEN_OFFSET = 8;
const SPB_DATA_OFFSET = 12;

const MIN_LENGTH: ReadonlyMap<number, number> = new Map([
  [BlockType.SECTION_HEADER, SHB_LENGTH],
  [BlockType.INTERFACE_DESCRIPTION, IDB_OPTIONS_OFFSET + 4],
  [BlockType.PACKET, EPB_DATA_OFFSET + 4],
  [BlockType.ENHANCED_PACKET, EPB_DATA_OFFSET + 4],
  [BlockType.SIMPLE_PACKET, SPB_DATA_OFFSET + 4],
]);

// Options: code, length, value padded to 32 bits; opt_endofopt closes the list.
const OPT_HEADER_LENGTH = 4;
const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2; // pack_flags in the Packet Block, same layout
const EPB_FLAGS_FCS_SHIFT = 5; // bits 5-8: FCS length in octets, 0 when unknown
const TSRESOL_BINARY = 0x80;

const MAX_INTERFACES = 0xffff;

const pad4 = (n: number): number => (n + 3) & ~3;

interface Section {
  readonly index: number;
  /** Global index into the capture's interfaces of each local interface id. */
  readonly interfaces: number[];
}

/** A view over the window onto the file with the current section's byte order; `at(o)` is index o's file offset. */
class Reader {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.bytes.buffer);
  shift = 0;
  littleEndian = true;
  readonly fcsMode: FcsMode;
  readonly limit: number;
  constructor(
    readonly file: string | undefined,
    readOptions: ReadOptions,
  ) {
    this.fcsMode = readOptions.fcsMode ?? 'auto';
    this.limit = readOptions.maxRecordLength ?? MAX_RECORD_LENGTH;
  }
  see(w: Window): void {
    this.bytes = w.bytes;
    this.view = w.view;
    this.shift = w.base;
  }
  at(o: number): number {
    return this.shift + o;
  }
  u16(o: number): number {
    return this.view.getUint16(o, this.littleEndian);
  }
  u32(o: number): number {
    return this.view.getUint32(o, this.littleEndian);
  }
  badBlock(place: Place, detail: string): CaptureError {
    return new CaptureError('BAD_BLOCK', this.file, place.offset, `${place.what} at offset ${place.offset}: ${detail}`);
  }
  /**
   * The offset after the option at `o` (checked to lie inside `end`), or -1 where the list ends
   * (opt_endofopt, or no room for another option header). Its code is u16(o), its length u16(o + 2).
   */
  skipOption(o: number, end: number, place: Place): number {
    if (o + OPT_HEADER_LENGTH > end) return -1;
    const code = this.u16(o);
    if (code === OPT_ENDOFOPT) return -1;
    const length = this.u16(o + 2);
    const next = o + OPT_HEADER_LENGTH + pad4(length);
    if (next > end) throw this.badBlock(place, `option ${code} at offset ${this.at(o)} (${length} octets) overruns the block`);
    return next;
  }
  /** Checks the length of the option at `o`. */
  expectLength(o: number, length: number, name: string, place: Place): void {
    const found = this.u16(o + 2);
    if (found !== length) throw this.badBlock(place, `${name} option at offset ${this.at(o)} has ${found} octets, not ${length}`);
  }
}

/**
 * How an interface's timestamps become seconds and nanoseconds without a bigint: `divisor` units a second
 * (10^e for e <= 9, else 0: those take the exact bigint path), `scale` nanoseconds a unit, `offset` its
 * if_tsoffset in seconds (NaN when beyond 2^53).
 */
interface Clock {
  readonly divisor: number;
  readonly scale: number;
  readonly offset: number;
}

function clockOf(iface: CaptureInterface): Clock {
  const { base, exponent } = iface.tsResolution;
  const fast = base === 10 && exponent <= 9;
  const offset = Number(iface.tsOffsetSeconds);
  return { divisor: fast ? 10 ** exponent : 0, scale: fast ? 10 ** (9 - exponent) : 0, offset: Number.isSafeInteger(offset) ? offset : Number.NaN };
}

const TWO_32 = 2 ** 32;
const TWO_21 = 2 ** 21;

/**
 * Sets record i's time from its 64-bit count of units hi:lo: by long division in 16-bit steps where every
 * quantity stays exact in a double, else (binary or sub-nanosecond units, times beyond 2^53 s) with bigints.
 */
function setPacketTime(batch: RecordBatch, i: number, hi: number, lo: number, iface: CaptureInterface, clock: Clock): void {
  const d = clock.divisor;
  if (d !== 0) {
    const qh = Math.floor(hi / d);
    if (qh < TWO_21) {
      const t1 = (hi - qh * d) * 0x10000 + (lo >>> 16);
      const q1 = Math.floor(t1 / d);
      const t2 = (t1 - q1 * d) * 0x10000 + (lo & 0xffff);
      const q2 = Math.floor(t2 / d);
      const seconds = qh * TWO_32 + q1 * 0x10000 + q2 + clock.offset;
      if (Number.isSafeInteger(seconds)) {
        batch.seconds[i] = seconds;
        batch.nanoseconds[i] = (t2 - q2 * d) * clock.scale;
        return;
      }
    }
  }
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  batch.setTime(i, unitsToNs(units, iface.tsResolution) + iface.tsOffsetSeconds * 1_000_000_000n);
}

/** Reads a pcapng file one block at a time from a window onto it, keeping its sections and interfaces. */
export class PcapngBlocks {
  readonly interfaces: CaptureInterface[] = [];
  /** Each interface's Clock, by index. */
  private readonly clocks: Clock[] = [];
  /** The block being read, for errors: one object reused, as each error's message is made at once. */
  private readonly place: { file: string | undefined; what: string; offset: number };
  private readonly r: Reader;
  // Until the first Section Header Block, which must open the file.
  private section: Section = { index: -1, interfaces: [] };

  constructor(
    private readonly file: string | undefined,
    options: ReadOptions,
  ) {
    this.r = new Reader(file, options);
    this.place = { file, what: '', offset: 0 };
  }

  /** Adds the next packet to `batch` (other blocks are read and passed over): ADDED, the unread octets needed, or END. */
  step(w: Window, batch: RecordBatch): typeof ADDED | number | typeof END {
    const { r, file, interfaces, place } = this;
    for (;;) {
      const left = w.left;
      if (left === 0 && w.eof) return END;
      if (left < BLOCK_OVERHEAD && !w.eof) return BLOCK_OVERHEAD;
      r.see(w);
      const o = w.start;
      const at = w.offset;
      const isSectionHeader = left >= 4 && r.view.getUint32(o + TYPE_OFFSET) === BlockType.SECTION_HEADER;
      if (at === 0 && !isSectionHeader) {
        throw new CaptureError('BAD_MAGIC', file, at, `pcapng file does not start with a Section Header Block at offset ${at}`);
      }
      if (isSectionHeader) {
        if (left < BLOCK_OVERHEAD) throw truncated(file, 'Section Header Block', at, SHB_LENGTH, left);
        const magic = r.view.getUint32(o + SHB_MAGIC_OFFSET, true);
        if (magic !== BYTE_ORDER_MAGIC && magic !== BYTE_ORDER_MAGIC_SWAPPED) {
          const found = r.view.getUint32(o + SHB_MAGIC_OFFSET, false).toString(16).padStart(8, '0');
          const magicAt = at + SHB_MAGIC_OFFSET;
          throw new CaptureError('BAD_MAGIC', file, magicAt, `bad pcapng byte-order magic 0x${found} at offset ${magicAt}`);
        }
        r.littleEndian = magic === BYTE_ORDER_MAGIC;
      }
      const type = left >= 4 ? r.u32(o + TYPE_OFFSET) : -1;
      place.what = type < 0 ? 'block' : blockName(type);
      place.offset = at;
      if (left < BLOCK_OVERHEAD) throw truncated(file, place.what, at, BLOCK_OVERHEAD, left);
      const length = r.u32(o + LENGTH_OFFSET);
      if (length < BLOCK_OVERHEAD || length % 4 !== 0) {
        throw r.badBlock(place, `block total length ${length} is not a multiple of 4 of at least ${BLOCK_OVERHEAD}`);
      }
      // Read whole before it is parsed, so a length from the file is bounded first (as Wireshark bounds blocks).
      const longest = Math.max(MAX_BLOCK_LENGTH, r.limit + MAX_BLOCK_LENGTH);
      if (length > longest) throw r.badBlock(place, `block total length ${length} exceeds the ${longest} octets a block may have here`);
      if (length > left) {
        if (!w.eof) return length;
        throw truncated(file, place.what, at, length, left);
      }
      const trailer = r.u32(o + length - 4);
      if (trailer !== length) throw r.badBlock(place, `block total length ${length} at its start but ${trailer} at its end`);
      const min = MIN_LENGTH.get(type) ?? BLOCK_OVERHEAD;
      if (length < min) throw r.badBlock(place, `block total length ${length} is under the ${min} octets this block needs`);

      let added = false;
      switch (type) {
        case BlockType.SECTION_HEADER:
          this.section = readSectionHeader(r, o, place, this.section.index + 1);
          break;
        case BlockType.INTERFACE_DESCRIPTION:
          this.section.interfaces.push(interfaces.length);
          interfaces.push(readInterface(r, o, length, place, this.section.index));
          this.clocks.push(clockOf(interfaces[interfaces.length - 1]!));
          break;
        case BlockType.ENHANCED_PACKET:
        case BlockType.PACKET:
          readPacket(r, o, length, type === BlockType.ENHANCED_PACKET, place, this.section, interfaces, this.clocks, batch);
          added = true;
          break;
        case BlockType.SIMPLE_PACKET:
          readSimplePacket(r, o, length, place, this.section, interfaces, batch);
          added = true;
          break;
        default: // statistics, name resolution, secrets, custom, unknown: nothing we need
      }
      w.start += length;
      if (added) return ADDED;
    }
  }
}

export function readPcapng(bytes: Uint8Array, file?: string, options: ReadOptions = {}): Capture {
  const blocks = new PcapngBlocks(file, options);
  const records = readAll(new Window(bytes, true), blocks);
  return { format: 'pcapng', linkType: LinkType.ETHERNET, interfaces: blocks.interfaces, records };
}

function readSectionHeader(r: Reader, o: number, place: Place, index: number): Section {
  const major = r.u16(o + SHB_MAJOR_OFFSET);
  if (major !== VERSION_MAJOR) {
    const minor = r.u16(o + SHB_MINOR_OFFSET);
    const at = r.at(o + SHB_MAJOR_OFFSET);
    const detail = `${place.what} at offset ${place.offset}: pcapng version ${major}.${minor} at offset ${at} is not 1.x`;
    throw new CaptureError('VERSION', r.file, at, detail);
  }
  // The section length (often -1, unknown) is not needed: blocks are walked one by one.
  return { index, interfaces: [] };
}

function readInterface(r: Reader, o: number, length: number, place: Place, section: number): CaptureInterface {
  let tsResolution: TsResolution = MICROSECONDS;
  let tsOffsetSeconds = 0n;
  let fcsLength: number | undefined;
  let name: string | undefined;
  const end = o + length - 4;
  for (let at = o + IDB_OPTIONS_OFFSET, next; (next = r.skipOption(at, end, place)) >= 0; at = next) {
    const value = at + OPT_HEADER_LENGTH;
    switch (r.u16(at)) {
      case IF_NAME:
        name = new TextDecoder().decode(r.bytes.subarray(value, value + r.u16(at + 2)));
        break;
      case IF_TSRESOL: {
        r.expectLength(at, 1, 'if_tsresol', place);
        const v = r.bytes[value]!;
        tsResolution = v & TSRESOL_BINARY ? { base: 2, exponent: v & ~TSRESOL_BINARY } : { base: 10, exponent: v };
        break;
      }
      case IF_FCSLEN: {
        r.expectLength(at, 1, 'if_fcslen', place);
        // The spec says bits but its example, and writers, say octets: 32 can only mean bits.
        const v = r.bytes[value]!;
        fcsLength = v === 32 ? 4 : v;
        break;
      }
      case IF_TSOFFSET:
        r.expectLength(at, 8, 'if_tsoffset', place);
        tsOffsetSeconds = r.view.getBigInt64(value, r.littleEndian);
        break;
      default:
    }
  }
  return {
    linkType: r.u16(o + IDB_LINKTYPE_OFFSET),
    snapLength: r.u32(o + IDB_SNAPLEN_OFFSET),
    tsResolution,
    tsOffsetSeconds,
    fcsLength,
    name,
    section,
  };
}

function interfaceOf(r: Reader, section: Section, localId: number, place: Place): number {
  const id = section.interfaces[localId];
  if (id === undefined) {
    throw r.badBlock(place, `refers to interface ${localId}, but its section has ${section.interfaces.length} Interface Description Blocks`);
  }
  return id;
}

function readPacket(
  r: Reader,
  o: number,
  length: number,
  enhanced: boolean,
  place: Place,
  section: Section,
  interfaces: readonly CaptureInterface[],
  clocks: readonly Clock[],
  batch: RecordBatch,
): void {
  const localId = enhanced ? r.u32(o + EPB_INTERFACE_OFFSET) : r.u16(o + EPB_INTERFACE_OFFSET);
  const interfaceId = interfaceOf(r, section, localId, place);
  const iface = interfaces[interfaceId]!;
  const capturedLength = r.u32(o + EPB_CAPLEN_OFFSET);
  checkCapturedLength(capturedLength, r.limit, place);
  const optionsStart = o + EPB_DATA_OFFSET + pad4(capturedLength);
  const end = o + length - 4;
  if (optionsStart > end) throw r.badBlock(place, `captured length ${capturedLength} overruns the block`);
  let fcsLength = iface.fcsLength;
  for (let at = optionsStart, next; (next = r.skipOption(at, end, place)) >= 0; at = next) {
    if (r.u16(at) !== EPB_FLAGS) continue;
    r.expectLength(at, 4, 'epb_flags', place);
    const declared = (r.u32(at + OPT_HEADER_LENGTH) >>> EPB_FLAGS_FCS_SHIFT) & 0xf;
    if (declared !== 0) fcsLength = declared;
  }
  checkLinkType(iface.linkType, place, ` (interface ${localId})`);
  const i = batch.add(o + EPB_DATA_OFFSET, capturedLength, r.u32(o + EPB_ORIGLEN_OFFSET), fcsLength, r.fcsMode, 0, 0, interfaceId, place);
  setPacketTime(batch, i, r.u32(o + EPB_TS_HIGH_OFFSET), r.u32(o + EPB_TS_LOW_OFFSET), iface, clocks[interfaceId]!);
}

function readSimplePacket(
  r: Reader,
  o: number,
  length: number,
  place: Place,
  section: Section,
  interfaces: readonly CaptureInterface[],
  batch: RecordBatch,
): void {
  const interfaceId = interfaceOf(r, section, 0, place);
  const iface = interfaces[interfaceId]!;
  const originalLength = r.u32(o + SPB_ORIGLEN_OFFSET);
  // The block has no captured length: the snapshot length of interface 0 bounds it.
  const capturedLength = iface.snapLength === 0 ? originalLength : Math.min(originalLength, iface.snapLength);
  checkCapturedLength(capturedLength, r.limit, place);
  if (SPB_DATA_OFFSET + capturedLength > length - 4) {
    throw r.badBlock(place, `${capturedLength} packet octets do not fit in a block of ${length}`);
  }
  checkLinkType(iface.linkType, place, ' (interface 0)');
  batch.add(o + SPB_DATA_OFFSET, capturedLength, originalLength, iface.fcsLength, r.fcsMode, 0, 0, interfaceId, place);
}

/**
 * A little-endian pcapng file of one section: one Ethernet interface per interface id used
 * (ids 0 to the largest), then an Enhanced Packet Block per record.
 */
export function writePcapng(records: readonly WritableRecord[], options: WriteOptions = {}): Uint8Array {
  const nanoseconds = options.resolution === 'ns';
  const snapLength = options.snapLength ?? MAX_RECORD_LENGTH;
  let interfaceCount = 1;
  records.forEach((rec, i) => {
    checkWritable(rec, i, snapLength);
    const id = rec.interfaceId ?? 0;
    // One IDB is written per id up to the largest: keep that count sane.
    if (!Number.isInteger(id) || id < 0 || id > MAX_INTERFACES) {
      throw new ConfigError(`records[${i}].interfaceId`, `an integer from 0 to ${MAX_INTERFACES}`, String(id));
    }
    if ((nanoseconds ? rec.timestampNs : rec.timestampNs / 1000n) > 0xffff_ffff_ffff_ffffn) {
      throw new ConfigError(`records[${i}].timestampNs`, 'a count of units that fits 64 bits', rec.timestampNs.toString());
    }
    interfaceCount = Math.max(interfaceCount, id + 1);
  });
  // Options only for nanoseconds (10^-6 is the default): if_tsresol, 1 octet padded to 4, and opt_endofopt.
  const idbOptionsLength = nanoseconds ? 2 * OPT_HEADER_LENGTH + 4 : 0;
  const idbLength = IDB_OPTIONS_OFFSET + idbOptionsLength + 4;
  let total = SHB_LENGTH + interfaceCount * idbLength;
  for (const rec of records) total += EPB_DATA_OFFSET + pad4(rec.data.length) + 4;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const block = (o: number, type: number, length: number): void => {
    view.setUint32(o + TYPE_OFFSET, type, true);
    view.setUint32(o + LENGTH_OFFSET, length, true);
    view.setUint32(o + length - 4, length, true);
  };
  block(0, BlockType.SECTION_HEADER, SHB_LENGTH);
  view.setUint32(SHB_MAGIC_OFFSET, BYTE_ORDER_MAGIC, true);
  view.setUint16(SHB_MAJOR_OFFSET, VERSION_MAJOR, true);
  view.setUint16(SHB_MINOR_OFFSET, VERSION_MINOR, true);
  view.setBigInt64(SHB_SECTION_LENGTH_OFFSET, -1n, true);
  let o = SHB_LENGTH;
  for (let i = 0; i < interfaceCount; i++, o += idbLength) {
    block(o, BlockType.INTERFACE_DESCRIPTION, idbLength);
    view.setUint16(o + IDB_LINKTYPE_OFFSET, LinkType.ETHERNET, true);
    view.setUint32(o + IDB_SNAPLEN_OFFSET, snapLength, true);
    if (nanoseconds) {
      view.setUint16(o + IDB_OPTIONS_OFFSET, IF_TSRESOL, true);
      view.setUint16(o + IDB_OPTIONS_OFFSET + 2, 1, true);
      out[o + IDB_OPTIONS_OFFSET + OPT_HEADER_LENGTH] = NANOSECONDS.exponent;
      // opt_endofopt (code 0, length 0) is the zeros already there.
    }
  }
  for (const rec of records) {
    const length = EPB_DATA_OFFSET + pad4(rec.data.length) + 4;
    const units = nanoseconds ? rec.timestampNs : rec.timestampNs / 1000n;
    block(o, BlockType.ENHANCED_PACKET, length);
    view.setUint32(o + EPB_INTERFACE_OFFSET, rec.interfaceId ?? 0, true);
    view.setUint32(o + EPB_TS_HIGH_OFFSET, Number(units >> 32n), true);
    view.setUint32(o + EPB_TS_LOW_OFFSET, Number(units & 0xffffffffn), true);
    view.setUint32(o + EPB_CAPLEN_OFFSET, rec.data.length, true);
    view.setUint32(o + EPB_ORIGLEN_OFFSET, rec.originalLength ?? rec.data.length, true);
    out.set(rec.data, o + EPB_DATA_OFFSET);
    o += length;
  }
  return out;
}
