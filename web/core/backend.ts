/** The backend registry of the browser build: noble only (src/crypto/backend.ts also loads node and native). */
import { Gcm } from '../../src/crypto/gcm.js';
import { nobleKeystream } from '../../src/crypto/noble.js';
import { ConfigError, describe } from '../../src/util/errors.js';
import type { BackendAvailability, BackendName } from '../../src/crypto/backend.js';

export type { BackendAvailability, BackendName };
export const ALL_BACKEND_NAMES: readonly BackendName[] = ['noble', 'node', 'native'];
export const DEFAULT_BACKEND: BackendName = 'noble';
export const BACKEND_NAMES: readonly BackendName[] = ['noble'];
export const isBackendName = (name: string): name is BackendName => name === 'noble';
export const availableBackends = (): readonly BackendAvailability[] => [
  { name: 'noble', available: true, detail: 'pure TypeScript' },
  { name: 'node', available: false, detail: 'not in a browser' },
  { name: 'native', available: false, detail: 'not in a browser' },
];
export function createGcm(key: Uint8Array, backend: BackendName = DEFAULT_BACKEND): Gcm {
  if (backend !== 'noble') throw new ConfigError('backend', 'noble (in a browser)', describe(backend));
  return new Gcm(nobleKeystream(key));
}
