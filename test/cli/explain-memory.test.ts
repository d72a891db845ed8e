/**
 * explain --in --sa streams its explanation (the house rules: memory does not grow with the work): into a pipe
 * that is read late it peaks near what it peaks into a file, because reading waits while stdout is full.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/capture-gen.js';
import { ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-explain-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MAIN = join(ROOT, 'dist/src/cli/main.js');

/** Peak RSS in kilo-octets of a shell command line (the largest of its processes), as /usr/bin/time reports it. */
function peakKb(command: string): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK %M', 'sh', '-c', command], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(/PEAK (\d+)/.exec(r.stderr)?.[1]);
}

describe('explain --in --sa', () => {
  it('into a pipe read 2 s late holds no more than into a file', async () => {
    const plain = join(dir, 'plain.pcap');
    const prot = join(dir, 'protected.pcap');
    await generateCapture(plain, 20_000, 60, 200, 20_000);
    expect(spawnSync(process.execPath, [MAIN, 'protect', '--sa', 'examples/sa.json', '--in', plain, '--out', prot], { cwd: ROOT }).status).toBe(0);
    const explain = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} explain --in ${JSON.stringify(prot)} --sa examples/sa.json`;
    const file = peakKb(`${explain} > ${JSON.stringify(join(dir, 'explained.txt'))}`);
    // By the time the reader starts, a writer that does not wait holds the whole explanation (~60 MB of text,
    // about 150 MB more at its peak); one that waits stays within a few bursts of the file's peak.
    const pipe = peakKb(`${explain} | (sleep 2; cat > /dev/null)`);
    expect(pipe - file).toBeLessThan(60_000);
  }, 60_000);
});
