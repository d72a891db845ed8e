/**
 * macsec generate as a user types it. Its cases must pass the vector runner (`macsec vectors`), read in
 * tshark as the SecTAGs cases.json states, never repeat a PN under the folder's SAK, be refused by a
 * transmitter as refused.json says, and the receive stream must end in the counters expected.json states.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, writePcap } from '../../src/capture/index.js';
import { fromHex } from '../../src/util/hex.js';
import { macsec } from '../support/cli.js';

const ALL = 'GCM-AES-128,GCM-AES-256,GCM-AES-XPN-128,GCM-AES-XPN-256';
const HAS_TSHARK = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 15_000 }).status === 0;

interface Case {
  name: string;
  class: string;
  sci: string;
  an: number;
  pn: string;
  tci: string;
  sl: number;
  clearTags: number;
  confidentialityOffset: number;
  unprotectedFrame: string;
  protectedFrame: string;
}
const casesOf = (folder: string): Case[] => (JSON.parse(readFileSync(join(folder, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const frames = (path: string): Uint8Array[] => readCapture(new Uint8Array(readFileSync(path)), path).records.map((r) => r.data);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function generate(dir: string, extra: string[] = []): void {
  const r = macsec(['generate', '--suite', ALL, '--count', '48', '--seed', '7', '--out', dir, ...extra]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

describe('macsec generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'macsec-gen-'));
  generate(dir, ['--receive', '--replay-window', '2']);
  const folders = readdirSync(dir).sort();

  it('writes one folder per suite and mode with every file', () => {
    expect(folders).toEqual([
      'gcm-aes-128-confidentiality', 'gcm-aes-128-integrity', 'gcm-aes-256-confidentiality', 'gcm-aes-256-integrity',
      'gcm-aes-xpn-128-confidentiality', 'gcm-aes-xpn-128-integrity', 'gcm-aes-xpn-256-confidentiality', 'gcm-aes-xpn-256-integrity',
    ]);
    for (const f of folders) {
      expect(readdirSync(join(dir, f)).sort()).toEqual(['cases.json', 'plain.pcap', 'protected.pcap', 'receive', 'refused.json', 'sa-peer.json', 'sa.json']);
      expect(readdirSync(join(dir, f, 'receive')).sort()).toEqual(['expected.json', 'sa.json', 'stream.pcap']);
    }
  });

  it('is reproducible: the same arguments give the same bytes, another seed other bytes', () => {
    const again = mkdtempSync(join(tmpdir(), 'macsec-gen-'));
    generate(again, ['--receive', '--replay-window', '2']);
    for (const f of folders) {
      for (const file of ['cases.json', 'protected.pcap', 'plain.pcap', 'sa.json', 'refused.json', 'receive/stream.pcap']) {
        expect(readFileSync(join(again, f, file)).equals(readFileSync(join(dir, f, file))), `${f}/${file}`).toBe(true);
      }
    }
    const other = mkdtempSync(join(tmpdir(), 'macsec-gen-'));
    expect(macsec(['generate', '--suite', 'GCM-AES-128', '--mode', 'integrity', '--count', '4', '--seed', '8', '--out', other]).status).toBe(0);
    expect(readFileSync(join(other, 'gcm-aes-128-integrity', 'sa.json')).equals(readFileSync(join(dir, 'gcm-aes-128-integrity', 'sa.json')))).toBe(false);
  });

  it('cases.json passes macsec vectors, and the pcaps hold its frames in order', () => {
    const r = macsec(['vectors', ...folders.map((f) => join(dir, f, 'cases.json'))]);
    expect(r.stdout).toMatch(new RegExp(`^${folders.length * 48} passed, 0 failed$`, 'm'));
    expect(r.status).toBe(0);
    for (const f of folders) {
      const cases = casesOf(join(dir, f));
      expect(cases).toHaveLength(48);
      expect(frames(join(dir, f, 'plain.pcap')).map(hex)).toEqual(cases.map((c) => c.unprotectedFrame));
      expect(frames(join(dir, f, 'protected.pcap')).map(hex)).toEqual(cases.map((c) => c.protectedFrame));
    }
  });

  it('never uses a PN twice under the folder\'s SAK (per SCI: the IV is SCI and PN)', () => {
    for (const f of folders) {
      const ivs = casesOf(join(dir, f)).map((c) => `${c.sci}:${c.pn}`);
      expect(new Set(ivs).size, f).toBe(ivs.length);
    }
  });

  it('covers each class: every SCI form, AN 0-3, offsets 30 and 50 with short frames, VLAN in clear, XPN across 2^32', () => {
    const xpn = casesOf(join(dir, 'gcm-aes-xpn-128-confidentiality'));
    const tcis = new Set(xpn.map((c) => parseInt(c.tci, 16) & 0x70));
    expect([...tcis].sort()).toEqual([0x00, 0x20, 0x40, 0x50]); // implicit, SC, ES, ES+SCB
    expect(new Set(xpn.map((c) => c.an))).toEqual(new Set([0, 1, 2, 3]));
    expect(xpn.some((c) => c.confidentialityOffset === 30 && fromHex(c.unprotectedFrame).length - 12 < 30)).toBe(true);
    expect(xpn.some((c) => c.confidentialityOffset === 50)).toBe(true);
    expect(xpn.some((c) => c.clearTags === 1)).toBe(true);
    expect(xpn.map((c) => BigInt(c.pn))).toEqual(expect.arrayContaining([5n * 2n ** 32n - 1n, 5n * 2n ** 32n, 2n ** 64n - 1n, 1n]));
    const plain = casesOf(join(dir, 'gcm-aes-128-integrity'));
    expect(plain.every((c) => (parseInt(c.tci, 16) & 0x0c) === 0)).toBe(true); // integrity only: E=0, C=0
    expect(plain.map((c) => c.pn)).toContain(String(2 ** 32 - 1));
  });

  it.skipIf(!HAS_TSHARK)('tshark reads each protected frame\'s SecTAG as cases.json states it', () => {
    for (const f of ['gcm-aes-128-confidentiality', 'gcm-aes-xpn-256-integrity']) {
      const r = spawnSync('tshark', ['-r', join(dir, f, 'protected.pcap'), '-T', 'fields', '-E', 'separator=/t', '-e', 'macsec.AN', '-e', 'macsec.SL', '-e', 'macsec.PN', '-e', 'macsec.TCI.SC'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(0);
      const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
      const cases = casesOf(join(dir, f));
      expect(rows).toHaveLength(cases.length);
      rows.forEach((row, i) => {
        const c = cases[i]!;
        expect(Number(row[0]), c.name).toBe(c.an);
        expect(Number(row[1]), c.name).toBe(c.sl);
        expect(BigInt(row[2]!), c.name).toBe(BigInt(c.pn) & 0xffff_ffffn);
        expect(row[3] === '1' || row[3] === 'True', c.name).toBe((parseInt(c.tci, 16) & 0x20) !== 0);
      });
    }
  });

  it('a transmitter refuses what refused.json lists, in the counter it names', () => {
    const folder = join(dir, 'gcm-aes-128-confidentiality');
    const refused = (JSON.parse(readFileSync(join(folder, 'refused.json'), 'utf8')) as { refused: { unprotectedFrame: string; counter: string; lastPN?: string; an: number }[] }).refused;
    expect(refused.map((r) => r.counter).sort()).toEqual(['OutPktsTooLong', 'SimOutPktsPNExhausted']);
    const sa = JSON.parse(readFileSync(join(folder, 'sa.json'), 'utf8')) as { channels: { sas: { an: number; pn: string }[] }[] };
    for (const r of refused) {
      // The transmit SA as it stands: PN exhaustion after the last PN went out.
      const start = r.lastPN ?? '1';
      const file = join(folder, `refused-sa-${r.counter}.json`);
      writeFileSync(file, JSON.stringify({ ...sa, channels: [{ ...sa.channels[0], sas: [{ ...sa.channels[0]!.sas[r.an], pn: start }] }] }));
      const frameList = r.lastPN !== undefined ? [fromHex(casesOf(folder)[0]!.unprotectedFrame), fromHex(r.unprotectedFrame)] : [fromHex(r.unprotectedFrame)];
      const input = join(folder, `refused-${r.counter}.pcap`);
      writeFileSync(input, writePcap(frameList.map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n }))));
      const out = macsec(['protect', '--sa', file, '--in', input, '--out', join(folder, `refused-out-${r.counter}.pcap`), '--json']);
      const doc = JSON.parse(out.stdout) as { frames: { result: string; counter?: string }[] };
      expect(doc.frames.at(-1)).toMatchObject({ result: 'refused', counter: r.counter });
    }
  });

  it('a receiver ends the receive stream with the counters expected.json states', () => {
    for (const f of folders) {
      const rx = join(dir, f, 'receive');
      const expected = JSON.parse(readFileSync(join(rx, 'expected.json'), 'utf8')) as { replayWindow: number; counters: Record<string, number>; validateFrames: string };
      expect(expected.replayWindow).toBe(2);
      expect(expected.validateFrames).toBe('strict');
      const r = macsec(['validate', '--sa', join(rx, 'sa.json'), '--in', join(rx, 'stream.pcap'), '--replay-window', '2', '--json']);
      const doc = JSON.parse(r.stdout) as { frames: { counter: string }[] };
      const got: Record<string, number> = {};
      for (const fr of doc.frames) got[fr.counter] = (got[fr.counter] ?? 0) + 1;
      expect(got, f).toEqual(expected.counters);
      expect(expected.counters['InPktsBadTag']).toBeGreaterThanOrEqual(4);
    }
  });

  it('--classes picks classes; --help lists them; a wrong name is a usage error', () => {
    const only = mkdtempSync(join(tmpdir(), 'macsec-gen-'));
    expect(macsec(['generate', '--classes', 'sci', '--count', '8', '--out', only]).status).toBe(0);
    expect(casesOf(join(only, 'gcm-aes-128-integrity')).every((c) => c.class === 'sci')).toBe(true);
    const help = macsec(['generate', '--help']).stdout;
    for (const c of ['sizes', 'offsets', 'vlan', 'sci', 'pn', 'xpn', 'an']) expect(help).toMatch(new RegExp(`^ {2}${c} +\\S`, 'm'));
    const bad = macsec(['generate', '--classes', 'sci,bogus', '--out', only]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--classes: unknown class "bogus"/);
    expect(macsec(['generate', '--suite', 'GCM-AES-512', '--out', only]).status).toBe(2);
  });
});
