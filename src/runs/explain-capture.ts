/**
 * `explain --in`: every frame of a capture, or frame N, explained field by field. With an SA file, one
 * receive SecY takes the frames in capture order, as a receiver on that wire would, rather than each frame
 * being looked up afresh in the SA file: each tree then ends with the SecY's verdict (its counter and
 * reason, so replayed and late frames show as such), and the ICV is checked with the PN that SecY
 * recovered (XPN: from lowestPN as the frames before moved it). Frame N still follows frames 1..N-1
 * through the SecY, so it meets the state it would meet on the wire.
 */
import type { Capture, CaptureReader, CaptureRecord } from '../capture/index.js';
import { BURST_FRAMES } from '../config/secy-builder.js';
import type { BackendName } from '../crypto/backend.js';
import { keyResolver } from '../config/keys.js';
import type { SaFile } from '../config/sa-file.js';
import { explainFrame, type ExplainOptions, type KeyResolver } from '../explain/explain.js';
import type { ExplainNode } from '../explain/tree.js';
import type { ReceiveOutcome, SecY, SecYCountersView } from '../secy/index.js';
import { sciHex } from '../wire/sci.js';
import type { RunProgress } from './capture-run.js';
import { UsageError } from '../util/errors.js';
import { buildReceiveSecY, frameResult, originText, type ReceiveControlOptions, type ReceiveFrameResult } from './receiver.js';

/** Frames between two progress updates. */
const PROGRESS_EVERY = 1024;

/** A capture timestamp in UTC with all nine fractional digits (pcapng may carry nanoseconds). */
export function isoTime(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** `frame` (1-based, as Wireshark numbers them) must name a frame of a capture of `total` frames read from `file`. */
export function checkFrameNumber(frame: number | undefined, total: number, file: string): void {
  if (frame !== undefined && !(Number.isInteger(frame) && frame >= 1 && frame <= total)) {
    throw new UsageError(`--frame: expected a frame number 1-${total} (frames in ${file}), got ${frame}`);
  }
}

/** The in-order receiver of an SA file: its receive SecY, and the file's keys for the explanation. */
export interface ExplainReceiver {
  readonly sa: SaFile;
  readonly secy: SecY;
  readonly keys: KeyResolver;
}

/** The receiver for `explainCapture`; bad controls are UsageErrors naming the option (see buildReceiveSecY). */
export function explainReceiver(sa: SaFile, controls: ReceiveControlOptions, backend: BackendName, file: string): ExplainReceiver {
  const secy = buildReceiveSecY(sa, controls, backend, file);
  return { sa, secy, keys: keyResolver(sa, backend) };
}

export interface ExplainCaptureOptions {
  /** Only this frame (1-based); default every frame. */
  readonly frame?: number | undefined;
  /** Options for every frame's explanation (an MKA ICK, ...). */
  readonly explain?: ExplainOptions;
  /** Receive the frames in order with this receiver (an SA file). */
  readonly receiver?: ExplainReceiver | undefined;
  readonly progress?: RunProgress;
}

/** One frame explained. */
export interface ExplainedFrame {
  /** Its number, from 1. */
  readonly frame: number;
  /** Frames in the capture; undefined when it was not read to the end (explain --frame stops at its frame). */
  readonly total: number | undefined;
  readonly record: CaptureRecord;
  /** The field-by-field tree; with a receiver, its last node is the receiver's verdict. */
  readonly tree: readonly ExplainNode[];
  /** The receiver's verdict, with a receiver. */
  readonly receiver?: ReceiveFrameResult;
}

/** One receive SA of the receiver after the run. */
export interface ReceiveSARow {
  readonly sci: string;
  readonly an: number;
  readonly nextPN: bigint;
  readonly lowestPN: bigint;
  readonly inUse: boolean;
}

/** The receiver after the last frame explained: what it now expects, and its counters. */
export interface ReceiverState {
  /** The number of the last frame explained (0 for an empty capture). */
  readonly afterFrame: number;
  readonly sas: readonly ReceiveSARow[];
  readonly counters: SecYCountersView;
}

export interface ExplainSummary {
  /** With a receiver: its state after the run. */
  readonly receiver?: ReceiverState;
}

/**
 * The file's keys, but with the PN the in-order receive SecY recovered for this frame: with XPN the upper
 * 32 bits come from the SA's lowestPN as it stands after the frames before (802.1AEbw 10.6.2), not from
 * the file's `pn`. For frames in order both give the same PN; for a replayed or late frame they differ,
 * and only the SecY's is what a receiver computes. `fromFile` keeps the other, to say so.
 */
function inOrderKeys(resolver: KeyResolver, outcome: ReceiveOutcome | undefined): { keys: KeyResolver; fromFile: { pn: bigint | undefined } } {
  const origin = outcome !== undefined && outcome.kind !== 'uncontrolled' ? outcome.origin : undefined;
  const fromFile: { pn: bigint | undefined } = { pn: undefined };
  const keys: KeyResolver = (frame, layout) => {
    const r = resolver(frame, layout);
    if (!('sa' in r) || origin?.pn === undefined || origin.sci !== sciHex(r.sci) || origin.an !== layout.secTag.an) return r;
    fromFile.pn = r.pn;
    return { ...r, pn: origin.pn };
  };
  return { keys, fromFile };
}

/** The receive SecY's verdict on the frame, as the last node of its tree. */
export function receiverNode(result: ReceiveFrameResult, controls: string, filePN: bigint | undefined): ExplainNode {
  const recovered =
    filePN !== undefined && result.pn !== undefined && filePN !== result.pn
      ? `PN recovered from lowestPN as the frames before left it (10.6.2), not ${filePN} as from the SA file's pn: a frame replayed from below lowestPN lands in the next 2^32 span and fails its ICV`
      : undefined;
  const fate =
    result.result === 'delivered' ? 'delivered to the Controlled Port' : result.result === 'dropped' ? 'dropped' : result.result === 'uncontrolled' ? 'Uncontrolled Port only' : 'not received';
  return {
    label: 'Receiver',
    value: `${result.counter !== undefined ? `${result.counter}: ` : ''}${fate}`,
    status: result.counter === 'InPktsOK' ? 'ok' : result.result === 'delivered' ? 'warn' : 'bad',
    note: [`a SecY receiving the capture in order (${controls})`, originText(result), result.reason, recovered].filter((s) => s !== undefined).join('; '),
  };
}

/** The receiver's controls in words, for its verdicts. */
export function controlsText(secy: SecY): string {
  const c = secy.controls;
  return `validateFrames ${c.validateFrames}, replayWindow ${c.replayWindow}${c.replayProtect ? '' : ', replayProtect off'}`;
}

export function receiverState(secy: SecY, afterFrame: number): ReceiverState {
  const sas: ReceiveSARow[] = [];
  for (const sci of secy.receiveSCIs()) {
    for (let an = 0; an < 4; an++) {
      const state = secy.receiveSAState(sci, an);
      if (state) sas.push({ sci, an, nextPN: state.nextPN, lowestPN: state.lowestPN, inUse: state.inUse });
    }
  }
  return { afterFrame, sas, counters: secy.counters() };
}

/** Takes a capture's records in order: each goes through the receiver, and the ones asked for are explained. */
class Explainer {
  private readonly secy: SecY | undefined;
  private readonly controls: string;
  private readonly first: number;

  constructor(
    private readonly options: ExplainCaptureOptions,
    private readonly total: number | undefined,
    private readonly onFrame: (frame: ExplainedFrame) => void,
  ) {
    this.secy = options.receiver?.secy;
    this.controls = this.secy !== undefined ? controlsText(this.secy) : '';
    this.first = options.frame !== undefined ? options.frame - 1 : 0;
  }

  /** Index of the first record that matters: without a receiver nothing carries over between frames. */
  get start(): number {
    return this.secy !== undefined ? 0 : this.first;
  }

  /** Index of the last record that matters, or Infinity for every frame. */
  get last(): number {
    return this.options.frame !== undefined ? this.options.frame - 1 : Infinity;
  }

  /** Record `i` (from 0) of the capture, from `start` on. */
  take(record: CaptureRecord, i: number): void {
    const { secy, options } = this;
    const receiver = options.receiver;
    const outcome = secy !== undefined && !record.truncated ? secy.receive(record.data) : undefined;
    if (i < this.first) return;
    const inOrder = receiver !== undefined ? inOrderKeys(receiver.keys, outcome) : undefined;
    const tree = explainFrame(record.data, { ...options.explain, ...(receiver !== undefined && inOrder !== undefined ? { keys: inOrder.keys, xpn: receiver.sa.suite.xpn } : {}) });
    const result: ReceiveFrameResult | undefined =
      secy === undefined
        ? undefined
        : outcome !== undefined
          ? frameResult(i + 1, outcome)
          : { frame: i + 1, result: 'skipped', counter: undefined, reason: `truncated in the capture: ${record.data.length} of ${record.originalLength} octets captured` };
    if (result !== undefined) tree.push(receiverNode(result, this.controls, inOrder?.fromFile.pn));
    this.onFrame({ frame: i + 1, total: this.total, record, tree, ...(result !== undefined ? { receiver: result } : {}) });
  }

  summary(afterFrame: number): ExplainSummary {
    return this.secy !== undefined ? { receiver: receiverState(this.secy, afterFrame) } : {};
  }
}

/**
 * Explains the frames of `capture` (or `options.frame` alone), handing each to `onFrame` as it is done, so
 * a large capture is never held as trees. A frame cut short in the capture never reaches the receiver whole:
 * it is explained, not received. Throws a UsageError for a frame number the capture does not have.
 */
export function explainCapture(capture: Capture, options: ExplainCaptureOptions, onFrame: (frame: ExplainedFrame) => void): ExplainSummary {
  const total = capture.records.length;
  checkFrameNumber(options.frame, total, 'the capture');
  const explainer = new Explainer(options, total, onFrame);
  const start = explainer.start;
  const last = Math.min(explainer.last, total - 1);
  const count = last + 1 - start;
  const progress = options.progress?.(count);
  for (let i = start; i <= last; i++) {
    if (i - start > 0 && (i - start) % PROGRESS_EVERY === 0) progress?.update((i - start) / count);
    explainer.take(capture.records[i]!, i);
  }
  progress?.done();
  return explainer.summary(last + 1);
}

/** The records left in `reader`, read to its end. */
export async function countRecords(reader: CaptureReader): Promise<number> {
  let n = 0;
  for (let b = await reader.nextBatch(BURST_FRAMES); b.count > 0; b = await reader.nextBatch(BURST_FRAMES)) n += b.count;
  return n;
}

/**
 * explainCapture on a capture as it is read: with `options.frame` it stops reading at that frame (frames
 * before it are read only when the receiver must see them first). `total` is the capture's frame count
 * when known; `file` names the capture in a bad --frame's error. `ready`, awaited after each burst, holds the
 * reading back while the explanation cannot be written out (a slow pipe), so memory stays flat.
 */
export async function explainStream(reader: CaptureReader, options: ExplainCaptureOptions, total: number | undefined, file: string, onFrame: (frame: ExplainedFrame) => void, ready?: () => Promise<void>): Promise<ExplainSummary> {
  const frame = options.frame;
  if (frame !== undefined && !(Number.isInteger(frame) && frame >= 1)) checkFrameNumber(frame, await countRecords(reader), file);
  const explainer = new Explainer(options, options.frame !== undefined ? undefined : total, onFrame);
  const { start, last } = explainer;
  let i = 0;
  // Copies, not views: a frame's record goes to onFrame, which may keep it. Never a record past `last`.
  const ask = (): number => Math.min(BURST_FRAMES, last + 1 - i);
  for (let burst = await reader.next(ask()); burst.length > 0; burst = i <= last ? await reader.next(ask()) : []) {
    for (const record of burst) {
      if (i >= start) explainer.take(record, i);
      i++;
    }
    await ready?.();
  }
  if (options.frame !== undefined && i <= last) checkFrameNumber(options.frame, i, file);
  return explainer.summary(Math.min(i, last + 1));
}
