/**
 * What `protect` and `validate` share: each record of a capture either goes through a SecY, in capture order
 * and in bursts, or is skipped with a reason (never silently lost); each outcome becomes one result row, and
 * the frames it yields become the output capture, each with its input record's timestamp. A run over a file
 * streams: a burst of records is read, run and written before the next is read, so memory does not grow
 * with the capture (only --json, which lists every frame, keeps every row).
 */
import type { Capture, CaptureReader, CaptureRecord, WritableRecord } from '../capture/index.js';
import { BURST_FRAMES } from '../config/secy-builder.js';
import { PACKED_ROOM, type PackedOutcomes, packedOutcomes } from '../crypto/packed.js';
import type { SecY, SecYCountersView } from '../secy/index.js';
import { appendPacked, type PackedFrames } from '../wire/packed.js';

/** A progress display: the share done (0 to 1) now and then, and `done` once at the end. */
export interface ProgressSink {
  update(done: number): void;
  done(): void;
}

/**
 * Makes the progress display for a run, given how many frames it will process (known only once the run
 * has chosen them, so a caller can leave out the display for a short run).
 */
export type RunProgress = (frames: number) => ProgressSink;

export interface RunOptions {
  readonly progress?: RunProgress;
}

const NO_PROGRESS: ProgressSink = { update: () => undefined, done: () => undefined };

/** A record never handed to the SecY, and why. */
export interface SkippedFrame {
  readonly frame: number;
  readonly result: 'skipped';
  readonly counter: undefined;
  readonly reason: string;
}

/** Why a record cannot be handed to a SecY (cut short in the capture), or undefined if it can. */
export function truncatedReason(r: CaptureRecord): string | undefined {
  return r.truncated ? `truncated in the capture: ${r.data.length} of ${r.originalLength} octets captured, so it cannot be processed whole` : undefined;
}

/** How one kind of run treats records and outcomes. */
export interface RecordStep<O, R> {
  /** Why a record cannot be processed, or undefined if it can. */
  skip(record: CaptureRecord): string | undefined;
  /** Processes one burst of frames in order, one outcome each. */
  process(frames: readonly Uint8Array[]): readonly O[];
  /** The result row of an outcome; `frame` numbers the record from 1. */
  result(frame: number, outcome: O): R;
  /** The frame an outcome puts in the output capture, if any. */
  output(outcome: O): Uint8Array | undefined;
  /** Whether a row went through (protected, delivered). */
  passed(row: R | SkippedFrame): boolean;
  /** The same step over the SecY's packed path, for the bursts it may take. */
  readonly packed?: PackedStep<R>;
}

/**
 * A step over the packed path (secy/packed.ts): a burst's frames packed in one buffer, outcomes as codes
 * and PN halves. A burst takes this path where `ready` says a row it may need can be had from `row`; the
 * others take `process`. Both give the same outcomes, rows, counters and output octets.
 */
export interface PackedStep<R> {
  /** Whether the burst `input` may take the packed path; `listing`: a failed row of it would be listed. */
  ready(input: PackedFrames, listing: boolean): boolean;
  run(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void;
  /** Notes outcome k; whether it went through (its output frame then goes to the output capture). */
  note(outcomes: PackedOutcomes, k: number): boolean;
  /** The row of outcome k, when rows are kept or it failed and is listed; without it, runs that keep rows take `process`. */
  readonly row?: (frame: number, outcomes: PackedOutcomes, output: PackedFrames, k: number) => R;
  /** After a burst's `count` outcomes are noted. */
  readonly done?: (outcomes: PackedOutcomes, count: number) => void;
}

/** What a run over a capture gives: how many records and frames, the rows kept, what did not go through, the counters. */
export interface CaptureRun<R> {
  /** Records in the capture. */
  readonly frames: number;
  /** One row per record, in capture order, when the run keeps every row; else empty. */
  readonly results: readonly (R | SkippedFrame)[];
  /** The output frames, each with its input record's timestamp, when the run keeps them; else empty. */
  readonly written: readonly WritableRecord[];
  /** Frames in the output capture. */
  readonly writtenCount: number;
  /** Rows of the records that did not go through (refused, dropped, uncontrolled or skipped), in capture order: all, or the first `listed`. */
  readonly failed: readonly (R | SkippedFrame)[];
  /** Records that did not go through. */
  readonly failedCount: number;
  /** Records never handed to the SecY. */
  readonly skipped: number;
  /** The SecY's counters after the run. */
  readonly counters: SecYCountersView;
}

/** What a run keeps: every row (for a JSON listing of every frame), or only the first `listed` failures. */
export interface Keep {
  readonly rows: boolean;
  /** Failed rows listed when not every row is kept. */
  readonly listed: number;
  /** Keep the output frames in `written` (an in-memory run). */
  readonly written: boolean;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One run's state as bursts of records go through it. */
class RecordRun<O, R> {
  frames = 0;
  skipped = 0;
  failedCount = 0;
  writtenCount = 0;
  readonly results: (R | SkippedFrame)[] = [];
  readonly failed: (R | SkippedFrame)[] = [];
  readonly written: WritableRecord[] = [];
  private readonly burstIndex: number[] = [];
  private readonly burstFrames: Uint8Array[] = [];
  private readonly burstRows: (R | SkippedFrame | undefined)[] = [];
  /** The packed path's arrays, grown to the largest burst and reused. */
  private readonly input: Writable<PackedFrames> = { data: new Uint8Array(0), offsets: new Uint32Array(0), lengths: new Uint32Array(0), count: 0 };
  private readonly out: Writable<PackedFrames> = { data: new Uint8Array(0), offsets: new Uint32Array(0), lengths: new Uint32Array(0), count: 0 };
  private outcomes = packedOutcomes(0);

  constructor(
    private readonly secy: SecY,
    private readonly step: RecordStep<O, R>,
    private readonly keep: Keep,
  ) {}

  /** Runs one burst of records; returns the frames it outputs, in order, and how many it sent. */
  burst(records: readonly CaptureRecord[]): { output: WritableRecord[]; sent: number } {
    const { step, burstIndex, burstFrames, burstRows } = this;
    burstIndex.length = 0;
    burstFrames.length = 0;
    burstRows.length = records.length;
    records.forEach((r, i) => {
      const reason = step.skip(r);
      if (reason === undefined) {
        burstIndex.push(i);
        burstFrames.push(r.data);
        burstRows[i] = undefined;
      } else {
        burstRows[i] = { frame: this.frames + i + 1, result: 'skipped', counter: undefined, reason };
        this.skipped++;
      }
    });
    const packed = step.packed;
    if (packed !== undefined && burstFrames.length > 0 && (!this.keep.rows || packed.row !== undefined)) {
      const input = this.pack(burstFrames);
      if (packed.ready(input, this.keep.rows || this.failed.length < this.keep.listed)) return this.packedBurst(records, packed, input);
    }
    const outcomes = burstFrames.length > 0 ? step.process(burstFrames) : [];
    const output: WritableRecord[] = [];
    outcomes.forEach((o, k) => {
      const i = burstIndex[k]!;
      burstRows[i] = step.result(this.frames + i + 1, o);
      const data = step.output(o);
      if (data !== undefined) output.push({ data, timestampNs: records[i]!.timestampNs });
    });
    for (const row of burstRows) {
      if (row === undefined) throw new Error('capture run: a record of the burst has no result');
      if (this.keep.rows) this.results.push(row);
      if (!step.passed(row)) {
        if (this.keep.rows || this.failed.length < this.keep.listed) this.failed.push(row);
        this.failedCount++;
      }
    }
    this.frames += records.length;
    this.writtenCount += output.length;
    if (this.keep.written) for (const w of output) this.written.push(w);
    return { output, sent: burstFrames.length };
  }

  /**
   * The burst's frames as PackedFrames: in place where they are views of one buffer (the reader's chunk,
   * the pcap record headers as gaps), else copied into a reused buffer.
   */
  private pack(frames: readonly Uint8Array[]): PackedFrames {
    const n = frames.length;
    if (this.input.offsets.length < n) {
      for (const p of [this.input, this.out]) {
        p.offsets = new Uint32Array(n);
        p.lengths = new Uint32Array(n);
      }
      this.outcomes = packedOutcomes(n);
    }
    const { input } = this;
    const buffer = frames[0]!.buffer;
    let octets = 0;
    let shared = buffer.byteLength <= 0xffff_ffff;
    for (const f of frames) {
      octets += f.length;
      if (f.buffer !== buffer) shared = false;
    }
    const room = octets + n * PACKED_ROOM;
    if (this.out.data.length < room) this.out.data = new Uint8Array(Math.max(room, 2 * this.out.data.length));
    input.count = 0;
    if (shared) {
      if (input.data.buffer !== buffer) input.data = new Uint8Array(buffer);
      for (let k = 0; k < n; k++) {
        input.offsets[k] = frames[k]!.byteOffset;
        input.lengths[k] = frames[k]!.length;
      }
      input.count = n;
      return input;
    }
    if (input.data.length < octets || input.data.buffer === buffer) input.data = new Uint8Array(Math.max(octets, 2 * input.data.length));
    let at = 0;
    for (const f of frames) at = appendPacked(input, f, at);
    return input;
  }

  /** Runs one burst over the packed path (pack and ready said it may); as `burst`. */
  private packedBurst(records: readonly CaptureRecord[], packed: PackedStep<R>, input: PackedFrames): { output: WritableRecord[]; sent: number } {
    const { out, outcomes, burstRows, keep } = this;
    packed.run(input, out, outcomes);
    const output: WritableRecord[] = [];
    let k = 0;
    for (let i = 0; i < records.length; i++) {
      let row = burstRows[i];
      let passed = false;
      if (row === undefined) {
        passed = packed.note(outcomes, k);
        if (passed) {
          const from = out.offsets[k]!;
          const to = from + out.lengths[k]!;
          // Kept frames outlive the burst; streamed ones are written before the next burst reuses `out`.
          output.push({ data: keep.written ? out.data.slice(from, to) : out.data.subarray(from, to), timestampNs: records[i]!.timestampNs });
        }
        if (packed.row !== undefined && (keep.rows || (!passed && this.failed.length < keep.listed))) row = packed.row(this.frames + i + 1, outcomes, out, k);
        k++;
      }
      if (keep.rows && row !== undefined) this.results.push(row);
      if (!passed) {
        if (keep.rows || this.failed.length < keep.listed) {
          if (row === undefined) throw new Error(`capture run: frame ${this.frames + i + 1} failed on the packed path, which has no reason to list`);
          this.failed.push(row);
        }
        this.failedCount++;
      }
    }
    packed.done?.(outcomes, k);
    this.frames += records.length;
    this.writtenCount += output.length;
    if (keep.written) for (const w of output) this.written.push(w);
    return { output, sent: k };
  }

  finish(): CaptureRun<R> {
    const { frames, results, written, writtenCount, failed, failedCount, skipped } = this;
    return { frames, results, written, writtenCount, failed, failedCount, skipped, counters: this.secy.counters() };
  }
}

/** Runs every record of an in-memory `capture` that `step` can process through `secy`, keeping every row and output frame. */
export function runRecords<O, R>(secy: SecY, capture: Capture, step: RecordStep<O, R>, progress?: RunProgress): CaptureRun<R> {
  const run = new RecordRun(secy, step, { rows: true, listed: Infinity, written: true });
  const toSend = capture.records.reduce((n, r) => (step.skip(r) === undefined ? n + 1 : n), 0);
  const sink = progress?.(toSend) ?? NO_PROGRESS;
  let sent = 0;
  for (let i = 0; i < capture.records.length; i += BURST_FRAMES) {
    sent += run.burst(capture.records.slice(i, i + BURST_FRAMES)).sent;
    if (toSend > 0) sink.update(sent / toSend);
  }
  sink.done();
  return run.finish();
}

/** Where a streamed run's output frames go (a capture writer), a burst at a time in order. */
export interface RecordSink {
  write(records: readonly WritableRecord[]): Promise<void>;
}

export interface StreamOptions {
  readonly keep: Omit<Keep, 'written'>;
  /** Called after each burst with the octets of the input consumed so far and the burst's records. */
  readonly onBurst?: (offset: number, records: readonly CaptureRecord[]) => void;
}

/** Runs the records of `reader` through `secy` burst by burst as they are read, writing output frames to `sink`. */
export async function streamRecords<O, R>(secy: SecY, reader: CaptureReader, step: RecordStep<O, R>, sink: RecordSink | undefined, options: StreamOptions): Promise<CaptureRun<R>> {
  const run = new RecordRun(secy, step, { ...options.keep, written: false });
  // Views, not copies: a burst is run and written before the next read moves the reader's buffer.
  for (let records = await reader.next(BURST_FRAMES, true); records.length > 0; records = await reader.next(BURST_FRAMES, true)) {
    const { output } = run.burst(records);
    if (sink !== undefined && output.length > 0) await sink.write(output);
    options.onBurst?.(reader.offset, records);
  }
  return run.finish();
}
