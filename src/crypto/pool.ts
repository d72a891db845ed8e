/**
 * Worker threads for large bursts. The burst is cut in two (or more) slices: this thread protects or
 * validates the first itself, each worker one of the others. A worker's slice is copied into a staging
 * buffer that is transferred to the worker (only this thread can read the caller's frames); the worker
 * builds, seals or opens its frames in a buffer of its own and transfers that back, with the staging
 * buffer for the next burst. The serial work left here is the staging copy and making the result views.
 * The cut adapts from burst to burst: whichever side finished first gets more of the next one, which
 * also absorbs a busy machine.
 *
 * The SecY's packed calls (`packed`) need no staging: their frames and outcomes are in SharedArrayBuffers,
 * which each thread reads and writes in place, its slice's outputs apart from the others'.
 *
 * Waking a worker costs tens of microseconds, so bursts of fewer than `minFrames` frames are not split.
 * Each worker makes its own context per SA from the SAK, which the pool hands on when the SA is installed
 * (`install`, which a SecY given the pool as its executor calls) and keeps no copy of; the workers drop
 * their contexts when the SA is wiped. GCM contexts are not shared between threads.
 *
 * Node only (worker_threads): nothing browser-safe imports this module.
 */
import { once } from 'node:events';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ConfigError, describe } from '../util/errors.js';
import type { PackedFrames } from '../wire/packed.js';
import { SCI_LENGTH, secTagLength } from '../wire/sectag.js';
import { protectRange, validateRange, type BurstExecutor, type BurstLayout, type BurstProtectOptions, type BurstValidateOptions } from './burst.js';
import { PACKED_ROOM, PackedCode, TWO_32, addPn, protectPacked, transmitLength, validatePacked, type PackedExecutor, type PackedOutcomes, type PackedProtectOptions, type PackedReceiveControl, type PackedTransmitControl, type PackedValidateOptions } from './packed.js';
import {
  C_CLAIM, C_COUNT, C_DECRYPTED_HI, C_DECRYPTED_LO, C_DONE, C_DONE_COUNT, C_FIRST, C_JOB, C_LAST_PN_HIGH, C_LAST_PN_LOW, C_MAX_FRAME, C_OUT_END, C_OUT_START, C_PN_HIGH, C_PN_LOW, C_SA, C_SEQ, C_STATUS, C_VALIDATED_HI, C_VALIDATED_LO, CTRL_WORDS,
  JOB_NONE, JOB_RECEIVE, JOB_TRANSMIT, T_DATA_LEN, T_DATA_OFF, T_E, T_ICV_OFF, T_IN_LEN, T_IN_OFF, T_PN_HIGH, T_PN_LOW, T_SECTAG_OFF, TABLE_WORDS,
  type FromWorker, type PackedBuffers, type ResultMessage, type ToWorker,
} from './pool-protocol.js';
import type { SaContext, SaKey } from './sa.js';

export interface BurstPoolOptions {
  /** Worker threads beside the calling thread (default 1). */
  readonly workers?: number;
  /** Bursts with fewer frames are not split (default 2048). */
  readonly minFrames?: number;
  /** How long to wait for a worker's slice before giving up, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /**
   * How long a thread polls for the other's signal before sleeping in Atomics.wait, in ms (default 0.1):
   * a worker after its slice, this thread for a worker's result. Waking a sleeping thread took from tens
   * of microseconds to milliseconds on the 2-vCPU development VM; 0 never polls.
   */
  readonly spinMs?: number;
}

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly ctrl: Int32Array;
  seq: number;
  /** Whether the job in flight answers with a ResultMessage. */
  expectsResult: boolean;
  /** The staging buffer the worker handed back, for its next job. */
  stage: ArrayBuffer | undefined;
  /** The arrays and options of the last packed job sent, which the worker keeps. */
  packed: PackedBuffers | undefined;
  setup: SentSetup | undefined;
}

/** A packed job's options: a transmit slice's or a receive slice's. */
type PackedSetup = { readonly protect: PackedProtectOptions; readonly validate?: undefined } | { readonly validate: PackedValidateOptions; readonly protect?: undefined };

/** What a worker was last sent for packed jobs: a copy, as a caller may change its options object in place. */
interface SentSetup {
  readonly transmit: boolean;
  readonly options: object;
}

/** A copy of an options object, its octet arrays copied too (a Buffer's slice() would be a view). */
const copyOptions = (o: object): object => Object.fromEntries(Object.entries(o).map(([k, v]: [string, unknown]) => [k, v instanceof Uint8Array ? Uint8Array.from(v) : v]));

/** Whether two options objects say the same: the same keys, each value the same (octet arrays by content). */
function sameOptions(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x: unknown = Reflect.get(a, k);
    const y: unknown = Reflect.get(b, k);
    if (x === y) continue;
    if (!(x instanceof Uint8Array && y instanceof Uint8Array && x.length === y.length && x.every((v, i) => v === y[i]))) return false;
  }
  return true;
}

const sameSetup = (sent: SentSetup | undefined, setup: PackedSetup): boolean =>
  sent !== undefined && sent.transmit === (setup.protect !== undefined) && sameOptions(sent.options, setup.protect ?? setup.validate);

/** A worker's slice, staged: its frames' octets and a table row per frame. */
interface Staged {
  readonly stage: ArrayBuffer;
  readonly bytes: Uint8Array;
  readonly table: Int32Array<ArrayBuffer>;
}

/** Octets a frame counts for beside its own when cutting a burst (IV set-up, tag, per-frame calls). */
const FRAME_WEIGHT = 64;
/** How far the calling thread's share moves per burst, and its bounds. */
const SHARE_STEP = 0.02;
const MIN_SHARE = 0.05;
const MAX_SHARE = 0.9;


/** A packed call's arrays are shared with the workers: each must be a view of a SharedArrayBuffer. */
function checkShared(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
  const arrays: [string, unknown][] = [
    ['input.data', input.data], ['input.offsets', input.offsets], ['input.lengths', input.lengths],
    ['output.data', output.data], ['output.offsets', output.offsets], ['output.lengths', output.lengths],
    ['outcomes.codes', outcomes.codes], ['outcomes.pnHigh', outcomes.pnHigh], ['outcomes.pnLow', outcomes.pnLow],
  ];
  for (const [name, a] of arrays) {
    if (!(ArrayBuffer.isView(a) && a.buffer instanceof SharedArrayBuffer)) {
      throw new ConfigError(name, 'a view of a SharedArrayBuffer (a SecY whose executor is a BurstPool shares packed calls with its worker threads)', describe(a));
    }
  }
}

/** How a worker is started: its module, Node options and environment. */
interface WorkerStart {
  readonly url: URL;
  readonly execArgv: string[] | undefined;
  /** The worker's environment, where NODE_OPTIONS must lose an option; else this process's. */
  readonly env: NodeJS.ProcessEnv | undefined;
}

/** The worker's module and how to start it: compiled JavaScript, or (under vitest) TypeScript through a loader. */
function workerEntry(): WorkerStart {
  const here = import.meta.url;
  // Compiled: the worker inherits this process's Node options (--cpu-prof, --expose-gc included), unless one
  // is --input-type (on the command line or in NODE_OPTIONS), which a worker started from a file refuses: then
  // it is given the command line's others (see startWorker).
  if (!here.endsWith('.ts')) {
    const inputType = (a: string): boolean => a.startsWith('--input-type');
    const nodeOptions = (process.env['NODE_OPTIONS'] ?? '').split(/\s+/);
    const url = new URL('./pool-worker.js', here);
    if (!process.execArgv.some(inputType) && !nodeOptions.some(inputType)) return { url, execArgv: undefined, env: undefined };
    return { url, execArgv: process.execArgv.filter((a) => !inputType(a)), env: { ...process.env, NODE_OPTIONS: nodeOptions.filter((a) => !inputType(a)).join(' ') } };
  }
  // Running from the TypeScript sources: Node 20 cannot import .ts, so the worker registers hooks that
  // transpile it (scripts/ts-worker-hooks.mjs, with the typescript devDependency).
  const hooks = new URL('../../scripts/ts-worker-hooks.mjs', here).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return { url: new URL('./pool-worker.ts', here), execArgv: ['--import', `data:text/javascript,${encodeURIComponent(register)}`], env: undefined };
}

/**
 * Starts a worker with its control block and its end of a new channel. Options given to a worker must be
 * ones Node takes per thread: where one is not (a V8 flag such as --expose-gc), it is started without them.
 */
function startWorker(start: WorkerStart, data: { ctrl: SharedArrayBuffer; spinMs: number }): { worker: Worker; port: MessagePort } {
  const { url, execArgv, env } = start;
  const launch = (argv: string[] | undefined): { worker: Worker; port: MessagePort } => {
    const { port1, port2 } = new MessageChannel();
    return { worker: new Worker(url, { execArgv: argv, ...(env === undefined ? {} : { env }), workerData: { ...data, port: port2 }, transferList: [port2] }), port: port1 };
  };
  try {
    return launch(execArgv);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return launch([]);
  }
}

export class BurstPool implements BurstExecutor {
  readonly workers: number;
  readonly minFrames: number;
  private readonly timeoutMs: number;
  private readonly spinMs: number;
  private readonly threads: Thread[];
  private readonly saIds = new WeakMap<SaContext, number>();
  private nextSaId = 1;
  /** The calling thread's share of a burst's work, adapted after every split burst. */
  private share: number;
  /** The same for packed calls, where this thread stages nothing. */
  private packedShare: number;
  private closed = false;
  /** Why the pool is no longer usable for packed calls: a worker did not answer in time, and may still write. */
  private broken: string | undefined;

  private constructor(threads: Thread[], minFrames: number, timeoutMs: number, spinMs: number) {
    this.threads = threads;
    this.workers = threads.length;
    this.minFrames = minFrames;
    this.timeoutMs = timeoutMs;
    this.spinMs = spinMs;
    // It also stages the workers' frames, so it starts with a little less than an equal share.
    this.share = 0.9 / (threads.length + 1);
    this.packedShare = 1 / (threads.length + 1);
  }

  /** Starts the workers and resolves once they are ready. */
  static async create(options: BurstPoolOptions = {}): Promise<BurstPool> {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new ConfigError('workers', 'an integer 1-64', describe(workers));
    const minFrames = options.minFrames ?? 2048;
    if (!Number.isInteger(minFrames) || minFrames < 2) throw new ConfigError('minFrames', 'an integer of at least 2', describe(minFrames));
    const spinMs = options.spinMs ?? 0.1;
    if (!(spinMs >= 0 && spinMs <= 1000)) throw new ConfigError('spinMs', '0-1000', describe(spinMs));
    const start = workerEntry();
    const threads = await Promise.all(
      Array.from({ length: workers }, async (): Promise<Thread> => {
        const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
        const { worker, port: port1 } = startWorker(start, { ctrl: ctrl.buffer, spinMs });
        try {
          await once(worker, 'message');
        } catch (e) {
          await worker.terminate();
          throw e;
        }
        // Idle workers block in Atomics.wait and must not keep the process alive.
        worker.unref();
        port1.unref();
        return { worker, port: port1, ctrl, seq: 0, expectsResult: false, stage: undefined, packed: undefined, setup: undefined };
      }),
    );
    return new BurstPool(threads, minFrames, options.timeoutMs ?? 10_000, spinMs);
  }

  /** Whether a burst of `frames` frames is split: the one place this is decided. */
  private splits(frames: number): boolean {
    return !this.closed && frames >= this.minFrames;
  }

  /**
   * Hands an installed SA's key to every worker, which makes its own context from it; the workers drop
   * theirs when `sa` is wiped. A closed pool takes nothing (its bursts run on this thread).
   */
  install(sa: SaContext, key: Omit<SaKey, 'suite'>): void {
    if (this.closed || sa.isWiped) return;
    if (this.saIds.has(sa)) this.drop(sa);
    const id = this.nextSaId++;
    this.saIds.set(sa, id);
    const message: ToWorker = { type: 'install', id, suite: sa.suite.name, backend: sa.backend, key: key.key, ssci: key.ssci, salt: key.salt };
    for (const t of this.threads) t.port.postMessage(message);
    sa.onWipe(() => this.drop(sa));
  }

  /** protectRange for frames first .. first + count - 1: here when small (or the pool is closed), else split. */
  protect(sa: SaContext, frames: readonly Uint8Array[], first: number, count: number, o: BurstProtectOptions, pnHigh: ArrayLike<number>, pnLow: ArrayLike<number>): Uint8Array[] {
    if (!this.splits(count)) return protectRange(sa, frames, first, count, o, pnHigh, pnLow);
    const id = this.saId(sa);
    const cuts = this.cut((i) => frames[i]!.length, first, count, this.share);
    this.threads.forEach((t, k) => {
      const from = cuts[k + 1]!, n = cuts[k + 2]! - from;
      const { stage, table } = this.stageFrames(t, frames, from, n, 0, (table, _bytes, row, i) => {
        table[row + T_PN_HIGH] = pnHigh[i]!;
        table[row + T_PN_LOW] = pnLow[i]!;
      });
      this.send(t, { type: 'job', sa: id, count: n, stage, table, protect: o }, [stage, table.buffer]);
    });
    let mine: Uint8Array[] = [];
    let failure: unknown;
    try {
      mine = protectRange(sa, frames, first, cuts[1]! - first, o, pnHigh, pnLow);
    } catch (e) {
      failure = e;
    }
    const out = new Array<Uint8Array>(count);
    for (let i = 0; i < mine.length; i++) out[i] = mine[i]!;
    this.collect(cuts, failure, (i, f) => {
      if (f === null) throw new Error('a burst worker returned no frame for a seal, which cannot fail');
      out[i] = f;
    });
    return out;
  }

  /** validateRange for frames first .. first + count - 1: here when small (or the pool is closed), else split. */
  validate(
    sa: SaContext,
    frames: readonly Uint8Array[],
    first: number,
    count: number,
    layouts: readonly BurstLayout[],
    scis: readonly Uint8Array[],
    pnHigh: ArrayLike<number>,
    o: BurstValidateOptions,
  ): (Uint8Array | null)[] {
    if (!this.splits(count)) return validateRange(sa, frames, first, count, layouts, scis, pnHigh, o);
    const id = this.saId(sa);
    const cuts = this.cut((i) => frames[i]!.length, first, count, this.share);
    this.threads.forEach((t, k) => {
      const from = cuts[k + 1]!, n = cuts[k + 2]! - from;
      const { stage, table } = this.stageFrames(t, frames, from, n, SCI_LENGTH, (table, bytes, row, i, at) => {
        const l = layouts[i]!;
        table[row + T_PN_HIGH] = pnHigh[i]!;
        table[row + T_PN_LOW] = l.secTag.pn;
        table[row + T_SECTAG_OFF] = l.secTagOffset;
        table[row + T_DATA_OFF] = l.secureDataOffset;
        table[row + T_DATA_LEN] = l.secureDataLength;
        table[row + T_ICV_OFF] = l.icvOffset;
        table[row + T_E] = l.secTag.tci.e ? 1 : 0;
        bytes.set(scis[i]!, at);
      });
      this.send(t, { type: 'job', sa: id, count: n, stage, table, validate: o }, [stage, table.buffer]);
    });
    let mine: (Uint8Array | null)[] = [];
    let failure: unknown;
    try {
      mine = validateRange(sa, frames, first, cuts[1]! - first, layouts, scis, pnHigh, o);
    } catch (e) {
      failure = e;
    }
    const out = new Array<Uint8Array | null>(count);
    for (let i = 0; i < mine.length; i++) out[i] = mine[i]!;
    this.collect(cuts, failure, (i, f) => (out[i] = f));
    return out;
  }

  /**
   * The SecY's packed kernel calls (SecY.transmitPacked/receivePacked on a SecY given this pool as its
   * executor): a call of at least `minFrames` frames is cut into slices, this thread running the first and
   * each worker one of the others, in place in the caller's buffers. Every array of the call (input and
   * output data, offsets, lengths, the outcome arrays) must be a view of a SharedArrayBuffer, whatever the
   * call's size: a ConfigError names the first that is not (the pool copies no frames).
   *
   * The kernels are stateless over a call (PNs counted up from the control's, lowestPN as the call
   * starts), so each frame's code, PN and octets are those of one call on this thread. Transmit: a slice
   * starts at the PN and output offset the frames before it leave, which gives the same offsets too (a
   * call that would run into PN exhaustion runs here). Receive: a slice writes from the output room the
   * frames before it reserve (their lengths + PACKED_ROOM), so frames may lie at other offsets than on one
   * thread (the same octets); the slices' frames are moved down to close the gaps only where the room
   * left would not hold what a later run or the general path may still write.
   */
  readonly packed: PackedExecutor = {
    check: (input, output, outcomes) => this.checkPacked(input, output, outcomes),
    protectPacked: (sa, o, input, output, outcomes, c) => this.splitProtect(sa, o, input, output, outcomes, c),
    validatePacked: (sa, o, input, output, outcomes, c) => this.splitValidate(sa, o, input, output, outcomes, c),
  };

  /** A packed call's arrays all shared, and the pool fit for it: a late worker may still write into the arrays of a call it did not finish. */
  private checkPacked(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
    if (this.broken !== undefined) throw new ConfigError('executor', 'a BurstPool whose workers answer', this.broken);
    checkShared(input, output, outcomes);
  }

  private splitProtect(sa: SaContext, o: PackedProtectOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedTransmitControl): void {
    this.checkPacked(input, output, outcomes);
    if (!this.splits(c.count)) return protectPacked(sa, o, input, output, outcomes, c);
    // Every frame takes at most one PN: when the call's count may pass the last PN, one thread finds where it stops.
    const [lastHi, lastLo] = addPn(c.nextPnHigh, c.nextPnLow, c.count - 1);
    if (lastHi > c.lastPnHigh || (lastHi === c.lastPnHigh && lastLo > c.lastPnLow)) return protectPacked(sa, o, input, output, outcomes, c);
    const lengths = input.lengths;
    const cuts = this.cutByCount(c.first, c.count, this.packedShare);
    // Each slice's output offset and first PN: the frames before it that fit take a PN and their MPDU's room.
    const secTagLen = secTagLength(o.includeSci);
    const starts: number[] = [c.outStart];
    const pns: number[] = [0];
    let at = c.outStart, taken = 0;
    for (let k = 1; k < cuts.length - 1; k++) {
      for (let i = cuts[k - 1]!; i < cuts[k]!; i++) {
        const mpdu = transmitLength(lengths[i]!, secTagLen, c.maxFrameSize);
        at += mpdu;
        if (mpdu !== 0) taken++;
      }
      starts.push(at);
      pns.push(taken);
    }
    // Slice k's control: its frames, output offset and first PN (slice 0's are the call's).
    const slice = (k: number): PackedTransmitControl => {
      const [hi, lo] = addPn(c.nextPnHigh, c.nextPnLow, pns[k]!);
      return { ...c, first: cuts[k]!, count: cuts[k + 1]! - cuts[k]!, outStart: starts[k]!, nextPnHigh: hi, nextPnLow: lo, outEnd: 0, pnsUsed: 0 };
    };
    const ends = starts.slice();
    let done = 0;
    this.runPacked(
      sa, input, output, outcomes, cuts, starts, ends, { protect: o },
      (k, w) => {
        const t = slice(k);
        w[C_PN_HIGH] = t.nextPnHigh;
        w[C_PN_LOW] = t.nextPnLow;
        w[C_LAST_PN_HIGH] = c.lastPnHigh;
        w[C_LAST_PN_LOW] = c.lastPnLow;
        w[C_MAX_FRAME] = c.maxFrameSize;
      },
      (k) => {
        const t = slice(k);
        protectPacked(sa, o, input, output, outcomes, t);
        ends[k] = t.outEnd;
        done += t.pnsUsed;
      },
      (w) => (done += w[C_DONE_COUNT]! >>> 0),
    );
    // The slices lie back to back (each MPDU's length is known before sealing): the call ends where the last one does.
    c.outEnd = ends[ends.length - 1]!;
    c.pnsUsed = done;
  }

  private splitValidate(sa: SaContext, o: PackedValidateOptions, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, c: PackedReceiveControl): void {
    this.checkPacked(input, output, outcomes);
    if (!this.splits(c.count)) return validatePacked(sa, o, input, output, outcomes, c);
    const lengths = input.lengths;
    const cuts = this.cutByCount(c.first, c.count, this.packedShare);
    // Each slice writes from the room the frames before it reserve, as much as one call would ask of output.data
    // (undecidedOnly: the frames an earlier run decided reserve none).
    const codes = outcomes.codes;
    const undecided = o.undecidedOnly === true;
    const starts: number[] = [c.outStart];
    let at = c.outStart;
    for (let k = 1; k < cuts.length - 1; k++) {
      for (let i = cuts[k - 1]!; i < cuts[k]!; i++) if (!undecided || codes[i] === PackedCode.None) at += lengths[i]! + PACKED_ROOM;
      starts.push(at);
    }
    const ends = starts.slice();
    let handled = 0, octetsValidated = 0, octetsDecrypted = 0;
    this.runPacked(
      sa, input, output, outcomes, cuts, starts, ends, { validate: o },
      (_, w) => {
        w[C_PN_HIGH] = c.lowestPnHigh;
        w[C_PN_LOW] = c.lowestPnLow;
      },
      (k) => {
        const r: PackedReceiveControl = { ...c, first: cuts[k]!, count: cuts[k + 1]! - cuts[k]!, outStart: starts[k]!, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
        validatePacked(sa, o, input, output, outcomes, r);
        ends[k] = r.outEnd;
        handled += r.handled;
        octetsValidated += r.octetsValidated;
        octetsDecrypted += r.octetsDecrypted;
      },
      (w) => {
        handled += w[C_DONE_COUNT]! >>> 0;
        octetsValidated += (w[C_VALIDATED_HI]! >>> 0) * TWO_32 + (w[C_VALIDATED_LO]! >>> 0);
        octetsDecrypted += (w[C_DECRYPTED_HI]! >>> 0) * TWO_32 + (w[C_DECRYPTED_LO]! >>> 0);
      },
    );
    c.octetsValidated = octetsValidated;
    c.octetsDecrypted = octetsDecrypted;
    // The slices leave gaps (room reserved, not used). Where what may still be written after this call (the
    // frames left undecided, by a later run or the general path) would not fit after the last slice, each
    // slice's frames move down to follow the slice before: one thread's layout, no gaps. A frame a slice
    // visited has its offset at or past the slice's start; one an earlier run decided lies below c.outStart.
    let after = 0;
    // (A first run that decided every frame leaves none.)
    if (undecided || handled !== c.count) for (let i = c.first; i < c.first + c.count; i++) if (codes[i] === PackedCode.None) after += lengths[i]! + PACKED_ROOM;
    const last = Math.max(...ends);
    if (last + after <= output.data.length) {
      c.outEnd = last;
      c.handled = handled;
      return;
    }
    let end = ends[0]!;
    for (let k = 1; k < starts.length; k++) {
      const from = starts[k]!;
      const shift = from - end;
      if (shift > 0) {
        output.data.copyWithin(end, from, ends[k]);
        for (let i = cuts[k]!; i < cuts[k + 1]!; i++) if (output.offsets[i]! >= from) output.offsets[i]! -= shift;
      }
      end += ends[k]! - from;
    }
    c.outEnd = end;
    c.handled = handled;
  }

  /**
   * Runs slice k + 1 of a packed call on worker k and slice 0 here (`run(0)`), waits for every worker, adapts
   * the share, and throws the first failure. Slice k is frames cuts[k] .. cuts[k + 1] - 1, its output from
   * starts[k]; a worker's slice's end goes to ends[k + 1]. `control(k, words)` writes the rest of slice k's
   * control into a worker's control block; `done(words)` reads the rest of its results. Empty slices are not
   * sent. A worker that has not started its slice when this thread is done with its own (a sleeping vCPU can
   * take milliseconds to wake) does not get it: this thread claims it first and runs it (`run(k + 1)`).
   */
  private runPacked(
    sa: SaContext,
    input: PackedFrames,
    output: PackedFrames,
    outcomes: PackedOutcomes,
    cuts: readonly number[],
    starts: readonly number[],
    ends: number[],
    setup: PackedSetup,
    control: (slice: number, words: Int32Array) => void,
    run: (slice: number) => void,
    done: (words: Int32Array) => void,
  ): void {
    const id = this.saId(sa);
    // A worker woken before a later one's setup failed still runs its slice: every woken one is waited for.
    const sent = this.threads.map(() => false);
    let failure: unknown;
    try {
      this.threads.forEach((t, k) => {
        if (cuts[k + 2]! === cuts[k + 1]!) return;
        this.setUp(t, input, output, outcomes, setup);
        const w = t.ctrl;
        w[C_SA] = id;
        w[C_FIRST] = cuts[k + 1]!;
        w[C_COUNT] = cuts[k + 2]! - cuts[k + 1]!;
        w[C_OUT_START] = starts[k + 1]!;
        control(k + 1, w);
        this.wake(t, setup.protect !== undefined ? JOB_TRANSMIT : JOB_RECEIVE);
        sent[k] = true;
      });
      run(0);
    } catch (e) {
      failure = e;
    }
    let early = false;
    this.threads.forEach((t, k) => {
      if (!sent[k]) return;
      try {
        if (failure === undefined && Atomics.compareExchange(t.ctrl, C_CLAIM, t.seq, 0) === t.seq) {
          // The worker will find its slice taken and only say it is done: not waited for.
          run(k + 1);
          return;
        }
        early ||= Atomics.load(t.ctrl, C_DONE) === t.seq;
        this.finish(t);
        ends[k + 1] = t.ctrl[C_OUT_END]! >>> 0;
        done(t.ctrl);
      } catch (e) {
        failure ??= e;
      }
    });
    if (failure !== undefined) throw failure;
    this.packedShare = Math.min(MAX_SHARE, Math.max(MIN_SHARE, this.packedShare + (early ? -SHARE_STEP : SHARE_STEP)));
  }

  /**
   * Posts worker t the call's arrays and options where they are not those of its last packed job; what it
   * keeps is recorded once the post went (a post can fail: options the structured clone refuses).
   */
  private setUp(t: Thread, input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, setup: PackedSetup): void {
    const last = t.packed;
    const same =
      last !== undefined && last.input.data === input.data && last.input.offsets === input.offsets && last.input.lengths === input.lengths &&
      last.output.data === output.data && last.output.offsets === output.offsets && last.output.lengths === output.lengths &&
      last.outcomes.codes === outcomes.codes && last.outcomes.pnHigh === outcomes.pnHigh && last.outcomes.pnLow === outcomes.pnLow;
    if (same && sameSetup(t.setup, setup)) return;
    const buffers: PackedBuffers | undefined = same
      ? undefined
      : {
          input: { data: input.data, offsets: input.offsets, lengths: input.lengths, count: 0 },
          output: { data: output.data, offsets: output.offsets, lengths: output.lengths, count: 0 },
          outcomes: { codes: outcomes.codes, pnHigh: outcomes.pnHigh, pnLow: outcomes.pnLow },
        };
    const options = copyOptions(setup.protect ?? setup.validate);
    t.port.postMessage({ type: 'packed-setup', buffers, ...setup } satisfies ToWorker);
    t.packed = buffers ?? last;
    t.setup = { transmit: setup.protect !== undefined, options };
  }

  /** Stops the workers (after any job in progress). The SA contexts they held are wiped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.broken !== undefined) {
      // A worker was stopped for not answering: the others are stopped the same way (their contexts die with them).
      await Promise.all(this.threads.map((t) => t.worker.terminate()));
      return;
    }
    for (const t of this.threads) this.send(t, { type: 'stop' });
    await Promise.all(
      this.threads.map(async (t) => {
        t.worker.ref();
        const exited = once(t.worker, 'exit');
        this.finish(t);
        await exited;
      }),
    );
  }

  /** The SA's id in the workers. */
  private saId(sa: SaContext): number {
    const id = this.saIds.get(sa);
    if (id !== undefined) return id;
    if (sa.isWiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    throw new ConfigError('sa', 'an SA installed in this pool (BurstPool.install, or a SecY given the pool as its executor)', 'an SA it was never given');
  }

  /** The workers forget the SA: woken now, so their copies of the key go with it rather than at the next burst. */
  private drop(sa: SaContext): void {
    const id = this.saIds.get(sa);
    this.saIds.delete(sa);
    if (id === undefined || this.closed) return;
    for (const t of this.threads) this.send(t, { type: 'drop', id });
    for (const t of this.threads) this.finish(t);
  }

  /**
   * Cut points of frames first .. first + count - 1: this thread takes frames [cuts[0], cuts[1]), worker t
   * [cuts[t + 1], cuts[t + 2]). The share of work is in octets plus a fixed cost per frame.
   */
  private cut(length: (frame: number) => number, first: number, count: number, share: number): number[] {
    const n = first + count;
    let total = 0;
    for (let i = first; i < n; i++) total += length(i) + FRAME_WEIGHT;
    const workers = this.threads.length;
    const cuts = [first];
    let goal = total * share;
    let acc = 0;
    for (let i = first; i < n && cuts.length <= workers; i++) {
      acc += length(i) + FRAME_WEIGHT;
      if (acc >= goal) {
        cuts.push(i + 1);
        goal += (total * (1 - share)) / workers;
      }
    }
    while (cuts.length <= workers + 1) cuts.push(n);
    cuts[cuts.length - 1] = n;
    return cuts;
  }

  /**
   * The same cut by frame count, with no pass over the frames (a packed call's serial part): the share,
   * adapted call by call, absorbs the frames' sizes.
   */
  private cutByCount(first: number, count: number, share: number): number[] {
    const workers = this.threads.length;
    const cuts = [first];
    for (let k = 0; k < workers; k++) cuts.push(first + Math.round(count * (share + ((1 - share) * k) / workers)));
    cuts.push(first + count);
    return cuts;
  }

  /**
   * Copies frames first .. first + count - 1 into the worker's staging buffer (each followed by `extra`
   * octets for `row` to fill) with a table row each (row index = frame index - first).
   */
  private stageFrames(
    t: Thread,
    frames: readonly Uint8Array[],
    first: number,
    count: number,
    extra: number,
    row: (table: Int32Array, bytes: Uint8Array, row: number, frame: number, extraAt: number) => void,
  ): Staged {
    let octets = 0;
    for (let i = first; i < first + count; i++) octets += frames[i]!.length + extra;
    // The buffer the worker handed back, unless it is too small; grown geometrically.
    const stage = t.stage !== undefined && t.stage.byteLength >= octets ? t.stage : new ArrayBuffer(Math.max(octets, 2 * (t.stage?.byteLength ?? 0)));
    t.stage = undefined;
    const bytes = new Uint8Array(stage);
    const table = new Int32Array(count * TABLE_WORDS);
    let at = 0;
    for (let i = first; i < first + count; i++) {
      const f = frames[i]!;
      const r = (i - first) * TABLE_WORDS;
      bytes.set(f, at);
      table[r + T_IN_OFF] = at;
      table[r + T_IN_LEN] = f.length;
      row(table, bytes, r, i, at + f.length);
      at += f.length + extra;
    }
    return { stage, bytes, table };
  }

  /**
   * Waits for every worker (even after a failure here, so none is still working when this returns),
   * hands each worker frame to `put` by its index in the burst (from cuts[0]), adapts the share, and throws the first failure.
   */
  private collect(cuts: readonly number[], failure: unknown, put: (frame: number, f: Uint8Array | null) => void): void {
    // A worker already done when this thread finished its own slice had too little to do.
    const early = this.threads.some((t) => Atomics.load(t.ctrl, C_DONE) === t.seq);
    for (let t = 0; t < this.threads.length; t++) {
      try {
        const r = this.finish(this.threads[t]!);
        if (r === undefined) continue;
        this.threads[t]!.stage = r.stage;
        const buffer = r.buffer;
        for (let i = 0; i < r.lengths.length; i++) {
          const len = r.lengths[i]!;
          put(cuts[t + 1]! - cuts[0]! + i, len < 0 || buffer === undefined ? null : new Uint8Array(buffer, r.offsets[i], len));
        }
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
    this.share = Math.min(MAX_SHARE, Math.max(MIN_SHARE, this.share + (early ? -SHARE_STEP : SHARE_STEP)));
  }

  /** Posts `m` to the worker and wakes it. */
  private send(t: Thread, m: ToWorker, transfer: ArrayBuffer[] = []): void {
    t.port.postMessage(m, transfer);
    this.wake(t, JOB_NONE);
    t.expectsResult = m.type === 'job';
  }

  /** Wakes the worker for its messages and `job` (JOB_*: a packed job's words are in its control block). */
  private wake(t: Thread, job: number): void {
    t.expectsResult = false;
    t.ctrl[C_JOB] = job;
    // As the worker reads it: an int32, never 0 (C_CLAIM's "none open").
    t.seq = (t.seq + 1) | 0 || 1;
    // A packed job is open to be claimed, by the worker or by this thread, once all its words are written.
    Atomics.store(t.ctrl, C_CLAIM, job === JOB_NONE ? 0 : t.seq);
    Atomics.store(t.ctrl, C_SEQ, t.seq);
    Atomics.notify(t.ctrl, C_SEQ);
  }

  /** Waits for the worker's job; returns its result (jobs), throws its error. */
  private finish(t: Thread): ResultMessage | undefined {
    const c = t.ctrl;
    const spinUntil = performance.now() + this.spinMs;
    while (Atomics.load(c, C_DONE) !== t.seq && performance.now() < spinUntil);
    const deadline = Date.now() + this.timeoutMs;
    for (let done = Atomics.load(c, C_DONE); done !== t.seq; done = Atomics.load(c, C_DONE)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        // The worker may still be writing (a packed job writes in place): stop it, and refuse packed calls from now on.
        this.broken = `worker ${t.worker.threadId} did not answer within ${this.timeoutMs} ms`;
        void t.worker.terminate();
        throw new Error(`burst ${this.broken}`);
      }
      Atomics.wait(c, C_DONE, done, left);
    }
    if (c[C_STATUS] === 0 && !t.expectsResult) return undefined;
    const m = receiveMessageOnPort(t.port)?.message as FromWorker | undefined;
    if (c[C_STATUS] !== 0 || m?.type !== 'result') {
      throw new Error(`burst worker ${t.worker.threadId}: ${m?.type === 'error' ? m.message : 'no result'}`);
    }
    return m;
  }
}
