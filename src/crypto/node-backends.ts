/** The backends that need Node, registered on request: importing this module registers nothing. */
import { registerBackend, type Backend } from './backend.js';
import { Gcm } from './gcm.js';
import { GhashWasm } from './ghash-wasm.js';
import { NativeGcm, nativeStatus } from './native.js';
import { useNodeBurstAllocation } from './node-alloc.js';
import { nodeKeystream } from './node.js';

const NODE: Backend = {
  name: 'node',
  availability: () => ({ name: 'node', available: true, detail: `node:crypto, OpenSSL ${process.versions.openssl}` }),
  createGcm: (key) => new Gcm(nodeKeystream(key)),
};

const NATIVE: Backend = {
  name: 'native',
  availability: () => {
    const s = nativeStatus();
    return s.available ? { name: 'native', available: true, detail: `${s.engine} (${s.library}), ${s.path}` } : { name: 'native', available: false, detail: s.reason };
  },
  createGcm: (key) => new NativeGcm(key),
};

/**
 * Makes `node` and `native` available to every API that takes a backend name. The native addon is
 * loaded when first asked for (its availability or a context), not here. MACSEC_SIM_WASM=0 in the
 * environment keeps the TypeScript backends' burst kernel out of WebAssembly (see ghash-wasm.ts). Bursts
 * then allocate their output unfilled (node-alloc.ts).
 */
export function useNodeBackends(): void {
  useNodeBurstAllocation();
  if (process.env['MACSEC_SIM_WASM'] === '0') GhashWasm.allowed = false;
  registerBackend(NODE);
  registerBackend(NATIVE);
}
