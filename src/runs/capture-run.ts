/**
 * What `protect` and `validate` share: each record of a capture either goes through a SecY, in capture order
 * and in bursts, or is skipped with a reason (never silently lost); each outcome becomes one result row, and
 * the frames it yields become the output capture, each with its input record's timestamp.
 */
import type { Capture, CaptureRecord, WritableRecord } from '../capture/index.js';
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
  /** Processes the frames in order (one outcome each), reporting the share done. */
  process(frames: readonly Uint8Array[], onProgress: (done: number) => void): readonly O[];
  /** The result row of an outcome; `frame` numbers the record from 1. */
  result(frame: number, outcome: O): R;
  /** The frame an outcome puts in the output capture, if any. */
  output(outcome: O): Uint8Array | undefined;
  /** Whether a row went through (protected, delivered). */
  passed(row: R | SkippedFrame): boolean;
}

/** What a run over a capture gives: a row per record, the output frames, what did not go through, the counters. */
export interface CaptureRun<R> {
  /** One row per record of the capture, in capture order. */
  readonly results: readonly (R | SkippedFrame)[];
  /** The output frames, each with its input record's timestamp, in capture order. */
  readonly written: readonly WritableRecord[];
  /** The rows of records that did not go through (refused, dropped, uncontrolled or skipped), in capture order. */
  readonly failed: readonly (R | SkippedFrame)[];
  /** Records never handed to the SecY. */
  readonly skipped: number;
  /** The SecY's counters after the run. */
  readonly counters: SecYCountersView;
}

/** Runs every record of `capture` that `step` can process through `secy`; the others are skipped rows. */
export function runRecords<O, R>(secy: SecY, capture: Capture, step: RecordStep<O, R>, progress?: RunProgress): CaptureRun<R> {
  const results: (R | SkippedFrame)[] = new Array(capture.records.length);
  const sent: number[] = [];
  capture.records.forEach((r, i) => {
    const reason = step.skip(r);
    if (reason === undefined) sent.push(i);
    else results[i] = { frame: i + 1, result: 'skipped', counter: undefined, reason };
  });
  const sink = progress?.(sent.length) ?? NO_PROGRESS;
  const outcomes = step.process(
    sent.map((i) => capture.records[i]!.data),
    (d) => sink.update(d),
  );
  sink.done();
  const written: WritableRecord[] = [];
  outcomes.forEach((o, k) => {
    const i = sent[k]!;
    results[i] = step.result(i + 1, o);
    const data = step.output(o);
    if (data !== undefined) written.push({ data, timestampNs: capture.records[i]!.timestampNs });
  });
  return {
    results,
    written,
    failed: results.filter((r) => !step.passed(r)),
    skipped: capture.records.length - sent.length,
    counters: secy.counters(),
  };
}
