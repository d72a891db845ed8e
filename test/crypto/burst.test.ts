/**
 * protectBurst / validateBurst, on one thread and split with a worker thread, against the per-frame
 * protect / validate (themselves checked against node:crypto and Annex C): byte-identical frames for random
 * suites, SecTAG options, confidentiality offsets (so odd data offsets), clear tags, lengths and PNs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_BACKEND_NAMES, availableBackends, type BackendName } from '../../src/crypto/backend.js';
import { protectBurst, validateBurst, type BurstProtectOptions } from '../../src/crypto/burst.js';
import { protect, transmitTci, validate } from '../../src/crypto/macsec.js';
import { BurstPool } from '../../src/crypto/pool.js';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES, type CipherSuiteName, type ConfidentialityOffset } from '../../src/crypto/suite.js';
import { loadVectorFile } from '../../src/conformance/files.js';
import { vectorProtectOptions } from '../../src/conformance/vectors.js';
import { ConfigError } from '../../src/util/errors.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { splittingPool } from '../support/pool.js';

const availability = new Map(availableBackends().map((b) => [b.name, b]));
function eachBackend(body: (backend: BackendName) => void): void {
  for (const name of ALL_BACKEND_NAMES) {
    const b = availability.get(name)!;
    describe.skipIf(!b.available)(`${name}${b.available ? '' : ` (skipped: ${b.detail})`}`, () => body(name));
  }
}

const pool = splittingPool();

/** A value as a caller without the types could pass it. */
const untyped = <T>(x: unknown): T => x as T;

const SUITES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];

interface Case {
  suite: CipherSuiteName;
  seed: Uint8Array;
  options: BurstProtectOptions;
  frames: Uint8Array[];
  pns: bigint[];
  tamper: boolean[];
}

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    suite: fc.constantFrom(...SUITES),
    seed: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    an: fc.integer({ min: 0, max: 3 }),
    sciForm: fc.constantFrom('explicit', 'implicit', 'endStation', 'scb'),
    confidentiality: fc.boolean(),
    offset: fc.constantFrom<ConfidentialityOffset>(0, 30, 50),
    clearTags: fc.integer({ min: 0, max: 2 }),
    lengths: fc.array(fc.oneof(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 2, max: 1600 })), { minLength: 1, maxLength: 9 }),
    pnBase: fc.bigInt({ min: 1n, max: 0xffff_ff00n }),
    pnHigh: fc.constantFrom(0n, 1n, 0xffff_ffffn),
    tamper: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
  })
  .map((r) => {
    const xpn = r.suite.includes('XPN');
    const options: BurstProtectOptions = {
      ...transmitTci(r.an, { includeSci: r.sciForm === 'explicit', endStation: r.sciForm === 'endStation', scb: r.sciForm === 'scb', confidentiality: r.confidentiality }),
      sci: r.seed.slice(48, 56),
      confidentialityOffset: r.offset,
      clearTags: r.clearTags,
    };
    const frames = r.lengths.map((user, i) => {
      const f = new Uint8Array(12 + 4 * r.clearTags + user);
      for (let k = 0; k < f.length; k++) f[k] = (k * 13 + i * 7 + r.seed[k % 64]!) & 0xff;
      for (let t = 0; t < r.clearTags; t++) f.set([0x81, 0x00, 0, 5 + t], 12 + 4 * t);
      return f;
    });
    const pns = r.lengths.map((_, i) => (xpn ? (r.pnHigh << 32n) : 0n) + r.pnBase + BigInt(i));
    return { suite: r.suite, seed: r.seed, options, frames, pns, tamper: r.tamper };
  });

function saFor(c: Case, backend: BackendName, executor?: BurstPool): SaContext {
  const suite = CIPHER_SUITES[c.suite];
  const xpn = suite.xpn;
  const key = { suite, key: c.seed.slice(0, suite.keyLength), ssci: xpn ? c.seed.slice(32, 36) : undefined, salt: xpn ? c.seed.slice(36, 48) : undefined };
  const sa = new SaContext(key, backend);
  executor?.install(sa, key);
  return sa;
}

const halves = (pns: readonly bigint[]): { high: number[]; low: number[] } => ({
  high: pns.map((p) => Number(p >> 32n)),
  low: pns.map((p) => Number(p & 0xffff_ffffn)),
});

describe('protectBurst / validateBurst = protect / validate per frame', () => {
  eachBackend((backend) => {
    for (const threaded of [false, true]) {
      it(threaded ? 'split with a worker thread' : 'on this thread', () => {
        fc.assert(
          fc.property(arbCase, (c) => {
            const sa = saFor(c, backend, threaded ? pool() : undefined);
            const { high, low } = halves(c.pns);
            const run = { executor: threaded ? pool() : undefined };
            const out = protectBurst(sa, c.frames, c.options, high, low, run);
            const expected = c.frames.map((f, i) => protect(sa, f, { ...c.options, pn: c.pns[i]! }));
            expect(out).toEqual(expected);
            for (const f of out) expect(f.buffer).toBeInstanceOf(ArrayBuffer);

            // Receive: tamper with some frames' secure data or ICV, then validate as a receiver would.
            const received = out.map((f, i) => {
              const copy = f.slice();
              if (c.tamper[i]) copy[copy.length - 1 - (i % 20)]! ^= 0x10;
              return copy;
            });
            const parsed = received.map((f) => parseMacsecFrame(f, { clearTags: c.options.clearTags ?? 0, allowZeroPN: true }));
            const layouts = parsed.map((p) => {
              if (!p.ok) throw new Error(p.error.message);
              return p.value;
            });
            const scis = layouts.map(() => c.options.sci);
            const back = validateBurst(sa, received, layouts, scis, high, { confidentialityOffset: c.options.confidentialityOffset }, run);
            const perFrame = received.map((f, i) => validate(sa, f, layouts[i]!, { sci: scis[i]!, pnHigh: high[i]!, confidentialityOffset: c.options.confidentialityOffset }));
            expect(back).toEqual(perFrame);
            back.forEach((b, i) => expect(b).toEqual(c.tamper[i] ? null : c.frames[i]));
            sa.wipe();
          }),
          { numRuns: threaded ? 40 : 80 },
        );
      });
    }
  });
});

describe('Annex C vectors through bursts', () => {
  const dir = join(import.meta.dirname, '..', '..', 'vectors');
  const vectors = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => loadVectorFile(join(dir, f)));
  eachBackend((backend) => {
    it(`all ${vectors.length}, single and split`, () => {
      for (const v of vectors) {
        const sa = new SaContext({ suite: v.suite, key: v.key, ssci: v.ssci, salt: v.salt }, backend);
        pool().install(sa, v);
        const options: BurstProtectOptions = vectorProtectOptions(v);
        const high = [Number(v.pn >> 32n)], low = [Number(v.pn & 0xffff_ffffn)];
        expect(protectBurst(sa, [v.unprotectedFrame], options, high, low), v.name).toEqual([v.protectedFrame]);
        // Twice the same frame: a split burst (PN reuse does not matter to the arithmetic).
        const two = protectBurst(sa, [v.unprotectedFrame, v.unprotectedFrame], options, [...high, ...high], [...low, ...low], { executor: pool() });
        expect(two, v.name).toEqual([v.protectedFrame, v.protectedFrame]);
        const parsed = parseMacsecFrame(v.protectedFrame, { clearTags: v.clearTags, allowZeroPN: v.suite.xpn });
        if (!parsed.ok) throw new Error(parsed.error.message);
        const tagSci = parsed.value.secTag.sci ?? v.sci;
        const opened = validateBurst(sa, [v.protectedFrame, v.protectedFrame], [parsed.value, parsed.value], [tagSci, tagSci], [...high, ...high], v, { executor: pool() });
        expect(opened, v.name).toEqual([v.unprotectedFrame, v.unprotectedFrame]);
        sa.wipe();
      }
    });
  });
});

describe('arguments', () => {
  const suite = CIPHER_SUITES['GCM-AES-128'];
  const options: BurstProtectOptions = { an: 0, sci: new Uint8Array(8), includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0 };
  const frame = new Uint8Array(60);

  it('rejects PNs, frames and layouts that cannot be right, before encrypting anything', () => {
    const sa = new SaContext({ suite, key: new Uint8Array(16) });
    expect(() => protectBurst(sa, [frame], options, [0], [0])).toThrow(ConfigError);
    expect(() => protectBurst(sa, [frame], options, [1], [1])).toThrow(ConfigError);
    expect(() => protectBurst(sa, [frame], options, [0], [2 ** 32])).toThrow(ConfigError);
    expect(() => protectBurst(sa, [frame, frame], options, [0], [1])).toThrow(ConfigError);
    expect(() => protectBurst(sa, [new Uint8Array(13)], options, [0], [1])).toThrow(ConfigError);
    // What the types rule out, from a caller without them: AN 4, SC with ES.
    expect(() => protectBurst(sa, [frame], untyped({ ...options, an: 4 }), [0], [1])).toThrow(/^an: expected an integer 0-3/);
    expect(() => protectBurst(sa, [frame], untyped({ ...options, endStation: true }), [0], [1])).toThrow(/SC=1 only with ES=0/);
    const [sealed] = protectBurst(sa, [frame], options, [0], [1]);
    const parsed = parseMacsecFrame(sealed!);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(() => validateBurst(sa, [sealed!.subarray(0, 40)], [parsed.value], [options.sci], [0], options)).toThrow(ConfigError);
    expect(() => validateBurst(sa, [sealed!], [parsed.value], [new Uint8Array(7)], [0], options)).toThrow(ConfigError);
    expect(() => validateBurst(sa, [sealed!], [parsed.value], [options.sci], [-1], options)).toThrow(ConfigError);
    sa.wipe();
  });

  it('refuses a wiped SA; the pool forgets it and goes on with others', () => {
    const key = { key: new Uint8Array(16).fill(1) };
    const sa = new SaContext({ suite, ...key }, 'node');
    pool().install(sa, key);
    const first = protectBurst(sa, [frame, frame], options, [0, 0], [1, 2], { executor: pool() });
    sa.wipe();
    expect(() => protectBurst(sa, [frame, frame], options, [0, 0], [1, 2], { executor: pool() })).toThrow(ConfigError);
    const again = new SaContext({ suite, ...key }, 'node');
    pool().install(again, key);
    expect(protectBurst(again, [frame, frame], options, [0, 0], [1, 2], { executor: pool() })).toEqual(first);
    again.wipe();
  });

  it('a pool splits only the bursts of SAs installed in it, and says so of others', () => {
    const sa = new SaContext({ suite, key: new Uint8Array(16).fill(2) }, 'node');
    expect(() => protectBurst(sa, [frame, frame], options, [0, 0], [1, 2], { executor: pool() })).toThrow(/installed in this pool/);
    expect(() => protectBurst(sa, [frame], options, [0], [1], { executor: pool() })).not.toThrow(); // below minFrames: run here
    sa.wipe();
  });

  it('a closed pool is not used: its bursts run on this thread', async () => {
    const p = await BurstPool.create({ workers: 1, minFrames: 2 });
    await p.close();
    const sa = new SaContext({ suite, key: new Uint8Array(16) });
    expect(() => protectBurst(sa, [frame, frame], options, [0, 0], [1, 2], { executor: p })).not.toThrow();
    sa.wipe();
  });
});
