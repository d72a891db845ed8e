/**
 * A SecY's transmit snapshot on disk (Node): written atomically (a crash leaves the old file or the new
 * one, never half of either), and read back for `SecY.restore`, which checks every field.
 */
import { readFile } from 'node:fs/promises';
import { writeCaptureFileAtomic } from '../capture/file.js';
import type { TransmitSnapshot } from '../secy/snapshot.js';
import { ConfigError } from '../util/errors.js';

/** Stores `snapshot` at `path`; call `secy.persisted(snapshot)` once this resolves. */
export async function writeSnapshotFile(path: string, snapshot: TransmitSnapshot): Promise<void> {
  await writeCaptureFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(snapshot, null, 2)}\n`));
}

/** A stored snapshot as parsed JSON, for `secy.restore(...)`; a file that is not JSON is a ConfigError naming it. */
export async function readSnapshotFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(path, 'a snapshot in JSON', (e as Error).message);
  }
}
