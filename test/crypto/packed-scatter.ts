/**
 * Packed calls larger than the kernels' chunks, with the frames scattered through the input (out of order,
 * far apart, gaps between), against per-frame protect / validate: the TypeScript kernels stage a chunk of
 * frames at a time (crypto/packed.ts), so every chunk and staging boundary must give the bytes of the plain
 * path; and the TypeScript kernels against the native one (native/macsec_gcm.c), frame layout and all. Used
 * by packed.test.ts (every backend) and packed-nowasm.test.ts (the TypeScript kernels without WebAssembly).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { availableBackends, type BackendName } from '../../src/crypto/backend.js';
import { protect, transmitTci, validate } from '../../src/crypto/macsec.js';
import { PACKED_CODE_NAMES, packedOutcomes, protectPacked, validatePacked, type PackedReceiveControl, type PackedTransmitControl, type PackedValidateFrames } from '../../src/crypto/packed.js';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { packedFrame, packedFrames, type PackedFrames } from '../../src/wire/packed.js';
import { anOf } from '../../src/wire/sectag.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Scatter {
  suite: CipherSuiteName;
  clearTags: number;
  offset: 0 | 30 | 50;
  users: number[];
  /** Where each frame goes: its rank in the input buffer, and the gap before it. */
  order: number[];
  gaps: number[];
  /** Frames whose ICV is flipped before receive. */
  bad: boolean[];
}

const scatterArb: fc.Arbitrary<Scatter> = fc.integer({ min: 30, max: 160 }).chain((n) =>
  fc.record({
    suite: fc.constantFrom<CipherSuiteName>('GCM-AES-128', 'GCM-AES-XPN-256'),
    clearTags: fc.constantFrom(0, 1),
    offset: fc.constantFrom<0 | 30 | 50>(0, 30),
    users: fc.array(fc.oneof(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 600, max: 1500 }), fc.constant(9000)), { minLength: n, maxLength: n }),
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 }), fc.constant(70_000)), { minLength: n, maxLength: n }),
    bad: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  }),
);

/** `frames` laid in the input in `order` from octet `lead`, each after its gap of filler. */
function scatter(frames: readonly Uint8Array[], order: readonly number[], gaps: readonly number[], lead = 0): PackedFrames {
  const octets = lead + frames.reduce((a, f, i) => a + f.length + gaps[i]!, 0);
  const p = packedFrames(frames.length, octets);
  p.data.fill(0x5a);
  let at = lead;
  for (const i of order) {
    at += gaps[i]!;
    p.data.set(frames[i]!, at);
    p.offsets[i] = at;
    p.lengths[i] = frames[i]!.length;
    at += frames[i]!.length;
  }
  p.count = frames.length;
  return p;
}

export function scatterTests(backend: BackendName): void {
  it('a call over many chunks, frames scattered through the input: each frame the bytes of protect and validate', () => {
    fc.assert(
      fc.property(scatterArb, (s) => {
        const suite = CIPHER_SUITES[s.suite];
        const key = new Uint8Array(suite.keyLength).fill(0x3c);
        const sa = new SaContext({ suite, key, ssci: suite.xpn ? Uint8Array.of(0, 0, 0, 7) : undefined, salt: suite.xpn ? new Uint8Array(12).fill(0xe1) : undefined }, backend);
        const sci = Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 1);
        const o = { ...transmitTci(anOf(2), { includeSci: true, endStation: false, scb: false, confidentiality: true }), sci, confidentialityOffset: s.offset, clearTags: s.clearTags };
        const plain = s.users.map((u, i) => {
          const f = new Uint8Array(12 + 4 * s.clearTags + u).fill(i & 0xff);
          f.set([0, 1, 2, 3, 4, 5, 2, 0, 0, 0, 0, 1]);
          if (s.clearTags === 1) f.set([0x81, 0, 0, 5], 12);
          return f;
        });
        const n = plain.length;
        // Transmit: PNs from 2^32 - 40 with XPN (crossing 2^32 inside the call), from 1 otherwise.
        const start = suite.xpn ? 2 ** 32 - 40 : 1;
        const input = scatter(plain, s.order, s.gaps);
        const output = packedFrames(n, 5 + plain.reduce((a, f) => a + f.length + 32, 0));
        const outcomes = packedOutcomes(n);
        const tc: PackedTransmitControl = { first: 0, count: n, outStart: 5, nextPnHigh: 0, nextPnLow: start, lastPnHigh: suite.xpn ? 1 : 0, lastPnLow: 0xffff_ffff, maxFrameSize: 100_000, outEnd: 0, pnsUsed: 0 };
        protectPacked(sa, o, input, output, outcomes, tc);
        expect(tc.pnsUsed).toBe(n);
        const sent = plain.map((f, i) => {
          const want = protect(sa, f, { ...o, pn: BigInt(start + i) });
          expect(hex(packedFrame(output, i)), `frame ${i}`).toBe(hex(want));
          return want;
        });
        // Receive: the frames sent, scattered again, some with a flipped ICV bit.
        const received = sent.map((f, i) => {
          const g = f.slice();
          if (s.bad[i]) g[g.length - 1]! ^= 1;
          return g;
        });
        const rin = scatter(received, [...s.order].reverse(), s.gaps);
        const rout = packedFrames(n, 3 + received.reduce((a, f) => a + f.length + 32, 0));
        const rc: PackedReceiveControl = { first: 0, count: n, outStart: 3, lowestPnHigh: 0, lowestPnLow: start, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
        validatePacked(sa, { sci, an: 2, confidentialityOffset: s.offset, clearTags: s.clearTags, validateFrames: 'Strict', replayProtect: true, pointToPoint: false }, rin, rout, outcomes, rc);
        expect(rc.handled).toBe(n);
        received.forEach((f, i) => {
          const parsed = parseMacsecFrame(f, { clearTags: s.clearTags, allowZeroPN: suite.xpn });
          if (!parsed.ok) throw new Error(`frame ${i} does not parse`);
          const hi = start + i >= 2 ** 32 ? 1 : 0;
          const want = validate(sa, f, parsed.value, { sci, pnHigh: hi, confidentialityOffset: s.offset });
          expect(PACKED_CODE_NAMES[outcomes.codes[i]!], `frame ${i}`).toBe(want === null ? 'InPktsNotValid' : 'InPktsOK');
          if (want !== null) expect(hex(packedFrame(rout, i)), `frame ${i}`).toBe(hex(want));
          else expect(rout.lengths[i]).toBe(0);
        });
        sa.wipe();
      }),
      { numRuns: 6 },
    );
  });
}

const nativeAvailable = availableBackends().some((b) => b.name === 'native' && b.available);

/** `frames` from octet 3, in order or reversed, each after its gap. */
function lay(frames: readonly Uint8Array[], gaps: readonly number[], reversed: boolean): PackedFrames {
  const order = [...frames.keys()];
  return scatter(frames, reversed ? order.reverse() : order, gaps, 3);
}

/** Everything a packed call gives: control out, codes, PNs, offsets, lengths and each output frame's octets. */
function everything(out: PackedFrames, o: ReturnType<typeof packedOutcomes>, control: readonly number[]): string {
  const frames = [...out.offsets.keys()].map((i) => hex(out.data.subarray(out.offsets[i], out.offsets[i]! + out.lengths[i]!)));
  return [...control, ...Array.from(o.codes, (c) => PACKED_CODE_NAMES[c]), ...o.pnHigh, ...o.pnLow, ...out.offsets, ...out.lengths, ...frames].join(',');
}

interface NativeCase {
  users: number[];
  gaps: number[];
  tags: number;
  mode: PackedValidateFrames;
  confidentiality: boolean;
  offset: 0 | 30 | 50;
  /** What happens to each frame on the way: 0-1 nothing, 2 a flipped ICV bit, 3 cut short, 4 gone (0 octets). */
  fate: number[];
  /** Each frame's AN, 1 or 2: the second receive run (undecidedOnly) takes AN 2's. */
  ans: number[];
  outStart: number;
  /** Transmit: PNs the SA may still use (10.5.2: past them, PN exhaustion), and maxFrameSize (10.7.17: longer frames take no PN). */
  pns: number;
  maxFrameSize: number;
}

const MAX_FRAMES = 40;
const nativeCaseArb: fc.Arbitrary<NativeCase> = fc.record({
  users: fc.array(fc.oneof(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 80, max: 1600 }), fc.constantFrom(66_000, 140_000)), { minLength: 1, maxLength: MAX_FRAMES }),
  gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.constant(70_000)), { minLength: MAX_FRAMES, maxLength: MAX_FRAMES }),
  tags: fc.constantFrom(0, 1, 2),
  mode: fc.constantFrom<PackedValidateFrames>('Strict', 'Check', 'Disabled'),
  confidentiality: fc.boolean(),
  offset: fc.constantFrom<0 | 30 | 50>(0, 30, 50),
  fate: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: MAX_FRAMES, maxLength: MAX_FRAMES }),
  ans: fc.array(fc.constantFrom(1, 2), { minLength: MAX_FRAMES, maxLength: MAX_FRAMES }),
  outStart: fc.integer({ min: 0, max: 9 }),
  pns: fc.oneof(fc.integer({ min: 0, max: MAX_FRAMES }), fc.constant(0xffff_0000)),
  maxFrameSize: fc.constantFrom(1518, 70_000, 200_000),
});

export function nativeDifferential(backend: BackendName): void {
  it.skipIf(!nativeAvailable)('the same calls as the native kernel: every output octet, offset, code and PN (transmit; receive in two runs, the second undecidedOnly)', () => {
    fc.assert(
      fc.property(nativeCaseArb, (s) => {
        const suite = CIPHER_SUITES['GCM-AES-128'];
        const keys = [new Uint8Array(16).fill(1), new Uint8Array(16).fill(2)];
        const sci = Uint8Array.of(2, 0, 0, 0, 0, 1, 0, 1);
        const hdr = 12 + 4 * s.tags;
        const options = (an: number) => ({ ...transmitTci(anOf(an), { includeSci: true, endStation: false, scb: false, confidentiality: s.confidentiality }), sci, confidentialityOffset: s.offset, clearTags: s.tags });
        const plain = s.users.map((u, i) => {
          const f = Uint8Array.from({ length: hdr + Math.max(2, u) }, (_, j) => (j * 7 + i) & 0xff);
          for (let t = 0; t < s.tags; t++) f.set([0x81, 0, 0, t], 12 + 4 * t);
          return f;
        });
        const n = plain.length;
        const both = (run: (b: BackendName) => string): void => expect(run(backend)).toBe(run('native'));
        // Transmit: the whole call under AN 1, refusals (too long, PNs exhausted) and chunks of the work area crossing.
        both((b) => {
          const sa = new SaContext({ suite, key: keys[0]! }, b);
          const out = packedFrames(n, s.outStart + plain.reduce((a, f) => a + f.length + 32, 0));
          const oc = packedOutcomes(n);
          const c: PackedTransmitControl = { first: 0, count: n, outStart: s.outStart, nextPnHigh: 0, nextPnLow: 5, lastPnHigh: 0, lastPnLow: 4 + s.pns, maxFrameSize: s.maxFrameSize, outEnd: 0, pnsUsed: 0 };
          protectPacked(sa, options(1), lay(plain, s.gaps, true), out, oc, c);
          sa.wipe();
          return everything(out, oc, [c.outEnd, c.pnsUsed]);
        });
        // Receive: each frame sent under its AN's key (native, frame by frame), then what happened to it on the way.
        const sent = plain.map((f, i) => {
          const sa = new SaContext({ suite, key: keys[s.ans[i]! - 1]! }, 'native');
          const out = packedFrames(1, f.length + 32);
          protectPacked(sa, options(s.ans[i]!), lay([f], [0], false), out, packedOutcomes(1), { first: 0, count: 1, outStart: 0, nextPnHigh: 0, nextPnLow: 100 + i, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 1_000_000, outEnd: 0, pnsUsed: 0 });
          sa.wipe();
          const g = out.data.slice(0, out.lengths[0]);
          const fate = s.fate[i]!;
          if (fate === 2) g[g.length - 1]! ^= 1;
          return fate === 3 ? g.subarray(0, Math.min(g.length, 5 + (i % 20))) : fate === 4 ? new Uint8Array(0) : g;
        });
        both((b) => {
          const [sa1, sa2] = keys.map((key) => new SaContext({ suite, key }, b));
          const input = lay(sent, s.gaps, false);
          const out = packedFrames(n, s.outStart + sent.reduce((a, f) => a + f.length + 32, 0));
          const oc = packedOutcomes(n);
          const o = { sci, confidentialityOffset: s.offset, clearTags: s.tags, validateFrames: s.mode, replayProtect: true, pointToPoint: false };
          const c1: PackedReceiveControl = { first: 0, count: n, outStart: s.outStart, lowestPnHigh: 0, lowestPnLow: 110, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
          validatePacked(sa1!, { ...o, an: 1 }, input, out, oc, c1);
          const c2: PackedReceiveControl = { first: 0, count: n, outStart: c1.outEnd, lowestPnHigh: 0, lowestPnLow: 1, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
          validatePacked(sa2!, { ...o, an: 2, undecidedOnly: true }, input, out, oc, c2);
          sa1!.wipe();
          sa2!.wipe();
          return everything(out, oc, [c1.outEnd, c1.handled, c1.octetsValidated, c1.octetsDecrypted, c2.outEnd, c2.handled, c2.octetsValidated, c2.octetsDecrypted]);
        });
      }),
      { numRuns: 25 },
    );
  });
}
