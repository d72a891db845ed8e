/**
 * The WebAssembly GHASH kernel (four blocks at a time with tables for H..H^4, then block by block, then a
 * partial block) against the TypeScript GHASH (ghash.ts, one block at a time with the table of H only) and
 * node:crypto, on lengths that cross every 4-block / 1-block / partial boundary, for both keystream sources.
 */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { D_AAD_LEN, D_AAD_OFF, D_DATA_LEN, D_DATA_OFF, D_IV, D_TAG_OFF, DESC_WORDS, type GcmEngine } from '../../src/crypto/engine.js';
import { Gcm as WasmGcm, type KeystreamSource } from '../../src/crypto/gcm.js';
import { GhashWasm as WasmKernel } from '../../src/crypto/ghash-wasm.js';
import { ghashTable, gfMul } from '../../src/crypto/ghash.js';
import { transmitTci } from '../../src/crypto/macsec.js';
import { packedOutcomes, protectPacked, validatePacked } from '../../src/crypto/packed.js';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES } from '../../src/crypto/suite.js';
import { packedFrames } from '../../src/wire/packed.js';
import { anOf } from '../../src/wire/sectag.js';
import { nobleKeystream } from '../../src/crypto/noble.js';
import { nodeKeystream } from '../../src/crypto/node.js';

// A second copy of the modules in which WebAssembly is not allowed: its Gcm runs the TypeScript GHASH.
vi.resetModules();
const tsKernel = await import('../../src/crypto/ghash-wasm.js');
tsKernel.GhashWasm.allowed = false;
const { Gcm: TsGcm } = await import('../../src/crypto/gcm.js');

const SOURCES: Record<string, (key: Uint8Array) => KeystreamSource> = { node: nodeKeystream, noble: nobleKeystream };

interface Case {
  key: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array;
  data: Uint8Array;
  /** Where the frame starts in its buffer: odd offsets too. */
  lead: number;
}

/** Octets of a length drawn uniformly from 0..max (fast-check's own lengths stay near the small end). */
const octets = (max: number): fc.Arbitrary<Uint8Array> => fc.integer({ min: 0, max }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

const arbCase: fc.Arbitrary<Case> = fc.record({
  key: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  aad: octets(80),
  data: octets(600),
  lead: fc.integer({ min: 0, max: 5 }),
});

/** lead ‖ AAD ‖ data ‖ tag as a burst of one frame. */
function burstOf(c: Case): { data: Uint8Array; desc: Int32Array; results: Uint8Array } {
  const data = new Uint8Array(c.lead + c.aad.length + c.data.length + 16);
  data.set(c.aad, c.lead);
  data.set(c.data, c.lead + c.aad.length);
  const desc = new Int32Array(DESC_WORDS);
  desc[D_AAD_OFF] = c.lead;
  desc[D_AAD_LEN] = c.aad.length;
  desc[D_DATA_OFF] = c.lead + c.aad.length;
  desc[D_DATA_LEN] = c.data.length;
  desc[D_TAG_OFF] = c.lead + c.aad.length + c.data.length;
  const iv = new DataView(c.iv.buffer, c.iv.byteOffset, 12);
  for (let k = 0; k < 3; k++) desc[D_IV + k] = iv.getInt32(4 * k, true);
  return { data, desc, results: new Uint8Array(1) };
}

function reference(c: Case): Buffer {
  const cipher = createCipheriv(`aes-${c.key.length * 8}-gcm` as 'aes-128-gcm', c.key, c.iv);
  cipher.setAAD(c.aad);
  return Buffer.concat([cipher.update(c.data), cipher.final(), cipher.getAuthTag()]);
}

/** Seals `c` with both kernels: the same octets, and node:crypto's. Returns the two bursts. */
function sealBoth(wasm: GcmEngine, ts: GcmEngine, c: Case): [ReturnType<typeof burstOf>, ReturnType<typeof burstOf>] {
  const a = burstOf(c);
  const b = burstOf(c);
  wasm.sealBurst(a, 0, 1);
  ts.sealBurst(b, 0, 1);
  expect(a.data).toEqual(b.data);
  expect(Buffer.from(a.data.subarray(a.desc[D_DATA_OFF]))).toEqual(reference(c));
  return [a, b];
}

/** Opens `burst` with `g`: a tampered tag fails and leaves the frame as it was; the right one restores the data. */
function openChecks(g: GcmEngine, burst: ReturnType<typeof burstOf>, c: Case): void {
  const tagAt = burst.desc[D_TAG_OFF]!;
  const sealed = burst.data.slice();
  burst.data[tagAt + (c.data.length % 16)]! ^= 0x01;
  const tampered = burst.data.slice();
  expect(g.openBurst(burst, 0, 1)).toBe(0);
  expect(burst.results[0]).toBe(0);
  expect(burst.data).toEqual(tampered);
  burst.data.set(sealed);
  expect(g.openBurst(burst, 0, 1)).toBe(1);
  expect(burst.results[0]).toBe(1);
  expect(burst.data.subarray(burst.desc[D_DATA_OFF], tagAt)).toEqual(c.data);
}

describe('WebAssembly GHASH kernel = TypeScript GHASH', () => {
  it('the two module copies run different kernels', () => {
    expect(WasmKernel.get()).toBeDefined();
    expect(tsKernel.GhashWasm.get()).toBeUndefined();
  });

  for (const [name, source] of Object.entries(SOURCES)) {
    it(`${name}: identical ciphertext and tag (and node:crypto's), seal and open, a tampered tag refused`, () => {
      fc.assert(
        fc.property(arbCase, (c) => {
          const wasm = new WasmGcm(source(c.key));
          const ts = new TsGcm(source(c.key));
          const [a, b] = sealBoth(wasm, ts, c);
          // Each opens what the other sealed.
          openChecks(wasm, b, c);
          openChecks(ts, a, c);
          wasm.wipe();
          ts.wipe();
        }),
        { numRuns: 150 },
      );
    });
  }

  it('every data length 0..160 with AAD of 0, 28 and 79 octets (each 4-block, 1-block and partial split)', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i * 17 + 3);
    const wasm = new WasmGcm(nodeKeystream(key));
    const ts = new TsGcm(nodeKeystream(key));
    for (const aadLen of [0, 28, 79]) {
      for (let len = 0; len <= 160; len++) {
        const c: Case = { key, iv: Uint8Array.from({ length: 12 }, (_, i) => len + i), aad: Uint8Array.from({ length: aadLen }, (_, i) => i * 7), data: Uint8Array.from({ length: len }, (_, i) => i * 31 + aadLen), lead: len % 3 };
        const [, b] = sealBoth(wasm, ts, c);
        openChecks(wasm, b, c);
      }
    }
    wasm.wipe();
    ts.wipe();
  });

  for (const [name, source] of Object.entries(SOURCES)) {
    it(`${name}: data past 2^16 keystream blocks (over 1 MiB), where the 32-bit counter's upper octets count too`, () => {
      const key = new Uint8Array(16).fill(7);
      const c: Case = { key, iv: new Uint8Array(12).fill(9), aad: new Uint8Array(28).fill(3), data: Uint8Array.from({ length: (1 << 20) + 40 }, (_, i) => i * 13), lead: 1 };
      const wasm = new WasmGcm(source(key));
      const a = burstOf(c);
      wasm.sealBurst(a, 0, 1);
      expect(Buffer.from(a.data.subarray(a.desc[D_DATA_OFF])).equals(reference(c))).toBe(true);
      wasm.wipe();
    });
  }
});

describe('powers of H', () => {
  const arbBlock = fc.uint8Array({ minLength: 16, maxLength: 16 });
  const ONE = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x80 : 0)); // x^0: GCM's leftmost bit (SP 800-38D 6.3)

  it('gfMul: 1 is the identity, and it agrees with the 8-bit table of ghash.ts', () => {
    fc.assert(
      fc.property(arbBlock, arbBlock, (x, h) => {
        expect(gfMul(ONE, h)).toEqual(h);
        expect(gfMul(x, h)).toEqual(gfMul(h, x));
        // x · H from the table: the XOR of entry x[p] of block p, as little-endian words.
        const { words } = ghashTable(h);
        const z = new Uint32Array(4);
        for (let p = 0; p < 16; p++) for (let k = 0; k < 4; k++) z[k]! ^= words[k]![(p << 8) | x[p]!]!;
        expect(new Uint8Array(z.buffer)).toEqual(gfMul(x, h));
      }),
      { numRuns: 50 },
    );
  });

  it('wipe() zeroes all four tables of the context', () => {
    const g = new WasmGcm(nodeKeystream(Uint8Array.from({ length: 16 }, (_, i) => i + 1)));
    const kernel = WasmKernel.get()!;
    const slot = Reflect.get(g, 'slot') as number;
    const tables = (): Uint8Array[] => [0, 1, 2, 3].map((k) => new Uint8Array((Reflect.get(kernel, 'u8') as Uint8Array).buffer, slot + k * 0x10000, 0x10000));
    for (const t of tables()) expect(t.some((b) => b !== 0)).toBe(true);
    g.wipe();
    for (const t of tables()) expect(t.every((b) => b === 0)).toBe(true);
  });
});

describe('key material in the WebAssembly memory', () => {
  /** Where the 16 octets `block` first lie in `hay`, or -1. */
  const find = (hay: Uint8Array, block: Uint8Array): number => {
    for (let i = 0; i + 16 <= hay.length; i++) if (block.every((b, k) => hay[i + k] === b)) return i;
    return -1;
  };

  for (const backend of ['node', 'noble'] as const) {
    it(`${backend}: no keystream block after packed protect and validate, no H..H^4 after wipe()`, () => {
      const key = new Uint8Array(16).fill(0x5c);
      const sa = new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key }, backend);
      const sci = Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 1);
      const o = { ...transmitTci(anOf(1), { includeSci: true, endStation: false, scb: false, confidentiality: true }), sci, confidentialityOffset: 0 as const, clearTags: 0 };
      const n = 4;
      const input = packedFrames(n, n * 600);
      for (let i = 0; i < n; i++) {
        input.offsets[i] = i * 600;
        input.lengths[i] = 500;
      }
      input.count = n;
      input.data.forEach((_, b) => (input.data[b] = (b * 131 + 7) & 0xff));
      const sent = packedFrames(n, n * 600);
      protectPacked(sa, o, input, sent, packedOutcomes(n), { first: 0, count: n, outStart: 0, nextPnHigh: 0, nextPnLow: 1, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 2000, outEnd: 0, pnsUsed: 0 });
      sent.count = n;
      const received = packedFrames(n, n * 600);
      validatePacked(sa, { sci, an: 1, confidentialityOffset: 0, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false }, sent, received, packedOutcomes(n), { first: 0, count: n, outStart: 0, lowestPnHigh: 0, lowestPnLow: 1, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 });
      // E_K(IV ‖ c) of the first frame (PN 1: IV = SCI ‖ 00000001), from node:crypto.
      const ecb = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      const counter = (c: number): Uint8Array => Uint8Array.from([...sci, 0, 0, 0, 1, 0, 0, 0, c]);
      for (let c = 1; c <= 4; c++) expect(find(WasmKernel.get()!.bytes, new Uint8Array(ecb.update(counter(c)))), `keystream block ${c}`).toBe(-1);
      const h = new Uint8Array(ecb.update(new Uint8Array(16)));
      sa.wipe();
      const h2 = gfMul(h, h), h3 = gfMul(h2, h), h4 = gfMul(h3, h);
      for (const [k, b] of [h, h2, h3, h4].entries()) expect(find(WasmKernel.get()!.bytes, b), `H^${k + 1}`).toBe(-1);
    });
  }
});

describe('table slots in the WebAssembly memory', () => {
  it('a context made when every slot is taken (contexts never wiped) hashes in TypeScript, with the octets of node:crypto; a wiped context frees its slot for the next', () => {
    const saved = WasmKernel.maxSlots;
    const c: Case = { key: Uint8Array.from({ length: 16 }, (_, i) => i), iv: new Uint8Array(12).fill(9), aad: new Uint8Array(28).fill(1), data: new Uint8Array(300).fill(2), lead: 3 };
    const held = [new WasmGcm(nodeKeystream(c.key))];
    expect(held[0]!.workArea()).toBeDefined();
    // No slot beyond those already made: the contexts below take the free ones (earlier tests' wiped ones), then find none.
    WasmKernel.maxSlots = 0;
    try {
      let last = new WasmGcm(nodeKeystream(c.key));
      while (last.workArea() !== undefined && held.length < 200) {
        held.push(last);
        last = new WasmGcm(nodeKeystream(c.key));
      }
      expect(last.workArea()).toBeUndefined();
      const ts = new TsGcm(nodeKeystream(c.key));
      const [a] = sealBoth(last, ts, c);
      openChecks(last, a, c);
      ts.wipe();
      last.wipe();
      held.pop()!.wipe();
      const next = new WasmGcm(nodeKeystream(c.key));
      expect(next.workArea()).toBeDefined();
      held.push(next);
    } finally {
      WasmKernel.maxSlots = saved;
      for (const g of held) g.wipe();
    }
  });
});
