/**
 * Start-up is part of every run: the CLI does not load the native addon before a command needs it (the FCS
 * engine is asked for on the first check), and a command that reads a capture does load it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeStatus } from '../../src/crypto/native.js';
import { ROOT } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'macsec-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Preloaded into the CLI's process: reports every native module it loads.
const hook = join(dir, 'dlopen-hook.cjs');
writeFileSync(hook, "const open = process.dlopen;\nprocess.dlopen = function (module, file, ...rest) {\n  process.stderr.write(`dlopen ${file}\\n`);\n  return open.call(this, module, file, ...rest);\n};\n");

const loads = (...args: string[]): string[] => {
  const r = spawnSync(process.execPath, ['--require', hook, join(ROOT, 'dist/src/cli/main.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return r.stderr.split('\n').filter((l) => l.startsWith('dlopen ') && l.includes('macsec_gcm'));
};

describe('the CLI loads the native addon only when a command needs it', () => {
  it('--help and teach --help load no addon (a command whose --backend defaults to the fastest one asks for it)', () => {
    expect(loads('--help')).toEqual([]);
    expect(loads('teach', '--help')).toEqual([]);
  });

  it.skipIf(!nativeStatus().available)('validate on a capture loads it (its FCS checks and backend)', () => {
    expect(loads('validate', '--sa', 'examples/sa.json', '--in', 'examples/plain.pcap', '--backend', 'noble')).toHaveLength(1);
  });
});
