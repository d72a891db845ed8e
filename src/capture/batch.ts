/**
 * A burst of capture records as the readers produce them: the frames packed where they lie in the reader's
 * buffer (record headers and block framing as gaps, see PackedFrames), and every other field in a typed
 * array, so reading a record allocates nothing. Timestamps are whole seconds (a double, exact to 2^53 s)
 * and nanoseconds; the rare time beyond that range (pcapng's 64-bit units and offsets allow it) is kept
 * exactly beside them. The record API (CaptureRecord) is built on this, one record at a time.
 */
import { crc32Ranges, FCS_LENGTH, fcsAt } from './crc32.js';
import { ConfigError } from '../util/errors.js';
import { CaptureError } from './errors.js';
import type { CaptureRecord, FcsMode, Place } from './record.js';

/**
 * Frames lying anywhere in one buffer, frame i at data[offsets[i]..+lengths[i]): wire's PackedFrames, the
 * shape the SecY's packed calls take, restated here because capture and wire (one layer) import neither
 * the other. Either is the other.
 */
export interface PackedFrames {
  readonly data: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  count: number;
}

/** Record timestamps by index: seconds since 1970 and the nanoseconds into that second. */
export interface FrameTimes {
  /** Whole seconds (floored); NaN where the time is beyond ±2^53 s (then `timestampNs` has it). */
  readonly seconds: Float64Array;
  /** 0 to 999 999 999. */
  readonly nanoseconds: Uint32Array;
  /** Record i's time in nanoseconds, exactly. */
  timestampNs(i: number): bigint;
}

const NS = 1_000_000_000;
const FLAG_FCS_STRIPPED = 1;
const MIN_FRAME_WITH_FCS = 14 + FCS_LENGTH; // DA, SA, EtherType and the FCS

export class RecordBatch implements PackedFrames, FrameTimes {
  /** The buffer the frames lie in: the reader's, valid until its next burst. */
  data: Uint8Array = new Uint8Array(0);
  offsets: Uint32Array;
  /** The frame as captured, FCS removed when stripped. */
  lengths: Uint32Array;
  count = 0;
  /** Length on the wire (without the FCS when stripped); more than `lengths[i]` when truncated. */
  readonly originalLengths: Uint32Array;
  readonly seconds: Float64Array;
  readonly nanoseconds: Uint32Array;
  readonly interfaceIds: Uint32Array;
  private readonly flags: Uint8Array;
  /** Times beyond ±2^53 s, by record index. */
  private readonly exact = new Map<number, bigint>();
  /** Records whose FCS is to be guessed (see guessFcs), and the CRC ranges and values for it. */
  private readonly guesses: Uint32Array;
  private guessCount = 0;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly crcs: Uint32Array;

  constructor(readonly capacity: number) {
    this.offsets = new Uint32Array(capacity);
    this.lengths = new Uint32Array(capacity);
    this.originalLengths = new Uint32Array(capacity);
    this.seconds = new Float64Array(capacity);
    this.nanoseconds = new Uint32Array(capacity);
    this.interfaceIds = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.guesses = new Uint32Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
    this.crcs = new Uint32Array(capacity);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Empties the batch for records lying in `data`. */
  reset(data: Uint8Array): void {
    this.data = data;
    this.count = 0;
    this.guessCount = 0;
    if (this.exact.size > 0) this.exact.clear();
  }

  /** Whether record i was cut short in the capture (caplen < origlen). */
  truncated(i: number): boolean {
    return this.lengths[i]! < this.originalLengths[i]!;
  }

  fcsStripped(i: number): boolean {
    return (this.flags[i]! & FLAG_FCS_STRIPPED) !== 0;
  }

  timestampNs(i: number): bigint {
    const s = this.seconds[i]!;
    if (!Number.isNaN(s)) return BigInt(s) * 1_000_000_000n + BigInt(this.nanoseconds[i]!);
    const exact = this.exact.get(i);
    if (exact === undefined) throw new Error(`record batch: record ${i} has no time`);
    return exact;
  }

  /**
   * Adds a packet at data[dataOffset..+capturedLength): its FCS stripped as `mode` and `fcsLength` (declared
   * for it, undefined when unknown) say, and its time `seconds` + `nanoseconds` (any count, carried into the
   * seconds); `place` names it in an error. Returns its index. Where the FCS must be guessed, the guess
   * waits for guessFcs, which the reader calls once the burst is read (one CRC call for the burst).
   */
  add(
    dataOffset: number,
    capturedLength: number,
    wireLength: number,
    fcsLength: number | undefined,
    mode: FcsMode,
    seconds: number,
    nanoseconds: number,
    interfaceId: number,
    place: Place,
  ): number {
    // Writers may record origlen < caplen; the pcapng spec lets readers raise it to caplen.
    let originalLength = Math.max(wireLength, capturedLength);
    let length = capturedLength;
    const strip = mode !== 'auto' ? mode === 'present' : fcsLength === FCS_LENGTH;
    // Guessing: only a whole frame can show a valid FCS, and 1 in 2^32 frames ends in one by chance.
    const guess = mode === 'auto' && fcsLength === undefined && capturedLength === originalLength && capturedLength >= MIN_FRAME_WITH_FCS;
    if (guess) this.guesses[this.guessCount++] = this.count;
    if (strip) {
      if (originalLength < MIN_FRAME_WITH_FCS) {
        const p = place;
        const detail = `frame of ${originalLength} octets cannot hold an Ethernet header and FCS (needs ${MIN_FRAME_WITH_FCS})`;
        throw new CaptureError('FCS', p.file, p.offset, `${p.what} at offset ${p.offset}: ${detail}`);
      }
      // A truncated capture may have cut off all or part of the FCS: drop only what was captured.
      originalLength -= FCS_LENGTH;
      length = Math.min(length, originalLength);
    }
    const i = this.count++;
    this.offsets[i] = dataOffset;
    this.lengths[i] = length;
    this.originalLengths[i] = originalLength;
    this.interfaceIds[i] = interfaceId;
    this.flags[i] = strip ? FLAG_FCS_STRIPPED : 0;
    const carry = Math.floor(nanoseconds / NS);
    this.seconds[i] = seconds + carry;
    this.nanoseconds[i] = nanoseconds - carry * NS;
    return i;
  }

  /** Settles the FCS guesses of add: a frame whose last four octets are the FCS of the rest has them stripped. */
  guessFcs(): void {
    const { guesses, starts, ends, crcs, data } = this;
    const n = this.guessCount;
    if (n === 0) return;
    for (let k = 0; k < n; k++) {
      const i = guesses[k]!;
      starts[k] = this.offsets[i]!;
      ends[k] = this.offsets[i]! + this.lengths[i]! - FCS_LENGTH;
    }
    crc32Ranges(data, starts, ends, n, crcs);
    for (let k = 0; k < n; k++) {
      if (crcs[k] !== fcsAt(data, ends[k]!)) continue;
      const i = guesses[k]!;
      this.lengths[i] = this.lengths[i]! - FCS_LENGTH;
      this.originalLengths[i] = this.originalLengths[i]! - FCS_LENGTH;
      this.flags[i] = FLAG_FCS_STRIPPED;
    }
    this.guessCount = 0;
  }

  /** Sets record i's time from an exact count of nanoseconds (times the fast arithmetic cannot hold). */
  setTime(i: number, ns: bigint): void {
    const s = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
    const seconds = Number(s);
    if (Number.isSafeInteger(seconds)) {
      this.seconds[i] = seconds;
      this.nanoseconds[i] = Number(ns - s * 1_000_000_000n);
    } else {
      this.seconds[i] = Number.NaN;
      this.nanoseconds[i] = 0;
      this.exact.set(i, ns);
    }
  }

  /** Holds copies of `records` (at most `capacity`), for a run over records already in memory. */
  load(records: readonly CaptureRecord[]): void {
    if (records.length > this.capacity) throw new ConfigError('records', `at most ${this.capacity} in one batch`, String(records.length));
    let octets = 0;
    for (const r of records) octets += r.data.length;
    this.reset(new Uint8Array(octets));
    let at = 0;
    records.forEach((r, i) => {
      this.data.set(r.data, at);
      this.offsets[i] = at;
      this.lengths[i] = r.data.length;
      this.originalLengths[i] = r.originalLength;
      this.interfaceIds[i] = r.interfaceId;
      this.flags[i] = r.fcs === 'stripped' ? FLAG_FCS_STRIPPED : 0;
      this.setTime(i, r.timestampNs);
      at += r.data.length;
    });
    this.count = records.length;
  }

  /** Record i as an object: its octets a copy, or with `view` a view of the reader's buffer (valid until its next burst). */
  record(i: number, view = false): CaptureRecord {
    const from = this.offsets[i]!;
    const length = this.lengths[i]!;
    // A copy is a plain Uint8Array even when the buffer is a Buffer (whose slice is a view).
    const data = view ? this.data.subarray(from, from + length) : new Uint8Array(length);
    if (!view) data.set(this.data.subarray(from, from + length));
    return {
      data,
      timestampNs: this.timestampNs(i),
      originalLength: this.originalLengths[i]!,
      interfaceId: this.interfaceIds[i]!,
      fcs: this.fcsStripped(i) ? 'stripped' : 'none',
      truncated: this.truncated(i),
    };
  }
}
