/** What the pcap and pcapng readers share: the record model, read options, FCS handling. */
import { ConfigError } from '../util/errors.js';
import { CaptureError } from './errors.js';
import { describeLinkType, LinkType } from './linktype.js';

/**
 * Whether captured Ethernet frames end with their FCS. 'present': strip the last four octets of
 * every frame; 'absent': keep frames as they are; 'auto': follow the file where it says
 * (pcap FCS bits, pcapng if_fcslen and epb_flags), else strip only an FCS that verifies.
 */
export type FcsMode = 'auto' | 'present' | 'absent';

export interface ReadOptions {
  /** Default 'auto'. */
  readonly fcsMode?: FcsMode;
  /** Largest captured length accepted; default MAX_RECORD_LENGTH. */
  readonly maxRecordLength?: number;
}

/** libpcap's own ceiling on snapshot length (MAXIMUM_SNAPLEN): no real capture holds more. */
export const MAX_RECORD_LENGTH = 256 * 1024;

/** A timestamp unit of base^-exponent seconds (pcapng if_tsresol). */
export interface TsResolution {
  readonly base: 2 | 10;
  readonly exponent: number;
}

export const MICROSECONDS: TsResolution = { base: 10, exponent: 6 };
export const NANOSECONDS: TsResolution = { base: 10, exponent: 9 };

export interface CaptureInterface {
  readonly linkType: number;
  /** 0: no limit. */
  readonly snapLength: number;
  readonly tsResolution: TsResolution;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  readonly tsOffsetSeconds: bigint;
  /** FCS octets the file declares its frames carry; undefined when it does not say. */
  readonly fcsLength: number | undefined;
  /** pcapng if_name. */
  readonly name: string | undefined;
  /** Index of the pcapng section that declared it (0 for pcap). */
  readonly section: number;
}

export interface CaptureRecord {
  /** The frame as captured, FCS removed when `fcs` is 'stripped'. A copy: it owns its octets. */
  readonly data: Uint8Array;
  /** Nanoseconds since 1970-01-01 UTC; floored when the file's unit is finer or binary. 0 for a Simple Packet Block, which has none. */
  readonly timestampNs: bigint;
  /** Length of the frame on the wire (without the FCS when stripped); more than data.length when truncated. */
  readonly originalLength: number;
  /** Index into `Capture.interfaces`, counted across pcapng sections. */
  readonly interfaceId: number;
  readonly fcs: 'stripped' | 'none';
  /** The capture kept only the first `data.length` octets of the frame (caplen < origlen). */
  readonly truncated: boolean;
}

export interface Capture {
  readonly format: 'pcap' | 'pcapng';
  /** Link type of every record: always Ethernet, as packets of other link types are rejected. */
  readonly linkType: number;
  readonly interfaces: readonly CaptureInterface[];
  readonly records: readonly CaptureRecord[];
}

/** Where a record sits, for error messages: `Enhanced Packet Block at offset 1234`. */
export interface Place {
  readonly file: string | undefined;
  readonly what: string;
  readonly offset: number;
}

export function checkLinkType(linkType: number, place: Place, source: string): void {
  if (linkType !== LinkType.ETHERNET) {
    throw new CaptureError(
      'LINKTYPE',
      place.file,
      place.offset,
      `${place.what} at offset ${place.offset}${source}: link type ${describeLinkType(linkType)} is not Ethernet (1)`,
    );
  }
}

/** Rejects a captured length over the limit before anything is sliced or checked against it. */
export function checkCapturedLength(length: number, limit: number, place: Place): void {
  if (length > limit) {
    throw new CaptureError(
      'TOO_LARGE',
      place.file,
      place.offset,
      `${place.what} at offset ${place.offset} captures ${length} octets, over the limit of ${limit}`,
    );
  }
}

/** A count of `resolution` units as nanoseconds: exact for 10^-n with n <= 9, floored otherwise. */
export function unitsToNs(units: bigint, resolution: TsResolution): bigint {
  if (resolution.base === 2) return (units * 1_000_000_000n) >> BigInt(resolution.exponent);
  const shift = 9 - resolution.exponent;
  return shift >= 0 ? units * 10n ** BigInt(shift) : units / 10n ** BigInt(-shift);
}

/** What a writer needs of a record; a `CaptureRecord` is one. */
export interface WritableRecord {
  readonly data: Uint8Array;
  readonly timestampNs: bigint;
  /** Default data.length. */
  readonly originalLength?: number;
  /** pcapng only; default 0. */
  readonly interfaceId?: number;
}

export interface WriteOptions {
  /** Timestamp unit; default 'us' (microseconds, floored). */
  readonly resolution?: 'us' | 'ns';
  /** Snapshot length declared in the header; default MAX_RECORD_LENGTH. */
  readonly snapLength?: number;
}

/** Checks what a writer would otherwise silently corrupt. */
export function checkWritable(record: WritableRecord, index: number, snapLength: number): void {
  const { data, timestampNs, originalLength = data.length } = record;
  if (timestampNs < 0n) throw new ConfigError(`records[${index}].timestampNs`, 'a time after 1970', timestampNs.toString());
  if (snapLength !== 0 && data.length > snapLength) {
    throw new ConfigError(`records[${index}].data`, `at most ${snapLength} octets (snapLength)`, `${data.length} octets`);
  }
  if (!Number.isInteger(originalLength) || originalLength < data.length || originalLength > 0xffffffff) {
    throw new ConfigError(`records[${index}].originalLength`, `an integer from ${data.length} to 2^32-1`, String(originalLength));
  }
}
