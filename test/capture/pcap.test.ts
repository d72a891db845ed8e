import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readCapture, readPcap, writePcap, type CaptureRecord } from '../../src/capture/index.js';
import { fromHex } from '../../src/util/hex.js';
import { ConfigError } from '../../src/util/errors.js';
import { concat, expectCaptureError, frame, pcapHeader, pcapRecord } from './build.js';

const T = 1_700_000_000n; // 2023-11-14, a 32-bit seconds value
const ns = (seconds: bigint, fraction: bigint): bigint => seconds * 1_000_000_000n + fraction;

describe('pcap: hand-built files', () => {
  // 1_700_000_000 s = 0x6553F100, 123456 us = 0x0001E240, 60 octets = 0x3C.
  const littleEndian = concat(
    fromHex('d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000'.replace(/ /g, '')),
    fromHex('00f15365 40e20100 3c000000 3c000000'.replace(/ /g, '')),
    frame(60),
  );
  const bigEndian = concat(
    fromHex('a1b2c3d4 0002 0004 00000000 00000000 00040000 00000001'.replace(/ /g, '')),
    fromHex('6553f100 0001e240 0000003c 0000003c'.replace(/ /g, '')),
    frame(60),
  );

  it.each([
    ['little-endian', littleEndian],
    ['big-endian', bigEndian],
  ])('reads a %s microsecond file', (_, bytes) => {
    const capture = readCapture(bytes, 'hand.pcap');
    expect(capture.format).toBe('pcap');
    expect(capture.linkType).toBe(1);
    expect(capture.interfaces).toEqual([
      { linkType: 1, snapLength: 262144, tsResolution: { base: 10, exponent: 6 }, tsOffsetSeconds: 0n, fcsLength: undefined, name: undefined, section: 0 },
    ]);
    expect(capture.records).toEqual([
      { data: frame(60), timestampNs: ns(T, 123_456_000n), originalLength: 60, interfaceId: 0, fcs: 'none', truncated: false },
    ]);
  });

  it('writes exactly those octets', () => {
    expect(writePcap([{ data: frame(60), timestampNs: ns(T, 123_456_789n) }])).toEqual(littleEndian);
  });

  it.each([true, false])('reads nanosecond files (little-endian %s)', (le) => {
    const bytes = concat(
      pcapHeader(le, { nanoseconds: true }),
      pcapRecord(le, 1, 999_999_999, frame(64, 1)),
      pcapRecord(le, 0xffffffff, 5, frame(70, 2)),
    );
    const { records } = readCapture(bytes);
    expect(records.map((r) => r.timestampNs)).toEqual([1_999_999_999n, ns(0xffffffffn, 5n)]);
    expect(records.map((r) => r.data)).toEqual([frame(64, 1), frame(70, 2)]);
  });

  it('reports a truncated capture record as such', () => {
    const bytes = concat(pcapHeader(true, { snapLength: 64 }), pcapRecord(true, 1, 0, frame(64), 1514));
    const [record] = readCapture(bytes).records;
    expect(record).toMatchObject({ originalLength: 1514, truncated: true, fcs: 'none' });
    expect(record!.data).toEqual(frame(64));
  });

  it('raises an original length below the captured one to it', () => {
    const [record] = readCapture(concat(pcapHeader(true), pcapRecord(true, 1, 0, frame(64), 10))).records;
    expect(record).toMatchObject({ originalLength: 64, truncated: false });
  });

  it('reads a file with no records', () => {
    expect(readCapture(pcapHeader(false)).records).toEqual([]);
  });

  it('copies record data out of the file, into a plain Uint8Array', () => {
    const bytes = Buffer.from(concat(pcapHeader(true), pcapRecord(true, 1, 0, frame(60))));
    const [record] = readCapture(bytes).records;
    bytes.fill(0);
    expect(record!.data).toEqual(frame(60));
    expect(Object.getPrototypeOf(record!.data)).toBe(Uint8Array.prototype);
  });
});

describe('pcap: write then read', () => {
  const record = fc.record({
    data: fc.uint8Array({ minLength: 14, maxLength: 300 }),
    seconds: fc.bigInt({ min: 0n, max: 0xffffffffn }),
    fraction: fc.bigInt({ min: 0n, max: 999_999_999n }),
    cut: fc.nat(50),
  });

  it.each(['us', 'ns'] as const)('keeps records and %s timestamps', (resolution) => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 8 }), (specs) => {
        const step = resolution === 'us' ? 1000n : 1n;
        const records = specs.map((s) => ({
          data: s.data,
          timestampNs: ns(s.seconds, (s.fraction / step) * step),
          originalLength: s.data.length + s.cut,
        }));
        // fcsMode 'absent': random octets could end in a valid FCS by chance.
        const read = readPcap(writePcap(records, { resolution }), 'rt.pcap', { fcsMode: 'absent' }).records;
        expect(read).toEqual(
          records.map((r): CaptureRecord => ({ ...r, interfaceId: 0, fcs: 'none', truncated: r.originalLength > r.data.length })),
        );
      }),
    );
  });

  it('floors timestamps to microseconds by default', () => {
    const [r] = readCapture(writePcap([{ data: frame(60), timestampNs: 1_000_000_999n }])).records;
    expect(r!.timestampNs).toBe(1_000_000_000n);
  });

  it('refuses what the format cannot hold', () => {
    const data = frame(60);
    expect(() => writePcap([{ data, timestampNs: -1n }])).toThrow(ConfigError);
    expect(() => writePcap([{ data, timestampNs: ns(0x1_0000_0000n, 0n) }])).toThrow(/2106/);
    expect(() => writePcap([{ data, timestampNs: 0n, originalLength: 59 }])).toThrow(/originalLength/);
    expect(() => writePcap([{ data, timestampNs: 0n }], { snapLength: 59 })).toThrow(/snapLength/);
  });
});

describe('pcap: bad input', () => {
  const good = concat(pcapHeader(true), pcapRecord(true, 1, 0, frame(60)), pcapRecord(true, 2, 0, frame(61)));

  it('bad magic', () => {
    const bytes = good.slice();
    bytes[0] = 0;
    expectCaptureError(() => readCapture(bytes, 'x.pcap'), 'BAD_MAGIC', 0, /^x\.pcap: magic number 00c3b2a1 at offset 0/);
    expectCaptureError(() => readPcap(bytes, 'x.pcap'), 'BAD_MAGIC', 0);
  });

  it('truncated file header', () => {
    const e = expectCaptureError(() => readCapture(good.subarray(0, 23), 'x.pcap'), 'TRUNCATED', 0);
    expect(e.message).toBe('x.pcap: truncated pcap file header at offset 0 (needs 24 octets, 23 left)');
    expect(e.file).toBe('x.pcap');
    expectCaptureError(() => readCapture(good.subarray(0, 3)), 'TRUNCATED', 0, /^<capture>: truncated/);
  });

  it('unknown version', () => {
    expectCaptureError(() => readCapture(pcapHeader(true, { major: 1 })), 'VERSION', 4, /version 1\.4/);
  });

  it('truncated record header', () => {
    expectCaptureError(() => readCapture(good.subarray(0, 24 + 76 + 15)), 'TRUNCATED', 100, /pcap record header at offset 100 \(needs 16 octets, 15 left\)/);
  });

  it('truncated record', () => {
    const cut = good.subarray(0, good.length - 1);
    expectCaptureError(() => readCapture(cut, 'x.pcap'), 'TRUNCATED', 100, /truncated pcap record at offset 100 \(needs 77 octets, 76 left\)/);
  });

  it('record over the size limit', () => {
    const huge = concat(pcapHeader(true), pcapRecord(true, 1, 0, new Uint8Array(256 * 1024 + 1)));
    expectCaptureError(() => readCapture(huge), 'TOO_LARGE', 24, /captures 262145 octets, over the limit of 262144/);
    // A record header claiming 4 GiB fails on the limit, before any allocation.
    const claim = concat(pcapHeader(true), fromHex('01000000 00000000 ffffffff ffffffff'.replace(/ /g, '')));
    expectCaptureError(() => readCapture(claim), 'TOO_LARGE', 24);
    expectCaptureError(() => readCapture(good, undefined, { maxRecordLength: 60 }), 'TOO_LARGE', 100);
    expect(readCapture(huge, undefined, { maxRecordLength: 1 << 20 }).records).toHaveLength(1);
  });

  it.each([
    [113, 'Linux cooked SLL'],
    [276, 'Linux cooked SLL2'],
    [101, 'raw IP'],
    [105, 'IEEE 802.11'],
  ])('link type %d', (linkType, name) => {
    const e = expectCaptureError(() => readCapture(pcapHeader(false, { linkType }), 'x.pcap'), 'LINKTYPE', 20);
    expect(e.message).toBe(`x.pcap: pcap LinkType field at offset 20: link type ${linkType} (${name}) is not Ethernet (1)`);
  });

  it('link type without a name', () => {
    expectCaptureError(() => readCapture(pcapHeader(true, { linkType: 4242 })), 'LINKTYPE', 20, /link type 4242 is not Ethernet/);
  });
});
