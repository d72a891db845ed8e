/**
 * The files a command reads and writes around a run: input captures and frame files, output paths checked
 * before any work, and outputs written so that nothing but the output is ever replaced. Every failure is a
 * one-line UsageError naming the path.
 */
import { accessSync, constants, fstatSync, lstatSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CaptureError,
  CaptureReader,
  openCaptureFile,
  PcapFileWriter,
  readCapture,
  readCaptureFile,
  writeCaptureFileAtomic,
  writePcap,
  type ByteSource,
  type Capture,
  type FcsMode,
  type FrameTimes,
  type WritableRecord,
} from '../capture/index.js';
import type { PackedFrames } from '../wire/packed.js';
import { fromHex } from '../util/hex.js';
import { UsageError } from '../util/errors.js';

/** The path that stands for standard input (as an input) or standard output (as an output). */
export const STDIO = '-';

/** A path as reports name it: "stdin"/"stdout" for `-`. */
export const fileLabel = (path: string, direction: 'in' | 'out'): string => (path === STDIO ? (direction === 'in' ? 'stdin' : 'stdout') : path);

/** The errno code of a failed file operation, or its message when it has none. */
const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : (e as Error).message;
};

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads a pcap or pcapng file, or standard input for `-`; a file that cannot be opened is a usage error
 * (exit 2), not a crash.
 */
export async function readInputCapture(path: string, fcsMode: FcsMode): Promise<Capture> {
  try {
    if (path !== STDIO) return await readCaptureFile(path, { fcsMode });
    if (process.stdin.isTTY === true) throw new UsageError('--in -: standard input is a terminal, not a capture (pipe one in)');
    return readCapture(await readStdin(), 'stdin', { fcsMode });
  } catch (e) {
    if (e instanceof CaptureError || e instanceof UsageError) throw e; // already one line naming the file and the offset
    throw new UsageError(`${fileLabel(path, 'in')}: cannot read (${why(e)})`);
  }
}

/** An input capture opened for streaming: its reader, its size when known (for progress), and how to close it. */
export interface InputCapture {
  readonly reader: CaptureReader;
  /** Octets in the file; undefined when it is not a regular file (a pipe, stdin). */
  readonly size: number | undefined;
  close(): Promise<void>;
}

/** Standard input as a source: its chunks handed out as asked. */
function stdinSource(): ByteSource {
  const chunks = process.stdin[Symbol.asyncIterator]();
  let left: Uint8Array = new Uint8Array(0);
  return {
    read: async (into, offset, length) => {
      if (left.length === 0) {
        const next = await chunks.next();
        if (next.done === true) return 0;
        left = next.value as Buffer;
      }
      const n = Math.min(length, left.length);
      into.set(left.subarray(0, n), offset);
      left = left.subarray(n);
      return n;
    },
  };
}

/**
 * Opens a pcap or pcapng file, or standard input for `-`, and reads its header; a file that cannot be
 * opened is a usage error (exit 2).
 */
export async function openInputCapture(path: string, fcsMode: FcsMode): Promise<InputCapture> {
  if (path === STDIO) {
    if (process.stdin.isTTY === true) throw new UsageError('--in -: standard input is a terminal, not a capture (pipe one in)');
    try {
      return { reader: await CaptureReader.open(stdinSource(), 'stdin', { fcsMode }), size: undefined, close: async () => undefined };
    } catch (e) {
      if (e instanceof CaptureError) throw e;
      throw new UsageError(`stdin: cannot read (${why(e)})`);
    }
  }
  try {
    return await openCaptureFile(path, { fcsMode });
  } catch (e) {
    if (e instanceof CaptureError) throw e; // already one line naming the file and the offset
    throw new UsageError(`${path}: cannot read (${why(e)})`);
  }
}

/** The finest timestamps `reader`'s records can carry: microseconds for a microsecond pcap (pcapng may declare finer interfaces later). */
export const inputResolution = (reader: CaptureReader): 'us' | 'ns' =>
  reader.format === 'pcap' && reader.interfaces.every((i) => i.tsResolution.base === 10 && i.tsResolution.exponent <= 6) ? 'us' : 'ns';

/** A pcap output being written as a run goes: records in bursts, then closed (kept) or abandoned. */
export interface OutputCapture {
  write(records: readonly WritableRecord[]): Promise<void>;
  /** See PcapFileWriter.writePacked. */
  writePacked(frames: PackedFrames, times: FrameTimes, order?: Uint32Array): Promise<void>;
  close(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * A planned output written as the run goes (see PcapFileWriter): a regular file through a temporary file
 * beside its target, renamed over it on close, in `resolution` ('auto': microseconds while the records'
 * timestamps fit them). Stdout, a FIFO or a device are written through in order and cannot be rewritten,
 * so there 'auto' is fixed before the first record as `inputResolution`, the finest the input can carry:
 * the same octets as a file for a microsecond input, nanoseconds otherwise (exact, if not always the file's
 * choice; holding the whole output back to choose would break flat memory). Write errors are usage errors
 * naming the path.
 */
export async function createOutputCapture(output: PlannedOutput, resolution: 'auto' | 'ns', inputResolution: 'us' | 'ns' = 'ns'): Promise<OutputCapture> {
  const fixed = resolution === 'ns' ? 'ns' : inputResolution;
  const named = async <T>(body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (e) {
      if (e instanceof UsageError || !(e as NodeJS.ErrnoException).code) throw e; // a ConfigError about a record stays one
      throw new UsageError(`${fileLabel(output.path, 'out')}: cannot write (${why(e)})`);
    }
  };
  const writer = await named(async () =>
    output.how === 'stdout'
      ? PcapFileWriter.toStream(process.stdout, fixed)
      : output.how === 'through'
        ? PcapFileWriter.through(output.target, fixed)
        : PcapFileWriter.create(output.target, resolution),
  );
  return {
    write: (records) => named(() => writer.write(records)),
    writePacked: (frames, times, order) => named(() => writer.writePacked(frames, times, order)),
    close: () => named(() => writer.close()),
    abandon: () => writer.abandon(),
  };
}

/** A frame from a file: hex text (spaces, colons and newlines allowed) or the raw octets. */
export function readFrameFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = bytes.toString('latin1').trim();
  return /^[0-9a-fA-F:\s-]+$/.test(text) ? fromHex(text, path) : new Uint8Array(bytes);
}

/**
 * An output checked before any work, and how it will be written:
 * - `stdout`: standard output (the path `-`);
 * - `through`: an existing file that is not a regular file (a device such as /dev/null, a FIFO, a
 *   terminal), opened and written, never replaced;
 * - `replace`: a regular file or a path not there yet, written to a temporary file beside `target` and
 *   renamed over it, so it is never half-written.
 */
export interface PlannedOutput {
  /** The option that named it, for errors. */
  readonly option: string;
  /** The path as the user gave it. */
  readonly path: string;
  readonly how: 'stdout' | 'through' | 'replace';
  /** `path` with symlinks followed: what is opened or renamed over. */
  readonly target: string;
  /** Device and inode when it exists already: no two outputs may be one file. */
  readonly id: string | undefined;
}

/** Symlink hops followed before giving up, as the kernel's own limit (ELOOP). */
const MAX_LINKS = 40;

/** `path` with its symlinks followed to the end, also to a target that does not exist yet (a dangling link). */
function followLinks(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let s: Stats;
    try {
      s = lstatSync(p);
    } catch {
      return p; // not there (or not reachable): the checks below say which
    }
    if (!s.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  return p; // a loop: statSync answers ELOOP below
}

/** Device and inode: two paths (links, symlinks, `-`) name the same file when these agree. */
const fileId = (s: Stats): string => `${s.dev}:${s.ino}`;

/**
 * The inputs' identities, for refusing an output that is one of them. Character devices are left out:
 * writing a terminal or /dev/null replaces nothing (and stdin and stdout are often one terminal). An input
 * that cannot be opened is left to its reader, which says why.
 */
function inputIds(inputs: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const input of inputs) {
    try {
      const s = input === STDIO ? fstatSync(0) : statSync(input);
      if (!s.isCharacterDevice()) ids.set(fileId(s), input === STDIO ? 'stdin' : input);
    } catch {
      // the reader reports it
    }
  }
  return ids;
}

function writable(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    return why(e);
  }
}

/** One output checked: see PlannedOutput. `inputs` maps device:inode to the input's name. */
function planOutput(option: string, path: string, inputs: ReadonlyMap<string, string>): PlannedOutput {
  const named = `${option} ${path}`;
  if (path === STDIO) {
    const s = fstatSync(1);
    const input = inputs.get(fileId(s));
    if (input !== undefined && !s.isCharacterDevice()) throw new UsageError(`${named}: standard output is the input ${input}`);
    return { option, path, how: 'stdout', target: path, id: s.isCharacterDevice() ? undefined : fileId(s) };
  }
  const target = followLinks(path);
  let s: Stats | undefined;
  try {
    s = statSync(target);
  } catch (e) {
    const code = why(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`${named}: cannot write (${code})`);
  }
  if (s === undefined) {
    // A new file: its folder must exist and take new files.
    const folder = dirname(target);
    const shown = target === resolve(path) ? dirname(path) : `${folder} (where ${path} points)`;
    let isFolder: boolean | undefined;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch {
      isFolder = undefined;
    }
    if (isFolder === undefined) throw new UsageError(`${named}: no folder ${shown}`);
    if (!isFolder) throw new UsageError(`${named}: ${shown} is not a folder`);
    const denied = writable(folder);
    if (denied !== undefined) throw new UsageError(`${named}: cannot create a file in ${folder} (${denied})`);
    return { option, path, how: 'replace', target, id: undefined };
  }
  if (s.isDirectory()) throw new UsageError(`${named}: is a folder`);
  if (s.isSocket()) throw new UsageError(`${named}: is a socket`);
  const input = inputs.get(fileId(s));
  if (input !== undefined && !s.isCharacterDevice()) throw new UsageError(`${named}: is the input ${input}`);
  const denied = writable(target) ?? (s.isFile() ? writable(dirname(target)) : undefined);
  if (denied !== undefined) throw new UsageError(`${named}: cannot write (${denied})`);
  return { option, path, how: s.isFile() ? 'replace' : 'through', target, id: s.isCharacterDevice() ? undefined : fileId(s) };
}

/**
 * Checks every output of a command before any work: each can be written where asked (an existing folder
 * that takes files; not a folder), none is one of `inputs` (by device and inode, so links and `-` count) or
 * another output, and at most one is standard output. `outputs` pairs an option with its path (`-`: stdout).
 */
export function planOutputs(outputs: readonly (readonly [option: string, path: string])[], inputs: readonly string[]): PlannedOutput[] {
  const ids = inputIds(inputs);
  const planned: PlannedOutput[] = [];
  for (const [option, path] of outputs) {
    const p = planOutput(option, path, ids);
    const twice = planned.find((q) => (p.how === 'stdout' && q.how === 'stdout') || (p.id !== undefined && q.id === p.id) || (p.how === 'replace' && q.target === p.target));
    if (twice !== undefined) throw new UsageError(`${option} ${path}: is also ${twice.option} ${twice.path}`);
    planned.push(p);
  }
  return planned;
}

/** One output checked on its own (see planOutputs). */
export const checkOutputPath = (path: string, option: string, inputs: readonly string[] = []): PlannedOutput => planOutputs([[option, path]], inputs)[0]!;

/** Whether any planned output is standard output (then reports go to stderr, so stdout holds the output alone). */
export const writesStdout = (outputs: readonly (PlannedOutput | undefined)[]): boolean => outputs.some((o) => o?.how === 'stdout');

function writeStdout(bytes: Uint8Array): Promise<void> {
  return new Promise((done, failed) => {
    // A reader that quits early (EPIPE) arrives as an 'error' event, not through the callback alone.
    const onError = (e: Error): void => failed(e);
    process.stdout.once('error', onError);
    process.stdout.write(bytes, (e) => {
      process.stdout.removeListener('error', onError);
      if (e) failed(e);
      else done();
    });
  });
}

/** Opens an existing non-regular file for writing (a FIFO waits here for its reader) and writes it, never replacing it. */
async function writeThrough(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, constants.O_WRONLY);
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
}

/** Writes a planned output as its plan says (see PlannedOutput). */
export async function writeOutputFile(output: PlannedOutput, bytes: Uint8Array): Promise<void> {
  try {
    if (output.how === 'stdout') await writeStdout(bytes);
    else if (output.how === 'through') await writeThrough(output.target, bytes);
    else await writeCaptureFileAtomic(output.target, bytes);
  } catch (e) {
    throw new UsageError(`${fileLabel(output.path, 'out')}: cannot write (${why(e)})`);
  }
}

/**
 * pcap in microseconds where every timestamp fits them (what every reader knows), else in nanoseconds:
 * either way each record's timestamp is kept exactly.
 */
export function outputResolution(records: readonly WritableRecord[]): 'us' | 'ns' {
  return records.some((r) => r.timestampNs % 1000n !== 0n) ? 'ns' : 'us';
}

/** The output capture of a run: a pcap in the resolution its timestamps need (throws ConfigError past 2106). */
export function outputCapture(records: readonly WritableRecord[]): Uint8Array {
  return writePcap(records, { resolution: outputResolution(records) });
}
