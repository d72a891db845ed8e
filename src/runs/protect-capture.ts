/**
 * `protect` on a capture: every plain frame through a transmitting SecY, in capture order and in bursts.
 * Records cut short in the capture or too short to send are skipped, frames the SecY refuses are counted
 * and named; what it sends becomes the output capture with the input timestamps.
 */
import type { Capture } from '../capture/index.js';
import { MIN_TRANSMIT_FRAME, transmitAll } from '../config/secy-builder.js';
import type { SecY, TransmitOutcome } from '../secy/index.js';
import { sciHex } from '../wire/sci.js';
import { runRecords, truncatedReason, type CaptureRun, type RunOptions, type SkippedFrame } from './capture-run.js';

/** What became of one record of the input. */
export type ProtectFrameResult =
  | { readonly frame: number; readonly result: 'protected'; readonly counter: string; readonly an: number | undefined; readonly pn: bigint | undefined; readonly length: number }
  | { readonly frame: number; readonly result: 'refused'; readonly counter: string | undefined; readonly reason: string }
  | SkippedFrame;

/** `failed`: the frames refused or skipped. */
export interface ProtectRun extends CaptureRun<ProtectFrameResult> {
  readonly refused: number;
  /** The first and last PN sent, if any frame went out with one. */
  readonly pns: { readonly first: bigint; readonly last: bigint } | undefined;
  /** The transmit SC's SCI (16 hex digits), its encoding SA, and that SA's next PN after the run. */
  readonly sci: string;
  readonly an: number;
  readonly nextPN: bigint | undefined;
}

/** Why a record cannot be sent: cut short in the capture, or shorter than addresses and EtherType. */
function unsendable(data: Uint8Array, truncated: string | undefined): string | undefined {
  return truncated ?? (data.length < MIN_TRANSMIT_FRAME ? `${data.length} octets: shorter than ${MIN_TRANSMIT_FRAME} (addresses and EtherType)` : undefined);
}

/** Protects every record of `capture` that can be sent with `secy` (a transmitting SecY, see transmitSecY). */
export function protectCapture(secy: SecY, capture: Capture, options: RunOptions = {}): ProtectRun {
  const run = runRecords<TransmitOutcome, ProtectFrameResult>(
    secy,
    capture,
    {
      skip: (r) => unsendable(r.data, truncatedReason(r)),
      process: (frames, onProgress) => transmitAll(secy, frames, onProgress),
      result: (frame, o) =>
        o.kind === 'transmitted'
          ? { frame, result: 'protected', counter: o.counter, an: o.an, pn: o.pn, length: o.frame.length }
          : { frame, result: 'refused', counter: o.counter, reason: o.reason },
      output: (o) => (o.kind === 'transmitted' ? o.frame : undefined),
      passed: (r) => r.result === 'protected',
    },
    options.progress,
  );
  const pns = run.results.flatMap((r) => (r.result === 'protected' && r.pn !== undefined ? [r.pn] : []));
  const an = secy.encodingSA;
  return {
    ...run,
    refused: run.failed.filter((r) => r.result === 'refused').length,
    pns: pns.length > 0 ? { first: pns[0]!, last: pns[pns.length - 1]! } : undefined,
    sci: sciHex(secy.sci),
    an,
    nextPN: secy.transmitSAState(an)?.nextPN,
  };
}
