/**
 * What `protect` and `validate` share: each record of a capture either goes through a SecY, in capture order
 * and in bursts, or is skipped with a reason (never silently lost); each outcome becomes one result row, and
 * the frames it yields become the output capture, each with its input record's timestamp. A run over a file
 * streams: a burst of records (a RecordBatch, packed where the reader read them) is run and written before
 * the next burst is taken, so memory does not grow with the capture (only --json, which lists every frame,
 * keeps every row); the reader reads its next chunk, and the writer writes its last, meanwhile.
 */
import { RecordBatch, type Capture, type CaptureReader, type FrameTimes, type WritableRecord } from '../capture/index.js';
import { BURST_FRAMES } from '../config/secy-builder.js';
import { PACKED_ROOM, type PackedOutcomes, packedOutcomes } from '../crypto/packed.js';
import type { SecY, SecYCountersView } from '../secy/index.js';
import type { PackedFrames } from '../wire/packed.js';

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

/** Why record i cannot be handed to a SecY (cut short in the capture), or undefined if it can. */
export function truncatedReason(records: RecordBatch, i: number): string | undefined {
  return records.truncated(i) ? `truncated in the capture: ${records.lengths[i]} of ${records.originalLengths[i]} octets captured, so it cannot be processed whole` : undefined;
}

/** How one kind of run treats records and outcomes. */
export interface RecordStep<O, R> {
  /** Why record i cannot be processed, or undefined if it can. */
  skip(records: RecordBatch, i: number): string | undefined;
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
 * and PN halves. A burst takes this path unless `ready` says no (a frame's fate the packed path cannot
 * give, such as a refusal's reason); the others take `process`. Both give the same outcomes, rows,
 * counters and output octets.
 */
export interface PackedStep<R> {
  /** Whether the burst `input` may take the packed path (every burst, without it). */
  ready?(input: PackedFrames): boolean;
  run(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void;
  /** Notes outcome k; whether it went through (its output frame then goes to the output capture). */
  note(outcomes: PackedOutcomes, k: number): boolean;
  /** The row of outcome k of the burst `input` (frame number `frame`), when rows are kept or it failed and is listed. */
  row(input: PackedFrames, frame: number, outcomes: PackedOutcomes, output: PackedFrames, k: number): R;
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

const emptyPacked = (): Writable<PackedFrames> => ({ data: new Uint8Array(0), offsets: new Uint32Array(0), lengths: new Uint32Array(0), count: 0 });

/** One run's state as bursts of records go through it. */
class RecordRun<O, R> {
  frames = 0;
  skipped = 0;
  failedCount = 0;
  writtenCount = 0;
  readonly results: (R | SkippedFrame)[] = [];
  readonly failed: (R | SkippedFrame)[] = [];
  readonly written: WritableRecord[] = [];
  /** A burst's output frames, frame k from the k-th record sent (length 0: none), valid until the next burst. */
  readonly out = emptyPacked();
  /** The record each frame sent comes from, when some record of the burst was skipped. */
  private order = new Uint32Array(0);
  /** The frames sent, when some record of the burst was skipped (else the batch itself is the input). */
  private readonly input = emptyPacked();
  private outcomes = packedOutcomes(0);
  private readonly burstRows: (R | SkippedFrame | undefined)[] = [];

  constructor(
    private readonly secy: SecY,
    private readonly step: RecordStep<O, R>,
    private readonly keep: Keep,
  ) {}

  /**
   * Runs one burst of records; its output frames are then in `out`, frame k from record `order[k]` (from
   * record k without `order`). Returns that order and how many records it sent.
   */
  burst(records: RecordBatch): { order: Uint32Array | undefined; sent: number } {
    const { step, burstRows } = this;
    const n = records.count;
    if (this.order.length < n) {
      this.order = new Uint32Array(n);
      for (const p of [this.input, this.out]) {
        p.offsets = new Uint32Array(n);
        p.lengths = new Uint32Array(n);
      }
      this.outcomes = packedOutcomes(n);
    }
    const { order, input, out } = this;
    burstRows.length = n;
    let sent = 0;
    let octets = 0;
    for (let i = 0; i < n; i++) {
      const reason = step.skip(records, i);
      if (reason === undefined) {
        order[sent++] = i;
        octets += records.lengths[i]!;
        burstRows[i] = undefined;
      } else {
        burstRows[i] = { frame: this.frames + i + 1, result: 'skipped', counter: undefined, reason };
        this.skipped++;
      }
    }
    let frames: PackedFrames = records;
    if (sent < n) {
      input.data = records.data;
      for (let k = 0; k < sent; k++) {
        input.offsets[k] = records.offsets[order[k]!]!;
        input.lengths[k] = records.lengths[order[k]!]!;
      }
      input.count = sent;
      frames = input;
    }
    const room = octets + sent * PACKED_ROOM;
    if (out.data.length < room) out.data = new Uint8Array(Math.max(room, 2 * out.data.length));
    out.count = sent;
    const packed = step.packed;
    if (packed !== undefined && sent > 0 && (packed.ready?.(frames) ?? true)) {
      this.packedBurst(records, packed, frames);
    } else {
      this.generalBurst(records, frames);
    }
    const kept = sent < n ? order : undefined;
    this.frames += n;
    if (this.keep.written) {
      for (let k = 0; k < sent; k++) {
        const from = out.offsets[k]!;
        if (out.lengths[k]! > 0) this.written.push({ data: out.data.slice(from, from + out.lengths[k]!), timestampNs: records.timestampNs(kept === undefined ? k : kept[k]!) });
      }
    }
    return { order: kept, sent };
  }

  /** A row's fate: kept, listed if it failed. */
  private tally(row: R | SkippedFrame | undefined, passed: boolean, frame: number): void {
    const { keep } = this;
    if (keep.rows && row !== undefined) this.results.push(row);
    if (!passed) {
      if (keep.rows || this.failed.length < keep.listed) {
        if (row === undefined) throw new Error(`capture run: frame ${frame} failed on the packed path, which has no reason to list`);
        this.failed.push(row);
      }
      this.failedCount++;
    }
  }

  /** The burst frame by frame through `process`; its output frames copied into `out`. */
  private generalBurst(records: RecordBatch, frames: PackedFrames): void {
    const { step, burstRows, out } = this;
    const views: Uint8Array[] = [];
    for (let k = 0; k < frames.count; k++) views.push(frames.data.subarray(frames.offsets[k], frames.offsets[k]! + frames.lengths[k]!));
    const outcomes = views.length > 0 ? step.process(views) : [];
    const outputs: (Uint8Array | undefined)[] = [];
    let octets = 0;
    let k = 0;
    for (let i = 0; i < records.count; i++) {
      if (burstRows[i] !== undefined) continue;
      const o = outcomes[k++]!;
      burstRows[i] = step.result(this.frames + i + 1, o);
      const data = step.output(o);
      outputs.push(data);
      octets += data?.length ?? 0;
    }
    if (out.data.length < octets) out.data = new Uint8Array(octets);
    let at = 0;
    outputs.forEach((data, j) => {
      out.offsets[j] = at;
      out.lengths[j] = data?.length ?? 0;
      if (data !== undefined) out.data.set(data, at);
      at += data?.length ?? 0;
    });
    for (let i = 0; i < records.count; i++) {
      const row = burstRows[i];
      if (row === undefined) throw new Error('capture run: a record of the burst has no result');
      this.tally(row, step.passed(row), this.frames + i + 1);
    }
    this.writtenCount += outputs.filter((d) => d !== undefined).length;
  }

  /** The burst over the packed path (ready said it may); frames that do not go through get no output. */
  private packedBurst(records: RecordBatch, packed: PackedStep<R>, frames: PackedFrames): void {
    const { out, outcomes, burstRows, keep } = this;
    packed.run(frames, out, outcomes);
    let k = 0;
    for (let i = 0; i < records.count; i++) {
      let row = burstRows[i];
      let passed = false;
      if (row === undefined) {
        passed = packed.note(outcomes, k);
        // The row first: a failed frame's row may read its output (the Uncontrolled Port's frame), which is then not written.
        if (keep.rows || (!passed && this.failed.length < keep.listed)) row = packed.row(frames, this.frames + i + 1, outcomes, out, k);
        if (passed) this.writtenCount++;
        else out.lengths[k] = 0;
        k++;
      }
      this.tally(row, passed, this.frames + i + 1);
    }
    packed.done?.(outcomes, k);
  }

  finish(): CaptureRun<R> {
    const { frames, results, written, writtenCount, failed, failedCount, skipped } = this;
    return { frames, results, written, writtenCount, failed, failedCount, skipped, counters: this.secy.counters() };
  }
}

/** Runs every record of an in-memory `capture` that `step` can process through `secy`, keeping every row and output frame. */
export function runRecords<O, R>(secy: SecY, capture: Capture, step: RecordStep<O, R>, progress?: RunProgress): CaptureRun<R> {
  const run = new RecordRun(secy, step, { rows: true, listed: Infinity, written: true });
  const batches: RecordBatch[] = [];
  let toSend = 0;
  for (let i = 0; i < capture.records.length; i += BURST_FRAMES) {
    const batch = new RecordBatch(BURST_FRAMES);
    batch.load(capture.records.slice(i, i + BURST_FRAMES));
    for (let j = 0; j < batch.count; j++) if (step.skip(batch, j) === undefined) toSend++;
    batches.push(batch);
  }
  const sink = progress?.(toSend) ?? NO_PROGRESS;
  let sent = 0;
  for (const batch of batches) {
    sent += run.burst(batch).sent;
    if (toSend > 0) sink.update(sent / toSend);
  }
  sink.done();
  return run.finish();
}

/** Where a streamed run's output frames go (a capture writer), a burst at a time in order: see PcapFileWriter.writePacked. */
export interface RecordSink {
  writePacked(frames: PackedFrames, times: FrameTimes, order?: Uint32Array): Promise<void>;
}

export interface StreamOptions {
  readonly keep: Omit<Keep, 'written'>;
  /** Called after each burst with the octets of the input consumed so far and the burst's records. */
  readonly onBurst?: (offset: number, records: RecordBatch) => void;
}

/**
 * Runs the records of `reader` through `secy` burst by burst as they are read, writing output frames to
 * `sink`. The reader reads its next chunk and the writer writes its last while a burst is processed.
 */
export async function streamRecords<O, R>(secy: SecY, reader: CaptureReader, step: RecordStep<O, R>, sink: RecordSink | undefined, options: StreamOptions): Promise<CaptureRun<R>> {
  const run = new RecordRun(secy, step, { ...options.keep, written: false });
  // A burst is run and written before the next read moves the reader's buffer.
  for (let batch = await reader.nextBatch(BURST_FRAMES); batch.count > 0; batch = await reader.nextBatch(BURST_FRAMES)) {
    const { order } = run.burst(batch);
    if (sink !== undefined && run.out.count > 0) await sink.writePacked(run.out, batch, order);
    options.onBurst?.(reader.offset, batch);
  }
  return run.finish();
}
