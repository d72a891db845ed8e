/** Capture files on disk; writes are atomic, so a reader never sees half a file. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { readCapture } from './read.js';
import type { Capture, ReadOptions } from './record.js';

export async function readCaptureFile(path: string, options: ReadOptions = {}): Promise<Capture> {
  const buffer = await readFile(path);
  return readCapture(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), path, options);
}

/**
 * Writes to a temporary file beside `path` (rename is only atomic within one file system),
 * flushes it, then renames it over `path`; on any failure the temporary file is removed.
 */
export async function writeCaptureFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined); // the first error is the one to report
    throw error;
  }
}
