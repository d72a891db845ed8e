/**
 * The SecTAG codec's fast paths against the plain one (wire/sectag.ts): the burst writer's word-wise
 * `writeSecTagWords` against `emitSecTag`, and the receive path's `quickLayout` against
 * `parseMacsecFrame`, on random SecTAGs and random frames.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { quickLayout } from '../../src/wire/quick-layout.js';
import { emitSecTag, shortLength, transmitTciOctet, writeSecTagWords } from '../../src/wire/sectag.js';
import { arbTransmitSecTag, type TransmitSecTagCase } from './arbitraries.js';

const word = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

describe('writeSecTagWords (the burst writer) = emitSecTag', () => {
  it('writes the same octets, and nothing else, at any offset', () => {
    fc.assert(
      fc.property(arbTransmitSecTag, fc.nat({ max: 9 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), ({ tci, sl, pn, sci }, at, background) => {
        const plain = background.slice();
        emitSecTag(tci, sl, pn, sci, plain, at);
        const fast = background.slice();
        writeSecTagWords(new DataView(fast.buffer), at, transmitTciOctet(tci), sl, pn, tci.includeSci, word(sci, 0), word(sci, 4));
        expect(fast).toEqual(plain);
      }),
    );
  });
});

/** A MACsec frame: addresses, the SecTAG, `dataLength` octets of secure data, the ICV, `padding` octets. */
function macsecFrame(tag: TransmitSecTagCase, dataLength: number, padding: number, fill: number): Uint8Array {
  const tagLength = tag.tci.includeSci ? 16 : 8;
  const f = new Uint8Array(12 + tagLength + dataLength + 16 + padding);
  for (let i = 0; i < f.length; i++) f[i] = (i * 31 + fill) & 0xff;
  emitSecTag(tag.tci, shortLength(dataLength), tag.pn, tag.sci, f, 12);
  return f;
}

describe('quickLayout (the receive fast path) = parseMacsecFrame', () => {
  it('accepts only what parseMacsecFrame accepts, with the same layout and SecTAG', () => {
    fc.assert(
      fc.property(
        arbTransmitSecTag,
        fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 1500 })),
        fc.nat({ max: 20 }),
        fc.nat({ max: 255 }),
        // Edits aimed at the SecTAG (octets 12-27) and around; the frame cut short or grown.
        fc.array(fc.record({ at: fc.nat({ max: 40 }), value: fc.nat({ max: 255 }) }), { maxLength: 4 }),
        fc.integer({ min: -20, max: 20 }),
        fc.boolean(),
        (tag, dataLength, padding, fill, edits, resize, allowZeroPN) => {
          const base = macsecFrame(tag, dataLength, padding, fill);
          const frame = new Uint8Array(Math.max(0, base.length + resize));
          frame.set(base.subarray(0, frame.length));
          for (const e of edits) if (e.at < frame.length) frame[e.at] = e.value;
          const quick = quickLayout(frame, allowZeroPN);
          const parsed = parseMacsecFrame(frame, { allowZeroPN });
          if (quick === undefined) return;
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const p = parsed.value;
          const { clearTags, secTagOffset, secureDataOffset, secureDataLength, icvOffset, padding: pad } = quick;
          expect({ clearTags, secTagOffset, secureDataOffset, secureDataLength, icvOffset, padding: pad }).toEqual({ ...p, secTag: undefined });
          const t = quick.secTag;
          expect({ tciAn: t.tciAn, tci: { ...t.tci }, an: t.an, sl: t.sl, pn: t.pn, sci: t.sci }).toEqual(p.secTag);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('takes every unedited frame with its SecTAG after the addresses that parseMacsecFrame takes', () => {
    fc.assert(
      fc.property(arbTransmitSecTag, fc.integer({ min: 2, max: 1500 }), (tag, dataLength) => {
        const frame = macsecFrame(tag, dataLength, 0, 7);
        expect(parseMacsecFrame(frame).ok).toBe(true);
        expect(quickLayout(frame, false)).toBeDefined();
      }),
    );
  });
});
