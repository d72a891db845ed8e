/** The files around a run: input captures and frame files, output paths checked first, atomic writes. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError, readCapture, writePcap } from '../../src/capture/index.js';
import { UsageError } from '../../src/util/errors.js';
import { checkOutputPath, outputCapture, outputResolution, readFrameFile, readInputCapture, writeOutputFile } from '../../src/runs/files.js';
import { ConfigError } from '../../src/util/errors.js';
import { ethFrame } from '../secy/helpers.js';
import { T0 } from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-runs-files-'));

const usageError = (body: () => unknown): string => {
  try {
    body();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no UsageError');
};

describe('checkOutputPath', () => {
  it('accepts a new file in an existing folder, and an existing file', () => {
    checkOutputPath(join(tmp, 'new.pcap'), '--out');
    writeFileSync(join(tmp, 'old.pcap'), 'x');
    checkOutputPath(join(tmp, 'old.pcap'), '--out');
  });

  it('refuses a missing folder and a folder, naming the option', () => {
    expect(usageError(() => checkOutputPath(join(tmp, 'nope', 'x.pcap'), '--out'))).toBe(`--out ${join(tmp, 'nope', 'x.pcap')}: no folder ${join(tmp, 'nope')}`);
    mkdirSync(join(tmp, 'dir'));
    expect(usageError(() => checkOutputPath(join(tmp, 'dir'), '--wireshark-keys'))).toBe(`--wireshark-keys ${join(tmp, 'dir')}: is a folder`);
  });
});

describe('writeOutputFile', () => {
  it('writes the bytes and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmp, 'w-'));
    await writeOutputFile(join(dir, 'out.bin'), Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(join(dir, 'out.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a path it cannot write is a UsageError with the errno code', async () => {
    await expect(writeOutputFile(join(tmp, 'missing', 'x'), new Uint8Array(1))).rejects.toThrow(new UsageError(`${join(tmp, 'missing', 'x')}: cannot write (ENOENT)`));
  });
});

describe('output captures', () => {
  it('microseconds when every timestamp fits them, else nanoseconds', () => {
    expect(outputResolution([])).toBe('us');
    expect(outputResolution([{ data: ethFrame(), timestampNs: T0 + 5000n }])).toBe('us');
    expect(outputResolution([{ data: ethFrame(), timestampNs: T0 }, { data: ethFrame(), timestampNs: T0 + 1n }])).toBe('ns');
  });

  it('outputCapture is a pcap that keeps every timestamp', () => {
    const records = [
      { data: ethFrame(46, 1), timestampNs: T0 + 7n },
      { data: ethFrame(50, 2), timestampNs: T0 + 1_000_000n },
    ];
    const back = readCapture(outputCapture(records), 'out.pcap', { fcsMode: 'absent' });
    expect(back.format).toBe('pcap');
    expect(back.records.map((r) => r.timestampNs)).toEqual(records.map((r) => r.timestampNs));
    expect(back.records.map((r) => [...r.data])).toEqual(records.map((r) => [...r.data]));
  });

  it('a timestamp a pcap cannot hold is the capture layer\'s ConfigError', () => {
    expect(() => outputCapture([{ data: ethFrame(), timestampNs: T0 * 4n }])).toThrow(ConfigError);
  });
});

describe('reading inputs', () => {
  it('readInputCapture: a missing file is a UsageError, a file that is no capture the CaptureError', async () => {
    await expect(readInputCapture(join(tmp, 'none.pcap'), 'auto')).rejects.toThrow(new UsageError(`${join(tmp, 'none.pcap')}: cannot read (ENOENT)`));
    writeFileSync(join(tmp, 'junk.pcap'), 'not a capture at all');
    await expect(readInputCapture(join(tmp, 'junk.pcap'), 'auto')).rejects.toBeInstanceOf(CaptureError);
    writeFileSync(join(tmp, 'one.pcap'), writePcap([{ data: ethFrame(), timestampNs: T0 }], { resolution: 'us' }));
    expect((await readInputCapture(join(tmp, 'one.pcap'), 'absent')).records).toHaveLength(1);
  });

  it('readFrameFile: hex text with separators, or raw octets', () => {
    writeFileSync(join(tmp, 'frame.hex'), '01:02 03-04\n0a0b\n');
    expect([...readFrameFile(join(tmp, 'frame.hex'))]).toEqual([1, 2, 3, 4, 10, 11]);
    writeFileSync(join(tmp, 'frame.bin'), Uint8Array.from([0xff, 0x00, 0x7f]));
    expect([...readFrameFile(join(tmp, 'frame.bin'))]).toEqual([0xff, 0x00, 0x7f]);
    expect(usageError(() => readFrameFile(join(tmp, 'none.hex')))).toBe(`${join(tmp, 'none.hex')}: cannot read (ENOENT)`);
  });
});
