/**
 * The TypeScript packed kernels without WebAssembly (a browser that forbids compiling it, `node --jitless`,
 * MACSEC_SIM_WASM=0): frames laid out and copied in JavaScript, sealed and opened by the TypeScript GHASH.
 * This file's modules are its own (vitest isolates files), so turning WebAssembly off here changes no other test.
 */
import { describe, expect, it } from 'vitest';
import { GhashWasm } from '../../src/crypto/ghash-wasm.js';
import { nativeDifferential, scatterTests } from './packed-scatter.js';

GhashWasm.allowed = false;

it('WebAssembly is off here', () => expect(GhashWasm.get()).toBeUndefined());

for (const backend of ['noble', 'node'] as const) {
  describe(`${backend} without WebAssembly`, () => {
    scatterTests(backend);
    nativeDifferential(backend);
  });
}
