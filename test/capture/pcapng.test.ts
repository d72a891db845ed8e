import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CaptureReader, readCapture, readPcapng, writePcapng, type CaptureRecord } from '../../src/capture/index.js';
import { fromHex } from '../../src/util/hex.js';
import { ConfigError } from '../../src/util/errors.js';
import { block, Builder, concat, epb, expectCaptureError, frame, idb, options, shb, source, spb } from './build.js';

const hex = (s: string): Uint8Array => fromHex(s.replace(/\s+/g, ''));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;
const u64le = (v: bigint): Uint8Array => new Builder(true).u64(v).build();

describe('pcapng: hand-built files', () => {
  // SHB (28) + IDB (20, snaplen 262144) + EPB (92: 60 octets at 1_700_000_000.123456 s in microseconds).
  const minimal = concat(
    hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000'),
    hex('01000000 14000000 0100 0000 00000400 14000000'),
    hex('06000000 5c000000 00000000 240a0600 40222018 3c000000 3c000000'),
    frame(60),
    hex('5c000000'),
  );

  it('reads a minimal file', () => {
    const capture = readCapture(minimal, 'min.pcapng');
    expect(capture.format).toBe('pcapng');
    expect(capture.records).toEqual([
      { data: frame(60), timestampNs: 1_700_000_000_123_456_000n, originalLength: 60, interfaceId: 0, fcs: 'none', truncated: false },
    ]);
  });

  it('writes exactly those octets', () => {
    expect(writePcapng([{ data: frame(60), timestampNs: 1_700_000_000_123_456_789n }])).toEqual(minimal);
  });

  /**
   * Two sections, the second in the other byte order. Section 0: four interfaces (µs, ns, 2^-10
   * with an offset, one Linux SLL with no packets), packets in EPBs and an SPB, and blocks to
   * skip. Section 1: one interface, an EPB and an obsolete Packet Block.
   */
  function twoSections(le: boolean): Uint8Array {
    const other = !le;
    return concat(
      shb(le),
      idb(le, 1, 64, [{ code: IF_NAME, value: utf8('eth0') }]),
      idb(le, 1, 0, [{ code: IF_TSRESOL, value: [9] }]),
      block(le, 4, (b) => b.u16(1).u16(8).bytes([192, 0, 2, 1]).bytes(utf8('a\0\0\0')).u32(0)), // name resolution
      idb(le, 1, 0, [
        { code: IF_TSRESOL, value: [0x80 | 10] },
        { code: IF_TSOFFSET, value: new Builder(le).u64(1000n).build() },
      ]),
      epb(le, { interfaceId: 1, units: 1_700_000_000_123_456_789n, data: frame(61, 1) }),
      block(le, 5, (b) => b.u32(0).u32(0).u32(0).u32(0)), // interface statistics
      epb(le, { interfaceId: 0, units: 1_700_000_000_000_001n, data: frame(62, 2), options: [{ code: 1, value: utf8('a comment') }] }),
      spb(le, 100, frame(64, 3)),
      block(le, 0xbad, (b) => b.u32(32473).bytes([1, 2, 3, 4, 5])), // custom
      block(le, 0x12345678, (b) => b.bytes(new Uint8Array(40).fill(0xee))), // unknown
      epb(le, { interfaceId: 2, units: 1025n, data: frame(63, 4) }),
      idb(le, 113, 0),
      shb(other),
      idb(other, 1, 0),
      epb(other, { interfaceId: 0, units: 5n, data: frame(65, 5), originalLength: 1500 }),
      block(other, 2, (b) => b.u16(0).u16(0).u32(0).u32(6).u32(66).u32(66).bytes(frame(66, 6)).pad()),
    );
  }

  it.each([true, false])('reads several sections, interfaces and packet blocks (little-endian first: %s)', (le) => {
    const capture = readCapture(twoSections(le), 'multi.pcapng');
    expect(capture.interfaces.map((i) => [i.section, i.linkType, i.snapLength, i.tsResolution, i.tsOffsetSeconds, i.name])).toEqual([
      [0, 1, 64, { base: 10, exponent: 6 }, 0n, 'eth0'],
      [0, 1, 0, { base: 10, exponent: 9 }, 0n, undefined],
      [0, 1, 0, { base: 2, exponent: 10 }, 1000n, undefined],
      [0, 113, 0, { base: 10, exponent: 6 }, 0n, undefined],
      [1, 1, 0, { base: 10, exponent: 6 }, 0n, undefined],
    ]);
    const record = (data: Uint8Array, timestampNs: bigint, interfaceId: number, originalLength = data.length): CaptureRecord => ({
      data,
      timestampNs,
      originalLength,
      interfaceId,
      fcs: 'none',
      truncated: originalLength > data.length,
    });
    expect(capture.records).toEqual([
      record(frame(61, 1), 1_700_000_000_123_456_789n, 1),
      record(frame(62, 2), 1_700_000_000_000_001_000n, 0),
      record(frame(64, 3), 0n, 0, 100), // SPB: snaplen 64 of interface 0, no timestamp
      record(frame(63, 4), 1_001_000_976_562n, 2), // 1025/1024 s, floored to ns, plus 1000 s
      record(frame(65, 5), 5_000n, 4, 1500),
      record(frame(66, 6), 6_000n, 4),
    ]);
  });

  it('reads an SPB in full when interface 0 has no snapshot length', () => {
    const { records } = readCapture(concat(shb(false), idb(false, 1, 0), spb(false, 61, frame(61))));
    expect(records[0]).toMatchObject({ data: frame(61), originalLength: 61, truncated: false, timestampNs: 0n });
  });

  it('floors timestamps finer than a nanosecond', () => {
    const bytes = concat(
      shb(true),
      idb(true, 1, 0, [{ code: IF_TSRESOL, value: [12] }]), // picoseconds
      idb(true, 1, 0, [{ code: IF_TSRESOL, value: [0x80 | 40] }]), // 2^-40 s
      idb(true, 1, 0, [{ code: IF_TSRESOL, value: [0] }]), // whole seconds
      epb(true, { interfaceId: 0, units: 1_999n, data: frame(60) }),
      epb(true, { interfaceId: 1, units: 1n << 40n, data: frame(60) }),
      epb(true, { interfaceId: 2, units: 7n, data: frame(60) }),
    );
    expect(readCapture(bytes).records.map((r) => r.timestampNs)).toEqual([1n, 1_000_000_000n, 7_000_000_000n]);
  });

  it('reads a file with no interfaces and no packets', () => {
    expect(readCapture(shb(true))).toEqual({ format: 'pcapng', linkType: 1, interfaces: [], records: [] });
  });

  it('accepts a packet block with no padding needed and options after the data', () => {
    const bytes = concat(shb(true), idb(true, 1, 0), epb(true, { interfaceId: 0, units: 1n, data: frame(64), options: [{ code: 2, value: [0, 0, 0, 0] }] }));
    expect(readCapture(bytes).records[0]!.data).toEqual(frame(64));
  });
});

describe('pcapng: write then read', () => {
  const record = fc.record({
    data: fc.uint8Array({ minLength: 14, maxLength: 200 }),
    timestamp: fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }),
    cut: fc.nat(40),
    interfaceId: fc.nat(3),
  });

  it.each(['us', 'ns'] as const)('keeps records, interfaces and %s timestamps', (resolution) => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (specs) => {
        const step = resolution === 'us' ? 1000n : 1n;
        const records = specs.map((s) => ({
          data: s.data,
          timestampNs: (s.timestamp / step) * step,
          originalLength: s.data.length + s.cut,
          interfaceId: s.interfaceId,
        }));
        const capture = readPcapng(writePcapng(records, { resolution }), 'rt.pcapng', { fcsMode: 'absent' });
        expect(capture.interfaces).toHaveLength(Math.max(1, ...records.map((r) => r.interfaceId + 1)));
        expect(capture.records).toEqual(records.map((r) => ({ ...r, fcs: 'none', truncated: r.originalLength > r.data.length })));
      }),
    );
  });

  it('refuses what it cannot write', () => {
    const data = frame(60);
    expect(() => writePcapng([{ data, timestampNs: -5n }])).toThrow(ConfigError);
    expect(() => writePcapng([{ data, timestampNs: 0n, interfaceId: 70000 }])).toThrow(/interfaceId/);
    expect(() => writePcapng([{ data, timestampNs: 1n << 64n }], { resolution: 'ns' })).toThrow(/64 bits/);
  });
});

describe('pcapng: bad input', () => {
  const le = true;
  const head = concat(shb(le), idb(le, 1, 0)); // 48 octets
  const packet = epb(le, { interfaceId: 0, units: 1n, data: frame(60) }); // 92 octets at 48
  const good = concat(head, packet);

  it('does not start with a Section Header Block', () => {
    expectCaptureError(() => readPcapng(packet, 'x.pcapng'), 'BAD_MAGIC', 0, /^x\.pcapng: pcapng file does not start with a Section Header Block at offset 0$/);
  });

  it('bad byte-order magic', () => {
    const bytes = good.slice();
    bytes[8] = 0x4e;
    expectCaptureError(() => readCapture(bytes, 'x.pcapng'), 'BAD_MAGIC', 8, /byte-order magic 0x4e3c2b1a at offset 8/);
  });

  it('unknown major version', () => {
    expectCaptureError(() => readCapture(shb(false, 2)), 'VERSION', 12, /version 2\.0 at offset 12 is not 1\.x/);
  });

  it('truncated block', () => {
    const e = expectCaptureError(() => readCapture(good.subarray(0, 68), 'capture.pcapng'), 'TRUNCATED', 48);
    expect(e.message).toBe('capture.pcapng: truncated Enhanced Packet Block at offset 48 (needs 92 octets, 20 left)');
    expectCaptureError(() => readCapture(good.subarray(0, 56)), 'TRUNCATED', 48, /Enhanced Packet Block at offset 48 \(needs 12 octets, 8 left\)/);
    expectCaptureError(() => readCapture(good.subarray(0, 50)), 'TRUNCATED', 48, /truncated block at offset 48/);
    expectCaptureError(() => readCapture(good.subarray(0, 10)), 'TRUNCATED', 0, /Section Header Block at offset 0 \(needs 28 octets, 10 left\)/);
  });

  it('block total lengths that disagree', () => {
    const bytes = concat(head, block(le, 6, (b) => b.u32(0).u32(0).u32(1).u32(60).u32(60).bytes(frame(60)), 4));
    expectCaptureError(() => readCapture(bytes), 'BAD_BLOCK', 48, /block total length 92 at its start but 96 at its end/);
  });

  it('a block total length past what a block may have: refused at the length, before its octets are asked for', async () => {
    const bytes = concat(shb(true), idb(true, 1, 65535), Uint8Array.from([6, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff]), new Uint8Array(8 << 20));
    const message = /Enhanced Packet Block at offset 48: block total length 4294967280 exceeds the \d+ octets a block may have here/;
    expectCaptureError(() => readCapture(bytes), 'BAD_BLOCK', 48, message);
    // Streamed, with more of the file still to come: the same error, no attempt to make room for 4 GiB.
    const reader = await CaptureReader.open(source(bytes, 1 << 20), 'f');
    await expect(reader.next(10)).rejects.toThrow(message);
  });

  it('block total length not a multiple of 4, or too small', () => {
    const odd = concat(head, new Builder(le).u32(6).u32(13).u32(0).u8(0).build());
    expectCaptureError(() => readCapture(odd), 'BAD_BLOCK', 48, /13 is not a multiple of 4/);
    const tiny = concat(head, new Builder(le).u32(99).u32(8).build(), new Uint8Array(8));
    expectCaptureError(() => readCapture(tiny), 'BAD_BLOCK', 48, /8 is not a multiple of 4 of at least 12/);
    const short = concat(head, block(le, 6, (b) => b.u32(0)));
    expectCaptureError(() => readCapture(short), 'BAD_BLOCK', 48, /length 16 is under the 32 octets/);
  });

  it('captured length that overruns its block', () => {
    const bytes = concat(head, block(le, 6, (b) => b.u32(0).u32(0).u32(1).u32(61).u32(61).bytes(frame(60))));
    expectCaptureError(() => readCapture(bytes), 'BAD_BLOCK', 48, /captured length 61 overruns the block/);
  });

  it('Simple Packet Block longer than its block', () => {
    const bytes = concat(head, spb(le, 100, frame(60)));
    expectCaptureError(() => readCapture(bytes), 'BAD_BLOCK', 48, /100 packet octets do not fit in a block of 76/);
  });

  it('malformed options', () => {
    const overrun = concat(shb(le), block(le, 1, (b) => b.u16(1).u16(0).u32(0).u16(IF_NAME).u16(200).u32(0)));
    expectCaptureError(() => readCapture(overrun), 'BAD_BLOCK', 28, /option 2 at offset 44 \(200 octets\) overruns the block/);
    const wrongSize = concat(shb(le), idb(le, 1, 0, [{ code: IF_TSRESOL, value: [9, 9] }]));
    expectCaptureError(() => readCapture(wrongSize), 'BAD_BLOCK', 28, /if_tsresol option at offset 44 has 2 octets, not 1/);
    const flags = concat(head, epb(le, { interfaceId: 0, units: 1n, data: frame(60), options: [{ code: 2, value: [0] }] }));
    expectCaptureError(() => readCapture(flags), 'BAD_BLOCK', 48, /epb_flags option/);
  });

  it('packet from an interface its section does not declare', () => {
    const bytes = concat(head, epb(le, { interfaceId: 1, units: 1n, data: frame(60) }));
    expectCaptureError(() => readCapture(bytes), 'BAD_BLOCK', 48, /refers to interface 1, but its section has 1 Interface Description Blocks/);
    // Interface ids are per section: a new section starts with none.
    expectCaptureError(() => readCapture(concat(good, shb(le), packet)), 'BAD_BLOCK', 168, /refers to interface 0/);
    expectCaptureError(() => readCapture(concat(shb(le), spb(le, 60, frame(60)))), 'BAD_BLOCK', 28, /Simple Packet Block at offset 28/);
  });

  it('link type other than Ethernet, only where a packet uses it', () => {
    const bytes = concat(shb(le), idb(le, 1, 0), idb(le, 113, 0), epb(le, { interfaceId: 0, units: 1n, data: frame(60) }));
    expect(readCapture(bytes).records).toHaveLength(1);
    const e = expectCaptureError(() => readCapture(concat(bytes, packet.slice().fill(1, 8, 9)), 'sll.pcapng'), 'LINKTYPE', 160);
    expect(e.message).toBe('sll.pcapng: Enhanced Packet Block at offset 160 (interface 1): link type 113 (Linux cooked SLL) is not Ethernet (1)');
    const spbOnWifi = concat(shb(le), idb(le, 105, 0), spb(le, 60, frame(60)));
    expectCaptureError(() => readCapture(spbOnWifi), 'LINKTYPE', 48, /\(interface 0\): link type 105 \(IEEE 802\.11\)/);
  });

  it('packet over the size limit', () => {
    const big = concat(head, epb(le, { interfaceId: 0, units: 1n, data: new Uint8Array(300_000) }));
    expectCaptureError(() => readCapture(big), 'TOO_LARGE', 48, /captures 300000 octets, over the limit of 262144/);
    const claim = concat(head, new Builder(le).u32(6).u32(32).u32(0).u32(0).u32(0).u32(0xffffffff).u32(0xffffffff).u32(32).build());
    expectCaptureError(() => readCapture(claim), 'TOO_LARGE', 48);
    const bigSpb = concat(head, spb(le, 1 << 20, frame(60)));
    expectCaptureError(() => readCapture(bigSpb), 'TOO_LARGE', 48, /Simple Packet Block at offset 48 captures 1048576 octets/);
  });

  it('skips an unknown block however its body looks', () => {
    const junk = block(le, 0x7fffffff, (b) => b.bytes(new Uint8Array(20).fill(0xff)));
    expect(readCapture(concat(head, junk, packet)).records).toHaveLength(1);
  });
});

describe('pcapng: options helper', () => {
  it('closes an option list with opt_endofopt', () => {
    const b = new Builder(true);
    options(b, [{ code: IF_FCSLEN, value: [4] }]);
    expect(b.build()).toEqual(hex('0d00 0100 04000000 00000000'));
    expect(u64le(1n)).toEqual(hex('0100000000000000'));
  });
});
