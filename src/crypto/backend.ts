/**
 * Crypto backends: where AES (and with `native`, all of GCM) comes from.
 *
 *   noble   pure TypeScript (AES on @noble/ciphers' key schedule, our GHASH): runs anywhere; always registered
 *   node    AES-ECB keystream from node:crypto, our GHASH: fastest without a compiler
 *   native  the optional C addon over OpenSSL EVP AES-GCM: fastest; present only when it was built
 *
 * node and native need Node, so the browser-safe core does not import them: `useNodeBackends()` from
 * `macsec-sim/node` registers them, and from then on every API that takes a backend name accepts them.
 */
import { ConfigError, describe } from '../util/errors.js';
import type { GcmEngine } from './engine.js';
import { Gcm } from './gcm.js';
import { nobleKeystream } from './noble.js';

export type BackendName = 'noble' | 'node' | 'native';
/** Every backend there is, registered and available here or not. */
export const ALL_BACKEND_NAMES: readonly BackendName[] = ['noble', 'node', 'native'];
export const DEFAULT_BACKEND: BackendName = 'noble';

export interface BackendAvailability {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why it is not available; for `native` when it is, the addon's path and OpenSSL version. */
  readonly detail: string;
}

/** A backend as the registry holds it. */
export interface Backend {
  readonly name: BackendName;
  /** Whether it can run in this process and, if not, why (may load what it needs, once). */
  availability(): BackendAvailability;
  /** A GCM context for `key`: key schedule, H and GHASH table made here, once. Only called when available. */
  createGcm(key: Uint8Array): GcmEngine;
}

const NOBLE: Backend = {
  name: 'noble',
  availability: () => ({ name: 'noble', available: true, detail: 'pure TypeScript' }),
  createGcm: (key) => new Gcm(nobleKeystream(key)),
};

const registry = new Map<BackendName, Backend>([['noble', NOBLE]]);

const HOW_TO_REGISTER = "node and native need Node: import { useNodeBackends } from 'macsec-sim/node' and call useNodeBackends()";

/** Makes a backend available to every API that takes a backend name (`useNodeBackends()` calls this). */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** Each backend with whether this process can use it, and why not. */
export function availableBackends(): readonly BackendAvailability[] {
  return ALL_BACKEND_NAMES.map(
    (name) => registry.get(name)?.availability() ?? { name, available: false, detail: `not registered (${HOW_TO_REGISTER})` },
  );
}

/** The backends usable now: noble always; node, and native when its addon is built and loads, once registered. */
export function backendNames(): BackendName[] {
  return availableBackends()
    .filter((b) => b.available)
    .map((b) => b.name);
}

/** Whether `name` is a backend usable here (see `availableBackends()` for why one is not). */
export function isBackendName(name: string): name is BackendName {
  return (backendNames() as string[]).includes(name);
}

/** The registered, available backend `value` names, or a ConfigError naming `field` that says why not. */
function lookup(value: unknown, field: string): Backend {
  const known = ALL_BACKEND_NAMES.find((n) => n === value);
  if (known === undefined) throw new ConfigError(field, `one of ${backendNames().join(', ')} (the backends available here)`, describe(value));
  const backend = registry.get(known);
  if (backend === undefined) throw new ConfigError(field, `a registered backend (${HOW_TO_REGISTER})`, describe(value));
  const a = backend.availability();
  if (!a.available) throw new ConfigError(field, `one of ${backendNames().join(', ')} (${known}: ${a.detail})`, describe(value));
  return backend;
}

/**
 * `value` as a usable backend name, or a ConfigError naming `field`: for a known backend that is not
 * registered it says how to register it, for one that cannot run here it says why.
 */
export function checkBackendName(value: unknown, field = 'backend'): BackendName {
  return lookup(value, field).name;
}

/** A GCM context for `key` on `backend`: key schedule, H and GHASH table made here, once. */
export function createGcm(key: Uint8Array, backend: BackendName = DEFAULT_BACKEND): GcmEngine {
  return lookup(backend, 'backend').createGcm(key);
}
