/**
 * Every backend's GCM engine, single frame and burst, against node:crypto's AES-GCM on random keys, IVs,
 * AAD and data (0-1600 octets) at random (odd included) offsets in a buffer.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ALL_BACKEND_NAMES, availableBackends, backendNames, createGcm, type BackendName } from '../../src/crypto/backend.js';
import { D_AAD_LEN, D_AAD_OFF, D_DATA_LEN, D_DATA_OFF, D_IV, D_TAG_OFF, DESC_WORDS } from '../../src/crypto/engine.js';
import { Gcm, type KeystreamSource } from '../../src/crypto/gcm.js';
import { nodeKeystream } from '../../src/crypto/node.js';

const availability = new Map(availableBackends().map((b) => [b.name, b]));
/** Runs the block per backend; an unavailable one (native not built) is skipped, saying why in its name. */
function eachBackend(body: (backend: BackendName) => void): void {
  for (const name of ALL_BACKEND_NAMES) {
    const b = availability.get(name)!;
    describe.skipIf(!b.available)(`${name}${b.available ? '' : ` (skipped: ${b.detail})`}`, () => body(name));
  }
}

interface Frame {
  key: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array;
  data: Uint8Array;
  /** Where the AAD, data and tag go in the buffer: any offsets, any order of gaps. */
  lead: number;
  gap: number;
}

const arbFrame: fc.Arbitrary<Frame> = fc.record({
  key: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  aad: fc.uint8Array({ minLength: 0, maxLength: 100 }),
  data: fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 70 }), fc.uint8Array({ minLength: 0, maxLength: 1600 })),
  lead: fc.integer({ min: 0, max: 7 }),
  gap: fc.integer({ min: 0, max: 5 }),
});

function reference(f: Frame): { ct: Buffer; tag: Buffer } {
  const c = createCipheriv(`aes-${f.key.length * 8}-gcm` as 'aes-128-gcm', f.key, f.iv);
  c.setAAD(f.aad);
  const ct = Buffer.concat([c.update(f.data), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

/** lead octets ‖ AAD ‖ gap ‖ data ‖ tag, in a buffer that itself starts at an odd offset of its ArrayBuffer. */
function layout(f: Frame): { buf: Uint8Array; aadOff: number; dataOff: number; tagOff: number } {
  const aadOff = f.lead;
  const dataOff = aadOff + f.aad.length + f.gap;
  const tagOff = dataOff + f.data.length;
  const buf = new Uint8Array(new ArrayBuffer(tagOff + 16 + 3), 1, tagOff + 16);
  buf.set(f.aad, aadOff);
  buf.set(f.data, dataOff);
  return { buf, aadOff, dataOff, tagOff };
}

describe('GCM engine = node:crypto AES-GCM', () => {
  eachBackend((backend) => {
    it('seal, open, and a flipped bit rejected with the buffer left as it was', () => {
      frameProperty(createGcm, backend);
    });

    it('bursts: every frame as node:crypto makes it, failures flagged per frame', () => {
      burstProperty(createGcm, backend);
    });
  });
});

describe('GCM engine without WebAssembly (MACSEC_SIM_WASM=0): the TypeScript kernel', () => {
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });
  for (const backend of ['noble', 'node'] as const) {
    it(`${backend} = node:crypto`, async () => {
      vi.stubEnv('MACSEC_SIM_WASM', '0');
      vi.resetModules();
      const fresh = await import('../../src/crypto/backend.js');
      (await import('../../src/crypto/node-backends.js')).useNodeBackends();
      frameProperty(fresh.createGcm, backend);
      burstProperty(fresh.createGcm, backend);
    });
  }
});

/** Single frames sealed by `create(…, backend)` equal node:crypto; a flipped bit anywhere is caught and changes nothing. */
function frameProperty(create: typeof createGcm, backend: BackendName): void {
  fc.assert(
    fc.property(arbFrame, fc.nat(), (f, flip) => {
      const g = create(f.key, backend);
      const { buf, aadOff, dataOff, tagOff } = layout(f);
      g.seal(f.iv, buf, aadOff, f.aad.length, dataOff, f.data.length, tagOff);
      const { ct, tag } = reference(f);
      expect(Buffer.from(buf.subarray(dataOff, tagOff))).toEqual(ct);
      expect(Buffer.from(buf.subarray(tagOff, tagOff + 16))).toEqual(tag);

      const sealed = buf.slice();
      const bits = (f.aad.length + f.data.length + 16) * 8;
      const bit = flip % bits;
      const at = bit >> 3 < f.aad.length ? aadOff + (bit >> 3) : bit >> 3 < f.aad.length + f.data.length ? dataOff + (bit >> 3) - f.aad.length : tagOff + (bit >> 3) - f.aad.length - f.data.length;
      buf[at]! ^= 1 << (bit & 7);
      const tampered = buf.slice();
      expect(g.open(f.iv, buf, aadOff, f.aad.length, dataOff, f.data.length, tagOff)).toBe(false);
      expect(buf).toEqual(tampered);
      buf[at]! ^= 1 << (bit & 7);
      expect(buf).toEqual(sealed);
      expect(g.open(f.iv, buf, aadOff, f.aad.length, dataOff, f.data.length, tagOff)).toBe(true);
      expect(buf.subarray(dataOff, tagOff)).toEqual(f.data);
      g.wipe();
    }),
    { numRuns: 150 },
  );
}

/** Bursts of random frames sealed by `create(…, backend)` equal node:crypto; tampered ones are flagged, not opened. */
function burstProperty(create: typeof createGcm, backend: BackendName): void {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(arbFrame, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (key, frames, bad) => {
      const g = create(key, backend);
      const n = frames.length;
      const parts = frames.map((f) => layout({ ...f, key }));
      const total = parts.reduce((a, p) => a + p.buf.length, 0) + 1;
      // One buffer for the burst, starting one octet in so that nothing is aligned by accident.
      const data = new Uint8Array(total);
      const desc = new Int32Array(n * DESC_WORDS);
      const results = new Uint8Array(n);
      let at = 1;
      parts.forEach((p, i) => {
        const f = frames[i]!;
        data.set(p.buf, at);
        const d = i * DESC_WORDS;
        desc[d + D_AAD_OFF] = at + p.aadOff;
        desc[d + D_AAD_LEN] = f.aad.length;
        desc[d + D_DATA_OFF] = at + p.dataOff;
        desc[d + D_DATA_LEN] = f.data.length;
        desc[d + D_TAG_OFF] = at + p.tagOff;
        const iv = new DataView(f.iv.buffer, f.iv.byteOffset, 12);
        for (let k = 0; k < 3; k++) desc[d + D_IV + k] = iv.getInt32(4 * k, true);
        at += p.buf.length;
      });
      const burst = { data, desc, results };
      g.sealBurst(burst, 0, n);
      frames.forEach((f, i) => {
        const d = i * DESC_WORDS;
        const { ct, tag } = reference({ ...f, key });
        expect(Buffer.from(data.subarray(desc[d + D_DATA_OFF], desc[d + D_TAG_OFF]))).toEqual(ct);
        expect(Buffer.from(data.subarray(desc[d + D_TAG_OFF], desc[d + D_TAG_OFF]! + 16))).toEqual(tag);
        if (bad[i]) data[desc[d + D_TAG_OFF]! + 3]! ^= 0x40;
      });
      const verified = g.openBurst(burst, 0, n);
      expect(verified).toBe(frames.filter((_, i) => !bad[i]).length);
      frames.forEach((f, i) => {
        const d = i * DESC_WORDS;
        expect(results[i]).toBe(bad[i] ? 0 : 1);
        if (!bad[i]) expect(data.subarray(desc[d + D_DATA_OFF], desc[d + D_TAG_OFF])).toEqual(f.data);
      });
      g.wipe();
    }),
    { numRuns: 60 },
  );
}

describe('backends', () => {
  it('reports every backend, with why one is unavailable', () => {
    const all = availableBackends();
    expect(all.map((b) => b.name)).toEqual(ALL_BACKEND_NAMES);
    for (const b of all) expect(b.detail.length).toBeGreaterThan(0);
    expect(backendNames()).toEqual(all.filter((b) => b.available).map((b) => b.name));
    expect(backendNames()).toContain('noble');
    expect(backendNames()).toContain('node');
  });

  it('refuses native when it is not built, saying why', () => {
    const native = availability.get('native')!;
    if (native.available) expect(() => createGcm(new Uint8Array(16), 'native').wipe()).not.toThrow();
    else expect(() => createGcm(new Uint8Array(16), 'native')).toThrow(native.detail);
  });

  it('takes a plain KeystreamSource (octets, no burst keystream)', () => {
    const key = randomBytes(16);
    const inner = nodeKeystream(key);
    const plain: KeystreamSource = { keystream: (iv, n) => inner.keystream(iv, n), encryptZeroBlock: () => inner.encryptZeroBlock(), wipe: () => inner.wipe() };
    const g = new Gcm(plain);
    const f: Frame = { key, iv: randomBytes(12), aad: randomBytes(21), data: randomBytes(77), lead: 3, gap: 1 };
    const { buf, aadOff, dataOff, tagOff } = layout(f);
    g.seal(f.iv, buf, aadOff, f.aad.length, dataOff, f.data.length, tagOff);
    expect(Buffer.from(buf.subarray(dataOff, tagOff + 16))).toEqual(Buffer.concat(Object.values(reference(f))));
    const decipher = createDecipheriv('aes-128-gcm', key, f.iv).setAAD(f.aad).setAuthTag(buf.subarray(tagOff, tagOff + 16));
    expect(Buffer.concat([decipher.update(buf.subarray(dataOff, tagOff)), decipher.final()])).toEqual(Buffer.from(f.data));
    g.wipe();
  });
});
