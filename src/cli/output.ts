/** What every command shares: colour detection, one-line errors, exit codes, and the options and output of the capture commands. */
import type { Argv } from 'yargs';
import type { FcsMode } from '../capture/index.js';
import { loadSaFile } from '../config/files.js';
import type { SaFile } from '../config/sa-file.js';
import { backendNames, isBackendName, type BackendName } from '../crypto/backend.js';
import type { ProgressSink } from '../runs/capture-run.js';
import { UsageError } from '../util/errors.js';
import { VALIDATE_FRAMES_OPTION, type ReceiveControlOptions } from '../runs/receiver.js';
import { ConfigError } from '../util/errors.js';
import { HexError } from '../util/hex.js';
import { Progress } from '../util/progress.js';

export { UsageError };

/** Frames rejected, vectors failed. */
export const EXIT_REJECTED = 1;
/** Bad usage or unreadable input. */
export const EXIT_USAGE = 2;

export const useColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb';

const USER_ERRORS = new Set(['UsageError', 'ConfigError', 'HexError', 'VectorFileError', 'CaptureError', 'WireError', 'MkaError']);

export function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof HexError || (e instanceof Error && USER_ERRORS.has(e.name));
}

/** Prints an error in one line and sets the exit code: 2 for bad input, 3 for a fault of ours. */
export function reportError(e: unknown): void {
  if (isUserError(e)) {
    process.stderr.write(`macsec: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`macsec: internal error: ${message}${process.env['MACSEC_DEBUG'] ? `\n${(e as Error).stack ?? ''}` : ' (set MACSEC_DEBUG=1 for details)'}\n`);
  process.exitCode = 3;
}

/** Runs a command body, turning every throw into a one-line message and an exit code. */
export function guarded<A>(body: (args: A) => void | Promise<void>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await body(args);
    } catch (e) {
      reportError(e);
    }
  };
}

// ---------------------------------------------------------------- shared by protect, validate and explain --in

/** Captures with more frames than this get a progress bar (on a terminal): below it a run is too quick to need one. */
export const PROGRESS_MIN_FRAMES = 2000;

export const FCS_MODES: readonly FcsMode[] = ['auto', 'present', 'absent'];

export function checkBackend(name: string): BackendName {
  if (!isBackendName(name)) throw new UsageError(`--backend: expected ${backendNames().join(', ')}, got ${JSON.stringify(name)}`);
  return name;
}

/** --backend checked, then the --sa file loaded: where protect and validate start. */
export function backendAndSaFile(args: { readonly backend: string; readonly sa: string }): { backend: BackendName; saFile: SaFile } {
  return { backend: checkBackend(args.backend), saFile: loadSaFile(args.sa) };
}

/** A progress bar on stderr for a long run, or a no-op for a short one: a run's `progress` option. */
export function progressFor(label: string): (frames: number) => ProgressSink {
  return (frames) => {
    if (frames <= PROGRESS_MIN_FRAMES) return { update: () => undefined, done: () => undefined };
    const p = new Progress(label);
    return { update: (d) => p.update(d), done: () => p.done() };
  };
}

/** JSON with bigints (PNs) as decimal strings. */
export const toJson = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** The receive controls as options: `--validate-frames` and friends. */
export type ReceiveArgs = ReceiveControlOptions;

/** yargs options shared by validate and explain --in: the receive SecY's controls (10.7). */
export function receiveOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('validate-frames', { choices: Object.keys(VALIDATE_FRAMES_OPTION), default: 'strict', describe: 'validateFrames: strict drops what fails, check delivers it counted, disabled skips validation of C=0 frames' })
    .option('replay-window', { type: 'number', default: 0, describe: 'replayWindow: how far below the highest PN seen a frame may arrive (0: strictly increasing)' })
    .option('replay-protect', { type: 'boolean', default: true, describe: 'replayProtect (--no-replay-protect accepts any PN)' });
}
