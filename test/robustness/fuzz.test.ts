/**
 * Hostile frames, the in-test share: a seeded harness run over every setup, proof that the harness's
 * oracles catch the faults they are there for (a receiver planted with each fault), and fast-check
 * properties of the parser, the explanation and the SecY on arbitrary octets.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITE_NAMES, CIPHER_SUITES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { explainFrame } from '../../src/explain/explain.js';
import { runFuzz } from '../../src/fuzz/harness.js';
import { authenticatedRegion, sameAuthenticated } from '../../src/fuzz/oracle.js';
import { watchHeartbeat } from '../../src/fuzz/watchdog.js';
import { RECEIVE_PACKET_COUNTERS, SecY, VALIDATE_FRAMES, receivedTotal, type ValidateFrames } from '../../src/secy/index.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { ROOT } from '../support/cli.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the fuzz harness (seeded share of npm run fuzz)', () => {
  it('40,000 hostile frames over every suite x validateFrames x replay setup: no violation of any kind', () => {
    const r = runFuzz({ frames: 40_000, seed: 0x5eed, frameTimeoutMs: 2000 });
    expect(r.violations).toEqual([]);
    expect(r.violationCount).toBe(0);
    expect(r.exceptions).toBe(0);
    expect(r.framesTried).toBe(40_000);
    expect(r.conservation).toEqual({ received: 40_000, counted: 40_000, frameViolations: 0 });
    expect(r.setupsUsed).toBe(36);
    // Every way a frame can go was reached (Overrun needs a receiveCapacity the harness does not set).
    for (const k of RECEIVE_PACKET_COUNTERS) if (k !== 'InPktsOverrun') expect(r.counters[k], k).toBeGreaterThan(0);
    expect(r.classes.unchanged).toBeGreaterThan(0);
    expect(r.largestFrame).toBeGreaterThan(65_536);
    expect(r.rollovers).toBeGreaterThan(0);
  });

  it('is reproducible: the same seed gives the same figures', () => {
    const a = runFuzz({ frames: 3000, seed: 42 });
    const b = runFuzz({ frames: 3000, seed: 42 });
    expect(b.counters).toEqual(a.counters);
    expect(b.classes).toEqual(a.classes);
  });

  it('stops at the time bound', () => {
    const r = runFuzz({ frames: 10_000_000, seconds: 0.3, seed: 1 });
    expect(r.stoppedBy).toBe('seconds');
    expect(r.framesTried).toBeLessThan(10_000_000);
    expect(r.violationCount).toBe(0);
  });
});

describe('the harness catches a faulty receiver (each oracle proven on a planted fault)', () => {
  const open = SaContext.prototype.open;

  it('a receiver that accepts any ICV: forged frames counted InPktsOK, and delivered in Strict', () => {
    vi.spyOn(SaContext.prototype, 'open').mockImplementation(function (this: SaContext, ...args: Parameters<SaContext['open']>) {
      open.apply(this, args);
      return true;
    });
    const r = runFuzz({ frames: 3000, seed: 3 });
    const checks = new Set(r.violations.map((v) => v.check));
    expect(r.violationCount).toBeGreaterThan(0);
    expect(checks.has('authenticity') || checks.has('Strict')).toBe(true);
  });

  it('a receiver that rejects one valid frame in fifty: the replay model notices', () => {
    let n = 0;
    vi.spyOn(SaContext.prototype, 'open').mockImplementation(function (this: SaContext, ...args: Parameters<SaContext['open']>) {
      return open.apply(this, args) && ++n % 50 !== 0;
    });
    const r = runFuzz({ frames: 3000, seed: 4 });
    expect(r.violations.map((v) => v.check)).toContain('replay rules');
  });

  it('a frame counted twice: conservation notices', () => {
    const receive = SecY.prototype.receive;
    let n = 0;
    vi.spyOn(SecY.prototype, 'receive').mockImplementation(function (this: SecY, frame: Uint8Array) {
      if (++n % 100 === 0) receive.call(this, frame);
      return receive.call(this, frame);
    });
    const r = runFuzz({ frames: 1000, seed: 5 });
    expect(r.violations.map((v) => v.check)).toContain('conservation');
    expect(r.conservation.frameViolations).toBe(10);
  });

  it('a frame that takes too long: the per-frame time bound notices', () => {
    const receive = SecY.prototype.receive;
    let n = 0;
    vi.spyOn(SecY.prototype, 'receive').mockImplementation(function (this: SecY, frame: Uint8Array) {
      if (++n === 500) {
        const until = performance.now() + 30;
        while (performance.now() < until); // a slow frame, simulated
      }
      return receive.call(this, frame);
    });
    const r = runFuzz({ frames: 600, seed: 6, frameTimeoutMs: 20 });
    expect(r.violations.map((v) => v.check)).toContain('time');
  });

  it('the watchdog reports a heartbeat that stops (a hang no frame can report itself)', () => {
    vi.useFakeTimers();
    const hb = new Int32Array(new SharedArrayBuffer(4));
    const hangs: number[] = [];
    const stop = watchHeartbeat(hb, 3000, (f) => hangs.push(f), 500);
    for (let i = 1; i <= 10; i++) {
      Atomics.store(hb, 0, i);
      vi.advanceTimersByTime(1000);
    }
    expect(hangs).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(hangs).toEqual([10]);
    stop();
  });
});

// ------------------------------------------------------------------ properties

const anyOctets = fc.uint8Array({ minLength: 0, maxLength: 200 });
/** Octets that begin like a MACsec frame (addresses, maybe a VLAN tag, 0x88E5), then anything. */
const macsecLike = fc
  .tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.boolean(), fc.uint8Array({ minLength: 0, maxLength: 120 }))
  .map(([addr, vlan, rest]) => Uint8Array.from([...addr, ...(vlan ? [0x81, 0, 0, 5] : []), 0x88, 0xe5, ...rest]));

describe('property: the parser and explain never throw, and a parse is self-consistent', () => {
  it('parseMacsecFrame on any octets, with any options', () => {
    fc.assert(
      fc.property(fc.oneof(anyOctets, macsecLike), fc.constantFrom(0, 1, 2, 'auto' as const), fc.boolean(), (f, clearTags, allowZeroPN) => {
        const p = parseMacsecFrame(f, { clearTags, allowZeroPN });
        if (!p.ok) {
          expect(p.error.name).toBe('WireError');
          return;
        }
        const m = p.value;
        expect(m.icvOffset + 16 + m.padding).toBe(f.length);
        expect(m.secureDataLength).toBeGreaterThanOrEqual(0);
        expect(m.secTag.sl === 0 ? m.secureDataLength >= 48 : m.secureDataLength === m.secTag.sl).toBe(true);
        // The independent oracle agrees on where the ICV-covered octets end.
        if (clearTags !== 'auto') expect(authenticatedRegion(f, clearTags)?.end).toBe(m.icvOffset + 16);
      }),
      { numRuns: 3000 },
    );
  });

  it('explainFrame on any octets, with and without XPN', () => {
    fc.assert(
      fc.property(fc.oneof(anyOctets, macsecLike), fc.boolean(), (f, xpn) => {
        const tree = explainFrame(f, { xpn });
        expect(tree.length).toBeGreaterThan(0);
        expect(() => JSON.stringify(tree)).not.toThrow();
      }),
      { numRuns: 1500 },
    );
  });
});

const SCI_A = Uint8Array.from([2, 0, 0, 0, 0, 0x0a, 0, 1]);
const SCI_B = Uint8Array.from([2, 0, 0, 0, 0, 0x0b, 0, 1]);
const xpnParams = (s: CipherSuiteName) => (CIPHER_SUITES[s].xpn ? { ssci: Uint8Array.of(0, 0, 0, 1), salt: new Uint8Array(12).fill(0x5a) } : {});

function link(suite: CipherSuiteName, validateFrames: ValidateFrames, encrypt: boolean): { a: SecY; b: SecY } {
  const sak = new Uint8Array(CIPHER_SUITES[suite].keyLength).fill(0x42);
  const a = new SecY({ sci: SCI_A, cipherSuite: suite, confidentialityProtect: encrypt, alwaysIncludeSCI: true });
  a.createTransmitSA({ an: 1, sak, nextPN: CIPHER_SUITES[suite].xpn ? 0xffff_fff0n : 1n, enable: true, ...xpnParams(suite) });
  const b = new SecY({ sci: SCI_B, cipherSuite: suite, validateFrames, replayWindow: 1 << 20 });
  b.createReceiveSC(SCI_A);
  b.createReceiveSA(SCI_A, { an: 1, sak, nextPN: CIPHER_SUITES[suite].xpn ? 0xffff_fff0n : 1n, enable: true, ...xpnParams(suite) });
  return { a, b };
}

const plainFrame = (payload: Uint8Array): Uint8Array => Uint8Array.from([...SCI_B.subarray(0, 6), ...SCI_A.subarray(0, 6), 0x08, 0x00, ...payload]);

describe('property: SecY.receive on hostile octets', () => {
  it('any octets land in exactly one counter and are never counted as verified, in every mode', () => {
    for (const validateFrames of VALIDATE_FRAMES) {
      const { b } = link('GCM-AES-128', validateFrames, true);
      let n = 0;
      fc.assert(
        fc.property(fc.oneof(anyOctets, macsecLike), (f) => {
          const o = b.receive(f);
          n++;
          expect(receivedTotal(b.counters().secy)).toBe(n);
          expect(o.counter).not.toBe('InPktsOK');
          if (validateFrames === 'Strict') expect(o.kind).not.toBe('controlled');
        }),
        { numRuns: 800 },
      );
    }
  });

  for (const suite of CIPHER_SUITE_NAMES) {
    it(`${suite}: no flipped bit of the ICV-covered octets, nor any truncation, is delivered in Strict; padding changes are`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 2, maxLength: 90 }),
          fc.boolean(),
          fc.nat(),
          fc.nat({ max: 7 }),
          fc.uint8Array({ minLength: 1, maxLength: 30 }),
          (payload, encrypt, at, bit, padding) => {
            const { a, b } = link(suite, 'Strict', encrypt);
            const sent = a.transmit(plainFrame(payload));
            if (sent.kind !== 'transmitted') throw new Error(sent.reason);
            const f = sent.frame;
            const flipped = f.slice();
            flipped[at % f.length]! ^= 1 << bit;
            // Not delivered to the Controlled Port (E=1 C=0 goes to the Uncontrolled Port only, 9.5).
            expect(b.receive(flipped).kind).not.toBe('controlled');
            expect(b.receive(f.slice(0, at % f.length)).kind).not.toBe('controlled');
            // What only pads a short frame up to 60 octets changes no ICV-covered octet: still delivered.
            if (f.length < 60) {
              const padded = new Uint8Array(60);
              padded.set(f);
              padded.set(padding.subarray(0, 60 - f.length), f.length);
              expect(sameAuthenticated(padded, f, 0)).toBe(true);
              expect(b.receive(padded).kind).toBe('controlled');
            }
            expect(b.receive(f).kind).toBe('controlled');
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('npm run fuzz (node dist/src/fuzz/main.js)', () => {
  const main = join(ROOT, 'dist', 'src', 'fuzz', 'main.js');
  it('prints the figures and exits 0 on a clean run', () => {
    const r = spawnSync(process.execPath, [main, '--frames', '4000', '--seed', '9'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^frames tried +4000 in /m);
    expect(r.stdout).toMatch(/^exceptions +0$/m);
    expect(r.stdout).toMatch(/^conservation +4000 counted for 4000 received; 0 frames not in exactly one counter$/m);
    expect(r.stdout).toMatch(/^violations +0$/m);
  });
  it('--json gives the report as data; bad usage exits 2 with one line', () => {
    const r = spawnSync(process.execPath, [main, '--frames', '500', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(r.stdout)).toMatchObject({ framesTried: 500, exceptions: 0, violationCount: 0 });
    const bad = spawnSync(process.execPath, [main, '--seed=-1'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('fuzz: --seed: expected an integer 0-4294967295, got "-1"');
  });
});
