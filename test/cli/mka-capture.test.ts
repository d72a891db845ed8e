/**
 * validate and explain --in with the CAK alone, on a real MKA session (wpa_supplicant 2.10 on the Linux 6.1
 * macsec driver, test/fixtures/mka/wpa-supplicant-cak128) and on sessions the link model's KaYs make.
 * The oracles: the plaintext tcpdump saw on the macsec interface, the kernel's counters, the simulation's
 * delivered frames.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, writePcap } from '../../src/capture/index.js';
import { macsec, ROOT } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'mka', 'wpa-supplicant-cak128');
const WIRE = join(FIXTURE, 'wire.pcap');
const config = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as { cak: string; ckn: string; sciA: string; sciB: string };
const CAK = ['--cak', config.cak, '--ckn', config.ckn];
const frames = (path: string): Uint8Array[] => readCapture(new Uint8Array(readFileSync(path)), path).records.map((r) => r.data);
const etherType = (f: Uint8Array): number => (f[12]! << 8) | f[13]!;

interface SakJson {
  kn: number;
  an: number;
  keyServerSci: string;
  cipherSuite: string;
  key?: string;
  sscis?: Record<string, number>;
  salt?: string;
}
interface ValidateJson {
  saks: SakJson[];
  mkpdus: number;
  delivered: number;
  beforeFirstSak: number;
  counters: { receiveSCs: { sci: string; counters: Record<string, number> }[] };
  frames: { frame: number; result: string; counter?: string }[];
}

describe('validate --cak on a wpa_supplicant 2.10 / Linux 6.1 session', () => {
  const dir = mkdtempSync(join(tmpdir(), 'macsec-cak-'));

  it('delivers every MACsec frame, equal to the plaintext on the macsec interface', () => {
    const out = join(dir, 'plain.pcap');
    const r = macsec(['validate', '--in', WIRE, ...CAK, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const wire = frames(WIRE);
    expect(wire.filter((f) => etherType(f) === 0x888e)).toHaveLength(13); // the fixture's README
    expect(wire.filter((f) => etherType(f) === 0x88e5)).toHaveLength(32);
    expect(frames(out)).toEqual(frames(join(FIXTURE, 'plain-A.pcap')));
    expect(r.stdout).toMatch(/13 MKPDUs verified, 1 SAK; 32 frames after the first SAK: 32 reached the Controlled Port, 0 not/);
  });

  it('names the SAK by KN, AN and key server (A, priority 16), never the key', () => {
    const r = macsec(['validate', '--in', WIRE, ...CAK, '--json']);
    const doc = JSON.parse(r.stdout) as ValidateJson;
    expect(doc.saks).toHaveLength(1);
    // ip macsec show prints the key identifier: the key server's MI 377e23ba93b2ee2abf9443d9, KN 1.
    expect(doc.saks[0]).toMatchObject({ kn: 1, an: 0, keyServerSci: config.sciA, keyServerMi: '377e23ba93b2ee2abf9443d9', cipherSuite: 'GCM-AES-128' });
    expect(doc.saks[0]!.key).toBeUndefined();
    const shown = JSON.parse(macsec(['validate', '--in', WIRE, ...CAK, '--json', '--show-keys']).stdout) as ValidateJson;
    const key = shown.saks[0]!.key!;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(r.stdout).not.toContain(key);
    expect(macsec(['validate', '--in', WIRE, ...CAK]).stdout).not.toContain(key);
    expect(macsec(['validate', '--in', WIRE, ...CAK, '--show-keys']).stdout).toContain(`SAK ${key}`);
  });

  it('ends with the counters the kernel showed (ip -s macsec show: InPktsOK 16 per RXSC, InOctetsDecrypted 5439 and 4603)', () => {
    const doc = JSON.parse(macsec(['validate', '--in', WIRE, ...CAK, '--json']).stdout) as ValidateJson;
    const sc = (sci: string) => doc.counters.receiveSCs.find((s) => s.sci === sci)!.counters;
    expect(sc(config.sciB)).toMatchObject({ InPktsOK: 16, InOctetsDecrypted: 5439, InPktsInvalid: 0, InPktsNotValid: 0, InPktsLate: 0 });
    expect(sc(config.sciA)).toMatchObject({ InPktsOK: 16, InOctetsDecrypted: 4603 });
  });

  it('takes the CAK and CKN from a wpa_supplicant configuration (--wpa-conf)', () => {
    const r = macsec(['validate', '--in', WIRE, '--wpa-conf', join(FIXTURE, 'wpa-B.conf')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/32 reached the Controlled Port, 0 not/);
    const two = join(dir, 'two.conf');
    writeFileSync(two, `${readFileSync(join(FIXTURE, 'wpa-A.conf'), 'utf8')}\n${readFileSync(join(FIXTURE, 'wpa-B.conf'), 'utf8')}`);
    const amb = macsec(['validate', '--in', WIRE, '--wpa-conf', two]);
    expect(amb.status).toBe(2);
    expect(amb.stderr).toMatch(/2 network blocks with mka_cak \(lines \d+, \d+\): give --cak and --ckn/);
  });

  it('with a wrong CAK every MKPDU fails its ICV and no frame is decrypted (exit 1)', () => {
    const r = macsec(['validate', '--in', WIRE, '--cak', '00'.repeat(16), '--ckn', config.ckn, '--json']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as ValidateJson;
    expect(doc.frames.filter((f) => f.result === 'mkpdu-rejected')).toHaveLength(13);
    expect(doc.frames.filter((f) => f.result === 'before-sak')).toHaveLength(32);
    expect(doc.delivered).toBe(0);
    expect(macsec(['validate', '--in', WIRE, '--cak', '00'.repeat(16), '--ckn', config.ckn]).stdout).toMatch(/BAD_ICV: ICV at offset \d+: AES-CMAC under the ICK does not match/);
  });

  it('reports MACsec frames sent before the first SAK as such, not as failures', () => {
    const wire = frames(WIRE);
    const firstMacsec = wire.findIndex((f) => etherType(f) === 0x88e5);
    const moved = [wire[firstMacsec]!, ...wire.filter((_, i) => i !== firstMacsec)];
    const path = join(dir, 'early.pcap');
    writeFileSync(path, writePcap(moved.map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n }))));
    const r = macsec(['validate', '--in', path, ...CAK]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 frame before the first SAK \(not checked: no key yet\), the first: frame 1/);
    expect(r.stdout).toMatch(/31 reached the Controlled Port, 0 not; 1 before the first SAK/);
  });

  it('a replayed MACsec frame is dropped as late (replayProtect, window 0)', () => {
    const wire = frames(WIRE);
    const path = join(dir, 'replay.pcap');
    writeFileSync(path, writePcap([...wire, wire[20]!].map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n }))));
    const r = macsec(['validate', '--in', path, ...CAK]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/dropped: frame 46: InPktsLate/);
  });

  it('usage: --cak needs --ckn, --sa and the CAK exclude each other, and validate needs one of them', () => {
    expect(macsec(['validate', '--in', WIRE, '--cak', config.cak]).stderr).toBe('macsec: --cak and --ckn go together\n');
    const both = macsec(['validate', '--in', WIRE, ...CAK, '--sa', join(ROOT, 'examples', 'sa.json')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give --sa or the CAK/);
    const none = macsec(['validate', '--in', WIRE]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/give the keys: --sa FILE, or the CAK with --cak and --ckn/);
    expect(macsec(['validate', '--in', WIRE, '--cak', 'abcd', '--ckn', config.ckn]).stderr).toBe('macsec: --cak: expected 16 or 32 octets, got 2\n');
  });
});

describe('explain --in --cak', () => {
  it('explains a MACsec frame with the SAK in force and the receiver verdict', () => {
    const r = macsec(['explain', '--in', WIRE, ...CAK, '--frame', '10']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ Validation: ICV verifies/);
    expect(r.stdout).toMatch(/Key: GCM-AES-128, SAK KN 1 \(key server 0200000000010001\)/);
    expect(r.stdout).toMatch(/✓ Receiver: InPktsOK: delivered to the Controlled Port/);
    expect(r.stdout).toMatch(/KN 1, AN 0: key server SCI 0200000000010001/);
  });
  it('--frame N reads no further than frame N: a capture cut short after it still explains it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'macsec-cak-cut-')), 'cut.pcap');
    writeFileSync(path, Buffer.concat([readFileSync(WIRE), Buffer.alloc(7)])); // half a record header after frame 45
    const r = macsec(['explain', '--in', path, ...CAK, '--frame', '45']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Frame 45: /); // as with --sa: how many frames follow is not read
    const all = macsec(['explain', '--in', path, ...CAK]);
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/truncated/);
    expect(macsec(['validate', '--in', path, ...CAK]).status).toBe(2);
  });
  it('every frame: numbered "of n", the JSON\'s SAKs and participants first, from a file or standard input alike', () => {
    const text = macsec(['explain', '--in', WIRE, ...CAK]);
    expect(text.stdout).toMatch(/^Frame 1 of 45: /);
    expect(text.stdout).toMatch(/\nFrame 45 of 45: /);
    const json = macsec(['explain', '--in', WIRE, ...CAK, '--json']);
    const doc = JSON.parse(json.stdout) as { saks: unknown[]; participants: unknown[]; frames: unknown[] };
    expect(Object.keys(doc)).toEqual(['saks', 'participants', 'frames']);
    expect(doc.frames).toHaveLength(45);
    const validated = JSON.parse(macsec(['validate', '--in', WIRE, ...CAK, '--json']).stdout) as { saks: unknown[]; participants: unknown[] };
    expect(doc.saks).toEqual(validated.saks);
    expect(doc.participants).toEqual(validated.participants);
    const viaStdin = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), ...args], { input: readFileSync(WIRE), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(viaStdin(['explain', '--in=-', ...CAK]).stdout).toBe(text.stdout.replaceAll(WIRE, 'stdin'));
    expect(viaStdin(['explain', '--in=-', ...CAK, '--json']).stdout).toBe(json.stdout);
  });
  it('says which MKPDU distributed the SAK', () => {
    const r = macsec(['explain', '--in', WIRE, '--wpa-conf', join(FIXTURE, 'wpa-A.conf'), '--frame', '4']);
    expect(r.stdout).toMatch(/✓ MKA: MKPDU from SCI 0200000000010001, MN \d+ +ICV verified, key server; Distributed SAK KN 1, AN 0 \(GCM-AES-128, confidentiality offset 0\) unwrapped and installed/);
  });
});

describe('validate --cak on sessions of the link model\'s KaYs', () => {
  const scenario = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', 'scenarios', `${name}.json`), 'utf8')) as { mka: { cak: string; ckn: string } };
  const simulate = (name: string): string => {
    const dir = mkdtempSync(join(tmpdir(), `macsec-${name}-`));
    expect(macsec(['simulate', '--builtin', name, '--pcap-dir', dir]).status).toBe(0);
    return dir;
  };

  it('follows every rekey (GCM-AES-256, AN 0-3 and round again): what it delivers is what the stations received', () => {
    const dir = simulate('mka-rekey');
    const { cak, ckn } = scenario('mka-rekey').mka;
    const out = join(dir, 'plain.pcap');
    const r = macsec(['validate', '--in', join(dir, 'wire.pcap'), '--cak', cak, '--ckn', ckn, '--out', out, '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as ValidateJson;
    expect(doc.saks.map((s) => [s.kn, s.an])).toEqual([[1, 0], [2, 1], [3, 2], [4, 3], [5, 0]]);
    const received = [...frames(join(dir, 'a-received.pcap')), ...frames(join(dir, 'b-received.pcap'))].filter((f) => etherType(f) !== 0x888e);
    const key = (f: Uint8Array) => Buffer.from(f).toString('hex');
    expect(frames(out).map(key).sort()).toEqual(received.map(key).sort());
  });

  it('XPN: the SSCIs and salt come from the MKPDUs, and every MACsec frame verifies', () => {
    const dir = simulate('mka-peer-loss');
    const { cak, ckn } = scenario('mka-peer-loss').mka;
    const r = macsec(['validate', '--in', join(dir, 'wire.pcap'), '--cak', cak, '--ckn', ckn, '--json']);
    const doc = JSON.parse(r.stdout) as ValidateJson;
    expect(doc.saks[0]!.cipherSuite).toBe('GCM-AES-XPN-128');
    expect(Object.values(doc.saks[0]!.sscis!).sort()).toEqual([1, 2]);
    expect(doc.saks[0]!.salt).toMatch(/^[0-9a-f]{24}$/);
    const macsecFrames = frames(join(dir, 'wire.pcap')).filter((f) => etherType(f) === 0x88e5).length;
    expect(macsecFrames).toBeGreaterThan(0);
    expect(doc.frames.filter((f) => f.counter === 'InPktsOK')).toHaveLength(macsecFrames);
  });
});
