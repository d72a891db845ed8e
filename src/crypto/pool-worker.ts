/**
 * A burst worker thread (see pool.ts): holds its own SA contexts, made from the SAKs the main thread
 * sends, and protects or validates the slice of each burst it is given into a buffer of its own, which
 * it transfers back.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { protectRange, validateRange, type BurstLayout } from './burst.js';
import { TWO_32, protectPacked, validatePacked, type PackedProtectOptions, type PackedReceiveControl, type PackedTransmitControl, type PackedValidateOptions } from './packed.js';
import {
  C_CLAIM, C_COUNT, C_DECRYPTED_HI, C_DECRYPTED_LO, C_DONE, C_DONE_COUNT, C_FIRST, C_JOB, C_LAST_PN_HIGH, C_LAST_PN_LOW, C_MAX_FRAME, C_OUT_END, C_OUT_START, C_PN_HIGH, C_PN_LOW, C_SA, C_SEQ, C_STATUS, C_VALIDATED_HI, C_VALIDATED_LO,
  JOB_NONE, JOB_RECEIVE, JOB_TRANSMIT, T_DATA_LEN, T_DATA_OFF, T_E, T_ICV_OFF, T_IN_LEN, T_IN_OFF, T_PN_HIGH, T_PN_LOW, T_SECTAG_OFF, TABLE_WORDS,
  type FromWorker, type JobMessage, type PackedBuffers, type ToWorker,
} from './pool-protocol.js';
import { useNodeBackends } from './node-backends.js';
import { SaContext } from './sa.js';
import { CIPHER_SUITES } from './suite.js';
import { SCI_LENGTH } from '../wire/sectag.js';

interface WorkerData {
  readonly ctrl: SharedArrayBuffer;
  readonly port: MessagePort;
  /** How long to poll for the next job before sleeping, in ms. */
  readonly spinMs: number;
}

// A thread starts with an empty backend registry: the SAs sent here may name node or native.
useNodeBackends();

const { ctrl: ctrlBuffer, port, spinMs } = workerData as WorkerData;
const ctrl = new Int32Array(ctrlBuffer);
const sas = new Map<number, SaContext>();

function run(job: JobMessage): void {
  const sa = sas.get(job.sa);
  if (sa === undefined) throw new Error(`burst worker: no SA ${job.sa}`);
  const { count, table } = job;
  const stage = new Uint8Array(job.stage);
  const frames = new Array<Uint8Array>(count);
  const pnHigh = new Uint32Array(count);
  const pnLow = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const r = i * TABLE_WORDS;
    frames[i] = stage.subarray(table[r + T_IN_OFF], table[r + T_IN_OFF]! + table[r + T_IN_LEN]!);
    pnHigh[i] = table[r + T_PN_HIGH]!;
    pnLow[i] = table[r + T_PN_LOW]!;
  }
  let out: (Uint8Array | null)[];
  if (job.protect !== undefined) {
    out = protectRange(sa, frames, 0, count, job.protect, pnHigh, pnLow);
  } else if (job.validate !== undefined) {
    const layouts = new Array<BurstLayout>(count);
    const scis = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) {
      const r = i * TABLE_WORDS;
      layouts[i] = {
        secTagOffset: table[r + T_SECTAG_OFF]!,
        secureDataOffset: table[r + T_DATA_OFF]!,
        secureDataLength: table[r + T_DATA_LEN]!,
        icvOffset: table[r + T_ICV_OFF]!,
        secTag: { tci: { e: table[r + T_E] === 1 }, pn: pnLow[i]! },
      };
      const sci = table[r + T_IN_OFF]! + table[r + T_IN_LEN]!;
      scis[i] = stage.subarray(sci, sci + SCI_LENGTH);
    }
    out = validateRange(sa, frames, 0, count, layouts, scis, pnHigh, job.validate);
  } else {
    throw new Error('burst worker: a job without options');
  }
  const offsets = new Int32Array(count);
  const lengths = new Int32Array(count);
  let buffer: ArrayBuffer | undefined;
  for (let i = 0; i < count; i++) {
    const f = out[i];
    if (!f) {
      lengths[i] = -1;
      continue;
    }
    buffer = f.buffer as ArrayBuffer;
    offsets[i] = f.byteOffset;
    lengths[i] = f.length;
  }
  const result: FromWorker = { type: 'result', buffer, offsets, lengths, stage: job.stage };
  const transfer = [job.stage, offsets.buffer, lengths.buffer];
  port.postMessage(result, buffer === undefined ? transfer : [buffer, ...transfer]);
}

/** The shared arrays and options of the packed jobs, as the last setup gave them. */
let packed: PackedBuffers | undefined;
let protect: PackedProtectOptions | undefined;
let validate: PackedValidateOptions | undefined;
const tx: PackedTransmitControl = { first: 0, count: 0, outStart: 0, nextPnHigh: 0, nextPnLow: 0, lastPnHigh: 0, lastPnLow: 0, maxFrameSize: 0, outEnd: 0, pnsUsed: 0 };
const rx: PackedReceiveControl = { first: 0, count: 0, outStart: 0, lowestPnHigh: 0, lowestPnLow: 0, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };

/** The slice's frames and where its output starts, from the control block. */
function slice(c: { first: number; count: number; outStart: number }): void {
  c.first = ctrl[C_FIRST]! >>> 0;
  c.count = ctrl[C_COUNT]! >>> 0;
  c.outStart = ctrl[C_OUT_START]! >>> 0;
}

/** A slice of a packed call (its control in the control block), in place in the caller's shared buffers; its results into the control block. */
function runPacked(job: number): void {
  if (packed === undefined) throw new Error('burst worker: a packed job without its buffers');
  const sa = sas.get(ctrl[C_SA]!);
  if (sa === undefined) throw new Error(`burst worker: no SA ${ctrl[C_SA]}`);
  const { input, output, outcomes } = packed;
  if (job === JOB_TRANSMIT && protect !== undefined) {
    slice(tx);
    tx.nextPnHigh = ctrl[C_PN_HIGH]! >>> 0;
    tx.nextPnLow = ctrl[C_PN_LOW]! >>> 0;
    tx.lastPnHigh = ctrl[C_LAST_PN_HIGH]! >>> 0;
    tx.lastPnLow = ctrl[C_LAST_PN_LOW]! >>> 0;
    tx.maxFrameSize = ctrl[C_MAX_FRAME]! >>> 0;
    protectPacked(sa, protect, input, output, outcomes, tx);
    ctrl[C_OUT_END] = tx.outEnd;
    ctrl[C_DONE_COUNT] = tx.pnsUsed;
  } else if (job === JOB_RECEIVE && validate !== undefined) {
    slice(rx);
    rx.lowestPnHigh = ctrl[C_PN_HIGH]! >>> 0;
    rx.lowestPnLow = ctrl[C_PN_LOW]! >>> 0;
    validatePacked(sa, validate, input, output, outcomes, rx);
    ctrl[C_OUT_END] = rx.outEnd;
    ctrl[C_DONE_COUNT] = rx.handled;
    ctrl[C_VALIDATED_HI] = rx.octetsValidated / TWO_32;
    ctrl[C_VALIDATED_LO] = rx.octetsValidated;
    ctrl[C_DECRYPTED_HI] = rx.octetsDecrypted / TWO_32;
    ctrl[C_DECRYPTED_LO] = rx.octetsDecrypted;
  } else {
    throw new Error('burst worker: a packed job without its options');
  }
}

/** Handles the messages that came with this wake-up; false after a stop. */
function handleMessages(): boolean {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const message = m.message as ToWorker;
    switch (message.type) {
      case 'install':
        sas.get(message.id)?.wipe();
        sas.set(message.id, new SaContext({ suite: CIPHER_SUITES[message.suite], key: message.key, ssci: message.ssci, salt: message.salt }, message.backend));
        message.key.fill(0);
        break;
      case 'drop':
        sas.get(message.id)?.wipe();
        sas.delete(message.id);
        break;
      case 'job':
        run(message);
        break;
      case 'packed-setup':
        packed = message.buffers ?? packed;
        protect = message.protect;
        validate = message.validate;
        break;
      case 'stop':
        return false;
    }
  }
  return true;
}

parentPort?.postMessage('ready');
let seq = 0;
let running = true;
while (running) {
  // Bursts come back to back: spinning a little before sleeping saves the wake-up, which on a virtual
  // machine whose idle CPU is halted costs from tens of microseconds to milliseconds.
  const spinUntil = performance.now() + spinMs;
  while (Atomics.load(ctrl, C_SEQ) === seq && performance.now() < spinUntil);
  Atomics.wait(ctrl, C_SEQ, seq);
  seq = Atomics.load(ctrl, C_SEQ);
  let status = 0;
  try {
    running = handleMessages();
    const job = ctrl[C_JOB]!;
    if (running && job !== JOB_NONE && Atomics.compareExchange(ctrl, C_CLAIM, seq, 0) === seq) runPacked(job);
  } catch (e) {
    status = 1;
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies FromWorker);
  }
  ctrl[C_STATUS] = status;
  Atomics.store(ctrl, C_DONE, seq);
  Atomics.notify(ctrl, C_DONE);
}
for (const sa of sas.values()) sa.wipe();
port.close();
