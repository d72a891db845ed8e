/**
 * Memory does not grow with the work (the house rules; issue "Captures and simulations at engine speed in
 * flat memory"): `protect` on 20 k and on 400 k generated frames peaks within 30 MB of each other, as
 * /usr/bin/time measures the CLI from outside.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/capture-gen.js';
import { readCapture } from '../../src/capture/index.js';
import { ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Peak RSS in kilo-octets of `macsec protect` on `frames` generated frames, and its summary line. */
async function protectPeak(frames: number): Promise<{ peakKb: number; summary: string }> {
  const input = join(dir, `in-${frames}.pcap`);
  const output = join(dir, `out-${frames}.pcap`);
  await generateCapture(input, frames, 60, 200, frames);
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK %M', process.execPath, join(ROOT, 'dist/src/cli/main.js'), 'protect', '--sa', 'examples/sa.json', '--in', input, '--out', output], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  const summary = r.stdout.split('\n').find((l) => l.startsWith('protect: ')) ?? '';
  rmSync(input);
  rmSync(output);
  return { peakKb: Number(/PEAK (\d+)/.exec(r.stderr)?.[1]), summary };
}

describe('protect streams its capture', () => {
  it('20 k and 400 k frames: peak memory within 30 MB', async () => {
    const small = await protectPeak(20_000);
    const large = await protectPeak(400_000);
    expect(small.summary).toMatch(/^protect: 20000 frames .*: 20000 protected, 0 not /);
    expect(large.summary).toMatch(/^protect: 400000 frames .*: 400000 protected, 0 not /);
    expect(Math.abs(large.peakKb - small.peakKb)).toBeLessThan(30_000);
  }, 60_000);

  it('the generated capture is what it says: IPv4/UDP frames, sizes in range, timestamps 1 us apart', async () => {
    const path = join(dir, 'look.pcap');
    await generateCapture(path, 500, 60, 1514, 9);
    const cap = readCapture(new Uint8Array(readFileSync(path)), path, { fcsMode: 'absent' });
    expect(cap.records).toHaveLength(500);
    for (const [i, r] of cap.records.entries()) {
      expect(r.data.length).toBeGreaterThanOrEqual(60);
      expect(r.data.length).toBeLessThanOrEqual(1514);
      expect([r.data[12], r.data[13], r.data[14], r.data[23]]).toEqual([0x08, 0x00, 0x45, 17]); // EtherType IPv4, version 4 IHL 5, UDP
      expect((r.data[16]! << 8) | r.data[17]!).toBe(r.data.length - 14); // IPv4 total length
      expect(r.timestampNs - cap.records[0]!.timestampNs).toBe(BigInt(i) * 1000n);
    }
  });
});
