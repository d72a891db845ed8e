/**
 * macsec compare as a user types it, against a "device" with known mistakes: frames re-protected from the
 * generated cases with one thing changed (the PN, the key, the confidentiality offset), edited octets (the
 * SC bit, SL, the ICV), padding, a shuffled order; and counters as JSON and as `ip -s macsec show` prints
 * them (the real output in the wpa_supplicant fixture).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, writePcap } from '../../src/capture/index.js';
import { protect, transmitTci } from '../../src/crypto/macsec.js';
import { SaContext } from '../../src/crypto/sa.js';
import { cipherSuite } from '../../src/crypto/suite.js';
import { fromHex } from '../../src/util/hex.js';
import { macsec, ROOT } from '../support/cli.js';

interface Case {
  cipherSuite: string;
  key: string;
  sci: string;
  an: number;
  pn: string;
  tci: string;
  sl: number;
  confidentiality: boolean;
  confidentialityOffset: 0 | 30 | 50;
  clearTags: number;
  unprotectedFrame: string;
  protectedFrame: string;
}

const dir = mkdtempSync(join(tmpdir(), 'macsec-compare-'));
const gen = macsec(['generate', '--suite', 'GCM-AES-128', '--count', '24', '--seed', '3', '--out', dir, '--receive']);
const folder = (mode: string) => join(dir, `gcm-aes-128-${mode}`);
const casesOf = (mode: string): Case[] => (JSON.parse(readFileSync(join(folder(mode), 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const write = (name: string, frames: readonly Uint8Array[]): string => {
  const path = join(dir, name);
  writeFileSync(path, writePcap(frames.map((data, i) => ({ data, timestampNs: BigInt(i + 1) * 1000n }))));
  return path;
};
/** A device that protects each case as told, but with `change` applied to the case first. */
function device(mode: string, change: (c: Case, i: number) => Partial<Case> & { keyBytes?: Uint8Array }): Uint8Array[] {
  return casesOf(mode).map((c, i) => {
    const d = { ...c, ...change(c, i) };
    const suite = cipherSuite(d.cipherSuite)!;
    const sa = new SaContext({ suite, key: d.keyBytes ?? fromHex(d.key), ssci: undefined, salt: undefined });
    const tci = parseInt(d.tci, 16);
    return protect(sa, fromHex(d.unprotectedFrame), {
      ...transmitTci(d.an, { includeSci: (tci & 0x20) !== 0, endStation: (tci & 0x40) !== 0, scb: (tci & 0x10) !== 0, confidentiality: d.confidentiality }),
      pn: BigInt(d.pn),
      sci: fromHex(d.sci),
      confidentialityOffset: d.confidentialityOffset,
      clearTags: d.clearTags,
    });
  });
}
const expectedOf = (mode: string) => join(folder(mode), 'protected.pcap');
const peer = (mode: string) => join(folder(mode), 'sa-peer.json');

describe('macsec compare: frames', () => {
  it('the generated cases exist', () => expect(gen.status).toBe(0));

  it('identical output: exit 0; a device that protects exactly as told is identical', () => {
    const got = write('same.pcap', device('confidentiality', () => ({})));
    const r = macsec(['compare', '--expected', expectedOf('confidentiality'), '--got', got]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/24 identical, 0 differ, 0 missing, 0 extra/);
  });

  it('a PN one too high: "PN 8 here, 7 expected", and the key and IV check out', () => {
    // One above, or one below the last PN of the suite.
    const other = (pn: bigint): bigint => (pn === 0xffff_ffffn ? pn - 1n : pn + 1n);
    const got = write('pn.pcap', device('integrity', (c) => ({ pn: String(other(BigInt(c.pn))) })));
    const r = macsec(['compare', '--expected', expectedOf('integrity'), '--got', got, '--sa', peer('integrity'), '--json']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { frames: { result: string; difference: string; keyCheck: string }[] };
    const cases = casesOf('integrity');
    doc.frames.forEach((f, i) => {
      const pn = BigInt(cases[i]!.pn) & 0xffff_ffffn;
      expect(f.result).toBe('differs');
      expect(f.difference).toBe(`PN ${other(pn)} here, ${pn} expected`);
    });
    expect(doc.frames.filter((f) => /ICV verifies under the expected key/.test(f.keyCheck)).length).toBeGreaterThan(12);
  });

  it('a wrong key: the ciphertext differs, and the ICV does not verify under the expected key', () => {
    const got = write('key.pcap', device('confidentiality', () => ({ keyBytes: new Uint8Array(16).fill(7) })));
    const r = macsec(['compare', '--expected', expectedOf('confidentiality'), '--got', got, '--sa', peer('confidentiality')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/ciphertext differs from octet 0: confidentiality offset\?/);
    expect(r.stdout).toMatch(/ICV does not verify under the expected key .*: wrong key or IV/);
  });

  it('offset 50 where 30 was expected: "ciphertext differs from octet 30: confidentiality offset?"', () => {
    const cases = casesOf('confidentiality');
    const i = cases.findIndex((c) => c.confidentialityOffset === 30 && fromHex(c.unprotectedFrame).length > 12 + 60);
    expect(i).toBeGreaterThanOrEqual(0);
    const got = write('offset.pcap', device('confidentiality', (_, k) => (k === i ? { confidentialityOffset: 50 } : {})));
    const r = macsec(['compare', '--expected', expectedOf('confidentiality'), '--got', got, '--sa', peer('confidentiality'), '--json']);
    const f = (JSON.parse(r.stdout) as { frames: { difference: string; keyCheck: string }[] }).frames[i]!;
    expect(f.difference).toBe('ciphertext differs from octet 30: confidentiality offset?');
    expect(f.keyCheck).toMatch(/ICV verifies under the expected key .* with confidentiality offset 50, not 0/);
  });

  it('names TCI bits, SL and the ICV', () => {
    const exp = readCapture(new Uint8Array(readFileSync(expectedOf('integrity')))).records.map((r) => r.data);
    const cases = casesOf('integrity');
    const sc = cases.findIndex((c) => c.tci === '20' && c.clearTags === 0);
    const short = cases.findIndex((c, i) => i !== sc && c.sl > 0 && c.clearTags === 0);
    const edited = exp.map((f, i) => {
      const g = f.slice();
      if (i === sc) g[14] = 0x00; // SC=1 -> 0
      if (i === short) g[15] = 0;
      if (i !== sc && i !== short) g[g.length - 1]! ^= 1;
      return g;
    });
    const r = macsec(['compare', '--expected', expectedOf('integrity'), '--got', write('edited.pcap', edited)]);
    expect(r.stdout).toContain(`frame ${sc + 1}: differs: SecTAG TCI: SC=0 here, 1 expected (octet 14)`);
    expect(r.stdout).toContain(`frame ${short + 1}: differs: SL 0 here, ${cases[short]!.sl} expected (octet 15)`);
    expect(r.stdout).toMatch(/ICV differs while the secure data is identical: AAD or IV differs/);
  });

  it('padding after the ICV is not a difference; --match pn pairs a shuffled capture', () => {
    const exp = readCapture(new Uint8Array(readFileSync(expectedOf('integrity')))).records.map((r) => r.data);
    const padded = exp.map((f) => (f.length < 60 ? Uint8Array.from([...f, ...new Uint8Array(60 - f.length)]) : f));
    expect(padded.some((f, i) => f.length !== exp[i]!.length)).toBe(true);
    expect(macsec(['compare', '--expected', expectedOf('integrity'), '--got', write('padded.pcap', padded)]).status).toBe(0);
    const shuffled = write('shuffled.pcap', [...exp].reverse());
    expect(macsec(['compare', '--expected', expectedOf('integrity'), '--got', shuffled]).status).toBe(1);
    const byPn = macsec(['compare', '--expected', expectedOf('integrity'), '--got', shuffled, '--match', 'pn']);
    expect(byPn.stdout).toMatch(/24 identical, 0 differ/);
    expect(byPn.status).toBe(0);
  });

  it('XPN beyond 2^32: with --cases the key check uses each frame\'s full PN; without, it says where the upper half came from', () => {
    const xdir = mkdtempSync(join(tmpdir(), 'macsec-compare-xpn-'));
    expect(macsec(['generate', '--suite', 'GCM-AES-XPN-128', '--mode', 'integrity', '--classes', 'xpn', '--count', '5', '--out', xdir]).status).toBe(0);
    const f = join(xdir, 'gcm-aes-xpn-128-integrity');
    const args = ['compare', '--expected', join(f, 'protected.pcap'), '--got', join(f, 'protected.pcap'), '--sa', join(f, 'sa-peer.json'), '--json'];
    const checks = (extra: string[]) => (JSON.parse(macsec([...args, ...extra]).stdout) as { frames: { keyCheck: string }[] }).frames.map((x) => x.keyCheck);
    expect(checks(['--cases', join(f, 'cases.json')]).every((c) => c.startsWith('ICV verifies under the expected key'))).toBe(true);
    expect(checks([]).some((c) => /the upper PN half came from the SA file's pn \(--cases gives each frame's full PN\)/.test(c))).toBe(true);
  });

  it('missing and extra frames differ; unusable input is exit 2', () => {
    const exp = readCapture(new Uint8Array(readFileSync(expectedOf('integrity')))).records.map((r) => r.data);
    const r = macsec(['compare', '--expected', expectedOf('integrity'), '--got', write('fewer.pcap', exp.slice(0, 20))]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/20 identical, 0 differ, 4 missing, 0 extra/);
    expect(macsec(['compare', '--expected', join(dir, 'nope.pcap'), '--got', write('x.pcap', exp)]).status).toBe(2);
    expect(macsec(['compare', '--got', write('y.pcap', exp)]).status).toBe(2);
  });
});

describe('macsec compare --counters', () => {
  const rx = () => join(folder('confidentiality'), 'receive');

  it('a receiver that ends with the expected counters (macsec validate --json) matches: exit 0', () => {
    const v = macsec(['validate', '--sa', join(rx(), 'sa.json'), '--in', join(rx(), 'stream.pcap'), '--json']);
    const counters = join(dir, 'validate.json');
    writeFileSync(counters, v.stdout);
    const r = macsec(['compare', '--counters', join(rx(), 'expected.json'), '--got', counters]);
    expect(r.stdout).toMatch(/as expected, 0 differ/);
    expect(r.status).toBe(0);
  });

  it('reads ip -s macsec show (Linux 6.1, from the wpa_supplicant fixture) and names the counter that differs', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'mka', 'wpa-supplicant-cak128', 'ip-macsec-show.txt'), 'utf8');
    // The last "ip -s macsec show (A)" section: after the traffic.
    const sections = text.split(/^### /m);
    const a = sections.filter((s) => s.startsWith('ip -s macsec show (A)')).at(-1)!.split('\n').slice(1).join('\n');
    const got = join(dir, 'ip-s-macsec-show.txt');
    writeFileSync(got, a);
    const expected = join(dir, 'expected-linux.json');
    writeFileSync(expected, JSON.stringify({ validateFrames: 'strict', replayProtect: true, replayWindow: 0, counters: { InPktsOK: 16, InPktsNoTag: 7, InPktsLate: 0, InPktsBadTag: 0 } }));
    const ok = macsec(['compare', '--counters', expected, '--got', got]);
    expect(ok.stdout).toMatch(/4 counters, 4 as expected, 0 differ/);
    expect(ok.status).toBe(0);
    writeFileSync(expected, JSON.stringify({ counters: { InPktsOK: 17, InPktsLate: 0 } }));
    const bad = macsec(['compare', '--counters', expected, '--got', got, '--json']);
    expect(bad.status).toBe(1);
    expect((JSON.parse(bad.stdout) as { counters: unknown[] }).counters).toContainEqual({ counter: 'InPktsOK', expected: 17, got: 16, ok: false });
    writeFileSync(expected, JSON.stringify({ counters: { InPktsOK: 16 }, replayWindw: 0 }));
    const typo = macsec(['compare', '--counters', expected, '--got', got]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/replayWindw: an unknown field/);
    writeFileSync(expected, JSON.stringify({ counters: { InPktsOK: 16 } }));
    const both = join(dir, 'both.txt');
    writeFileSync(both, sections.filter((s) => s.startsWith('ip -s macsec show')).slice(0, 2).map((s) => s.split('\n').slice(1).join('\n')).join('\n'));
    const two = macsec(['compare', '--counters', expected, '--got', both]);
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/2 interfaces \(macsec0, macsec0\): give the counters of one/);
  });
});
