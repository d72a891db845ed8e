import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendFcs,
  CaptureError,
  readCapture,
  readCaptureFile,
  writeCaptureFileAtomic,
  writePcap,
  writePcapng,
  type CaptureRecord,
} from '../../src/capture/index.js';
import { concat, epb, expectCaptureError, frame, idb, shb, spb } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [
  { data: frame(60, 1), timestampNs: 1_700_000_000_000_001_000n },
  { data: frame(1514, 2), timestampNs: 1_700_000_000_500_000_000n, originalLength: 1514 },
  { data: frame(64, 3), timestampNs: 1_700_000_001_000_000_000n, originalLength: 9000 },
];

describe('readCapture', () => {
  it('tells pcap from pcapng by the magic number', () => {
    expect(readCapture(writePcap(records)).format).toBe('pcap');
    expect(readCapture(writePcap(records, { resolution: 'ns' })).format).toBe('pcap');
    expect(readCapture(writePcapng(records)).format).toBe('pcapng');
  });

  it('reads the same records from either format', () => {
    const strip = (rs: readonly CaptureRecord[]) => rs.map(({ interfaceId: _, ...r }) => r);
    expect(strip(readCapture(writePcapng(records, { resolution: 'ns' })).records)).toEqual(strip(readCapture(writePcap(records)).records));
  });

  it('rejects anything else', () => {
    const gif = new TextEncoder().encode('GIF89a...');
    expectCaptureError(() => readCapture(gif, 'cat.gif'), 'BAD_MAGIC', 0, /^cat\.gif: magic number 47494638 at offset 0 is neither pcap nor pcapng$/);
    expectCaptureError(() => readCapture(new Uint8Array(0)), 'TRUNCATED', 0, /needs 4 octets, 0 left/);
  });

  it('throws nothing but CaptureError on corrupted files', () => {
    const pcapng = concat(
      shb(true),
      idb(true, 1, 64, [{ code: 9, value: [0x8a] }]),
      epb(true, { interfaceId: 0, units: 99n, data: appendFcs(frame(60)) }),
      spb(true, 100, frame(64)),
    );
    const samples = [writePcap(records), writePcapng(records, { resolution: 'ns' }), pcapng];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom<'auto' | 'present' | 'absent'>('auto', 'present', 'absent'),
        (sample, edits, cut, fcsMode) => {
          const bytes = sample.slice(0, sample.length - (cut % 8 === 0 ? cut % sample.length : 0));
          for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
          try {
            readCapture(bytes, 'fuzz', { fcsMode });
          } catch (e) {
            if (!(e instanceof CaptureError)) throw e;
            expect(e.message).toContain(`offset ${e.offset}`);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('capture files', () => {
  it('writes atomically and reads back, naming the file in errors', async () => {
    const path = join(dir, 'out.pcapng');
    await writeCaptureFileAtomic(path, writePcapng(records));
    await writeCaptureFileAtomic(path, writePcapng(records.slice(0, 1))); // replaces
    expect((await readCaptureFile(path)).records).toHaveLength(1);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);

    writeFileSync(path, new Uint8Array(10).fill(0x0a));
    await expect(readCaptureFile(path)).rejects.toThrow(`${path}: magic number 0a0a0a0a at offset 0`);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x'); // a non-empty directory cannot be renamed over
    await expect(writeCaptureFileAtomic(target, writePcap(records))).rejects.toThrow();
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeCaptureFileAtomic(join(dir, 'missing', 'x.pcap'), writePcap(records))).rejects.toThrow(/ENOENT/);
  });
});

/** Wireshark's tools, when installed, check our files against an independent codec. */
const has = (tool: string): boolean => {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const tshark = has('tshark');
const editcap = has('editcap');
const run = (tool: string, args: string[]): string => execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const skipped = (tool: string, present: boolean): string => (present ? '' : ` (skipped: ${tool} is not installed)`);

describe('cross-check with Wireshark', () => {
  const multi = records.map((r, i) => ({ ...r, interfaceId: i % 2 }));

  it.skipIf(!tshark)(`tshark reads our pcap and pcapng${skipped('tshark', tshark)}`, () => {
    const files = [
      ['x.pcap', writePcap(records), ['1700000000.000001000', '1700000000.500000000', '1700000001.000000000']],
      ['x.pcapng', writePcapng(multi, { resolution: 'ns' }), ['1700000000.000001000', '1700000000.500000000', '1700000001.000000000']],
    ] as const;
    for (const [name, bytes, times] of files) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const out = run('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch']);
      expect(out.trim().split('\n')).toEqual([`60\t60\t${times[0]}`, `1514\t1514\t${times[1]}`, `9000\t64\t${times[2]}`]);
    }
    const ids = run('tshark', ['-r', join(dir, 'x.pcapng'), '-T', 'fields', '-e', 'frame.interface_id']);
    expect(ids.trim().split('\n')).toEqual(['0', '1', '0']);
  });

  it.skipIf(!tshark)(`tshark agrees on which FCS is good${skipped('tshark', tshark)}`, () => {
    const good = appendFcs(frame(60));
    const bad = good.slice();
    bad[63]! ^= 0x80;
    const path = join(dir, 'fcs.pcap');
    writeFileSync(path, writePcap([{ data: good, timestampNs: 0n }, { data: bad, timestampNs: 0n }]));
    const out = run('tshark', ['-r', path, '-o', 'eth.fcs:Always', '-o', 'eth.check_fcs:TRUE', '-T', 'fields', '-e', 'eth.fcs.status']);
    expect(out.trim().split('\n')).toEqual(['1', '0']); // good, bad
    expect(readCapture(readFileSync(path)).records.map((r) => r.fcs)).toEqual(['stripped', 'none']);
  });

  it.skipIf(!editcap)(`we read what editcap writes${skipped('editcap', editcap)}`, () => {
    const source = join(dir, 'source.pcapng');
    writeFileSync(source, writePcapng(multi, { resolution: 'ns' }));
    const expected = readCapture(readFileSync(source)).records;
    for (const [format, resolution] of [['pcapng', 'ns'], ['nsecpcap', 'ns'], ['pcap', 'us']] as const) {
      const path = join(dir, `editcap.${format}`);
      run('editcap', ['-F', format, source, path]);
      const capture = readCapture(readFileSync(path), path);
      const step = resolution === 'us' ? 1000n : 1n;
      const interfaceIds = format === 'pcapng' ? expected.map((r) => r.interfaceId) : expected.map(() => 0);
      expect(capture.records).toEqual(expected.map((r, i) => ({ ...r, timestampNs: (r.timestampNs / step) * step, interfaceId: interfaceIds[i] })));
    }
  });
});
