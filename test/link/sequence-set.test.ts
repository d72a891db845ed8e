/**
 * The link model's id set: what a Set of the same ids says, whatever the order of adds and deletes; and a set
 * whose ids come and go (frames on the wire) keeps room for its window only, however many ids went through.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceSet } from '../../src/link/sequence-set.js';

describe('SequenceSet', () => {
  it('answers as a Set over any adds and deletes, ids near each other and up to 2^20 apart', () => {
    const id = fc.oneof(fc.nat({ max: 200 }), fc.nat({ max: 2 ** 20 }), fc.integer({ min: 100_000, max: 100_400 }));
    fc.assert(
      fc.property(fc.array(fc.record({ add: fc.boolean(), n: id }), { maxLength: 300 }), (ops) => {
        const set = new SequenceSet();
        const ref = new Set<number>();
        for (const { add, n } of ops) {
          if (add) {
            set.add(n);
            ref.add(n);
          } else {
            set.delete(n);
            ref.delete(n);
          }
          expect(set.size).toBe(ref.size);
        }
        for (const n of ref) expect(set.has(n)).toBe(true);
        for (const { n } of ops) expect(set.has(n)).toBe(ref.has(n));
      }),
      { numRuns: 200 },
    );
  });

  it('slides: 10 M ids through a window of 1000 in flight keep its room at its first size', () => {
    const set = new SequenceSet();
    const first = set.capacity;
    for (let n = 0; n < 10_000_000; n++) {
      set.add(n);
      if (n >= 1000) set.delete(n - 1000);
    }
    expect(set.size).toBe(1000);
    expect(set.capacity).toBe(first);
    expect(set.has(9_999_000)).toBe(true);
    expect(set.has(8_999_999)).toBe(false);
  });
});
