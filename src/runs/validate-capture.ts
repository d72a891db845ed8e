/**
 * `validate` on a capture: every MACsec frame through a receiving SecY, in capture order and in bursts (the
 * replay state moves as on a wire). Records cut short in the capture are skipped; what reaches the
 * Controlled Port becomes the output capture with the input timestamps.
 */
import type { Capture } from '../capture/index.js';
import { receiveAll } from '../config/secy-builder.js';
import type { ReceiveOutcome, SecY } from '../secy/index.js';
import { runRecords, truncatedReason, type CaptureRun, type RunOptions } from './capture-run.js';
import { frameResult, type ReceiveFrameResult } from './receiver.js';

/** `written`: what reached the Controlled Port (user data); `failed`: the frames dropped, uncontrolled or skipped. */
export interface ValidateRun extends CaptureRun<ReceiveFrameResult> {
  readonly dropped: number;
  readonly uncontrolled: number;
  /** Delivered frames per counter (InPktsOK, InPktsInvalid, ...), in the order each counter first occurs. */
  readonly deliveredBy: readonly (readonly [counter: string, frames: number])[];
}

/** Receives every whole record of `capture` with `secy` (a receiving SecY, see buildReceiveSecY). */
export function validateCapture(secy: SecY, capture: Capture, options: RunOptions = {}): ValidateRun {
  const run = runRecords<ReceiveOutcome, ReceiveFrameResult>(
    secy,
    capture,
    {
      skip: truncatedReason,
      process: (frames, onProgress) => receiveAll(secy, frames, onProgress),
      result: frameResult,
      output: (o) => (o.kind === 'controlled' ? o.frame : undefined),
      passed: (r) => r.result === 'delivered',
    },
    options.progress,
  );
  const deliveredBy = new Map<string, number>();
  for (const r of run.results) if (r.result === 'delivered' && r.counter !== undefined) deliveredBy.set(r.counter, (deliveredBy.get(r.counter) ?? 0) + 1);
  return {
    ...run,
    dropped: run.failed.filter((r) => r.result === 'dropped').length,
    uncontrolled: run.failed.filter((r) => r.result === 'uncontrolled').length,
    deliveredBy: [...deliveredBy],
  };
}
