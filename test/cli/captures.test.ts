/**
 * `macsec protect` and `macsec validate` on captures, through the built CLI: plain frames protected and
 * validated back to the same octets and timestamps for every cipher suite and mode; tampering, replay and
 * refusals counted and reported with exit 1; every kind of bad input a one-line exit 2 that leaves no file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendFcs, readCapture, writePcap, writePcapng, type CaptureRecord, type WritableRecord } from '../../src/capture/index.js';
import { backendNames } from '../../src/crypto/backend.js';
import { CIPHER_SUITES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { toHex } from '../../src/util/hex.js';
import { macsec, ROOT, type Run } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-captures-'));
let fileCount = 0;
const path = (name: string): string => join(tmp, `${++fileCount}-${name}`);

/** mulberry32: a small seeded generator, so every run builds the same frames. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const bytes = (rnd: () => number, n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));

/**
 * Plain Ethernet frames as a capture holds them: random sizes 60..1514 (IPv4 EtherType), one in six
 * 802.1Q-tagged, one in ten 802.1ad over 802.1Q, one in eight a short frame padded with zeros to 60
 * octets, and now and then one captured before padding (42 octets, like an ARP request at its sender).
 * Timestamps rise by random microseconds (or nanoseconds with `ns`).
 */
function plainRecords(count: number, seed: number, ns = false): WritableRecord[] {
  const rnd = random(seed);
  const records: WritableRecord[] = [];
  let t = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
  for (let i = 0; i < count; i++) {
    const kind = i % 120 === 7 ? 'unpadded' : i % 8 === 3 ? 'padded' : i % 10 === 1 ? 'qinq' : i % 6 === 2 ? 'vlan' : 'plain';
    const length = kind === 'unpadded' ? 42 : kind === 'padded' ? 60 : 60 + Math.floor(rnd() * (1514 - 60 + 1));
    const f = bytes(rnd, length);
    f[0]! &= 0xfe; // unicast DA
    let o = 12;
    if (kind === 'qinq') {
      f.set([0x88, 0xa8, 0x00, 0xc8], o);
      o += 4;
    }
    if (kind === 'vlan' || kind === 'qinq') {
      f.set([0x81, 0x00, 0xa0 | (i & 0x0f), 0x64], o);
      o += 4;
    }
    f.set(kind === 'unpadded' ? [0x08, 0x06] : [0x08, 0x00], o);
    if (kind === 'padded') f.fill(0, 14 + 1 + Math.floor(rnd() * 30)); // a few octets of payload, then the MAC's zero padding
    t += BigInt(1 + Math.floor(rnd() * 5000)) * (ns ? 1n : 1000n) + (ns ? BigInt(Math.floor(rnd() * 1000)) : 0n);
    records.push({ data: f, timestampNs: t });
  }
  return records;
}

interface SaOptions {
  readonly suite: CipherSuiteName;
  readonly confidentiality?: boolean;
  readonly offset?: 0 | 30 | 50;
  readonly pn?: string;
  readonly includeSci?: boolean;
  readonly seed?: number;
}

/** A one-SA file (direction both): what protect sends with is what validate receives with. */
function saFile(o: SaOptions): string {
  const rnd = random(o.seed ?? 7);
  const suite = CIPHER_SUITES[o.suite];
  const doc: Record<string, unknown> = {
    cipherSuite: o.suite,
    key: toHex(bytes(rnd, suite.keyLength)),
    sci: '02005e1000010001',
    an: 2,
    pn: o.pn ?? '1',
    confidentiality: o.confidentiality ?? true,
    confidentialityOffset: o.offset ?? 0,
    includeSci: o.includeSci ?? true,
    ...(suite.xpn ? { ssci: '00000001', salt: toHex(bytes(rnd, 12)) } : {}),
  };
  const file = path('sa.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function writeCapture(records: readonly WritableRecord[], format: 'pcap' | 'pcapng' = 'pcap', resolution: 'us' | 'ns' = 'us'): string {
  const file = path(`plain.${format}`);
  writeFileSync(file, format === 'pcap' ? writePcap(records, { resolution }) : writePcapng(records, { resolution }));
  return file;
}

/** FCS 'absent': what we wrote has none, and a frame must never lose four octets to a lucky CRC. */
const readBack = (file: string): readonly CaptureRecord[] => readCapture(new Uint8Array(readFileSync(file)), file, { fcsMode: 'absent' }).records;

function expectSameFrames(actual: readonly CaptureRecord[], expected: readonly WritableRecord[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    // toHex: one readable diff instead of thousands of octets when a frame differs.
    if (toHex(actual[i]!.data) !== toHex(expected[i]!.data)) expect({ frame: i + 1, data: toHex(actual[i]!.data) }).toEqual({ frame: i + 1, data: toHex(expected[i]!.data) });
    if (actual[i]!.timestampNs !== expected[i]!.timestampNs) expect({ frame: i + 1, t: actual[i]!.timestampNs }).toEqual({ frame: i + 1, t: expected[i]!.timestampNs });
  }
}

const json = <T = Record<string, unknown>>(r: Run): T => JSON.parse(r.stdout) as T;

interface Counters {
  secy: Record<string, number>;
  transmitSC: { counters: Record<string, number> };
  receiveSCs: { sci: string; counters: Record<string, number>; sas: { an: number; counters: Record<string, number> }[] }[];
}
interface Report {
  counters: Counters;
  frames: { frame: number; result: string; counter?: string; reason?: string; pn?: string }[];
}

/** protect then validate with one SA file; both must succeed, and the result equal the input. */
function roundTrip(records: readonly WritableRecord[], sa: string, extra: { format?: 'pcap' | 'pcapng'; resolution?: 'us' | 'ns'; backend?: [string, string] } = {}): { protectedFile: string; protect: Report; validate: Report } {
  const input = writeCapture(records, extra.format, extra.resolution);
  const protectedFile = path('protected.pcap');
  const back = path('back.pcap');
  const [txBackend, rxBackend] = extra.backend ?? ['noble', 'noble'];
  const p = macsec(['protect', '--sa', sa, '--in', input, '--out', protectedFile, '--backend', txBackend, '--json']);
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  const v = macsec(['validate', '--sa', sa, '--in', protectedFile, '--out', back, '--backend', rxBackend, '--json']);
  expect(v.stderr).toBe('');
  expect(v.status).toBe(0);
  expectSameFrames(readBack(back), records);
  return { protectedFile, protect: json<Report>(p), validate: json<Report>(v) };
}

/** Exit 2, one line `macsec: ...` on stderr, nothing on stdout, and no output file (nor a temporary one). */
function expectUsageError(r: Run, message: RegExp, out?: string): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^macsec: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  if (out !== undefined) {
    expect(existsSync(out)).toBe(false);
    const name = out.slice(tmp.length + 1);
    expect(readdirSync(tmp).filter((f) => f.startsWith(name))).toEqual([]);
  }
}

describe('protect then validate gives back the same frames and timestamps', () => {
  it('4000 frames, GCM-AES-128, encrypted: counters add up', () => {
    const records = plainRecords(4000, 1);
    const { protect, validate, protectedFile } = roundTrip(records, saFile({ suite: 'GCM-AES-128' }));
    expect(protect.counters.transmitSC.counters['OutPktsEncrypted']).toBe(4000);
    expect(protect.frames.map((f) => f.pn)).toEqual(records.map((_, i) => String(i + 1)));
    expect(validate.counters.receiveSCs[0]!.counters['InPktsOK']).toBe(4000);
    const wire = readBack(protectedFile);
    // Every frame went out as MACsec: SecTAG after the addresses, 16 + 16 octets more (SCI included), unpadded.
    expect(wire.every((r, i) => r.data[12] === 0x88 && r.data[13] === 0xe5 && r.data.length === records[i]!.data.length + 32)).toBe(true);
    expect(wire.map((r) => r.timestampNs)).toEqual(records.map((r) => r.timestampNs));
  });

  const modes: readonly SaOptions[] = [
    { suite: 'GCM-AES-128', confidentiality: false },
    { suite: 'GCM-AES-256', confidentiality: true },
    { suite: 'GCM-AES-256', confidentiality: false, includeSci: false },
    { suite: 'GCM-AES-256', confidentiality: true, offset: 30 },
    // XPN: PNs cross 2^32 within the capture, so the receiver must recover the upper half (10.6.2).
    { suite: 'GCM-AES-XPN-128', confidentiality: true, pn: '4294967000' },
    { suite: 'GCM-AES-XPN-128', confidentiality: false, pn: '4294967000', offset: 50 },
    { suite: 'GCM-AES-XPN-128', confidentiality: true, offset: 50, includeSci: false },
    { suite: 'GCM-AES-XPN-256', confidentiality: true, pn: '8589934000' },
    { suite: 'GCM-AES-XPN-256', confidentiality: false, offset: 30 },
    { suite: 'GCM-AES-128', confidentiality: true, offset: 50 },
  ];
  it.each(modes.map((m) => [`${m.suite}, ${m.confidentiality ? 'encrypted' : 'integrity only'}, offset ${m.offset ?? 0}${m.includeSci === false ? ', no SCI' : ''}${m.pn ? `, from PN ${m.pn}` : ''}`, m] as const))(
    '%s',
    (_name, mode) => {
      const records = plainRecords(600, 2);
      const { protect, validate } = roundTrip(records, saFile(mode));
      const counter = mode.confidentiality ? 'OutPktsEncrypted' : 'OutPktsProtected';
      expect(protect.counters.transmitSC.counters[counter]).toBe(600);
      expect(validate.counters.receiveSCs[0]!.counters['InPktsOK']).toBe(600);
      expect(validate.counters.receiveSCs[0]!.counters[mode.confidentiality ? 'InOctetsDecrypted' : 'InOctetsValidated']).toBeGreaterThan(0);
      if (mode.pn !== undefined) expect(validate.frames.at(-1)!.pn).toBe(String(BigInt(mode.pn) + 599n));
    },
  );

  it('across backends: protected with node, validated with noble', () => {
    roundTrip(plainRecords(300, 3), saFile({ suite: 'GCM-AES-XPN-256', pn: '4294967200' }), { backend: ['node', 'noble'] });
  });

  it('pcapng input with nanosecond timestamps: written as pcap in nanoseconds, every timestamp kept', () => {
    const records = plainRecords(500, 4, true);
    expect(records.some((r) => r.timestampNs % 1000n !== 0n)).toBe(true);
    const { protectedFile } = roundTrip(records, saFile({ suite: 'GCM-AES-256' }), { format: 'pcapng', resolution: 'ns' });
    expect(readCapture(new Uint8Array(readFileSync(protectedFile))).format).toBe('pcap');
  });

  it('the example capture with the example channel files: one station protects, its peer validates', () => {
    const out = path('wire.pcap');
    const back = path('back.pcap');
    const p = macsec(['protect', '--sa', 'examples/sa-channels.json', '--in', 'examples/plain.pcap', '--out', out]);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^protect: 40 frames from examples\/plain\.pcap \(pcap\): 40 protected, 0 not -> .*GCM-AES-XPN-128, encrypted, SCI 02005e1000010001, AN 0, PN 4294967290-4294967329\); (native|node), \d+ frames\/s, \d+\.\d\d Gbit\/s, peak memory \d+ MB$/m);
    expect(p.stdout).toMatch(/^next PN of AN 0: 4294967330 /m);
    const v = macsec(['validate', '--sa', 'examples/sa-channels-peer.json', '--in', out, '--out', back]);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^ {2}RXSC: 02005e1000010001$/m);
    expect(v.stdout).toMatch(/^validate: 40 frames from .*: 40 delivered \(InPktsOK 40\), 0 not -> /m);
    expect(readFileSync(back)).toEqual(readFileSync(join(ROOT, 'examples/plain.pcap')));
    // The sender's own file has no receive channel for its own SCI: every frame is InPktsNoSCI.
    const self = macsec(['validate', '--sa', 'examples/sa-channels.json', '--in', out, '--json']);
    expect(self.status).toBe(1);
    expect(json<Report>(self).counters.secy['InPktsNoSCI']).toBe(40);
  });
});

describe('frames with an FCS', () => {
  const records = plainRecords(200, 5);
  const withFcs = records.map((r) => ({ ...r, data: appendFcs(r.data) }));

  it('auto-detected by CRC-32 when the file does not say: removed, never protected as payload', () => {
    const sa = saFile({ suite: 'GCM-AES-128' });
    const input = writeCapture(withFcs);
    const out = path('protected.pcap');
    const back = path('back.pcap');
    const p = macsec(['protect', '--sa', sa, '--in', input, '--out', out, '--json']);
    expect(p.status).toBe(0);
    expect(readBack(out).map((r) => r.data.length)).toEqual(records.map((r) => r.data.length + 32));
    expect(macsec(['validate', '--sa', sa, '--in', out, '--out', back]).status).toBe(0);
    expectSameFrames(readBack(back), records);
  });

  it('declared in the pcap header (LinkType FCS bits), and forced with --fcs present', () => {
    const sa = saFile({ suite: 'GCM-AES-XPN-128' });
    const image = writePcap(withFcs);
    new DataView(image.buffer).setUint32(20, 1 | 0x0400_0000 | (2 << 28), true); // Ethernet, FCS present, 2 words
    const declared = path('declared.pcap');
    writeFileSync(declared, image);
    for (const [input, fcs] of [
      [declared, 'auto'],
      [writeCapture(withFcs), 'present'],
    ] as const) {
      const out = path('protected.pcap');
      const back = path('back.pcap');
      expect(macsec(['protect', '--sa', sa, '--in', input, '--out', out, '--fcs', fcs]).status).toBe(0);
      expect(macsec(['validate', '--sa', sa, '--in', out, '--out', back]).status).toBe(0);
      expectSameFrames(readBack(back), records);
    }
  });
});

describe('rejected frames: counted, reported, exit 1', () => {
  const records = plainRecords(300, 6);
  const sa = saFile({ suite: 'GCM-AES-256' });
  const input = writeCapture(records);
  const protectedFile = path('protected.pcap');
  const wire = (): Uint8Array[] => {
    if (!existsSync(protectedFile)) expect(macsec(['protect', '--sa', sa, '--in', input, '--out', protectedFile]).status).toBe(0);
    return readBack(protectedFile).map((r) => r.data);
  };
  const capture = (frames: readonly Uint8Array[]): string => writeCapture(frames.map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n })));

  it('a tampered frame: InPktsNotValid, dropped, named in the report; the others still delivered', () => {
    const frames = wire();
    frames[41]![60]! ^= 0x01; // frame 42, inside the secure data
    const tampered = capture(frames);
    const back = path('back.pcap');
    const r = macsec(['validate', '--sa', sa, '--in', tampered, '--out', back]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^dropped: frame 42: InPktsNotValid: ICV check failed \(C=1\) \[SCI 02005e1000010001, AN 2, PN 42\]$/m);
    expect(r.stdout).toMatch(/^validate: 300 frames from .*: 299 delivered \(InPktsOK 299\), 1 not -> /m);
    expect(readBack(back).length).toBe(299);
    const j = json<Report>(macsec(['validate', '--sa', sa, '--in', tampered, '--json']));
    expect(j.counters.receiveSCs[0]!.counters['InPktsNotValid']).toBe(1);
    expect(j.counters.receiveSCs[0]!.sas[0]!.counters['InPktsNotValid']).toBe(1);
    expect(j.frames[41]).toMatchObject({ frame: 42, result: 'dropped', counter: 'InPktsNotValid', pn: '42' });
    expect(j.frames.filter((f) => f.result === 'delivered')).toHaveLength(299);
  });

  it('a replayed frame is late; --replay-window lets a reordered one through', () => {
    const frames = wire();
    const replayed = capture([...frames.slice(0, 10), frames[4]!, ...frames.slice(10)]);
    const r = macsec(['validate', '--sa', sa, '--in', replayed, '--json']);
    expect(r.status).toBe(1);
    expect(json<Report>(r).frames[10]).toMatchObject({ frame: 11, result: 'dropped', counter: 'InPktsLate', pn: '5' });
    const swapped = capture([...frames.slice(0, 10), frames[11]!, frames[10]!, ...frames.slice(12)]);
    expect(macsec(['validate', '--sa', sa, '--in', swapped]).status).toBe(1);
    expect(macsec(['validate', '--sa', sa, '--in', swapped, '--replay-window', '4']).status).toBe(0);
  });

  it('--validate-frames check delivers a frame that fails when C=0, counted InPktsInvalid', () => {
    const integrity = saFile({ suite: 'GCM-AES-128', confidentiality: false });
    const out = path('protected.pcap');
    expect(macsec(['protect', '--sa', integrity, '--in', input, '--out', out]).status).toBe(0);
    const frames = readBack(out).map((r) => r.data);
    frames[0]![40]! ^= 0x80;
    const r = macsec(['validate', '--sa', integrity, '--in', capture(frames), '--validate-frames', 'check', '--json']);
    expect(r.status).toBe(0);
    expect(json<Report>(r).frames[0]).toMatchObject({ result: 'delivered', counter: 'InPktsInvalid' });
  });

  it('the summary line names the backend: by default the fastest there is (native, then node); --backend noble still works', () => {
    const fastest = backendNames().includes('native') ? 'native' : 'node';
    const input = writeCapture(records.slice(0, 3));
    const sa = saFile({ suite: 'GCM-AES-128', pn: '1' });
    const [byDefault, byNoble] = [path('default.pcap'), path('noble.pcap')];
    expect(macsec(['protect', '--sa', sa, '--in', input, '--out', byDefault]).stdout).toMatch(new RegExp(`^protect: 3 frames .*\\); ${fastest}, \\d+ frames/s`, 'm'));
    const noble = macsec(['protect', '--sa', sa, '--in', input, '--out', byNoble, '--backend', 'noble']);
    expect(noble.stdout).toMatch(/^protect: 3 frames .*\); noble, \d+ frames\/s/m);
    expect(readFileSync(byNoble)).toEqual(readFileSync(byDefault));
    expect(macsec(['validate', '--sa', sa, '--in', byNoble, '--backend', 'noble']).stdout).toMatch(/^validate: 3 frames .*: 3 delivered \(InPktsOK 3\), 0 not; noble, /m);
  });

  it('PN exhaustion: the SA sends up to 2^32 - 1, refuses the rest (SimOutPktsPNExhausted)', () => {
    const out = path('protected.pcap');
    const r = macsec(['protect', '--sa', saFile({ suite: 'GCM-AES-128', pn: '4294967290' }), '--in', writeCapture(records.slice(0, 10)), '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^refused: frame 7: SimOutPktsPNExhausted: transmit SA 2 has used its last PN$/m);
    expect(r.stdout).toMatch(/^protect: 10 frames from .*: 6 protected, 4 not -> .*PN 4294967290-4294967295\); \w+, \d+ frames\/s, \d+\.\d\d Gbit\/s, peak memory \d+ MB$/m);
    expect(readBack(out).length).toBe(6);
  });

  it('too long, too short and truncated frames are refused or skipped, the rest protected', () => {
    const out = path('protected.pcap');
    const list: WritableRecord[] = [
      records[0]!,
      { data: bytes(random(1), 1990), timestampNs: 1n }, // + 32 > maxFrameSize 1996
      { data: records[2]!.data.slice(0, 12), timestampNs: 2n }, // addresses only
      { data: records[3]!.data.slice(0, 50), timestampNs: 3n, originalLength: records[3]!.data.length }, // snapped
      records[4]!,
    ];
    const r = macsec(['protect', '--sa', sa, '--in', writeCapture(list), '--out', out, '--json']);
    expect(r.status).toBe(1);
    expect(json<Report>(r).frames.map((f) => [f.result, f.counter])).toEqual([
      ['protected', 'OutPktsEncrypted'],
      ['refused', 'OutPktsTooLong'],
      ['skipped', undefined],
      ['skipped', undefined],
      ['protected', 'OutPktsEncrypted'],
    ]);
    expect(json<Report>(r).counters.secy['OutPktsTooLong']).toBe(1);
    expect(readBack(out).map((f) => f.timestampNs)).toEqual([records[0]!.timestampNs, records[4]!.timestampNs]);
  });
});

describe('bad input: exit 2, one line, no output file', () => {
  const records = plainRecords(20, 8);
  const sa = saFile({ suite: 'GCM-AES-128' });
  const input = writeCapture(records);
  const both = (args: (out: string) => string[], message: RegExp): void => {
    for (const command of ['protect', 'validate']) {
      const out = path('out.pcap');
      expectUsageError(macsec([command, ...args(out)]), message, out);
    }
  };

  it('a missing input file', () => {
    both((out) => ['--sa', sa, '--in', join(tmp, 'nope.pcap'), '--out', out], /nope\.pcap: cannot read \(ENOENT\)/);
  });
  it('a missing or unreadable SA file', () => {
    both((out) => ['--sa', join(tmp, 'nope.json'), '--in', input, '--out', out], /nope\.json: expected a readable SA file, got ENOENT/);
    const notJson = path('sa.json');
    writeFileSync(notJson, '{ "cipherSuite": ');
    both((out) => ['--sa', notJson, '--in', input, '--out', out], /sa\.json: expected valid JSON/);
  });
  it('a bad field in the SA file, named', () => {
    const bad = path('sa.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(sa, 'utf8')), key: '0011' }));
    both((out) => ['--sa', bad, '--in', input, '--out', out], /sa\.json: key: expected 16 octets in hex/);
    const xpn = path('sa.json');
    writeFileSync(xpn, JSON.stringify({ cipherSuite: 'GCM-AES-XPN-128', channels: [{ sci: '02005e1000010001', direction: 'receive', sas: [{ an: 0, key: '00'.repeat(16), pn: '1', ssci: '00000001' }] }] }));
    both((out) => ['--sa', xpn, '--in', input, '--out', out], /sa\.json: channels\[0\]\.sas\[0\]\.salt: expected a string, got nothing/);
    const receiveOnly = path('sa.json');
    writeFileSync(receiveOnly, JSON.stringify({ cipherSuite: 'GCM-AES-128', channels: [{ sci: '02005e1000010001', direction: 'receive', sas: [{ an: 0, key: '11'.repeat(16), pn: '1' }] }] }));
    const out = path('out.pcap');
    expectUsageError(macsec(['protect', '--sa', receiveOnly, '--in', input, '--out', out]), /sa\.json: channels: expected a channel with direction "transmit" or "both"/, out);
    const pn0 = path('sa.json');
    writeFileSync(pn0, JSON.stringify({ ...JSON.parse(readFileSync(saFile({ suite: 'GCM-AES-XPN-256' }), 'utf8')), pn: '0' }));
    const out2 = path('out.pcap');
    expectUsageError(macsec(['protect', '--sa', pn0, '--in', input, '--out', out2]), /sa\.json: pn: expected at least 1 on a transmit channel/, out2);
  });
  it('a capture of another link type', () => {
    const image = writePcap(records);
    new DataView(image.buffer).setUint32(20, 113, true);
    const sll = path('sll.pcap');
    writeFileSync(sll, image);
    both((out) => ['--sa', sa, '--in', sll, '--out', out], /sll\.pcap: pcap LinkType field at offset 20: link type 113 \(Linux cooked SLL\) is not Ethernet \(1\)/);
  });
  it('a truncated capture, and a file that is no capture at all', () => {
    const image = writePcap(records);
    const cut = path('cut.pcap');
    writeFileSync(cut, image.subarray(0, image.length - 10));
    both((out) => ['--sa', sa, '--in', cut, '--out', out], /cut\.pcap: truncated pcap record at offset \d+ \(needs \d+ octets, \d+ left\)/);
    both((out) => ['--sa', sa, '--in', sa, '--out', out], /magic number 7b22.* is neither pcap nor pcapng/);
  });
  it('bad options: an output folder that does not exist, a backend, a replay window', () => {
    const nowhere = join(tmp, 'no-such-folder', 'out.pcap');
    both(() => ['--sa', sa, '--in', input, '--out', nowhere], /--out .*out\.pcap: no folder /);
    both((out) => ['--sa', sa, '--in', input, '--out', out, '--backend', 'gpu'], /--backend: expected noble, node.*, got "gpu"/);
    const out = path('out.pcap');
    expectUsageError(macsec(['validate', '--sa', saFile({ suite: 'GCM-AES-XPN-128' }), '--in', input, '--out', out, '--replay-window', '1073741824']), /--replay-window: expected an integer 0 to 1073741823/, out);
    const r = macsec(['protect', '--sa', sa, '--in', input]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Missing required argument: out/);
  });
  it('an existing output file is left as it was', () => {
    const out = path('out.pcap');
    writeFileSync(out, 'precious');
    const cut = path('cut.pcap');
    writeFileSync(cut, writePcap(records).subarray(0, 30));
    expect(macsec(['protect', '--sa', sa, '--in', cut, '--out', out]).status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });
});

describe('--wireshark-keys, --help', () => {
  it('writes the SAK in Wireshark\'s pre-shared key table and says where it goes', () => {
    const keys = path('psk_config_data');
    const sa = saFile({ suite: 'GCM-AES-256' });
    const r = macsec(['protect', '--sa', sa, '--in', 'examples/plain.pcap', '--out', path('p.pcap'), '--wireshark-keys', keys]);
    expect(r.status).toBe(0);
    const key = (JSON.parse(readFileSync(sa, 'utf8')) as { key: string }).key;
    expect(readFileSync(keys, 'utf8')).toMatch(new RegExp(`^${key},"macsec-sim GCM-AES-256 SCI 02:00:5e:10:00:01/1 AN 2"$`, 'm'));
    expect(r.stdout).toMatch(/^Wireshark keys: 1 written to .*psk_config_data \(Wireshark 4\.6 or newer/m);
    expect(r.stdout).toMatch(/install: cp .* ~\/\.config\/wireshark\/psk_config_data/);
  });
  it('every command has help with an example', () => {
    for (const command of ['protect', 'validate', 'explain']) {
      const r = macsec([command, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n {2}macsec ${command} `));
    }
  });
});
