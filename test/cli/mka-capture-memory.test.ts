/**
 * validate --cak and explain --cak stream their capture (the house rules: memory does not grow with the
 * work): on the wpa_supplicant session followed by 100 k and by 400 k more frames under its SAK, each peaks
 * within 30 MB of itself, as /usr/bin/time measures the CLI from outside (100 k, not fewer: V8's heap settles
 * its size over the first ~100 k frames, measured 20 k -> 400 k +26 MB, 400 k -> 1.2 M +4 MB, while a run
 * that kept its frames grows by hundreds of MB); and explain's output waits for a slow reader rather than
 * piling up in memory.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/capture-gen.js';
import { macsec, ROOT } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'mka', 'wpa-supplicant-cak128');
const WIRE = join(FIXTURE, 'wire.pcap');
const config = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as { cak: string; ckn: string; sciA: string };
const CAK = ['--cak', config.cak, '--ckn', config.ckn];
const PCAP_HEADER = 24;
const MAIN = join(ROOT, 'dist/src/cli/main.js');

const dir = mkdtempSync(join(tmpdir(), 'macsec-cak-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Peak RSS in kilo-octets of `macsec ARGS`, and what it printed. */
function peak(args: readonly string[]): { peakKb: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK %M', process.execPath, MAIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status).toBe(0);
  return { peakKb: Number(/PEAK (\d+)/.exec(r.stderr)?.[1]), stdout: r.stdout };
}

/** An SA file for station A's frames under the SAK the session's MKPDUs distributed, from A's next PN on. */
function saOfA(): string {
  const doc = JSON.parse(macsec(['validate', '--in', WIRE, ...CAK, '--json', '--show-keys']).stdout) as {
    saks: { key: string; an: number }[];
    frames: { sci?: string; pn?: string }[];
  };
  const lastPn = Math.max(...doc.frames.filter((f) => f.sci === config.sciA && f.pn !== undefined).map((f) => Number(f.pn)));
  const sa = join(dir, 'sa.json');
  writeFileSync(sa, JSON.stringify({ cipherSuite: 'GCM-AES-128', key: doc.saks[0]!.key, sci: config.sciA, an: doc.saks[0]!.an, pn: String(lastPn + 1), confidentiality: true, includeSci: true }));
  return sa;
}

/** The session's capture, then `frames` more frames from station A (made by `macsec protect` with `sa`), in one pcap. */
async function longSession(sa: string, frames: number): Promise<string> {
  const plain = join(dir, `plain-${frames}.pcap`);
  const protectedFrames = join(dir, `protected-${frames}.pcap`);
  await generateCapture(plain, frames, 60, 200, frames); // A to B, as in the session
  expect(macsec(['protect', '--sa', sa, '--in', plain, '--out', protectedFrames]).status).toBe(0);
  const [head, more] = [readFileSync(WIRE).subarray(0, PCAP_HEADER), readFileSync(protectedFrames).subarray(0, PCAP_HEADER)];
  expect(more.subarray(0, 4)).toEqual(head.subarray(0, 4)); // both microsecond pcaps of one byte order: records follow on
  const path = join(dir, `session-${frames}.pcap`);
  copyFileSync(WIRE, path);
  await pipeline(createReadStream(protectedFrames, { start: PCAP_HEADER }), createWriteStream(path, { flags: 'a' }));
  rmSync(plain);
  rmSync(protectedFrames);
  return path;
}

/** The sessions made so far, by the frames added. */
const sessions = new Map<number, string>();
const session = async (frames: number): Promise<string> => sessions.get(frames) ?? sessions.set(frames, await longSession(saOfA(), frames)).get(frames)!;

describe('validate --cak and explain --cak stream their capture', () => {
  it('100 k and 400 k frames after the session: each peaks within 30 MB', async () => {
    const runs = [];
    for (const frames of [100_000, 400_000]) {
      const path = await session(frames);
      const out = join(dir, 'plain.pcap');
      const validated = peak(['validate', '--in', path, ...CAK, '--out', out]);
      expect(validated.stdout).toContain(`validate: ${frames + 45} frames from ${path} (pcap): 13 MKPDUs verified, 1 SAK; ${frames + 32} frames after the first SAK: ${frames + 32} reached the Controlled Port, 0 not`);
      const explained = peak(['explain', '--in', path, ...CAK, '--frame', String(frames + 45)]);
      expect(explained.stdout).toMatch(/Receiver: InPktsOK: delivered to the Controlled Port/);
      runs.push({ validate: validated.peakKb, explain: explained.peakKb });
      rmSync(out);
    }
    const [small, large] = runs;
    expect(Math.abs(large!.validate - small!.validate)).toBeLessThan(30_000);
    expect(Math.abs(large!.explain - small!.explain)).toBeLessThan(30_000);
  }, 60_000);

  it('explaining every frame into a pipe that is read late holds no more than into a file', async () => {
    const path = await session(20_000);
    const explain = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} explain --in ${JSON.stringify(path)} ${CAK.join(' ')}`;
    const measure = (command: string): number => {
      const r = spawnSync('/usr/bin/time', ['-f', 'PEAK %M', 'sh', '-c', command], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return Number(/PEAK (\d+)/.exec(r.stderr)?.[1]);
    };
    const file = measure(`${explain} > ${JSON.stringify(join(dir, 'explained.txt'))}`);
    // The reader starts after 2 s: by then a writer that does not wait has the whole explanation (~60 MB) in memory.
    const pipe = measure(`${explain} | (sleep 2; cat > /dev/null)`);
    expect(Math.abs(pipe - file)).toBeLessThan(30_000);
  }, 60_000);
});
