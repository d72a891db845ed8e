#!/usr/bin/env node
/**
 * `npm run fuzz` (node dist/src/fuzz/main.js): the hostile-frame harness with its figures.
 *
 *   node dist/src/fuzz/main.js [--frames N] [--seconds S] [--seed X] [--backend noble|node] [--json]
 *
 * The harness runs in a worker thread while this thread keeps a watchdog on its heartbeat: a frame that
 * never returns (a hang inside the parser or the SecY) cannot report itself, so it is caught here, named by
 * its index (the same seed reproduces it) and the run fails. Exit status: 0 no violation, 1 any violation
 * (an exception, a hang, a counter out of balance, a forged frame accepted, a replay rule broken, memory
 * growth), 2 bad usage. Run with `node --expose-gc` for exact heap figures (a gc before each sample).
 */
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isBackendName } from '../crypto/backend.js';
import { useNodeBackends } from '../crypto/node-backends.js';
import { formatReport, runFuzz, type FuzzOptions, type FuzzReport } from './harness.js';
import { watchHeartbeat } from './watchdog.js';

// Main thread and worker alike: --backend may name node or native.
useNodeBackends();

const USAGE = `usage: node dist/src/fuzz/main.js [--frames N] [--seconds S] [--seed X] [--backend noble|node] [--frame-ms MS] [--heap-mb MB] [--hang-seconds S] [--json]

  --frames N        frames to try (default 1000000)
  --seconds S       stop after S seconds even if frames are left (default 600)
  --seed X          seed, 0-4294967295 (default 1): the same seed and --frames give the same frames
  --backend NAME    crypto backend (default noble)
  --frame-ms MS     a frame taking longer is a violation (default 1000)
  --heap-mb MB      largest heap growth after warm-up (default 64)
  --hang-seconds S  no frame finished for S seconds: a hang (default 30)
  --json            print the report as JSON`;

interface WorkerInput {
  readonly options: Omit<FuzzOptions, 'heartbeat' | 'onProgress'>;
  readonly heartbeat: Int32Array;
}

type WorkerMessage = { readonly type: 'progress'; readonly done: number } | { readonly type: 'report'; readonly report: FuzzReport };

class UsageError extends Error {}

function number(name: string, text: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  return n;
}

function parse(argv: string[]): { options: WorkerInput['options']; json: boolean; hangSeconds: number } | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        frames: { type: 'string' },
        seconds: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        'frame-ms': { type: 'string' },
        'heap-mb': { type: 'string' },
        'hang-seconds': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (values['help']) return 'help';
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const backend = str('backend') ?? 'noble';
  if (!isBackendName(backend)) throw new UsageError(`--backend: expected noble, node or native (when built), got ${JSON.stringify(backend)}`);
  const positiveInt = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
  return {
    options: {
      frames: number('frames', str('frames'), 1_000_000, positiveInt, 'a whole number of frames above 0'),
      seconds: number('seconds', str('seconds'), 600, (n) => n > 0, 'a number of seconds above 0'),
      seed: number('seed', str('seed'), 1, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, 'an integer 0-4294967295'),
      backend,
      frameTimeoutMs: number('frame-ms', str('frame-ms'), 1000, (n) => n > 0, 'milliseconds above 0'),
      heapGrowthMiB: number('heap-mb', str('heap-mb'), 64, (n) => n > 0, 'MiB above 0'),
    },
    json: values['json'] === true,
    hangSeconds: number('hang-seconds', str('hang-seconds'), 30, (n) => n > 0, 'seconds above 0'),
  };
}

function runWorker(port: MessagePort): void {
  const input = workerData as WorkerInput;
  const report = runFuzz({
    ...input.options,
    heartbeat: input.heartbeat,
    onProgress: (done) => port.postMessage({ type: 'progress', done } satisfies WorkerMessage),
  });
  port.postMessage({ type: 'report', report } satisfies WorkerMessage);
}

function runMain(): void {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n${USAGE.split('\n')[0]}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { options, json, hangSeconds } = parsed;
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { options, heartbeat } satisfies WorkerInput });
  const tty = process.stderr.isTTY === true;
  let finished = false;
  const stopWatchdog = watchHeartbeat(heartbeat, hangSeconds * 1000, (done) => {
    finished = true;
    process.stderr.write(
      `${tty ? '\r\x1b[K' : ''}fuzz: HANG: frame ${done} has not finished after ${hangSeconds} s ` +
        `(reproduce: --seed ${options.seed} --frames ${done + 1})\n`,
    );
    process.exitCode = 1;
    void worker.terminate();
  });
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'progress') {
      if (tty && !json) process.stderr.write(`\rfuzz: ${(m.done * 100).toFixed(0).padStart(3)}% (${Atomics.load(heartbeat, 0)} frames)`);
      return;
    }
    finished = true;
    stopWatchdog();
    if (tty && !json) process.stderr.write('\r\x1b[K');
    process.stdout.write(json ? `${JSON.stringify(m.report, null, 2)}\n` : `${formatReport(m.report)}\n`);
    process.exitCode = m.report.violationCount === 0 && m.report.exceptions === 0 ? 0 : 1;
  });
  worker.on('error', (e) => {
    // The harness itself failed: whatever the cause, the run proves nothing, so it is a violation too.
    finished = true;
    stopWatchdog();
    process.stderr.write(`fuzz: the harness stopped: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  });
  worker.on('exit', () => {
    stopWatchdog();
    if (!finished) {
      process.stderr.write('fuzz: the harness exited without a report\n');
      process.exitCode = 1;
    }
  });
}

if (isMainThread) runMain();
else if (parentPort === null) throw new Error('fuzz: a worker without a parent port');
else runWorker(parentPort);
