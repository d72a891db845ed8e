/** The files around a run: input captures and frame files, output paths checked first, writes that replace nothing but the output. */
import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError, readCapture, writePcap } from '../../src/capture/index.js';
import { UsageError } from '../../src/util/errors.js';
import { checkOutputPath, outputCapture, outputResolution, planOutputs, readFrameFile, readInputCapture, writeOutputFile } from '../../src/runs/files.js';
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

describe('planOutputs: checked before any work', () => {
  const at = (name: string): string => join(tmp, name);

  it('a new file in an existing folder, and an existing regular file, are replaced atomically', () => {
    expect(checkOutputPath(at('new.pcap'), '--out')).toMatchObject({ how: 'replace', target: at('new.pcap') });
    writeFileSync(at('old.pcap'), 'x');
    expect(checkOutputPath(at('old.pcap'), '--out')).toMatchObject({ how: 'replace', target: at('old.pcap') });
  });

  it('refuses a missing folder, a path through a file, and a folder, naming the option', () => {
    expect(usageError(() => checkOutputPath(at('nope/x.pcap'), '--out'))).toBe(`--out ${at('nope/x.pcap')}: no folder ${at('nope')}`);
    writeFileSync(at('plain-file'), 'x');
    expect(usageError(() => checkOutputPath(at('plain-file/x.pcap'), '--out'))).toBe(`--out ${at('plain-file/x.pcap')}: ${at('plain-file')} is not a folder`);
    mkdirSync(at('dir'));
    expect(usageError(() => checkOutputPath(at('dir'), '--wireshark-keys'))).toBe(`--wireshark-keys ${at('dir')}: is a folder`);
  });

  // Root may write anywhere, so this runs for other users only (CI runs as root; the table covers the rest).
  it.skipIf(process.getuid?.() === 0)('refuses a folder without write permission', () => {
    mkdirSync(at('read-only'), 0o555);
    expect(usageError(() => checkOutputPath(at('read-only/x.pcap'), '--out'))).toBe(`--out ${at('read-only/x.pcap')}: cannot create a file in ${at('read-only')} (EACCES)`);
  });

  it('refuses an output that is an input: the same path, a hard link, a symlink either way', () => {
    writeFileSync(at('in.pcap'), 'capture');
    linkSync(at('in.pcap'), at('hard.pcap'));
    symlinkSync(at('in.pcap'), at('soft.pcap'));
    expect(usageError(() => checkOutputPath(at('in.pcap'), '--out', [at('in.pcap')]))).toBe(`--out ${at('in.pcap')}: is the input ${at('in.pcap')}`);
    expect(usageError(() => checkOutputPath(at('hard.pcap'), '--out', [at('in.pcap')]))).toBe(`--out ${at('hard.pcap')}: is the input ${at('in.pcap')}`);
    expect(usageError(() => checkOutputPath(at('in.pcap'), '--json', [at('soft.pcap')]))).toBe(`--json ${at('in.pcap')}: is the input ${at('soft.pcap')}`);
  });

  it('refuses two outputs that are one file', () => {
    expect(usageError(() => planOutputs([['--out', at('two.pcap')], ['--wireshark-keys', at('two.pcap')]], []))).toBe(`--wireshark-keys ${at('two.pcap')}: is also --out ${at('two.pcap')}`);
    expect(usageError(() => planOutputs([['--json', '-'], ['--svg', '-']], []))).toBe('--svg -: is also --json -');
  });

  it('writes through a device and a FIFO, and replaces the target of a symlink, never the link', () => {
    expect(checkOutputPath('/dev/null', '--out')).toMatchObject({ how: 'through', target: '/dev/null' });
    execFileSync('mkfifo', [at('pipe')]);
    expect(checkOutputPath(at('pipe'), '--out')).toMatchObject({ how: 'through', target: at('pipe') });
    writeFileSync(at('target.pcap'), 'x');
    symlinkSync('target.pcap', at('link.pcap'));
    expect(checkOutputPath(at('link.pcap'), '--out')).toMatchObject({ how: 'replace', target: at('target.pcap') });
    symlinkSync('not-yet.pcap', at('dangling.pcap'));
    expect(checkOutputPath(at('dangling.pcap'), '--out')).toMatchObject({ how: 'replace', target: at('not-yet.pcap') });
    expect(checkOutputPath('-', '--out')).toMatchObject({ how: 'stdout' });
  });
});

describe('writeOutputFile', () => {
  it('writes the bytes and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmp, 'w-'));
    await writeOutputFile(checkOutputPath(join(dir, 'out.bin'), '--out'), Uint8Array.from([1, 2, 3]));
    expect([...readFileSync(join(dir, 'out.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a symlink keeps pointing at its target, which holds the bytes', async () => {
    const dir = mkdtempSync(join(tmp, 'w-'));
    writeFileSync(join(dir, 'target'), 'old');
    symlinkSync('target', join(dir, 'link'));
    await writeOutputFile(checkOutputPath(join(dir, 'link'), '--out'), Uint8Array.from([7]));
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect([...readFileSync(join(dir, 'target'))]).toEqual([7]);
    expect(readdirSync(dir).sort()).toEqual(['link', 'target']);
  });

  it('a path that went away after the check is a UsageError with the errno code', async () => {
    const dir = mkdtempSync(join(tmp, 'w-'));
    const planned = checkOutputPath(join(dir, 'x'), '--out');
    rmSync(dir, { recursive: true });
    await expect(writeOutputFile(planned, new Uint8Array(1))).rejects.toThrow(new UsageError(`${join(dir, 'x')}: cannot write (ENOENT)`));
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
