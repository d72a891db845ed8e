import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/index.js';
import { macsec } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-sim-'));

describe('macsec simulate', () => {
  it('lists the built-in scenarios', () => {
    const r = macsec(['simulate', '--list']);
    expect(r.status).toBe(0);
    for (const name of ['eavesdropper', 'integrity-only', 'tamper', 'replay', 'reorder', 'rollover', 'xpn-100g']) expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });
  it('runs a built-in scenario, writes Wireshark-readable captures, same seed same bytes', () => {
    const dirs = [join(tmp, 'one'), join(tmp, 'two')];
    for (const dir of dirs) {
      const r = macsec(['simulate', '--builtin', 'tamper', '--pcap-dir', dir]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/InPktsNotValid \d+/);
    }
    expect(readdirSync(dirs[0]!).sort()).toEqual(['a-received.pcap', 'a-sent.pcap', 'b-received.pcap', 'b-sent.pcap', 'wire.pcap']);
    const wire = readFileSync(join(dirs[0]!, 'wire.pcap'));
    expect(wire.equals(readFileSync(join(dirs[1]!, 'wire.pcap')))).toBe(true);
    expect(readCapture(wire).records.length).toBe(1000);
  });
  it('prints JSON with --json and honours --seed', () => {
    const r = macsec(['simulate', '--builtin', 'replay', '--json', '--seed', '99']);
    const result = JSON.parse(r.stdout) as { seed: number; directions: Record<string, { outcomes: Record<string, number> }> };
    expect(result.seed).toBe(99);
    expect(result.directions['a->b']!.outcomes['InPktsLate']).toBeGreaterThan(0);
  });
  it('runs a scenario file, and rejects a bad one with exit 2 naming the field', () => {
    const good = join(tmp, 'mine.json');
    writeFileSync(good, JSON.stringify({ name: 'mine', traffic: [{ from: 'b', frames: 10, size: 'imix' }] }));
    expect(macsec(['simulate', good]).stdout).toMatch(/^scenario mine, seed 1/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ traffic: [{ frames: -1 }] }));
    const r = macsec(['simulate', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: traffic\[0\]\.frames: expected an integer 1-50000000, got -1/);
    expect(macsec(['simulate', '--builtin', 'nope']).status).toBe(2);
    expect(macsec(['simulate']).status).toBe(2);
  });
});
