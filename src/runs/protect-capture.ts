/**
 * `protect` on a capture: every plain frame through a transmitting SecY, in capture order and in bursts.
 * Records cut short in the capture or too short to send are skipped, frames the SecY refuses are counted
 * and named; what it sends becomes the output capture with the input timestamps.
 */
import type { Capture, CaptureReader, RecordBatch } from '../capture/index.js';
import { MIN_TRANSMIT_FRAME } from '../config/secy-builder.js';
import { PACKED_CODE_NAMES, PackedCode, type PackedOutcomes } from '../crypto/packed.js';
import { PACKED_SENT, type SecY, type TransmitOutcome } from '../secy/index.js';
import { sciHex } from '../wire/sci.js';
import { ICV_LENGTH, secTagLength } from '../wire/sectag.js';
import { runRecords, streamRecords, truncatedReason, type CaptureRun, type PackedStep, type RecordSink, type RecordStep, type RunOptions, type SkippedFrame, type StreamOptions } from './capture-run.js';

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

/** Why record i cannot be sent: cut short in the capture, or shorter than addresses and EtherType. */
function unsendable(records: RecordBatch, i: number): string | undefined {
  const length = records.lengths[i]!;
  return truncatedReason(records, i) ?? (length < MIN_TRANSMIT_FRAME ? `${length} octets: shorter than ${MIN_TRANSMIT_FRAME} (addresses and EtherType)` : undefined);
}

/** The most a frame grows when protected: a SecTAG with an SCI and the ICV (9.3). */
const MAX_GROWTH = secTagLength(true) + ICV_LENGTH;

const pnOf = (o: PackedOutcomes, k: number): bigint => (BigInt(o.pnHigh[k]!) << 32n) | BigInt(o.pnLow[k]!);
const isProtected = (code: number): boolean => code === PackedCode.OutPktsProtected || code === PackedCode.OutPktsEncrypted;

/**
 * The protect step over transmitPacked, for bursts no frame of which can be refused (a refusal's reason
 * comes from transmitBurst): none too long even grown the most, and the encoding SA in use with a PN left
 * for every frame below maxPN and any persisted mark.
 */
function packedProtect(secy: SecY, pns: { first?: bigint; last?: bigint }): PackedStep<ProtectFrameResult> {
  let an = 0;
  return {
    ready: (input) => {
      const c = secy.controls;
      for (let k = 0; k < input.count; k++) if (input.lengths[k]! + MAX_GROWTH > c.maxFrameSize) return false;
      if (!c.protectFrames) return true;
      an = secy.encodingSA;
      const sa = secy.transmitSAState(an);
      if (sa === undefined || !sa.enableTransmit || sa.exhausted) return false;
      const last = sa.nextPN + BigInt(input.count - 1);
      return last <= secy.cipherSuite.maxPN && (sa.persistedPN === undefined || last < sa.persistedPN);
    },
    run: (input, output, outcomes) => secy.transmitPacked(input, output, outcomes),
    note: (o, k) => PACKED_SENT[o.codes[k]!] === 1,
    row: (_input, frame, o, output, k) => {
      const code = o.codes[k]!;
      const counter = PACKED_CODE_NAMES[code];
      if (counter === undefined || PACKED_SENT[code] !== 1) throw new Error(`protect: frame ${frame} refused on the packed path (${String(counter)})`);
      const tagged = isProtected(code);
      return { frame, result: 'protected', counter, an: tagged ? an : undefined, pn: tagged ? pnOf(o, k) : undefined, length: output.lengths[k]! };
    },
    done: (o, count) => {
      let k = 0;
      if (pns.first === undefined) {
        while (k < count && !isProtected(o.codes[k]!)) k++;
        if (k < count) pns.first = pnOf(o, k);
      }
      let j = count - 1;
      while (j >= 0 && !isProtected(o.codes[j]!)) j--;
      if (j >= 0) pns.last = pnOf(o, j);
    },
  };
}

/** The protect step, noting the first and last PN sent in `pns`. */
function protectStep(secy: SecY, pns: { first?: bigint; last?: bigint }): RecordStep<TransmitOutcome, ProtectFrameResult> {
  return {
    skip: unsendable,
    process: (frames) => secy.transmitBurst(frames),
    result: (frame, o) => {
      if (o.kind !== 'transmitted') return { frame, result: 'refused', counter: o.counter, reason: o.reason };
      if (o.pn !== undefined) {
        pns.first ??= o.pn;
        pns.last = o.pn;
      }
      return { frame, result: 'protected', counter: o.counter, an: o.an, pn: o.pn, length: o.frame.length };
    },
    output: (o) => (o.kind === 'transmitted' ? o.frame : undefined),
    passed: (r) => r.result === 'protected',
    packed: packedProtect(secy, pns),
  };
}

function protectRun(secy: SecY, run: CaptureRun<ProtectFrameResult>, pns: { first?: bigint; last?: bigint }): ProtectRun {
  const an = secy.encodingSA;
  return {
    ...run,
    refused: run.failedCount - run.skipped,
    pns: pns.first !== undefined && pns.last !== undefined ? { first: pns.first, last: pns.last } : undefined,
    sci: sciHex(secy.sci),
    an,
    nextPN: secy.transmitSAState(an)?.nextPN,
  };
}

/** Protects every record of `capture` that can be sent with `secy` (a transmitting SecY, see transmitSecY). */
export function protectCapture(secy: SecY, capture: Capture, options: RunOptions = {}): ProtectRun {
  const pns = {};
  return protectRun(secy, runRecords(secy, capture, protectStep(secy, pns), options.progress), pns);
}

/** protectCapture on a capture as it is read, the protected frames going to `sink` as they come. */
export async function protectStream(secy: SecY, reader: CaptureReader, sink: RecordSink | undefined, options: StreamOptions): Promise<ProtectRun> {
  const pns = {};
  return protectRun(secy, await streamRecords(secy, reader, protectStep(secy, pns), sink, options), pns);
}
