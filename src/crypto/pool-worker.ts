/**
 * A burst worker thread (see pool.ts): holds its own SA contexts, made from the SAKs the main thread
 * sends, and protects or validates the slice of each burst it is given into a buffer of its own, which
 * it transfers back.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { protectRange, validateRange, type BurstLayout } from './burst.js';
import { protectPacked, validatePacked } from './packed.js';
import {
  C_DONE, C_DONE_COUNT, C_OUT_END, C_SEQ, C_STATUS, T_DATA_LEN, T_DATA_OFF, T_E, T_ICV_OFF, T_IN_LEN, T_IN_OFF, T_PN_HIGH, T_PN_LOW, T_SECTAG_OFF, TABLE_WORDS,
  type FromWorker, type JobMessage, type PackedBuffers, type PackedJobMessage, type ToWorker,
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

/** The shared arrays of the last packed job: sent again only when the caller's change. */
let packed: PackedBuffers | undefined;

/** A slice of a packed call, in place in the caller's shared buffers; its control results into the control block. */
function runPacked(job: PackedJobMessage): void {
  packed = job.buffers ?? packed;
  if (packed === undefined) throw new Error('burst worker: a packed job without its buffers');
  const sa = sas.get(job.sa);
  if (sa === undefined) throw new Error(`burst worker: no SA ${job.sa}`);
  const { input, output, outcomes } = packed;
  if (job.protect !== undefined && job.transmit !== undefined) {
    protectPacked(sa, job.protect, input, output, outcomes, job.transmit);
    ctrl[C_OUT_END] = job.transmit.outEnd;
    ctrl[C_DONE_COUNT] = job.transmit.pnsUsed;
  } else if (job.validate !== undefined && job.receive !== undefined) {
    validatePacked(sa, job.validate, input, output, outcomes, job.receive);
    ctrl[C_OUT_END] = job.receive.outEnd;
    ctrl[C_DONE_COUNT] = job.receive.handled;
  } else {
    throw new Error('burst worker: a packed job without options');
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
      case 'packed':
        runPacked(message);
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
