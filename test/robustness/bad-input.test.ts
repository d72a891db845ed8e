/**
 * Bad input at the edges: one row per case, for every command and every library entry point. A command
 * must answer in one line on stderr that names the field and what was expected, exit 2, print no stack
 * trace and leave no output file (half-written or otherwise); a library call must throw a typed error
 * (ConfigError, HexError, WireError, CaptureError, VectorFileError) whose one-line message does the same.
 *
 * Rows marked `known` fail today in code another engineer owns; they run as `it.fails` (so they start
 * failing, as a reminder, the day the fix lands) and are listed in the robustness report for the lead.
 */
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/errors.js';
import { writePcapng } from '../../src/capture/pcapng.js';
import { readCapture } from '../../src/capture/read.js';
import { decodeSaFile } from '../../src/config/sa-file.js';
import { loadVectorFile } from '../../src/conformance/files.js';
import { VectorFileError } from '../../src/conformance/vectors.js';
import { protect, type ProtectOptions } from '../../src/crypto/macsec.js';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES } from '../../src/crypto/suite.js';
import { decodeScenario } from '../../src/link/scenario.js';
import { decodeTransmitSnapshot, SecY, type SecYOptions } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { fromHex, HexError } from '../../src/util/hex.js';
import { WireError } from '../../src/wire/error.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { ROOT, type Run } from '../support/cli.js';
import { macsecAll } from './run.js';

// ------------------------------------------------------------------ fixtures

const dir = mkdtempSync(join(tmpdir(), 'macsec-bad-input-'));
const OUT = join(dir, 'out');
mkdirSync(OUT);
const f = (name: string): string => join(dir, name);
const write = (name: string, content: string | Uint8Array | object): string => {
  writeFileSync(f(name), typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content));
  return f(name);
};

const SA = JSON.parse(readFileSync(join(ROOT, 'examples', 'sa.json'), 'utf8')) as Record<string, unknown>;
const KEY = SA['key'] as string;
const XPN = { ...SA, cipherSuite: 'GCM-AES-XPN-128', ssci: '7a30c118', salt: 'e630e81a48de86a21c66fa6d' };
const VECTOR = (JSON.parse(readFileSync(join(ROOT, 'vectors', 'gcm-aes-128.json'), 'utf8')) as Record<string, unknown>[])[0]!;
const XPN_VECTOR = (JSON.parse(readFileSync(join(ROOT, 'vectors', 'gcm-aes-xpn-128.json'), 'utf8')) as Record<string, unknown>[])[0]!;
const omit = (o: Record<string, unknown>, k: string): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k));

/** A pcap (little-endian, microseconds) with these frames, or with a given link type. */
function pcap(frames: readonly Uint8Array[], linkType = 1, snapLength = 262_144): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const u16 = (v: number) => parts.push(v & 0xff, v >>> 8);
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(snapLength);
  u32(linkType);
  const out: Uint8Array[] = [Uint8Array.from(parts)];
  for (const frame of frames) {
    const h: number[] = [];
    for (const v of [1, 0, frame.length, frame.length]) h.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    out.push(Uint8Array.from(h), frame);
  }
  return Buffer.concat(out);
}
const ethernet = (length: number): Uint8Array => {
  const frame = new Uint8Array(length);
  frame.set([0xf0, 0x76, 0x1e, 0x8d, 0xcd, 0x3d, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00]);
  return frame;
};
const PLAIN_PCAP = join(ROOT, 'examples', 'plain.pcap');
const plainPcap = readFileSync(PLAIN_PCAP);

const F = {
  sa: join(ROOT, 'examples', 'sa.json'),
  xpnSa: join(ROOT, 'examples', 'sa-channels.json'),
  oddKey: write('odd-key.json', { ...SA, key: KEY.slice(1) }),
  nonHexKey: write('nonhex-key.json', { ...SA, key: `zz${KEY.slice(2)}` }),
  shortKey: write('short-key.json', { ...SA, key: KEY.slice(2) }),
  key256: write('key-256.json', { ...SA, cipherSuite: 'GCM-AES-256' }),
  suite: write('suite.json', { ...SA, cipherSuite: 'GCM-AES-512' }),
  an4: write('an4.json', { ...SA, an: 4 }),
  anNeg: write('an-neg.json', { ...SA, an: -1 }),
  pn0: write('pn0.json', { ...SA, pn: '0' }),
  pn2to32: write('pn-2to32.json', { ...SA, pn: '4294967296' }),
  pnXpnBig: write('pn-xpn-big.json', { ...XPN, pn: '18446744073709551616' }),
  pnText: write('pn-text.json', { ...SA, pn: 'one' }),
  xpnNoSsci: write('xpn-no-ssci.json', omit(XPN, 'ssci')),
  xpnNoSalt: write('xpn-no-salt.json', omit(XPN, 'salt')),
  xpnShortSsci: write('xpn-short-ssci.json', { ...XPN, ssci: '7a30c1' }),
  plainSalt: write('plain-salt.json', { ...SA, salt: XPN.salt }),
  plainSsci: write('plain-ssci.json', { ...SA, ssci: XPN.ssci }),
  shortSci: write('short-sci.json', { ...SA, sci: 'f0761e8dcd3d' }),
  offset20: write('offset20.json', { ...SA, confidentialityOffset: 20 }),
  malformed: write('malformed.json', '{"cipherSuite": "GCM-AES-128", '),
  empty: write('empty.json', ''),
  array: write('array.json', '[]'),
  missing: f('missing.json'),
  twoTx: write('two-tx.json', {
    channels: [
      { sci: '0000000000000001', direction: 'transmit', sas: [{ an: 0, key: KEY }] },
      { sci: '0000000000000002', direction: 'both', sas: [{ an: 0, key: KEY }] },
    ],
  }),
  rxOnly: write('rx-only.json', { channels: [{ sci: '0000000000000001', direction: 'receive', sas: [{ an: 0, key: KEY }] }] }),
  // captures
  foreign: write('foreign.pcap', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])),
  truncated: write('truncated.pcap', plainPcap.subarray(0, 40)),
  truncatedHeader: write('truncated-header.pcap', plainPcap.subarray(0, 10)),
  emptyCapture: write('empty.pcap', new Uint8Array(0)),
  wifi: write('wifi.pcap', pcap([new Uint8Array(60)], 105)),
  bigFrame: write('big-frame.pcap', pcap([ethernet(70_000)])),
  hugeRecord: write('huge-record.pcap', pcap([ethernet(300_000)], 1, 400_000)),
  bigHex: write('big.hex', Buffer.from(ethernet(70_000)).toString('hex')),
  // vectors
  vMissing: f('missing-vectors.json'),
  vMalformed: write('v-malformed.json', '[{"name": '),
  vEmpty: write('v-empty.json', '[]'),
  vObject: write('v-object.json', { frames: [] }),
  vOddKey: write('v-odd-key.json', [{ ...VECTOR, name: 'mine', key: (VECTOR['key'] as string).slice(1) }]),
  vSuite: write('v-suite.json', [{ ...VECTOR, name: 'mine', cipherSuite: 'GCM-AES-512' }]),
  vAn4: write('v-an4.json', [{ ...VECTOR, name: 'mine', an: 4 }]),
  vPnBig: write('v-pn-big.json', [{ ...VECTOR, name: 'mine', pn: '4294967296' }]),
  vPnText: write('v-pn-text.json', [{ ...VECTOR, name: 'mine', pn: 'many' }]),
  vShortKey: write('v-short-key.json', [{ ...VECTOR, name: 'mine', key: (VECTOR['key'] as string).slice(2) }]),
  vNoSalt: write('v-no-salt.json', [{ ...omit(XPN_VECTOR, 'salt'), name: 'mine' }]),
  vSaltPlain: write('v-salt-plain.json', [{ ...VECTOR, name: 'mine', salt: XPN.salt }]),
  // scenarios
  sMalformed: write('s-malformed.json', '{"name": "x", '),
  sSuite: write('s-suite.json', { secy: { cipherSuite: 'GCM-AES-512' } }),
  sPn0: write('s-pn0.json', { keys: { initialPN: '0' } }),
  sWindow: write('s-window.json', { secy: { cipherSuite: 'GCM-AES-XPN-128', replayWindow: 2 ** 31 } }),
  sSize: write('s-size.json', { traffic: [{ size: 10 }] }),
  sActor: write('s-actor.json', { actors: { a: [{ type: 'teleport' }] } }),
  sForeign: write('s-foreign.json', SA),
  sRate0: write('s-rate0.json', { link: { rate: '0G' }, duration: '10us' }),
  dangling: f('dangling'),
};
symlinkSync(f('nowhere'), F.dangling);
const outFile = (name: string): string => join(OUT, name);
const sentinel = write('out/existing.pcap', 'previous contents');

// Outputs that are inputs, devices, links (issue 12): each row its own files, since the rows run in parallel.
const SA_TEXT = readFileSync(join(ROOT, 'examples', 'sa.json'));
const copy = (name: string, bytes: Uint8Array): string => write(name, bytes);
const O = {
  sameIn: copy('o-same.pcap', plainPcap),
  saAsOut: copy('o-sa.json', SA_TEXT),
  keysIn: copy('o-keys-in.pcap', plainPcap),
  hardIn: copy('o-hard-in.pcap', plainPcap),
  hardLink: f('o-hard-link.pcap'),
  symIn: f('o-sym-in.pcap'),
  symTarget: copy('o-sym-target.pcap', plainPcap),
  validateIn: copy('o-validate-in.pcap', plainPcap),
  linkOut: f('o-link-out.pcap'),
  linkTarget: write('o-link-target.pcap', 'previous contents'),
  scenarioDir: f('o-scenario-dir'),
  notAFolder: copy('o-not-a-folder.json', SA_TEXT),
  oneFrame: write('o-one-frame.pcap', pcap([ethernet(60)])),
  jumbo: write('o-jumbo.pcap', pcap([ethernet(9212)])), // 9216 octets with FCS
};
linkSync(O.hardIn, O.hardLink);
symlinkSync(O.symTarget, O.symIn);
symlinkSync(O.linkTarget, O.linkOut);
mkdirSync(O.scenarioDir);
const scenarioAsWire = write('o-scenario-dir/wire.pcap', readFileSync(join(ROOT, 'examples', 'scenarios', 'replay.json')));
const jumboScenario = write('o-jumbo-scenario.json', { traffic: [{ frames: 3, size: 9216 }], duration: '1ms' });
const S = {
  typo: write('sa-typo.json', { ...SA, confidentialty: false }),
  includeSCI: write('sa-include-sci.json', { ...omit(SA, 'includeSci'), includeSCI: false }),
  channelTypo: write('sa-channel-typo.json', { channels: [{ sci: '0000000000000001', direction: 'both', sas: [{ an: 0, kye: KEY, key: KEY }] }] }),
  channelsAndKey: write('sa-channels-and-key.json', { key: KEY, channels: [{ sci: '0000000000000001', sas: [{ an: 0, key: KEY }] }] }),
  vectorExtras: write('v-extras.json', [{ ...VECTOR, name: 'mine', source: 'captured on a lab switch', generator: { tool: 'other', seed: 7 } }]),
};

// ------------------------------------------------------------------ the table

type ErrorClass = typeof ConfigError | typeof HexError | typeof WireError | typeof CaptureError | typeof VectorFileError;

interface CommandRow {
  readonly what: string;
  /** The command line after `macsec`. */
  readonly input: readonly string[];
  readonly exit: 0 | 1 | 2;
  /** What stderr must say (exit 2), or what stdout must say (exit 0 and 1). */
  readonly message: RegExp;
  /** Output files that must not exist afterwards (and no temporary files beside them). */
  readonly noFiles?: readonly string[];
  /** Files that must hold afterwards exactly what they held before the run. */
  readonly unchanged?: readonly string[];
  /** Any other state of the files afterwards. */
  readonly after?: () => void;
  /** Code owned elsewhere that does not pass yet: the row runs as it.fails. */
  readonly known?: string;
}

interface ApiRow {
  readonly what: string;
  readonly input: () => unknown;
  /** The class thrown (or, for the wire parsers that never throw, returned in `error`). */
  readonly error: ErrorClass;
  readonly message: RegExp;
  readonly known?: string;
}

const explainSa = (file: string): string[] => ['explain', '00', '--sa', file];
const protectTo = (name: string, ...rest: string[]): { input: string[]; noFiles: string[] } => ({
  input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', outFile(name), ...rest],
  noFiles: [outFile(name)],
});

const COMMAND_ROWS: readonly CommandRow[] = [
  // SA files (every command that takes --sa reads them the same way)
  { what: 'SA key: odd number of hex digits', input: explainSa(F.oddKey), exit: 2, message: /odd-key\.json: key: expected 16 octets in hex, got odd number of hex digits \(a lone digit at offset 30\)$/ },
  { what: 'SA key: not hex', input: explainSa(F.nonHexKey), exit: 2, message: /nonhex-key\.json: key: expected 16 octets in hex, got 'z' at offset 0 is not a hex digit$/ },
  { what: 'SA key: wrong length', input: explainSa(F.shortKey), exit: 2, message: /short-key\.json: key: expected 16 octets in hex, got 15 octets$/ },
  { what: 'SA key: 16 octets for GCM-AES-256', input: explainSa(F.key256), exit: 2, message: /key-256\.json: key: expected 32 octets in hex, got 16 octets$/ },
  { what: 'SA cipher suite unknown', input: explainSa(F.suite), exit: 2, message: /suite\.json: cipherSuite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256, got "GCM-AES-512"$/ },
  { what: 'SA AN 4', input: explainSa(F.an4), exit: 2, message: /an4\.json: an: expected an integer 0-3, got 4$/ },
  { what: 'SA AN -1', input: explainSa(F.anNeg), exit: 2, message: /an-neg\.json: an: expected an integer 0-3, got -1$/ },
  { what: 'SA PN 0 (plain suite)', input: explainSa(F.pn0), exit: 2, message: /pn0\.json: pn: expected a number 1-4294967295 \(decimal string\), got "0"$/ },
  { what: 'SA PN 2^32 (plain suite)', input: explainSa(F.pn2to32), exit: 2, message: /pn-2to32\.json: pn: expected a number 1-4294967295 \(decimal string\), got "4294967296"$/ },
  { what: 'SA PN 2^64 (XPN)', input: explainSa(F.pnXpnBig), exit: 2, message: /pn-xpn-big\.json: pn: expected a number 0-18446744073709551615 \(decimal string\), got "18446744073709551616"$/ },
  { what: 'SA PN not a number', input: explainSa(F.pnText), exit: 2, message: /pn-text\.json: pn: expected a number 1-4294967295 \(decimal string\), got "one"$/ },
  { what: 'SA XPN without SSCI', input: explainSa(F.xpnNoSsci), exit: 2, message: /xpn-no-ssci\.json: ssci: expected a string, got nothing$/ },
  { what: 'SA XPN without salt', input: explainSa(F.xpnNoSalt), exit: 2, message: /xpn-no-salt\.json: salt: expected a string, got nothing$/ },
  { what: 'SA XPN SSCI of 3 octets', input: explainSa(F.xpnShortSsci), exit: 2, message: /xpn-short-ssci\.json: ssci: expected 4 octets in hex, got 3 octets$/ },
  { what: 'SA salt given for a plain suite', input: explainSa(F.plainSalt), exit: 2, message: /plain-salt\.json: salt: expected no salt for GCM-AES-128 \(XPN suites only\), got "e630e81a48de86a21c66fa6d"$/ },
  { what: 'SA SSCI given for a plain suite', input: explainSa(F.plainSsci), exit: 2, message: /plain-ssci\.json: ssci: expected no ssci for GCM-AES-128 \(XPN suites only\), got "7a30c118"$/ },
  { what: 'SA SCI of 6 octets', input: explainSa(F.shortSci), exit: 2, message: /short-sci\.json: sci: expected 8 octets in hex, got 6 octets$/ },
  { what: 'SA confidentialityOffset 20', input: explainSa(F.offset20), exit: 2, message: /offset20\.json: confidentialityOffset: expected 0, 30 or 50, got 20$/ },
  { what: 'SA file: malformed JSON', input: explainSa(F.malformed), exit: 2, message: /malformed\.json: expected valid JSON, got .*JSON/ },
  { what: 'SA file: empty', input: explainSa(F.empty), exit: 2, message: /empty\.json: expected valid JSON, got Unexpected end of JSON input$/ },
  { what: 'SA file: an array', input: explainSa(F.array), exit: 2, message: /array\.json: expected a JSON object, got an array$/ },
  { what: 'SA file: missing', input: explainSa(F.missing), exit: 2, message: /missing\.json: expected a readable SA file, got ENOENT$/ },
  { what: 'SA file: two transmit channels', input: explainSa(F.twoTx), exit: 2, message: /two-tx\.json: channels: expected at most one transmit channel/ },
  { what: 'SA file: a misspelt field (confidentialty) is refused, nothing written', input: ['protect', '--sa', S.typo, '--in', PLAIN_PCAP, '--out', outFile('typo.pcap')], noFiles: [outFile('typo.pcap')], exit: 2, message: /sa-typo\.json: confidentialty: expected one of the fields cipherSuite, confidentiality, confidentialityOffset, includeSci, endStation, scb, sci, an, key, pn, ssci, salt, got an unknown field$/ },
  { what: 'SA file: includeSCI for includeSci', input: explainSa(S.includeSCI), exit: 2, message: /sa-include-sci\.json: includeSCI: expected one of the fields .*, got an unknown field$/ },
  { what: 'SA file: an unknown field in an SA, with its path', input: explainSa(S.channelTypo), exit: 2, message: /sa-channel-typo\.json: channels\[0\]\.sas\[0\]\.kye: expected one of the fields an, key, pn, ssci, salt, got an unknown field$/ },
  { what: 'SA file: a one-SA key beside channels', input: explainSa(S.channelsAndKey), exit: 2, message: /sa-channels-and-key\.json: key: expected one of the fields cipherSuite, confidentiality, confidentialityOffset, includeSci, endStation, scb, channels, got an unknown field$/ },
  { what: 'vector files keep extra descriptive fields', input: ['vectors', S.vectorExtras], exit: 0, message: /^1 passed, 0 failed$/m },
  { what: 'protect with a receive-only SA file', ...protectTo('rx-only.pcap'), input: ['protect', '--sa', F.rxOnly, '--in', PLAIN_PCAP, '--out', outFile('rx-only.pcap')], exit: 2, message: /rx-only\.json: channels: expected a channel with direction "transmit" or "both" to send on, got receive channels only$/ },
  { what: 'protect with a bad key writes nothing', input: ['protect', '--sa', F.shortKey, '--in', PLAIN_PCAP, '--out', outFile('bad-key.pcap')], noFiles: [outFile('bad-key.pcap')], exit: 2, message: /key: expected 16 octets in hex, got 15 octets$/ },
  { what: 'validate with a malformed SA file', input: ['validate', '--sa', F.malformed, '--in', PLAIN_PCAP], exit: 2, message: /malformed\.json: expected valid JSON/ },
  // captures
  { what: 'capture: foreign file (PNG)', input: ['protect', '--sa', F.sa, '--in', F.foreign, '--out', outFile('foreign.pcap')], noFiles: [outFile('foreign.pcap')], exit: 2, message: /foreign\.pcap: magic number 89504e47 at offset 0 is neither pcap nor pcapng$/ },
  { what: 'capture: truncated record', input: ['protect', '--sa', F.sa, '--in', F.truncated, '--out', outFile('trunc.pcap')], noFiles: [outFile('trunc.pcap')], exit: 2, message: /truncated\.pcap: truncated pcap record at offset 24 \(needs \d+ octets, 16 left\)$/ },
  { what: 'capture: truncated header', input: ['validate', '--sa', F.sa, '--in', F.truncatedHeader], exit: 2, message: /truncated-header\.pcap: truncated pcap file header at offset 0 \(needs 24 octets, 10 left\)$/ },
  { what: 'capture: empty file', input: ['explain', '--in', F.emptyCapture], exit: 2, message: /empty\.pcap: truncated capture file magic number at offset 0 \(needs 4 octets, 0 left\)$/ },
  { what: 'capture: missing file', input: ['protect', '--sa', F.sa, '--in', f('nothing.pcap'), '--out', outFile('missing-in.pcap')], noFiles: [outFile('missing-in.pcap')], exit: 2, message: /nothing\.pcap: cannot read \(ENOENT\)$/ },
  { what: 'capture: not Ethernet (802.11)', input: ['validate', '--sa', F.sa, '--in', F.wifi], exit: 2, message: /wifi\.pcap: .*link type 105 \(IEEE 802\.11\) is not Ethernet \(1\)$/ },
  { what: 'capture: a record over 256 KiB', input: ['validate', '--sa', F.sa, '--in', F.hugeRecord], exit: 2, message: /huge-record\.pcap: pcap record at offset 24 captures 300000 octets, over the limit of 262144$/ },
  { what: 'capture: bad input leaves an existing --out file as it was', input: ['protect', '--sa', F.sa, '--in', F.truncated, '--out', sentinel], exit: 2, message: /truncated pcap record/ },
  // output paths
  { what: '--out in a folder that does not exist', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', join(dir, 'no', 'such', 'x.pcap')], exit: 2, message: /--out .*x\.pcap: no folder .*such$/ },
  { what: '--out is a folder', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', OUT], exit: 2, message: /--out .*out: is a folder$/ },
  { what: '--pcap-dir under /proc (Node\'s recursive mkdir loops forever there: was a hang)', input: ['simulate', '--builtin', 'replay', '--pcap-dir', '/proc/macsec-nope/x'], exit: 2, message: /--pcap-dir \/proc\/macsec-nope\/x: cannot create \/proc\/macsec-nope \(\w+\)$/ },
  { what: '--pcap-dir is a file', input: ['simulate', '--builtin', 'replay', '--pcap-dir', F.sa], exit: 2, message: /--pcap-dir .*sa\.json: .*sa\.json is not a folder$/ },
  { what: '--pcap-dir through a dangling symlink', input: ['simulate', '--builtin', 'replay', '--pcap-dir', join(F.dangling, 'x')], exit: 2, message: /--pcap-dir .*dangling\/x: cannot create .*dangling \(EEXIST\)$/ },
  // outputs that are inputs: refused before any work, the input untouched
  { what: '--out is the --in capture', input: ['protect', '--sa', F.sa, '--in', O.sameIn, '--out', O.sameIn], exit: 2, message: /^macsec: --out (\S+o-same\.pcap): is the input \1$/, unchanged: [O.sameIn] },
  { what: '--out is the --sa file', input: ['protect', '--sa', O.saAsOut, '--in', PLAIN_PCAP, '--out', O.saAsOut], exit: 2, message: /^macsec: --out \S+o-sa\.json: is the input \S+o-sa\.json$/, unchanged: [O.saAsOut] },
  { what: '--wireshark-keys is the --in capture', input: ['protect', '--sa', F.sa, '--in', O.keysIn, '--out', outFile('keys-in.pcap'), '--wireshark-keys', O.keysIn], noFiles: [outFile('keys-in.pcap')], exit: 2, message: /^macsec: --wireshark-keys \S+o-keys-in\.pcap: is the input \S+o-keys-in\.pcap$/, unchanged: [O.keysIn] },
  { what: '--out is a hard link to the --in capture', input: ['protect', '--sa', F.sa, '--in', O.hardIn, '--out', O.hardLink], exit: 2, message: /^macsec: --out \S+o-hard-link\.pcap: is the input \S+o-hard-in\.pcap$/, unchanged: [O.hardIn] },
  { what: '--in is a symlink to --out', input: ['protect', '--sa', F.sa, '--in', O.symIn, '--out', O.symTarget], exit: 2, message: /^macsec: --out \S+o-sym-target\.pcap: is the input \S+o-sym-in\.pcap$/, unchanged: [O.symTarget], after: () => expect(lstatSync(O.symIn).isSymbolicLink()).toBe(true) },
  { what: 'validate --out is its --in', input: ['validate', '--sa', F.sa, '--in', O.validateIn, '--out', O.validateIn], exit: 2, message: /^macsec: --out \S+o-validate-in\.pcap: is the input \S+o-validate-in\.pcap$/, unchanged: [O.validateIn] },
  { what: '--out and --wireshark-keys are one file', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', outFile('twice'), '--wireshark-keys', outFile('twice')], noFiles: [outFile('twice')], exit: 2, message: /^macsec: --wireshark-keys \S+twice: is also --out \S+twice$/ },
  { what: '--pcap-dir would overwrite the scenario file', input: ['simulate', scenarioAsWire, '--pcap-dir', O.scenarioDir], exit: 2, message: /^macsec: --pcap-dir \S+wire\.pcap: is the input \S+wire\.pcap$/, unchanged: [scenarioAsWire], after: () => expect(readdirSync(O.scenarioDir)).toEqual(['wire.pcap']) },
  // outputs that are not regular files: written through, never replaced
  { what: '--out /dev/null stays a device', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', '/dev/null'], exit: 0, message: /^protect: 40 frames from .* -> \/dev\/null /m, after: () => expect(statSync('/dev/null').isCharacterDevice()).toBe(true) },
  {
    what: '--out through a symlink writes its target and keeps the link',
    input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', O.linkOut],
    exit: 0,
    message: /^protect: 40 frames from .*: 40 protected, 0 not -> \S+o-link-out\.pcap /m,
    after: () => {
      expect(lstatSync(O.linkOut).isSymbolicLink()).toBe(true);
      expect(readCapture(readFileSync(O.linkTarget), 'target', { fcsMode: 'absent' }).records).toHaveLength(40);
    },
  },
  // outputs that cannot be created: refused before the work starts
  { what: '--out through a regular file (ENOTDIR)', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', join(O.notAFolder, 'x.pcap')], exit: 2, message: /^macsec: --out \S+o-not-a-folder\.json\/x\.pcap: \S+o-not-a-folder\.json is not a folder$/, unchanged: [O.notAFolder] },
  { what: 'bench --json in a missing folder, before measuring', input: ['bench', '--quick', '--json', join(dir, 'no', 'bench.json')], exit: 2, message: /^macsec: --json \S+no\/bench\.json: no folder \S+\/no$/ },
  { what: 'bench --svg through a regular file, before measuring', input: ['bench', '--quick', '--svg', join(O.notAFolder, 'chart.svg')], exit: 2, message: /^macsec: --svg \S+chart\.svg: \S+o-not-a-folder\.json is not a folder$/ },
  { what: 'bench --json (to stdout) and --svg - are one output', input: ['bench', '--quick', '--json', '--svg', '-'], exit: 2, message: /^macsec: --svg -: is also --json -$/ },
  { what: 'validate --out in a missing folder, before reading the capture', input: ['validate', '--sa', F.sa, '--in', F.truncated, '--out', join(dir, 'no', 'x.pcap')], exit: 2, message: /^macsec: --out \S+\/no\/x\.pcap: no folder \S+\/no$/ },
  // frames over 64 KiB: refused by name (protect), dropped by rule (validate), explained (explain)
  { what: 'protect: a frame over 64 KiB is refused, named (exit 1)', input: ['protect', '--sa', F.sa, '--in', F.bigFrame, '--out', outFile('big.pcap')], exit: 1, message: /^refused: frame 1: OutPktsTooLong: MPDU of 70032 octets exceeds maxFrameSize 1996$/m },
  { what: 'validate: a frame over 64 KiB is dropped, named (exit 1)', input: ['validate', '--sa', F.sa, '--in', F.bigFrame], exit: 1, message: /^dropped: frame 1: InPktsNoTag: no SecTAG, and validateFrames is Strict$/m },
  { what: 'explain: a frame over 64 KiB from a capture', input: ['explain', '--in', F.bigFrame], exit: 0, message: /^Frame 1 of 1: 70000 octets/m },
  { what: 'explain: a frame over 64 KiB from a hex file', input: ['explain', '--file', F.bigHex], exit: 0, message: /^! Frame: 70000 octets/m },
  // options
  { what: '--validate-frames lax', input: ['validate', '--sa', F.sa, '--in', PLAIN_PCAP, '--validate-frames', 'lax'], exit: 2, message: /Invalid values: Argument: validate-frames, Given: "lax", Choices: "strict", "check", "disabled"/ },
  { what: '--replay-window -1', input: ['validate', '--sa', F.sa, '--in', PLAIN_PCAP, '--replay-window=-1'], exit: 2, message: /--replay-window: expected an integer 0 to 4294967295, got -1$/ },
  { what: '--replay-window 2^31 with XPN', input: ['validate', '--sa', F.xpnSa, '--in', PLAIN_PCAP, '--replay-window', '2147483648'], exit: 2, message: /--replay-window: expected an integer 0 to 1073741823 \(2\^30 - 1: the XPN limit\), got 2147483648$/ },
  { what: '--replay-window not a number', input: ['validate', '--sa', F.sa, '--in', PLAIN_PCAP, '--replay-window', 'abc'], exit: 2, message: /^macsec: --replay-window: expected a whole number, got 'abc'$/ },
  { what: '--frame not a number', input: ['explain', '--in', PLAIN_PCAP, '--frame', 'third'], exit: 2, message: /^macsec: --frame: expected a whole number, got 'third'$/ },
  { what: '--seed not a number', input: ['simulate', '--builtin', 'replay', '--seed', '7a'], exit: 2, message: /^macsec: --seed: expected a whole number, got '7a'$/ },
  { what: '--max-frame-size not a number', ...protectTo('mfs-text.pcap', '--max-frame-size', 'jumbo'), exit: 2, message: /^macsec: --max-frame-size: expected a whole number, got 'jumbo'$/ },
  { what: '--max-frame-size 10', ...protectTo('mfs-10.pcap', '--max-frame-size', '10'), exit: 2, message: /^macsec: --max-frame-size: expected an integer of at least 60 \(octets, FCS excluded\), got 10$/ },
  { what: '--max-frame-size 10 (simulate)', input: ['simulate', jumboScenario, '--max-frame-size', '10'], exit: 2, message: /^macsec: --max-frame-size: expected an integer of at least 60 \(octets, FCS excluded\), got 10$/ },
  { what: 'bench --workers not a number (before measuring)', input: ['bench', '--quick', '--workers', 'two'], exit: 2, message: /^macsec: --workers: expected a whole number, got 'two'$/ },
  { what: 'bench --seconds not a number', input: ['bench', '--quick', '--seconds', 'long'], exit: 2, message: /^macsec: --seconds: expected a number, got 'long'$/ },
  { what: 'bench --rounds 2.5', input: ['bench', '--quick', '--rounds', '2.5'], exit: 2, message: /^macsec: --rounds: expected a whole number, got '2.5'$/ },
  { what: '--backend unknown (protect)', ...protectTo('backend.pcap', '--backend', 'openssl'), exit: 2, message: /--backend: expected noble, node.*, got "openssl"$/ },
  { what: '--backend unknown (explain)', input: ['explain', '00', '--backend', 'openssl'], exit: 2, message: /--backend: unknown backend "openssl"$/ },
  { what: '--frame beyond the capture', input: ['explain', '--in', PLAIN_PCAP, '--frame', '99'], exit: 2, message: /--frame: expected a frame number 1-\d+ \(frames in .*plain\.pcap\), got 99$/ },
  { what: '--frame without --in', input: ['explain', '00', '--frame', '1'], exit: 2, message: /--frame: only with --in \(a capture\)$/ },
  { what: 'protect without --out', input: ['protect', '--sa', F.sa, '--in', PLAIN_PCAP], exit: 2, message: /Missing required argument: out/ },
  { what: 'unknown option', input: ['vectors', '--fast'], exit: 2, message: /^macsec: unknown option --fast \(macsec --help lists the options\)$/ },
  { what: 'unknown option (protect), nothing written', ...protectTo('bogus.pcap', '--bogus'), exit: 2, message: /^macsec: unknown option --bogus \(macsec --help lists the options\)$/ },
  { what: 'unknown options, as typed', input: ['vectors', '--no-colour', '-z', '--fast-path=1'], exit: 2, message: /^macsec: unknown options --no-colour, -z, --fast-path \(macsec --help lists the options\)$/ },
  { what: 'a stray argument', input: ['protect', 'plain.pcap', '--sa', F.sa, '--in', PLAIN_PCAP, '--out', outFile('stray.pcap')], noFiles: [outFile('stray.pcap')], exit: 2, message: /^macsec: unexpected argument 'plain\.pcap' \(macsec --help lists the options\)$/ },
  { what: 'bare macsec says once what to do', input: [], exit: 2, message: /^macsec: name a command \(macsec --help lists the commands\)$/ },
  // the rough edges
  { what: 'one frame is "1 frame"', input: ['protect', '--sa', F.sa, '--in', O.oneFrame, '--out', outFile('one-frame.pcap')], exit: 0, message: /^protect: 1 frame from .*o-one-frame\.pcap \(pcap\): 1 protected, 0 not -> /m },
  { what: 'a jumbo frame (9216 with FCS) is refused at the default maxFrameSize', input: ['protect', '--sa', F.sa, '--in', O.jumbo, '--out', outFile('jumbo-default.pcap')], exit: 1, message: /^refused: frame 1: OutPktsTooLong: MPDU of 9244 octets exceeds maxFrameSize 1996$/m },
  {
    what: '--max-frame-size 9244 protects a jumbo frame',
    input: ['protect', '--sa', F.sa, '--in', O.jumbo, '--out', outFile('jumbo.pcap'), '--max-frame-size', '9244'],
    exit: 0,
    message: /^protect: 1 frame from .*: 1 protected, 0 not/m,
    after: () => expect(readCapture(readFileSync(outFile('jumbo.pcap')), 'jumbo.pcap', { fcsMode: 'absent' }).records[0]!.data.length).toBe(9244),
  },
  // maxFrameSize is a transmit check (10.7): validate, which only receives, refuses the option rather than ignore it.
  { what: '--max-frame-size on validate', input: ['validate', '--sa', F.sa, '--in', PLAIN_PCAP, '--max-frame-size', '9244'], exit: 2, message: /^macsec: unknown option --max-frame-size \(macsec --help lists the options\)$/ },
  { what: '--max-frame-size 9244 lets a simulated link carry jumbo frames', input: ['simulate', jumboScenario, '--max-frame-size', '9244'], exit: 0, message: /offered 3, sent 3, arrived 3/ },
  { what: 'jumbo frames on a simulated link at the default maxFrameSize', input: ['simulate', jumboScenario], exit: 0, message: /offered 3, sent 0, refused: OutPktsTooLong 3/ },
  // hex
  { what: 'explain: odd number of hex digits', input: ['explain', 'abc'], exit: 2, message: /frame: odd number of hex digits \(a lone digit at offset 2\)$/ },
  { what: 'explain: not hex', input: ['explain', 'zz'], exit: 2, message: /frame: 'z' at offset 0 is not a hex digit$/ },
  { what: 'explain --file missing', input: ['explain', '--file', f('missing.hex')], exit: 2, message: /missing\.hex: cannot read \(ENOENT\)$/ },
  // vectors
  { what: 'vectors: missing file', input: ['vectors', F.vMissing], exit: 2, message: /missing-vectors\.json: cannot read \(ENOENT\)$/ },
  { what: 'vectors: malformed JSON', input: ['vectors', F.vMalformed], exit: 2, message: /v-malformed\.json: not valid JSON \(.*\)$/ },
  { what: 'vectors: empty list', input: ['vectors', F.vEmpty], exit: 2, message: /v-empty\.json: expected at least one vector, got an empty list$/ },
  { what: 'vectors: an object without vectors', input: ['vectors', F.vObject], exit: 2, message: /v-object\.json: expected an array of vectors, or an object with "vectors" or "cases"$/ },
  { what: 'vector key: odd number of hex digits', input: ['vectors', F.vOddKey], exit: 2, message: /v-odd-key\.json: vector mine: key: odd number of hex digits/ },
  { what: 'vector cipher suite unknown', input: ['vectors', F.vSuite], exit: 2, message: /v-suite\.json: vector mine: cipherSuite: unknown cipher suite "GCM-AES-512"$/ },
  { what: 'vector AN 4', input: ['vectors', F.vAn4], exit: 2, message: /v-an4\.json: vector mine: an: expected 0-3, got 4$/ },
  { what: 'vector PN not a number', input: ['vectors', F.vPnText], exit: 2, message: /v-pn-text\.json: vector mine: pn: expected a decimal string, got "many"$/ },
  { what: 'vector PN 2^32: inconsistent, never a pass (exit 1)', input: ['vectors', F.vPnBig], exit: 1, message: /^ +inconsistent vector: pn 4294967296 exceeds GCM-AES-128's maximum$/m },
  { what: 'vector key of the wrong length: inconsistent (exit 1)', input: ['vectors', F.vShortKey], exit: 1, message: /^ +inconsistent vector: key is 15 octets, GCM-AES-128 needs 16$/m },
  { what: 'vector XPN without salt: inconsistent (exit 1)', input: ['vectors', F.vNoSalt], exit: 1, message: /^ +inconsistent vector: GCM-AES-XPN-128 needs ssci and salt$/m },
  { what: 'vector salt for a plain suite: inconsistent (exit 1)', input: ['vectors', F.vSaltPlain], exit: 1, message: /^ +inconsistent vector: ssci\/salt given for GCM-AES-128$/m },
  // scenarios
  { what: 'scenario: malformed JSON', input: ['simulate', F.sMalformed], exit: 2, message: /s-malformed\.json: expected valid JSON, got .*JSON/ },
  { what: 'scenario: missing', input: ['simulate', f('missing-scenario.json')], exit: 2, message: /missing-scenario\.json: expected a readable scenario file, got ENOENT$/ },
  { what: 'scenario cipher suite unknown', input: ['simulate', F.sSuite], exit: 2, message: /s-suite\.json: secy\.cipherSuite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256, got "GCM-AES-512"$/ },
  { what: 'scenario initial PN 0', input: ['simulate', F.sPn0], exit: 2, message: /s-pn0\.json: keys\.initialPN: expected a number 1-4294967295 \(decimal string\), got "0"$/ },
  { what: 'scenario replayWindow beyond XPN', input: ['simulate', F.sWindow], exit: 2, message: /s-window\.json: secy\.replayWindow: expected an integer 0-1073741823, got 2147483648$/ },
  { what: 'scenario frame size 10', input: ['simulate', F.sSize], exit: 2, message: /s-size\.json: traffic\[0\]\.size: expected octets 64-9216/ },
  { what: 'scenario unknown actor', input: ['simulate', F.sActor], exit: 2, message: /s-actor\.json: actors\.a\[0\]\.type: expected tap, drop, .*, got "teleport"$/ },
  { what: 'simulate --builtin unknown', input: ['simulate', '--builtin', 'nope'], exit: 2, message: /--builtin: no scenario "nope"; there are / },
  { what: 'simulate --seed -3', input: ['simulate', '--builtin', 'replay', '--seed=-3'], exit: 2, message: /--seed: expected an integer 0-4294967295, got -3$/ },
  {
    what: 'scenario: a foreign JSON object (an SA file) is refused, not run with defaults',
    input: ['simulate', F.sForeign],
    exit: 2,
    message: /s-foreign\.json: .*(cipherSuite|key|unknown)/,
  },
  {
    what: 'scenario link rate 0G',
    input: ['simulate', F.sRate0],
    exit: 2,
    message: /s-rate0\.json: link\.rate: expected /,
  },
];

const SCI = '0011223344556677';
const secy = (o: Partial<SecYOptions> = {}): SecY => new SecY({ sci: SCI, ...o });
const xpnSecy = (): SecY => secy({ cipherSuite: 'GCM-AES-XPN-128' });
const k16 = new Uint8Array(16);
const ssci = new Uint8Array(4);
const salt = new Uint8Array(12);
const ctx = (): SaContext => new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: k16 });
const protectOptions: ProtectOptions = { an: 0, pn: 1n, sci: new Uint8Array(8), includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0 };
const snapshotOf = (): Record<string, unknown> => {
  const s = secy();
  s.createTransmitSA({ an: 0, sak: k16, enable: true });
  return JSON.parse(JSON.stringify(s.snapshot())) as Record<string, unknown>;
};
const wire = (frame: Uint8Array): unknown => {
  const p = parseMacsecFrame(frame);
  if (!p.ok) throw p.error; // the parser returns its WireError; thrown here so the row can check it
  return p.value;
};
const asAny = <T>(x: unknown): T => x as T;

const API_ROWS: readonly ApiRow[] = [
  // SecY construction and controls
  { what: 'SecY(null)', input: () => new SecY(asAny(null)), error: ConfigError, message: /^options: expected an object with at least sci, got null$/ },
  { what: 'SecY: SCI of 2 octets', input: () => secy({ sci: '0011' }), error: ConfigError, message: /^sci: expected 8 octets in hex, got "0011"$/ },
  { what: 'SecY: SCI not hex', input: () => secy({ sci: 'zz11223344556677' }), error: ConfigError, message: /^sci: expected 8 octets in hex, got "zz11223344556677"$/ },
  { what: 'SecY: unknown cipher suite', input: () => secy({ cipherSuite: asAny('GCM-AES-512') }), error: ConfigError, message: /^cipherSuite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128, GCM-AES-XPN-256, got "GCM-AES-512"$/ },
  { what: 'SecY: unknown backend', input: () => secy({ backend: asAny('openssl') }), error: ConfigError, message: /^backend: expected one of noble, node.* got "openssl"$/ },
  { what: 'SecY: replayWindow beyond the XPN limit', input: () => secy({ cipherSuite: 'GCM-AES-XPN-128', replayWindow: 2 ** 31 }), error: ConfigError, message: /^replayWindow: expected an integer 0 to 1073741823 \(2\^30 - 1: the XPN limit\), got 2147483648$/ },
  { what: 'SecY: validateFrames "strict"', input: () => secy({ validateFrames: asAny('strict') }), error: ConfigError, message: /^validateFrames: expected 'Disabled', 'Check' or 'Strict', got "strict"$/ },
  { what: 'SecY: unknown control', input: () => secy(asAny({ replayWindw: 4 })), error: ConfigError, message: /^replayWindw: expected a SecY control, got an unknown name$/ },
  { what: 'SecY: pnHeadroom negative', input: () => secy({ pnHeadroom: -1n }), error: ConfigError, message: /^pnHeadroom: expected a bigint from 0 to 2\^62 \(PNs saved ahead\), got -1$/ },
  { what: 'setControls: replayWindow -1', input: () => secy().setControls({ replayWindow: -1 }), error: ConfigError, message: /^replayWindow: expected an integer 0 to 4294967295, got -1$/ },
  { what: 'on: unknown event', input: () => secy().on(asAny<'rekeyNeeded'>('rekey'), () => undefined), error: ConfigError, message: /^event: expected rekeyNeeded or pnExhausted or persistNeeded, got "rekey"$/ },
  // SA operations
  { what: 'createTransmitSA: AN 4', input: () => secy().createTransmitSA({ an: 4, sak: k16 }), error: ConfigError, message: /^an: expected an integer 0-3, got 4$/ },
  { what: 'createTransmitSA: AN 1.5', input: () => secy().createTransmitSA({ an: 1.5, sak: k16 }), error: ConfigError, message: /^an: expected an integer 0-3, got 1\.5$/ },
  { what: 'createTransmitSA: no parameters', input: () => secy().createTransmitSA(asAny(undefined)), error: ConfigError, message: /^an: expected an integer 0-3, got undefined$/ },
  { what: 'createTransmitSA: SAK of 15 octets', input: () => secy().createTransmitSA({ an: 0, sak: new Uint8Array(15) }), error: ConfigError, message: /^key: expected 16 octets for GCM-AES-128, got 15 octets$/ },
  { what: 'createTransmitSA: SAK as a hex string', input: () => secy().createTransmitSA({ an: 0, sak: asAny('00'.repeat(16)) }), error: ConfigError, message: /^key: expected 16 octets for GCM-AES-128, got "0000/ },
  { what: 'createTransmitSA: PN 0', input: () => secy().createTransmitSA({ an: 0, sak: k16, nextPN: 0n }), error: ConfigError, message: /^nextPN: expected a bigint from 1 to 4294967295, got 0$/ },
  { what: 'createTransmitSA: PN 2^32 (plain suite)', input: () => secy().createTransmitSA({ an: 0, sak: k16, nextPN: 2n ** 32n }), error: ConfigError, message: /^nextPN: expected a bigint from 1 to 4294967295, got 4294967296$/ },
  { what: 'createTransmitSA: PN 2^64 (XPN)', input: () => xpnSecy().createTransmitSA({ an: 0, sak: k16, ssci, salt, nextPN: 2n ** 64n }), error: ConfigError, message: /^nextPN: expected a bigint from 1 to 18446744073709551615, got 18446744073709551616$/ },
  { what: 'createTransmitSA: PN as a number', input: () => secy().createTransmitSA({ an: 0, sak: k16, nextPN: asAny(5) }), error: ConfigError, message: /^nextPN: expected a bigint from 1 to 4294967295, got 5$/ },
  { what: 'createTransmitSA: XPN without SSCI', input: () => xpnSecy().createTransmitSA({ an: 0, sak: k16, salt }), error: ConfigError, message: /^ssci: expected 4 octets for GCM-AES-XPN-128, got none$/ },
  { what: 'createTransmitSA: XPN without salt', input: () => xpnSecy().createTransmitSA({ an: 0, sak: k16, ssci }), error: ConfigError, message: /^salt: expected 12 octets for GCM-AES-XPN-128, got none$/ },
  { what: 'createTransmitSA: salt for a plain suite', input: () => secy().createTransmitSA({ an: 0, sak: k16, salt }), error: ConfigError, message: /^salt: expected none for GCM-AES-128 \(XPN suites only\), got 12 octets$/ },
  {
    what: 'createTransmitSA: AN in use',
    input: () => {
      const s = secy();
      s.createTransmitSA({ an: 0, sak: k16 });
      s.createTransmitSA({ an: 0, sak: k16 });
    },
    error: ConfigError,
    message: /^an: expected an AN without a transmit SA \(delete the old SA first\), got AN 0 in use$/,
  },
  { what: 'createReceiveSA: no such receive SC', input: () => secy().createReceiveSA('0011223344556688', { an: 0, sak: k16 }), error: ConfigError, message: /^sci: expected the SCI of a receive SC \(createReceiveSC\), got no receive SC 0011223344556688$/ },
  {
    what: 'createReceiveSA: lowestPN beyond the suite',
    input: () => {
      const s = secy();
      s.createReceiveSC('0011223344556688');
      s.createReceiveSA('0011223344556688', { an: 0, sak: k16, lowestPN: 2n ** 33n });
    },
    error: ConfigError,
    message: /^lowestPN: expected a bigint from 0 to 4294967295, got 8589934592$/,
  },
  {
    what: 'setTransmitNextPN: backwards',
    input: () => {
      const s = secy();
      s.createTransmitSA({ an: 0, sak: k16, nextPN: 10n });
      s.setTransmitNextPN(0, 5n);
    },
    error: ConfigError,
    message: /^nextPN: expected at least the SA's nextPN 10 \(a PN is never reused under one SAK\), got 5$/,
  },
  { what: 'deleteTransmitSA: none there', input: () => secy().deleteTransmitSA(2), error: ConfigError, message: /^an: expected the AN of an installed transmit SA, got no transmit SA under AN 2$/ },
  // frames handed to the SecY
  { what: 'receive(undefined)', input: () => secy().receive(asAny(undefined)), error: ConfigError, message: /^frame: expected a Uint8Array, got undefined$/ },
  { what: 'receive(a string)', input: () => secy().receive(asAny('88e5')), error: ConfigError, message: /^frame: expected a Uint8Array, got "88e5"$/ },
  { what: 'receiveBurst(null)', input: () => secy().receiveBurst(asAny(null)), error: ConfigError, message: /^frames: expected an array of Uint8Array, got null$/ },
  { what: 'receiveBurst with a number in it', input: () => secy().receiveBurst(asAny([new Uint8Array(60), 7])), error: ConfigError, message: /^frames\[1\]: expected a Uint8Array, got 7$/ },
  { what: 'transmit(undefined)', input: () => secy().transmit(asAny(undefined)), error: ConfigError, message: /^frame: expected a Uint8Array, got undefined$/ },
  { what: 'transmit: 5 octets', input: () => secy().transmit(new Uint8Array(5)), error: ConfigError, message: /^frame: expected at least 14 octets \(addresses, clear tags, EtherType\), got 5 octets$/ },
  // snapshots
  { what: 'restore(null)', input: () => secy().restore(null), error: ConfigError, message: /^snapshot: expected a transmit snapshot object \(SecY\.snapshot\(\)\), got null$/ },
  { what: 'restore: not a snapshot', input: () => secy().restore({ format: 'pcap' }), error: ConfigError, message: /^snapshot\.format: expected "macsec-sim transmit snapshot", got "pcap"$/ },
  {
    what: 'restore: resumePN not a number',
    input: () => {
      const s = snapshotOf();
      secy().restore({ ...s, sas: [{ ...(s['sas'] as object[])[0], resumePN: 'soon' }] });
    },
    error: ConfigError,
    message: /^snapshot\.sas\[0\]\.resumePN: expected a number 1-4294967296 \(decimal string\), got "soon"$/,
  },
  {
    what: 'restore: keyId that is a key',
    input: () => {
      const s = snapshotOf();
      secy().restore({ ...s, sas: [{ ...(s['sas'] as object[])[0], keyId: 'x'.repeat(32) }] });
    },
    error: ConfigError,
    message: /^snapshot\.sas\[0\]\.keyId: expected 32 lower-case hex digits, got "x{32}"$/,
  },
  { what: 'restore: another suite', input: () => secy({ cipherSuite: 'GCM-AES-256' }).restore(snapshotOf()), error: ConfigError, message: /^snapshot\.cipherSuite: expected GCM-AES-256 \(this SecY's cipher suite\), got "GCM-AES-128"$/ },
  { what: 'decodeTransmitSnapshot: an array', input: () => decodeTransmitSnapshot([], CIPHER_SUITES['GCM-AES-128']), error: ConfigError, message: /^snapshot: expected a transmit snapshot object \(SecY\.snapshot\(\)\), got an array$/ },
  { what: 'snapshot: headroom as a number', input: () => secy().snapshot({ headroom: asAny(5) }), error: ConfigError, message: /^headroom: expected a bigint from 0 to 2\^62 \(PNs saved ahead\), got 5$/ },
  // SaContext
  { what: 'SaContext: key of 3 octets', input: () => new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: new Uint8Array(3) }), error: ConfigError, message: /^key: expected 16 octets for GCM-AES-128, got 3 octets$/ },
  { what: 'SaContext: key as a string', input: () => new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: asAny('abc') }), error: ConfigError, message: /^key: expected 16 octets for GCM-AES-128, got "abc"$/ },
  { what: 'SaContext: XPN without SSCI', input: () => new SaContext({ suite: CIPHER_SUITES['GCM-AES-XPN-256'], key: new Uint8Array(32) }), error: ConfigError, message: /^ssci: expected 4 octets for GCM-AES-XPN-256, got none$/ },
  { what: 'SaContext: SSCI for a plain suite', input: () => new SaContext({ suite: CIPHER_SUITES['GCM-AES-256'], key: new Uint8Array(32), ssci }), error: ConfigError, message: /^ssci: expected none for GCM-AES-256 \(XPN suites only\), got 4 octets$/ },
  {
    what: 'SaContext: unknown backend',
    input: () => new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: k16 }, asAny('openssl')),
    error: ConfigError,
    message: /^backend: expected /,
  },
  // protect
  { what: 'protect: PN 0 (plain suite)', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, pn: 0n }), error: ConfigError, message: /^pn: expected 1 to 4294967295 for GCM-AES-128, got 0$/ },
  { what: 'protect: PN 2^32 (plain suite)', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, pn: 2n ** 32n }), error: ConfigError, message: /^pn: expected 1 to 4294967295 for GCM-AES-128, got 4294967296$/ },
  { what: 'protect: PN as a number', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, pn: asAny(1) }), error: ConfigError, message: /^pn: expected 1 to 4294967295 for GCM-AES-128, got 1$/ },
  { what: 'protect: AN 4', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, an: asAny(4) }), error: ConfigError, message: /^an: expected an integer 0-3, got 4$/ },
  { what: 'protect: SCI of 4 octets', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, sci: new Uint8Array(4) }), error: ConfigError, message: /^sci: expected 8 octets, got 4 octets$/ },
  { what: 'protect: frame of 13 octets', input: () => protect(ctx(), new Uint8Array(13), protectOptions), error: ConfigError, message: /^frame: expected at least 14 octets \(addresses, clear tags, EtherType\), got 13 octets$/ },
  { what: 'protect: confidentialityOffset 20', input: () => protect(ctx(), new Uint8Array(20), { ...protectOptions, confidentialityOffset: asAny(20) }), error: ConfigError, message: /^confidentialityOffset: expected 0, 30 or 50, got 20$/ },
  {
    what: 'protect: frame undefined',
    input: () => protect(ctx(), asAny(undefined), protectOptions),
    error: ConfigError,
    message: /^frame: expected /,
  },
  // SA files, scenarios, vectors
  { what: 'decodeSaFile: key of odd length', input: () => decodeSaFile({ ...SA, key: KEY.slice(1) }), error: ConfigError, message: /^key: expected 16 octets in hex, got odd number of hex digits \(a lone digit at offset 30\)$/ },
  { what: 'decodeSaFile: key not hex', input: () => decodeSaFile({ ...SA, key: `zz${KEY.slice(2)}` }), error: ConfigError, message: /^key: expected 16 octets in hex, got 'z' at offset 0 is not a hex digit$/ },
  { what: 'decodeSaFile: key of 15 octets', input: () => decodeSaFile({ ...SA, key: KEY.slice(2) }), error: ConfigError, message: /^key: expected 16 octets in hex, got 15 octets$/ },
  { what: 'decodeSaFile: unknown suite', input: () => decodeSaFile({ ...SA, cipherSuite: 'AES' }), error: ConfigError, message: /^cipherSuite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256, got "AES"$/ },
  { what: 'decodeSaFile: AN 4', input: () => decodeSaFile({ ...SA, an: 4 }), error: ConfigError, message: /^an: expected an integer 0-3, got 4$/ },
  { what: 'decodeSaFile: PN 0', input: () => decodeSaFile({ ...SA, pn: '0' }), error: ConfigError, message: /^pn: expected a number 1-4294967295 \(decimal string\), got "0"$/ },
  { what: 'decodeSaFile: XPN without SSCI', input: () => decodeSaFile(omit(XPN, 'ssci')), error: ConfigError, message: /^ssci: expected a string, got nothing$/ },
  { what: 'decodeSaFile: salt for a plain suite', input: () => decodeSaFile({ ...SA, salt: XPN.salt }), error: ConfigError, message: /^salt: expected no salt for GCM-AES-128 \(XPN suites only\), got "e630e81a48de86a21c66fa6d"$/ },
  { what: 'decodeSaFile(null)', input: () => decodeSaFile(null), error: ConfigError, message: /^SA file: expected a JSON object, got / },
  { what: 'decodeSaFile: channels not a list', input: () => decodeSaFile({ channels: 5 }), error: ConfigError, message: /^channels: expected an array, got 5$/ },
  { what: 'decodeSaFile: an SA that is not an object', input: () => decodeSaFile({ channels: [{ sci: SCI, sas: [5] }] }), error: ConfigError, message: /^channels\[0\]\.sas\[0\]: expected an object, got 5$/ },
  { what: 'decodeScenario: unknown suite', input: () => decodeScenario({ secy: { cipherSuite: 'X' } }), error: ConfigError, message: /^secy\.cipherSuite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256, got "X"$/ },
  { what: 'decodeScenario: initial PN 0', input: () => decodeScenario({ keys: { initialPN: '0' } }), error: ConfigError, message: /^keys\.initialPN: expected a number 1-4294967295 \(decimal string\), got "0"$/ },
  { what: 'decodeScenario: actors not a list', input: () => decodeScenario({ actors: { a: 5 } }), error: ConfigError, message: /^actors\.a: expected an array, got 5$/ },
  { what: 'decodeScenario: duration in words', input: () => decodeScenario({ duration: 'soon' }), error: ConfigError, message: /^duration: expected a duration like "10ms", "2\.5us" or "100ns", got "soon"$/ },
  { what: 'decodeScenario: VLAN 5000', input: () => decodeScenario({ traffic: [{ vlan: { vid: 5000 } }] }), error: ConfigError, message: /^vlan\.vid: expected an integer 0-4095, got 5000$/ },
  { what: 'decodeScenario: VLAN TPID 0x8200 (neither 802.1Q nor 802.1ad)', input: () => decodeScenario({ traffic: [{ vlan: { vid: 5, tpid: 0x8200 } }] }), error: ConfigError, message: /^vlan\.tpid: expected 0x8100 \(802\.1Q\) or 0x88a8 \(802\.1ad\), got .*0x8200/ },
  { what: 'loadVectorFile: missing', input: () => loadVectorFile(F.vMissing), error: VectorFileError, message: /missing-vectors\.json: cannot read \(ENOENT\)$/ },
  { what: 'loadVectorFile: malformed JSON', input: () => loadVectorFile(F.vMalformed), error: VectorFileError, message: /v-malformed\.json: not valid JSON/ },
  { what: 'loadVectorFile: key of odd length', input: () => loadVectorFile(F.vOddKey), error: VectorFileError, message: /v-odd-key\.json: vector mine: key: odd number of hex digits/ },
  // hex
  { what: 'fromHex: odd number of digits', input: () => fromHex('abc', 'key'), error: HexError, message: /^key: odd number of hex digits \(a lone digit at offset 2\)$/ },
  { what: 'fromHex: not hex', input: () => fromHex('0g', 'key'), error: HexError, message: /^key: 'g' at offset 1 is not a hex digit$/ },
  { what: 'fromHex: wrong length', input: () => fromHex('aabb', 'key', 16), error: HexError, message: /^key: expected 16 octets, got 2$/ },
  // captures
  { what: 'readCapture: empty', input: () => readCapture(new Uint8Array(0), 'x.pcap'), error: CaptureError, message: /^x\.pcap: truncated capture file magic number at offset 0 \(needs 4 octets, 0 left\)$/ },
  { what: 'readCapture: PNG', input: () => readCapture(readFileSync(F.foreign), 'x.png'), error: CaptureError, message: /^x\.png: magic number 89504e47 at offset 0 is neither pcap nor pcapng$/ },
  { what: 'readCapture: truncated record', input: () => readCapture(readFileSync(F.truncated), 't.pcap'), error: CaptureError, message: /^t\.pcap: truncated pcap record at offset 24/ },
  { what: 'readCapture: not Ethernet', input: () => readCapture(readFileSync(F.wifi), 'w.pcap'), error: CaptureError, message: /^w\.pcap: .*is not Ethernet \(1\)$/ },
  { what: 'readCapture: record over 256 KiB', input: () => readCapture(readFileSync(F.hugeRecord), 'h.pcap'), error: CaptureError, message: /^h\.pcap: pcap record at offset 24 captures 300000 octets, over the limit of 262144$/ },
  // the wire parser never throws: it returns a WireError naming the rule
  { what: 'parseMacsecFrame: 13 octets', input: () => wire(new Uint8Array(13)), error: WireError, message: /^TRUNCATED: SecTAG at offset 12: needs 8 octets, 1 left$/ },
  { what: 'parseMacsecFrame: SL disagrees with the length', input: () => wire(Uint8Array.from([...new Uint8Array(12), 0x88, 0xe5, 0x2c, 5, 0, 0, 0, 1, ...new Uint8Array(8 + 40 + 16)])), error: WireError, message: /^SL_MISMATCH: SL at offset 15: SL 5 but 40 octets of secure data present \(9\.7\)$/ },
];

// ------------------------------------------------------------------ running the table

let runs: Run[] = [];
const before = new Map<string, Buffer>();
beforeAll(async () => {
  for (const file of COMMAND_ROWS.flatMap((r) => r.unchanged ?? [])) before.set(file, readFileSync(file));
  runs = await macsecAll(COMMAND_ROWS.map((r) => r.input));
}, 180_000);

describe(`bad input, commands: ${COMMAND_ROWS.length} cases`, () => {
  COMMAND_ROWS.forEach((row, i) => {
    (row.known ? it.fails : it)(`${row.what}${row.known ? ` [known: ${row.known}]` : ''}`, () => {
      const r = runs[i]!;
      const where = `macsec ${row.input.join(' ')}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr}`;
      expect(r.status, where).toBe(row.exit);
      expect(r.stderr, where).not.toMatch(/\n\s+at |internal error|MACSEC_DEBUG/); // no stack trace, no fault of ours
      if (row.exit === 2) {
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines, where).toHaveLength(1);
        expect(lines[0], where).toMatch(/^macsec: /);
        expect(lines[0], where).toMatch(row.message);
      } else {
        expect(r.stdout, where).toMatch(row.message);
      }
      for (const file of row.noFiles ?? []) expect(existsSync(file), `${file} was written`).toBe(false);
      for (const file of row.unchanged ?? []) expect(readFileSync(file).equals(before.get(file)!), `${file} changed`).toBe(true);
      row.after?.();
    });
  });

  it('no temporary files are left beside the outputs, and an existing output file is untouched by a failed run', () => {
    expect(readdirSync(OUT).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(sentinel, 'utf8')).toBe('previous contents');
  });
});

describe(`bad input, library: ${API_ROWS.length} cases`, () => {
  for (const row of API_ROWS) {
    (row.known ? it.fails : it)(`${row.what}${row.known ? ` [known: ${row.known}]` : ''}`, () => {
      let thrown: unknown;
      try {
        row.input();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, 'nothing was thrown').toBeInstanceOf(row.error);
      const e = thrown as Error;
      expect(e.name).toBe(row.error.name);
      expect(e.message).not.toContain('\n');
      expect(e.message).toMatch(row.message);
    });
  }
});

// ------------------------------------------------------------------ outputs that are not files: a FIFO, standard output

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** Runs a shell command line (a pipeline) with the built CLI as $MACSEC; its stdout as octets. */
function shell(line: string): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('sh', ['-c', line], { env: { ...process.env, NO_COLOR: '1', MACSEC: `${process.execPath} ${MAIN}` }, timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

describe('outputs that are not regular files, and standard input and output', () => {
  const protected40 = (): Buffer => {
    const file = join(dir, `reference-${process.hrtime.bigint()}.pcap`);
    expect(shell(`$MACSEC protect --sa ${F.sa} --in ${PLAIN_PCAP} --out ${file}`).status).toBe(0);
    return readFileSync(file);
  };

  it('a FIFO is written through: its reader receives the whole pcap, and it stays a FIFO', () => {
    const fifo = join(dir, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader opens the FIFO first (in the background); protect's open waits for it, as a shell redirection does.
    const r = shell(`cat ${fifo} > ${fifo}.got & $MACSEC protect --sa ${F.sa} --in ${PLAIN_PCAP} --out ${fifo}; status=$?; wait; exit $status`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString('utf8')).toMatch(/^protect: 40 frames from .* -> \S+capture\.fifo /m);
    expect(readFileSync(`${fifo}.got`).equals(protected40())).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('protect --out - | validate --in - --out -: the plain capture comes back on stdout, the summaries on stderr', () => {
    const r = shell(`$MACSEC protect --sa ${F.sa} --in ${PLAIN_PCAP} --out - | $MACSEC validate --sa ${F.sa} --in - --out -`);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(plainPcap)).toBe(true); // README: validate gives back what protect was given
    const lines = r.stderr.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^protect: 40 frames from \S+plain\.pcap \(pcap\): 40 protected, 0 not -> stdout /));
    // The summary line ends with the run's pace (backend, frames/s, peak memory), which varies.
    expect(lines).toContainEqual(expect.stringMatching(/^validate: 40 frames from stdin \(pcap\): 40 delivered \(InPktsOK 40\), 0 not -> stdout; /));
  });

  it('--json with --out -: the JSON report goes to stderr, stdout holds the pcap alone', () => {
    const r = shell(`$MACSEC protect --sa ${F.sa} --in ${PLAIN_PCAP} --out - --json`);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(protected40())).toBe(true);
    expect((JSON.parse(r.stderr) as { output: { file: string; frames: number } }).output).toEqual({ file: 'stdout', frames: 40 });
  });

  it('--out - appended to the input itself is refused (stdout is the input), the input untouched', () => {
    const input = write('appended.pcap', plainPcap);
    const r = shell(`$MACSEC protect --sa ${F.sa} --in ${input} --out - >> ${input}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`macsec: --out -: standard output is the input ${input}\n`);
    expect(readFileSync(input).equals(plainPcap)).toBe(true);
  });

  it('--in - with nothing on stdin is a truncated capture, named stdin (exit 2)', () => {
    const r = shell(`$MACSEC validate --sa ${F.sa} --in - < /dev/null`);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('macsec: stdin: truncated capture file magic number at offset 0 (needs 4 octets, 0 left)\n');
  });

  it.skipIf(spawnSync('tshark', ['--version']).status !== 0)('tcpdump-style: validate --in - --out - | tshark -r - reads every frame', () => {
    const wire = join(dir, 'wire-for-tshark.pcap');
    writeFileSync(wire, protected40());
    const r = shell(`cat ${wire} | $MACSEC validate --sa ${F.sa} --in - --out - 2>/dev/null | tshark -r - -T fields -e frame.number 2>/dev/null`);
    expect(r.stdout.toString('utf8').trim().split('\n')).toHaveLength(40);
  });

  it('explain --in - streams standard input: the file\'s explanation, frames numbered without the total (stdin is read once)', () => {
    const wire = join(dir, 'wire-for-explain.pcap');
    writeFileSync(wire, protected40());
    const fromFile = shell(`$MACSEC explain --in ${wire} --sa ${F.sa}`);
    const fromStdin = shell(`cat ${wire} | $MACSEC explain --in - --sa ${F.sa}`);
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.status).toBe(0);
    expect(fromFile.stdout.toString('utf8')).toMatch(/^Frame 40 of 40: /m);
    expect(fromStdin.stdout.toString('utf8')).toBe(fromFile.stdout.toString('utf8').replace(/^(Frame \d+) of 40:/gm, '$1:'));
  });

  it('a pcapng input written to --out -: a nanosecond pcap (nothing can be rewritten on a pipe) with the same frames and times as the file output', () => {
    const plain = readCapture(plainPcap, 'plain.pcap', { fcsMode: 'auto' });
    const ng = write('plain-as.pcapng', writePcapng(plain.records.map((r) => ({ data: r.data, timestampNs: r.timestampNs }))));
    const file = join(dir, 'from-pcapng.pcap');
    expect(shell(`$MACSEC protect --sa ${F.sa} --in ${ng} --out ${file}`).status).toBe(0);
    const r = shell(`$MACSEC protect --sa ${F.sa} --in ${ng} --out -`);
    expect(r.status).toBe(0);
    expect(r.stdout.readUInt32LE(0)).toBe(0xa1b23c4d); // the nanosecond pcap magic
    const records = (bytes: Uint8Array) => readCapture(bytes, 'out', { fcsMode: 'absent' }).records.map((x) => [Buffer.from(x.data).toString('hex'), x.timestampNs]);
    expect(records(r.stdout)).toEqual(records(readFileSync(file)));
    expect(records(r.stdout)).toHaveLength(40);
  });
});
