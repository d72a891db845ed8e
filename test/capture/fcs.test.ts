import { describe, it, expect } from 'vitest';
import { appendFcs, readCapture, type FcsMode } from '../../src/capture/index.js';
import { Builder, concat, epb, expectCaptureError, frame, idb, pcapHeader, pcapRecord, shb } from './build.js';

const withFcs = appendFcs(frame(60)); // 64 octets, FCS valid
const plain = frame(64); // 64 octets, last four are not an FCS
const badFcs = withFcs.slice().fill(0, 60); // an FCS that does not verify

const pcapOf = (...frames: Uint8Array[]): Uint8Array => concat(pcapHeader(true), ...frames.map((f) => pcapRecord(true, 1, 0, f)));
const summary = (bytes: Uint8Array, fcsMode: FcsMode) =>
  readCapture(bytes, 'fcs.pcap', { fcsMode }).records.map((r) => [r.data.length, r.originalLength, r.fcs, r.truncated]);

describe('FCS handling', () => {
  const file = pcapOf(withFcs, plain, badFcs);

  it("'auto' strips only an FCS that verifies", () => {
    expect(summary(file, 'auto')).toEqual([
      [60, 60, 'stripped', false],
      [64, 64, 'none', false],
      [64, 64, 'none', false],
    ]);
    expect(readCapture(file).records[0]!.data).toEqual(frame(60)); // 'auto' is the default
  });

  it("'present' strips every frame's last four octets", () => {
    expect(summary(file, 'present')).toEqual([
      [60, 60, 'stripped', false],
      [60, 60, 'stripped', false],
      [60, 60, 'stripped', false],
    ]);
  });

  it("'absent' leaves frames alone", () => {
    expect(summary(file, 'absent')).toEqual([
      [64, 64, 'none', false],
      [64, 64, 'none', false],
      [64, 64, 'none', false],
    ]);
  });

  it("'present' rejects a frame too short to hold a header and an FCS", () => {
    const bytes = pcapOf(withFcs, frame(17));
    const read = () => readCapture(bytes, 'x.pcap', { fcsMode: 'present' });
    expectCaptureError(read, 'FCS', 104, /pcap record at offset 104: frame of 17 octets cannot hold an Ethernet header and FCS \(needs 18\)/);
    expect(summary(pcapOf(frame(18)), 'present')).toEqual([[14, 14, 'stripped', false]]);
    // 'auto' never strips a frame that short, even when its last four octets verify.
    expect(summary(pcapOf(appendFcs(new Uint8Array(13))), 'auto')).toEqual([[17, 17, 'none', false]]);
  });

  it('drops only the captured part of the FCS of a truncated frame', () => {
    const head = pcapHeader(true);
    const cutInFrame = pcapRecord(true, 1, 0, frame(64), 1518);
    const cutInFcs = pcapRecord(true, 1, 0, frame(1516), 1518);
    expect(summary(concat(head, cutInFrame, cutInFcs), 'present')).toEqual([
      [64, 1514, 'stripped', true],
      [1514, 1514, 'stripped', false],
    ]);
    // 'auto' cannot check an FCS it does not have.
    expect(summary(concat(head, cutInFrame), 'auto')).toEqual([[64, 1518, 'none', true]]);
  });

  it('follows the FCS length in the pcap LinkType field', () => {
    const header = (field: number): Uint8Array => pcapHeader(true, { linkType: field });
    const present = concat(header(0x2400_0001), pcapRecord(true, 1, 0, badFcs)); // P set, 2 words
    expect(summary(present, 'auto')).toEqual([[60, 60, 'stripped', false]]);
    const none = concat(header(0x0400_0001), pcapRecord(true, 1, 0, withFcs)); // P set, 0 words
    expect(summary(none, 'auto')).toEqual([[64, 64, 'none', false]]);
    expect(summary(none, 'present')).toEqual([[60, 60, 'stripped', false]]); // the caller overrides
    const unknown = concat(header(0x2000_0001), pcapRecord(true, 1, 0, withFcs)); // length without P: ignored
    expect(readCapture(unknown).interfaces[0]!.fcsLength).toBeUndefined();
  });

  it.each([
    [[4], 'stripped'],
    [[32], 'stripped'], // the spec's "in bits"
    [[0], 'none'],
  ] as const)('follows pcapng if_fcslen %j', (value, fcs) => {
    const bytes = concat(shb(true), idb(true, 1, 0, [{ code: 13, value }]), epb(true, { interfaceId: 0, units: 1n, data: badFcs }));
    expect(readCapture(bytes).records[0]!.fcs).toBe(fcs);
  });

  it('lets epb_flags override if_fcslen', () => {
    const flags = new Builder(true).u32(4 << 5).build(); // FCS length 4, bits 5-8
    const bytes = concat(
      shb(true),
      idb(true, 1, 0, [{ code: 13, value: [0] }]),
      epb(true, { interfaceId: 0, units: 1n, data: badFcs, options: [{ code: 2, value: flags }] }),
      epb(true, { interfaceId: 0, units: 1n, data: withFcs, options: [{ code: 2, value: [0, 0, 0, 0] }] }),
    );
    expect(readCapture(bytes).records.map((r) => r.fcs)).toEqual(['stripped', 'none']);
  });
});
