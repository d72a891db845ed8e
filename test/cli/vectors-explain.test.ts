import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendNames } from '../../src/crypto/backend.js';
import { macsec } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-cli-'));

describe('macsec vectors', () => {
  it('passes the 32 Annex C frames and the 39 MKA vectors, a line each, the count alone on the last line', () => {
    const r = macsec(['vectors']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      'MACsec frames (IEEE 802.1AE Annex C and others): 32 passed, 0 failed',
      'MKA keys and MKPDUs (IEEE 802.1X): 39 passed, 0 failed',
      '71 passed, 0 failed',
    ]);
    expect(lines.filter((l) => l.startsWith('PASS  '))).toHaveLength(71);
  });
  it('counts each frame vector once per backend with --backend all (MKA vectors once)', () => {
    const r = macsec(['vectors', '--backend', 'all']);
    expect(r.stdout).toMatch(new RegExp(`^MACsec frames \\(IEEE 802\\.1AE Annex C and others\\): ${32 * backendNames().length} passed, 0 failed$`, 'm'));
  });
  it('runs one file: the Annex C frames of one suite', () => {
    expect(macsec(['vectors', 'vectors/gcm-aes-xpn-256.json', '--backend', 'node']).stdout.trimEnd().split('\n').at(-1)).toBe('8 passed, 0 failed');
  });
  it('exits 1 and says why when a vector fails', () => {
    const file = join(tmp, 'bad.json');
    const v = JSON.parse(JSON.stringify(require_('gcm-aes-128.json')[0])) as Record<string, string>;
    v['key'] = '00' + v['key']!.slice(2);
    writeFileSync(file, JSON.stringify([v]));
    const r = macsec(['vectors', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}C\.1\.1/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });
  it('exits 2 with one line naming the file, vector and field on unreadable input', () => {
    const file = join(tmp, 'broken.json');
    writeFileSync(file, JSON.stringify([{ name: 'mine', cipherSuite: 'GCM-AES-128', key: 'zz' }]));
    const r = macsec(['vectors', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/broken\.json: vector mine: key: 'z' at offset 0 is not a hex digit/);
    expect(macsec(['vectors', join(tmp, 'missing.json')]).stderr).toMatch(/missing\.json: cannot read \(ENOENT\)/);
    writeFileSync(join(tmp, 'notjson.json'), '{');
    expect(macsec(['vectors', join(tmp, 'notjson.json')]).status).toBe(2);
  });
  it('prints JSON with --json', () => {
    const r = macsec(['vectors', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: 71, failed: 0 });
  });
});

describe('macsec explain', () => {
  it('explains a frame given in hex and validates it with an SA file', () => {
    const r = macsec([
      'explain',
      'e20106d7cd0df0761e8dcd3d88e54c2a76d457ed13b4c72b389dc5018e72a171dd85a5d3752274d3a019fbcaed09a425cd9b2e1c9b72eee7c9de7d52b3f3d6a5284f4a6d3fe22a5d6c2b960494c3',
      '--sa',
      'examples/sa.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ Validation: ICV verifies/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
  it('rejects bad hex with exit 2 and one line', () => {
    const r = macsec(['explain', '88e5zz']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^macsec: frame: 'z' at offset 4 is not a hex digit\n$/);
  });
  it('rejects an unknown option with exit 2', () => {
    expect(macsec(['explain', '00', '--nope']).status).toBe(2);
  });
});

function require_(file: string): unknown[] {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../../vectors', file), 'utf8')) as unknown[];
}
