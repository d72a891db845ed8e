/**
 * How the main thread and a burst worker talk. Each worker has a control block of a few words on a
 * SharedArrayBuffer: the main thread posts any messages, writes the job's words, bumps SEQ and notifies;
 * the worker reads its messages synchronously (`receiveMessageOnPort`), does the job, sets DONE = SEQ and
 * notifies back. Both threads block in Atomics.wait rather than in their event loops.
 *
 * A burst job's frames travel in an ordinary ArrayBuffer that is transferred, not shared: V8 copies into
 * and out of SharedArrayBuffers with relaxed atomic copies, several times slower than memcpy, and the
 * staging copy is the one part of a split burst the main thread cannot hand off. The worker returns the
 * buffer with its result, for the next job.
 *
 * Packed jobs (the SecY's packed calls) are the exception: their frames and outcomes are already in
 * SharedArrayBuffers the caller owns, which the worker reads and writes in place. Such a job is words in
 * the control block (its slice's control in, its results out); its arrays and options come in a
 * `packed-setup` message only when they differ from the last job's, so a run of calls posts nothing and
 * clones nothing.
 */
import type { BackendName } from './backend.js';
import type { BurstProtectOptions, BurstValidateOptions } from './burst.js';
import type { CipherSuiteName } from './suite.js';
import type { PackedOutcomes, PackedProtectOptions, PackedValidateOptions } from './packed.js';
import type { PackedFrames } from '../wire/packed.js';

/** Control block words. */
export const C_SEQ = 0;
export const C_DONE = 1;
/** 0 when the job ran (a ResultMessage follows for protect/validate); 1 when it threw (an ErrorMessage). */
export const C_STATUS = 2;
/** After a packed job: its control's outEnd, and pnsUsed (transmit) or handled (receive), as uint32 bits. */
export const C_OUT_END = 3;
export const C_DONE_COUNT = 4;
/** What the wake-up asks for besides its messages (JOB_*). */
export const C_JOB = 5;
/** A packed job: the SA's id in the worker, then its slice's control (uint32 bits). */
export const C_SA = 6;
export const C_FIRST = 7;
export const C_COUNT = 8;
export const C_OUT_START = 9;
/** Transmit: nextPN; receive: lowestPN. */
export const C_PN_HIGH = 10;
export const C_PN_LOW = 11;
/** Transmit only: the last PN the SA may use, and maxFrameSize. */
export const C_LAST_PN_HIGH = 12;
export const C_LAST_PN_LOW = 13;
export const C_MAX_FRAME = 14;
/** After a packed receive job: its control's octetsValidated and octetsDecrypted, as 64-bit halves. */
export const C_VALIDATED_HI = 15;
export const C_VALIDATED_LO = 16;
export const C_DECRYPTED_HI = 17;
export const C_DECRYPTED_LO = 18;
/**
 * A packed job's claim: its SEQ while open, 0 once taken. The worker takes it (compare-exchange) before
 * running its slice; the main thread, done with its own slice, takes it if the worker has not, and runs the
 * slice itself. A worker that wakes late for a job already taken only says it is done.
 */
export const C_CLAIM = 19;
export const CTRL_WORDS = 20;

/** C_JOB: messages only; a packed transmit slice; a packed receive slice (over the last packed setup). */
export const JOB_NONE = 0;
export const JOB_TRANSMIT = 1;
export const JOB_RECEIVE = 2;

/** Staging table: words per frame. Protect uses the first four, validate all. */
export const TABLE_WORDS = 9;
/** Where the frame's octets are in the staging buffer; on validate its 8-octet SCI follows them. */
export const T_IN_OFF = 0;
export const T_IN_LEN = 1;
export const T_PN_HIGH = 2;
/** The PN's low half; on validate the SecTAG's PN. */
export const T_PN_LOW = 3;
/** Validate: the frame's layout (BurstLayout); T_E is 1 when the E bit is set. */
export const T_SECTAG_OFF = 4;
export const T_DATA_OFF = 5;
export const T_DATA_LEN = 6;
export const T_ICV_OFF = 7;
export const T_E = 8;

/** Main → worker: make a context for an SA. */
export interface InstallMessage {
  readonly type: 'install';
  readonly id: number;
  readonly suite: CipherSuiteName;
  readonly backend: BackendName;
  readonly key: Uint8Array;
  readonly ssci: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
}

/** Main → worker: forget an SA (it was wiped). */
export interface DropMessage {
  readonly type: 'drop';
  readonly id: number;
}

/** Main → worker: protect or validate `count` frames staged in `stage` as `table` describes. */
export interface JobMessage {
  readonly type: 'job';
  readonly sa: number;
  readonly count: number;
  readonly stage: ArrayBuffer;
  readonly table: Int32Array;
  readonly protect?: BurstProtectOptions;
  readonly validate?: BurstValidateOptions;
}

/** The arrays of a packed call, all over SharedArrayBuffers (the worker reads and writes them in place). */
export interface PackedBuffers {
  readonly input: PackedFrames;
  readonly output: PackedFrames;
  readonly outcomes: PackedOutcomes;
}

/**
 * Main → worker: the arrays and options of the packed jobs that follow (until the next setup). Sent only
 * when they differ from the last job's; `buffers` left out when only the options changed.
 */
export interface PackedSetupMessage {
  readonly type: 'packed-setup';
  readonly buffers: PackedBuffers | undefined;
  readonly protect?: PackedProtectOptions;
  readonly validate?: PackedValidateOptions;
}

/** Main → worker: leave the loop. */
export interface StopMessage {
  readonly type: 'stop';
}

export type ToWorker = InstallMessage | DropMessage | JobMessage | PackedSetupMessage | StopMessage;

/**
 * Worker → main: the job's frames, in a buffer of the worker's, transferred: frame i is
 * buffer[offsets[i], offsets[i] + lengths[i]), or null when lengths[i] is -1 (ICV did not verify).
 * `stage` is the job's staging buffer, handed back for the next job.
 */
export interface ResultMessage {
  readonly type: 'result';
  readonly buffer: ArrayBuffer | undefined;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  readonly stage: ArrayBuffer;
}

/** Worker → main: why the last job failed. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

export type FromWorker = ResultMessage | ErrorMessage;
