import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macsec } from '../support/cli.js';

// A smoke test of the command's plumbing, not a measurement: the shortest run there is.
describe('macsec bench --quick', () => {
  it('writes well-formed JSON and an SVG chart, and prints the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'macsec-bench-'));
    const json = join(dir, 'bench.json');
    const svg = join(dir, 'bench.svg');
    const r = macsec(['bench', '--quick', '--seconds', '0.02', '--rounds', '1', '--sizes', '64', '--backend', 'noble', '--json', json, '--svg', svg]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/GCM-AES-128/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { machine: { cpu?: string; node?: string }; results: unknown[]; targets: unknown[] };
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.machine).toBeTypeOf('object');
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
  });
  it('--json without a file: the JSON alone on stdout, the table on stderr', () => {
    const r = macsec(['bench', '--quick', '--seconds', '0.02', '--rounds', '1', '--sizes', '64', '--backend', 'noble', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { results: unknown[] };
    expect(report.results.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/GCM-AES-128/);
  });
  it('refuses a bad option with exit 2 before measuring', () => {
    const r = macsec(['bench', '--sizes', 'huge']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^macsec: --sizes: octets or imix, not "huge"\n$/);
  });
});
