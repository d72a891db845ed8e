import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendNames } from '../../src/crypto/backend.js';
import { decodeVector, runVector } from '../../src/conformance/vectors.js';
import { referenceVector, type ReferenceInput } from '../support/reference.js';

const suites = ['GCM-AES-128', 'GCM-AES-256', 'GCM-AES-XPN-128', 'GCM-AES-XPN-256'] as const;

/** PN edges: 1, around 2^31 and 2^32 - 1, and for XPN across the 2^32 boundary and near 2^64. */
const pnFor = (xpn: boolean) =>
  xpn
    ? fc.oneof(
        fc.constantFrom(0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0x1_0000_0001n, 0xffff_ffff_ffff_ffffn),
        fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
      )
    : fc.oneof(fc.constantFrom(1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn), fc.bigInt({ min: 1n, max: 0xffff_ffffn }));

const arbInput: fc.Arbitrary<ReferenceInput> = fc
  .record({
    suite: fc.constantFrom(...suites),
    sciForm: fc.constantFrom('explicit', 'endStation', 'implicit', 'scb'),
    an: fc.integer({ min: 0, max: 3 }),
    confidentiality: fc.boolean(),
    offset: fc.constantFrom(0 as const, 30 as const, 50 as const),
    clearTags: fc.integer({ min: 0, max: 2 }),
    innerVlan: fc.boolean(),
    userLength: fc.oneof(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 2, max: 1600 })),
    seed: fc.uint8Array({ minLength: 96, maxLength: 96 }),
  })
  .chain((r) => pnFor(r.suite.includes('XPN')).map((pn) => ({ ...r, pn })))
  .map((r) => {
    const bytes = Buffer.from(r.seed);
    const key = bytes.subarray(0, r.suite.endsWith('256') ? 32 : 16);
    const addresses = bytes.subarray(32, 44);
    const endStation = r.sciForm === 'endStation';
    const sci = endStation ? Buffer.concat([addresses.subarray(6, 12), Buffer.from([0, 1])]) : bytes.subarray(44, 52);
    const tags = Buffer.alloc(4 * r.clearTags);
    for (let i = 0; i < r.clearTags; i++) tags.set([i === 0 && r.clearTags === 2 ? 0x88 : 0x81, i === 0 && r.clearTags === 2 ? 0xa8 : 0x00, 0, 10 + i], 4 * i);
    const user = Buffer.alloc(Math.max(r.userLength, r.innerVlan ? 6 : 2));
    for (let i = 0; i < user.length; i++) user[i] = (i * 7 + bytes[0]!) & 0xff;
    if (r.innerVlan) user.set([0x81, 0x00, 0x00, 0x05, 0x08, 0x00]);
    return {
      cipherSuite: r.suite,
      key,
      sci,
      an: r.an,
      pn: r.pn,
      ssci: bytes.subarray(52, 56),
      salt: bytes.subarray(56, 68),
      es: endStation,
      sc: r.sciForm === 'explicit',
      scb: r.sciForm === 'scb',
      confidentiality: r.confidentiality,
      confidentialityOffset: r.offset,
      clearTags: r.clearTags,
      unprotectedFrame: Buffer.concat([addresses, tags, user]),
    };
  });

describe('frames from an independent implementation (node:crypto + octet-by-octet framing)', () => {
  it('pass in both directions on every backend: every suite, mode, SCI form, offset, clear tags and PN edge', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const v = decodeVector('reference', referenceVector(input), 0);
        for (const backend of backendNames()) expect(runVector(v, backend).problems).toEqual([]);
      }),
      { numRuns: 600 },
    );
  });

  it('a vector that contradicts itself is reported as inconsistent, not passed', () => {
    const base = {
      cipherSuite: 'GCM-AES-128' as const,
      key: Buffer.alloc(16, 1),
      sci: Buffer.alloc(8, 2),
      an: 1,
      pn: 5n,
      es: false,
      sc: true,
      scb: false,
      confidentiality: true,
      confidentialityOffset: 0 as const,
      clearTags: 0,
      unprotectedFrame: Buffer.alloc(70, 3),
    };
    const good = referenceVector(base);
    const cases: Record<string, unknown>[] = [
      { ...good, sl: 5 },
      { ...good, tci: '2e' },
      { ...good, key: '00'.repeat(32) },
      { ...good, confidentiality: false },
      { ...good, icv: '00'.repeat(16) },
    ];
    for (const c of cases) expect(runVector(decodeVector('x', c, 0), 'noble').status).toBe('inconsistent');
    expect(runVector(decodeVector('x', good, 0), 'noble').status).toBe('pass');
  });
});
