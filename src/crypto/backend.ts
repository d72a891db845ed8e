/** Crypto backends: where the AES block function comes from. GHASH is ours in every backend. */
import { Gcm } from './gcm.js';
import { nobleKeystream } from './noble.js';
import { nodeKeystream } from './node.js';

export type BackendName = 'noble' | 'node';
export const BACKEND_NAMES: readonly BackendName[] = ['noble', 'node'];
export const DEFAULT_BACKEND: BackendName = 'noble';

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** A GCM context for `key` on `backend`: key schedule, H and GHASH table made here, once. */
export function createGcm(key: Uint8Array, backend: BackendName = DEFAULT_BACKEND): Gcm {
  return new Gcm(backend === 'node' ? nodeKeystream(key) : nobleKeystream(key));
}
