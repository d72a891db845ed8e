/** The streaming reader and writer give what the whole-file reader and writer give, however the octets arrive. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  appendFcs,
  CaptureError,
  CaptureReader,
  PcapFileWriter,
  readCapture,
  writePcap,
  writePcapng,
  type CaptureRecord,
  type WritableRecord,
} from '../../src/capture/index.js';
import { frame, source } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(bytes: Uint8Array, step: number, burst = 7): Promise<{ format: string; records: CaptureRecord[] }> {
  const reader = await CaptureReader.open(source(bytes, step), 'f');
  const records: CaptureRecord[] = [];
  for (let b = await reader.next(burst); b.length > 0; b = await reader.next(burst)) records.push(...b);
  return { format: reader.format, records };
}

/** A record with its octets as hex: quick to compare, and a difference still shows where. */
const digest = ({ data, ...rest }: CaptureRecord) => ({ ...rest, data: Buffer.from(data).toString('hex') });
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

const T = 1_700_000_000_000_000_000n;
const records: WritableRecord[] = Array.from({ length: 300 }, (_, i) => ({
  data: i % 3 === 0 ? appendFcs(frame(60 + ((i * 37) % 1400), i)) : frame(60 + ((i * 37) % 1400), i),
  timestampNs: T + BigInt(i) * 1000n,
}));

describe('CaptureReader', () => {
  for (const [name, bytes] of [
    ['pcap', writePcap(records)],
    ['pcapng', writePcapng(records, { resolution: 'ns' })],
  ] as const) {
    it(`${name}: the same records as readCapture, in any chunking`, async () => {
      const whole = readCapture(bytes, 'f');
      for (const step of [13, 4096, bytes.length]) {
        const streamed = await readAll(bytes, step);
        expect(streamed.format).toBe(whole.format);
        expect(streamed.records.map(digest)).toEqual(whole.records.map(digest));
      }
    });

    it(`${name}: a file cut short fails as readCapture does, at the same offset`, async () => {
      for (const cut of [3, 30, 200, bytes.length - 1]) {
        const part = bytes.subarray(0, cut);
        let expected: unknown;
        try {
          readCapture(part, 'f');
        } catch (e) {
          expected = e;
        }
        expect(expected).toBeInstanceOf(CaptureError);
        await expect(readAll(part, 64)).rejects.toThrow((expected as Error).message);
      }
    });
  }

  it('a record larger than the read chunk (a 256 KiB jumbo record) still comes whole', async () => {
    const big = [{ data: frame(256 * 1024, 1), timestampNs: T }, ...records.slice(0, 3)];
    const bytes = writePcap(big);
    expect((await readAll(bytes, 100_000)).records.map(digest)).toEqual(readCapture(bytes).records.map(digest));
  });
});

describe('PcapFileWriter', () => {
  const written = async (rs: readonly WritableRecord[], burst: number): Promise<Uint8Array> => {
    const path = join(dir, `w-${Math.random()}.pcap`);
    const w = await PcapFileWriter.create(path);
    for (let i = 0; i < rs.length; i += burst) await w.write(rs.slice(i, i + burst));
    await w.close();
    return new Uint8Array(readFileSync(path));
  };

  it('microseconds while every timestamp fits them: the octets writePcap writes', async () => {
    expect(same(await written(records, 50), writePcap(records, { resolution: 'us' }))).toBe(true);
  });

  it('one timestamp needing nanoseconds, after megaoctets already written, turns the whole file into nanoseconds, exactly', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ data: frame(1500, i), timestampNs: T + BigInt(i) * 1000n }));
    many.push({ data: frame(60, 1), timestampNs: T + 3_000_000_001n });
    const bytes = await written(many, 100);
    expect(bytes.length).toBeGreaterThan(4 << 20);
    expect(same(bytes, writePcap(many, { resolution: 'ns' }))).toBe(true);
    expect(readCapture(bytes).records.map((r) => r.timestampNs)).toEqual(many.map((r) => r.timestampNs));
  });

  it('through a stream (stdout, a FIFO: nothing rewritable) the resolution is the one fixed up front: the octets writePcap writes in it', async () => {
    for (const resolution of ['us', 'ns'] as const) {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (c: Buffer) => chunks.push(c));
      const w = PcapFileWriter.toStream(sink, resolution);
      await w.write(records);
      await w.close();
      expect(same(new Uint8Array(Buffer.concat(chunks)), writePcap(records, { resolution }))).toBe(true);
    }
  });

  it('a stream fixed at microseconds refuses a record finer than that (a ConfigError), never rounding it', async () => {
    const w = PcapFileWriter.toStream(new PassThrough(), 'us');
    await expect(w.write([{ data: frame(60), timestampNs: T + 1n }])).rejects.toThrow(/^record 1 timestamp: expected whole microseconds/);
  });

  it('a record no pcap can hold (after 2106) is a ConfigError, and abandon leaves no file behind', async () => {
    const path = join(dir, 'late.pcap');
    const w = await PcapFileWriter.create(path);
    await expect(w.write([{ data: frame(60), timestampNs: 2n ** 32n * 1_000_000_000n }])).rejects.toThrow(/^records\[0\]\.timestampNs: expected a time before 2106/);
    await w.abandon();
    expect(readdirSync(dir).filter((f) => f.startsWith('late'))).toEqual([]);
  });
});
