/**
 * SecY.transmitPacked / receivePacked on a SecY whose executor is a BurstPool: each kernel call is cut
 * into slices run by this thread and a worker, in place in SharedArrayBuffers. Every outcome code, PN,
 * output frame, counter, PN state and event must be those of the same SecY on one thread (the packed
 * paths' own properties tie that to frame-by-frame processing); transmit gives the same output offsets
 * too. Random streams over every suite: frame sizes around maxFrameSize, SCI modes, XPN streams crossing
 * 2^32, PN exhaustion inside a call, rekeying; replays, reordering, tampering, foreign ANs and SCIs, and a
 * second receive SC's frames interleaved (calls of several runs) on receive; on every backend.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendNames, type BackendName } from '../../src/crypto/backend.js';
import { PACKED_ROOM, protectPacked, type PackedOutcomes, type PackedProtectOptions, type PackedTransmitControl } from '../../src/crypto/packed.js';
import { SaContext } from '../../src/crypto/sa.js';
import { BurstPool } from '../../src/crypto/pool.js';
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, type CipherSuiteName, type ConfidentialityOffset } from '../../src/crypto/suite.js';
import type { AN } from '../../src/wire/sectag.js';
import { SecY, type ValidateFrames } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import type { PackedFrames } from '../../src/wire/packed.js';
import { MAC_C, SCI_A, SCI_B, SCI_C, chunks, ethFrame, key, xpnExtras } from './helpers.js';
import { splittingPool } from '../support/pool.js';

const TWO_32 = 0x1_0000_0000n;

interface Call {
  readonly input: PackedFrames;
  readonly output: PackedFrames;
  readonly outcomes: PackedOutcomes;
}

/** `frames` packed with a gap of 5 octets before each, room for the output, over SharedArrayBuffers or not. */
function pack(frames: readonly Uint8Array[], shared: boolean): Call {
  const n = frames.length;
  const total = frames.reduce((a, f) => a + f.length, 0);
  const make = (octets: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(octets) : new ArrayBuffer(octets));
  const frameSet = (octets: number): PackedFrames => ({ data: new Uint8Array(make(octets)), offsets: new Uint32Array(make(4 * n)), lengths: new Uint32Array(make(4 * n)), count: 0 });
  const input = frameSet(total + 5 * n);
  let at = 0;
  for (const f of frames) {
    at += 5;
    input.data.set(f, at);
    input.offsets[input.count] = at;
    input.lengths[input.count++] = f.length;
    at += f.length;
  }
  const outcomes = { codes: new Uint8Array(make(n)), pnHigh: new Uint32Array(make(4 * n)), pnLow: new Uint32Array(make(4 * n)) };
  return { input, output: frameSet(total + PACKED_ROOM * n), outcomes };
}

/** What a call gave, frame by frame: code, PN halves, output octets (and, with offsets, where they lie). */
function results(c: Call, offsets: boolean): unknown[] {
  return Array.from({ length: c.input.count }, (_, i) => {
    const len = c.output.lengths[i]!;
    const at = c.output.offsets[i]!;
    return {
      code: c.outcomes.codes[i],
      pn: [c.outcomes.pnHigh[i], c.outcomes.pnLow[i]],
      frame: len === 0 ? '' : Buffer.from(c.output.data.subarray(at, at + len)).toString('hex'),
      ...(offsets && len !== 0 ? { at } : {}),
    };
  });
}

interface PoolCase {
  readonly suite: CipherSuiteName;
  readonly backend: BackendName;
  readonly start: bigint;
  readonly confidentiality: boolean;
  readonly alwaysIncludeSCI: boolean;
  readonly maxFrameSize: number;
  readonly rekeyAfter: number;
  readonly payloads: readonly number[];
  readonly chunkSizes: readonly number[];
  readonly validateFrames: ValidateFrames;
  readonly replayWindow: number;
  readonly receiveCapacity: number;
  /** Receive order: the stream's frames as indices (repeats are replays), some tampered. */
  readonly order: readonly { readonly pick: number; readonly tamper: boolean }[];
}

function transmitter(c: PoolCase, log: unknown[], pool: BurstPool | undefined, sci = SCI_A, k = 1): SecY {
  const { suite } = c;
  const maxPN = CIPHER_SUITES[suite].maxPN;
  const a = new SecY({
    sci,
    cipherSuite: suite,
    backend: c.backend,
    confidentialityProtect: c.confidentiality,
    alwaysIncludeSCI: c.alwaysIncludeSCI,
    maxFrameSize: c.maxFrameSize,
    rekeyThreshold: c.start + BigInt(c.rekeyAfter) > maxPN ? maxPN : c.start + BigInt(c.rekeyAfter),
    ...(pool ? { executor: pool } : {}),
  });
  if (!c.alwaysIncludeSCI) a.createReceiveSC(SCI_B);
  a.on('rekeyNeeded', (e) => log.push(['rekeyNeeded', e]));
  a.on('pnExhausted', (e) => log.push(['pnExhausted', e]));
  a.createTransmitSA({ an: 0, sak: key(c.suite, k), nextPN: c.start, enable: true, ...xpnExtras(suite) });
  return a;
}

function receiver(c: PoolCase, pool: BurstPool | undefined): SecY {
  const b = new SecY({
    sci: SCI_B,
    cipherSuite: c.suite,
    backend: c.backend,
    validateFrames: c.validateFrames,
    replayWindow: c.replayWindow,
    receiveCapacity: c.receiveCapacity,
    ...(pool ? { executor: pool } : {}),
  });
  b.createReceiveSC(SCI_A);
  b.createReceiveSA(SCI_A, { an: 0, sak: key(c.suite, 1), nextPN: c.start, enable: true, ...xpnExtras(c.suite) });
  // A second SC: its frames, interleaved with SCI_A's, make calls of several runs (undecidedOnly).
  b.createReceiveSC(SCI_C);
  b.createReceiveSA(SCI_C, { an: 0, sak: key(c.suite, 2), nextPN: c.start, enable: true, ...xpnExtras(c.suite) });
  return b;
}

function checkCase(c: PoolCase, p: BurstPool = pool()): void {
  const frames = c.payloads.map((p, i) => ethFrame(p, i, 0x0800, i % 5 === 4 ? MAC_C : undefined));
  // Transmit: one SecY on this thread, one on the pool, the same chunks.
  const [logOne, logPool] = [[] as unknown[], [] as unknown[]];
  const [one, split] = [transmitter(c, logOne, undefined), transmitter(c, logPool, p)];
  const stream: Uint8Array[] = [];
  for (const part of chunks(frames, c.chunkSizes)) {
    const [p1, p2] = [pack(part, false), pack(part, true)];
    one.transmitPacked(p1.input, p1.output, p1.outcomes);
    split.transmitPacked(p2.input, p2.output, p2.outcomes);
    expect(results(p2, true)).toEqual(results(p1, true));
    expect(split.transmitSAState(0)).toEqual(one.transmitSAState(0));
    for (let i = 0; i < part.length; i++) if (p1.output.lengths[i]! > 0) stream.push(p1.output.data.slice(p1.output.offsets[i], p1.output.offsets[i]! + p1.output.lengths[i]!));
  }
  expect(logPool).toEqual(logOne);
  expect(split.counters()).toEqual(one.counters());
  if (stream.length === 0) return;
  // The second SC's frames (with an SCI, so the receiver tells the two apart), sent on one thread.
  const second = transmitter({ ...c, alwaysIncludeSCI: true }, [], undefined, SCI_C, 2);
  const stream2: Uint8Array[] = [];
  for (const r of second.transmitBurst(frames)) if (r.kind === 'transmitted') stream2.push(r.frame);
  // Receive: replays and reordering from the stream's order, tampered frames, and frames of the other SC.
  const received = c.order.map(({ pick, tamper }) => {
    const from = pick % 3 === 2 && stream2.length > 0 ? stream2 : stream;
    const f = from[pick % from.length]!.slice();
    if (tamper) f[f.length - 1 - (pick % 20)]! ^= 1;
    return f;
  });
  const [b1, b2] = [receiver(c, undefined), receiver(c, p)];
  for (const part of chunks(received, c.chunkSizes)) {
    const [p1, p2] = [pack(part, false), pack(part, true)];
    b1.receivePacked(p1.input, p1.output, p1.outcomes);
    b2.receivePacked(p2.input, p2.output, p2.outcomes);
    expect(results(p2, false)).toEqual(results(p1, false));
    expect(b2.receiveSAState(SCI_A, 0)).toEqual(b1.receiveSAState(SCI_A, 0));
    expect(b2.receiveSAState(SCI_C, 0)).toEqual(b1.receiveSAState(SCI_C, 0));
  }
  expect(b2.counters()).toEqual(b1.counters());
}

const startsFor = (suite: CipherSuiteName): bigint[] =>
  CIPHER_SUITES[suite].xpn ? [1n, TWO_32 - 6n, CIPHER_SUITES[suite].maxPN - 9n] : [1n, TWO_32 - 9n];

const poolCase = (suite: CipherSuiteName, backend: BackendName): fc.Arbitrary<PoolCase> =>
  fc.record({
    suite: fc.constant(suite),
    backend: fc.constant(backend),
    start: fc.constantFrom(...startsFor(suite)),
    confidentiality: fc.boolean(),
    alwaysIncludeSCI: fc.boolean(),
    maxFrameSize: fc.oneof({ weight: 3, arbitrary: fc.constant(1996) }, fc.integer({ min: 60, max: 160 })),
    rekeyAfter: fc.nat({ max: 40 }),
    payloads: fc.array(fc.oneof(fc.nat({ max: 120 }), fc.nat({ max: 1500 })), { minLength: 1, maxLength: 40 }),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 4 }),
    validateFrames: fc.constantFrom('Strict' as const, 'Check' as const, 'Disabled' as const),
    replayWindow: fc.constantFrom(0, 2, 64),
    receiveCapacity: fc.oneof({ weight: 4, arbitrary: fc.constant(Infinity) }, fc.integer({ min: 0, max: 30 })),
    order: fc.array(fc.record({ pick: fc.nat({ max: 60 }), tamper: fc.boolean() }), { minLength: 1, maxLength: 40 }),
  });

const pool = splittingPool();
// Its worker sleeps between calls (no spin): it is often still waking when this thread is done with its own
// slice, and this thread then takes the worker's slice (C_CLAIM) and runs it.
const sleepyPool = splittingPool({ spinMs: 0 });

describe('packed calls split by a BurstPool are those of one thread', () => {
  for (const backend of backendNames()) {
    it(`every suite: sizes around maxFrameSize, SCI modes, XPN across 2^32, PN exhaustion, rekeying, replays, tampering [${backend}]`, () => {
      for (const suite of CIPHER_SUITE_NAMES) fc.assert(fc.property(poolCase(suite, backend), (c) => checkCase(c)), { numRuns: 12 });
    });
  }

  it('a worker slow to wake, whose slice this thread takes: the same outcomes, PNs, frames and counters (node, native)', () => {
    for (const backend of backendNames().filter((b) => b !== 'noble')) {
      for (const suite of ['GCM-AES-128', 'GCM-AES-XPN-256'] as const) fc.assert(fc.property(poolCase(suite, backend), (c) => checkCase(c, sleepyPool())), { numRuns: 12 });
    }
  });

  it('refuses arrays that are not on a SharedArrayBuffer, naming the first, before any PN is taken', () => {
    const c = { suite: 'GCM-AES-128', backend: 'node', start: 1n, confidentiality: true, alwaysIncludeSCI: true, maxFrameSize: 1996, rekeyAfter: 100 } as const;
    const a = transmitter({ ...c, payloads: [], chunkSizes: [], validateFrames: 'Strict', replayWindow: 0, receiveCapacity: Infinity, order: [] }, [], pool());
    const frames = [ethFrame(40, 0), ethFrame(40, 1)];
    const plain = pack(frames, false);
    expect(() => a.transmitPacked(plain.input, plain.output, plain.outcomes)).toThrow(ConfigError);
    expect(() => a.transmitPacked(plain.input, plain.output, plain.outcomes)).toThrow(/input\.data.*SharedArrayBuffer/);
    const mixed = pack(frames, true);
    const outcomes = { ...mixed.outcomes, pnLow: new Uint32Array(2) };
    expect(() => a.transmitPacked(mixed.input, mixed.output, outcomes)).toThrow(/outcomes\.pnLow/);
    expect(a.getTransmitNextPN(0)).toBe(1n);
    expect(a.counters().transmitSC.counters.OutPktsEncrypted).toBe(0);
  });
});

describe('BurstPool.packed.protectPacked, called directly', () => {
  it('gives what protectPacked gives on this thread, PN exhaustion inside the call included (that call is not split)', () => {
    const options = { an: 1, sci: SCI_A, includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0 } as const;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 30 }), fc.nat({ max: 40 }), fc.integer({ min: 60, max: 240 }), (payloads, pns, maxFrameSize) => {
        const frames = payloads.map((p, i) => ethFrame(p, i));
        const control = (): PackedTransmitControl => ({ first: 0, count: frames.length, outStart: 0, nextPnHigh: 0, nextPnLow: 0xffff_ffc0, lastPnHigh: 0, lastPnLow: 0xffff_ffc0 + pns, maxFrameSize, outEnd: 0, pnsUsed: 0 });
        const [p1, p2] = [pack(frames, false), pack(frames, true)];
        const [c1, c2] = [control(), control()];
        const [sa1, sa2] = [new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: key('GCM-AES-128', 3) }, 'node'), new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: key('GCM-AES-128', 3) }, 'node')];
        pool().install(sa2, { key: key('GCM-AES-128', 3), ssci: undefined, salt: undefined });
        protectPacked(sa1, options, p1.input, p1.output, p1.outcomes, c1);
        pool().packed.protectPacked(sa2, options, p2.input, p2.output, p2.outcomes, c2);
        expect(results(p2, true)).toEqual(results(p1, true));
        expect([c2.outEnd, c2.pnsUsed]).toEqual([c1.outEnd, c1.pnsUsed]);
        sa1.wipe();
        sa2.wipe();
      }),
      { numRuns: 40 },
    );
  });
});

describe('BurstPool.packed: what a worker keeps between calls', () => {
  it('an options object changed in place between two calls reaches the worker: both calls give what one thread gives', () => {
    const frames = Array.from({ length: 8 }, (_, i) => ethFrame(40 + i, i));
    const options: { an: AN; sci: Uint8Array; includeSci: true; endStation: false; scb: false; confidentiality: boolean; confidentialityOffset: ConfidentialityOffset } = {
      an: 1, sci: Uint8Array.from(SCI_A), includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0,
    };
    const control = (pn: number): PackedTransmitControl => ({ first: 0, count: frames.length, outStart: 0, nextPnHigh: 0, nextPnLow: pn, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 1518, outEnd: 0, pnsUsed: 0 });
    const sak = key('GCM-AES-128', 5);
    const [sa1, sa2] = [new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node'), new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node')];
    pool().install(sa2, { key: sak, ssci: undefined, salt: undefined });
    const [p1, p2] = [pack(frames, false), pack(frames, true)];
    for (const [pn, change] of [[1, () => {}], [100, () => {
      options.an = 2;
      options.sci[7] = 0xff ^ SCI_A[7]!;
      options.confidentiality = false;
    }]] as const) {
      change();
      protectPacked(sa1, options, p1.input, p1.output, p1.outcomes, control(pn));
      pool().packed.protectPacked(sa2, options, p2.input, p2.output, p2.outcomes, control(pn));
      expect(results(p2, true)).toEqual(results(p1, true));
    }
    // The second call's frames (in the worker's slice too) carry AN 2 and no E bit: TCI octet 0x22 (SC, AN 2), per 9.3-9.6.
    const last = frames.length - 1;
    expect(p2.output.data[p2.output.offsets[last]! + 14]).toBe(0x22);
    sa1.wipe();
    sa2.wipe();
  });

  it('an SCI given as a Buffer and changed in place reaches the worker too (the copy kept is a copy, not a view)', () => {
    const frames = Array.from({ length: 8 }, (_, i) => ethFrame(40 + i, i));
    const options = { an: 1 as const, sci: Buffer.from(SCI_A), includeSci: true as const, endStation: false as const, scb: false as const, confidentiality: true, confidentialityOffset: 0 as const };
    const control = (pn: number): PackedTransmitControl => ({ first: 0, count: frames.length, outStart: 0, nextPnHigh: 0, nextPnLow: pn, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 1518, outEnd: 0, pnsUsed: 0 });
    const sak = key('GCM-AES-128', 5);
    const [sa1, sa2] = [new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node'), new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node')];
    pool().install(sa2, { key: sak, ssci: undefined, salt: undefined });
    const [p1, p2] = [pack(frames, false), pack(frames, true)];
    for (const pn of [1, 100]) {
      if (pn === 100) options.sci[7] = 0x77;
      protectPacked(sa1, options, p1.input, p1.output, p1.outcomes, control(pn));
      pool().packed.protectPacked(sa2, options, p2.input, p2.output, p2.outcomes, control(pn));
      expect(results(p2, true)).toEqual(results(p1, true));
    }
    sa1.wipe();
    sa2.wipe();
  });

  it('a call whose options cannot go to the worker throws, and the next call over its arrays gives what one thread gives', () => {
    const frames = Array.from({ length: 8 }, (_, i) => ethFrame(40 + i, i));
    const options: PackedProtectOptions = { an: 1, sci: Uint8Array.from(SCI_A), includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0 };
    // A property the structured clone refuses (a function).
    const unclonable = Object.assign({ describe: (): string => 'tx options' }, options);
    const control = (pn: number): PackedTransmitControl => ({ first: 0, count: frames.length, outStart: 0, nextPnHigh: 0, nextPnLow: pn, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 1518, outEnd: 0, pnsUsed: 0 });
    const sak = key('GCM-AES-128', 5);
    const [sa1, sa2] = [new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node'), new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: sak }, 'node')];
    pool().install(sa2, { key: sak, ssci: undefined, salt: undefined });
    const a = pack(frames, true);
    pool().packed.protectPacked(sa2, options, a.input, a.output, a.outcomes, control(1));
    const b = pack(frames, true);
    expect(() => pool().packed.protectPacked(sa2, unclonable, b.input, b.output, b.outcomes, control(50))).toThrow();
    const one = pack(frames, false);
    protectPacked(sa1, options, one.input, one.output, one.outcomes, control(100));
    pool().packed.protectPacked(sa2, options, b.input, b.output, b.outcomes, control(100));
    expect(results(b, true)).toEqual(results(one, true));
    sa1.wipe();
    sa2.wipe();
  });
});

describe('a BurstPool whose worker does not answer in time', () => {
  it('stops it, skips every PN of the failed call, and refuses every packed call after, naming the executor', async () => {
    // No wait at all: the worker, woken after this thread starts its own slice, is rarely done when this one is.
    const late = await BurstPool.create({ workers: 1, minFrames: 2, timeoutMs: 0, spinMs: 0 });
    try {
      const a = new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-128', backend: 'node', executor: late });
      a.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), nextPN: 1n, enable: true });
      const call = pack(Array.from({ length: 2048 }, (_, i) => ethFrame(1500, i)), true);
      let failed: unknown;
      let before = 0n;
      for (let attempt = 0; attempt < 20 && failed === undefined; attempt++) {
        before = a.getTransmitNextPN(0);
        try {
          a.transmitPacked(call.input, call.output, call.outcomes);
        } catch (e) {
          failed = e;
        }
      }
      expect(String(failed)).toMatch(/did not answer within 0 ms/);
      // Any frame of the failed call may have been sealed, with any of its 2048 PNs: none is given out again.
      expect(a.getTransmitNextPN(0)).toBe(before + 2048n);
      expect(() => a.transmitPacked(call.input, call.output, call.outcomes)).toThrow(ConfigError);
      expect(() => a.transmitPacked(call.input, call.output, call.outcomes)).toThrow(/executor.*did not answer/);
      expect(a.getTransmitNextPN(0)).toBe(before + 2048n);
    } finally {
      await late.close();
    }
  }, 60_000);
});
