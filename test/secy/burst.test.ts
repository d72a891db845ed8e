/**
 * SecY.transmitBurst / receiveBurst do the cryptography of a burst in one pass (protectBurst /
 * validateBurst per run of frames sharing an SA) and the bookkeeping frame by frame around it. Their
 * results must be exactly those of transmit / receive one frame at a time: these properties run twin
 * SecYs, one frame by frame and one in bursts of random sizes, over random streams (replays, reordering,
 * tampering, unknown SCIs and ANs, XPN streams crossing 2^32 and reaching 2^64, PN exhaustion, rekeying
 * and persistence listeners), every suite, both modes, every validateFrames mode, on every backend.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { backendNames, type BackendName } from '../../src/crypto/backend.js';
import { inThread, type BurstExecutor } from '../../src/crypto/burst.js';
import { NativeGcm } from '../../src/crypto/native.js';
import { BurstPool } from '../../src/crypto/pool.js';
import { PACKED_CODE_NAMES, PACKED_ROOM, packedOutcomes, type PackedOutcomes } from '../../src/crypto/packed.js';
import { appendPacked, packedFrame, packedFrames, type PackedFrames } from '../../src/wire/packed.js';
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { SecY, VALIDATE_FRAMES, type ReceiveOutcome, type SecYOptions, type TransmitOutcome, type ValidateFrames } from '../../src/secy/index.js';
import { MAC_A, MAC_C, SCI_A, SCI_B, SCI_C, TCI_OFFSET, chunks, ethFrame, flip, key, sent, xpnExtras } from './helpers.js';
import { splittingPool } from '../support/pool.js';

/** A second receive SC's transmitter. */
const MAC_D = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0d]);
const SCI_D = Uint8Array.from([...MAC_D, 0, 1]);

const TWO_32 = 0x1_0000_0000n;

/** An outcome as plain data: every field, the frame as hex (a burst's frames are views into one buffer). */
function plainOutcome(o: ReceiveOutcome | TransmitOutcome): Record<string, unknown> {
  const { frame, ...rest } = o as { frame?: Uint8Array };
  return { ...rest, frame: frame === undefined ? undefined : Buffer.from(frame).toString('hex') };
}

/** Where the streams start: low, just below 2^32 (the plain suites' end; XPN crosses it), and, XPN only, just below 2^64. */
const startsFor = (suite: CipherSuiteName): bigint[] =>
  CIPHER_SUITES[suite].xpn ? [1n, TWO_32 - 6n, CIPHER_SUITES[suite].maxPN - 9n] : [1n, TWO_32 - 9n];

// ------------------------------------------------------------------------------------------- receive

interface ReceiveCase {
  readonly suite: CipherSuiteName;
  readonly backend: BackendName;
  readonly start: bigint;
  /** Per frame of the transmitted stream: sent with confidentiality (C=1) or integrity only (C=0). */
  readonly confidential: readonly boolean[];
  readonly alwaysIncludeSCI: boolean;
  readonly confidentialityOffset: 0 | 30 | 50;
  readonly validateFrames: ValidateFrames;
  readonly replayProtect: boolean;
  readonly replayWindow: number;
  readonly receiveCapacity: number;
  /**
   * The receiver's clearTags, and per frame of the stream the VLAN tags it carries in clear before its
   * SecTAG (modulo clearTags + 1): the transmitter protects frames with 0 .. clearTags tags.
   */
  readonly clearTags?: 0 | 1 | 2;
  readonly vlans?: readonly number[];
  /** A second receive SC (SCI_D, AN 0) whose own stream ('next2') interleaves with the first one's. */
  readonly secondSC?: boolean;
  /** How the received sequence is made from the pool: next in order (of either stream), any frame of the pool, or a replay of a recent one. */
  readonly steps: readonly { readonly kind: 'next' | 'next2' | 'any' | 'back'; readonly pick: number }[];
  readonly chunkSizes: readonly number[];
}

/**
 * Frames under AN 2 (a receive SA installed, not enabled), AN 3 (no receive SA) and from an unknown SCI
 * (C=1 and C=0): the same whatever the case, so made once per suite (the octets are the same on every
 * backend).
 */
const foreign = new Map<CipherSuiteName, Uint8Array[]>();
function foreignFrames(suite: CipherSuiteName): Uint8Array[] {
  let frames = foreign.get(suite);
  if (frames === undefined) {
    const x = xpnExtras(suite);
    const a = new SecY({ sci: SCI_A, cipherSuite: suite });
    a.createTransmitSA({ an: 2, sak: key(suite, 3), enable: true, ...x });
    const an2 = sent(a.transmit(ethFrame(30, 7)));
    a.createTransmitSA({ an: 3, sak: key(suite, 4), enable: true, ...x });
    const an3 = sent(a.transmit(ethFrame(30, 8)));
    const c = new SecY({ sci: SCI_C, cipherSuite: suite, alwaysIncludeSCI: true });
    c.createTransmitSA({ an: 0, sak: key(suite, 1), enable: true, ...x });
    const unknownC1 = sent(c.transmit(ethFrame(30, 0, 0x0800, MAC_C)));
    c.setControls({ confidentialityProtect: false });
    frames = [an2, an3, unknownC1, sent(c.transmit(ethFrame(30, 0, 0x0800, MAC_C)))];
    foreign.set(suite, frames);
  }
  return frames;
}

/** The frames a receiver may see: a stream under AN 0 and AN 1, and every kind of frame that is not one. */
function receivePool(c: ReceiveCase): { stream: Uint8Array[]; others: Uint8Array[]; stream2: Uint8Array[] } {
  const { suite, backend, start } = c;
  const x = xpnExtras(suite);
  const clearTags = c.clearTags ?? 0;
  const a = new SecY({ sci: SCI_A, cipherSuite: suite, backend, alwaysIncludeSCI: c.alwaysIncludeSCI, confidentialityOffset: c.confidentialityOffset, clearTags });
  a.createTransmitSA({ an: 0, sak: key(suite, 1), nextPN: start, enable: true, ...x });
  const stream: Uint8Array[] = [];
  c.confidential.forEach((on, i) => {
    a.setControls({ confidentialityProtect: on });
    const vlans = ((c.vlans?.[i] ?? 0) % (clearTags + 1)) as 0 | 1 | 2;
    const o = a.transmit(transmitFrame({ payload: i % 3 === 0 ? 40 : 60 + i, vlans, ownSource: true }, i));
    if (o.kind === 'transmitted') stream.push(o.frame); // PNs run out near the plain suites' end
  });
  // The second SC's stream: its SCI carried, C=1 and C=0 as the first's.
  const stream2: Uint8Array[] = [];
  if (c.secondSC === true) {
    const d = new SecY({ sci: SCI_D, cipherSuite: suite, backend, alwaysIncludeSCI: true, confidentialityOffset: c.confidentialityOffset });
    d.createTransmitSA({ an: 0, sak: key(suite, 5), nextPN: start, enable: true, ...x });
    c.confidential.forEach((on, i) => {
      d.setControls({ confidentialityProtect: on });
      const o = d.transmit(ethFrame(30 + 7 * i, 200 + i, 0x0800, MAC_D));
      if (o.kind === 'transmitted') stream2.push(o.frame);
    });
  }
  const others: Uint8Array[] = [];
  a.createTransmitSA({ an: 1, sak: key(suite, 2), nextPN: start, enable: true, ...x });
  for (let i = 0; i < 3; i++) {
    const o = a.transmit(ethFrame(30, 100 + i));
    if (o.kind === 'transmitted') others.push(o.frame); // AN 1: a second receive SA
  }
  others.push(...foreignFrames(suite));
  if (stream.length > 0) {
    const tagAt = TCI_OFFSET;
    others.push(flip(stream[0]!, -1), flip(stream[stream.length - 1]!, 30)); // ICV, data tampered
    const bad = stream[0]!.slice();
    bad[tagAt]! |= 0x80; // V=1: bad SecTAG
    const ec = stream[0]!.slice();
    ec[tagAt] = (ec[tagAt]! | 0x08) & ~0x04; // E=1, C=0: Uncontrolled Port only
    others.push(bad, ec, stream[0]!.subarray(0, 20)); // and one cut short
  }
  others.push(ethFrame(), ethFrame(20, 1, 0x86dd, MAC_A), new Uint8Array(0), ethFrame().subarray(0, 5)); // untagged, empty, shorter than the addresses
  return { stream, others, stream2 };
}

function receiverFor(c: ReceiveCase): SecY {
  const { suite, backend, start } = c;
  const options: SecYOptions = {
    sci: SCI_B,
    cipherSuite: suite,
    backend,
    validateFrames: c.validateFrames,
    replayProtect: c.replayProtect,
    replayWindow: c.replayWindow,
    receiveCapacity: c.receiveCapacity,
    confidentialityOffset: c.confidentialityOffset,
    clearTags: c.clearTags ?? 0,
  };
  const b = new SecY(options);
  const x = xpnExtras(suite);
  b.createReceiveSC(SCI_A);
  b.createReceiveSA(SCI_A, { an: 0, sak: key(suite, 1), nextPN: start, enable: true, ...x });
  b.createReceiveSA(SCI_A, { an: 1, sak: key(suite, 2), nextPN: start, enable: true, ...x });
  b.createReceiveSA(SCI_A, { an: 2, sak: key(suite, 3), ...x });
  if (c.secondSC === true) {
    b.createReceiveSC(SCI_D);
    b.createReceiveSA(SCI_D, { an: 0, sak: key(suite, 5), nextPN: start, enable: true, ...x });
  }
  return b;
}

/**
 * The burst frame by frame with `receive`, the capacity shared by the burst: the reference when
 * receiveCapacity is finite, since `receive` gives each call the whole capacity. Each frame gets what is
 * left; a frame uses one when it went to the cipher suite (10.6.3: C=1, or validateFrames not Disabled)
 * or was refused for want of capacity: InPktsOK, InPktsNotValid, InPktsInvalid, InPktsOverrun, and
 * InPktsDelayed unless the frame was delivered unchecked (Disabled, C=0). An overrun's reason names the
 * capacity configured.
 */
/** Where the TCI octet of a SecTAG after at most `clearTags` VLAN tags is (-1: none). */
function tciOffset(f: Uint8Array, clearTags: number): number {
  let at = 12;
  for (let k = 0; k < clearTags && f.length > at + 1 && ((f[at] === 0x81 && f[at + 1] === 0x00) || (f[at] === 0x88 && f[at + 1] === 0xa8)); k++) at += 4;
  return f.length > at + 2 && f[at] === 0x88 && f[at + 1] === 0xe5 ? at + 2 : -1;
}

function receiveStepwise(b: SecY, frames: readonly Uint8Array[], capacity: number): ReceiveOutcome[] {
  let budget = capacity;
  const disabled = b.controls.validateFrames === 'Disabled';
  const outcomes = frames.map((f) => {
    b.setControls({ receiveCapacity: budget });
    const o = b.receive(f);
    const tci = tciOffset(f, b.controls.clearTags);
    const cBit = tci >= 0 && (f[tci]! & 0x04) !== 0;
    const validated = ['InPktsOK', 'InPktsNotValid', 'InPktsInvalid', 'InPktsOverrun'].includes(o.counter) || (o.counter === 'InPktsDelayed' && (cBit || !disabled));
    if (validated && budget > 0) budget--;
    // The reason names the capacity configured, not what was left of it.
    return o.counter === 'InPktsOverrun' ? { ...o, reason: `beyond receiveCapacity ${capacity}` } : o;
  });
  b.setControls({ receiveCapacity: capacity });
  return outcomes;
}

function receiveState(b: SecY, c: ReceiveCase): unknown {
  return [...[0, 1, 2].map((an) => b.receiveSAState(SCI_A, an)), c.secondSC === true ? b.receiveSAState(SCI_D, 0) : undefined];
}

/** The received sequence the case's steps make from its pool. */
function receiveSequence(c: ReceiveCase): Uint8Array[] {
  const { stream, others, stream2 } = receivePool(c);
  const sequence: Uint8Array[] = [];
  let cursor = 0;
  let cursor2 = 0;
  for (const s of c.steps) {
    if (s.kind === 'next' && cursor < stream.length) sequence.push(stream[cursor++]!);
    else if (s.kind === 'next2' && cursor2 < stream2.length) sequence.push(stream2[cursor2++]!);
    else if (s.kind === 'back' && cursor > 0) sequence.push(stream[Math.max(0, cursor - 1 - (s.pick % 6))]!);
    else {
      const all = [...stream, ...others, ...stream2];
      sequence.push(all[s.pick % all.length]!);
    }
  }
  return sequence;
}

function checkReceive(c: ReceiveCase): void {
  const sequence = receiveSequence(c);
  const one = receiverFor(c);
  const burst = receiverFor(c);
  const finite = c.receiveCapacity !== Infinity;
  for (const part of chunks(sequence, c.chunkSizes)) {
    const expected = finite ? receiveStepwise(one, part, c.receiveCapacity) : part.map((f) => one.receive(f));
    const got = burst.receiveBurst(part);
    expect(got.map(plainOutcome)).toEqual(expected.map(plainOutcome));
    expect(receiveState(burst, c)).toEqual(receiveState(one, c));
  }
  expect(burst.counters()).toEqual(one.counters());
}

function checkReceivePacked(c: ReceiveCase): void {
  const sequence = receiveSequence(c);
  const one = receiverFor(c);
  const packed = receiverFor(c);
  const finite = c.receiveCapacity !== Infinity;
  for (const part of chunks(sequence, c.chunkSizes)) {
    const expected = finite ? receiveStepwise(one, part, c.receiveCapacity) : part.map((f) => one.receive(f));
    const p = packFrames(part);
    packed.receivePacked(p.input, p.output, p.outcomes);
    expect(p.output.count).toBe(part.length);
    expect(part.map((_, i) => packedOutcome(p, i))).toEqual(expected.map(plainPacked));
    // Every outcome whole, its reason and origin included, as receivedOutcome rebuilds it.
    expect(part.map((_, i) => plainOutcome(packed.receivedOutcome(p.input, p.output, p.outcomes, i)))).toEqual(expected.map(plainOutcome));
    expect(receiveState(packed, c)).toEqual(receiveState(one, c));
  }
  expect(packed.counters()).toEqual(one.counters());
}

const receiveCase = (suite: CipherSuiteName, backend: BackendName): fc.Arbitrary<ReceiveCase> =>
  fc.record({
    suite: fc.constant(suite),
    backend: fc.constant(backend),
    start: fc.constantFrom(...startsFor(suite)),
    confidential: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)), { minLength: 4, maxLength: 14 }),
    alwaysIncludeSCI: fc.boolean(),
    confidentialityOffset: fc.constantFrom(0 as const, 30 as const, 50 as const),
    validateFrames: fc.constantFrom(...VALIDATE_FRAMES),
    replayProtect: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
    replayWindow: fc.constantFrom(0, 0, 1, 3, 5, 64),
    receiveCapacity: fc.oneof({ weight: 4, arbitrary: fc.constant(Infinity) }, fc.nat({ max: 6 })),
    clearTags: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const),
    vlans: fc.array(fc.nat({ max: 2 }), { maxLength: 14 }),
    secondSC: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, fc.constant(true)),
    steps: fc.array(
      fc.record({
        kind: fc.oneof({ weight: 5, arbitrary: fc.constant('next' as const) }, { weight: 2, arbitrary: fc.constant('next2' as const) }, fc.constant('any' as const), fc.constant('back' as const)),
        pick: fc.nat({ max: 1000 }),
      }),
      { minLength: 1, maxLength: 36 },
    ),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 5 }),
  });

// ------------------------------------------------------------------------------------------- transmit

interface TransmitCase {
  readonly suite: CipherSuiteName;
  readonly backend: BackendName;
  readonly start: bigint;
  readonly confidentialityProtect: boolean;
  readonly confidentialityOffset: 0 | 30 | 50;
  readonly sciMode: 'alwaysIncludeSCI' | 'useES' | 'useSCB' | 'pointToPoint';
  readonly clearTags: 0 | 1 | 2;
  readonly maxFrameSize: number;
  /** rekeyThreshold as an offset from the start: 0 to 12 frames in. */
  readonly rekeyAfter: number;
  /** On rekeyNeeded the listener installs and enables the next AN's SA. */
  readonly switchOnRekey: boolean;
  /** Persistence armed with this headroom, the listener persisting a snapshot on every persistNeeded (or every other). */
  readonly persist: { readonly headroom: bigint; readonly every: 1 | 2 } | undefined;
  /** Per frame: payload length, VLAN tags, from the SCI's address (ES applies) or another one. */
  readonly frames: readonly { readonly payload: number; readonly vlans: 0 | 1 | 2; readonly ownSource: boolean }[];
  readonly chunkSizes: readonly number[];
}

function transmitFrame(f: TransmitCase['frames'][number], i: number): Uint8Array {
  const base = ethFrame(f.payload, i, 0x0800, f.ownSource ? MAC_A : MAC_C);
  if (f.vlans === 0) return base;
  const out = new Uint8Array(base.length + 4 * f.vlans);
  out.set(base.subarray(0, 12));
  for (let v = 0; v < f.vlans; v++) out.set([v === 0 && f.vlans === 2 ? 0x88 : 0x81, v === 0 && f.vlans === 2 ? 0xa8 : 0x00, 0, 10 + v], 12 + 4 * v);
  out.set(base.subarray(12), 12 + 4 * f.vlans);
  return out;
}

/** A transmitter with the case's controls and listeners; `log` records every event with the counts at that moment. */
function transmitterFor(c: TransmitCase, log: unknown[], executor?: BurstExecutor): SecY {
  const { suite, backend } = c;
  const x = xpnExtras(suite);
  const a = new SecY({
    sci: SCI_A,
    cipherSuite: suite,
    backend,
    confidentialityProtect: c.confidentialityProtect,
    confidentialityOffset: c.confidentialityOffset,
    alwaysIncludeSCI: c.sciMode === 'alwaysIncludeSCI',
    useES: c.sciMode === 'useES',
    useSCB: c.sciMode === 'useSCB',
    clearTags: c.clearTags,
    maxFrameSize: c.maxFrameSize,
    rekeyThreshold: c.start + BigInt(c.rekeyAfter) > CIPHER_SUITES[suite].maxPN ? CIPHER_SUITES[suite].maxPN : c.start + BigInt(c.rekeyAfter),
    ...(c.persist ? { pnHeadroom: c.persist.headroom } : {}),
    ...(executor ? { executor } : {}),
  });
  if (c.sciMode !== 'pointToPoint') {
    a.createReceiveSC(SCI_B);
    a.createReceiveSC(SCI_C);
  }
  const counts = (): unknown => a.counters().transmitSC.counters;
  let rekeys = 0;
  a.on('rekeyNeeded', (e) => {
    log.push(['rekeyNeeded', e, counts()]);
    if (c.switchOnRekey && rekeys < 3) {
      rekeys++;
      const an = (a.encodingSA + 1) % 4;
      if (a.transmitSAState(an) !== undefined) a.deleteTransmitSA(an);
      a.createTransmitSA({ an, sak: key(suite, 10 + rekeys), nextPN: c.start, enable: true, ...x });
    }
  });
  a.on('pnExhausted', (e) => log.push(['pnExhausted', e, counts()]));
  let persists = 0;
  a.on('persistNeeded', (e) => {
    log.push(['persistNeeded', e, counts()]);
    if (c.persist && persists++ % c.persist.every === 0) a.persisted(a.snapshot());
  });
  a.createTransmitSA({ an: 0, sak: key(suite, 1), nextPN: c.start, enable: true, ...x });
  if (c.persist) a.persisted(a.snapshot());
  return a;
}

/** `frames` packed with a gap before each (frames need not lie back to back), and room for what comes out. */
function packFrames(frames: readonly Uint8Array[]): { input: PackedFrames; output: PackedFrames; outcomes: PackedOutcomes } {
  const total = frames.reduce((n, f) => n + f.length, 0);
  const input = packedFrames(frames.length, total + 3 * frames.length);
  let at = 0;
  for (const f of frames) at = appendPacked(input, f, at + 3);
  return { input, output: packedFrames(frames.length, total + PACKED_ROOM * frames.length), outcomes: packedOutcomes(frames.length) };
}

/** A packed outcome as plain data, as `plainPacked` gives the frame-by-frame one. */
function packedOutcome(p: { output: PackedFrames; outcomes: PackedOutcomes }, i: number): Record<string, unknown> {
  const { codes, pnHigh, pnLow } = p.outcomes;
  const length = p.output.lengths[i]!;
  return { counter: PACKED_CODE_NAMES[codes[i]!], pn: (BigInt(pnHigh[i]!) << 32n) | BigInt(pnLow[i]!), frame: length === 0 ? '' : Buffer.from(packedFrame(p.output, i)).toString('hex') };
}

function plainPacked(o: ReceiveOutcome | TransmitOutcome): Record<string, unknown> {
  const delivered = o.kind !== 'dropped';
  const pn = 'pn' in o ? o.pn : 'origin' in o ? o.origin?.pn : undefined;
  // Two 32-bit halves: a PN recovered past maxPN (2^64 and above) shows modulo 2^64.
  return { counter: o.counter, pn: BigInt.asUintN(64, pn ?? 0n), frame: delivered ? Buffer.from(o.frame).toString('hex') : '' };
}

function transmitState(a: SecY): unknown {
  return [0, 1, 2, 3].map((an) => a.transmitSAState(an));
}

function checkTransmit(c: TransmitCase): void {
  const frames = c.frames.map(transmitFrame);
  const logOne: unknown[] = [];
  const logBurst: unknown[] = [];
  const one = transmitterFor(c, logOne);
  const burst = transmitterFor(c, logBurst);
  for (const part of chunks(frames, c.chunkSizes)) {
    const expected = part.map((f) => one.transmit(f));
    const got = burst.transmitBurst(part);
    expect(got.map(plainOutcome)).toEqual(expected.map(plainOutcome));
    expect(transmitState(burst)).toEqual(transmitState(one));
  }
  expect(logBurst).toEqual(logOne);
  expect(burst.counters()).toEqual(one.counters());
}

function checkTransmitPacked(c: TransmitCase): void {
  const frames = c.frames.map(transmitFrame);
  const logOne: unknown[] = [];
  const logPacked: unknown[] = [];
  const one = transmitterFor(c, logOne);
  const packed = transmitterFor(c, logPacked);
  for (const part of chunks(frames, c.chunkSizes)) {
    const expected = part.map((f) => one.transmit(f));
    const p = packFrames(part);
    packed.transmitPacked(p.input, p.output, p.outcomes);
    expect(p.output.count).toBe(part.length);
    expect(part.map((_, i) => packedOutcome(p, i))).toEqual(expected.map(plainPacked));
    expect(transmitState(packed)).toEqual(transmitState(one));
  }
  expect(logPacked).toEqual(logOne);
  expect(packed.counters()).toEqual(one.counters());
}

const transmitCase = (suite: CipherSuiteName, backend: BackendName): fc.Arbitrary<TransmitCase> =>
  fc.record({
    suite: fc.constant(suite),
    backend: fc.constant(backend),
    start: fc.constantFrom(...startsFor(suite)),
    confidentialityProtect: fc.boolean(),
    confidentialityOffset: fc.constantFrom(0 as const, 30 as const, 50 as const),
    sciMode: fc.constantFrom('alwaysIncludeSCI' as const, 'useES' as const, 'useSCB' as const, 'pointToPoint' as const),
    clearTags: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const),
    maxFrameSize: fc.oneof({ weight: 3, arbitrary: fc.constant(1996) }, fc.integer({ min: 60, max: 140 })),
    rekeyAfter: fc.nat({ max: 12 }),
    switchOnRekey: fc.boolean(),
    persist: fc.option(fc.record({ headroom: fc.bigInt({ min: 0n, max: 6n }), every: fc.constantFrom(1 as const, 2 as const) }), { freq: 3 }),
    frames: fc.array(
      fc.record({ payload: fc.nat({ max: 90 }), vlans: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const), ownSource: fc.boolean() }),
      { minLength: 1, maxLength: 30 },
    ),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 5 }),
  });

// ------------------------------------------------------------------------------------------- the properties

/** Runs per backend and direction, spread over the suites: enough to hit every path, in seconds. */
const RUNS = 48;

describe('receiveBurst is receive frame by frame', () => {
  for (const backend of backendNames()) {
    it(`every suite, mode, validateFrames, replay window [${backend}]`, () => {
      for (const suite of CIPHER_SUITE_NAMES) {
        fc.assert(fc.property(receiveCase(suite, backend), checkReceive), { numRuns: RUNS / 2 });
      }
    });
  }

  it('an XPN burst in which lowestPN crosses 2^32 before a replay from the old epoch: validated again with the new upper half (receiveBurst and receivePacked)', () => {
    // Window 4: after PN 2^32 + 5 lowestPN is 2^32 + 2, so PN 2^32 - 3 replayed recovers into epoch 1
    // (2^32 + 2^32 - 3) and fails its ICV, as it would frame by frame; at the burst's start it recovered
    // into epoch 0, where it verifies.
    for (const backend of backendNames()) {
      const c: ReceiveCase = {
        suite: 'GCM-AES-XPN-128',
        backend,
        start: TWO_32 - 6n,
        confidential: Array.from({ length: 12 }, () => true),
        alwaysIncludeSCI: false,
        confidentialityOffset: 0,
        validateFrames: 'Strict',
        replayProtect: true,
        replayWindow: 4,
        receiveCapacity: Infinity,
        steps: [],
        chunkSizes: [],
      };
      const { stream } = receivePool(c);
      const order = [...stream, stream[3]!]; // stream[3] is PN 2^32 - 3
      const one = receiverFor(c);
      const burst = receiverFor(c);
      const expected = order.map((f) => one.receive(f));
      const replay = expected.at(-1)!;
      expect(replay.counter).toBe('InPktsNotValid');
      expect(replay.kind === 'dropped' && replay.origin?.pn).toBe(2n * TWO_32 - 3n);
      expect(burst.receiveBurst(order).map(plainOutcome)).toEqual(expected.map(plainOutcome));
      expect(burst.counters()).toEqual(one.counters());
      const packed = receiverFor(c);
      const p = packFrames(order);
      packed.receivePacked(p.input, p.output, p.outcomes);
      expect(order.map((_, i) => packedOutcome(p, i))).toEqual(expected.map(plainPacked));
      expect(packed.counters()).toEqual(one.counters());
    }
  });
  it('an XPN SA that has accepted maxPN (lowestPN 2^64) keeps receiving packed bursts as frame by frame', () => {
    for (const backend of backendNames()) {
      const c: ReceiveCase = {
        suite: 'GCM-AES-XPN-128',
        backend,
        start: CIPHER_SUITES['GCM-AES-XPN-128'].maxPN - 3n,
        confidential: [true, true, true, true],
        alwaysIncludeSCI: false,
        confidentialityOffset: 0,
        validateFrames: 'Strict',
        replayProtect: true,
        replayWindow: 0,
        receiveCapacity: Infinity,
        steps: [],
        chunkSizes: [],
      };
      const { stream } = receivePool(c);
      const one = receiverFor(c);
      const packed = receiverFor(c);
      for (const part of [stream, [stream[1]!, stream[3]!]]) {
        const expected = part.map((f) => one.receive(f));
        const p = packFrames(part);
        packed.receivePacked(p.input, p.output, p.outcomes);
        expect(part.map((_, i) => packedOutcome(p, i))).toEqual(expected.map(plainPacked));
      }
      expect(one.getReceiveLowestPN(SCI_A, 0)).toBe(1n << 64n);
      expect(packed.counters()).toEqual(one.counters());
    }
  });
});

describe('transmitBurst is transmit frame by frame', () => {
  for (const backend of backendNames()) {
    it(`every suite and mode, SCI modes, clear tags, PN exhaustion, rekey and persistence listeners [${backend}]`, () => {
      for (const suite of CIPHER_SUITE_NAMES) {
        fc.assert(fc.property(transmitCase(suite, backend), checkTransmit), { numRuns: RUNS / 2 });
      }
    });
  }

  it('runs are cut where the SA changes: one burst call per run', () => {
    const c: TransmitCase = {
      suite: 'GCM-AES-128',
      backend: 'node',
      start: 1n,
      confidentialityProtect: true,
      confidentialityOffset: 0,
      sciMode: 'alwaysIncludeSCI',
      clearTags: 0,
      maxFrameSize: 1996,
      rekeyAfter: 5,
      switchOnRekey: true,
      persist: undefined,
      frames: Array.from({ length: 10 }, (_, i) => ({ payload: 40 + i, vlans: 0 as const, ownSource: true })),
      chunkSizes: [],
    };
    const runs: number[] = [];
    // An executor that records the runs it is given and runs them here.
    const recording: BurstExecutor = { ...inThread, protect: (...args) => (runs.push(args[3]), inThread.protect(...args)) };
    const a = transmitterFor(c, [], recording);
    const b = transmitterFor(c, []);
    const frames = c.frames.map(transmitFrame);
    expect(a.transmitBurst(frames).map(plainOutcome)).toEqual(frames.map((f) => b.transmit(f)).map(plainOutcome));
    // Rekey at PN 6: the first six frames go in one run, the rest (under the new SA) in another.
    expect(runs).toEqual([6, 4]);
  });
});

describe('receivePacked is receive frame by frame', () => {
  for (const backend of backendNames()) {
    it(`every suite, mode, validateFrames, replay window, unknown SCI and AN, bad tags [${backend}]`, () => {
      for (const suite of CIPHER_SUITE_NAMES) {
        fc.assert(fc.property(receiveCase(suite, backend), checkReceivePacked), { numRuns: RUNS / 2 });
      }
    });
  }

  it.runIf(backendNames().includes('native'))('runs of two SCs, two ANs and clear tags interleaved in one call: one native kernel call per run, no frame validated alone', () => {
    const c: ReceiveCase = {
      suite: 'GCM-AES-128',
      backend: 'native',
      start: 1n,
      confidential: Array.from({ length: 12 }, () => true),
      alwaysIncludeSCI: true,
      confidentialityOffset: 0,
      validateFrames: 'Strict',
      replayProtect: true,
      replayWindow: 64,
      receiveCapacity: Infinity,
      clearTags: 1,
      vlans: [0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1],
      secondSC: true,
      steps: [],
      chunkSizes: [],
    };
    const { stream, stream2, others } = receivePool(c);
    const an1 = others[0]!; // AN 1 of SC A
    const frames = stream.flatMap((f, i) => [f, stream2[i]!, ...(i === 5 ? [an1] : [])]);
    const one = receiverFor(c);
    const packed = receiverFor(c);
    const expected = frames.map((f) => one.receive(f));
    expect(new Set(expected.map((o) => o.counter))).toEqual(new Set(['InPktsOK']));
    const kernel = vi.spyOn(NativeGcm.prototype, 'validatePacked');
    const alone = vi.spyOn(NativeGcm.prototype, 'open');
    try {
      const p = packFrames(frames);
      packed.receivePacked(p.input, p.output, p.outcomes);
      expect(frames.map((_, i) => packedOutcome(p, i))).toEqual(expected.map(plainPacked));
      // SC A untagged and with one tag, SC D, SC A's AN 1.
      expect(kernel).toHaveBeenCalledTimes(4);
      expect(alone).not.toHaveBeenCalled();
    } finally {
      kernel.mockRestore();
      alone.mockRestore();
    }
    expect(packed.counters()).toEqual(one.counters());
  });

  it('more receive SAs in one call than it takes runs for (8): the frames of the SAs past them take the general path, with the same outcomes', () => {
    for (const backend of backendNames()) {
      const scis = Array.from({ length: 10 }, (_, k) => Uint8Array.from([2, 0, 0, 0, 1, k, 0, 1]));
      const sak = key('GCM-AES-128', 4);
      const streams = scis.map((sci) => {
        const tx = new SecY({ sci, backend, alwaysIncludeSCI: true });
        tx.createTransmitSA({ an: 0, sak, enable: true });
        return tx.transmitBurst([0, 1, 2].map((i) => ethFrame(40 + i, i))).map(sent);
      });
      // SC 0, 1, ... 9, then again: every frame starts or joins a run, ten SAs in all.
      const frames = [0, 1, 2].flatMap((i) => streams.map((f) => f[i]!));
      const receiver = (): SecY => {
        const b = new SecY({ sci: SCI_C, backend, replayWindow: 4 });
        for (const sci of scis) {
          b.createReceiveSC(sci);
          b.createReceiveSA(sci, { an: 0, sak, enable: true });
        }
        return b;
      };
      const one = receiver();
      const expected = frames.map((f) => one.receive(f));
      expect(new Set(expected.map((o) => o.counter))).toEqual(new Set(['InPktsOK']));
      const packed = receiver();
      const kernel = backend === 'native' ? vi.spyOn(NativeGcm.prototype, 'validatePacked') : undefined;
      try {
        const p = packFrames(frames);
        packed.receivePacked(p.input, p.output, p.outcomes);
        expect(frames.map((_, i) => packedOutcome(p, i)), backend).toEqual(expected.map(plainPacked));
        expect(kernel?.mock.calls.length ?? 8).toBe(8);
      } finally {
        kernel?.mockRestore();
      }
      expect(packed.counters()).toEqual(one.counters());
    }
  });

  it('receivedOutcome refuses what is no frame of the call, or outcomes without their reasons, with a typed error', () => {
    const c: ReceiveCase = { suite: 'GCM-AES-128', backend: 'noble', start: 1n, confidential: [true, true], alwaysIncludeSCI: true, confidentialityOffset: 0, validateFrames: 'Strict', replayProtect: true, replayWindow: 0, receiveCapacity: Infinity, steps: [], chunkSizes: [] };
    const { stream } = receivePool(c);
    const b = receiverFor(c);
    const p = packFrames(stream);
    b.receivePacked(p.input, p.output, p.outcomes);
    expect(b.receivedOutcome(p.input, p.output, p.outcomes, 1).counter).toBe('InPktsOK');
    expect(() => b.receivedOutcome(p.input, p.output, p.outcomes, 2)).toThrow(/^k: expected a frame of the call, 0 to 1/);
    const { codes, pnHigh, pnLow } = p.outcomes;
    expect(() => b.receivedOutcome(p.input, p.output, { codes, pnHigh, pnLow }, 0)).toThrow(/^outcomes.reasons: expected PackedReasons/);
  });

  it('a frame received again in the call (its XPN upper half changed) writes its output within the room: each frame + 32 octets', () => {
    // A C=1 frame of PN 5 first (window 0: lowestPN 6), then PN 1: recovered at the start into epoch 0,
    // now into epoch 1, so received again; the output buffer has just the room the API promises.
    for (const backend of backendNames()) {
      checkReceivePacked({
        suite: 'GCM-AES-XPN-128',
        backend,
        start: 1n,
        confidential: [false, false, false, true, true, false, false],
        alwaysIncludeSCI: false,
        confidentialityOffset: 0,
        validateFrames: 'Disabled',
        replayProtect: true,
        replayWindow: 0,
        receiveCapacity: Infinity,
        steps: [{ kind: 'any', pick: 4 }, { kind: 'next', pick: 0 }, { kind: 'next', pick: 0 }],
        chunkSizes: [],
      });
    }
  });
});

describe('transmitPacked is transmit frame by frame', () => {
  for (const backend of backendNames()) {
    it(`every suite and mode, SCI modes, clear tags, PN exhaustion, rekey and persistence listeners [${backend}]`, () => {
      for (const suite of CIPHER_SUITE_NAMES) {
        fc.assert(fc.property(transmitCase(suite, backend), checkTransmitPacked), { numRuns: RUNS / 2 });
      }
    });
  }

  it('refuses too little room, a short frame or overlapping buffers before sending any', () => {
    const c = { suite: 'GCM-AES-128', backend: 'node', start: 1n, sciMode: 'alwaysIncludeSCI', clearTags: 0, maxFrameSize: 1996 } as const;
    const a = transmitterFor({ ...c, confidentialityProtect: true, confidentialityOffset: 0, rekeyAfter: 12, switchOnRekey: false, persist: undefined, frames: [], chunkSizes: [] }, []);
    const p = packFrames([ethFrame(40, 0), ethFrame(40, 1)]);
    const small = { ...p, output: packedFrames(2, p.input.data.length) };
    expect(() => a.transmitPacked(small.input, small.output, small.outcomes)).toThrow(/output\.data/);
    const short = packFrames([ethFrame(40, 0), ethFrame(40, 1).subarray(0, 13)]);
    expect(() => a.transmitPacked(short.input, short.output, short.outcomes)).toThrow(/input frame 1/);
    expect(() => a.transmitPacked(p.input, p.input, p.outcomes)).toThrow(/output\.data/);
    expect(a.getTransmitNextPN(0)).toBe(1n);
  });
});

describe('with a worker pool, the same', () => {
  const pool = splittingPool();

  for (const suite of ['GCM-AES-128', 'GCM-AES-XPN-256'] as const) {
    it(`transmitBurst and receiveBurst split between threads give what transmit and receive give [${suite}]`, () => {
      const x = xpnExtras(suite);
      const start = CIPHER_SUITES[suite].xpn ? TWO_32 - 20n : 1n;
      const tx = (executor?: BurstPool): SecY => {
        const a = new SecY({ sci: SCI_A, cipherSuite: suite, backend: 'node', ...(executor ? { executor } : {}) });
        a.createTransmitSA({ an: 0, sak: key(suite, 1), nextPN: start, enable: true, ...x });
        return a;
      };
      const rx = (executor?: BurstPool): SecY => {
        const b = new SecY({ sci: SCI_B, cipherSuite: suite, backend: 'node', replayWindow: 8, ...(executor ? { executor } : {}) });
        b.createReceiveSC(SCI_A);
        b.createReceiveSA(SCI_A, { an: 0, sak: key(suite, 1), nextPN: start, enable: true, ...x });
        return b;
      };
      const frames = Array.from({ length: 40 }, (_, i) => ethFrame(20 + 13 * i, i));
      const [one, split] = [tx(), tx(pool())];
      const expected = frames.map((f) => one.transmit(f));
      const got = split.transmitBurst(frames);
      expect(got.map(plainOutcome)).toEqual(expected.map(plainOutcome));
      const mpdus = expected.map(sent);
      const order = [...mpdus.slice(0, 25), mpdus[3]!, flip(mpdus[30]!, -2), ...mpdus.slice(25)];
      const [b1, b2] = [rx(), rx(pool())];
      expect(b2.receiveBurst(order).map(plainOutcome)).toEqual(order.map((f) => b1.receive(f)).map(plainOutcome));
      expect(b2.counters()).toEqual(b1.counters());
    });
  }
});
