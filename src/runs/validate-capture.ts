/**
 * `validate` on a capture: every MACsec frame through a receiving SecY, in capture order and in bursts (the
 * replay state moves as on a wire). Records cut short in the capture are skipped; what reaches the
 * Controlled Port becomes the output capture with the input timestamps.
 */
import type { Capture, CaptureReader } from '../capture/index.js';
import { PACKED_CODE_NAMES, PackedCode } from '../crypto/packed.js';
import { PACKED_DELIVERED, type ReceiveOutcome, type SecY } from '../secy/index.js';
import { runRecords, streamRecords, truncatedReason, type CaptureRun, type PackedStep, type RecordSink, type RecordStep, type RunOptions, type StreamOptions } from './capture-run.js';
import { frameResult, type ReceiveFrameResult } from './receiver.js';

/** `written`: what reached the Controlled Port (user data); `failed`: the frames dropped, uncontrolled or skipped. */
export interface ValidateRun extends CaptureRun<ReceiveFrameResult> {
  readonly dropped: number;
  readonly uncontrolled: number;
  /** Delivered frames per counter (InPktsOK, InPktsInvalid, ...), in the order each counter first occurs. */
  readonly deliveredBy: readonly (readonly [counter: string, frames: number])[];
}

interface Tally {
  dropped: number;
  uncontrolled: number;
  readonly deliveredBy: Map<string, number>;
}

/**
 * The validate step over receivePacked, for every burst: a row (a failure listed, or every row with
 * --json) is frameResult over the outcome SecY.receivedOutcome rebuilds from the packed one, as
 * receiveBurst would have given it.
 */
function packedValidate(secy: SecY, tally: Tally): PackedStep<ReceiveFrameResult> {
  return {
    run: (input, output, outcomes) => secy.receivePacked(input, output, outcomes),
    note: (o, k) => {
      const code = o.codes[k]!;
      const counter = PACKED_CODE_NAMES[code];
      if (counter === undefined) throw new Error(`validate: packed outcome ${code} names no counter`);
      if (PACKED_DELIVERED[code] === 1) {
        tally.deliveredBy.set(counter, (tally.deliveredBy.get(counter) ?? 0) + 1);
        return true;
      }
      if (code === PackedCode.SimInPktsUncontrolled) tally.uncontrolled++;
      else tally.dropped++;
      return false;
    },
    row: (input, frame, outcomes, output, k) => frameResult(frame, secy.receivedOutcome(input, output, outcomes, k)),
  };
}

function validateStep(secy: SecY, tally: Tally): RecordStep<ReceiveOutcome, ReceiveFrameResult> {
  return {
    skip: truncatedReason,
    process: (frames) => secy.receiveBurst(frames),
    result: (frame, o) => {
      const r = frameResult(frame, o);
      if (r.result === 'delivered') {
        if (r.counter !== undefined) tally.deliveredBy.set(r.counter, (tally.deliveredBy.get(r.counter) ?? 0) + 1);
      } else if (r.result === 'dropped') tally.dropped++;
      else if (r.result === 'uncontrolled') tally.uncontrolled++;
      return r;
    },
    output: (o) => (o.kind === 'controlled' ? o.frame : undefined),
    passed: (r) => r.result === 'delivered',
    packed: packedValidate(secy, tally),
  };
}

const newTally = (): Tally => ({ dropped: 0, uncontrolled: 0, deliveredBy: new Map() });

const validateRun = (run: CaptureRun<ReceiveFrameResult>, t: Tally): ValidateRun => ({ ...run, dropped: t.dropped, uncontrolled: t.uncontrolled, deliveredBy: [...t.deliveredBy] });

/** Receives every whole record of `capture` with `secy` (a receiving SecY, see buildReceiveSecY). */
export function validateCapture(secy: SecY, capture: Capture, options: RunOptions = {}): ValidateRun {
  const tally = newTally();
  return validateRun(runRecords(secy, capture, validateStep(secy, tally), options.progress), tally);
}

/** validateCapture on a capture as it is read, the delivered frames going to `sink` (if any) as they come. */
export async function validateStream(secy: SecY, reader: CaptureReader, sink: RecordSink | undefined, options: StreamOptions): Promise<ValidateRun> {
  const tally = newTally();
  return validateRun(await streamRecords(secy, reader, validateStep(secy, tally), sink, options), tally);
}
