/**
 * The packed reader and writer: CaptureReader.nextBatch gives each packet's octets, lengths, interface and
 * time as the file's fields say (times checked against arithmetic on the fields in bigints, here), however
 * the octets arrive; PcapFileWriter.writePacked writes the octets `write` and writePcap write for the same
 * records, and refuses what they refuse with the same error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  appendFcs,
  CaptureReader,
  crc32,
  PcapFileWriter,
  readCapture,
  RecordBatch,
  writePcap,
  type CaptureRecord,
  type WritableRecord,
} from '../../src/capture/index.js';
import { crc32Ranges, useCrc32Engine } from '../../src/capture/crc32.js';
import { useNodeCrc32 } from '../../src/capture/node-crc32.js';
import { nativeCrc32 } from '../../src/crypto/native.js';
import { Rng } from '../../src/util/rng.js';
import { Builder, block, concat, epb, frame, idb, pcapHeader, pcapRecord, shb, source, spb } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  readonly data: string;
  readonly originalLength: number;
  readonly interfaceId: number;
  readonly timestampNs: bigint;
  readonly truncated: boolean;
  readonly fcs: 'stripped' | 'none';
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Every packet of `bytes` through nextBatch, `step` octets a read; also checks seconds/nanoseconds against the exact time. */
async function viaBatches(bytes: Uint8Array, step: number, max = 1024): Promise<Seen[]> {
  const reader = await CaptureReader.open(source(bytes, step), 'f');
  const seen: Seen[] = [];
  for (let b = await reader.nextBatch(max); b.count > 0; b = await reader.nextBatch(max)) {
    for (let i = 0; i < b.count; i++) {
      const timestampNs = b.timestampNs(i);
      const s = b.seconds[i]!;
      if (!Number.isNaN(s)) expect(BigInt(s) * 1_000_000_000n + BigInt(b.nanoseconds[i]!)).toBe(timestampNs);
      expect(b.nanoseconds[i]).toBeLessThan(1e9);
      seen.push({
        data: hex(b.data.subarray(b.offsets[i], b.offsets[i]! + b.lengths[i]!)),
        originalLength: b.originalLengths[i]!,
        interfaceId: b.interfaceIds[i]!,
        timestampNs,
        truncated: b.truncated(i),
        fcs: b.fcsStripped(i) ? 'stripped' : 'none',
      });
    }
  }
  return seen;
}

const asSeen = (r: CaptureRecord): Seen => ({ data: hex(r.data), originalLength: r.originalLength, interfaceId: r.interfaceId, timestampNs: r.timestampNs, truncated: r.truncated, fcs: r.fcs });

/** floor(units / 10^e seconds) in nanoseconds, or for binary units floor(units * 1e9 / 2^e). */
const unitsNs = (units: bigint, base: 2 | 10, e: number): bigint => (base === 2 ? (units * 1_000_000_000n) >> BigInt(e) : (units * 1_000_000_000n) / 10n ** BigInt(e));

const tsresol = (base: 2 | 10, e: number): { code: number; value: number[] } => ({ code: 9, value: [base === 2 ? 0x80 | e : e] });
const tsoffset = (le: boolean, seconds: bigint): { code: number; value: number[] } => ({ code: 14, value: [...new Builder(le).u64(seconds).build()] });

describe('CaptureReader.nextBatch', () => {
  it('pcapng: several sections and interfaces, blocks other than EPB, SPB, PB, truncated and FCS frames, any resolution', async () => {
    const expected: Seen[] = [];
    const parts: Uint8Array[] = [];
    // Section 1, little-endian: four interfaces of different clocks.
    const clocks: { base: 2 | 10; e: number; offset: bigint }[] = [
      { base: 10, e: 6, offset: 0n },
      { base: 10, e: 9, offset: -5n },
      { base: 2, e: 20, offset: 0n },
      { base: 10, e: 12, offset: 3n },
    ];
    parts.push(shb(true));
    clocks.forEach((c, i) => parts.push(idb(true, 1, 0, [...(c.base === 10 && c.e === 6 ? [] : [tsresol(c.base, c.e)]), ...(c.offset !== 0n ? [tsoffset(true, c.offset)] : []), ...(i === 0 ? [{ code: 2, value: [...new TextEncoder().encode('eth0')] }] : [])])));
    parts.push(block(true, 4, (b) => b.u16(0).u16(0))); // Name Resolution Block
    const rng = new Rng(5);
    for (let k = 0; k < 40; k++) {
      const id = k % clocks.length;
      const c = clocks[id]!;
      const units = (BigInt(rng.u32() % 0x0800_0000) << 32n) | BigInt(rng.u32()); // up to 2^59 units
      const data = frame(60 + ((k * 53) % 300), k);
      const cut = k % 7 === 3;
      const kept = cut ? data.subarray(0, 30) : data;
      parts.push(epb(true, { interfaceId: id, units, data: kept, originalLength: data.length }));
      expected.push({ data: hex(kept), originalLength: data.length, interfaceId: id, timestampNs: unitsNs(units, c.base, c.e) + c.offset * 1_000_000_000n, truncated: cut, fcs: 'none' });
      if (k % 10 === 4) parts.push(block(true, 5, (b) => b.u32(id).u32(0).u32(0))); // Interface Statistics Block
      if (k % 13 === 6) parts.push(block(true, 0x00000bad, (b) => b.u32(32473).u32(0xdeadbeef))); // Custom Block
    }
    // An FCS the packet's flags declare (4 octets, bits 5-8), stripped.
    const withFcs = appendFcs(frame(64, 99));
    parts.push(epb(true, { interfaceId: 0, units: 7n, data: withFcs, options: [{ code: 2, value: [4 << 5, 0, 0, 0] }] }));
    expected.push({ data: hex(withFcs.subarray(0, 64)), originalLength: 64, interfaceId: 0, timestampNs: 7000n, truncated: false, fcs: 'stripped' });
    // A Simple Packet Block (no time) and an obsolete Packet Block (16-bit interface id), interface 0.
    parts.push(spb(true, 70, frame(70, 3)));
    expected.push({ data: hex(frame(70, 3)), originalLength: 70, interfaceId: 0, timestampNs: 0n, truncated: false, fcs: 'none' });
    parts.push(block(true, 2, (b) => b.u16(1).u16(0).u32(0).u32(1_000_000_000).u32(80).u32(80).bytes(frame(80, 4)).pad()));
    expected.push({ data: hex(frame(80, 4)), originalLength: 80, interfaceId: 1, timestampNs: 1_000_000_000n - 5_000_000_000n, truncated: false, fcs: 'none' });
    // Section 2, big-endian: its interface 0 is the capture's fifth.
    parts.push(shb(false), idb(false, 1, 0, [tsresol(10, 9)]));
    for (let k = 0; k < 5; k++) {
      const units = 1_767_225_600_123_456_789n + BigInt(k);
      parts.push(epb(false, { interfaceId: 0, units, data: frame(100 + k, k) }));
      expected.push({ data: hex(frame(100 + k, k)), originalLength: 100 + k, interfaceId: 4, timestampNs: units, truncated: false, fcs: 'none' });
    }
    const bytes = concat(...parts);
    const whole = readCapture(bytes, 'f').records.map(asSeen);
    expect(whole).toEqual(expected);
    for (const step of [1, 7, 64, 1000, 1 << 22]) expect(await viaBatches(bytes, step, 1 + (step % 5))).toEqual(expected);
  });

  it('pcapng: times of any unit and offset, beyond 2^53 s and before 1970 too, as the fields say', async () => {
    const rng = new Rng(11);
    const clocks: { base: 2 | 10; e: number; offset: bigint }[] = [];
    for (let e = 0; e <= 12; e++) clocks.push({ base: 10, e, offset: 0n });
    for (const e of [0, 10, 30, 63]) clocks.push({ base: 2, e, offset: 0n });
    for (const offset of [-1n, 1n << 40n, -(1n << 62n), (1n << 63n) - 1n]) clocks.push({ base: 10, e: 9, offset }, { base: 10, e: 3, offset });
    const parts: Uint8Array[] = [shb(true), ...clocks.map((c) => idb(true, 1, 0, [tsresol(c.base, c.e), ...(c.offset !== 0n ? [tsoffset(true, c.offset)] : [])]))];
    const expected: bigint[] = [];
    for (let k = 0; k < 600; k++) {
      const id = k % clocks.length;
      const c = clocks[id]!;
      const pick = rng.u32() % 4;
      const hi = pick === 0 ? 0 : pick === 1 ? rng.u32() % 0x20_0000 : pick === 2 ? 0xffff_ffff : rng.u32();
      const units = (BigInt(hi) << 32n) | BigInt(rng.u32());
      parts.push(epb(true, { interfaceId: id, units, data: frame(60, k) }));
      expected.push(unitsNs(units, c.base, c.e) + c.offset * 1_000_000_000n);
    }
    const seen = await viaBatches(concat(...parts), 1 << 20);
    expect(seen.map((s) => s.timestampNs)).toEqual(expected);
  });

  it('pcap: either byte order, µs and ns, fractions of a second or more carried into the seconds', async () => {
    for (const le of [true, false]) {
      for (const nanoseconds of [false, true]) {
        const fractions = [0, 1, 999_999, 1_000_000, 999_999_999, 1_000_000_000, 0xffff_ffff];
        const parts = [pcapHeader(le, { nanoseconds }), ...fractions.map((f, k) => pcapRecord(le, 0xffff_fff0 + k, f, frame(60 + k, k)))];
        const expected = fractions.map((f, k) => BigInt(0xffff_fff0 + k) * 1_000_000_000n + BigInt(f) * (nanoseconds ? 1n : 1000n));
        const seen = await viaBatches(concat(...parts), 13);
        expect(seen.map((s) => s.timestampNs)).toEqual(expected);
        expect(seen.map((s) => s.data)).toEqual(fractions.map((_, k) => hex(frame(60 + k, k))));
      }
    }
  });

  it('records longer than the carry between chunks, and a burst never spans two reads', async () => {
    const sizes = [60, 70_000, 61, 200_000, 1514, 65_536, 65_535, 262_144, 62];
    const records: WritableRecord[] = sizes.map((n, k) => ({ data: frame(n, k), timestampNs: BigInt(k) * 1000n }));
    const bytes = writePcap(records);
    const expected = readCapture(bytes, 'f', { fcsMode: 'absent' }).records.map(asSeen);
    expect(expected.map((s) => s.data.length / 2)).toEqual(sizes);
    for (const step of [1 << 22, 1 << 16, 4099]) expect(await viaBatches(bytes, step)).toEqual(expected);
  });

  it('truncated records stay in the batch, marked', async () => {
    const bytes = concat(pcapHeader(true), pcapRecord(true, 1, 0, frame(60)), pcapRecord(true, 2, 0, frame(100).subarray(0, 40), 100), pcapRecord(true, 3, 0, frame(61)));
    const seen = await viaBatches(bytes, 1 << 20);
    expect(seen.map((s) => [s.data.length / 2, s.originalLength, s.truncated])).toEqual([[60, 60, false], [40, 100, true], [61, 61, false]]);
  });
});

describe('RecordBatch', () => {
  it('load holds copies of records, times exact, and gives them back as records', () => {
    const records: CaptureRecord[] = [
      { data: frame(60), timestampNs: 1_767_225_600_000_000_001n, originalLength: 60, interfaceId: 2, fcs: 'stripped', truncated: false },
      { data: frame(30), timestampNs: -1n, originalLength: 90, interfaceId: 0, fcs: 'none', truncated: true },
      { data: frame(61), timestampNs: 2n ** 90n + 5n, originalLength: 61, interfaceId: 0, fcs: 'none', truncated: false },
    ];
    const b = new RecordBatch(4);
    b.load(records);
    expect([0, 1, 2].map((i) => b.record(i))).toEqual(records);
    expect([b.seconds[1], b.nanoseconds[1]]).toEqual([-1, 999_999_999]);
    expect(b.seconds[2]).toBeNaN();
    expect(() => b.load([...records, ...records])).toThrow(/at most 4 in one batch/);
  });
});

describe('PcapFileWriter.writePacked', () => {
  const T = 1_700_000_000_000_000_000n;
  /** The records written with `write` and with `writePacked` (through a batch, in bursts of `burst`): both files' octets. */
  async function both(records: readonly WritableRecord[], burst: number, resolution: 'auto' | 'ns' = 'auto'): Promise<[Uint8Array, Uint8Array]> {
    const a = join(dir, 'a.pcap');
    const b = join(dir, 'b.pcap');
    const w1 = await PcapFileWriter.create(a, resolution);
    await w1.write(records);
    await w1.close();
    const w2 = await PcapFileWriter.create(b, resolution);
    const batch = new RecordBatch(burst);
    for (let i = 0; i < records.length; i += burst) {
      batch.load(records.slice(i, i + burst).map((r) => ({ data: r.data, timestampNs: r.timestampNs, originalLength: r.data.length, interfaceId: 0, fcs: 'none', truncated: false })));
      await w2.writePacked(batch, batch);
    }
    await w2.close();
    return [new Uint8Array(readFileSync(a)), new Uint8Array(readFileSync(b))];
  }

  it('the octets of write and writePcap: µs while they fit, the whole file in ns from the first finer time, past 2 MB written', async () => {
    const records: WritableRecord[] = Array.from({ length: 6000 }, (_, i) => ({ data: frame(60 + ((i * 131) % 1455), i), timestampNs: T + BigInt(i) * 1000n + (i === 5000 ? 7n : 0n) }));
    const [a, b] = await both(records, 333);
    expect(same(b, a)).toBe(true);
    expect(same(b, writePcap(records, { resolution: 'ns' }))).toBe(true);
    const us = records.slice(0, 4000);
    const [c, d] = await both(us, 1024);
    expect(same(d, c)).toBe(true);
    expect(same(d, writePcap(us))).toBe(true);
    expect(d.length).toBeGreaterThan(2 << 20);
  });

  it('frames of length 0 are left out, and `order` picks each frame\'s time', async () => {
    const batch = new RecordBatch(3);
    batch.load([0, 1, 2].map((k) => ({ data: frame(60 + k, k), timestampNs: T + BigInt(k) * 1000n, originalLength: 60 + k, interfaceId: 0, fcs: 'none', truncated: false })));
    const out = { data: concat(frame(70, 9), frame(71, 8)), offsets: Uint32Array.of(0, 0, 70), lengths: Uint32Array.of(70, 0, 71), count: 3 };
    const path = join(dir, 'order.pcap');
    const w = await PcapFileWriter.create(path);
    await w.writePacked(out, batch, Uint32Array.of(2, 1, 0));
    await w.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(writePcap([{ data: frame(70, 9), timestampNs: T + 2000n }, { data: frame(71, 8), timestampNs: T }]));
  });

  it('refuses what write refuses, with the same error', async () => {
    const cases: { records: WritableRecord[]; resolution: 'us' | 'ns' }[] = [
      { records: [{ data: frame(60), timestampNs: T }, { data: frame(60), timestampNs: -1n }], resolution: 'ns' },
      { records: [{ data: frame(60), timestampNs: 4_294_967_296n * 1_000_000_000n }], resolution: 'ns' },
      { records: [{ data: frame(60), timestampNs: 2n ** 90n }], resolution: 'ns' },
      { records: [{ data: frame(60), timestampNs: T }, { data: frame(60), timestampNs: T + 1n }], resolution: 'us' },
    ];
    for (const { records, resolution } of cases) {
      const sink = { write: (_b: Uint8Array, cb: (e?: Error | null) => void) => cb(null), once: () => sink, removeListener: () => sink } as unknown as NodeJS.WritableStream;
      const w1 = PcapFileWriter.toStream(sink, resolution);
      const e1 = await w1.write(records).then(() => undefined, (e: unknown) => e);
      const w2 = PcapFileWriter.toStream(sink, resolution);
      const batch = new RecordBatch(records.length);
      batch.load(records.map((r) => ({ data: r.data, timestampNs: r.timestampNs, originalLength: r.data.length, interfaceId: 0, fcs: 'none', truncated: false })));
      const e2 = await w2.writePacked(batch, batch).then(() => undefined, (e: unknown) => e);
      expect(e1).toBeInstanceOf(Error);
      expect(e2).toEqual(e1);
    }
  });
});

describe('CRC-32 of many ranges through zlib.crc32 and the native addon', () => {
  afterEach(() => useCrc32Engine(undefined));
  it.each([
    ['zlib', undefined],
    ['native', nativeCrc32()],
  ] as const)('%s (zlib where the addon has none): the same CRCs as the tables', (_name, engine) => {
    const rng = new Rng(3);
    const bytes = new Uint8Array(4000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.u32() & 0xff;
    const n = 300;
    const starts = new Uint32Array(n);
    const ends = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = rng.u32() % 2000;
      ends[i] = starts[i]! + (rng.u32() % 2000);
    }
    const tables = Array.from(starts, (s, i) => crc32(bytes, s, ends[i]));
    useNodeCrc32(() => engine);
    const out = new Uint32Array(n);
    crc32Ranges(bytes, starts, ends, n, out);
    expect([...out]).toEqual(tables);
    const check = new TextEncoder().encode('123456789');
    crc32Ranges(check, Uint32Array.of(0), Uint32Array.of(9), 1, out);
    expect(out[0]).toBe(0xcbf43926); // the CRC-32 check value
  });

  it.each([
    ['zlib', undefined],
    ['native', nativeCrc32()],
  ] as const)('%s: a capture read with FCSs guessed gives the records the tables give', async (_name, engine) => {
    const records: WritableRecord[] = Array.from({ length: 3000 }, (_, i) => {
      const f = frame(14 + ((i * 97) % 1500), i);
      return { data: i % 3 === 0 ? appendFcs(f) : i % 3 === 1 ? f : appendFcs(f).map((b, j, a) => (j === a.length - 1 ? b ^ 1 : b)), timestampNs: BigInt(i) };
    });
    const bytes = writePcap(records);
    const tables = await viaBatches(bytes, 1 << 20);
    expect(tables.filter((r) => r.fcs === 'stripped')).toHaveLength(1000);
    useNodeCrc32(() => engine);
    expect(await viaBatches(bytes, 1 << 20)).toEqual(tables);
  });
});
