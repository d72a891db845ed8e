/**
 * Crypto backends: where AES (and with `native`, all of GCM) comes from.
 *
 *   noble   pure TypeScript (AES on @noble/ciphers' key schedule, our GHASH): runs anywhere
 *   node    AES-ECB keystream from node:crypto, our GHASH: fastest without a compiler
 *   native  the optional C addon over OpenSSL EVP AES-GCM: fastest; present only when it was built
 */
import { ConfigError, describe } from '../util/errors.js';
import type { GcmEngine } from './engine.js';
import { Gcm } from './gcm.js';
import { NativeGcm, nativeStatus } from './native.js';
import { nobleKeystream } from './noble.js';
import { nodeKeystream } from './node.js';

export type BackendName = 'noble' | 'node' | 'native';
/** Every backend there is, available here or not. */
export const ALL_BACKEND_NAMES: readonly BackendName[] = ['noble', 'node', 'native'];
export const DEFAULT_BACKEND: BackendName = 'noble';

export interface BackendAvailability {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why it is not available; for `native` when it is, the addon's path and OpenSSL version. */
  readonly detail: string;
}

/** Each backend with whether this process can use it, and why not. */
export function availableBackends(): readonly BackendAvailability[] {
  const native = nativeStatus();
  return [
    { name: 'noble', available: true, detail: 'pure TypeScript' },
    { name: 'node', available: true, detail: `node:crypto, OpenSSL ${process.versions.openssl}` },
    native.available
      ? { name: 'native', available: true, detail: `${native.engine} (${native.library}), ${native.path}` }
      : { name: 'native', available: false, detail: native.reason },
  ];
}

/** The backends usable in this process: noble and node always, native when its addon is built and loads. */
export const BACKEND_NAMES: readonly BackendName[] = availableBackends()
  .filter((b) => b.available)
  .map((b) => b.name);

/** Whether `name` is a backend usable here (see `availableBackends()` for why one is not). */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** A GCM context for `key` on `backend`: key schedule, H and GHASH table made here, once. */
export function createGcm(key: Uint8Array, backend?: 'noble' | 'node'): Gcm;
export function createGcm(key: Uint8Array, backend: BackendName): GcmEngine;
export function createGcm(key: Uint8Array, backend: BackendName = DEFAULT_BACKEND): GcmEngine {
  switch (backend) {
    case 'noble':
      return new Gcm(nobleKeystream(key));
    case 'node':
      return new Gcm(nodeKeystream(key));
    case 'native': {
      const status = nativeStatus();
      if (!status.available) throw new ConfigError('backend', `noble or node (native: ${status.reason})`, 'native');
      return new NativeGcm(key);
    }
    default:
      // Reached only from untyped callers (JavaScript, JSON): the type allows no other name.
      throw new ConfigError('backend', ALL_BACKEND_NAMES.join(', '), describe(backend));
  }
}
