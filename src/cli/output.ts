/** What every command shares: colour detection, one-line errors, exit codes, and the options and output of the capture commands. */
import type { Argv } from 'yargs';
import type { FcsMode } from '../capture/index.js';
import { loadSaFile } from '../config/files.js';
import type { SaFile } from '../config/sa-file.js';
import { backendNames, isBackendName, type BackendName } from '../crypto/backend.js';
import { UsageError } from '../util/errors.js';
import { VALIDATE_FRAMES_OPTION, type ReceiveControlOptions } from '../runs/receiver.js';
import { ConfigError } from '../util/errors.js';
import { HexError } from '../util/hex.js';
import { Progress } from '../util/progress.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../secy/index.js';

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

// ---------------------------------------------------------------- yargs' own usage errors

/** What yargs is told to say when no command is named (bare `macsec`). */
export const NO_COMMAND = 'name a command';

/**
 * One line for a usage error yargs found in `args` (the command line after `macsec`): bare `macsec` says
 * where the commands are, once; unknown names say whether they were options (as typed, with their dashes)
 * or stray arguments; anything else points to --help.
 */
export function usageLine(message: string, args: readonly string[]): string {
  if (message === NO_COMMAND) return `${NO_COMMAND} (macsec --help lists the commands)`;
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown === null) return `${message.replace(/\s*\n\s*/g, ' ')} (macsec --help lists the options)`; // yargs spreads some over lines
  const names = unknown[1]!.split(', ');
  const options: string[] = [];
  const strays: string[] = [];
  for (const name of names) {
    const kebab = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (kebab !== name && names.includes(kebab)) continue; // yargs names `--foo-bar` twice, as foo-bar and fooBar
    const typed = args.find((a) => [`--${name}`, `--no-${name}`, `-${name}`].some((o) => a === o || a.startsWith(`${o}=`)));
    if (typed !== undefined) options.push(typed.split('=')[0]!);
    else if (name.length === 1 && args.some((a) => /^-[^-]/.test(a) && a.includes(name))) options.push(`-${name}`);
    else strays.push(`'${name}'`);
  }
  const list = (what: string, items: string[]): string[] => (items.length > 0 ? [`${what}${items.length > 1 ? 's' : ''} ${items.join(', ')}`] : []);
  return `${[...list('unknown option', options), ...list('unexpected argument', strays)].join('; ')} (macsec --help lists the options)`;
}

/** The options whose value may be `-` (standard input or output); `--json` only where it takes a file (bench). */
const STDIO_OPTIONS = ['--in', '--out', '--wireshark-keys', '--svg'];

/**
 * `--in -` as `--in=-`: yargs takes a lone `-` after an option for another argument, not the option's
 * value. Arguments after `--` stay as they are.
 */
export function stdioValues(args: readonly string[]): string[] {
  const options = args[0] === 'bench' ? [...STDIO_OPTIONS, '--json'] : STDIO_OPTIONS;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i)];
    if (options.includes(a) && args[i + 1] === '-') {
      out.push(`${a}=-`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

// ---------------------------------------------------------------- shared by protect, validate and explain --in

export const FCS_MODES: readonly FcsMode[] = ['auto', 'present', 'absent'];
/** --fcs by default: the file says, else a CRC-32 that verifies. */
export const FCS_DEFAULT: FcsMode = 'auto';

/**
 * The default backend of the commands that run captures and links: the fastest registered here (native, then
 * node). Called from the option builders, so after main.ts's `useNodeBackends()`.
 */
export const fastestBackend = (): BackendName => (backendNames().includes('native') ? 'native' : 'node');

/** Input files larger than this get a progress bar (on a terminal), which follows the octets read. */
export const PROGRESS_MIN_OCTETS = 1 << 20;

/** A progress bar for a run over a file of `size` octets (undefined: not a file, no bar), or a no-op for a small one. */
export function progressForOctets(label: string, size: number | undefined): { update(offset: number): void; done(): void } {
  if (size === undefined || size <= PROGRESS_MIN_OCTETS) return { update: () => undefined, done: () => undefined };
  const p = new Progress(label);
  return { update: (offset) => p.update(offset / size), done: () => p.done() };
}

/** Peak resident set size of this process so far, in octets. */
export const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

export function checkBackend(name: string): BackendName {
  if (!isBackendName(name)) throw new UsageError(`--backend: expected ${backendNames().join(', ')}, got ${JSON.stringify(name)}`);
  return name;
}

/** --backend checked, then the --sa file loaded: where protect and validate start. */
export function backendAndSaFile(args: { readonly backend: string; readonly sa: string }): { backend: BackendName; saFile: SaFile } {
  return { backend: checkBackend(args.backend), saFile: loadSaFile(args.sa) };
}

/** JSON with bigints (PNs) as decimal strings. */
export const toJson = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

// Number options are declared without a yargs type: yargs turns what looks like a number into one and
// leaves anything else as the text typed (its `number` type would make that NaN), so it can be named here.

const shown = (value: unknown): string => `'${Array.isArray(value) ? value.join(' ') : String(value)}'`;

/** A whole-number option's value, or a UsageError naming the option and what was typed. */
export function wholeNumber(value: unknown, option: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new UsageError(`${option}: expected a whole number, got ${shown(value)}`);
}

/** A number option's value (fractions allowed), or a UsageError naming the option and what was typed. */
export function decimalNumber(value: unknown, option: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new UsageError(`${option}: expected a number, got ${shown(value)}`);
}

/** An optional whole-number option: undefined when not given. */
export const optionalWholeNumber = (value: unknown, option: string): number | undefined => (value === undefined ? undefined : wholeNumber(value, option));

/** The receive controls as options: `--validate-frames` and friends (`--replay-window` as typed). */
export interface ReceiveArgs extends Omit<ReceiveControlOptions, 'replayWindow'> {
  readonly replayWindow: unknown;
}

/** The receive controls the options give, `--replay-window` checked to be a number. */
export const receiveControls = (args: ReceiveArgs): ReceiveControlOptions => ({
  validateFrames: args.validateFrames,
  replayWindow: wholeNumber(args.replayWindow, '--replay-window'),
  replayProtect: args.replayProtect,
});

/** yargs options shared by validate and explain --in: the receive SecY's controls (10.7). */
export function receiveOptions<T>(y: Argv<T>): Argv<T & ReceiveArgs> {
  return y
    .option('validate-frames', { choices: Object.keys(VALIDATE_FRAMES_OPTION), default: 'strict', describe: 'validateFrames: strict drops what fails, check delivers it counted, disabled skips validation of C=0 frames' })
    .option('replay-window', { default: 0, describe: 'replayWindow: how far below the highest PN seen a frame may arrive (0: strictly increasing)' })
    .option('replay-protect', { type: 'boolean', default: true, describe: 'replayProtect (--no-replay-protect accepts any PN)' }) as unknown as Argv<T & ReceiveArgs>;
}

/** --max-frame-size on protect and simulate: the SecY's maxFrameSize (10.7), a transmit check only. */
export const MAX_FRAME_SIZE_OPTION = {
  describe:
    `maxFrameSize: the longest MACsec frame sent, N octets from DA to ICV, FCS not counted (default ${DEFAULT_MAX_FRAME_SIZE}); ` +
    '9244 takes a 9216-octet jumbo frame (9212 without FCS, + SecTAG 16 + ICV 16)',
} as const;

/** The stream a command's report goes to: stderr when an output is standard output, so that holds the output alone. */
export const reportStream = (toStdout: boolean): NodeJS.WriteStream => (toStdout ? process.stderr : process.stdout);
