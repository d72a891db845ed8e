/**
 * Keys are never printed unless asked: no command's output, text or --json, holds a SAK in any form
 * (hex in either case, with separators, or as the decimal octets JSON.stringify makes of a Uint8Array).
 * The one way to ask is `protect --wireshark-keys FILE`, which writes them to that file and not to stdout.
 * (No command has a --show-keys option, since none shows keys.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSaFile } from '../../src/config/files.js';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../src/link/builtin.js';
import { simulate } from '../../src/link/simulate.js';
import { SecY } from '../../src/secy/index.js';
import { toHex } from '../../src/util/hex.js';
import { ROOT, macsec, type Run } from '../support/cli.js';
import { macsecAll } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-keys-'));
const createTransmitSA = SecY.prototype.createTransmitSA;
const createReceiveSA = SecY.prototype.createReceiveSA;
afterEach(() => vi.restoreAllMocks());

/** Every way a key could show up in text. */
function forms(key: Uint8Array): string[] {
  const hex = toHex(key);
  return [
    hex,
    hex.toUpperCase(),
    toHex(key, ':'),
    toHex(key, ' '),
    toHex(key, '-'),
    Array.from(key.subarray(0, 8)).join(','), // JSON of an array or a Buffer's data
    Array.from(key.subarray(0, 4), (b, i) => `"${i}":${b}`).join(','), // JSON of a Uint8Array
    hex.slice(0, 16), // half a key
    hex.slice(-16),
  ];
}

function expectNoKeys(run: Run, keys: readonly Uint8Array[], what: string): void {
  const text = `${run.stdout}\n${run.stderr}`;
  const compact = text.replace(/[\s:"-]/g, '').toLowerCase();
  for (const key of keys) {
    for (const f of forms(key)) expect(text.includes(f), `${what}: prints key ${toHex(key)} as ${f}`).toBe(false);
    expect(compact.includes(toHex(key)), `${what}: prints key ${toHex(key)} split over lines or with separators`).toBe(false);
  }
}

const SA = join(ROOT, 'examples', 'sa.json');
const CHANNELS = join(ROOT, 'examples', 'sa-channels.json');
const PEER = join(ROOT, 'examples', 'sa-channels-peer.json');
const PLAIN = join(ROOT, 'examples', 'plain.pcap');
const fileKeys = (path: string): Uint8Array[] => loadSaFile(path).channels.flatMap((c) => c.sas.map((s) => s.key));

let protectedCapture = '';
let channelCapture = '';
beforeAll(() => {
  protectedCapture = join(tmp, 'protected.pcap');
  channelCapture = join(tmp, 'channels.pcap');
  expect(macsec(['protect', '--sa', SA, '--in', PLAIN, '--out', protectedCapture]).status).toBe(0);
  expect(macsec(['protect', '--sa', CHANNELS, '--in', PLAIN, '--out', channelCapture]).status).toBe(0);
});

describe('no command prints a SAK', () => {
  const keys = [...fileKeys(SA), ...fileKeys(CHANNELS), ...fileKeys(PEER)];

  it('the keys are really in the files (the check can fail)', () => {
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const leak: Run = { status: 0, stdout: `key ${toHex(keys[0]!)}`, stderr: '' };
    expect(() => expectNoKeys(leak, keys, 'a leaking command')).toThrow();
  });

  const cases: [string, () => string[]][] = [
    ['explain --in --frame 1 --sa', () => ['explain', '--in', protectedCapture, '--frame', '1', '--sa', SA]],
    ['explain --in --sa (every frame)', () => ['explain', '--in', protectedCapture, '--sa', SA]],
    ['explain --in --sa, the peer file', () => ['explain', '--in', channelCapture, '--sa', PEER]],
    ['protect', () => ['protect', '--sa', SA, '--in', PLAIN, '--out', join(tmp, 'p.pcap')]],
    ['protect, channels', () => ['protect', '--sa', CHANNELS, '--in', PLAIN, '--out', join(tmp, 'p2.pcap')]],
    ['validate', () => ['validate', '--sa', SA, '--in', protectedCapture]],
    ['validate, peer file', () => ['validate', '--sa', PEER, '--in', channelCapture]],
    ['validate, wrong keys (everything dropped)', () => ['validate', '--sa', PEER, '--in', protectedCapture]],
    ['vectors', () => ['vectors']],
  ];
  const variants = cases.flatMap(([name, args]) => [false, true].map((json) => ({ name: `${name}${json ? ' --json' : ''}`, args, json })));
  let runs: Run[] = [];
  beforeAll(async () => {
    runs = await macsecAll(variants.map((v) => [...v.args(), ...(v.json ? ['--json'] : [])]));
  }, 120_000);
  variants.forEach((v, i) => {
    it(v.name, () => {
      const r = runs[i]!;
      expect(r.status === 0 || r.status === 1, r.stderr).toBe(true);
      expectNoKeys(r, keys, v.name);
    });
  });

  it('explain of a frame given in hex, with its SA file', () => {
    const frame = 'e20106d7cd0df0761e8dcd3d88e54c2a76d457ed13b4c72b389dc5018e72a171dd85a5d3752274d3a019fbcaed09a425cd9b2e1c9b72eee7c9de7d52b3f3d6a5284f4a6d3fe22a5d6c2b960494c3';
    for (const json of [[], ['--json']]) expectNoKeys(macsec(['explain', frame, '--sa', SA, ...json]), keys, 'explain HEX');
  });

  it('vectors, a failing vector: the report names frames, never the key', () => {
    const v = (JSON.parse(readFileSync(join(ROOT, 'vectors', 'gcm-aes-128.json'), 'utf8')) as Record<string, string>[])[0]!;
    const wrong = '00' + v['key']!.slice(2);
    const file = join(tmp, 'failing.json');
    writeFileSync(file, JSON.stringify([{ ...v, key: wrong }]));
    const vectorKeys = [Uint8Array.from(Buffer.from(v['key']!, 'hex')), Uint8Array.from(Buffer.from(wrong, 'hex'))];
    for (const json of [[], ['--json']]) {
      const r = macsec(['vectors', file, ...json]);
      expect(r.status).toBe(1);
      expectNoKeys(r, vectorKeys, 'vectors (failing)');
    }
  });

  it('protect --wireshark-keys: the keys go to the file asked for, not to the output', () => {
    const table = join(tmp, 'psk_config_data');
    for (const json of [[], ['--json']]) {
      const r = macsec(['protect', '--sa', SA, '--in', PLAIN, '--out', join(tmp, 'w.pcap'), '--wireshark-keys', table, ...json]);
      expect(r.status).toBe(0);
      expectNoKeys(r, keys, 'protect --wireshark-keys');
      expect(readFileSync(table, 'utf8').toLowerCase()).toContain(toHex(fileKeys(SA)[0]!));
    }
  });

  it('simulate, every built-in scenario, text and --json: none of the SAKs the run installed', async () => {
    const scenarios = BUILTIN_SCENARIOS;
    const saks = scenarios.map((s) => {
      // The same scenario and seed give the same keys: collect them from an in-process run.
      const installed: Uint8Array[] = [];
      vi.spyOn(SecY.prototype, 'createTransmitSA').mockImplementation(function (this: SecY, p) {
        installed.push(p.sak.slice());
        return createTransmitSA.call(this, p);
      });
      vi.spyOn(SecY.prototype, 'createReceiveSA').mockImplementation(function (this: SecY, sci, p) {
        installed.push(p.sak.slice());
        return createReceiveSA.call(this, sci, p);
      });
      simulate(builtinScenario(s.name));
      vi.restoreAllMocks();
      return installed;
    });
    // Some scenarios install none (MKA that never agrees on a key); most install several.
    expect(saks.filter((k) => k.length > 0).length).toBeGreaterThanOrEqual(scenarios.length - 2);
    const runs = await macsecAll(scenarios.flatMap((s) => [['simulate', '--builtin', s.name], ['simulate', '--builtin', s.name, '--json']]));
    scenarios.forEach((s, i) => {
      for (const r of [runs[2 * i]!, runs[2 * i + 1]!]) {
        expect(r.status, r.stderr).toBe(0);
        expectNoKeys(r, saks[i]!, `simulate ${s.name}`);
      }
    });
  }, 120_000);
});
