/**
 * What `protect` and `validate` share: each record of a capture either goes through a SecY, in capture order
 * and in bursts, or is skipped with a reason (never silently lost); each outcome becomes one result row, and
 * the frames it yields become the output capture, each with its input record's timestamp. A run over a file
 * streams: a burst of records is read, run and written before the next is read, so memory does not grow
 * with the capture (only --json, which lists every frame, keeps every row).
 */
import type { Capture, CaptureReader, CaptureRecord, WritableRecord } from '../capture/index.js';
import { BURST_FRAMES } from '../config/secy-builder.js';
import type { SecY, SecYCountersView } from '../secy/index.js';

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
