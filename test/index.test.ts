import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as lib from '../src/index.js';
import * as node from '../src/api/node.js';
import { macsec, ROOT } from './support/cli.js';

const names = (m: object): string[] => Object.keys(m);

describe('the core entry (macsec-sim)', () => {
  it('exposes every layer: codec, crypto, SecY, MKA, link, explain, config, vectors', () => {
    for (const name of ['parseMacsecFrame', 'emitSecTag', 'SaContext', 'protect', 'validate', 'protectBurst', 'validateBurst', 'SecY', 'KaY', 'parseMkpdu', 'emitMkpdu', 'simulate', 'decodeScenario', 'builtinScenario', 'explainFrame', 'decodeSaFile', 'runVectors']) {
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('keeps the plumbing internal (issue 11: only the API a user needs)', () => {
    for (const name of ['readU16', 'writeU32', 'ok', 'fail', 'zeroCounters', 'advanceReplay', 'ReceiveSA', 'TransmitSA', 'registerBackend', 'loadSaFile', 'loadScenarioFile', 'useNodeBackends']) {
      expect(names(lib), name).not.toContain(name);
    }
    for (const job of ['prepareReceive', 'validateJob', 'completeReceive', 'prepareTransmit', 'protectJob', 'completeTransmit']) {
      expect(names(lib), job).not.toContain(job);
    }
  });

  it('round-trips a frame through two SecYs using only the public API', () => {
    const key = lib.fromHex('ad7a2bd03eac835a6f620fdcb506b345');
    const a = new lib.SecY({ sci: '020000000001' + '0001', alwaysIncludeSCI: true });
    const b = new lib.SecY({ sci: '020000000002' + '0001' });
    a.createTransmitSA({ an: 0, sak: key, enable: true });
    b.createReceiveSC(a.sci);
    b.createReceiveSA(a.sci, { an: 0, sak: key, enable: true });
    const frame = lib.fromHex('020000000002 020000000001 0800 45000014000000004011f97ac0a80001c0a80002');
    const sent = a.transmit(frame);
    expect(sent.kind).toBe('transmitted');
    if (sent.kind !== 'transmitted') return;
    const got = b.receive(sent.frame);
    expect(got.kind === 'controlled' && lib.toHex(got.frame)).toBe(lib.toHex(frame));
    expect(b.counters().secy.InPktsOK).toBe(1);
  });
});

describe('shipped data', () => {
  const jsonIn = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.json')).sort();

  it('the shipped vectors are every file under vectors/ and vectors/mka/, in the order macsec vectors runs them', () => {
    expect(lib.SHIPPED_VECTORS.map((v) => v.file)).toEqual([...jsonIn('vectors'), ...jsonIn('vectors/mka').map((f) => `mka/${f}`)]);
  });

  it('the built-in scenarios are every file under examples/scenarios/, sorted by name', () => {
    expect(lib.BUILTIN_SCENARIOS.map((s) => `${s.name}.json`)).toEqual(jsonIn('examples/scenarios'));
  });

  it('the README promises the 32 frames of Annex C: all pass on the default backend', () => {
    const results = lib.ANNEX_C_VECTORS.flatMap((f) => lib.runVectors(f.data).results);
    expect(results).toHaveLength(32);
    expect(results.every((r) => r.status === 'pass' && r.backend === 'noble')).toBe(true);
  });
});

describe('runVectors', () => {
  it('returns exactly what `macsec vectors --json` prints for the same data', () => {
    const files = lib.SHIPPED_VECTORS.map((f) => join(ROOT, 'vectors', f.file));
    for (const backend of ['noble', 'node'] as const) {
      const r = macsec(['vectors', ...files, '--json', '--backend', backend]);
      expect(r.status, r.stderr).toBe(0);
      const reports = lib.SHIPPED_VECTORS.map((f) => lib.runVectors(f.data, { backend }));
      const results = reports.flatMap((x) => x.results);
      const passed = reports.reduce((n, x) => n + x.passed, 0);
      expect(`${JSON.stringify({ passed, failed: results.length - passed, results }, null, 2)}\n`).toBe(r.stdout);
    }
  });

  it('takes a bare array, {cases} or {vectors}; MKA entries by their kind; an inconsistent vector counts as failed', () => {
    const [frame] = lib.ANNEX_C_VECTORS[0]!.data as Record<string, unknown>[];
    const [mka] = lib.MKA_VECTORS[0]!.data as Record<string, unknown>[];
    for (const data of [[frame, mka], { cases: [frame, mka] }, { vectors: [frame, mka] }]) {
      const r = lib.runVectors(data);
      expect(r.passed).toBe(2);
      expect(r.results.map((x) => x.status)).toEqual(['pass', 'pass']);
    }
    const bad = lib.runVectors([{ ...frame, an: ((frame!['an'] as number) + 1) % 4 }]);
    expect([bad.passed, bad.failed, bad.results[0]!.status]).toEqual([0, 1, 'inconsistent']);
  });

  it('throws a ConfigError naming the entry and the field for data it cannot use', () => {
    const [frame] = lib.ANNEX_C_VECTORS[0]!.data as Record<string, unknown>[];
    expect(() => lib.runVectors({ name: 'x' })).toThrow(lib.ConfigError);
    expect(() => lib.runVectors([])).toThrow(/expected at least one vector/);
    expect(() => lib.runVectors([frame, 5])).toThrow(/^vectors: vector #2: not an object$/);
    expect(() => lib.runVectors([{ ...frame, name: 'mine', key: 'abc' }])).toThrow(/^vectors: vector mine: key: odd number of hex digits/);
    expect(() => lib.runVectors([{ ...frame, name: 'mine', an: 7 }])).toThrow(lib.ConfigError);
    expect(() => lib.runVectors([frame], { backend: 'nope' as lib.BackendName })).toThrow(/^backend: expected one of noble, node/);
  });
});

describe('backends are registered explicitly', () => {
  it('a fresh core knows noble only; node and native are a ConfigError saying how to register them', async () => {
    vi.resetModules();
    const fresh = await import('../src/index.js');
    expect(fresh.backendNames()).toEqual(['noble']);
    const [frame] = fresh.ANNEX_C_VECTORS[0]!.data as unknown[];
    for (const backend of ['node', 'native'] as const) {
      expect(() => fresh.runVectors([frame], { backend })).toThrow(/^backend: expected a registered backend \(.*useNodeBackends\(\)\), got "(node|native)"$/);
      expect(() => new fresh.SecY({ sci: '0200000000010001', backend })).toThrow(fresh.ConfigError);
    }
    (await import('../src/api/node.js')).useNodeBackends();
    expect(fresh.backendNames()).toContain('node');
    expect(fresh.runVectors([frame], { backend: 'node' }).passed).toBe(1);
    vi.resetModules();
  });
});

describe('the node entry (macsec-sim/node)', () => {
  it('holds what needs Node: backends, the pool, file loaders, captures, snapshot files', () => {
    for (const name of ['useNodeBackends', 'nativeStatus', 'BurstPool', 'runVectorFile', 'loadSaFile', 'loadScenarioFile', 'readCaptureFile', 'writeCaptureFileAtomic', 'readPcap', 'writePcap', 'readPcapng', 'writePcapng', 'readSnapshotFile', 'writeSnapshotFile']) {
      expect(typeof (node as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
