/**
 * The files a command reads and writes around a run: input captures and frame files, output paths checked
 * before any work, and outputs written atomically. Every failure is a one-line UsageError naming the path.
 */
import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CaptureError,
  CaptureReader,
  handleSource,
  PcapFileWriter,
  readCaptureFile,
  writeCaptureFileAtomic,
  writePcap,
  type Capture,
  type FcsMode,
  type WritableRecord,
} from '../capture/index.js';
import { fromHex } from '../util/hex.js';
import { UsageError } from '../util/errors.js';

/** The errno code of a failed file operation, or its message when it has none. */
const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : (e as Error).message;
};

/** Reads a pcap or pcapng file; a file that cannot be opened is a usage error (exit 2), not a crash. */
export async function readInputCapture(path: string, fcsMode: FcsMode): Promise<Capture> {
  try {
    return await readCaptureFile(path, { fcsMode });
  } catch (e) {
    if (e instanceof CaptureError) throw e; // already one line naming the file and the offset
    throw new UsageError(`${path}: cannot read (${why(e)})`);
  }
}

/** An input capture opened for streaming: its reader, its size when known (for progress), and how to close it. */
export interface InputCapture {
  readonly reader: CaptureReader;
  /** Octets in the file; undefined when it is not a regular file. */
  readonly size: number | undefined;
  close(): Promise<void>;
}

/** Opens a pcap or pcapng file and reads its header; a file that cannot be opened is a usage error (exit 2). */
export async function openInputCapture(path: string, fcsMode: FcsMode): Promise<InputCapture> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${why(e)})`);
  }
  try {
    const stat = await handle.stat();
    const reader = await CaptureReader.open(handleSource(handle), path, { fcsMode });
    return { reader, size: stat.isFile() ? stat.size : undefined, close: () => handle.close() };
  } catch (e) {
    await handle.close();
    if (e instanceof CaptureError) throw e; // already one line naming the file and the offset
    throw new UsageError(`${path}: cannot read (${why(e)})`);
  }
}

/** A pcap output written as the run goes, atomically (see PcapFileWriter); write errors are usage errors naming the path. */
export async function createOutputCapture(path: string): Promise<{ write(records: readonly WritableRecord[]): Promise<void>; close(): Promise<void>; abandon(): Promise<void> }> {
  const named = async <T>(body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (e) {
      if (e instanceof UsageError || !(e as NodeJS.ErrnoException).code) throw e; // a ConfigError about a record stays one
      throw new UsageError(`${path}: cannot write (${why(e)})`);
    }
  };
  const writer = await named(() => PcapFileWriter.create(path));
  return { write: (records) => named(() => writer.write(records)), close: () => named(() => writer.close()), abandon: () => writer.abandon() };
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
 * Checks before any work that an output file can be written where asked (its folder exists, it is not a
 * folder), so a run never does all its work and then fails to write. `option` names it in the error.
 */
export function checkOutputPath(path: string, option: string): void {
  const folder = dirname(path);
  let ok: boolean;
  try {
    ok = statSync(folder).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`${option} ${path}: no folder ${folder}`);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${option} ${path}: is a folder`);
  } catch (e) {
    if (e instanceof UsageError) throw e; // a path that does not exist yet is the usual case
  }
}

/** Writes a file atomically (a temporary file renamed over the path): never half-written, even on error. */
export async function writeOutputFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeCaptureFileAtomic(path, bytes);
  } catch (e) {
    throw new UsageError(`${path}: cannot write (${why(e)})`);
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
