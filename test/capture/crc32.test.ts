import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { appendFcs, crc32, hasValidFcs } from '../../src/capture/index.js';
import { ConfigError } from '../../src/util/errors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bit-at-a-time CRC-32, the definition the table-driven one must agree with. */
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('agrees with the bitwise definition at every length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(7), (bytes, skip) => {
        const start = Math.min(skip, bytes.length);
        expect(crc32(bytes, start)).toBe(crc32Bitwise(bytes.subarray(start)));
      }),
    );
  });

  it('covers only [start, end)', () => {
    const b = ascii('xx123456789yy');
    expect(crc32(b, 2, 11)).toBe(0xcbf43926);
    expect(crc32(b.subarray(2, 11))).toBe(0xcbf43926);
  });

  it('rejects a range outside the bytes', () => {
    const b = new Uint8Array(4);
    for (const [s, e] of [[-1, 4], [0, 5], [3, 2], [0.5, 4]] as const) expect(() => crc32(b, s, e)).toThrow(ConfigError);
  });
});

describe('FCS', () => {
  it('is appended least significant octet first', () => {
    const f = appendFcs(ascii('123456789'));
    expect(Array.from(f.subarray(9))).toEqual([0x26, 0x39, 0xf4, 0xcb]);
  });

  it('leaves the 802.3 residue over frame and FCS', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (frame) => {
        // CRC over data and its own FCS is the constant 0x2144DF1C (0xDEBB20E3 before the final XOR).
        expect(crc32(appendFcs(frame))).toBe(0x2144df1c);
        expect(hasValidFcs(appendFcs(frame))).toBe(true);
      }),
    );
  });

  it('detects any single flipped bit', () => {
    const f = appendFcs(ascii('an Ethernet frame, more or less'));
    for (let bit = 0; bit < f.length * 8; bit++) {
      const g = f.slice();
      g[bit >> 3]! ^= 1 << (bit & 7);
      expect(hasValidFcs(g)).toBe(false);
    }
  });

  it('is not found in fewer than four octets', () => {
    expect(hasValidFcs(new Uint8Array(3))).toBe(false);
    expect(hasValidFcs(appendFcs(new Uint8Array(0)))).toBe(true);
  });
});
